"""The plan's REST API: the tree, edits, values, the chain, documents, jobs; 422s, 409s and 404s."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from core.auth.models import Role
from core.db import db
from core.jobs import Job, JobStatus
from core.plugins import host
from plugins.prevention_plan import exports, services
from plugins.prevention_plan.models import IndicatorValue, Plan, PlanDocument, PlanStatus

from .conftest import edited_export, values_export

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _json_errors(response) -> dict:
    body = response.get_json()
    return body.get("errors", {}).get("json", {}) or body.get("errors", {}).get("query", {})


def _new_draft(town, year: int = 2027) -> dict:
    client = town.app.test_client()
    response = client.post(town.url("/"), json={"year": year, "template": "builtin"}, headers=town.api())
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# ---------------------------------------------------------------- reading


def test_the_plan_is_a_tree(town):
    client = town.app.test_client()
    headers = town.api(Role.VIEWER)
    listing = client.get(town.url("/"), headers=headers)
    assert listing.status_code == 200
    assert [(p["id"], p["year"], p["status"]) for p in listing.get_json()] == [(town.plan_id, 2026, "endorsed")]
    tree = client.get(town.url(f"/{town.plan_id}"), headers=headers).get_json()
    assert tree["locked"] is True and tree["allowed_transitions"] == ["approved"]
    assert len(tree["principles"]) == 10 and len(tree["specific_objectives"]) == 4
    assert [o["number"] for o in tree["objectives"]] == list(range(1, 9))
    second = tree["objectives"][1]["activities"][0]
    assert [r["name"] for r in second["responsible"]] == ["DAS Târgu Secuiesc", "Furnizori ONG"]
    assert [i["label"] for i in second["indicators"]] == ["Număr ședințe de consiliere", "Număr persoane consiliate"]
    assert second["indicators"][0]["target"] is None and second["indicators"][0]["code"] == "counselling_sessions"
    assert sum(len(o["activities"]) for o in tree["objectives"]) == 14
    assert {s["role"] for s in tree["signatories"]} == {"drawn_up_by", "chair_of_session", "secretary_general"}


def test_the_openapi_document_lists_the_plan_routes(town):
    spec = town.app.test_client().get("/api/v1/openapi.json").get_json()
    paths = [p for p in spec["paths"] if "/plans" in p]
    assert any(p.endswith("/plans/{plan_id}/transitions") for p in paths)
    assert any(p.endswith("/plans/{plan_id}/values") for p in paths)


# ---------------------------------------------------------------- creating and 422s


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 1999}, "year"),
        ({"year": 2101}, "year"),
        ({}, "year"),
        ({"year": "două mii"}, "year"),
        ({"year": 2027, "template": "altul"}, "template"),
        ({"year": 2027, "colour": "red"}, "colour"),
        ({"year": 2026}, "year"),  # the year already has a plan
    ],
)
def test_creating_a_plan_with_bad_input_is_422_naming_the_field(town, body, field):
    response = town.app.test_client().post(town.url("/"), json=body, headers=town.api())
    assert response.status_code == 422
    assert field in _json_errors(response)
    with town.scope():
        assert db.session.execute(sa.select(sa.func.count(Plan.id))).scalar() == 1


def test_creating_from_the_builtin_template(town):
    tree = _new_draft(town)
    assert tree["status"] == "draft" and tree["year"] == 2027 and tree["title"].endswith("ANUL 2027")
    assert sum(len(a["indicators"]) for o in tree["objectives"] for a in o["activities"]) == 18


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/objectives", {"title": ""}, "title"),
        ("/objectives", {"title": "x", "number": 0}, "number"),
        ("/objectives/{objective}/activities", {"text": "x", "schedule_months": [0, 13]}, "schedule_months"),
        ("/objectives/{objective}/activities", {"text": "x", "budget_estimate": "-1"}, "budget_estimate"),
        ("/objectives/{objective}/activities", {"text": "x", "budget_estimate": "10.005"}, "budget_estimate"),
        ("/objectives/{objective}/activities", {"responsible": ["DAS"]}, "text"),
        ("/activities/{activity}/indicators", {"label": "x", "unit": "kilograme"}, "unit"),
        ("/activities/{activity}/indicators", {"label": "x", "target": "-5"}, "target"),
        ("/activities/{activity}/indicators", {"label": "x", "baseline": "abc"}, "baseline"),
        ("/activities/{activity}/indicators", {"label": "x", "code": "no_such_code"}, "code"),
    ],
)
def test_tree_edits_with_bad_input_are_422_naming_the_field(town, path, body, field):
    tree = _new_draft(town)
    objective = tree["objectives"][0]
    url = town.url(f"/{tree['id']}" + path.format(objective=objective["id"], activity=objective["activities"][0]["id"]))
    response = town.app.test_client().post(url, json=body, headers=town.api())
    assert response.status_code == 422, response.get_json()
    assert field in _json_errors(response)


def test_crud_of_objectives_activities_and_indicators(town):
    tree = _new_draft(town)
    client, headers, plan = town.app.test_client(), town.api(), town.url(f"/{tree['id']}")
    objective = client.post(f"{plan}/objectives", json={"title": "Sprijin"}, headers=headers)
    assert objective.status_code == 201 and objective.get_json()["number"] == 9
    oid = objective.get_json()["id"]
    activity = client.post(
        f"{plan}/objectives/{oid}/activities",
        json={
            "text": "Grup de sprijin",
            "responsible": ["DAS", "Asociația Y"],
            "schedule_months": [4, 5],
            "budget_estimate": "2500.00",
        },
        headers=headers,
    ).get_json()
    assert activity["budget_estimate"] == "2500.00" and activity["schedule_months"] == [4, 5]
    indicator = client.post(
        f"{plan}/activities/{activity['id']}/indicators",
        json={"label": "Număr participanți", "unit": "persoane", "target": "30", "code": "persons_counselled"},
        headers=headers,
    ).get_json()
    assert (indicator["target"], indicator["unit"]) == ("30.0000", "persoane")
    patched = client.patch(
        f"{plan}/indicators/{indicator['id']}", json={"target": "35", "version": indicator["version"]}, headers=headers
    )
    assert patched.status_code == 200 and Decimal(patched.get_json()["target"]) == 35
    stale = client.patch(
        f"{plan}/indicators/{indicator['id']}", json={"target": "40", "version": indicator["version"]}, headers=headers
    )
    assert stale.status_code == 409
    missing_version = client.patch(f"{plan}/activities/{activity['id']}", json={"text": "x"}, headers=headers)
    assert missing_version.status_code == 422 and "version" in _json_errors(missing_version)
    by_header = client.patch(
        f"{plan}/activities/{activity['id']}",
        json={"responsible": ["Furnizori ONG"]},
        headers={**headers, "If-Match": f'"{activity["version"]}"'},
    )
    assert by_header.status_code == 200 and [r["name"] for r in by_header.get_json()["responsible"]] == [
        "Furnizori ONG"
    ]
    assert client.delete(f"{plan}/indicators/{indicator['id']}", headers=headers).status_code == 204
    assert client.delete(f"{plan}/activities/{activity['id']}", headers=headers).status_code == 204
    assert client.delete(f"{plan}/objectives/{oid}", headers=headers).status_code == 204
    assert len(client.get(plan, headers=headers).get_json()["objectives"]) == 8


def test_sections_patch_with_version(town):
    tree = _new_draft(town)
    client, headers, url = town.app.test_client(), town.api(), town.url(f"/{tree['id']}")
    ok = client.patch(
        url,
        json={
            "version": tree["version"],
            "title": "Plan nou",
            "principles": [{"title": "Unu", "text": "a"}],
            "signatories": {"drawn_up_by": {"name": "Ana Pop", "function": "Director"}},
        },
        headers=headers,
    )
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["title"] == "Plan nou" and [p["title"] for p in body["principles"]] == ["Unu"]
    assert client.patch(url, json={"version": tree["version"], "title": "x"}, headers=headers).status_code == 409
    bad = client.patch(url, json={"version": body["version"], "language": "fr"}, headers=headers)
    assert bad.status_code == 422 and "language" in _json_errors(bad)


def test_the_locked_plan_refuses_edits_with_409(town):
    client, headers = town.app.test_client(), town.api()
    tree = client.get(town.url(f"/{town.plan_id}"), headers=headers).get_json()
    first = tree["objectives"][0]
    answers = [
        client.post(town.url(f"/{town.plan_id}/objectives"), json={"title": "x"}, headers=headers),
        client.patch(
            town.url(f"/{town.plan_id}/objectives/{first['id']}"),
            json={"title": "x", "version": first["version"]},
            headers=headers,
        ),
        client.patch(town.url(f"/{town.plan_id}"), json={"title": "x", "version": tree["version"]}, headers=headers),
        client.delete(town.url(f"/{town.plan_id}/activities/{first['activities'][0]['id']}"), headers=headers),
    ]
    assert [a.status_code for a in answers] == [409, 409, 409, 409]
    assert "revizie nouă" in answers[0].get_json()["message"]


def test_a_new_revision_and_a_copy(town):
    client, headers = town.app.test_client(), town.api()
    revision = client.post(town.url(f"/{town.plan_id}/revisions"), headers=headers)
    assert revision.status_code == 201
    assert (revision.get_json()["revision"], revision.get_json()["status"]) == (2, "draft")
    revisions = client.get(town.url(f"/{revision.get_json()['id']}/revisions"), headers=headers).get_json()
    assert [(r["revision"], r["is_current"]) for r in revisions] == [(2, True), (1, False)]
    assert client.post(town.url(f"/{town.plan_id}/revisions"), headers=headers).status_code == 409
    copy = client.post(town.url(f"/{revision.get_json()['id']}/copy"), json={}, headers=headers)
    assert copy.status_code == 201 and copy.get_json()["year"] == 2027
    again = client.post(town.url(f"/{revision.get_json()['id']}/copy"), json={"year": 2027}, headers=headers)
    assert again.status_code == 422 and "year" in _json_errors(again)


# ---------------------------------------------------------------- values


def test_values_in_bulk_and_their_history(town):
    client, headers = town.app.test_client(), town.api()
    with town.scope():
        ids = [i.id for i in services.indicators_of(town.plan())]
    url = town.url(f"/{town.plan_id}/values")
    first = client.post(
        url,
        json={"year": 2026, "quarter": 1, "values": [{"indicator_id": i, "value": str(n)} for n, i in enumerate(ids)]},
        headers=headers,
    )
    assert first.status_code == 201 and len(first.get_json()) == 18
    correction = client.post(
        url,
        json={"year": 2026, "quarter": 1, "values": [{"indicator_id": ids[3], "value": "30", "note": "fișe"}]},
        headers=headers,
    )
    assert correction.status_code == 201
    in_force = client.get(url, query_string={"quarter": 1}, headers=headers).get_json()
    assert {v["indicator_id"]: v["value"] for v in in_force}[ids[3]] == "30.0000"
    history = client.get(town.url(f"/{town.plan_id}/indicators/{ids[3]}/values"), headers=headers).get_json()
    assert [(h["value"], h["superseded"]) for h in history] == [("3.0000", True), ("30.0000", False)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 2026, "quarter": 5, "values": [{"indicator_id": "{id}", "value": "1"}]}, "quarter"),
        ({"year": 2026, "quarter": 0, "values": [{"indicator_id": "{id}", "value": "1"}]}, "quarter"),
        ({"year": 2026, "quarter": 1, "values": [{"indicator_id": "{id}", "value": "-1"}]}, "values"),
        ({"year": 2026, "quarter": 1, "values": [{"indicator_id": "{id}", "value": "abc"}]}, "values"),
        ({"year": 2026, "quarter": 1, "values": []}, "values"),
        ({"year": 2025, "quarter": 1, "values": [{"indicator_id": "{id}", "value": "1"}]}, "year"),
        ({"year": 2026, "quarter": 1, "values": [{"indicator_id": 999999, "value": "1"}]}, "values.0.indicator_id"),
        ({"quarter": 1, "values": [{"indicator_id": "{id}", "value": "1"}]}, "year"),
    ],
)
def test_bad_values_are_422_naming_the_field_and_nothing_is_written(town, body, field):
    with town.scope():
        first = services.indicators_of(town.plan())[0].id
    for item in body["values"]:
        if item["indicator_id"] == "{id}":
            item["indicator_id"] = first
    response = town.app.test_client().post(town.url(f"/{town.plan_id}/values"), json=body, headers=town.api())
    assert response.status_code == 422
    assert field in _json_errors(response), response.get_json()
    with town.scope():
        assert db.session.execute(sa.select(sa.func.count(IndicatorValue.id))).scalar() == 0


def test_a_viewer_cannot_record_values(town):
    with town.scope():
        first = services.indicators_of(town.plan())[0].id
    response = town.app.test_client().post(
        town.url(f"/{town.plan_id}/values"),
        json={"year": 2026, "quarter": 1, "values": [{"indicator_id": first, "value": "1"}]},
        headers=town.api(Role.VIEWER),
    )
    assert response.status_code == 403


# ---------------------------------------------------------------- the chain


def test_transitions_through_the_api(town):
    client = town.app.test_client()
    url = town.url(f"/{town.plan_id}/transitions")
    hcl = {
        "to": "approved",
        "hcl_number": "15",
        "hcl_date": "2026-02-26",
        "referat_number": "1020",
        "referat_date": "2026-02-10",
        "raport_number": "1021",
        "raport_date": "2026-02-11",
    }
    refused = client.post(url, json={"to": "evaluated"}, headers=town.api(Role.TENANT_ADMIN))
    assert refused.status_code == 409 and "avizat" in refused.get_json()["message"]
    by_worker = client.post(url, json=hcl, headers=town.api(Role.SOCIAL_WORKER))
    assert by_worker.status_code == 403  # the HCL is recorded by the tenant admin
    missing = client.post(url, json={"to": "approved", "hcl_number": "15"}, headers=town.api(Role.TENANT_ADMIN))
    assert missing.status_code == 422
    assert set(_json_errors(missing)) == {"hcl_date", "referat_number", "referat_date", "raport_number", "raport_date"}
    bad_date = client.post(url, json={**hcl, "hcl_date": "26.02.2026"}, headers=town.api(Role.TENANT_ADMIN))
    assert bad_date.status_code == 422 and "hcl_date" in _json_errors(bad_date)
    unknown = client.post(url, json={"to": "archived"}, headers=town.api(Role.TENANT_ADMIN))
    assert unknown.status_code == 422 and "to" in _json_errors(unknown)
    ok = client.post(url, json=hcl, headers=town.api(Role.TENANT_ADMIN))
    assert ok.status_code == 201 and ok.get_json()["hcl_number"] == "15"
    steps = client.get(url, headers=town.api(Role.VIEWER)).get_json()
    assert [s["to_status"] for s in steps] == ["submitted", "endorsed", "approved"]
    assert len(steps[1]["members_present"]) == 6


def test_the_council_secretary_records_the_aviz(town):
    client = town.app.test_client()
    tree = _new_draft(town)
    url = town.url(f"/{tree['id']}/transitions")
    assert client.post(url, json={"to": "submitted"}, headers=town.api(Role.COUNCIL_MEMBER)).status_code == 403
    assert client.post(url, json={"to": "submitted"}, headers=town.api()).status_code == 201
    with town.scope():
        members = [m.id for m in services.council_members()]
    aviz = {"to": "endorsed", "aviz_number": "4", "aviz_date": "2026-11-10", "members_present": members[:5]}
    assert client.post(url, json=aviz, headers=town.api()).status_code == 403  # a social worker does not endorse
    missing = client.post(url, json={"to": "endorsed", "members_present": []}, headers=town.api(Role.COUNCIL_MEMBER))
    assert missing.status_code == 422
    assert set(_json_errors(missing)) == {"aviz_number", "aviz_date", "members_present"}
    done = client.post(url, json=aviz, headers=town.api(Role.COUNCIL_MEMBER))
    assert done.status_code == 201 and len(done.get_json()["members_present"]) == 5


def test_evaluation_through_the_api(town):
    client, headers = town.app.test_client(), town.api(Role.TENANT_ADMIN)
    url = town.url(f"/{town.plan_id}/evaluation")
    early = client.put(url, json={"narrative": "Prea devreme"}, headers=headers)
    assert early.status_code == 409
    with town.scope():
        plan = town.plan()
        services.transition(
            plan,
            PlanStatus.APPROVED,
            {
                "hcl_number": "1",
                "hcl_date": "2026-02-01",
                "referat_number": "2",
                "referat_date": "2026-01-20",
                "raport_number": "3",
                "raport_date": "2026-01-21",
            },
        )
        db.session.commit()
    assert client.put(url, json={"narrative": ""}, headers=headers).status_code == 422
    written = client.put(url, json={"narrative": "Realizat parțial."}, headers=headers)
    assert written.status_code == 200
    body = client.get(url, headers=town.api(Role.VIEWER)).get_json()
    assert body["narrative"] == "Realizat parțial." and body["indicators_total"] == 18
    assert body["activities_without_values"] == 14 and len(body["objectives"]) == 8
    stale = client.put(url, json={"narrative": "Altceva", "version": body["version"] + 5}, headers=headers)
    assert stale.status_code == 409


# ---------------------------------------------------------------- documents


def test_documents_are_stored_per_tenant_and_downloaded(town):
    client = town.app.test_client()
    url = town.url(f"/{town.plan_id}/documents")
    upload = client.post(
        url,
        data={"file": (io.BytesIO(PDF), "aviz CCC 2026.pdf"), "step": "endorsed", "title": "Avizul CCC"},
        headers=town.api(Role.COUNCIL_MEMBER),
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    doc = upload.get_json()
    assert (doc["mimetype"], doc["size"], doc["step"], doc["filename"]) == (
        "application/pdf",
        len(PDF),
        "endorsed",
        "aviz CCC 2026.pdf",
    )
    with town.scope():
        stored = db.session.execute(sa.select(PlanDocument)).scalar_one()
        path = Path(town.app.config["VATRA_FILES"]) / stored.storage_path
        assert stored.storage_path.startswith(f"{town.tenant.id}/plans/{town.plan_id}/")
        assert path.read_bytes() == PDF
    download = client.get(f"{url}/{doc['id']}", headers=town.api(Role.VIEWER))
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    text_file = client.post(
        url,
        data={"file": (io.BytesIO(b"hello"), "note.txt")},
        headers=town.api(Role.TENANT_ADMIN),
        content_type="multipart/form-data",
    )
    assert text_file.status_code == 422 and "file" in _json_errors(text_file)
    assert (
        client.post(
            url,
            data={"file": (io.BytesIO(PDF), "x.pdf")},
            headers=town.api(Role.VIEWER),
            content_type="multipart/form-data",
        ).status_code
        == 403
    )


# ---------------------------------------------------------------- jobs


def _job_result(town, job_id: int) -> tuple[str, bytes]:
    """The name and bytes of a finished job's result file (as the jobs pages serve it)."""
    with town.scope():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.SUCCEEDED, job.error
        return job.result_name, (Path(town.app.config["VATRA_FILES"]) / job.result_path).read_bytes()


def test_word_and_excel_exports_run_as_jobs(town):
    client, headers = town.app.test_client(), town.api()
    started = client.post(town.url(f"/{town.plan_id}/exports"), json={"format": "docx"}, headers=headers)
    assert started.status_code == 202
    job = started.get_json()
    assert (job["kind"], job["status"]) == ("prevention_plan.export_docx", "succeeded")
    name, data = _job_result(town, job["id"])
    assert name == "plan-prevenire-2026-r1.docx"
    table = Document(io.BytesIO(data)).tables[0]
    assert len(table.rows) == 15
    excel = client.post(town.url(f"/{town.plan_id}/exports"), json={"format": "xlsx"}, headers=headers).get_json()
    name, data = _job_result(town, excel["id"])
    assert name == "plan-prevenire-2026-r1-indicatori.xlsx"
    assert load_workbook(io.BytesIO(data))[exports.SHEET].max_row == 19
    bad = client.post(town.url(f"/{town.plan_id}/exports"), json={"format": "pdf"}, headers=headers)
    assert bad.status_code == 422 and "format" in _json_errors(bad)
    viewer = client.post(town.url(f"/{town.plan_id}/exports"), json={"format": "docx"}, headers=town.api(Role.VIEWER))
    assert viewer.status_code == 403


def test_excel_import_through_the_api(town):
    client, headers = town.app.test_client(), town.api()
    with town.scope():
        first = services.indicators_of(town.plan())[0].id
    workbook = edited_export(values_export(town), {(2, "T1"): 8, (3, "T2"): "opt"})
    bad = client.post(
        town.url(f"/{town.plan_id}/imports"),
        data={"file": (io.BytesIO(workbook), "valori.xlsx")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and list(_json_errors(bad)) == ["rândul 3"]
    workbook = edited_export(values_export(town), {(2, "T1"): 8, (3, "T2"): 2})
    good = client.post(
        town.url(f"/{town.plan_id}/imports"),
        data={"file": (io.BytesIO(workbook), "valori.xlsx")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert good.status_code == 202 and good.get_json()["status"] == "succeeded"
    with town.scope():
        live = services.live_values(town.plan(), 2026)
        assert live[first][1].value == Decimal(8)
        assert sum(len(v) for v in live.values()) == 2


# ---------------------------------------------------------------- isolation


def test_another_tenants_plan_is_404(town, make_user, api_headers):
    stranger = make_user(town.other, Role.TENANT_ADMIN)
    client = town.app.test_client()
    headers = api_headers(stranger, town.other)
    other_url = f"/api/v1/t/{town.other.slug}/plans/{town.plan_id}"
    for method, path in (
        ("GET", ""),
        ("GET", "/values"),
        ("GET", "/transitions"),
        ("GET", "/evaluation"),
        ("POST", "/revisions"),
        ("GET", "/documents"),
    ):
        assert client.open(other_url + path, method=method, headers=headers).status_code == 404, path
    # and the town's own URL is not theirs
    assert client.get(town.url(f"/{town.plan_id}"), headers=headers).status_code == 404
    assert client.get(town.url("/"), headers=headers).status_code == 404


def test_the_plugin_disabled_for_a_tenant_answers_404(town):
    client, headers = town.app.test_client(), town.api(Role.TENANT_ADMIN)
    assert client.get(town.url(f"/{town.plan_id}"), headers=headers).status_code == 200
    with town.app.app_context():
        host().set_enabled("prevention_plan", town.tenant, False)
        db.session.commit()
    assert client.get(town.url(f"/{town.plan_id}"), headers=headers).status_code == 404
    assert client.get(town.url("/"), headers=headers).status_code == 404


# ---------------------------------------------------------------- templates


def test_a_county_publishes_a_template_its_localities_use(town, api_headers):
    client = town.app.test_client()
    coordinator = api_headers(town.user(Role.COUNTY_COORDINATOR), town.county)
    county_url = f"/api/v1/t/{town.county.slug}/plans/templates"
    created = client.post(
        county_url,
        json={"name": "Model Covasna 2027", "builtin": True, "published": False},
        headers=coordinator,
    )
    assert created.status_code == 201
    template = created.get_json()
    listed = client.get(town.url("/templates"), headers=town.api()).get_json()
    assert [t["key"] for t in listed] == ["builtin"]
    published = client.patch(
        f"{county_url}/{template['id']}", json={"published": True, "version": template["version"]}, headers=coordinator
    )
    assert published.status_code == 200
    listed = client.get(town.url("/templates"), headers=town.api()).get_json()
    assert [t["key"] for t in listed] == ["builtin", f"county:{template['id']}"]
    plan = client.post(town.url("/"), json={"year": 2027, "template": f"county:{template['id']}"}, headers=town.api())
    assert plan.status_code == 201 and len(plan.get_json()["objectives"]) == 8
    assert (
        client.post(town.url("/templates"), json={"name": "x", "builtin": True}, headers=town.api()).status_code == 403
    )
    two_sources = client.post(county_url, json={"name": "y", "builtin": True, "plan_id": 1}, headers=coordinator)
    assert two_sources.status_code == 422 and "content" in _json_errors(two_sources)
