"""Word and Excel files of a plan, and the Excel import of values.

The export functions take a loaded plan and return bytes, so they are tested
directly; :mod:`plugins.prevention_plan.jobs` runs them in the background.

* :func:`plan_docx` — the plan in the official shape of the seed document;
* :func:`values_xlsx` — the indicators and their values by quarter;
* :func:`check_values_xlsx` / :func:`import_values_xlsx` — the same workbook
  read back: every row is checked first and nothing is written when one is
  bad.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.toolkit import (
    N_,
    Message,
    NumberError,
    append_row,
    check_number,
    parse_number,
)
from plugins.prevention_plan import services
from plugins.prevention_plan.catalog import number_rules
from plugins.prevention_plan.models import Plan, PlanStatus, SignatoryRole
from plugins.prevention_plan.services import InvalidInputError, ValueEntry

DOCX_MIME = services.DOCX_MIME
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TABLE_HEADER = ("Obiective strategice", "Activități", "Responsabili", "Indicatori de realizare")
EN_DASH = "\u2013"
SIGN_LINE = "_____"


def _date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


# ---------------------------------------------------------------- Word


def council_lines(plan: Plan) -> tuple[str, list[str]]:
    """The heading and the numbered member lines of the aviz block.

    The members present at this revision's aviz when it was recorded,
    otherwise the council's current members.
    """
    aviz = services.endorsement(plan)
    if aviz is not None and aviz.members_present:
        members = aviz.members_present
    else:
        members = [
            {"name": m.name, "function": m.function, "role": m.role.value, "position": m.position}
            for m in services.council_members()
        ]
    council_name = _council_name()
    lines = []
    for number, member in enumerate(members, start=1):
        parts = [member["name"]]
        if member.get("function"):
            parts.append(member["function"])
        parts.append(services.ROLE_LABELS.get(member.get("role") or "membru", member.get("role") or ""))
        lines.append(f"{number}. {f' {EN_DASH} '.join(parts)} {SIGN_LINE}")
    return f"Avizat de {council_name}", lines


def _council_name() -> str:
    import sqlalchemy as sa

    from core.toolkit import Council, db

    name = db.session.execute(sa.select(Council.name).order_by(Council.id).limit(1)).scalar_one_or_none()
    return name or "Consiliul Comunitar Consultativ"


def _legal_basis_to_show(plan: Plan) -> list[str]:
    """Acts of the legal basis the introduction does not already cite (the seed cites its only one)."""
    intro = plan.introduction or ""
    shown = []
    for act in services.split_lines(plan.legal_basis):
        numbers = re.findall(r"\d+/\d{4}", act)
        if numbers and all(n in intro for n in numbers):
            continue
        shown.append(act)
    return shown


def _bold_paragraph(doc: Any, text: str, *, size: int | None = None, center: bool = False) -> Any:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = True
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _fill_cell(cell: Any, lines: Sequence[str], *, bold: bool = False) -> None:
    """Write ``lines`` as the cell's paragraphs (the first one reuses the cell's empty paragraph)."""
    first = True
    for line in lines or [""]:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        run = paragraph.add_run(line)
        run.bold = bold


def indicator_cell_lines(plan: Plan, activity: Any) -> list[str]:
    """The indicator column of an activity's row: labels, with the target where one is set."""
    lines = []
    for indicator in activity.indicators:
        text = indicator.label
        if indicator.target is not None:
            text += f" (țintă: {services.plain_decimal(indicator.target)} {indicator.unit})"
        lines.append(text)
    return lines


def _table(doc: Any, plan: Plan) -> Any:
    rows_needed = sum(max(len(o.activities), 1) for o in plan.objectives)
    table = doc.add_table(rows=1 + rows_needed, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, TABLE_HEADER, strict=True):
        _fill_cell(cell, [text], bold=True)
    row = 1
    for objective in plan.objectives:
        span = max(len(objective.activities), 1)
        first = table.cell(row, 0)
        if span > 1:
            first = first.merge(table.cell(row + span - 1, 0))
        _fill_cell(first, [f"{objective.number}. {objective.title}"])
        for offset, activity in enumerate(objective.activities):
            cells = table.rows[row + offset].cells
            _fill_cell(cells[1], [activity.text])
            _fill_cell(cells[2], [r.name for r in activity.responsible])
            _fill_cell(cells[3], indicator_cell_lines(plan, activity))
        row += span
    for column, width in enumerate((Cm(4.5), Cm(6), Cm(3.5), Cm(4.5))):
        for cell in table.columns[column].cells:
            cell.width = width
    return table


def _schedule_table(doc: Any, plan: Plan) -> None:
    activities = [a for a in services.activities_of(plan) if a.schedule_months or a.budget_estimate is not None]
    if not activities:
        return
    _bold_paragraph(doc, "Calendarul și bugetul estimat al activităților")
    table = doc.add_table(rows=1 + len(activities), cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Activitate", "Luni", "Buget estimat (lei)"), strict=True):
        _fill_cell(cell, [text], bold=True)
    total = Decimal(0)
    for row, activity in enumerate(activities, start=1):
        cells = table.rows[row].cells
        _fill_cell(cells[0], [activity.text])
        _fill_cell(cells[1], [", ".join(str(m) for m in activity.schedule_months or [])])
        _fill_cell(cells[2], ["" if activity.budget_estimate is None else f"{activity.budget_estimate:,.2f}"])
        total += activity.budget_estimate or Decimal(0)
    doc.add_paragraph(f"Total buget estimat: {total:,.2f} lei")


def _signatures(doc: Any, plan: Plan) -> None:
    drawn = plan.signatory(SignatoryRole.DRAWN_UP_BY)
    doc.add_paragraph()
    _bold_paragraph(doc, "ÎNTOCMIT")
    if drawn is not None:
        doc.add_paragraph(drawn.name)
        if drawn.function:
            doc.add_paragraph(drawn.function)
    doc.add_paragraph()
    heading, lines = council_lines(plan)
    _bold_paragraph(doc, heading)
    aviz = services.endorsement(plan)
    if aviz is not None and aviz.aviz_number:
        doc.add_paragraph(f"Aviz nr. {aviz.aviz_number} din {_date(aviz.aviz_date)}")
    for line in lines:
        doc.add_paragraph(line)
    approval = services.approval(plan)
    if approval is not None:
        doc.add_paragraph(f"Aprobat prin HCL nr. {approval.hcl_number} din {_date(approval.hcl_date)}")
    chair = plan.signatory(SignatoryRole.CHAIR_OF_SESSION)
    secretary = plan.signatory(SignatoryRole.SECRETARY_GENERAL)
    doc.add_paragraph()
    _bold_paragraph(doc, "PREȘEDINTE DE ȘEDINȚĂ")
    doc.add_paragraph(chair.name if chair else "")
    doc.add_paragraph()
    _bold_paragraph(doc, "SECRETAR GENERAL")
    doc.add_paragraph(secretary.name if secretary else "")


def _evaluation(doc: Any, plan: Plan) -> None:
    evaluation = plan.evaluation
    if evaluation is None:
        return
    doc.add_page_break()
    _bold_paragraph(doc, f"Evaluarea anuală a planului pentru anul {plan.year}", size=13, center=True)
    for paragraph in services.split_paragraphs(evaluation.narrative):
        doc.add_paragraph(paragraph)
    figures = services.evaluation_figures(plan)
    headers = ("Indicator", "Țintă", "T1", "T2", "T3", "T4", "Anual", "Total", "% din țintă")
    indicators = [i for o in figures["objectives"] for a in o["activities"] for i in a["indicators"]]
    table = doc.add_table(rows=1 + len(indicators), cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _fill_cell(cell, [text], bold=True)
    for row, item in enumerate(indicators, start=1):
        cells = table.rows[row].cells
        values = [
            item["label"],
            services.plain_decimal(item["target"]) or "",
            *[services.plain_decimal(item["quarters"].get(q)) or "" for q in (1, 2, 3, 4)],
            services.plain_decimal(item["year_value"]) or "",
            services.plain_decimal(item["total"]) or "",
            "" if item["percent_of_target"] is None else f"{item['percent_of_target']}%",
        ]
        for cell, text in zip(cells, values, strict=True):
            _fill_cell(cell, [text])
    flagged = [a for o in figures["objectives"] for a in o["activities"] if a["without_values"]]
    if flagged:
        _bold_paragraph(doc, "Activități fără nicio valoare înregistrată")
        for activity in flagged:
            doc.add_paragraph(activity["text"], style="List Bullet")
    doc.add_paragraph(f"Indicatori cu valori: {figures['indicators_with_values']} din {figures['indicators_total']}.")


def plan_docx(plan: Plan) -> bytes:
    """The plan as a Word document shaped like the seed.

    Page header with the institution; the title; the introduction; the
    principles (bold title, then the text); the general and specific
    objectives; the four-column table "Obiective strategice | Activități |
    Responsabili | Indicatori de realizare" with each objective's cell merged
    over its activities; the signature block (drawn up by, the council's aviz
    with its numbered members and their roles, the chair of the session, the
    secretary general); the evaluation when one was written.
    """
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.left_margin = section.right_margin = Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    if plan.institution:
        header = section.header.paragraphs[0]
        header.text = plan.institution
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _bold_paragraph(doc, plan.title, size=13, center=True)
    if plan.status not in {PlanStatus.DRAFT, PlanStatus.SUBMITTED} or plan.revision > 1:
        note = doc.add_paragraph(f"Revizia {plan.revision} – {services.STATUS_LABELS[plan.status]}")
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraphs = services.split_paragraphs(plan.introduction)
    if paragraphs:
        _bold_paragraph(doc, "Introducere")
        for text in paragraphs:
            doc.add_paragraph(text)
    for principle in plan.principles:
        paragraph = doc.add_paragraph(style="List Bullet")
        paragraph.add_run(f"{principle.title}:").bold = True
        paragraph.add_run(f" {principle.text}")
    acts = _legal_basis_to_show(plan)
    if acts:
        _bold_paragraph(doc, "Cadrul legal:")
        for act in acts:
            doc.add_paragraph(act, style="List Bullet")
    if plan.general_objective:
        _bold_paragraph(doc, "Obiectiv general:")
        doc.add_paragraph(plan.general_objective)
    if plan.specific_objectives:
        _bold_paragraph(doc, "Obiective specifice:")
        for objective in plan.specific_objectives:
            doc.add_paragraph(objective.text, style="List Bullet")
    doc.add_paragraph()
    _table(doc, plan)
    _schedule_table(doc, plan)
    _signatures(doc, plan)
    _evaluation(doc, plan)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- Excel

SHEET = "Valori"
META_SHEET = "Plan"
COLUMNS = (
    "ID indicator",
    "Obiectiv",
    "Activitate",
    "Indicator",
    "Unitate",
    "Cod catalog",
    "Țintă",
    "T1",
    "T2",
    "T3",
    "T4",
    "Anual",
)
PERIOD_COLUMNS: dict[str, int | None] = {"T1": 1, "T2": 2, "T3": 3, "T4": 4, "Anual": None}


def values_xlsx(plan: Plan) -> bytes:
    """The plan's indicators with their values in force, one row each, quarters T1–T4 and the year.

    The same workbook can be edited and imported back (:func:`import_values_xlsx`).
    """
    live = services.live_values(plan, plan.year)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append_row(ws, COLUMNS)
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for objective in plan.objectives:
        for activity in objective.activities:
            for indicator in activity.indicators:
                rows = live.get(indicator.id, {})
                append_row(
                    ws,
                    [
                        indicator.id,
                        f"{objective.number}. {objective.title}",
                        activity.text,
                        indicator.label,
                        indicator.unit,
                        indicator.code or "",
                        indicator.target,
                        *[rows[q].value if q in rows else None for q in (1, 2, 3, 4)],
                        rows[None].value if None in rows else None,
                    ]
                )
    widths = (12, 40, 50, 40, 10, 24, 10, 10, 10, 10, 10, 10)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "B2"
    meta = wb.create_sheet(META_SHEET)
    append_row(meta, ["ID plan", plan.id])
    append_row(meta, ["An", plan.year])
    append_row(meta, ["Revizie", plan.revision])
    append_row(meta, ["Titlu", plan.title])
    append_row(meta, ["Exportat la", services.utcnow().strftime("%Y-%m-%d %H:%M UTC")])
    append_row(meta, ["Instrucțiuni", "Completați coloanele T1–T4 (sau Anual) și importați fișierul înapoi."])
    meta.column_dimensions["A"].width = 16
    meta.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class ImportRejectedError(InvalidInputError):
    """The workbook has bad rows; the errors are per row and nothing was written.

    Keys and messages are Romanian strings that carry their msgid
    (:class:`core.text.Message`): pages and the API show them in the reader's
    language, the job's text report and the audit in Romanian.
    """

    def __init__(self, errors: dict[str, list[str]], *, total: int | None = None) -> None:
        super().__init__(errors, N_("Fișierul are erori; nu s-a înregistrat nicio valoare."))
        self.total = total if total is not None else sum(len(v) for v in errors.values())
        """How many errors the file has (``errors`` lists at most the cap of them)."""


@dataclass
class ImportSummary:
    """What an import did (or would do)."""

    rows: int = 0
    written: int = 0
    unchanged: int = 0
    entries: dict[int | None, list[tuple[int, ValueEntry]]] = field(default_factory=dict)


FILE_KEY = "file"
"""The key of the errors about the whole workbook (the others are rows: ``rândul 4``)."""


def _row_key(row_number: int) -> str:
    return N_("rândul %(row)s", row=row_number)


def _in_column(column: str, problem: str) -> str:
    """``T2: <problem>``, the problem (a domain message, maybe without parameters) still translatable."""
    if not isinstance(problem, Message):
        problem = Message(problem)
    return N_("%(column)s: %(problem)s", column=column, problem=problem)


@dataclass(frozen=True)
class ImportLimits:
    """How much of a workbook an import reads, checks and reports (config ``PLAN_IMPORT_*`` overrides each).

    A plan has a few hundred indicators at most; its export is a few dozen
    kilobytes. The caps keep a hostile or mistaken file (800,000 rows, a ZIP
    bomb) from holding a worker for a minute and answering megabytes.
    """

    max_bytes: int = 2 * 1024 * 1024
    """The largest upload (``PLAN_IMPORT_MAX_BYTES``); larger is refused at once."""
    max_unzipped: int = 64 * 1024 * 1024
    """The largest the workbook's parts may inflate to (``PLAN_IMPORT_MAX_UNZIPPED``)."""
    max_rows: int = 2000
    """The most data rows read (``PLAN_IMPORT_MAX_ROWS``); reading stops at the first one past it."""
    max_errors: int = 100
    """The most errors reported one by one (``PLAN_IMPORT_MAX_ERRORS``); the rest are counted."""
    inline_bytes: int = 256 * 1024
    """Up to this size the request checks the file itself; a larger one is checked by the job
    (``PLAN_IMPORT_INLINE_BYTES``)."""

    @classmethod
    def from_config(cls, config: Any) -> ImportLimits:
        """The limits with the application's ``PLAN_IMPORT_*`` settings applied."""
        names = {
            "max_bytes": "PLAN_IMPORT_MAX_BYTES",
            "max_unzipped": "PLAN_IMPORT_MAX_UNZIPPED",
            "max_rows": "PLAN_IMPORT_MAX_ROWS",
            "max_errors": "PLAN_IMPORT_MAX_ERRORS",
            "inline_bytes": "PLAN_IMPORT_INLINE_BYTES",
        }
        return cls(**{attr: int(config[key]) for attr, key in names.items() if config.get(key) is not None})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _too_large(cap: int) -> ImportRejectedError:
    return ImportRejectedError(
        {FILE_KEY: [N_("Fișierul depășește %(size)s MB, cât primește importul.", size=_megabytes(cap))]}
    )


def check_size(data: bytes, limits: ImportLimits) -> None:
    """Refuse an upload larger than ``limits.max_bytes`` (before anything reads it)."""
    if len(data) > limits.max_bytes:
        raise _too_large(limits.max_bytes)


def _read_workbook(data: bytes, limits: ImportLimits) -> Any:
    """The workbook in openpyxl's read-only (streaming) mode, once its size and inflated size are within the caps."""
    check_size(data, limits)
    not_excel = ImportRejectedError({FILE_KEY: [N_("Fișierul nu este un registru Excel (.xlsx) valid.")]})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_excel from None
    if inflated > limits.max_unzipped:
        raise _too_large(limits.max_unzipped)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken or foreign file
        raise not_excel from None


class _Errors:
    """Row errors up to a cap; past it they are only counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.shown: dict[str, list[str]] = {}
        self.count = 0

    def add(self, key: str, *messages: str) -> None:
        for message in messages:
            self.count += 1
            if self.count <= self.limit:
                self.shown.setdefault(key, []).append(message)

    def __bool__(self) -> bool:
        return self.count > 0

    def rejection(self) -> ImportRejectedError:
        errors = dict(self.shown)
        hidden = self.count - min(self.count, self.limit)
        if hidden:
            errors.setdefault(FILE_KEY, []).append(
                N_(
                    "Sunt arătate primele %(shown)s erori; încă %(hidden)s nu sunt arătate.",
                    shown=str(self.limit),
                    hidden=str(hidden),
                )
            )
        return ImportRejectedError(errors, total=self.count)


MAX_COLUMNS = 50
"""The widest header read (the export has a dozen columns; a sheet may claim 16,384)."""


def check_values_xlsx(
    plan: Plan, data: bytes, limits: ImportLimits | None = None, *, locale: str = "ro"
) -> ImportSummary:
    """Read and check the workbook against the plan without writing anything.

    Raises :class:`ImportRejectedError` with one entry per bad row: an unknown
    indicator id, a cell that is not a number of the indicator's kind (a
    count with decimals, a value beyond the catalog's maximum), a row mixing
    quarters and the whole year, or a period kind that clashes with the
    values already recorded. The file is read as a stream within ``limits``:
    too large, too many rows (reading stops at the first row past the cap),
    and at most ``limits.max_errors`` errors listed (the others counted).
    Numeric cells are numbers; a text cell is read
    the way the uploader of ``locale`` types numbers (``1.000`` is a thousand
    in Romanian).
    """
    limits = limits or ImportLimits()
    wb = _read_workbook(data, limits)
    errors = _Errors(limits.max_errors)
    if SHEET not in wb.sheetnames:
        raise ImportRejectedError({FILE_KEY: [N_("Lipsește foaia „%(sheet)s” exportată de platformă.", sheet=SHEET)]})
    if META_SHEET in wb.sheetnames:
        meta = {
            row[0]: row[1]
            for row in wb[META_SHEET].iter_rows(min_row=1, max_row=6, max_col=2, values_only=True)
            if row and len(row) > 1
        }
        if meta.get("An") not in (None, plan.year):
            errors.add(
                FILE_KEY,
                N_(
                    "Fișierul este pentru anul %(file_year)s, planul pentru %(plan_year)s.",
                    file_year=str(meta.get("An"))[:20],
                    plan_year=str(plan.year),
                ),
            )
    sheet = wb[SHEET]
    first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    header = [str(c).strip() if c is not None else "" for c in first]
    positions = {name: header.index(name) for name in ("ID indicator", *PERIOD_COLUMNS) if name in header}
    missing = [name for name in ("ID indicator", *PERIOD_COLUMNS) if name not in positions]
    if missing:
        raise ImportRejectedError({FILE_KEY: [N_("Lipsesc coloanele: %(columns)s.", columns=", ".join(missing))]})
    width = max(positions.values()) + 1
    known = {i.id: i for i in services.indicators_of(plan)}
    live = services.live_values(plan, plan.year)
    summary = ImportSummary(entries={q: [] for q in PERIOD_COLUMNS.values()})
    seen: dict[int, int] = {}
    for row_number, row in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
        if row_number - 1 > limits.max_rows:
            raise ImportRejectedError(
                {FILE_KEY: [N_("Fișierul are mai mult de %(rows)s rânduri de valori.", rows=str(limits.max_rows))]}
            )
        cells = list(row) + [None] * (width - len(row))
        raw_id = cells[positions["ID indicator"]]
        period_cells = {name: cells[positions[name]] for name in PERIOD_COLUMNS}
        if raw_id in (None, "") and all(v in (None, "") for v in period_cells.values()):
            continue
        summary.rows += 1
        key = _row_key(row_number)
        if raw_id in (None, ""):
            errors.add(key, N_("Lipsește ID-ul indicatorului (prima coloană)."))
            continue
        try:
            indicator_id = int(str(raw_id).strip()) if not isinstance(raw_id, float) else int(raw_id)
            if isinstance(raw_id, float) and raw_id != int(raw_id):
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            errors.add(key, N_("ID indicator „%(value)s” nu este un număr.", value=str(raw_id)[:40]))
            continue
        indicator = known.get(indicator_id)
        if indicator is None:
            errors.add(key, N_("Indicatorul cu ID %(id)s nu face parte din plan.", id=str(indicator_id)[:40]))
            continue
        if indicator_id in seen:
            errors.add(
                key,
                N_(
                    "Indicatorul %(id)s apare și pe rândul %(row)s.",
                    id=str(indicator_id),
                    row=str(seen[indicator_id]),
                ),
            )
            continue
        seen[indicator_id] = row_number
        parsed: dict[int | None, Decimal] = {}
        for name, quarter in PERIOD_COLUMNS.items():
            value = period_cells[name]
            if value in (None, ""):
                continue
            if isinstance(value, dt.date | dt.datetime | bool):
                errors.add(key, _in_column(name, N_("„%(value)s” nu este un număr.", value=str(value))))
                continue
            kind, maximum = number_rules(indicator.code, indicator.unit)
            try:
                if isinstance(value, str):
                    parsed[quarter] = parse_number(value, locale, kind, max=maximum)
                else:
                    parsed[quarter] = check_number(value, kind, max=maximum, locale=locale)
            except NumberError as exc:
                errors.add(key, _in_column(name, exc.message))
        has_quarters = any(q is not None for q in parsed)
        if has_quarters and None in parsed:
            errors.add(key, N_("Completați fie trimestrele, fie coloana Anual, nu pe amândouă."))
            continue
        in_force = set(live.get(indicator_id, {}))
        if has_quarters and None in in_force:
            errors.add(key, N_("Indicatorul are deja o valoare pe tot anul; corectați coloana Anual."))
            continue
        if None in parsed and in_force - {None}:
            errors.add(key, N_("Indicatorul are deja valori pe trimestre; completați T1–T4."))
            continue
        for quarter, number in parsed.items():
            old = live.get(indicator_id, {}).get(quarter)
            if old is not None and old.value == number:
                summary.unchanged += 1
                continue
            note = old.note if old is not None else None
            summary.entries[quarter].append((row_number, ValueEntry(indicator_id, number, note)))
    if errors:
        raise errors.rejection()
    return summary


def import_values_xlsx(
    plan: Plan,
    data: bytes,
    *,
    user_id: int | None = None,
    limits: ImportLimits | None = None,
    locale: str = "ro",
) -> ImportSummary:
    """Check the workbook, then record every changed value (corrections keep their history).

    All rows are checked before the first write; when any is bad,
    :class:`ImportRejectedError` is raised and nothing is written. Text cells
    are read in the uploader's ``locale``.
    """
    summary = check_values_xlsx(plan, data, limits, locale=locale)
    for quarter, items in summary.entries.items():
        if not items:
            continue
        result = services.record_values(plan, plan.year, quarter, [entry for _, entry in items], user_id=user_id)
        summary.written += len(result.written)
        summary.unchanged += result.unchanged
    return summary


def rejection_report(exc: InvalidInputError) -> str:
    """The errors of a rejected import as plain text (Romanian), one line per problem."""
    lines = [exc.message, ""]
    for key, messages in exc.errors.items():
        for message in messages:
            lines.append(f"{key}: {message}")
    return "\n".join(lines) + "\n"
