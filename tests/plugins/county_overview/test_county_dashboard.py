"""The county page as a dashboard: pages of rows, filters on every section, the county's own targets,
the national page for coordinators, the printable summary."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from county_fakes import CountySource, add_council, make_county

from core import aggregation
from core.audit import AuditEntry
from core.auth.models import Role
from core.contrib import Period
from core.db import db
from core.tenancy import system_context
from core.testing import csrf_token
from plugins.county_overview.models import CountyTarget

SOURCE = CountySource()
pytestmark = [pytest.mark.config(VATRA_PLUGINS=["county_overview"]), pytest.mark.plugins(SOURCE)]


@pytest.fixture(autouse=True)
def _fresh_source():
    SOURCE.reset()
    yield
    SOURCE.reset()


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]+)</a>', body)


def _compliance(html: str) -> list[str]:
    if 'class="compliance-list"' not in html:
        return []
    listed = html.split('class="compliance-list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="[^"]*">([^<]+)</a>', listed)


def _targets(app, county) -> dict[str, int]:
    with app.app_context(), system_context():
        rows = db.session.execute(sa.select(CountyTarget).where(CountyTarget.tenant_id == county.id)).scalars()
        return {t.key: t.target for t in rows}


def test_the_table_comes_a_page_at_a_time_with_25_50_100_or_all(app, make_tenant, make_user, login):
    county, _locs = make_county(make_tenant, 60)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    base = f"/t/{county.slug}/county/?year=2026"

    first = client.get(base).get_data(as_text=True)
    assert len(_rows(first)) == 50 and "1–50 din 60" in first
    second = client.get(base + "&page=2").get_data(as_text=True)
    assert len(_rows(second)) == 10 and set(_rows(first)).isdisjoint(_rows(second))
    assert len(_rows(client.get(base + "&per=25&page=3").get_data(as_text=True))) == 10
    assert len(_rows(client.get(base + "&per=all").get_data(as_text=True))) == 60
    assert _rows(client.get(base + "&page=99").get_data(as_text=True)) == _rows(second)  # past the end: the last
    assert len(_rows(client.get(base + "&per=7").get_data(as_text=True))) == 50  # not a choice: the default
    # the totals are of every row the filter chose, not of the page
    assert "Total (60 localități)" in first


def test_filters_choose_the_rows_of_every_section(app, make_tenant, make_user, login):
    county = make_tenant("county")
    names = ["COMUNA ARINI", "COMUNA BREBENI", "COMUNA CORBU", "MUNICIPIUL CARACAL"]
    arini, brebeni, corbu, caracal = (make_tenant("locality", parent=county, name=n) for n in names)
    SOURCE.status = {brebeni.id: {"plan_status": "endorsed", "plan_endorsed_on": dt.date(2026, 1, 10)}}
    SOURCE.values = {arini.id: {"persons_trained": Decimal(4)}, corbu.id: {"persons_trained": Decimal(9)}}
    add_council(app, corbu, members=3, trained=3, trained_on=dt.date(2026, 2, 1))
    add_council(app, caracal, members=2)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    base = f"/t/{county.slug}/county/?year=2026&by=2026-06-30"

    everything = client.get(base).get_data(as_text=True)
    assert _compliance(everything) == ["Comuna Arini", "Municipiul Caracal", "Comuna Corbu"]  # one list, by name
    assert "Filtru aplicat" not in everything

    html = client.get(base + "&council=set&chart=ind:persons_trained").get_data(as_text=True)
    assert _rows(html) == ["Municipiul Caracal", "Comuna Corbu"]
    assert _compliance(html) == ["Municipiul Caracal", "Comuna Corbu"]  # the no-plan list follows the filter
    assert "Filtru aplicat" in html and "2 din cele 4 localități" in html
    assert "Total (2 localități)" in html
    figures = html.split('class="facts key-figures"', 1)[1].split("</dl>", 1)[0]
    assert re.search(r"Localități</dt><dd>2 <span class=\"muted\">/ 4", figures)
    assert "Consilii comunitare consultative înființate: 2" in html  # the councils chart's text alternative
    # the ranked chart: the filtered page's localities, largest first, only those with a value
    assert "Comuna Corbu: 9" in html and "Comuna Arini: 4" not in html

    trained = client.get(base + "&council=trained&q=corb").get_data(as_text=True)
    assert _rows(trained) == ["Comuna Corbu"] and _compliance(trained) == ["Comuna Corbu"]
    none = client.get(base + "&council=none").get_data(as_text=True)
    assert _rows(none) == ["Comuna Arini", "Comuna Brebeni"] and _compliance(none) == ["Comuna Arini"]


def test_a_chart_without_any_value_is_an_empty_state_in_words(app, make_tenant, make_user, login):
    county, _locs = make_county(make_tenant, 3)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))

    html = client.get(f"/t/{county.slug}/county/?year=2026&chart=ind:persons_trained").get_data(as_text=True)

    assert "nu este nimic de desenat" in html
    assert html.count("<svg") == 3  # the three dashboard charts; no chart of dashes
    assert "—</text>" not in html


def test_sorting_by_any_column_keeps_romanian_order_as_the_tie_breaker(app, make_tenant, make_user, login):
    county = make_tenant("county")
    for name in ("COMUNA ȘTEFAN CEL MARE", "COMUNA SPINENI", "ORAȘ SCORNICEȘTI", "COMUNA SLĂTIOARA",
                 "MUNICIPIUL SLATINA"):
        make_tenant("locality", parent=county, name=name)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    base = f"/t/{county.slug}/county/?year=2026"

    by_name = ["Oraș Scornicești", "Municipiul Slatina", "Comuna Slătioara", "Comuna Spineni",
               "Comuna Ștefan Cel Mare"]
    assert _rows(client.get(base).get_data(as_text=True)) == by_name
    assert _rows(client.get(base + "&sort=-name").get_data(as_text=True)) == by_name[::-1]
    for key in ("status", "endorsed_on", "council", "members", "trained", "last_meeting", "projects"):
        assert _rows(client.get(base + f"&sort={key}").get_data(as_text=True)) == by_name, key


def test_the_table_sorts_in_the_readers_alphabet(app, make_tenant, make_user, login):
    county = make_tenant("county")
    for name in ("COMUNA BĂBICIU", "COMUNA BALDOVINEȘTI", "COMUNA CSEHI", "COMUNA CORBU"):
        make_tenant("locality", parent=county, name=name)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    base = f"/t/{county.slug}/county/?year=2026"

    # Romanian: ă is a letter after a; Hungarian: ă only breaks ties, and "cs" is a letter after c
    assert _rows(client.get(base + "&lang=ro").get_data(as_text=True)) == [
        "Comuna Baldovinești", "Comuna Băbiciu", "Comuna Corbu", "Comuna Csehi"]
    assert _rows(client.get(base + "&lang=hu").get_data(as_text=True)) == [
        "Comuna Băbiciu", "Comuna Baldovinești", "Comuna Corbu", "Comuna Csehi"]


def test_targets_start_empty_and_the_coordinator_sets_them(app, make_tenant, make_user, login):
    county, _locs = make_county(make_tenant, 2)
    coordinator = make_user(county, Role.COUNTY_COORDINATOR)
    client = login(app.test_client(), coordinator)

    page = client.get(f"/t/{county.slug}/county/?year=2026").get_data(as_text=True)
    assert "Județul nu și-a stabilit încă ținte" in page
    figures = page.split('class="facts key-figures"', 1)[1].split("</dl>", 1)[0]
    assert "/ " not in figures and "(fără țintă)" in page  # no target a county did not set
    councils = client.get(f"/t/{county.slug}/county/councils").get_data(as_text=True)
    assert "fără țintă stabilită" in councils

    form = client.get(f"/t/{county.slug}/county/targets").get_data(as_text=True)
    assert 'name="target-councils"' in form and 'name="target-ind:persons_trained"' in form
    response = client.post(f"/t/{county.slug}/county/targets", data={
        "csrf_token": csrf_token(client), "target-councils": "12", "target-councils_trained": "",
        "target-members_trained": "1.000", "target-ind:persons_trained": " 75 ", "source": "Strategia județeană",
    })
    assert response.status_code == 302
    assert _targets(app, county) == {"councils": 12, "members_trained": 1000, "ind:persons_trained": 75}
    page = client.get(f"/t/{county.slug}/county/?year=2026").get_data(as_text=True)
    assert "/ 12" in page and "0 / 75 (0%)" in page

    # clearing a field removes the target; every change is in the audit log with before and after
    client.post(f"/t/{county.slug}/county/targets", data={
        "csrf_token": csrf_token(client), "target-councils": "15", "target-members_trained": "",
        "target-ind:persons_trained": "75"})
    assert _targets(app, county) == {"councils": 15, "ind:persons_trained": 75}
    with app.app_context(), system_context():
        entries = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.tenant_id == county.id, AuditEntry.entity == "county_target")
            .order_by(AuditEntry.seq)
        ).scalars().all()
    assert [e.action for e in entries] == ["insert", "insert", "insert", "update", "delete"]
    assert all(e.actor_user_id == coordinator.id for e in entries)
    assert json.loads(entries[3].changes)["target"] == [12, 15]


def test_a_bad_target_is_refused_with_the_field_and_the_reason_and_nothing_is_written(
        app, make_tenant, make_user, login):
    county, _locs = make_county(make_tenant, 1)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))

    for bad, reason in (("douăzeci", "număr întreg"), ("2,5", "număr întreg"), ("-3", "între 0 și"),
                        ("5000000", "între 0 și")):
        response = client.post(f"/t/{county.slug}/county/targets", data={
            "csrf_token": csrf_token(client), "target-councils": "20", "target-members_trained": bad})
        assert response.status_code == 422, bad
        html = response.get_data(as_text=True)
        field = html.split('id="target-members_trained"', 1)[0].rsplit('class="field', 1)[1]
        assert "field-error" in field and reason in field, bad
        assert f'value="{bad}"' in html  # what was typed is shown back to be corrected
        assert _targets(app, county) == {}  # not even the good field


def test_targets_need_the_coordinator_and_a_csrf_token(app, make_tenant, make_user, login):
    county, _locs = make_county(make_tenant, 1)
    other_county, _ = make_county(make_tenant, 1)
    admin = login(app.test_client(), make_user(county, Role.TENANT_ADMIN))
    assert admin.get(f"/t/{county.slug}/county/targets").status_code == 403
    assert admin.post(f"/t/{county.slug}/county/targets",
                      data={"csrf_token": csrf_token(admin), "target-councils": "3"}).status_code == 403
    coordinator = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    assert coordinator.post(f"/t/{county.slug}/county/targets", data={"target-councils": "3"}).status_code in {400, 403}
    assert coordinator.get(f"/t/{other_county.slug}/county/targets").status_code == 404
    assert _targets(app, county) == {}


def test_a_coordinator_reads_the_national_page_suppressed_with_a_link_to_the_own_county(
        app, make_tenant, make_user, login):
    from tenants.catalog import PLATFORM_SLUG

    county, (a, b) = make_county(make_tenant, 2, name="JUDEȚUL VÂLCEA")
    _other, (c,) = make_county(make_tenant, 1, name="JUDEȚUL VRANCEA")
    _third, (_d,) = make_county(make_tenant, 1, name="JUDEȚUL COVASNA")
    SOURCE.values = {a.id: {"children_identified": Decimal(3)}, b.id: {"children_identified": Decimal(40)},
                     c.id: {"children_identified": Decimal(2)}}
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    with app.app_context(), system_context():  # figures leave a county only from the day's national refresh
        aggregation.refresh_country(Period(2026))
        db.session.commit()

    response = client.get(f"/t/{county.slug}/county/country?year=2026")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    names = re.findall(r"Județul \w+", body)
    assert names.index("Județul Covasna") < names.index("Județul Vâlcea") < names.index("Județul Vrancea")
    own = body.split('class="own-county"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/t/{county.slug}/county/?year=2026"' in own and "Județul Vâlcea" in own
    vrancea = body.split("Județul Vrancea", 1)[1].split("</tr>", 1)[0]
    assert "&lt;5" in vrancea and ">2<" not in vrancea  # the same suppression as the platform's page
    assert "Recalculează" not in html and "Export Excel" not in html  # reading only
    assert client.get(f"/t/{county.slug}/county/national").status_code == 403  # the platform's page stays its own
    assert client.get(f"/t/{PLATFORM_SLUG}/county/national").status_code == 404


def test_open_data_leaves_the_county_without_filters_and_with_a_header_safe_file_name(
        app, make_tenant, make_user, login):
    county, locs = make_county(make_tenant, 3, name="JUDEȚUL DÂMBOVIȚA")
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))

    response = client.get(f"/t/{county.slug}/county/open-data.csv?year=2026&q={locs[0].display_name}&status=none")

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert all(t.display_name in text for t in locs)  # the filter did not choose the rows of the open data
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")  # a real server refuses a header it cannot encode (the download broke)
    assert "filename*=UTF-8''" in disposition


def test_the_printable_summary_holds_the_figures_and_the_print_date(app, make_tenant, make_user, login):
    county, locs = make_county(make_tenant, 3)
    SOURCE.status = {locs[0].id: {"plan_status": "endorsed", "plan_endorsed_on": dt.date(2026, 1, 5)}}
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))

    html = client.get(f"/t/{county.slug}/county/summary?year=2026").get_data(as_text=True)

    assert "Tipărit la" in html and html.count("<svg") == 3
    assert "Fără plan avizat până la" in html and "2 din 3 localități" in html
    assert "<table" not in html  # one page: no table of every locality
