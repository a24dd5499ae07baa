"""Every string of the pages exists in Hungarian and English, in the catalog that owns it.

The core's strings (``core/``, ``tenants/``) are in ``core/translations``; each
built-in plugin's are in ``plugins/<name>/translations`` (its own gettext
domain). For every catalog the test runs Babel's extractor over exactly that
catalog's code and templates (:mod:`core.catalogs`, what ``vatra i18n update``
runs) and fails on a msgid missing there, left empty or marked fuzzy, on a
translation that drops or adds a ``%(name)s`` placeholder, and on a compiled
``.mo`` that differs from its ``.po``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from core import catalogs
from core.app import create_app

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = catalogs.LANGUAGES
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")
PLUGINS = ("prevention_plan", "pin_project", "county_overview")
SPECS = {"core": catalogs.core_spec()} | {
    name: catalogs.plugin_spec(name, ROOT / "plugins" / name) for name in PLUGINS
}

_cache: dict[str, dict[str, list[str]]] = {}


def _extracted(name: str) -> dict[str, list[str]]:
    if name not in _cache:
        _cache[name] = catalogs.extracted(SPECS[name])
    return _cache[name]


def test_extraction_covers_the_core_and_every_plugin_each_in_its_own_catalog() -> None:
    core = _extracted("core")
    places = {p.split("/")[0] + "/" + p.split("/")[1] for places in core.values() for p in places}
    assert {"core/templates", "core/web"} <= places
    assert not any(p.startswith("plugins/") for places in core.values() for p in places)
    assert "Plan de prevenire" in _extracted("prevention_plan")  # a navigation label marked with N_()
    assert "Plan de prevenire" not in core
    for name in PLUGINS:
        found = _extracted(name)
        assert len(found) > 50, f"nothing much extracted from plugins/{name}"
        assert any("templates/" in p for places in found.values() for p in places), name
    assert len(core) > 200


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(SPECS))
def test_every_string_is_translated(name: str, lang: str) -> None:
    with SPECS[name].po(lang).open("rb") as fh:
        catalog = read_po(fh)
    problems = []
    for msgid, places in sorted(_extracted(name).items()):
        message = catalog.get(msgid)
        where = places[0]
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        elif not message.string:
            problems.append(f"empty: {msgid!r} ({where})")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {msgid!r} -> {message.string!r}")
    assert not problems, (
        f"{len(problems)} untranslated {lang} strings of {name} (vatra i18n update --plugin NAME, "
        "translate, vatra i18n compile):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(SPECS))
def test_compiled_catalog_matches_the_po(name: str, lang: str) -> None:
    with SPECS[name].po(lang).open("rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    with SPECS[name].mo(lang).open("rb") as fh:
        mo = {m.id: m.string for m in read_mo(fh) if m.id}
    stale = sorted(str(k) for k, v in po.items() if mo.get(k) != v)
    assert not stale, f"messages.mo of {name}/{lang} is stale (run vatra i18n compile): {stale[:5]}"


DOMAIN_PLUGIN = """
from flask import Blueprint, render_template_string

from core.toolkit import N_, NavItem, Permission, PluginInfo, Role, hookimpl, require, translation_domain

_t = translation_domain(__name__)
pages = Blueprint("vorbe", __name__, url_prefix="/vorbe")


@pages.get("/")
@require("vorbe.view")
def index():
    return render_template_string(
        '{% extends "base.html" %}{% block content %}<p id="own">{{ _("Vorbă de modul") }}</p>'
        '<p id="py">' + _t.gettext("Vorbă din cod") + '</p>{% endblock %}'
    )


@hookimpl
def vatra_plugin_info():
    return PluginInfo(name="vorbe", label="Vorbe", version="1.0", description="", default_kinds=frozenset({"locality"}))


@hookimpl
def vatra_permissions():
    return [Permission("vorbe.view", "Vede vorbele", frozenset(Role))]


@hookimpl
def vatra_blueprints():
    return [pages]


@hookimpl
def vatra_navigation(tenant, user):
    return [NavItem(N_("Vorbe de meniu"), "vorbe.index", "vorbe.view", order=950)]
"""


@pytest.fixture
def domain_plugin(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """An in-process plugin whose catalog translates its words, and "Ieșire" otherwise than the core."""
    import importlib
    import sys

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    package = tmp_path / "vatra_vorbe"
    (package / "translations" / "hu" / "LC_MESSAGES").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(DOMAIN_PLUGIN)
    catalog = Catalog(locale="hu")
    for msgid, text in {"Vorbă de modul": "Modul szava", "Vorbă din cod": "Kód szava",
                        "Vorbe de meniu": "Menü szavai", "Ieșire": "KILÉPŐ-MODUL"}.items():
        catalog.add(msgid, text)
    with (package / "translations" / "hu" / "LC_MESSAGES" / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("vatra_vorbe.plugin")
    yield module
    for name in [n for n in sys.modules if n.startswith("vatra_vorbe")]:
        del sys.modules[name]


def test_a_plugin_page_speaks_through_its_own_domain(domain_plugin, tmp_path) -> None:
    """The plugin's templates and code read its catalog; the core's pages keep the core's words first."""
    from core.testing import login
    from tenants.models import TenantKind

    app = create_app({"TESTING": True, "SECRET_KEY": "i18n", "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"},
                     plugins=[domain_plugin])
    from core.db import db

    with app.app_context():
        db.create_all()
        from tenants.models import Tenant

        tenant = Tenant(slug="vorbe-test", kind=TenantKind.LOCALITY, active=True)
        tenant.set_names("COMUNA VORBE", "Comuna Vorbe")
        db.session.add(tenant)
        db.session.commit()
        tenant_id = tenant.id
    with app.app_context():
        from core.auth.models import Membership, Role, User
        from core.auth.passwords import hash_password

        user = User(email="vorbe@example.ro", name="Vorbe", password_hash=hash_password("parola-lunga-1"), locale="hu")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, tenant_id=tenant_id, role=Role.SOCIAL_WORKER))
        db.session.commit()
        client = login(app.test_client(), user)
    own = client.get("/t/vorbe-test/vorbe/").get_data(as_text=True)
    assert "Modul szava" in own and "Kód szava" in own  # template and code through the plugin's domain
    assert "KILÉPŐ-MODUL" in own  # on its own pages the plugin's catalog comes first
    home = client.get("/t/vorbe-test/").get_data(as_text=True)
    assert "Kijelentkezés" in home and "KILÉPŐ-MODUL" not in home  # the core's pages: the core's catalog first
    assert "Menü szavai" in home  # a label the plugin declared, translated where the core shows it


def test_update_adds_new_strings_empty_drops_gone_ones_and_compile_writes_what_the_pages_read(tmp_path) -> None:
    from babel.messages.mofile import read_mo

    package = tmp_path / "vatra_nou"
    (package / "templates" / "nou").mkdir(parents=True)
    (package / "plugin.py").write_text('_t = None\nLABEL = _t.N_("Eticheta nouă")\n', encoding="utf-8")
    (package / "templates" / "nou" / "index.html").write_text('{{ _("Pagina nouă") }}', encoding="utf-8")
    spec = catalogs.plugin_spec("nou", package)
    catalogs.update(spec)
    with spec.po("hu").open("rb") as fh:
        po = read_po(fh)
    assert {m.id: m.string for m in po if m.id} == {"Eticheta nouă": "", "Pagina nouă": ""}
    po["Pagina nouă"].string = "Új oldal"
    with spec.po("hu").open("wb") as fh:
        catalogs.write_po(fh, po)
    (package / "templates" / "nou" / "index.html").write_text('{{ _("Pagina nouă") }}', encoding="utf-8")
    (package / "plugin.py").write_text("", encoding="utf-8")  # the label is gone from the code
    catalogs.update(spec)
    catalogs.compile_catalogs(spec)
    with spec.po("hu").open("rb") as fh:
        assert {m.id: m.string for m in read_po(fh) if m.id} == {"Pagina nouă": "Új oldal"}
    with spec.mo("hu").open("rb") as fh:
        assert read_mo(fh).get("Pagina nouă").string == "Új oldal"


def test_translation_domain_of_a_plugin_module_reads_its_catalog(app) -> None:
    from flask_babel import force_locale

    from core.toolkit import translation_domain

    domain = translation_domain("plugins.pin_project.services")
    assert domain.folder == ROOT / "plugins" / "pin_project" / "translations"
    with SPECS["pin_project"].po("en").open("rb") as fh:
        first = next(m for m in read_po(fh) if m.id and m.string and isinstance(m.id, str) and "%" not in m.id)
    with app.test_request_context("/"), force_locale("en"):
        assert domain.gettext(first.id) == first.string
        assert str(domain.lazy_gettext(first.id)) == first.string
    with pytest.raises(LookupError):
        translation_domain("json.decoder")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ro", "Autentificare"), ("hu", "Bejelentkezés"), ("en", "Sign in")],
)
def test_pages_speak_the_chosen_language(tmp_path: Path, lang: str, expected: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "i18n", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    html = app.test_client().get(f"/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert expected in html


def test_money_dates_and_months_follow_the_language(tmp_path: Path) -> None:
    import datetime as dt
    from decimal import Decimal

    from flask_babel import force_locale

    from core.i18n import format_day, format_money, month_name, translate
    from core.text import N_

    app = create_app({"TESTING": True, "SECRET_KEY": "i18n", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    refusal = N_(
        "Depășește suma rămasă pe linia „%(line)s” (rămas %(remaining)s lei)",
        line="Salarii",
        remaining=Decimal("1234.5"),
    )
    assert refusal == "Depășește suma rămasă pe linia „Salarii” (rămas 1.234,50 lei)"  # the Romanian text itself
    with app.test_request_context("/"):
        with force_locale("ro"):
            assert format_money(Decimal("1234.56")) == "1.234,56 lei"
            assert format_day(dt.date(2009, 11, 15)) == "15.11.2009"
            assert month_name(3) == "martie"
        with force_locale("hu"):
            assert format_money(Decimal("1234.56")) == "1\xa0234,56 lej"
            assert month_name(3) == "március"
            assert "Meghaladja" in translate(refusal) and "1\xa0234,50 lej" in translate(refusal)
        with force_locale("en"):
            assert format_money(Decimal("1234.56")) == "1,234.56 lei"
            assert format_day(dt.date(2009, 11, 15)) == "15 Nov 2009"
            assert translate(refusal) == "Exceeds what is left on the line “Salarii” (1,234.50 lei left)"


def test_cached_formatting_keeps_languages_and_zeros_apart(tmp_path: Path) -> None:
    from decimal import Decimal

    from flask import render_template_string
    from flask_babel import force_locale

    from core.i18n import format_number

    app = create_app({"TESTING": True, "SECRET_KEY": "i18n", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    with app.test_request_context("/"):
        for _ in range(2):  # the second round reads the cache
            with force_locale("ro"):
                assert format_number(Decimal("1234.5")) == "1.234,5"
                assert format_number(Decimal("-0")) == "0" and format_number(Decimal("0.0000")) == "0"
                assert render_template_string("{{ 12345|numberformat }} {{ 2.5|decimalformat('#,##0.##') }}") == (
                    "12.345 2,5")
            with force_locale("en"):
                assert format_number(Decimal("1234.5")) == "1,234.5"
                assert render_template_string("{{ 12345|numberformat }}") == "12,345"
