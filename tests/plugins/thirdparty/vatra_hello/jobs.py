"""Background jobs of the test plugin, used by the jobs tests (they run in a real worker process).

* ``hello.slow`` — reports progress step by step, writes a greeting row and a file;
* ``hello.flaky`` — fails its first ``failures`` attempts (counted in a marker file), then succeeds;
* ``hello.crash`` — kills its own process with SIGKILL on its first ``crashes`` attempts, then succeeds.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from core.toolkit import JobContext, db
from vatra_hello.models import HelloGreeting

TEXT_MIMETYPE = "text/plain; charset=utf-8"


def _count(marker: str) -> int:
    """How many attempts came before this one (and count this one)."""
    path = Path(marker)
    seen = int(path.read_text() or 0) if path.exists() else 0
    path.write_text(str(seen + 1))
    return seen


def _greet(ctx: JobContext, text: str) -> None:
    db.session.add(HelloGreeting(job_id=ctx.job.id, text=text))
    ctx.save_file("salut-în-fundal.txt", f"{text} (încercarea {ctx.attempt})\n".encode(), TEXT_MIMETYPE)


def slow(
    ctx: JobContext, *, steps: int = 5, delay: float = 0.2, pid_file: str | None = None, name: str = "lume"
) -> None:
    """Greets slowly: a draft file first, progress per step, then the greeting and the final file."""
    if pid_file:
        Path(pid_file).write_text(str(os.getpid()))
    ctx.save_file("salut-în-fundal.txt", b"ciorna\n", TEXT_MIMETYPE)
    for step in range(1, steps + 1):
        time.sleep(delay)
        ctx.progress(step * 100 // (steps + 1), f"Pasul {step} din {steps}")
    _greet(ctx, f"Salut, {name}!")


def flaky(ctx: JobContext, *, marker: str, failures: int = 1) -> None:
    """Fails the first ``failures`` attempts, then greets."""
    seen = _count(marker)
    ctx.progress(50, "Încerc")
    if seen < failures:
        raise RuntimeError(f"eșec simulat la încercarea {seen + 1}")
    _greet(ctx, "Salut după eșecuri!")


def crash(ctx: JobContext, *, marker: str, crashes: int = 1) -> None:
    """Dies by SIGKILL on the first ``crashes`` attempts (in a worker only!), then greets."""
    seen = _count(marker)
    ctx.progress(30, "Mă pregătesc să cad")
    if seen < crashes:
        os.kill(os.getpid(), signal.SIGKILL)
    _greet(ctx, "Salut după cădere!")
