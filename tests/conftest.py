"""The platform's own tests use the fixtures offered to plugin authors.

The third-party test plugin ``vatra_hello`` (``tests/plugins/thirdparty``) is
installed with pip into a throwaway directory — never into the environment
``make run`` uses — and put on the path of this process and of every process
the tests start (workers, servers), so it is found by its entry point as an
integrator's plugin would be.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ["core.testing"]

THIRDPARTY = Path(__file__).resolve().parent / "plugins" / "thirdparty"
PIP_TIMEOUT = 300


def _source_hash(root: Path) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and "egg-info" not in path.as_posix() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def thirdparty_site(source: Path = THIRDPARTY) -> Path:
    """A directory where the plugin at ``source`` is pip-installed (built once per content, then reused)."""
    target = Path(tempfile.gettempdir()) / "vatra-test-plugins" / f"{source.name}-{_source_hash(source)}"
    if (target / ".complete").exists():
        return target
    work = Path(tempfile.mkdtemp(prefix="vatra-test-plugins-"))
    try:
        shutil.copytree(source, work / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "build"))
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
             "--target", str(work / "site"), str(work / "src")],
            timeout=PIP_TIMEOUT, capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise pytest.UsageError(f"pip could not install the test plugin {source}:\n{done.stderr[-3000:]}")
        (work / "site" / ".complete").touch()
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(work / "site", target)
        except OSError:  # another run installed the same content first
            if not (target / ".complete").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def use_thirdparty_site() -> None:
    """Put the throwaway install of ``vatra_hello`` on this process's path and its children's.

    Runs when this conftest is imported, before the conftests below it (the
    jobs tests import ``vatra_hello.models`` as they load).
    """
    site = os.environ.get("VATRA_TEST_PLUGIN_SITE")
    if not site:
        site = str(thirdparty_site())
        os.environ["VATRA_TEST_PLUGIN_SITE"] = site  # xdist workers inherit it and skip the install
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (site, os.environ.get("PYTHONPATH")) if p)
    if site not in sys.path:
        sys.path.insert(0, site)


use_thirdparty_site()
