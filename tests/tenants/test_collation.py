"""Romanian and Hungarian order: the Python key and PostgreSQL's ICU collations agree on the whole catalog."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.db import db
from tenants import catalog, services
from tenants.collation import COLLATIONS, name_key, name_order, sort_key, sort_name, sort_name_sql, sorted_by_name
from tenants.models import Tenant, TenantKind


@pytest.mark.parametrize(
    ("first", "then"),
    # the examples of the wrong order (ă, â sorted after z), the right way round
    [("Călărași", "Covasna"), ("Dâmbovița", "Dolj"), ("Sălaj", "Suceava"), ("Vâlcea", "Vrancea"),
     ("Călărași", "Câmpina"), ("Iași", "Ilfov"), ("Ilfov", "Însurăței"), ("Sibiu", "Ștefănești"),
     ("Tulcea", "Țăndărei"), ("Zalău", "Zărnești")],
)
def test_romanian_letters_sort_right_after_their_base_letter(first, then):
    assert sort_key(first, "ro") < sort_key(then, "ro")


def test_hungarian_digraphs_and_umlauts_are_letters_of_their_own():
    words = ["Zsögöd", "Csíkszereda", "Cegléd", "Ózd", "Ötvös", "Szentes", "Sopron", "Uzon", "Ürmös", "Gyula",
             "Gödöllő"]
    assert sorted(words, key=lambda w: sort_key(w, "hu")) == [
        "Cegléd", "Csíkszereda", "Gödöllő", "Gyula", "Ózd", "Ötvös", "Sopron", "Szentes", "Uzon", "Ürmös", "Zsögöd",
    ]


def test_unit_prefixes_are_not_part_of_the_name():
    assert sort_name("Municipiul Slatina") == "Slatina"
    assert sort_name("Oraș Balș") == "Balș"
    assert sort_name("Comuna Bobicești") == "Bobicești"
    assert sort_name("Județul Olt") == "Olt"
    assert sort_name("Valea Mare") == "Valea Mare"
    names = ["Municipiul Slatina", "Oraș Balș", "Bobicești", "Oraș Scornicești", "Municipiul Caracal"]
    assert sorted_by_name(names, str) == [
        "Oraș Balș", "Bobicești", "Municipiul Caracal", "Oraș Scornicești", "Municipiul Slatina"]


@pytest.fixture
def catalog_pg(pg_app):  # type: ignore[no-untyped-def]
    with pg_app.app_context():
        catalog.load_catalog()
        db.session.commit()
    return pg_app


@pytest.mark.parametrize("lang", sorted(COLLATIONS))
def test_python_and_postgresql_order_agree_over_the_whole_siruta_catalog(catalog_pg, lang):
    with catalog_pg.app_context():
        in_sql = db.session.execute(
            sa.select(Tenant.display_name).where(Tenant.kind != TenantKind.PLATFORM)
            .order_by(name_order(Tenant.display_name, lang))
        ).scalars().all()
        stripped = db.session.execute(
            sa.select(sort_name_sql(Tenant.display_name)).where(Tenant.kind != TenantKind.PLATFORM)
        ).scalars().all()
    assert len(in_sql) == 3229
    keys = [name_key(n, lang) for n in in_sql]
    wrong = [(a, b) for a, b, ka, kb in zip(in_sql, in_sql[1:], keys, keys[1:], strict=False) if ka > kb]
    assert wrong == []
    assert sorted(stripped) == sorted(sort_name(n) for n in in_sql)  # the SQL prefix cut is the Python one


def test_sqlite_gets_the_same_collations(app):
    with app.app_context():
        catalog.load_catalog()
        db.session.commit()
        olt = services.get_by_siruta(289)
        names = [t.display_name for t in services.localities_of(olt)]
        counties = db.session.execute(
            sa.select(Tenant.display_name).where(Tenant.kind == TenantKind.COUNTY)
            .order_by(name_order(Tenant.display_name, "ro"))
        ).scalars().all()
    assert names == sorted_by_name(names, str)
    assert counties.index("Județul Călărași") < counties.index("Județul Covasna")
    assert counties.index("Județul Vâlcea") < counties.index("Județul Vrancea")


def test_a_countys_localities_come_in_romanian_order_without_prefixes(catalog_pg):
    with catalog_pg.app_context():
        olt = services.get_by_siruta(289)
        names = [t.display_name for t in services.localities_of(olt)]
    assert len(names) == 112
    assert names == sorted_by_name(names, str)
    # Slatina is filed under S (after Scărișoara), not under M with the other municipalities
    assert names.index("Scărișoara") < names.index("Municipiul Slatina") < names.index("Slătioara")


def test_the_operators_tenant_lists_are_in_romanian_order(app, make_tenant):
    from core.web.tenant_search import TenantFilter, counties, tenant_select

    for name in ("JUDEȚUL VRANCEA", "JUDEȚUL VÂLCEA", "JUDEȚUL COVASNA", "JUDEȚUL CĂLĂRAȘI"):
        county = make_tenant("county", name=name)
    for name in ("MUNICIPIUL SLATINA", "COMUNA SCĂRIȘOARA", "ORAȘ BALȘ"):
        make_tenant("locality", parent=county, name=name)
    with app.app_context():
        listed = [t.display_name for t in counties()]
        localities = [t.display_name for t in db.session.execute(
            tenant_select(TenantFilter(county_id=county.id, kind="locality"))).scalars()]
    assert listed == ["Județul Călărași", "Județul Covasna", "Județul Vâlcea", "Județul Vrancea"]
    assert localities == ["Oraș Balș", "Comuna Scărișoara", "Municipiul Slatina"]
