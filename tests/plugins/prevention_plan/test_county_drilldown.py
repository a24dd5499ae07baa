"""The county reads a locality's plan read-only, through the aggregation surface."""

from __future__ import annotations

import json
from pathlib import Path

from core import demo
from core.auth.models import Role
from tenants import services as tenants

SEED = json.loads(
    (Path(__file__).resolve().parents[3] / "plugins/prevention_plan/demo/plan_targu_secuiesc_2026.json").read_text(
        encoding="utf-8"
    )
)


def test_covasna_coordinator_reads_the_targu_secuiesc_plan_without_any_way_to_edit_it(app, make_user, login):
    with app.app_context():
        demo.load(app, password="parola-demo-123")
        covasna = tenants.get_by_siruta(145)
        olt = tenants.get_by_siruta(289)
    coordinator = login(app.test_client(), make_user(covasna, Role.COUNTY_COORDINATOR))
    page = coordinator.get(f"/t/{covasna.slug}/county/locality/targu-secuiesc-cv?year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for objective in SEED["strategic_objectives"]:
        assert objective["title"].split(" ")[0] in html
        for activity in objective["activities"]:
            assert activity["text"][:40] in html
    # read-only: no form and no link into the locality's own pages
    section = html.split('class="locality-block"', 1)[1].split("</section>", 1)[0]
    assert "<form" not in section and "/t/targu-secuiesc-cv/" not in section
    # the locality's own pages stay closed to the county coordinator
    assert coordinator.get("/t/targu-secuiesc-cv/plan/").status_code == 404
    # and another county's coordinator cannot drill into it
    other = login(app.test_client(), make_user(olt, Role.COUNTY_COORDINATOR))
    assert other.get(f"/t/{olt.slug}/county/locality/targu-secuiesc-cv?year=2026").status_code == 404
