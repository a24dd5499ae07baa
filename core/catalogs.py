"""The message catalogs: the core's (``core/translations``) and one per plugin (``<package>/translations``).

``vatra i18n extract|update|compile [--plugin NAME | --all]`` runs Babel's
extraction, catalog update and compilation over one catalog at a time: the
core's code and templates (``core/``, ``tenants/``) for the core, and a
plugin's package (its Python code and ``templates/``) for a plugin. The msgids
are Romanian (the pages' language); ``hu`` and ``en`` are translated in the
``.po`` files, and the compiled ``.mo`` files are committed next to them
(tests/i18n fails on a missing or stale translation).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import with_appcontext

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("hu", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
CORE_METHODS = [
    ("core/**.py", "python"),
    ("tenants/**.py", "python"),
    ("core/templates/**.html", "jinja2"),
    ("core/templates/**.txt", "jinja2"),
]
PLUGIN_METHODS = [
    ("migrations/**", "ignore"),
    ("tests/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
]


@dataclass(frozen=True)
class CatalogSpec:
    """Where one catalog's strings come from and where its translations live."""

    name: str
    root: Path
    methods: list[tuple[str, str]]

    @property
    def translations(self) -> Path:
        return self.root / "core" / "translations" if self.name == "core" else self.root / "translations"

    def po(self, lang: str) -> Path:
        return self.translations / lang / "LC_MESSAGES" / "messages.po"

    def mo(self, lang: str) -> Path:
        return self.translations / lang / "LC_MESSAGES" / "messages.mo"


def core_spec() -> CatalogSpec:
    """The core's catalog (``core/`` and ``tenants/``)."""
    return CatalogSpec("core", ROOT, CORE_METHODS)


def plugin_spec(name: str, package_folder: Path) -> CatalogSpec:
    """A plugin's catalog: the Python code and templates of its package."""
    return CatalogSpec(name, package_folder, PLUGIN_METHODS)


def extracted(spec: CatalogSpec) -> dict[str, list[str]]:
    """``{msgid: ["file:line", ...]}`` of every translatable string of the catalog's code and templates."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(spec.root), spec.methods, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def template(spec: CatalogSpec) -> Catalog:
    """The extracted strings as a catalog template (``messages.pot``)."""
    catalog = Catalog(project="vatra", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(spec.root), spec.methods, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def extract(spec: CatalogSpec) -> Path:
    """Write the catalog's ``messages.pot``."""
    path = spec.translations / "messages.pot"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, template(spec), omit_header=True, no_location=True, sort_output=True)
    return path


def update(spec: CatalogSpec, languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
    """Bring each language's ``.po`` in line with the code: new strings added (empty), gone ones dropped."""
    pot = template(spec)
    extract(spec)
    written = []
    for lang in languages:
        path = spec.po(lang)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="vatra", fuzzy=False)
        catalog.update(pot, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, no_location=True, sort_output=True, ignore_obsolete=True, width=120)
        written.append(path)
    return written


def compile_catalogs(spec: CatalogSpec, languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
    """Compile each language's ``.po`` into the ``.mo`` Flask-Babel reads (fuzzy entries left out)."""
    written = []
    for lang in languages:
        with spec.po(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        with spec.mo(lang).open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(spec.mo(lang))
    return written


# -- vatra i18n ----------------------------------------------------------------------------------------


def _specs(plugins: tuple[str, ...], every: bool) -> list[CatalogSpec]:
    from core.migrations import installed_plugins

    installed = installed_plugins()
    unknown = sorted(set(plugins) - set(installed))
    if unknown:
        raise click.ClickException(f"plugin(s) not installed: {', '.join(unknown)}")
    # --all: the plugins that have a catalog already (--plugin NAME starts one)
    names = sorted(n for n in installed if (installed[n] / "translations").is_dir()) if every else list(plugins)
    specs = [plugin_spec(n, installed[n]) for n in names]
    return [core_spec(), *specs] if every or not plugins else specs


@click.group("i18n")
def i18n_cli() -> None:
    """Message catalogs: the core's and one per plugin (extract, update, compile)."""


_plugin_option = click.option("--plugin", "plugins", multiple=True, help="a plugin's catalog (repeatable)")
_all_option = click.option("--all", "every", is_flag=True, help="the core's and every installed plugin's")


@i18n_cli.command("extract")
@_plugin_option
@_all_option
@with_appcontext
def extract_command(plugins: tuple[str, ...], every: bool) -> None:
    """Write messages.pot of the core (default) or of plugins."""
    for spec in _specs(plugins, every):
        click.echo(f"{spec.name}: {extract(spec)}")


@i18n_cli.command("update")
@_plugin_option
@_all_option
@with_appcontext
def update_command(plugins: tuple[str, ...], every: bool) -> None:
    """Extract, then add new strings to (and drop gone ones from) the hu and en .po files."""
    for spec in _specs(plugins, every):
        for path in update(spec):
            click.echo(f"{spec.name}: {path}")


@i18n_cli.command("compile")
@_plugin_option
@_all_option
@with_appcontext
def compile_command(plugins: tuple[str, ...], every: bool) -> None:
    """Compile the .po files into the .mo files the pages read."""
    for spec in _specs(plugins, every):
        for path in compile_catalogs(spec):
            click.echo(f"{spec.name}: {path}")
