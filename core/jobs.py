"""Background jobs: recorded in the database, run by rq or in-process.

(Interface fixed; implementation in progress.)
"""

from __future__ import annotations

from typing import Any


class JobContext:
    """What a job function receives: its record, progress reporting, result file."""

    def __init__(self, job: Any) -> None:
        self.job = job

    def progress(self, percent: int, message: str = "") -> None:
        """Report progress 0–100 with a short message (visible on the jobs page)."""

    def save_file(self, filename: str, data: bytes, mimetype: str) -> None:
        """Store the job's one result file, downloadable by the users of its tenant."""


def enqueue(kind: str, *, tenant: Any, user: Any = None, **kwargs: Any) -> Any:
    """Record a job of ``kind`` for ``tenant`` and run it (rq, or in-process without Redis)."""
    raise NotImplementedError
