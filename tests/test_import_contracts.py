"""The import contracts of .importlinter hold, and cover every installed plugin."""

from __future__ import annotations

import configparser
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _installed_tops() -> set[str]:
    return {ep.value.split(":")[0].split(".")[0] for ep in entry_points(group="vatra.plugins")}


def _contracts_with_every_installed_plugin(path: Path) -> Path:
    """.importlinter with each installed plugin outside the repository (the test plugin) added to its contracts."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    for top in sorted(_installed_tops() - {"plugins"}):
        def add(section: str, key: str, line: str) -> None:
            config[section][key] = config[section][key].rstrip() + "\n" + line
        add("importlinter", "root_packages", top)
        add("importlinter:contract:core-never-imports-a-plugin", "forbidden_modules", top)
        add("importlinter:contract:plugins-are-independent", "modules", top)
        add("importlinter:contract:plugins-import-only-the-toolkit", "source_modules", top)
        add("importlinter:contract:plugins-import-only-the-toolkit", "ignore_imports", f"{top}.** -> core.toolkit")
    with path.open("w", encoding="utf-8") as fh:
        config.write(fh)
    return path


def test_the_import_contracts_are_kept(tmp_path):  # type: ignore[no-untyped-def]
    lint_imports = Path(sys.executable).with_name("lint-imports")
    config = _contracts_with_every_installed_plugin(tmp_path / "importlinter.ini")
    assert "vatra_hello" in config.read_text(encoding="utf-8")  # the third-party test plugin is held to them too
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--config", str(config)], cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    for contract in ("never imports a plugin", "never import each other", "import only core.toolkit", "tenants"):
        assert contract in result.stdout


def test_the_contracts_cover_every_installed_plugin(tmp_path):  # type: ignore[no-untyped-def]
    config = configparser.ConfigParser()
    config.read(_contracts_with_every_installed_plugin(tmp_path / "importlinter.ini"), encoding="utf-8")
    roots = config["importlinter"]["root_packages"].split()
    independent = config["importlinter:contract:plugins-are-independent"]["modules"].split()
    only_toolkit = config["importlinter:contract:plugins-import-only-the-toolkit"]["source_modules"].split()
    for top in _installed_tops():
        assert top in roots and top in only_toolkit and (top == "plugins" or top in independent), top
    assert "plugins.*" in independent
    product = configparser.ConfigParser()
    product.read(ROOT / ".importlinter", encoding="utf-8")
    assert product["importlinter"]["root_packages"].split() == ["core", "tenants", "plugins"]
