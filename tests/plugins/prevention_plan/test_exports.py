"""Word export in the seed's shape; Excel export and import of values (round trip, bad files)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import Workbook, load_workbook

from core.db import db
from core.text import normalise_whitespace
from plugins.prevention_plan import exports, services
from plugins.prevention_plan.exports import ImportRejectedError
from plugins.prevention_plan.models import IndicatorValue, PlanStatus
from plugins.prevention_plan.services import ValueEntry

from .conftest import edited_export, seed_table_rows, seed_text, values_export
from .conftest import norm as _norm

SEED_TEXT = seed_text()


def _docx(town) -> Document:
    with town.scope():
        return Document(io.BytesIO(exports.plan_docx(town.plan())))


def _distinct_cells(row) -> list:
    seen, out = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:  # a merged cell appears once per row it spans
            seen.add(id(cell._tc))
            out.append(cell)
    return out


def _seed_rows() -> list[list[str]]:
    return seed_table_rows()


# ---------------------------------------------------------------- Word


def test_the_word_table_reproduces_the_seeds_rows(town):
    document = _docx(town)
    table = document.tables[0]
    header = [normalise_whitespace(c.text) for c in table.rows[0].cells]
    assert header == ["Obiective strategice", "Activități", "Responsabili", "Indicatori de realizare"]
    body = table.rows[1:]
    seed_rows = _seed_rows()
    assert len(body) == len(seed_rows) == 14
    for row, seed in zip(body, seed_rows, strict=True):
        cells = [normalise_whitespace(c.text) for c in row.cells]
        assert cells[1:] == seed[1:]


def test_each_objective_cell_is_merged_over_its_activities(town):
    table = _docx(town).tables[0]
    spans: list[tuple[str, int]] = []
    previous = None
    for row in table.rows[1:]:
        first = row.cells[0]
        if previous is not None and first._tc is previous._tc:
            spans[-1] = (spans[-1][0], spans[-1][1] + 1)
        else:
            spans.append((normalise_whitespace(first.text), 1))
        previous = first
    assert [n for _, n in spans] == [2, 2, 3, 3, 1, 1, 1, 1]
    # the seed's first column, objective by objective (a title cut by a page break joined again)
    seed_titles: list[str] = []
    for first, *_ in _seed_rows():
        if not first:
            continue
        if re.match(r"^\d+\.? ", first):
            seed_titles.append(first)
        else:
            seed_titles[-1] = f"{seed_titles[-1]} {first}"
    strip = lambda t: re.sub(r"^\d+\.? ", "", t)  # noqa: E731 - the seed writes "5 " without a dot
    assert [strip(t) for t, _ in spans] == [strip(t) for t in seed_titles]
    assert [t.split(" ", 1)[0] for t, _ in spans] == [f"{n}." for n in range(1, 9)]
    assert all(len(_distinct_cells(r)) == 4 for r in table.rows)


def test_the_word_document_has_the_seeds_parts_in_order(town):
    document = _docx(town)
    header = normalise_whitespace(document.sections[0].header.paragraphs[0].text)
    assert header == "PRIMĂRIA MUN. TÂRGU SECUIESC – DIRECTIA DE ASISTENȚĂ SOCIALĂ"
    paragraphs = [normalise_whitespace(p.text) for p in document.paragraphs if p.text.strip()]
    text = " ".join(paragraphs)
    seed = _norm(SEED_TEXT)
    assert paragraphs[0] == _norm(
        "PLANUL DE DEZVOLTARE A SERVICIILOR DE PREVENIRE A SEPARĂRII COPILULUI DE FAMILIE DIN "
        "MUNICIPIUL TÂRGU SECUIESC PENTRU ANUL 2026"
    )
    order = [
        "Introducere",
        "Separarea copilului de familie are consecințe",
        "Interesul superior al copilului: În centrul",
        "Coeziune socială: Serviciile sociale contribuie",
        "Obiectiv general:",
        "Reducerea semnificativă a numărului de cazuri",
        "Obiective specifice:",
        "Monitorizarea și evaluarea anuală a impactului programelor implementate asupra",
        "ÎNTOCMIT",
        "Mátyus Kálmán Director executiv",
        "Avizat de Consiliul Comunitar Consultativ",
        "1. Mátyus Kálmán – director executiv DAS – președinte _____",
        "6. Vargha Béla – protopop Romano-Catolic – membru _____",
        "PREȘEDINTE DE ȘEDINȚĂ Kolbász-Kicsid Laura-Anikó",
        "SECRETAR GENERAL Nagy Gabriella",
    ]
    positions = [text.find(part) for part in order]
    assert all(p >= 0 for p in positions), [o for o, p in zip(order, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    bold_titles = [
        run.text
        for p in document.paragraphs
        for run in p.runs
        if run.bold and run.text.endswith(":") and p.style.name == "List Bullet"
    ]
    assert len(bold_titles) == 10 and bold_titles[0] == "Interesul superior al copilului:"
    # the member lines are the seed's, except the seed's missing space in "–membru"
    members = [p for p in paragraphs if re.match(r"^\d\. .+ _____$", p)]
    assert len(members) == 6
    for line in members:
        assert line.replace(" – membru", " –membru") in seed or line in seed
    assert "Cadrul legal" not in text  # the seed cites its law in the introduction only
    assert "Evaluarea anuală" not in text


def test_the_word_document_carries_the_aviz_the_hcl_and_the_evaluation(town):
    with town.scope():
        plan = town.plan()
        first = services.indicators_of(plan)[0]
        services.transition(
            plan,
            PlanStatus.APPROVED,
            {
                "hcl_number": "15",
                "hcl_date": dt.date(2026, 2, 26),
                "referat_number": "1",
                "referat_date": dt.date(2026, 2, 1),
                "raport_number": "2",
                "raport_date": dt.date(2026, 2, 2),
            },
        )
        services.record_values(plan, 2026, 1, [ValueEntry(first.id, 7)])
        services.evaluate(plan, "Primul paragraf.\n\nAl doilea paragraf.")
        db.session.commit()
    document = _docx(town)
    text = " ".join(normalise_whitespace(p.text) for p in document.paragraphs)
    assert "Aprobat prin HCL nr. 15 din 26.02.2026" in text
    assert "Evaluarea anuală a planului pentru anul 2026 Primul paragraf. Al doilea paragraf." in text
    assert "Indicatori cu valori: 1 din 18." in text
    evaluation_table = document.tables[-1]
    first_row = [normalise_whitespace(c.text) for c in evaluation_table.rows[1].cells]
    assert first_row[0] == "Număr de copii identificați" and first_row[2] == "7" and first_row[7] == "7"


def test_targets_appear_next_to_their_indicator(town):
    with town.scope():
        plan = services.from_template(town.tenant, 2027, "builtin")
        services.update_indicator(plan.objectives[0].activities[0].indicators[0], {"target": "25"})
        data = exports.plan_docx(plan)
    table = Document(io.BytesIO(data)).tables[0]
    assert normalise_whitespace(table.rows[1].cells[3].text) == "Număr de copii identificați (țintă: 25 număr)"


# ---------------------------------------------------------------- Excel


def _values(town) -> dict:
    with town.scope():
        live = services.live_values(town.plan(), 2026)
        return {(i, q): (row.value, row.note) for i, by_q in live.items() for q, row in by_q.items()}


def _in_hours(indicators, *positions: int) -> None:
    """Make some seed indicators local ones counted in hours (decimals allowed): the seed's codes are counts."""
    for position in positions:
        indicators[position].code, indicators[position].unit = None, "ore"


def _record_some(town) -> list[int]:
    with town.scope():
        plan = town.plan()
        indicators = services.indicators_of(plan)
        _in_hours(indicators, 1, 8)
        ids = [i.id for i in indicators]
        services.record_values(plan, 2026, 1, [ValueEntry(ids[0], 3, "din fișe"), ValueEntry(ids[1], "2.5")])
        services.record_values(plan, 2026, 2, [ValueEntry(ids[0], 4)])
        services.record_values(plan, 2026, None, [ValueEntry(ids[5], 12)])
        db.session.commit()
        return ids


def _count_values(town) -> int:
    with town.scope():
        return db.session.execute(sa.select(sa.func.count(IndicatorValue.id))).scalar()


def test_the_excel_export_lists_every_indicator_with_its_values(town):
    ids = _record_some(town)
    ws = load_workbook(io.BytesIO(values_export(town)))[exports.SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(exports.COLUMNS)
    assert [r[0] for r in rows[1:]] == ids
    first = dict(zip(exports.COLUMNS, rows[1], strict=True))
    assert (first["T1"], first["T2"], first["T3"], first["Anual"]) == (3, 4, None, None)
    assert first["Indicator"] == "Număr de copii identificați" and first["Cod catalog"] == "children_identified"
    assert first["Obiectiv"].startswith("1. Identificarea")
    assert dict(zip(exports.COLUMNS, rows[2], strict=True))["T1"] == 2.5
    assert dict(zip(exports.COLUMNS, rows[6], strict=True))["Anual"] == 12


def test_the_same_file_round_trips(town):
    _record_some(town)
    before, count = _values(town), _count_values(town)
    data = values_export(town)
    with town.scope():
        summary = exports.import_values_xlsx(town.plan(), data)
        db.session.commit()
    assert (summary.written, summary.unchanged) == (0, 4)
    assert _values(town) == before and _count_values(town) == count


def test_an_edited_file_records_corrections_and_new_values(town):
    ids = _record_some(town)
    changes = {(2, "T1"): 5, (2, "T3"): "6", (3, "T4"): 1.25, (10, "Anual"): "7,5"}
    data = edited_export(values_export(town), changes)
    with town.scope():
        summary = exports.import_values_xlsx(town.plan(), data)
        db.session.commit()
    assert summary.written == 4
    after = _values(town)
    assert after[(ids[0], 1)] == (Decimal(5), "din fișe")  # the note stays with the corrected value
    assert after[(ids[0], 2)] == (Decimal(4), None)
    assert after[(ids[0], 3)][0] == Decimal(6)
    assert after[(ids[1], 4)][0] == Decimal("1.25")
    assert after[(ids[8], None)][0] == Decimal("7.5")
    with town.scope():
        history = services.value_history(services.get_indicator(town.plan(), ids[0]))
        assert [(h.quarter, h.value, h.superseded) for h in history] == [
            (1, Decimal(3), True),
            (1, Decimal(5), False),
            (2, Decimal(4), False),
            (3, Decimal(6), False),
        ]
    # a second time the edited file changes nothing
    with town.scope():
        again = exports.import_values_xlsx(town.plan(), data)
    assert again.written == 0


@pytest.mark.parametrize(
    ("changes", "row", "fragment"),
    [
        ({(3, "ID indicator"): 999999}, "rândul 3", "nu face parte din plan"),
        ({(3, "ID indicator"): "abc"}, "rândul 3", "nu este un număr"),
        ({(4, "T2"): "multe"}, "rândul 4", "T2"),
        ({(4, "T2"): -3}, "rândul 4", "negativă"),
        ({(4, "T2"): 2.5}, "rândul 4", "număr întreg"),  # row 4 counts families: no decimals
        ({(4, "T2"): "2,5"}, "rândul 4", "număr întreg"),
        ({(4, "T2"): 99999999999999}, "rândul 4", "maximul plauzibil (100.000)"),
        ({(4, "T2"): "1,234.56"}, "rândul 4", "„1,234.56” are zecimale"),
        ({(5, "T1"): 1, (5, "Anual"): 4}, "rândul 5", "fie trimestrele, fie coloana Anual"),
        ({(2, "Anual"): 9}, "rândul 2", "fie trimestrele"),
        ({(7, "T1"): 1, (7, "Anual"): None}, "rândul 7", "valoare pe tot anul"),
        ({(3, "ID indicator"): None, (3, "T1"): 5}, "rândul 3", "Lipsește ID-ul"),
        ({(4, "ID indicator"): "{first}"}, "rândul 4", "apare și pe rândul 2"),
    ],
)
def test_a_bad_row_rejects_the_whole_file_and_writes_nothing(town, changes, row, fragment):
    ids = _record_some(town)
    before, count = _values(town), _count_values(town)
    good = {(6, "T1"): 10, (8, "T4"): 2}  # valid edits in the same file are not written either
    changes = {k: (ids[0] if v == "{first}" else v) for k, v in changes.items()}
    data = edited_export(values_export(town), {**good, **changes})
    with town.scope(), pytest.raises(ImportRejectedError) as rejected:
        exports.import_values_xlsx(town.plan(), data)
    assert row in rejected.value.errors
    assert any(fragment in m for m in rejected.value.errors[row]), rejected.value.errors
    assert "nu s-a înregistrat" in rejected.value.message
    assert _values(town) == before and _count_values(town) == count


def test_a_file_that_is_not_the_export_is_refused(town):
    with town.scope():
        plan = town.plan()
        with pytest.raises(ImportRejectedError) as rejected:
            exports.import_values_xlsx(plan, b"not a workbook")
        assert list(rejected.value.errors) == ["file"]
        wb = Workbook()
        wb.active.append(["Altceva"])
        out = io.BytesIO()
        wb.save(out)
        with pytest.raises(ImportRejectedError) as rejected:
            exports.import_values_xlsx(plan, out.getvalue())
        assert "Valori" in rejected.value.errors["file"][0]


def test_a_file_of_another_year_is_refused(town):
    data = values_export(town)
    wb = load_workbook(io.BytesIO(data))
    wb[exports.META_SHEET]["B2"] = 2025
    out = io.BytesIO()
    wb.save(out)
    with town.scope(), pytest.raises(ImportRejectedError) as rejected:
        exports.import_values_xlsx(town.plan(), out.getvalue())
    assert "2025" in rejected.value.errors["file"][0]


def test_the_rejection_report_lists_each_problem(town):
    data = edited_export(values_export(town), {(3, "T1"): "x", (4, "ID indicator"): 123456})
    with town.scope(), pytest.raises(ImportRejectedError) as rejected:
        exports.check_values_xlsx(town.plan(), data)
    report = exports.rejection_report(rejected.value)
    assert "rândul 3: T1:" in report and "rândul 4: Indicatorul cu ID 123456" in report


@pytest.mark.parametrize(
    ("locale", "typed", "stored"), [("ro", "1.000", 1000), ("en", "1,000", 1000), ("hu", "1 000", 1000)]
)
def test_text_cells_are_read_in_the_uploaders_language(town, locale, typed, stored):
    ids = _record_some(town)
    data = edited_export(values_export(town), {(4, "T3"): typed, (6, "T1"): 7})
    with town.scope():
        exports.import_values_xlsx(town.plan(), data, locale=locale)
        db.session.commit()
    after = _values(town)
    assert after[(ids[2], 3)][0] == Decimal(stored) and after[(ids[4], 1)][0] == Decimal(7)


def test_an_english_uploaders_dotted_thousand_is_refused_for_a_count_not_read_as_one(town):
    _record_some(town)
    before = _values(town)
    data = edited_export(values_export(town), {(4, "T3"): "1.000"})
    with town.scope(), pytest.raises(ImportRejectedError) as rejected:
        exports.import_values_xlsx(town.plan(), data, locale="en")
    assert any("număr întreg" in m for m in rejected.value.errors["rândul 4"])
    assert _values(town) == before
