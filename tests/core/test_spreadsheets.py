"""The export helper: text never becomes a formula, numbers stay numbers, CSV text is neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from core.toolkit import append_row, csv_row, put

TRAPS = ["=1+1", "@SUM(A1)", "+1+1", "-1+1", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x","y")']


def _reread(wb: openpyxl.Workbook) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    wb.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def test_text_is_a_string_cell_read_back_exactly_and_numbers_stay_numbers():
    wb = openpyxl.Workbook()
    ws = wb.active
    append_row(ws, ["titlu"])
    row = append_row(ws, [*TRAPS, 7, Decimal("2.50"), -3, dt.date(2026, 1, 2), None])
    put(ws, 5, 1, "=SUM(A1:A3)")

    sheet = _reread(wb).active
    cells = list(sheet[row])
    assert row == 2 and sheet["A1"].value == "titlu"
    for cell, trap in zip(cells, TRAPS, strict=False):
        assert (cell.data_type, cell.value) == ("s", trap)
    numbers = cells[len(TRAPS):len(TRAPS) + 3]
    assert [(c.data_type, c.value) for c in numbers] == [("n", 7), ("n", 2.5), ("n", -3)]
    assert cells[len(TRAPS) + 3].value.date() == dt.date(2026, 1, 2)
    assert (sheet["A5"].data_type, sheet["A5"].value) == ("s", "=SUM(A1:A3)")


@pytest.mark.parametrize("trap", TRAPS)
def test_csv_text_that_would_run_gets_an_apostrophe(trap):
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row([trap, "Județul Olt", "<5", "x", -4, "-4", "12", None]))
    read = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert read == ["'" + trap, "Județul Olt", "<5", "x", "-4", "-4", "12", ""]
