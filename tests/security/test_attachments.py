"""Attachments are accepted by their content and always leave as downloads.

An HTML page or an SVG drawing (script inside) named ``factura.pdf`` and sent
as ``application/pdf`` used to be stored and served back under the type the
client chose: 422 naming the field now, for the plan's documents and the PIN
project's expenditure and progress files alike (one check, in the core).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import tenancy
from core.auth.models import Role
from core.db import db
from core.storage import check_upload, content_type
from core.testing import api_headers, csrf_token, login
from plugins.pin_project.models import Expenditure
from tests.security.world import PDF, World, changed_tables, snapshot

HTML = b"<!doctype html><html><body><script>fetch('/api/v1/me')</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


@pytest.mark.parametrize("data", [HTML, SVG, b"MZ\x90\x00 an exe", b"PK\x03\x04 not an office file", b"plain text"])
def test_the_core_refuses_what_is_no_office_pdf_or_image(data: bytes) -> None:
    assert content_type(data) is None
    with pytest.raises(ValueError) as refused:
        check_upload(data, field="attachment")
    assert list(refused.value.errors) == ["attachment"]


def test_the_core_reads_the_type_from_the_content() -> None:
    assert check_upload(PDF).mimetype == "application/pdf"
    assert check_upload(PNG).extension == "png"
    with pytest.raises(ValueError):
        check_upload(PNG, allowed=frozenset({"application/pdf"}))


def _put(client, url: str, data: bytes, name: str, headers: dict[str, str]):
    return client.put(
        url,
        data={"file": (io.BytesIO(data), name, "application/pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_pin_attachments_of_html_or_svg_are_422_and_change_nothing(world: World) -> None:
    county = world.county_a
    ids = world.objects[county.id]
    user = world.user(county, Role.COUNTY_COORDINATOR)
    client = world.app.test_client()
    with world.app.app_context():
        headers = api_headers(user, county)
    base = f"/api/v1/t/{county.slug}/projects/{ids['pin_project']}"
    urls = (
        f"{base}/expenditures/{ids['pin_expenditure']}/attachment",
        f"{base}/indicators/{ids['pin_indicator']}/progress/{ids['pin_progress']}/attachment",
    )
    before = snapshot(world.app, [county.id], audit=False)
    for url in urls:
        for data in (HTML, SVG):
            answer = _put(client, url, data, "factura.pdf", headers)
            assert answer.status_code == 422, (url, answer.status_code)
            assert list(answer.get_json()["errors"]["files"]) == ["file"]
    assert changed_tables(before, snapshot(world.app, [county.id], audit=False)) == []
    for url in urls:
        assert _put(client, url, PNG, "scan.png", headers).status_code == 200
        download = client.get(url, headers=headers)
        assert download.status_code == 200 and download.data == PNG
        assert download.mimetype == "image/png"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_expenditure_page_refuses_an_html_attachment_and_records_nothing(world: World) -> None:
    county = world.county_a
    ids = world.objects[county.id]
    user = world.user(county, Role.COUNTY_COORDINATOR)
    client = login(world.app.test_client(), user)
    with world.app.app_context(), tenancy.tenant_context(county.id):
        count = db.session.execute(sa.select(sa.func.count()).select_from(Expenditure)).scalar_one()
    answer = client.post(
        f"/t/{county.slug}/projects/{ids['pin_project']}/expenditures/new",
        data={
            "budget_line_id": ids["pin_budget_line"],
            "date": "2009-05-05",
            "amount": "10,00",
            "attachment": (io.BytesIO(SVG), "factura.pdf", "application/pdf"),
            "csrf_token": csrf_token(client),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert 'id="attachment-error"' in answer.get_data(as_text=True) or "Se acceptă doar" in answer.get_data(
        as_text=True
    )
    with world.app.app_context(), tenancy.tenant_context(county.id):
        assert db.session.execute(sa.select(sa.func.count()).select_from(Expenditure)).scalar_one() == count


def test_a_plan_document_of_html_is_422_naming_the_file(world: World) -> None:
    tenant = world.a1
    ids = world.objects[tenant.id]
    user = world.user(tenant, Role.SOCIAL_WORKER)
    client = world.app.test_client()
    with world.app.app_context():
        headers = api_headers(user, tenant)
    url = f"/api/v1/t/{tenant.slug}/plans/{ids['plan']}/documents"
    before = snapshot(world.app, [tenant.id], audit=False)
    for data in (HTML, SVG):
        answer = client.post(
            url,
            data={"file": (io.BytesIO(data), "aviz.pdf", "application/pdf"), "step": "endorsed"},
            headers=headers,
            content_type="multipart/form-data",
        )
        assert answer.status_code == 422
        assert "file" in answer.get_json()["errors"]["json"]
    assert changed_tables(before, snapshot(world.app, [tenant.id], audit=False)) == []
    download = client.get(f"{url}/{ids['plan_document']}", headers=headers)
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_an_html_file_stored_before_the_checks_is_served_as_an_opaque_download(world: World) -> None:
    county = world.county_a
    ids = world.objects[county.id]
    user = world.user(county, Role.COUNTY_COORDINATOR)
    with world.app.app_context(), tenancy.tenant_context(county.id):
        expenditure = db.session.get(Expenditure, ids["pin_expenditure"])
        Path(world.app.config["VATRA_FILES"], expenditure.attachment_path).write_bytes(HTML)
        expenditure.attachment_mimetype = "text/html"
        db.session.commit()
    client = login(world.app.test_client(), user)
    download = client.get(
        f"/t/{county.slug}/projects/{ids['pin_project']}/expenditures/{ids['pin_expenditure']}/attachment"
    )
    assert download.status_code == 200 and download.data == HTML
    assert download.mimetype == "application/octet-stream"
    assert download.headers["Content-Disposition"].startswith("attachment;")
