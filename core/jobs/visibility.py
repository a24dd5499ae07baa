"""Who sees which job and who may read its file.

A job of a plugin disabled for the tenant is not there (404, left out of the
lists); the data it made left with the plugin. A job's result file needs the
permission its content needs, declared by its kind
(:attr:`core.contrib.JobSpec.file_permission`): ``jobs.view`` shows that a
job ran, never what it produced.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from core.access import has_permission
from core.jobs.models import Job
from core.jobs.specs import all_specs
from core.plugins import host


def hidden_kinds(tenant: Any) -> set[str]:
    """Job kinds whose plugin is disabled for ``tenant`` (the core's kinds are never hidden)."""
    plugins = host()
    enabled = set(plugins.enabled_for(tenant))
    return {kind for kind, owner in plugins.job_owner.items() if owner not in enabled}


def is_visible(job: Job, tenant: Any) -> bool:
    """Whether ``job`` exists for ``tenant``'s pages and API (its plugin is enabled there)."""
    owner = host().job_owner.get(job.kind)
    return owner is None or host().is_enabled(owner, tenant)


def file_permission(job: Job) -> str | None:
    """The permission ``job``'s file needs; ``None`` when only its author may read it."""
    spec = all_specs().get(job.kind)
    if spec is None:
        return None
    rule = spec.file_permission
    if callable(rule):
        return rule(dict(job.params or {}))
    return rule


def may_read_file(job: Job) -> bool:
    """Whether the current user may download ``job``'s result file (in the request's tenant)."""
    needed = file_permission(job)
    if needed is not None:
        return has_permission(needed)
    return job.user_id is not None and job.user_id == getattr(current_user, "id", None)
