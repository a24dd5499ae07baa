"""The pages as files: pure functions from page data to bytes.

* Excel (openpyxl) of the county page and the councils page — internal to the
  county, real numbers; of the national page — suppressed, like everything
  that leaves a county.
* CSV for open data (UTF-8, comma, one header row of machine names): a
  county's localities and the national table, small counts suppressed, from
  the day's published snapshot, sensitive figures per year only
  (:mod:`plugins.county_overview.suppression`).

Figures are numbers in Excel (never text) except the suppression marks; every
cell goes through the toolkit's spreadsheet helpers (text is never a formula).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.toolkit import append_row, csv_row
from plugins.county_overview.councils import CouncilsOverview
from plugins.county_overview.national import NationalOverview, published_county_table
from plugins.county_overview.services import PLAN_STATUS_LABELS, CountyOverview, LocalityRow
from plugins.county_overview.suppression import Shown, format_number

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
DATE_FORMAT = "DD.MM.YYYY"
BOLD = Font(bold=True)


def computed_note(computed_at: dt.datetime | None, live: bool) -> str:
    """The provenance line every file carries."""
    if live or computed_at is None:
        return "Cifre calculate la cerere (nu există încă un instantaneu pentru această perioadă)."
    return f"Cifre calculate la {computed_at:%d.%m.%Y %H:%M} UTC."


# -- CSV (open data, suppressed) -------------------------------------------------------------


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_row(header))
    for row in rows:
        writer.writerow(csv_row(row))
    return buffer.getvalue().encode("utf-8")


def county_csv(overview: CountyOverview) -> bytes:
    """A county's open data: every locality (by name), a total row; figures as published outside the county.

    The figures are those of the day's published national snapshot, suppressed
    (:func:`plugins.county_overview.national.published_county_table`), not the
    county page's exact ones.
    """
    rows = sorted(overview.all_rows, key=lambda r: r.search_keys[0])
    table, _computed_at = published_county_table([r.tenant_id for r in rows], overview.period, overview.defs)
    header = ["siruta", "localitate", "activa", "stare_plan", "plan_avizat", "data_aviz", "consiliu",
              "membri_consiliu", "membri_instruiti", "sedinte", *overview.codes]
    body: list[list[Any]] = []
    for r in rows:
        council = r.council
        body.append([
            r.siruta, r.name, int(r.active), r.plan_status, int(r.endorsed),
            r.plan_endorsed_on.isoformat() if r.plan_endorsed_on else "",
            int(council is not None), council.members if council else 0, council.members_trained if council else 0,
            council.meetings if council else 0, *(table.cells[r.tenant_id][c].text for c in overview.codes),
        ])
    councils = [r.council for r in rows if r.council is not None]
    body.append([
        "", "TOTAL", sum(int(r.active) for r in rows), "", sum(int(r.endorsed) for r in rows), "", len(councils),
        sum(c.members for c in councils), sum(c.members_trained for c in councils), sum(c.meetings for c in councils),
        *(table.totals[c].text for c in overview.codes),
    ])
    return _csv(header, body)


def national_csv(national: NationalOverview) -> bytes:
    """The national table as open data: one row per county and the country's total, suppressed."""
    header = ["judet", "localitati", "localitati_active", "planuri_avizate", "consilii", *national.codes]
    body: list[list[Any]] = [
        [line.name, line.localities, line.active_localities, line.endorsed, line.councils,
         *(line.figures[c].text for c in national.codes)]
        for line in national.lines
    ]
    body.append(["TOTAL", national.localities, national.active_localities, national.endorsed, national.councils,
                 *(national.totals[c].text for c in national.codes)])
    return _csv(header, body)


# -- Excel ---------------------------------------------------------------------------------


def _cell_value(value: Any) -> Any:
    if isinstance(value, Shown):
        if value.hidden:
            return value.mark
        return None if value.value is None else _number(value.value)
    if isinstance(value, Decimal):
        return _number(value)
    return value


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(format_number(value))


def _sheet(ws: Worksheet, title: str, note: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
           total: Sequence[Any] | None = None) -> None:
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(ws, [note])
    append_row(ws, [])
    append_row(ws, list(header))
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for row in rows:
        append_row(ws, [_cell_value(v) for v in row])
    if total is not None:
        append_row(ws, [_cell_value(v) for v in total])
        for cell in ws[ws.max_row]:
            cell.font = BOLD
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(45, len(str(name)) + 4))
    ws.freeze_panes = "B5"


def _bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _locality_cells(r: LocalityRow, codes: Sequence[str]) -> list[Any]:
    c = r.council
    return [
        r.name, "da" if r.active else "nu", PLAN_STATUS_LABELS.get(r.plan_status, r.plan_status),
        r.plan_endorsed_on, "da" if c else "nu", c.members if c else 0, c.members_trained if c else 0,
        c.last_meeting if c else None, "; ".join(p.get("title", "") for p in r.projects),
        *(r.indicators.get(code) for code in codes),
    ]


def county_xlsx(overview: CountyOverview, compliance: Sequence[LocalityRow], by: dt.date) -> bytes:
    """The county page (real numbers, internal to the county) and its compliance list."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Localități"
    codes = overview.codes
    header = ["Localitatea", "Activă", "Planul anului", "Avizat la", "Consiliu", "Membri", "Membri instruiți",
              "Ultima ședință", "Proiecte", *(overview.defs[c].label for c in codes)]
    t = overview.totals
    total = ["TOTAL", t.active, f"{t.endorsed} avizate din {t.localities}", None, t.councils, t.members,
             t.members_trained, None, None, *(t.indicators.get(c) for c in codes)]
    _sheet(ws, f"{overview.county.display_name} — {overview.period.label}",
           computed_note(overview.computed_at, overview.live), header,
           (_locality_cells(r, codes) for r in overview.rows), total)
    sheet = wb.create_sheet("Conformitate")
    _sheet(sheet, f"Fără plan avizat până la {by:%d.%m.%Y}", f"{len(compliance)} localități",
           ["Localitatea", "Planul anului", "Avizat la"],
           ([r.name, PLAN_STATUS_LABELS.get(r.plan_status, r.plan_status), r.plan_endorsed_on] for r in compliance))
    return _bytes(wb)


def councils_xlsx(overview: CouncilsOverview) -> bytes:
    """The councils page (internal to the county) with the progress toward the targets."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Consilii"
    header = ["Localitatea", "Consiliul", "HCL de înființare", "Constituit la", "Instruit la", "Membri",
              "Membri instruiți", "Ședințe", "Ultima ședință", f"Plan {overview.year}", "Avizat la", "Proiect"]
    rows = []
    for r in overview.rows:
        c = r.council
        rows.append([
            r.locality, c.name if c else "(planificat)", c.founding_decision_number if c else None,
            c.established_on if c else None, c.trained_on if c else None, c.members if c else 0,
            c.members_trained if c else 0, c.meetings if c else 0, c.last_meeting if c else None,
            PLAN_STATUS_LABELS.get(r.plan_status, r.plan_status), r.plan_endorsed_on, "; ".join(r.planned_by),
        ])
    _sheet(ws, f"Consiliile comunitare consultative — {overview.county.display_name}", f"Anul {overview.year}",
           header, rows)
    sheet = wb.create_sheet("Ținte")
    _sheet(sheet, "Progres față de ținte", "", ["Indicator", "Realizat", "Țintă", "%"],
           ([p.label, p.value, p.target, p.percent] for p in overview.progress))
    return _bytes(wb)


def national_xlsx(national: NationalOverview) -> bytes:
    """The national page: counties side by side, small counts suppressed."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Județe"
    header = ["Județul", "Localități", "Localități active", "Planuri avizate", "Consilii",
              *(national.defs[c].label for c in national.codes)]
    rows = ([line.name, line.localities, line.active_localities, line.endorsed, line.councils,
             *(line.figures[c] for c in national.codes)] for line in national.lines)
    total = ["TOTAL", national.localities, national.active_localities, national.endorsed, national.councils,
             *(national.totals[c] for c in national.codes)]
    note = ("Nicio cifră publicată: nu există încă un calcul al zilei." if national.live
            else computed_note(national.computed_at, national.live))
    _sheet(ws, f"Situația națională — {national.period.label}",
           note + " Valorile 1–4 apar „<5”; „x” = ascuns ca să nu "
           "poată fi dedus; „*” = nepublicat (cifrele despre copii doar pe an întreg, toate doar din calculul "
           "zilnic).", header, rows, total)
    return _bytes(wb)
