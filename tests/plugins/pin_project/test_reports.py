"""The funder's reports: Word progress report and Excel financial report, for any date range."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from docx import Document

from core.api import enqueue
from core.db import db
from plugins.pin_project import exports, services

from .conftest import line_ids


def _setup(olt, project_id):  # type: ignore[no-untyped-def]
    lines = line_ids(olt, project_id)
    with olt.scope():
        project = services.get_project(project_id)
        for day, line, amount, supplier in (
            (dt.date(2008, 12, 10), "Formare", "1000.00", "SC Alfa SRL"),
            (dt.date(2009, 2, 1), "Formare", "234.56", "SC Beta SRL"),
            (dt.date(2009, 3, 31), "Personal", "4500.10", "Stat de plată martie"),
            (dt.date(2009, 4, 1), "Personal", "4500.10", "Stat de plată aprilie"),
        ):
            services.record_expenditure(
                project,
                line_id=lines[line],
                spent_on=day,
                amount=Decimal(amount),
                supplier=supplier,
                document_number=f"D-{day:%m%d}",
            )
        services.revise_budget_line(services.get_budget_line(project, lines["Personal"]), planned=Decimal("60000.00"))
        activity = services.add_activity(project, title="Înființarea compartimentului", steps=["organigrama"])
        services.update_activity(activity, {"status": "done"})
        services.add_activity(project, title="Seminar de diseminare")
        result = services.add_result(project, "cel puțin 200 de persoane vor beneficia de formare")
        trained = services.add_indicator(
            result,
            label="persoane formate",
            unit="persoane",
            target=200,
            breakdown=[("personal primării", 60), ("membri consilii", 140)],
        )
        services.record_progress(
            trained, entry_date=dt.date(2008, 12, 1), value=Decimal(20), part_id=trained.breakdown[0].id
        )
        services.record_progress(
            trained, entry_date=dt.date(2009, 3, 1), value=Decimal(40), part_id=trained.breakdown[1].id
        )
        db.session.commit()


def test_financial_report_has_the_right_figures_as_numbers(olt, project_id):
    _setup(olt, project_id)
    with olt.scope():
        report = services.financial_report(services.get_project(project_id), dt.date(2009, 1, 1), dt.date(2009, 3, 31))
    book = openpyxl.load_workbook(io.BytesIO(exports.financial_xlsx(report)))
    budget = book["Buget"]
    rows = {row[0].value: row for row in budget.iter_rows() if row[0].value}
    assert rows["Proiectul"][1].value == "Proiect de test"
    assert rows["Perioada raportată"][1].value == "01.01.2009 – 31.03.2009"
    assert rows["Buget total (lei)"][1].value == 182850
    formare, personal, total = rows["Formare"], rows["Personal"], rows["Total"]
    assert [c.value for c in formare[1:6]] == [100000, 100000, 234.56, 1234.56, 98765.44]
    assert [c.value for c in personal[1:6]] == [50000, 60000, 4500.1, 4500.1, 55499.9]
    assert [c.value for c in total[1:6]] == [150000, 160000, 4734.66, 5734.66, 154265.34]
    assert rows["Nealocat pe linii"][2].value == 22850
    for cell in (*formare[1:6], *total[1:6]):
        assert isinstance(cell.value, int | float)
        assert cell.number_format == "#,##0.00"
    spent = book["Cheltuieli"]
    listed = [[c.value for c in row] for row in spent.iter_rows(min_row=2)]
    assert [(r[0].date(), r[1], r[2], r[5]) for r in listed[:-1]] == [
        (dt.date(2009, 2, 1), "Formare", "SC Beta SRL", 234.56),
        (dt.date(2009, 3, 31), "Personal", "Stat de plată martie", 4500.1),
    ]
    assert listed[-1][0] == "Total" and listed[-1][5] == 4734.66
    assert spent.cell(row=2, column=6).number_format == "#,##0.00"


def test_progress_report_has_header_period_activities_and_indicators(olt, project_id):
    _setup(olt, project_id)
    with olt.scope():
        report = services.progress_report(services.get_project(project_id), dt.date(2009, 1, 1), dt.date(2009, 4, 30))
    document = Document(io.BytesIO(exports.progress_docx(report)))
    header, activities, indicators = document.tables
    facts = {row.cells[0].text: row.cells[1].text for row in header.rows}
    assert facts["Proiectul"] == "Proiect de test"
    assert facts["Perioada raportată"] == "01.01.2009 – 30.04.2009"
    assert facts["Buget total"] == "182.850,00 lei"
    assert facts["Perioada de derulare"] == "01.11.2008 – 31.12.2009"
    rows = [[c.text for c in row.cells] for row in activities.rows]
    assert rows[0] == ["Nr.", "Activitate", "Calendar", "Responsabil", "Stadiu"]
    assert rows[1][0] == "1" and rows[1][1].startswith("Înființarea compartimentului") and rows[1][4] == "realizată"
    assert "organigrama" in rows[1][1]
    assert rows[2][0] == "2" and rows[2][4] == "planificată"
    rows = [[c.text for c in row.cells] for row in indicators.rows]
    assert rows[1] == ["persoane formate", "persoane", "cel puțin 200", "40", "60", "în risc"]
    assert rows[2][0].endswith("personal primării") and rows[2][2:5] == ["60", "", "20"]
    assert rows[3][0].endswith("membri consilii") and rows[3][4] == "40"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Raport de progres" in text and "Valori cumulate la 30.04.2009" in text


def test_the_jobs_run_in_the_tenant_and_save_the_files(olt, project_id):
    _setup(olt, project_id)
    from core.jobs import Job

    with olt.scope():
        docx_job = enqueue(
            "pin_project.progress_docx", tenant=olt.county, project_id=project_id, start="2008-11-01", end="2009-12-31"
        )
        xlsx_job = enqueue(
            "pin_project.financial_xlsx", tenant=olt.county, project_id=project_id, start="2009-04-01", end="2009-04-30"
        )
        ids = (docx_job.id, xlsx_job.id)
    with olt.scope():
        jobs = {j.id: j for j in db.session.execute(sa.select(Job).where(Job.id.in_(ids))).scalars()}
        files = {j.kind: Path(olt.app.config["VATRA_FILES"]) / j.result_path for j in jobs.values()}
        assert {j.status.value for j in jobs.values()} == {"succeeded"}
        assert jobs[ids[0]].result_name == f"raport-progres_proiect-{project_id}_2008-11-01_2009-12-31.docx"
    document = Document(str(files["pin_project.progress_docx"]))
    assert document.tables[2].rows[1].cells[4].text == "60"
    sheet = openpyxl.load_workbook(files["pin_project.financial_xlsx"])["Cheltuieli"]
    assert sheet.cell(row=2, column=3).value == "Stat de plată aprilie"
    assert sheet.cell(row=3, column=6).value == 4500.1  # the total of April


def test_a_job_for_another_tenants_project_fails(olt, project_id, make_tenant):
    other = olt.other_county
    with olt.app.app_context():
        from core import tenancy

        with tenancy.tenant_context(other.id):
            job = enqueue(
                "pin_project.financial_xlsx", tenant=other, project_id=project_id, start="2009-01-01", end="2009-12-31"
            )
            assert job.status.value == "failed"
            assert "does not exist in this tenant" in (job.error or "")
            assert job.result_path is None
