"""The Excel import of values is bounded: size, rows and reported errors; a large file is checked by a job.

The outside review sent 800,000 bad rows: a worker was busy 55 s and answered
60 MB of errors. The caps are configuration (``PLAN_IMPORT_*``), lowered here
so the workbooks stay small and the tests fast.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from core.auth.models import Role
from core.db import db
from core.jobs import Job, JobStatus
from plugins.prevention_plan import exports, services
from tests.plugins.prevention_plan.conftest import edited_export, post_form, values_export


def _big_workbook(town, rows: int, *, bad: bool = True) -> bytes:
    """The plan's export with ``rows`` more data rows (an unknown indicator each, or blank ones), streamed."""
    original = load_workbook(io.BytesIO(values_export(town)), read_only=True)
    header = next(original[exports.SHEET].iter_rows(max_row=1, values_only=True))
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(exports.SHEET)
    sheet.append(list(header))
    id_column = header.index("ID indicator")
    t1 = header.index("T1")
    for n in range(rows):
        row: list[object] = [None] * len(header)
        if bad:
            row[id_column], row[t1] = 900_000 + n, 1
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _post(town, data: bytes):
    return town.app.test_client().post(
        town.url(f"/{town.plan_id}/imports"),
        data={"file": (io.BytesIO(data), "valori.xlsx")},
        headers=town.api(),
        content_type="multipart/form-data",
    )


def _nothing_written(town) -> None:
    with town.scope():
        assert services.live_values(town.plan()) == {}
        assert db.session.query(Job).filter(Job.kind == "prevention_plan.import_xlsx").count() == 0


def test_twenty_thousand_bad_rows_stop_at_the_row_cap_with_a_short_answer(town):
    data = _big_workbook(town, 20_000)
    answer = _post(town, data)
    assert answer.status_code == 422
    assert len(answer.data) < 4_000  # one sentence, not 20,000 rows of errors
    assert answer.get_json()["errors"]["json"] == {"file": ["Fișierul are mai mult de 2000 rânduri de valori."]}
    _nothing_written(town)


def test_errors_past_the_cap_are_counted_not_listed(town):
    town.app.config["PLAN_IMPORT_MAX_ERRORS"] = 10
    answer = _post(town, _big_workbook(town, 40))
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]["json"]
    rows = [key for key in errors if key.startswith("rândul")]
    assert len(rows) == 10
    assert any("încă 30" in message for messages in errors.values() for message in messages)
    _nothing_written(town)


def test_a_file_over_the_size_cap_is_refused_unread(town):
    town.app.config["PLAN_IMPORT_MAX_BYTES"] = 4_096
    answer = _post(town, _big_workbook(town, 2_000))
    assert answer.status_code == 422
    assert "MB" in next(iter(answer.get_json()["errors"]["json"].values()))[0]
    _nothing_written(town)


def test_a_zip_bomb_is_refused_by_its_inflated_size(town):
    town.app.config["PLAN_IMPORT_MAX_UNZIPPED"] = 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b" " * (8 * 1024 * 1024))
    answer = _post(town, out.getvalue())
    assert answer.status_code == 422 and len(out.getvalue()) < 20_000
    assert answer.get_json()["errors"]["json"]["file"] == ["Fișierul depășește 1 MB, cât primește importul."]
    _nothing_written(town)


def test_blank_rows_count_toward_the_row_cap(town):
    town.app.config["PLAN_IMPORT_MAX_ROWS"] = 100
    answer = _post(town, _big_workbook(town, 500, bad=False))
    assert answer.status_code == 422
    _nothing_written(town)


def test_a_large_file_is_checked_by_the_job_not_by_the_request(town):
    town.app.config["PLAN_IMPORT_INLINE_BYTES"] = 1_000
    town.app.config["PLAN_IMPORT_MAX_ERRORS"] = 5
    started = _post(town, _big_workbook(town, 30))
    assert started.status_code == 202  # accepted for checking, not judged while the client waits
    with town.scope():
        job = db.session.get(Job, started.get_json()["id"])
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert "30 erori" in job.message
        report = (Path(town.app.config["VATRA_FILES"]) / job.result_path).read_text(encoding="utf-8")
        assert report.count("rândul") == 5 and "încă 25" in report
        assert services.live_values(town.plan()) == {}
    good = edited_export(values_export(town), {(2, "T1"): 8})
    assert len(good) > 1_000
    started = _post(town, good)
    assert started.status_code == 202 and started.get_json()["status"] == "succeeded"
    with town.scope():
        assert sum(len(v) for v in services.live_values(town.plan()).values()) == 1


def test_the_import_page_takes_a_large_file_into_a_job(town):
    town.app.config["PLAN_IMPORT_INLINE_BYTES"] = 1_000
    client = town.client(Role.SOCIAL_WORKER)
    answer = post_form(
        client,
        town.page(f"/{town.plan_id}/import"),
        {"file": (io.BytesIO(_big_workbook(town, 30)), "valori.xlsx")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    town.app.config["PLAN_IMPORT_INLINE_BYTES"] = 10_000_000
    town.app.config["PLAN_IMPORT_MAX_ROWS"] = 10
    answer = post_form(
        client,
        town.page(f"/{town.plan_id}/import"),
        {"file": (io.BytesIO(_big_workbook(town, 30)), "valori.xlsx")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert "mai mult de 10 rânduri" in answer.get_data(as_text=True)
