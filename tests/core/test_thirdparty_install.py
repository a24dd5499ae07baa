"""The test plugin ``vatra_hello`` never reaches the environment ``make run`` uses.

``make install`` used to pip-install it there, so a product install showed a
"Salut" tab to every tenant. The tests install it into a throwaway directory
(tests/conftest.py) and find it there by its entry point.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIST_PLUGINS = "from core.plugins import PluginHost; h = PluginHost(); h.load(); print(sorted(h.plugins))"


def _plugins_found(extra_path: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VATRA_TEST_PLUGIN_SITE"}}
    if extra_path:
        env["PYTHONPATH"] = extra_path
    done = subprocess.run(
        [sys.executable, "-c", LIST_PLUGINS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_install_installs_no_test_plugin() -> None:
    dry = subprocess.run(
        ["make", "-n", "-B", "install", "VENV=/nonexistent/venv"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert dry.returncode == 0, dry.stderr
    assert "pip install" in dry.stdout
    assert "tests/plugins" not in dry.stdout


def test_the_run_environment_has_no_salut_tab_and_the_throwaway_one_has() -> None:
    assert "hello" not in _plugins_found(None)  # what `make run` loads: the product's plugins only
    site = os.environ["VATRA_TEST_PLUGIN_SITE"]
    assert "'hello'" in _plugins_found(site)
    installed = Path(distribution("vatra-hello").locate_file(""))
    assert installed.resolve() == Path(site).resolve()
    assert not installed.resolve().is_relative_to(Path(sys.prefix).resolve())
