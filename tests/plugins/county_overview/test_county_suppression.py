"""Small-count suppression: no count 1–4 visible, none derivable by subtracting from a total."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.county_overview.suppression import (
    COMPLEMENT,
    PRIMARY,
    Shown,
    SuppressedLine,
    county_totals,
    suppress_columns,
    suppress_line,
    suppress_national,
)

SEARCH_CEILING = 400
"""How far an attacker's search goes for a hidden cell with no published upper bound."""


def _ranges(line: SuppressedLine, skip: object = None) -> list[range]:
    """What an attacker knows of each hidden cell (other than ``skip``) from the published line and the rule."""
    shown_big = [s.value for s in line.cells.values() if not s.hidden and s.value is not None and s.value >= 5]
    ceiling = int(min(shown_big)) if shown_big else SEARCH_CEILING
    out = []
    for key, shown in line.cells.items():
        if key == skip or not shown.hidden:
            continue
        out.append(range(1, 5) if shown.mark == PRIMARY else range(5, ceiling + 1))
    return out


def _sums(ranges: list[range], limit: int) -> set[int]:
    """Every sum the hidden cells can make (dynamic programming over plain sets)."""
    sums = {0}
    for r in ranges:
        sums = {s + v for s in sums for v in r if s + v <= limit}
    return sums


def possible_values(line: SuppressedLine, key: object) -> set[int]:
    """The values a ``"<5"`` cell can hold given everything published (brute force, independent of the rule)."""
    visible = sum(int(s.value) for s in line.cells.values() if not s.hidden and s.value is not None)
    limit = SEARCH_CEILING * (len(line.cells) + 1)
    others = _sums(_ranges(line, skip=key), limit)
    if line.total.mark == COMPLEMENT:
        return {1, 2, 3, 4}
    totals = range(1, 5) if line.total.mark == PRIMARY else [int(line.total.value or 0)]
    return {v for v in range(1, 5) for t in totals if (t - visible - v) in others}


def assert_safe(line: SuppressedLine, raw: dict[object, int], total: int | None = None) -> None:
    for key, shown in line.cells.items():
        assert shown.hidden or not (0 < raw[key] < 5), f"cell {key}={raw[key]} visible"
        if shown.mark == PRIMARY:
            assert 0 < raw[key] < 5
            assert len(possible_values(line, key)) >= 2, f"cell {key}={raw[key]} derivable in {line}"
        if not shown.hidden:
            assert shown.value == raw[key]
    if not line.total.hidden:
        assert not (0 < (line.total.value or 0) < 5)
        if total is not None:
            assert line.total.value == total


def test_crafted_county_column() -> None:
    raw = {"Balș": 3, "Caracal": 0, "Corabia": 12, "Drăgănești": 7, "Izbiceni": 0, "Slatina": 25}
    line = suppress_line(raw)
    texts = {k: s.text for k, s in line.cells.items()}
    assert texts == {"Balș": "<5", "Caracal": "0", "Corabia": "12", "Drăgănești": "x", "Izbiceni": "0", "Slatina": "25"}
    assert line.total.text == "47"
    # 47 - 12 - 25 = 10 = Balș + Drăgănești, Drăgănești being 5..12 (the smallest shown ≥ 5 is 12): Balș is 1..4
    assert possible_values(line, "Balș") == {1, 2, 3, 4}
    assert_safe(line, raw, 47)


def test_two_small_cells_protect_each_other() -> None:
    raw = {"a": 3, "b": 1, "c": 12}
    line = suppress_line(raw)
    assert [s.text for s in line.cells.values()] == ["<5", "<5", "12"]
    assert possible_values(line, "a") == {1, 2, 3}
    assert_safe(line, raw, 16)


def test_one_small_cell_gets_a_complement() -> None:
    line = suppress_line({"a": 2, "b": 9, "c": 30})
    assert [s.text for s in line.cells.values()] == ["<5", "x", "30"]
    assert line.total.text == "41"


def test_total_hidden_when_no_complement_can_protect() -> None:
    # 6 = 1 + 5: with the total known, hiding the 5 still pins the 1 (1..4 + ≥5 = 6)
    line = suppress_line({"a": 1, "b": 5, "c": 0})
    assert line.cells["a"].text == "<5"
    assert line.total.text == COMPLEMENT
    assert_safe(line, {"a": 1, "b": 5, "c": 0})


def test_four_ones_do_not_show_a_small_total() -> None:
    raw = {i: 1 for i in range(4)} | {9: 0}
    line = suppress_line(raw)
    assert all(line.cells[i].text == PRIMARY for i in range(4))
    assert line.total.hidden
    assert_safe(line, raw)


def test_no_small_counts_means_no_suppression() -> None:
    line = suppress_line({"a": 0, "b": 5, "c": 17})
    assert [s.text for s in line.cells.values()] == ["0", "5", "17"]
    assert line.total.text == "22"


def test_non_additive_column_gets_only_primary_suppression() -> None:
    line = suppress_line({"a": 3, "b": 8}, Decimal("5.5"), additive=False)
    assert [s.text for s in line.cells.values()] == ["<5", "8"]
    assert line.total.text == "5.5"


counts = st.one_of(st.integers(0, 4), st.integers(0, 12), st.integers(0, 60))


@settings(max_examples=400, deadline=None)
@given(st.lists(counts, min_size=1, max_size=7))
def test_no_small_count_visible_or_derivable(values: list[int]) -> None:
    raw = dict(enumerate(values))
    line = suppress_line(raw)
    assert_safe(line, raw, sum(values))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(counts, min_size=1, max_size=5), min_size=1, max_size=5))
def test_national_table_agrees_with_county_tables(counties: list[list[int]]) -> None:
    tables = {}
    for c, localities in enumerate(counties):
        rows = {(c, i): {"children": Decimal(v)} for i, v in enumerate(localities)}
        tables[c] = suppress_columns(
            rows, {"children": Decimal(sum(localities))}, ["children"], {"children": True}, {"children": True}
        )
        column = {k: cells["children"] for k, cells in tables[c].cells.items()}
        line = SuppressedLine(column, tables[c].totals["children"])
        assert_safe(line, {(c, i): v for i, v in enumerate(localities)}, sum(localities))
    country = sum(sum(c) for c in counties)
    flags = {"children": True}
    figures = {c: table.totals for c, table in tables.items()}
    national = suppress_national(figures, {"children": Decimal(country)}, ["children"], flags, flags)
    for c, localities in enumerate(counties):
        rows = {(c, i): {"children": Decimal(v)} for i, v in enumerate(localities)}
        assert county_totals(rows, {"children": Decimal(sum(localities))}, ["children"], flags, flags) == \
            tables[c].totals
    for c in tables:
        assert national.cells[c]["children"] == tables[c].totals["children"]
        shown = national.cells[c]["children"]
        assert shown.hidden or not (0 < sum(counties[c]) < 5)
    county_hidden = any(national.cells[c]["children"].hidden for c in tables)
    if county_hidden:
        assert national.totals["children"].hidden
    else:
        assert national.totals["children"] in (Shown(Decimal(country)), Shown(Decimal(country), PRIMARY))


def test_non_sensitive_columns_are_exact() -> None:
    rows = {"a": {"councils": Decimal(1), "children": Decimal(2)},
            "b": {"councils": Decimal(3), "children": Decimal(40)}}
    table = suppress_columns(
        rows, {"councils": Decimal(4), "children": Decimal(42)}, ["councils", "children"],
        {"councils": False, "children": True}, {"councils": True, "children": True},
    )
    assert table.cells["a"]["councils"].text == "1"
    assert table.totals["councils"].text == "4"
    assert table.cells["a"]["children"].text == "<5"
    assert table.cells["b"]["children"].text == "x" or table.totals["children"].hidden
