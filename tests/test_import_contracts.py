"""The import contracts of .importlinter hold, and cover every installed plugin."""

from __future__ import annotations

import configparser
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    for contract in ("never imports a plugin", "never import each other", "import only core.toolkit", "tenants"):
        assert contract in result.stdout


def test_the_contracts_cover_every_installed_plugin():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    roots = config["importlinter"]["root_packages"].split()
    independent = config["importlinter:contract:plugins-are-independent"]["modules"].split()
    only_toolkit = config["importlinter:contract:plugins-import-only-the-toolkit"]["source_modules"].split()
    for ep in entry_points(group="vatra.plugins"):
        top = ep.value.split(":")[0].split(".")[0]
        assert top in roots, f"{ep.name}: add {top} to root_packages"
        assert top in only_toolkit, f"{ep.name}: add {top} to the toolkit-only contract"
        assert top == "plugins" or top in independent, f"{ep.name}: add {top} to the independence contract"
    assert "plugins.*" in independent
