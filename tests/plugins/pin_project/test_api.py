"""The REST API of funded projects: CRUD, budget rules as 422 with field + reason, 409, 404, 403."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from docx import Document

from core import audit, tenancy
from core.db import db

from .conftest import line_ids, make_project


def _base(olt) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/t/{olt.slug}/projects"


@pytest.fixture
def coord(olt):  # type: ignore[no-untyped-def]
    return olt.api(olt.coordinator)


@pytest.fixture
def worker(olt):  # type: ignore[no-untyped-def]
    return olt.api(olt.worker)


def test_a_project_is_built_through_the_api(app, olt, coord):
    client = app.test_client()
    base = _base(olt)
    r = client.post(
        f"{base}/programmes",
        json={
            "code": "PIN 2/2008",
            "name": "Dezvoltarea rețelei serviciilor sociale comunitare pentru copil și familie",
            "funder_name": "Autoritatea Națională pentru Protecția Drepturilor Copilului",
            "funder_acronym": "ANPDC",
        },
        headers=coord,
    )
    assert r.status_code == 201, r.json
    programme_id = r.json["id"]
    r = client.post(
        f"{base}/",
        json={
            "programme_id": programme_id,
            "title": "Dezvoltarea serviciilor comunitare",
            "budget_total": "182850.00",
            "start_date": "2008-11-01",
            "end_date": "2009-12-31",
            "purpose": "creșterea capacității",
        },
        headers=coord,
    )
    assert r.status_code == 201, r.json
    project = r.json
    assert (project["budget_total"], project["currency"], project["status"], project["version"]) == (
        "182850.00",
        "RON",
        "planned",
        1,
    )
    assert project["programme"]["funder_acronym"] == "ANPDC"
    pid = project["id"]
    for text in ("obiectiv 1", "obiectiv 2"):
        assert client.post(f"{base}/{pid}/objectives", json={"text": text}, headers=coord).status_code == 201
    assert client.post(f"{base}/{pid}/target-groups", json={"text": "personalul"}, headers=coord).status_code == 201
    assert [o["text"] for o in client.get(f"{base}/{pid}/objectives", headers=coord).json] == [
        "obiectiv 1",
        "obiectiv 2",
    ]

    loc = olt.localities[0]
    r = client.post(
        f"{base}/{pid}/localities", json={"locality_tenant_id": loc.id, "employs_staff": True}, headers=coord
    )
    assert r.status_code == 201
    assert (r.json["name"], r.json["roles"]) == (loc.display_name, ["angajează personal"])
    r = client.post(f"{base}/{pid}/localities", json={"locality_tenant_id": olt.stranger_locality.id}, headers=coord)
    assert r.status_code == 422
    assert r.json["errors"]["json"]["locality_tenant_id"] == [
        "Localitatea nu aparține județului care derulează proiectul."
    ]

    r = client.post(f"{base}/{pid}/budget-lines", json={"category": "Formare", "planned": "100000.00"}, headers=coord)
    assert r.status_code == 201
    line_id = r.json["id"]
    r = client.post(
        f"{base}/{pid}/activities",
        json={
            "title": "Înființarea compartimentului",
            "locality_tenant_ids": [loc.id],
            "budget_line_ids": [line_id],
        },
        headers=coord,
    )
    assert r.status_code == 201, r.json
    activity = r.json
    assert (activity["number"], activity["status"], activity["locality_tenant_ids"], activity["budget_line_ids"]) == (
        1,
        "planned",
        [loc.id],
        [line_id],
    )
    for step in ("modificarea structurii", "organizarea concursului", "formarea inițială"):
        r = client.post(f"{base}/{pid}/activities/{activity['id']}/steps", json={"text": step}, headers=coord)
        assert r.status_code == 201
    step_id = r.json["id"]
    assert (
        client.patch(
            f"{base}/{pid}/activities/{activity['id']}/steps/{step_id}", json={"done": True}, headers=coord
        ).json["done"]
        is True
    )
    r = client.patch(
        f"{base}/{pid}/activities/{activity['id']}",
        json={"status": "in_progress", "responsible": "DGASPC Olt", "version": 1},
        headers=coord,
    )
    assert r.status_code == 200, r.json
    assert (r.json["status"], r.json["version"], r.json["steps"][0]["text"]) == (
        "in_progress",
        2,
        "modificarea structurii",
    )
    r = client.patch(f"{base}/{pid}/activities/{activity['id']}", json={"status": "finished", "version": 2},
                     headers=coord)
    assert r.status_code == 422 and "status" in r.json["errors"]["json"]


def test_bad_bodies_name_the_field_and_write_nothing(app, olt, coord, project_id):
    client = app.test_client()
    base = _base(olt)
    r = client.post(f"{base}/", json={"title": "fără program", "budget_total": 1.5}, headers=coord)
    assert r.status_code == 422
    assert {"programme_id", "start_date", "end_date"} <= set(r.json["errors"]["json"])
    r = client.post(f"{base}/{project_id}/budget-lines", json={"category": "X", "planned": "10.001"}, headers=coord)
    assert r.status_code == 422
    assert r.json["errors"]["json"] == {"planned": ["Cel mult două zecimale."]}
    r = client.post(f"{base}/{project_id}/budget-lines", json={"category": "X", "planned": "40000.00"}, headers=coord)
    assert r.status_code == 422
    assert r.json["errors"]["json"]["planned"][0].startswith("Liniile bugetare ar totaliza 190.000,00 lei")
    with olt.scope():
        assert len(line_ids(olt, project_id)) == 2


def test_refused_expenditures_answer_422_with_the_field_and_the_reason(app, olt, coord, project_id):
    client = app.test_client()
    url = f"{_base(olt)}/{project_id}/expenditures"
    line = line_ids(olt, project_id)["Formare"]
    ok = client.post(
        url,
        json={
            "budget_line_id": line,
            "date": "2009-03-01",
            "amount": "98765.44",
            "supplier": "SC Formare SRL",
            "document_number": "F-12",
        },
        headers=coord,
    )
    assert ok.status_code == 201, ok.json
    assert (ok.json["amount"], ok.json["override"], ok.json["recorded_by_id"]) == (
        "98765.44",
        False,
        olt.coordinator.id,
    )

    r = client.post(url, json={"budget_line_id": line, "date": "2009-03-02", "amount": "1234.57"}, headers=coord)
    assert r.status_code == 422
    assert r.json["errors"] == {"json": {"amount": ["Depășește suma rămasă pe linia „Formare” (rămas 1.234,56 lei)"]}}

    r = client.post(url, json={"budget_line_id": line, "date": "2010-01-01", "amount": "1.00"}, headers=coord)
    assert r.status_code == 422
    assert r.json["errors"] == {"json": {"date": ["În afara perioadei proiectului (01.11.2008 – 31.12.2009)"]}}

    r = client.post(url, json={"budget_line_id": line, "date": "2009-03-02", "amount": "0"}, headers=coord)
    assert r.status_code == 422 and r.json["errors"]["json"] == {"amount": ["Suma trebuie să fie pozitivă."]}
    assert len(client.get(url, headers=coord).json) == 1


def test_override_needs_pin_override_and_a_justification_and_is_audited(app, olt, coord, worker, project_id):
    client = app.test_client()
    url = f"{_base(olt)}/{project_id}/expenditures"
    line = line_ids(olt, project_id)["Personal"]
    body = {"budget_line_id": line, "date": "2010-01-10", "amount": "50000.00", "override": True}
    r = client.post(url, json={**body, "override_justification": "plată întârziată"}, headers=worker)
    assert r.status_code == 403  # a social worker may spend but not override
    r = client.post(url, json=body, headers=coord)
    assert r.status_code == 422
    assert list(r.json["errors"]["json"]) == ["override_justification"]
    r = client.post(
        url, json={**body, "override_justification": "Plată întârziată a salariilor din decembrie"}, headers=coord
    )
    assert r.status_code == 201, r.json
    assert r.json["override"] is True
    assert r.json["overridden_by_id"] == olt.coordinator.id
    assert r.json["override_reasons"] == "În afara perioadei proiectului (01.11.2008 – 31.12.2009)"
    with app.app_context(), tenancy.system_context():
        entries = (
            db.session.execute(sa.select(audit.AuditEntry).where(audit.AuditEntry.entity == "pin_expenditure"))
            .scalars()
            .all()
        )
    [entry] = [e for e in entries if e.changed.get("id", [None, None])[1] == r.json["id"]]
    assert entry.changed["override_justification"][1] == "Plată întârziată a salariilor din decembrie"
    assert entry.actor_user_id == olt.coordinator.id


def test_budget_summary_and_revision(app, olt, coord, project_id):
    client = app.test_client()
    base = f"{_base(olt)}/{project_id}"
    lines = line_ids(olt, project_id)
    client.post(
        f"{base}/expenditures",
        json={"budget_line_id": lines["Formare"], "date": "2008-11-20", "amount": "0.10"},
        headers=coord,
    )
    client.post(
        f"{base}/expenditures",
        json={"budget_line_id": lines["Formare"], "date": "2008-11-21", "amount": "0.20"},
        headers=coord,
    )
    r = client.post(
        f"{base}/budget-lines/{lines['Personal']}/revise",
        json={"planned": "60000.00", "reason": "act adițional", "version": 1},
        headers=coord,
    )
    assert r.status_code == 200, r.json
    assert (r.json["planned_original"], r.json["planned"], r.json["revised"], r.json["version"]) == (
        "50000.00",
        "60000.00",
        True,
        2,
    )
    assert r.json["revisions"][0]["reason"] == "act adițional"
    summary = client.get(f"{base}/budget", headers=coord).json
    assert (summary["total"], summary["allocated"], summary["unallocated"], summary["spent"], summary["remaining"]) == (
        "182850.00",
        "160000.00",
        "22850.00",
        "0.30",
        "182849.70",
    )
    assert summary["lines"][0] == {
        "line_id": lines["Formare"],
        "category": "Formare",
        "planned_original": "100000.00",
        "planned": "100000.00",
        "spent": "0.30",
        "remaining": "99999.70",
        "spent_pct": "0.0",
        "revised": False,
    }
    assert summary["months"][0] == {"year": 2008, "month": 11, "amount": "0.30", "cumulative": "0.30"}
    assert len(summary["months"]) == 14


def test_stale_versions_answer_409(app, olt, coord, project_id):
    client = app.test_client()
    url = f"{_base(olt)}/{project_id}"
    assert client.patch(url, json={"title": "Titlu nou", "version": 1}, headers=coord).status_code == 200
    r = client.patch(url, json={"title": "Alt titlu", "version": 1}, headers=coord)
    assert r.status_code == 409
    assert r.json["code"] == 409
    r = client.patch(url, json={"title": "Alt titlu"}, headers={**coord, "If-Match": '"1"'})
    assert r.status_code == 409
    r = client.patch(url, json={"title": "Alt titlu"}, headers={**coord, "If-Match": '"2"'})
    assert r.status_code == 200 and r.json["version"] == 3
    assert client.get(url, headers=coord).json["title"] == "Alt titlu"
    # an edit that does not say which version it read could overwrite someone else's: refused, nothing written
    r = client.patch(url, json={"title": "Fără versiune"}, headers=coord)
    assert r.status_code == 422 and "version" in r.json["errors"]["json"]
    for odd in ('"²"', "9" * 5000):  # a digit Python cannot read as an int, a number no column holds
        r = client.patch(url, json={"title": "Fără versiune"}, headers={**coord, "If-Match": odd})
        assert r.status_code == 422 and "version" in r.json["errors"]["json"]
    assert client.get(url, headers=coord).json["title"] == "Alt titlu"


def test_indicators_breakdown_progress_and_status_at_a_date(app, olt, coord, project_id):
    client = app.test_client()
    base = f"{_base(olt)}/{project_id}"
    result = client.post(f"{base}/results", json={"text": "cel puțin 200 de persoane"}, headers=coord).json
    r = client.post(
        f"{base}/results/{result['id']}/indicators",
        json={
            "code": "persons_trained",
            "label": "persoane formate",
            "unit": "persoane",
            "target": 200,
            "breakdown": [{"label": "personal", "target": 60}, {"label": "membri", "target": 130}],
        },
        headers=coord,
    )
    assert r.status_code == 422
    assert list(r.json["errors"]["json"]) == ["breakdown"]
    r = client.post(
        f"{base}/results/{result['id']}/indicators",
        json={
            "code": "persons_trained",
            "label": "persoane formate",
            "unit": "persoane",
            "target": 200,
            "breakdown": [{"label": "personal", "target": 60}, {"label": "membri", "target": 140}],
        },
        headers=coord,
    )
    assert r.status_code == 201, r.json
    indicator = r.json
    assert [p["target"] for p in indicator["breakdown"]] == ["60.00", "140.00"]
    r = client.put(
        f"{base}/indicators/{indicator['id']}/breakdown",
        json={"parts": [{"label": "a", "target": 100}, {"label": "b", "target": 99}]},
        headers=coord,
    )
    assert r.status_code == 422 and "breakdown" in r.json["errors"]["json"]
    r = client.patch(f"{base}/indicators/{indicator['id']}", json={"target": 250, "version": indicator["version"]},
                     headers=coord)
    assert r.status_code == 422 and "target" in r.json["errors"]["json"]

    part = indicator["breakdown"][0]["id"]
    loc = olt.localities[0].id
    with olt.scope():
        from plugins.pin_project import services

        services.add_locality(services.get_project(project_id), loc)
        db.session.commit()
    r = client.post(
        f"{base}/indicators/{indicator['id']}/progress",
        json={"date": "2009-03-01", "value": 60, "part_id": part, "locality_tenant_id": loc},
        headers=coord,
    )
    assert r.status_code == 201, r.json
    status = client.get(f"{base}/indicator-status?at=2009-04-30", headers=coord).json
    assert [(s["code"], s["value"], s["status"], s["status_label"]) for s in status] == [
        ("persons_trained", "60.00", "at_risk", "în risc")
    ]
    assert status[0]["parts"][0]["value"] == "60.00"
    before = client.get(f"{base}/indicator-status?at=2009-02-01", headers=coord).json
    assert (before[0]["value"], before[0]["status"]) == ("0.00", "behind")
    assert client.get(f"{base}/indicator-status?at=2009-13-01", headers=coord).status_code == 422


def test_another_tenants_ids_answer_404(app, olt, project_id, make_user):
    from core.auth.models import Role
    from core.testing import api_headers

    stranger = make_user(olt.other_county, Role.COUNTY_COORDINATOR)
    with app.app_context():
        theirs = api_headers(stranger, olt.other_county)
    client = app.test_client()
    other = f"/api/v1/t/{olt.other_county.slug}/projects/{project_id}"
    for url in (other, f"{other}/budget", f"{other}/expenditures", f"{other}/indicator-status", f"{other}/activities"):
        assert client.get(url, headers=theirs).status_code == 404, url
    assert client.patch(other, json={"title": "x"}, headers=theirs).status_code == 404
    assert client.delete(other, headers=theirs).status_code == 404
    # and the token of one county does not open the other county at all
    mine = olt.api(olt.coordinator)
    assert client.get(other, headers=mine).status_code == 404
    # a child of another project of the same tenant is 404 too
    second = make_project(olt, lines={"Z": "1.00"})
    foreign_line = line_ids(olt, second)["Z"]
    url = f"{_base(olt)}/{project_id}/budget-lines/{foreign_line}"
    assert client.get(url, headers=mine).status_code == 404
    assert client.get(f"{_base(olt)}/{project_id}", headers=mine).json["title"] == "Proiect de test"


def test_a_viewer_reads_but_does_not_write(app, olt, project_id):
    client = app.test_client()
    viewer = olt.api(olt.viewer)
    base = f"{_base(olt)}/{project_id}"
    assert client.get(base, headers=viewer).status_code == 200
    assert client.get(f"{base}/budget", headers=viewer).status_code == 200
    line = line_ids(olt, project_id)["Formare"]
    r = client.post(
        f"{base}/expenditures", json={"budget_line_id": line, "date": "2009-01-01", "amount": "1.00"}, headers=viewer
    )
    assert r.status_code == 403
    assert client.patch(base, json={"title": "x"}, headers=viewer).status_code == 403


def test_report_jobs_produce_the_files(app, olt, coord, project_id):
    client = app.test_client()
    base = f"{_base(olt)}/{project_id}"
    line = line_ids(olt, project_id)["Formare"]
    for day, amount in (("2008-12-01", "1000.00"), ("2009-02-01", "234.56"), ("2009-06-01", "5000.00")):
        client.post(f"{base}/expenditures", json={"budget_line_id": line, "date": day, "amount": amount}, headers=coord)
    r = client.post(
        f"{base}/reports", json={"kind": "financial_xlsx", "start": "2009-01-01", "end": "2009-03-31"}, headers=coord
    )
    assert r.status_code == 202, r.json
    assert (r.json["kind"], r.json["status"]) == ("pin_project.financial_xlsx", "succeeded")
    from core.jobs import Job

    with app.app_context(), tenancy.tenant_context(olt.county.id):
        job = db.session.execute(sa.select(Job).where(Job.id == r.json["id"])).scalar_one()
        path = Path(app.config["VATRA_FILES"]) / job.result_path
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["Buget"]
    formare = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Formare")
    assert [Decimal(str(v)) for v in formare[1:]] == [
        Decimal("100000"),
        Decimal("100000"),
        Decimal("234.56"),
        Decimal("1234.56"),
        Decimal("98765.44"),
    ]
    r = client.post(
        f"{base}/reports", json={"kind": "progress_docx", "start": "2008-11-01", "end": "2009-12-31"}, headers=coord
    )
    assert r.json["status"] == "succeeded"
    with app.app_context(), tenancy.tenant_context(olt.county.id):
        job = db.session.execute(sa.select(Job).where(Job.id == r.json["id"])).scalar_one()
        assert job.result_name.endswith(".docx")
        document = Document(str(Path(app.config["VATRA_FILES"]) / job.result_path))
    assert "Raport de progres" in document.paragraphs[0].text
    r = client.post(
        f"{base}/reports", json={"kind": "progress_docx", "start": "2009-12-31", "end": "2009-01-01"}, headers=coord
    )
    assert r.status_code == 422 and "end" in r.json["errors"]["json"]


def test_deleting_a_project_removes_everything_under_it(app, olt, coord, project_id):
    import datetime as dt

    from plugins.pin_project import models, services

    lines = line_ids(olt, project_id)
    with olt.scope():
        project = services.get_project(project_id)
        services.add_objective(project, "o")
        services.add_target_group(project, "g")
        loc = olt.localities[0].id
        services.add_locality(project, loc, creates_council=True)
        activity = services.add_activity(project, title="a", steps=["s"])
        services.update_activity(activity, {"locality_tenant_ids": [loc], "budget_line_ids": [lines["Formare"]]})
        services.record_expenditure(project, line_id=lines["Formare"], spent_on=dt.date(2009, 1, 1), amount=Decimal(1))
        services.revise_budget_line(services.get_budget_line(project, lines["Personal"]), planned=Decimal(10))
        indicator = services.add_indicator(services.add_result(project, "r"), label="i", target=2, breakdown=[("x", 2)])
        services.record_progress(
            indicator,
            entry_date=dt.date(2009, 1, 1),
            value=Decimal(1),
            locality_tenant_id=loc,
            part_id=indicator.breakdown[0].id,
        )
        db.session.commit()
    client = app.test_client()
    assert client.delete(f"{_base(olt)}/{project_id}", headers=coord).status_code == 204
    assert client.get(f"{_base(olt)}/{project_id}", headers=coord).status_code == 404
    with olt.scope():
        for model in (
            models.Project,
            models.Objective,
            models.ProjectLocality,
            models.ProjectActivity,
            models.ActivityLocality,
            models.ActivityBudgetLine,
            models.ActivityStep,
            models.BudgetLine,
            models.BudgetRevision,
            models.Expenditure,
            models.ExpectedResult,
            models.PerformanceIndicator,
            models.IndicatorBreakdown,
            models.ProgressEntry,
        ):
            assert db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar() == 0, model
