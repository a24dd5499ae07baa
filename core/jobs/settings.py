"""The jobs' settings: the app's configuration first, then ``VATRA_JOBS_*`` environment variables.

* ``JOBS_INLINE`` — run jobs in-process; default: when ``REDIS_URL`` is unset;
* ``JOBS_QUEUE_PREFIX`` — prefix of the rq queue names and job ids (several deployments on one Redis);
  default empty;
* ``JOBS_RETRY_BASE`` — first back-off interval in seconds (default 10);
* ``JOBS_RETRY_FACTOR`` — each next interval is this many times longer, at most an hour (default 4);
* ``JOBS_HEARTBEAT_SECONDS`` — how often a running job writes its heartbeat (default 10);
* ``JOBS_STALE_SECONDS`` — a running job whose heartbeat is older is presumed dead (default 60);
* ``JOBS_REAP_SECONDS`` — how often a worker looks for lost jobs and for jobs not queued (default 60);
* ``JOBS_MONITOR_SECONDS`` — how often a worker checks on the process running a job (default 10).

Each but ``JOBS_INLINE`` may also come from the environment as ``VATRA_<NAME>``
(e.g. ``VATRA_JOBS_STALE_SECONDS``), so a worker started from the command line
picks it up.
"""

from __future__ import annotations

import os
from typing import Any

from flask import current_app

QUEUES = ("default", "exports", "aggregation")
"""The rq queues, in the order a worker serves them."""

DEFAULTS: dict[str, Any] = {
    "JOBS_QUEUE_PREFIX": "",
    "JOBS_RETRY_BASE": 10,
    "JOBS_RETRY_FACTOR": 4,
    "JOBS_HEARTBEAT_SECONDS": 10,
    "JOBS_STALE_SECONDS": 60,
    "JOBS_REAP_SECONDS": 60,
    "JOBS_MONITOR_SECONDS": 10,
}


def setting(name: str) -> Any:
    """The value of a jobs setting (configuration, then ``VATRA_<NAME>``, then the default)."""
    default = DEFAULTS[name]
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(f"VATRA_{name}")
    if value is None:
        return default
    if isinstance(default, int) and not isinstance(value, int):
        return int(float(value))
    return value


def inline() -> bool:
    """Whether jobs run in-process (no ``REDIS_URL``, or ``JOBS_INLINE`` set)."""
    configured = current_app.config.get("JOBS_INLINE")
    if configured is None:
        return not current_app.config.get("REDIS_URL")
    return bool(configured) or not current_app.config.get("REDIS_URL")


def queue_name(queue: str) -> str:
    """The rq name of one of :data:`QUEUES` (with the deployment's prefix)."""
    return f"{setting('JOBS_QUEUE_PREFIX')}{queue}"


def backoff(retries: int) -> list[int]:
    """The back-off intervals (seconds) between ``retries`` retries: growing, at most an hour."""
    base = max(0, setting("JOBS_RETRY_BASE"))
    factor = max(1, setting("JOBS_RETRY_FACTOR"))
    return [min(base * factor**i, 3600) for i in range(retries)]
