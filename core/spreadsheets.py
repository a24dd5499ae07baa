"""Cells of the files that leave the platform: text stays text, numbers stay numbers.

A spreadsheet turns text beginning with ``=`` (and, in CSV, ``+``, ``-``,
``@``, tab or CR) into a live formula — a locality name, a supplier or an
indicator label typed by a user would run in the reader's Excel. Every
exporter writes its cells through this module:

* Excel: :func:`put` / :func:`append_row` write text as a string cell
  (``data_type = "s"``) with nothing prepended, so the file reads back
  exactly what was written; numbers (``int``, ``Decimal``, ``float``) as
  numbers, dates as dates. No exporter writes a formula.
* CSV: :func:`csv_row` gives text beginning with one of those characters a
  leading apostrophe (the OWASP rule: Excel and LibreOffice then show it as
  text) and leaves numbers alone. Legitimate data (names, codes, dates, the
  suppression marks ``<5`` and ``x``) never begins with them, so open data
  stays exact; the rule is documented in SECURITY.md.
* Imports read values, never formulas (``load_workbook(data_only=True)``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula in a text field."""

_PLAIN_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` into ``ws`` at (``row``, ``column``): text as a string cell, numbers as numbers."""
    cell = ws.cell(row=row, column=column)
    set_value(cell, value)
    return cell


def set_value(cell: Cell, value: Any) -> Cell:
    """Give ``cell`` ``value``; text is always a string cell, never a formula."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime | dt.time):
        cell.value = value
    else:
        text = str(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl would make "=…" a formula
    return cell


def append_row(ws: Worksheet, values: Iterable[Any]) -> int:
    """Append one row to ``ws`` through :func:`set_value`; the row's number."""
    values = list(values)
    ws.append([None] * len(values))  # openpyxl decides where the next row is
    row = ws.max_row
    for column, value in enumerate(values, start=1):
        set_value(ws.cell(row=row, column=column), value)
    return row


def csv_text(value: Any) -> Any:
    """A CSV field: text that a spreadsheet would run as a formula gets a leading ``'``; numbers stay numbers."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_row(values: Sequence[Any]) -> list[Any]:
    """One CSV row through :func:`csv_text`."""
    return [csv_text(v) for v in values]
