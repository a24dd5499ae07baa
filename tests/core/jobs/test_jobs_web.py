"""The jobs pages and API, with in-process jobs (the same pages serve rq jobs)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.auth.models import Role
from core.db import db
from core.jobs import JobStatus
from tenants.models import Tenant, TenantKind


@pytest.fixture
def worker_and_job(app, make_tenant, make_user, login, run_job):
    tenant = make_tenant()
    user = make_user(tenant, Role.SOCIAL_WORKER)
    job = run_job("hello.slow", tenant, user, steps=2, delay=0, name="Olt")
    assert job.status == JobStatus.SUCCEEDED
    return tenant, user, job.id, login(app.test_client(), user)


def test_the_jobs_page_lists_status_progress_and_the_result(worker_and_job):
    tenant, _user, job_id, client = worker_and_job
    page = client.get(f"/t/{tenant.slug}/jobs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Salut lent" in html  # the label the plugin gave the kind
    assert 'value="100"' in html and "<progress" in html
    assert f'href="/t/{tenant.slug}/jobs/{job_id}/file"' in html and "salut-în-fundal.txt" in html
    assert "Gata" in html
    # the page refreshes through a static script, never an inline one
    assert re.search(r'<script src="/static/jobs/progress\.js" defer></script>', html)
    assert "<script>" not in html and " style=" not in html
    assert client.get("/static/jobs/progress.js").status_code == 200


def test_the_detail_page_and_the_download(worker_and_job):
    tenant, _user, job_id, client = worker_and_job
    page = client.get(f"/t/{tenant.slug}/jobs/{job_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-job-poll="/api/v1/t/{tenant.slug}/jobs/{job_id}"' in html
    assert 'data-job-active="0"' in html and "1/3" in html
    download = client.get(f"/t/{tenant.slug}/jobs/{job_id}/file")
    assert download.status_code == 200
    assert download.get_data(as_text=True) == "Salut, Olt! (încercarea 1)\n"
    assert download.mimetype == "text/plain"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "salut-%C3%AEn-fundal.txt" in download.headers["Content-Disposition"]


def test_another_tenant_never_sees_the_job_or_its_file(app, worker_and_job, make_tenant, make_user, login):
    tenant, _user, job_id, _client = worker_and_job
    other = make_tenant()
    stranger = login(app.test_client(), make_user(other, Role.TENANT_ADMIN))
    # through its own tenant's URLs the job does not exist (the tenancy wall)
    for path in (f"/t/{other.slug}/jobs/{job_id}", f"/t/{other.slug}/jobs/{job_id}/file",
                 f"/api/v1/t/{other.slug}/jobs/{job_id}", f"/api/v1/t/{other.slug}/jobs/{job_id}/file"):
        assert stranger.get(path).status_code == 404, path
    listing = stranger.get(f"/api/v1/t/{other.slug}/jobs")
    assert listing.status_code == 200 and listing.json == []
    # and the owner's tenant is closed to a non-member
    assert stranger.get(f"/t/{tenant.slug}/jobs/{job_id}/file").status_code == 404


def test_a_viewer_may_not_see_jobs(app, make_tenant, as_role):
    tenant = make_tenant()
    viewer = as_role(Role.VIEWER, tenant)
    assert viewer.get(f"/t/{tenant.slug}/jobs").status_code == 403
    assert viewer.get(f"/api/v1/t/{tenant.slug}/jobs").status_code == 403


def test_the_api_gives_progress_and_the_file(app, worker_and_job, api_headers):
    tenant, user, job_id, _client = worker_and_job
    client = app.test_client()
    headers = api_headers(user, tenant)
    listing = client.get(f"/api/v1/t/{tenant.slug}/jobs", headers=headers)
    assert listing.status_code == 200
    assert [j["id"] for j in listing.json] == [job_id]
    detail = client.get(f"/api/v1/t/{tenant.slug}/jobs/{job_id}", headers=headers).json
    assert detail["status"] == "succeeded" and detail["progress"] == 100 and detail["active"] is False
    assert detail["attempts"] == 1 and detail["max_attempts"] == 3 and detail["label"] == "Salut lent"
    assert detail["params"] == {"steps": 2, "delay": 0, "name": "Olt"}
    assert detail["file"]["name"] == "salut-în-fundal.txt"
    assert detail["file"]["url"] == f"/api/v1/t/{tenant.slug}/jobs/{job_id}/file"
    file = client.get(detail["file"]["url"], headers=headers)
    assert file.status_code == 200 and file.get_data(as_text=True).startswith("Salut, Olt!")
    filtered = client.get(f"/api/v1/t/{tenant.slug}/jobs?status=failed", headers=headers)
    assert filtered.status_code == 200 and filtered.json == []
    bad = client.get(f"/api/v1/t/{tenant.slug}/jobs?status=done", headers=headers)
    assert bad.status_code == 422 and "status" in bad.json["errors"]["query"]


def test_retrying_a_failed_job(app, make_tenant, make_user, api_headers, tmp_path, login, csrf_token, run_job):
    tenant = make_tenant()
    author = make_user(tenant, Role.SOCIAL_WORKER)
    colleague = make_user(tenant, Role.SOCIAL_WORKER)
    marker = tmp_path / "flaky"
    failed = run_job("hello.flaky", tenant, author, marker=str(marker), failures=5)
    job_id = failed.id
    assert failed.status == JobStatus.FAILED
    client = app.test_client()
    page = login(app.test_client(), author).get(f"/t/{tenant.slug}/jobs/{job_id}").get_data(as_text=True)
    assert "eșec simulat la încercarea 4" in page and "Reia lucrarea" in page

    # someone else's job: only its author or a tenant admin may retry it
    assert client.post(f"/api/v1/t/{tenant.slug}/jobs/{job_id}/retry",
                       headers=api_headers(colleague, tenant)).status_code == 403
    answer = client.post(f"/api/v1/t/{tenant.slug}/jobs/{job_id}/retry", headers=api_headers(author, tenant))
    assert answer.status_code == 202
    # attempt 5 fails (marker says 4 runs so far), attempt 6 succeeds: a fresh set of attempts
    assert answer.json["status"] == "succeeded" and answer.json["attempts"] == 6 and answer.json["error"] is None
    again = client.post(f"/api/v1/t/{tenant.slug}/jobs/{job_id}/retry", headers=api_headers(author, tenant))
    assert again.status_code == 409

    # the page's button does the same, with its CSRF token
    failed_id = run_job("hello.flaky", tenant, author, marker=str(tmp_path / "other"), failures=4).id
    browser = login(app.test_client(), author)
    response = browser.post(f"/t/{tenant.slug}/jobs/{failed_id}/retry", data={"csrf_token": csrf_token(browser)})
    assert response.status_code == 302
    shown = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lucrarea a fost reluată." in shown and "Gata" in shown
    assert browser.post(f"/t/{tenant.slug}/jobs/{failed_id}/retry").status_code == 400  # no CSRF token


def _platform(app) -> Tenant:
    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.kind == TenantKind.PLATFORM))
        db.session.expunge(tenant)
        return tenant


def test_the_queue_page_is_for_platform_admins_on_the_platform(app, make_tenant, make_user, login):
    platform = _platform(app)
    locality = make_tenant()
    admin = make_user(platform, Role.PLATFORM_ADMIN, roles={locality: Role.TENANT_ADMIN})
    client = login(app.test_client(), admin)
    page = client.get(f"/t/{platform.slug}/admin/queues")
    assert page.status_code == 200
    assert "fără Redis" in page.get_data(as_text=True)
    assert client.get(f"/t/{locality.slug}/admin/queues").status_code in (403, 404)
    worker = login(app.test_client(), make_user(locality, Role.SOCIAL_WORKER))
    assert worker.get(f"/t/{platform.slug}/admin/queues").status_code == 404
