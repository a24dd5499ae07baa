"""Where job results live: ``VATRA_FILES/<tenant_id>/jobs/<job_id>/<file>``.

A result is written to a temporary file in the job's own folder and moved
into place with ``os.replace`` (atomic on one file system), so a reader never
sees half a file and a retried job leaves exactly one file behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

from flask import current_app
from unidecode import unidecode
from werkzeug.utils import secure_filename

TEMP_PREFIX = ".partial-"


def files_root() -> Path:
    """The folder of stored files (``VATRA_FILES``)."""
    return Path(current_app.config["VATRA_FILES"])


def job_dir(tenant_id: int, job_id: int) -> Path:
    """The folder of one job's result."""
    return files_root() / str(int(tenant_id)) / "jobs" / str(int(job_id))


def display_name(filename: str) -> str:
    """The name offered on download: the given one without folders or control characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "rezultat"


def stored_name(filename: str) -> str:
    """The name on disk: ASCII, no folders (``Planul 2026 – Târgu.docx`` → ``Planul_2026_-_Targu.docx``)."""
    return secure_filename(unidecode(display_name(filename)))[:200] or "rezultat"


def write_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/name`` through a temporary file and ``os.replace``."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        target = folder / name
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def keep_only(folder: Path, name: str | None) -> None:
    """Remove everything in a job's folder but ``name`` (earlier attempts' files, leftovers)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name == name:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def remove_job_files(tenant_id: int, job_id: int) -> None:
    """Remove a job's folder (a job that failed for good keeps no partial result)."""
    shutil.rmtree(job_dir(tenant_id, job_id), ignore_errors=True)


def resolve(relative: str) -> Path:
    """The absolute path of a stored result, refusing anything outside ``VATRA_FILES``."""
    root = files_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("path outside the files folder")
    return path
