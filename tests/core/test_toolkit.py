"""core.toolkit: the one module a plugin imports, complete, public, documented and generated into docs/toolkit.md."""

from __future__ import annotations

import ast
import importlib.util
import inspect
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from core import api, toolkit
from core.plugin_docs import render_toolkit, toolkit_entries

ROOT = Path(__file__).resolve().parents[2]


def _plugin_sources() -> list[Path]:
    """The folder of the top package of every installed plugin (``plugins/``, ``vatra_hello/``...)."""
    folders = set()
    for ep in entry_points(group="vatra.plugins"):
        spec = importlib.util.find_spec(ep.value.split(":")[0].split(".")[0])
        assert spec is not None and spec.origin is not None, ep.value
        folders.add(Path(spec.origin).resolve().parent)
    return sorted(folders)


def _platform_imports() -> list[tuple[str, int, str, list[str]]]:
    """``(file, line, module, names)`` of every import of the platform (core, tenants) in the plugins' code."""
    found = []
    for folder in _plugin_sources():
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules, names = [node.module], [a.name for a in node.names]
                elif isinstance(node, ast.Import):
                    modules, names = [a.name for a in node.names], []
                else:
                    continue
                for module in modules:
                    if module.split(".")[0] in {"core", "tenants"}:
                        found.append((str(path), node.lineno, module, names))
    return found


def test_plugins_import_only_public_names_of_the_toolkit():
    imports = _platform_imports()
    assert len(imports) > 25  # the scan sees the plugins' imports
    problems = [
        f"{where}:{line}: {module} {names}"
        for where, line, module, names in imports
        if module != "core.toolkit" or any(n not in toolkit.__all__ or n.startswith("_") for n in names)
    ]
    assert not problems, "plugins import the platform only through core.toolkit's public names:\n" + "\n".join(
        problems
    )


def test_every_installed_plugin_is_scanned():
    sources = _plugin_sources()
    assert ROOT / "plugins" in sources
    assert any(folder.name == "vatra_hello" for folder in sources)  # the third-party test plugin, installed with pip


def test_the_toolkit_offers_what_the_issue_lists():
    for name in (
        "TenantScoped", "tenant_fk", "Money", "db", "N_", "Message", "translate",
        "DomainError", "NotFound", "Conflict", "Invalid", "StaleVersion",
        "client_version", "check_version", "requires_vatra", "VERSION", "__version__", "aggregation",
    ):  # fmt: skip
        assert name in toolkit.__all__, name
    assert issubclass(toolkit.StaleVersion, toolkit.Conflict) and issubclass(toolkit.NotFound, toolkit.DomainError)
    assert [(c.status) for c in (toolkit.Invalid, toolkit.NotFound, toolkit.Conflict, toolkit.StaleVersion)] == [
        422, 404, 409, 409,
    ]  # fmt: skip


def test_all_is_the_sections_and_every_name_exists_and_is_public():
    in_sections = [name for names in toolkit.SECTIONS.values() for name in names]
    assert sorted(in_sections) == sorted(toolkit.__all__) and len(set(in_sections)) == len(in_sections)
    for name in toolkit.__all__:
        assert hasattr(toolkit, name), name
        assert not name.startswith("_") or name == "__version__", name


def test_core_api_is_an_alias_of_the_toolkit():
    assert api.__all__ == toolkit.__all__
    assert all(getattr(api, name) is getattr(toolkit, name) for name in toolkit.__all__)


@pytest.mark.parametrize(("section", "name", "text"), toolkit_entries(), ids=lambda v: str(v)[:30])
def test_every_name_is_described(section, name, text):
    assert text.strip(), f"{name} ({section}) has no docstring nor note"
    obj = getattr(toolkit, name)
    if name in toolkit.NOTES:  # notes are for constants and instances, whose docstring is their type's
        assert not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj)) or name == "hookimpl"


def test_the_reference_is_generated_from_the_toolkit():
    text = (ROOT / "docs" / "toolkit.md").read_text(encoding="utf-8")
    assert text == render_toolkit(), "docs/toolkit.md is out of date: run `vatra plugins docs`"
    assert "`requires_vatra(specifier: str) -> str`" in text
