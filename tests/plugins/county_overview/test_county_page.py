"""The county page: every locality, its plan, council and indicators; sorting, filters, totals, charts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from county_fakes import CountySource, add_council, make_county

from core.auth.models import Role

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


def test_county_page_lists_every_locality_with_plan_council_and_totals(app, make_tenant, make_user, login):
    county, locs = make_county(make_tenant, 4, inactive=1)
    a, b, c, _d = locs
    SOURCE.status = {
        a.id: {"plan_status": "endorsed", "plan_endorsed_on": dt.date(2026, 2, 10)},
        b.id: {"plan_status": "draft"},
    }
    SOURCE.values = {a.id: {"children_identified": Decimal(3), "persons_trained": Decimal(12)},
                     c.id: {"persons_trained": Decimal(5)}}
    add_council(app, a, members=4, trained=2, meetings=(dt.date(2026, 1, 15), dt.date(2026, 3, 2)),
                trained_on=dt.date(2025, 6, 1))
    add_council(app, b, members=2)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))

    response = client.get(f"/t/{county.slug}/county/?year=2026")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert sorted(_rows(html)) == sorted(t.display_name for t in locs)
    assert "inactivă" in html
    assert "avizat de consiliu" in html and "în lucru" in html and "fără plan" in html
    totals = html.split('<tr class="totals">', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", totals)
    # councils, members, trained, then the indicator columns: children 3, trained 12 + 5
    assert cells[2:5] == ["2", "6", "2"]
    assert "17" in cells and "3" in cells
    assert "Cifre calculate acum" in html  # no snapshot yet: live, and the page says so
    assert SOURCE.scopes and all(s.write_tenant_id is None for s in SOURCE.scopes)
    assert set(SOURCE.scopes[0].read_tenant_ids) == {t.id for t in locs} | {county.id}


def test_sorting_and_filtering_are_done_by_the_server(app, make_tenant, make_user, login):
    county = make_tenant("county")
    names = ["COMUNA ZĂVOI", "MUNICIPIUL TÂRGU SECUIESC", "COMUNA ARINI"]
    locs = [make_tenant("locality", parent=county, name=n) for n in names]
    SOURCE.values = {locs[0].id: {"persons_trained": Decimal(1)}, locs[1].id: {"persons_trained": Decimal(30)},
                     locs[2].id: {"persons_trained": Decimal(7)}}
    SOURCE.status = {locs[1].id: {"plan_status": "approved", "plan_endorsed_on": dt.date(2026, 1, 5)}}
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    base = f"/t/{county.slug}/county/?year=2026"

    # by name without the unit prefix, in Romanian order: Arini, Târgu Secuiesc, Zăvoi
    assert _rows(client.get(base).get_data(as_text=True)) == ["Comuna Arini", "Municipiul Târgu Secuiesc",
                                                             "Comuna Zăvoi"]
    by_trained = _rows(client.get(base + "&sort=-ind:persons_trained").get_data(as_text=True))
    assert by_trained == ["Municipiul Târgu Secuiesc", "Comuna Arini", "Comuna Zăvoi"]
    assert _rows(client.get(base + "&q=Tirgu").get_data(as_text=True)) == ["Municipiul Târgu Secuiesc"]
    assert _rows(client.get(base + "&q=t%C3%AErgu+secuiesc").get_data(as_text=True)) == ["Municipiul Târgu Secuiesc"]
    assert _rows(client.get(base + "&status=none").get_data(as_text=True)) == ["Comuna Arini", "Comuna Zăvoi"]
    html = client.get(base + "&status=approved").get_data(as_text=True)
    totals = html.split('<tr class="totals">', 1)[1]
    assert "Total (1 localități)" in totals and ">30<" in totals
    # an unknown sort column falls back to the name on the page (the API answers 422)
    assert _rows(client.get(base + "&sort=nope").get_data(as_text=True))[0] == "Comuna Arini"


def test_compliance_list_names_localities_without_a_plan_endorsed_by_the_date(app, make_tenant, make_user, login):
    county, (a, b, c) = make_county(make_tenant, 3)
    SOURCE.status = {
        a.id: {"plan_status": "endorsed", "plan_endorsed_on": dt.date(2026, 2, 10)},
        b.id: {"plan_status": "approved", "plan_endorsed_on": dt.date(2026, 4, 20)},
        c.id: {"plan_status": "submitted"},
    }
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))

    html = client.get(f"/t/{county.slug}/county/?year=2026&by=2026-03-31").get_data(as_text=True)
    listed = html.split('class="compliance-list"', 1)[1].split("</ul>", 1)[0]
    assert b.display_name in listed and c.display_name in listed and a.display_name not in listed

    html = client.get(f"/t/{county.slug}/county/?year=2026&by=2026-05-01").get_data(as_text=True)
    listed = html.split('class="compliance-list"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 1 and c.display_name in listed


def test_charts_are_inline_svg_without_script_or_style(app, make_tenant, make_user, login):
    county, locs = make_county(make_tenant, 3)
    SOURCE.values = {locs[0].id: {"persons_trained": Decimal(9)}}
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))

    response = client.get(f"/t/{county.slug}/county/?year=2026&chart=ind:persons_trained")

    html = response.get_data(as_text=True)
    assert html.count("<svg") == 4  # plans by stage, councils and indicators against targets, the ranked bars
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert f"{locs[0].display_name}: 9" in html  # the chart's description carries the figures
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_drill_down_reads_one_locality_live_and_refuses_another_countys(app, make_tenant, make_user, login):
    county, (a,) = make_county(make_tenant, 1)
    _other_county, (x,) = make_county(make_tenant, 1)
    SOURCE.status = {a.id: {"plan_status": "endorsed", "plan_endorsed_on": dt.date(2026, 2, 1), "plan_revision": 2}}
    SOURCE.values = {a.id: {"persons_trained": Decimal(14)}}
    add_council(app, a, members=2, trained=1)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))

    html = client.get(f"/t/{county.slug}/county/locality/{a.slug}?year=2026").get_data(as_text=True)
    assert a.display_name in html and "avizat de consiliu" in html and "Membru 1" in html and ">14<" in html
    assert client.get(f"/t/{county.slug}/county/locality/{x.slug}").status_code == 404
    assert client.get(f"/t/{county.slug}/county/locality/{county.slug}").status_code == 404
