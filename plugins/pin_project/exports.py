"""The funder's reports as files: pure functions from report data to bytes.

* :func:`progress_docx` — the progress report (Word, python-docx);
* :func:`financial_xlsx` — the financial report (Excel, openpyxl): amounts
  are numbers formatted ``#,##0.00``, never text, so the funder can add them up.

The data comes from :func:`plugins.pin_project.services.progress_report` and
:func:`plugins.pin_project.services.financial_report`; the job wrappers are in
:mod:`plugins.pin_project.jobs`.
"""

from __future__ import annotations

import io
from decimal import Decimal

from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.toolkit import put
from plugins.pin_project.services import (
    FinancialReport,
    ProgressReport,
    format_date,
    format_money,
    format_quantity,
)

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "DD.MM.YYYY"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(report: ProgressReport | FinancialReport) -> str:
    return f"{format_date(report.start)} – {format_date(report.end)}"


def progress_docx(report: ProgressReport) -> bytes:
    """The progress report as a Word document: header, period, activities, indicators."""
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading("Raport de progres", level=0)

    header = doc.add_table(rows=0, cols=2)
    header.style = "Table Grid"
    for label, value in (
        ("Programul", report.programme),
        ("Finanțator", report.funder),
        ("Proiectul", report.title),
        ("Beneficiar", report.owner),
        ("Perioada de derulare", report.project_period),
        ("Buget total", f"{format_money(report.budget_total)} lei"),
        ("Perioada raportată", _period(report)),
    ):
        cells = header.add_row().cells
        cells[0].text = label
        cells[1].text = value
    if report.purpose:
        doc.add_paragraph()
        para = doc.add_paragraph()
        para.add_run("Scopul proiectului: ").bold = True
        para.add_run(report.purpose)

    doc.add_heading("Activități", level=1)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Nr.", "Activitate", "Calendar", "Responsabil", "Stadiu"), strict=True):
        cell.text = text
    for activity in report.activities:
        cells = table.add_row().cells
        cells[0].text = str(activity.number)
        cells[1].text = activity.title
        for step, done in activity.steps:
            cells[1].add_paragraph(f"– {step}" + (" (realizat)" if done else ""))
        cells[2].text = activity.schedule
        cells[3].text = activity.responsible
        cells[4].text = activity.status

    doc.add_heading("Indicatori de performanță", level=1)
    doc.add_paragraph(f"Valori cumulate la {format_date(report.end)}; stadiul este calculat față de timpul scurs.")
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    titles = ("Indicator", "Unitate", "Țintă", "Realizat în perioadă", "Realizat cumulat", "Stadiu")
    for cell, text in zip(table.rows[0].cells, titles, strict=True):
        cell.text = text
    for ind in report.indicators:
        cells = table.add_row().cells
        cells[0].text = ind.label
        cells[1].text = ind.unit
        cells[2].text = f"{ind.comparator} {format_quantity(ind.target)}"
        cells[3].text = format_quantity(ind.value_in_period)
        cells[4].text = format_quantity(ind.value)
        cells[5].text = ind.status
        for label, target, value in ind.parts:
            cells = table.add_row().cells
            cells[0].text = f"   din care: {label}"
            cells[1].text = ind.unit
            cells[2].text = format_quantity(target)
            cells[4].text = format_quantity(value)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _money_cell(ws, row: int, column: int, value: Decimal, *, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    cell = put(ws, row, column, Decimal(value))
    cell.number_format = MONEY_FORMAT
    if bold:
        cell.font = Font(bold=True)


def financial_xlsx(report: FinancialReport) -> bytes:
    """The financial report as an Excel workbook: budget lines and the expenditures of the range."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Buget"
    put(ws, 1, 1, "Raport financiar")
    ws["A1"].font = Font(bold=True, size=14)
    info = (
        ("Programul", report.programme),
        ("Finanțator", report.funder),
        ("Proiectul", report.title),
        ("Beneficiar", report.owner),
        ("Perioada raportată", _period(report)),
    )
    for offset, (label, value) in enumerate(info, start=2):
        put(ws, offset, 1, label).font = Font(bold=True)
        put(ws, offset, 2, value)
    put(ws, 7, 1, "Buget total (lei)").font = Font(bold=True)
    _money_cell(ws, 7, 2, report.budget_total)

    head = 9
    titles = (
        "Linie bugetară",
        "Planificat inițial (lei)",
        "Planificat în vigoare (lei)",
        "Cheltuit în perioadă (lei)",
        "Cheltuit cumulat (lei)",
        "Rămas (lei)",
    )
    for column, title in enumerate(titles, start=1):
        cell = put(ws, head, column, title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    row = head
    for line in report.lines:
        row += 1
        put(ws, row, 1, line.category)
        for column, value in enumerate(
            (line.planned_original, line.planned, line.spent_in_period, line.spent_to_date, line.remaining), start=2
        ):
            _money_cell(ws, row, column, value)
    row += 1
    put(ws, row, 1, "Total").font = Font(bold=True)
    totals = (
        sum((x.planned_original for x in report.lines), Decimal(0)),
        sum((x.planned for x in report.lines), Decimal(0)),
        sum((x.spent_in_period for x in report.lines), Decimal(0)),
        sum((x.spent_to_date for x in report.lines), Decimal(0)),
        sum((x.remaining for x in report.lines), Decimal(0)),
    )
    for column, value in enumerate(totals, start=2):
        _money_cell(ws, row, column, value, bold=True)
    row += 1
    put(ws, row, 1, "Nealocat pe linii")
    _money_cell(ws, row, 3, report.unallocated)
    for column, width in enumerate((48, 18, 18, 18, 18, 18), start=1):
        ws.column_dimensions[get_column_letter(column)].width = width

    ex = wb.create_sheet("Cheltuieli")
    titles = ("Data", "Linie bugetară", "Furnizor", "Nr. document", "Descriere", "Suma (lei)", "Peste reguli")
    for column, title in enumerate(titles, start=1):
        put(ex, 1, column, title).font = Font(bold=True)
    row = 1
    for item in report.expenditures:
        row += 1
        put(ex, row, 1, item.spent_on).number_format = DATE_FORMAT
        put(ex, row, 2, item.category)
        put(ex, row, 3, item.supplier)
        put(ex, row, 4, item.document_number)
        put(ex, row, 5, item.description)
        _money_cell(ex, row, 6, item.amount)
        put(ex, row, 7, "da" if item.override else "")
    row += 1
    put(ex, row, 1, "Total").font = Font(bold=True)
    _money_cell(ex, row, 6, sum((e.amount for e in report.expenditures), Decimal(0)), bold=True)
    for column, width in enumerate((12, 40, 30, 16, 40, 16, 12), start=1):
        ex.column_dimensions[get_column_letter(column)].width = width

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
