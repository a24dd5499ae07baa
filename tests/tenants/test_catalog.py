"""The SIRUTA catalog loads as tenants, idempotently, and names match across spellings."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.cli import load_catalog
from core.db import db
from tenants import catalog, services
from tenants.models import Tenant, TenantKind


def _counts(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.execute(sa.select(Tenant.kind, sa.func.count()).group_by(Tenant.kind)).all()
        slugs = db.session.execute(sa.select(sa.func.count(sa.distinct(Tenant.slug)))).scalar()
        total = db.session.execute(sa.select(sa.func.count()).select_from(Tenant)).scalar()
    return {kind.value: n for kind, n in rows}, slugs, total


def test_cli_loads_42_counties_and_3187_localities_twice_without_duplicates(any_app):
    runner = any_app.test_cli_runner()
    first = runner.invoke(load_catalog, [])
    assert first.exit_code == 0, first.output
    assert "42 județe, 3187 localități: 3229 create" in first.output
    second = runner.invoke(load_catalog, [])
    assert second.exit_code == 0, second.output
    assert "0 create, 0 actualizate" in second.output
    by_kind, distinct_slugs, total = _counts(any_app)
    assert by_kind == {"platform": 1, "county": 42, "locality": 3187}
    assert distinct_slugs == total == 3230


@pytest.fixture
def loaded(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        catalog.load_catalog()
        db.session.commit()
    return app


def test_hierarchy_matches_the_catalog(loaded):
    with loaded.app_context():
        olt = services.get_by_siruta(289)
        covasna = services.get_by_siruta(145)
        assert (olt.kind, olt.display_name) == (TenantKind.COUNTY, "Județul Olt")
        assert len(services.localities_of(olt)) == 112
        assert len(services.localities_of(covasna)) == 45
        ts = services.get_by_siruta(63740)
        assert ts.parent_id == covasna.id
        assert ts.display_name == "Municipiul Târgu Secuiesc"
        assert ts.slug == "targu-secuiesc-cv"
        assert not ts.active


@pytest.mark.parametrize(
    "query", ["Tîrgu Secuiesc", "Targu Secuiesc", "TÂRGU SECUIEŞC", "târgu secuiesc", "Tirgu Secuiesc"]
)
def test_names_match_across_romanian_spellings(loaded, query):
    with loaded.app_context():
        found = services.find_tenants(query)
    assert [t.siruta for t in found] == [63740]


def test_cedilla_and_comma_below_meet(loaded):
    with loaded.app_context():
        comma = {t.siruta for t in services.find_tenants("Județul Timiș")}
        cedilla = {t.siruta for t in services.find_tenants("Judeţul Timiş")}
    assert comma == cedilla and comma


def test_reload_keeps_activation(loaded):
    with loaded.app_context():
        ts = services.get_by_siruta(63740)
        services.activate(ts)
        db.session.commit()
        catalog.load_catalog()
        db.session.commit()
        assert services.get_by_siruta(63740).active


def test_a_malformed_catalog_is_refused_with_its_line(tmp_path, app):
    bad = tmp_path / "bad.csv"
    bad.write_text("SIRUTA;DENLOC;JUD;SIRSUP;TIP;NIV\n10;JUDEȚUL ALBA;1;1;40;1\nxx;X;1;10;3;2\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(load_catalog, ["--file", str(bad)])
    assert result.exit_code != 0
    assert "line 3" in result.output
    assert _counts(app)[2] == 1  # only the platform: nothing half-written
