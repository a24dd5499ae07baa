"""Which job kinds exist: the plugins' (``vatra_jobs`` hook) and the core's own."""

from __future__ import annotations

from core.contrib import JobSpec

core_jobs: dict[str, JobSpec] = {}
"""Job kinds of the core itself (e.g. aggregation snapshots), by kind."""


class UnknownJobKindError(LookupError):
    """No plugin (and not the core) declares this job kind."""


def register_core_job(spec: JobSpec) -> JobSpec:
    """Declare a job kind of the core (plugins use the ``vatra_jobs`` hook instead)."""
    known = core_jobs.get(spec.kind)
    if known is not None and known != spec:
        raise ValueError(f"core job kind {spec.kind!r} declared twice")
    core_jobs[spec.kind] = spec
    return spec


def job_spec(kind: str) -> JobSpec:
    """The :class:`JobSpec` of ``kind`` in the current app; :class:`UnknownJobKindError` when nobody declares it."""
    from core.plugins import host

    spec = host().jobs.get(kind) or core_jobs.get(kind)
    if spec is None:
        raise UnknownJobKindError(f"unknown job kind {kind!r}")
    return spec


def all_specs() -> dict[str, JobSpec]:
    """Every job kind of the current app (plugins' and the core's)."""
    from core.plugins import host

    return {**core_jobs, **host().jobs}
