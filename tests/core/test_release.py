"""requires_vatra: a plugin says which Vatra it needs; another one leaves it out, reported by name."""

from __future__ import annotations

import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

from core import __version__
from core import plugins as plugins_module
from core.plugins import PluginHost
from core.release import VERSION, IncompatibleVatraError, requires_vatra


def test_the_version_is_the_distributions():
    from importlib.metadata import version

    assert VERSION == __version__ == version("vatra")


def test_a_matching_specifier_passes_and_answers_the_version():
    assert requires_vatra(f">={VERSION}") == VERSION
    assert requires_vatra(">=0.1,<1000") == VERSION


@pytest.mark.parametrize("spec", [">=999", f"<{VERSION}", f"!={VERSION}"])
def test_another_version_is_refused_with_both_versions_named(spec):
    with pytest.raises(IncompatibleVatraError, match=f"needs Vatra {spec}, this is Vatra {VERSION}"):
        requires_vatra(spec)


def test_a_malformed_specifier_is_a_programming_error():
    with pytest.raises(ValueError, match="not a version specifier"):
        requires_vatra("version two")


def test_a_plugin_needing_another_vatra_is_reported_by_name_and_the_others_load(monkeypatch, tmp_path):
    package = tmp_path / "vatra_future"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(
        textwrap.dedent(
            """
            from core.toolkit import PluginInfo, hookimpl, requires_vatra

            requires_vatra(">=999")

            @hookimpl
            def vatra_plugin_info():
                return PluginInfo("future", "Din viitor", "1.0")
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = [
        EntryPoint(name="future", value="vatra_future.plugin", group="vatra.plugins"),
        EntryPoint(name="hello", value="vatra_hello.plugin", group="vatra.plugins"),
    ]
    monkeypatch.setattr(plugins_module, "entry_points", lambda group: found)
    host = PluginHost()
    host.load()
    assert list(host.plugins) == ["hello"]
    assert [(f.name, f.error) for f in host.failed] == [
        ("future", f"IncompatibleVatraError: needs Vatra >=999, this is Vatra {VERSION}")
    ]
    sys.modules.pop("vatra_future.plugin", None)
    sys.modules.pop("vatra_future", None)
