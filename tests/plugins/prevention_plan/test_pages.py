"""The plan's pages for the social worker: the tree, edit forms, quarterly values, the chain, evaluation, import."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import sqlalchemy as sa

from core.auth.models import Role
from core.bounds import year_range
from core.db import db
from core.plugins import host
from core.testing import login
from plugins.prevention_plan import services
from plugins.prevention_plan.models import Plan, PlanStatus, SignatoryRole

from .conftest import edited_export, post_form, values_export


def _draft(town, year: int = 2027) -> int:
    with town.scope():
        plan = services.from_template(town.tenant, year, "builtin")
        db.session.commit()
        return plan.id


def _no_inline_code(html: str) -> None:
    assert "<script" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_list_and_the_plan_tree(town):
    client = town.client(Role.VIEWER)
    index = client.get(town.page("/"))
    assert index.status_code == 200
    html = index.get_data(as_text=True)
    assert "PLANUL DE DEZVOLTARE A SERVICIILOR" in html and "avizat de consiliul consultativ" in html
    assert "Creează planul" not in html  # a viewer does not start plans
    page = client.get(town.page(f"/{town.plan_id}"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _no_inline_code(html)
    seed = services.load_seed()
    for objective in seed["strategic_objectives"]:
        assert objective["title"].replace('"', "&#34;") in html
        for activity in objective["activities"]:
            assert activity["text"] in html
            for indicator in activity["indicators"]:
                assert indicator["label"] in html
    assert "<svg" in html and "plan-chart" in html
    assert "Kolbász-Kicsid Laura-Anikó" in html and "Vargha Béla" in html
    assert "modifică" not in html  # locked, and a viewer anyway


def test_the_progress_chart_draws_a_bar_per_objective(town):
    with town.scope():
        plan = town.plan()
        services.record_values(plan, 2026, 1, [services.ValueEntry(services.indicators_of(plan)[0].id, 3)])
        db.session.commit()
    html = town.client().get(town.page(f"/{town.plan_id}")).get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("indicatori cu valori:") == 8 * 3  # the bar's title, its label and the <desc> text alternative
    assert "indicatori cu valori: 33,3%" in svg  # objective 1: one of its three indicators has a value (ro notation)


def test_starting_a_plan_from_a_form(town):
    client = town.client()
    bad = post_form(client, town.page("/"), {"year": "1990", "template": "builtin", "title": "Plan de probă"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    first, last = year_range()
    assert f"Anul trebuie să fie între {first} și {last}." in html
    assert 'value="Plan de probă"' in html  # what was typed is kept
    ok = post_form(client, town.page("/"), {"year": "2027", "template": "builtin"})
    assert ok.status_code == 302
    with town.scope():
        assert services.current_plan(2027).title.endswith("ANUL 2027")
    again = post_form(client, town.page("/"), {"year": "2027", "template": ""})
    assert again.status_code == 422 and "Există deja un plan pentru anul 2027" in again.get_data(as_text=True)


def test_editing_sections_keeps_what_was_typed_and_shows_the_error_by_the_field(town):
    plan_id = _draft(town)
    client = town.client()
    form = client.get(town.page(f"/{plan_id}/sections"))
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html) or re.search(
        r'name="version" value="(\d+)"', html
    )
    data = {
        "version": version.group(1),
        "title": "",
        "institution": "PRIMĂRIA TEST",
        "language": "ro",
        "introduction": "Un paragraf scris acum.",
        "general_objective": "Obiectiv general nou",
        "specific_objectives": "A\nB",
        "principles-0-title": "Primul principiu",
        "principles-0-text": "Text",
    }
    bad = post_form(client, town.page(f"/{plan_id}/sections"), data)
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Un paragraf scris acum." in html and 'value="PRIMĂRIA TEST"' in html
    assert re.search(r'id="title-error"[^>]*>\s*Câmp obligatoriu', html)
    ok = post_form(client, town.page(f"/{plan_id}/sections"), {**data, "title": "Planul nou"})
    assert ok.status_code == 302
    with town.scope():
        plan = services.get_plan(plan_id, tree=True)
        assert plan.title == "Planul nou"
        assert [p.title for p in plan.principles] == ["Primul principiu"]
        assert [s.text for s in plan.specific_objectives] == ["A", "B"]
    stale = post_form(client, town.page(f"/{plan_id}/sections"), {**data, "title": "Altul"})
    assert stale.status_code == 422 and "modificat între timp" in stale.get_data(as_text=True)


def test_the_signatories_of_a_locked_plan_stay_editable(town):
    client = town.client()
    form = client.get(town.page(f"/{town.plan_id}/sections")).get_data(as_text=True)
    assert 'name="title"' not in form and "Kolbász-Kicsid Laura-Anikó" in form
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    ok = post_form(
        client,
        town.page(f"/{town.plan_id}/sections"),
        {
            "version": version,
            "drawn_up_by_name": "Mátyus Kálmán",
            "drawn_up_by_function": "Director executiv",
            "chair_of_session_name": "Altă Persoană",
            "secretary_general_name": "Nagy Gabriella",
        },
    )
    assert ok.status_code == 302
    with town.scope():
        plan = town.plan()
        assert plan.signatory(SignatoryRole.CHAIR_OF_SESSION).name == "Altă Persoană"
        assert plan.title.startswith("PLANUL DE DEZVOLTARE") and len(plan.principles) == 10


def test_adding_an_activity_and_an_indicator_through_forms(town):
    plan_id = _draft(town)
    client = town.client()
    with town.scope():
        objective_id = services.get_plan(plan_id, tree=True).objectives[0].id
    bad = post_form(
        client,
        town.page(f"/{plan_id}/objectives/{objective_id}/activities/new"),
        {
            "text": "Vizite comune",
            "responsible": "DAS\nPoliția locală",
            "schedule_months": ["1", "2"],
            "budget_estimate": "-5",
        },
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Valoarea nu poate fi negativă." in html and "Vizite comune" in html and "Poliția locală" in html
    ok = post_form(
        client,
        town.page(f"/{plan_id}/objectives/{objective_id}/activities/new"),
        {
            "text": "Vizite comune",
            "responsible": "DAS\nPoliția locală",
            "schedule_months": ["1", "2"],
            "budget_estimate": "1200.50",
        },
    )
    assert ok.status_code == 302
    with town.scope():
        activity = services.get_plan(plan_id, tree=True).objectives[0].activities[-1]
        assert [r.name for r in activity.responsible] == ["DAS", "Poliția locală"]
        assert activity.schedule_months == [1, 2] and activity.budget_estimate == Decimal("1200.50")
        activity_id = activity.id
    indicator = post_form(
        client,
        town.page(f"/{plan_id}/activities/{activity_id}/indicators/new"),
        {"label": "Număr vizite", "unit": "număr", "target": "12", "baseline": "", "code": "service_plans_monitored"},
    )
    assert indicator.status_code == 302
    with town.scope():
        added = services.get_activity(services.get_plan(plan_id), activity_id).indicators[0]
        assert (added.label, added.target, added.code) == ("Număr vizite", Decimal(12), "service_plans_monitored")


def test_removing_parts_of_a_draft_asks_for_confirmation_and_refuses_on_a_locked_plan(town):
    client = town.client()
    with town.scope():
        locked_objective = town.plan().objectives[0].id
    refused = post_form(client, town.page(f"/{town.plan_id}/objectives/{locked_objective}/delete"),
                        follow_redirects=True)
    assert "blocat după avizul" in refused.get_data(as_text=True)
    plan_id = _draft(town)
    with town.scope():
        plan = services.get_plan(plan_id, tree=True)
        objective = plan.objectives[-1]
        activity = objective.activities[0]
        parts = (plan.objectives[0].id, activity.id, activity.indicators[0].id)
    unconfirmed = client.post(town.page(f"/{plan_id}/indicators/{parts[2]}/delete"))  # no CSRF token: nothing
    assert unconfirmed.status_code in {302, 400}
    for path, done in ((f"indicators/{parts[2]}", "Indicatorul a fost șters."),
                       (f"activities/{parts[1]}", "Activitatea a fost ștearsă."),
                       (f"objectives/{parts[0]}", "Obiectivul a fost șters.")):
        page = post_form(client, town.page(f"/{plan_id}/{path}/delete"), follow_redirects=True)
        assert done in page.get_data(as_text=True)
    with town.scope():
        plan = services.get_plan(plan_id, tree=True)
        assert parts[0] not in {o.id for o in plan.objectives}
        assert parts[1] not in {a.id for o in plan.objectives for a in o.activities}
        assert parts[2] not in {i.id for i in services.indicators_of(plan)}


def test_the_locked_plan_offers_no_edit_and_refuses_one(town):
    client = town.client()
    with town.scope():
        objective_id = town.plan().objectives[0].id
    page = client.get(town.page(f"/{town.plan_id}")).get_data(as_text=True)
    assert "Deschide o revizie nouă" in page and "Adaugă un obiectiv" not in page
    refused = post_form(client, town.page(f"/{town.plan_id}/objectives/{objective_id}"), {"title": "x", "number": "1"})
    assert refused.status_code == 422 and "blocat după avizul" in refused.get_data(as_text=True)
    revision = post_form(client, town.page(f"/{town.plan_id}/revision"))
    assert revision.status_code == 302
    with town.scope():
        assert services.current_plan(2026).revision == 2


def test_one_screen_records_a_quarters_values(town):
    client = town.client()
    screen = client.get(town.page(f"/{town.plan_id}/values?period=2"))
    assert screen.status_code == 200
    html = screen.get_data(as_text=True)
    _no_inline_code(html)
    assert html.count('name="rows-') == 18 * 3  # indicator id, value and note for each
    with town.scope():
        ids = [i.id for i in services.indicators_of(town.plan())]
    data = {"period": "2"}
    for index, indicator_id in enumerate(ids):
        data[f"rows-{index}-indicator_id"] = str(indicator_id)
        data[f"rows-{index}-value"] = ""
        data[f"rows-{index}-note"] = ""
    data.update({"rows-0-value": "4", "rows-1-value": "2,5", "rows-1-note": "estimat", "rows-5-value": "abc"})
    bad = post_form(client, town.page(f"/{town.plan_id}/values"), data)
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "„abc” nu este un număr" in html and 'value="abc"' in html and 'value="2,5"' in html
    assert "„2,5” are zecimale" in html  # children are counted whole
    with town.scope():
        assert services.live_values(town.plan()) == {}
    data["rows-5-value"] = "7"
    data["rows-1-value"] = "1.000"  # a thousand, the Romanian way (it was saved as 1)
    ok = post_form(client, town.page(f"/{town.plan_id}/values"), data)
    assert ok.status_code == 302
    with town.scope():
        live = services.live_values(town.plan(), 2026)
        assert {i: {q: r.value for q, r in v.items()} for i, v in live.items()} == {
            ids[0]: {2: Decimal(4)},
            ids[1]: {2: Decimal(1000)},
            ids[5]: {2: Decimal(7)},
        }
        assert live[ids[1]][2].note == "estimat"
    history = client.get(town.page(f"/{town.plan_id}/indicators/{ids[0]}/history"))
    assert history.status_code == 200 and "2026 T2" in history.get_data(as_text=True)
    assert town.client(Role.VIEWER).get(town.page(f"/{town.plan_id}/values")).status_code == 403


def test_moving_along_the_chain_with_the_steps_fields(town):
    admin = town.client(Role.TENANT_ADMIN)
    form = admin.get(town.page(f"/{town.plan_id}/transition/approved"))
    assert form.status_code == 200 and "Numărul HCL" in form.get_data(as_text=True)
    bad = post_form(admin, town.page(f"/{town.plan_id}/transition/approved"), {"hcl_number": "15"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Câmp obligatoriu pentru acest pas." in html and 'value="15"' in html
    ok = post_form(
        admin,
        town.page(f"/{town.plan_id}/transition/approved"),
        {
            "hcl_number": "15",
            "hcl_date": "2026-02-26",
            "referat_number": "1",
            "referat_date": "2026-02-10",
            "raport_number": "2",
            "raport_date": "2026-02-11",
        },
    )
    assert ok.status_code == 302
    with town.scope():
        plan = town.plan()
        assert plan.status == PlanStatus.APPROVED
        assert services.approval(plan).hcl_date == dt.date(2026, 2, 26)
    # a step the chain does not allow sends the user back with the reason
    refused = admin.get(town.page(f"/{town.plan_id}/transition/submitted"), follow_redirects=True)
    assert "nu poate trece" in refused.get_data(as_text=True)
    # the worker may not record the HCL
    assert town.client().get(town.page(f"/{town.plan_id}/transition/approved")).status_code in {302, 403}


def test_the_council_secretary_endorses_with_the_members_present(town):
    plan_id = _draft(town)
    worker, secretary = town.client(), town.client(Role.COUNCIL_MEMBER)
    assert post_form(worker, town.page(f"/{plan_id}/transition/submitted")).status_code == 302
    page = secretary.get(town.page(f"/{plan_id}/transition/endorsed")).get_data(as_text=True)
    assert page.count('name="members_present"') == 6 and "Bakk Anna Gyöngyvér – secretar" in page
    with town.scope():
        members = [m.id for m in services.council_members()]
    ok = post_form(
        secretary,
        town.page(f"/{plan_id}/transition/endorsed"),
        {"aviz_number": "9", "aviz_date": "2026-02-15", "members_present": [str(m) for m in members[:4]]},
    )
    assert ok.status_code == 302
    with town.scope():
        aviz = services.endorsement(services.get_plan(plan_id))
        assert (aviz.aviz_number, len(aviz.members_present)) == ("9", 4)


def test_the_evaluation_page(town):
    page = town.client().get(town.page(f"/{town.plan_id}/evaluation"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _no_inline_code(html)
    assert "Activități fără nicio valoare: 14" in html
    assert "Evaluarea se scrie după aprobarea planului prin HCL." in html


def test_the_excel_import_form_reports_rows_and_writes_nothing(town):
    workbook = edited_export(values_export(town), {(2, "T1"): 5, (4, "T1"): "cinci"})
    client = town.client()
    bad = post_form(
        client,
        town.page(f"/{town.plan_id}/import"),
        {"file": (io.BytesIO(workbook), "valori.xlsx")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "rândul 4" in html and "nu s-a înregistrat nicio valoare" in html
    with town.scope():
        assert services.live_values(town.plan()) == {}
    workbook = edited_export(values_export(town), {(2, "T1"): 5, (4, "T1"): 5})
    ok = post_form(
        client,
        town.page(f"/{town.plan_id}/import"),
        {"file": (io.BytesIO(workbook), "valori.xlsx")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    with town.scope():
        assert sum(len(v) for v in services.live_values(town.plan()).values()) == 2
    wrong_type = post_form(
        client,
        town.page(f"/{town.plan_id}/import"),
        {"file": (io.BytesIO(b"x"), "valori.csv")},
        content_type="multipart/form-data",
    )
    assert wrong_type.status_code == 422 and "Doar fișiere .xlsx." in wrong_type.get_data(as_text=True)


def test_the_excel_import_job_reads_text_cells_in_the_uploaders_language(town):
    """An English uploader's text "1,000" is a thousand; the language travels with the job that writes it."""
    from core.jobs import Job

    client = town.client()
    client.get(town.page(f"/{town.plan_id}/import?lang=en"))
    workbook = edited_export(values_export(town), {(2, "T1"): "1,000", (4, "T1"): 7})
    ok = post_form(
        client,
        town.page(f"/{town.plan_id}/import"),
        {"file": (io.BytesIO(workbook), "valori.xlsx")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    with town.scope():
        job = db.session.execute(sa.select(Job).where(Job.kind == "prevention_plan.import_xlsx")).scalar_one()
        assert job.params["locale"] == "en" and job.status.value == "succeeded"
        first = services.indicators_of(town.plan())[0]
        assert services.live_values(town.plan())[first.id][1].value == 1000


def test_the_export_buttons_start_jobs(town):
    client = town.client()
    response = post_form(client, town.page(f"/{town.plan_id}/export/docx"))
    assert response.status_code == 302
    from core.jobs import Job

    with town.scope():
        job = db.session.execute(sa.select(Job)).scalar_one()
        assert (job.kind, job.status.value, job.result_name) == (
            "prevention_plan.export_docx",
            "succeeded",
            "plan-prevenire-2026-r1.docx",
        )


def test_documents_page_uploads_and_downloads(town):
    client = town.client(Role.TENANT_ADMIN)
    pdf = b"%PDF-1.7\n%%EOF\n"
    ok = post_form(
        client,
        town.page(f"/{town.plan_id}/documents"),
        {"file": (io.BytesIO(pdf), "hcl.pdf"), "title": "HCL 15/2026", "step": "approved"},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    page = client.get(town.page(f"/{town.plan_id}/documents")).get_data(as_text=True)
    assert "HCL 15/2026" in page
    link = re.search(r'href="([^"]+/documents/\d+)"', page).group(1)
    assert client.get(link).data == pdf


def test_another_tenants_plan_and_a_disabled_plugin_are_404(town, make_user):
    stranger = login(town.app.test_client(), make_user(town.other, Role.TENANT_ADMIN))
    for path in ("", "/values", "/evaluation", "/documents", "/sections", "/transition/approved"):
        assert stranger.get(f"/t/{town.other.slug}/plan/{town.plan_id}{path}").status_code == 404, path
    assert stranger.get(town.page(f"/{town.plan_id}")).status_code == 404
    client = town.client()
    assert client.get(town.page(f"/{town.plan_id}")).status_code == 200
    with town.app.app_context():
        host().set_enabled("prevention_plan", town.tenant, False)
        db.session.commit()
    assert client.get(town.page(f"/{town.plan_id}")).status_code == 404
    assert client.get(town.page("/")).status_code == 404


def test_the_dashboard_widget_and_the_navigation(town):
    with town.app.app_context():
        from core.web.dashboard import widgets

        with town.app.test_request_context(f"/t/{town.slug}/"):
            from flask import g

            g.tenant = town.tenant
            g.roles = {Role.SOCIAL_WORKER}
            found = [w for w in host().collect("vatra_dashboard_widgets", tenant=town.tenant, user=None)]
            assert found and found[0][1].template == "prevention_plan/_widget.html"
            rendered = widgets(town.tenant, town.user())
    summary = found[0][1].context["summary"]
    assert summary["year"] == services.local_year()
    if summary["plan"] is not None:
        assert summary["indicators_total"] == 18
    assert rendered and rendered[0].html is not None
    with town.scope():
        assert db.session.execute(sa.select(sa.func.count(Plan.id))).scalar() == 1
