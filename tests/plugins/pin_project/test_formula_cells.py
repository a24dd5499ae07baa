"""Text a user typed never becomes a live formula in the financial report (Excel)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from core.db import db
from plugins.pin_project import exports, services

from .conftest import line_ids

TRAPS = ("=1+1", "@SUM(A1)", "+1+1", "-1+1", "\t=1+1", "\r=1+1")


def test_a_supplier_or_description_like_a_formula_stays_text(olt, project_id):
    lines = line_ids(olt, project_id)
    with olt.scope():
        project = services.get_project(project_id)
        for n, trap in enumerate(TRAPS):
            services.record_expenditure(
                project, line_id=lines["Formare"], spent_on=dt.date(2009, 1, 1 + n), amount=Decimal("10.00"),
                supplier=f"{trap}", document_number=trap, description=trap,
            )
        db.session.commit()
        report = services.financial_report(services.get_project(project_id), dt.date(2009, 1, 1), dt.date(2009, 1, 31))

    book = openpyxl.load_workbook(io.BytesIO(exports.financial_xlsx(report)))
    rows = list(book["Cheltuieli"].iter_rows(min_row=2, max_row=1 + len(TRAPS)))
    for row, item in zip(rows, report.expenditures, strict=True):
        texts = (item.supplier, item.document_number, item.description)
        assert texts[0].lstrip().startswith(("=", "@", "+", "-"))
        for cell, text in zip((row[2], row[3], row[4]), texts, strict=True):  # supplier, document, description
            assert cell.data_type == "s", (text, cell.data_type)
            assert cell.value == text  # nothing prepended: the text reads back exactly
        assert row[5].data_type == "n" and row[5].value == 10  # the amount stays a number
