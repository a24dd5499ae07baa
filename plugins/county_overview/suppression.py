"""Small-count suppression for figures that leave the county (open data, the national page).

Counts about children or families (catalog indicators with ``sensitive=True``)
from 1 to 4 are shown as ``"<5"`` — the *primary* suppression. A published
total must not give them back by subtraction, so a *complementary*
suppression follows, column by column (a column of a table is one indicator;
different indicators are never added together, so rows have no totals):

1. A column's total is published (on the national page at the latest), so
   the rule assumes anyone knows it exactly unless it is itself 1–4 (then it
   shows ``"<5"`` too).
2. Someone who knows the rule knows that a ``"<5"`` cell holds 1–4 and that a
   cell hidden as ``"x"`` holds at least 5 and at most the smallest value
   still shown that is at least 5 (complements are the smallest such cells).
   From the total and the cells shown, the hidden cells' sum is known.
3. While that knowledge leaves a ``"<5"`` cell a single possible value, the
   next-smallest cell shown that is at least 5 is hidden as well (``"x"``).
4. When no such cell is left, the total is hidden (``"x"``).

On the national page the counties' figures are the totals of the counties'
own tables (suppressed the same way), so a county hidden there is hidden
here; since the counties' figures are published in their own tables, hiding
another county would protect nothing: the country's total is hidden instead
whenever a county's figure is.

Only ``sum`` indicators add up; for ``count``, ``avg`` and ``max`` the total
is not a sum of the cells, so only the primary suppression applies.

The threat model is recovery by arithmetic on *everything* published
outside the county — the national page, its Excel and CSV, the counties'
open data and the API, for a year and for each of its quarters — as a
linear-programming attacker would do it (tests/plugins/county_overview/
test_county_differencing.py). Two rules close what one table's suppression
cannot see:

* **Per year only.** A year is the sum of its quarters (Q1 = year − Q2 − Q3
  − Q4), so a quarter's table and its year's would give back each other's
  hidden cells. Sensitive figures leave the county per whole year only; for a
  quarter they are withheld (``"*"``). Figures not about children are never
  suppressed and are published for quarters too.
* **Once a day.** Figures that leave a county come from one snapshot a day,
  the first national one of the day (:func:`core.aggregation.published_snapshot`);
  without one, every figure is withheld. Inside the county the DGASPC still
  sees its localities' exact figures, refreshed when it asks.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

RULES_VERSION = 2
"""Bumped when the rules below change: pages stored with a snapshot are then computed again."""

PRIMARY = "<5"
COMPLEMENT = "x"
WITHHELD = "*"
"""Not published outside the county: a sensitive figure of a quarter, or any figure before the day's snapshot."""
SMALL_LIMIT = Decimal(5)
SMALLEST_SMALL = Decimal(1)
LARGEST_SMALL = Decimal(4)

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Shown:
    """A figure as published: its value, or the mark that hides it."""

    value: Decimal | None
    mark: str | None = None

    @property
    def hidden(self) -> bool:
        return self.mark is not None

    @property
    def text(self) -> str:
        """The figure as text: the mark, ``""`` for no value, or the number (machine form)."""
        if self.mark is not None:
            return self.mark
        if self.value is None:
            return ""
        return format_number(self.value)


@dataclass(frozen=True)
class SuppressedLine(Generic[K]):
    """A column of a table after suppression: its cells and its total."""

    cells: dict[K, Shown]
    total: Shown


@dataclass(frozen=True)
class SuppressedTable(Generic[K]):
    """A table after suppression: ``cells[row][code]`` and ``totals[code]``."""

    cells: dict[K, dict[str, Shown]]
    totals: dict[str, Shown]


def format_number(value: Decimal) -> str:
    """``12``, ``2.5``: no exponent, no trailing zeros."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def is_small(value: Decimal | int | None) -> bool:
    """Whether a count must be hidden as ``"<5"`` (strictly between 0 and 5)."""
    return value is not None and 0 < Decimal(value) < SMALL_LIMIT


def _exact(value: Decimal | int | None) -> Shown:
    return Shown(None if value is None else Decimal(value))


def _total_shown(total: Decimal | None) -> Shown:
    return Shown(total, PRIMARY) if is_small(total) else Shown(total)


def protected(
    primaries: int, complements: int, hidden_sum: tuple[Decimal, Decimal] | None, ceiling: Decimal | None
) -> bool:
    """Whether every ``"<5"`` cell of a line keeps at least two possible values.

    ``hidden_sum`` is the range of the hidden cells' sum that the published
    figures give (``None`` when the total is hidden); ``ceiling`` the largest
    value a complement can hold (the smallest value ≥ 5 still shown, ``None``
    when there is none).
    """
    if primaries == 0 or hidden_sum is None:
        return True
    others_low = (primaries - 1) * SMALLEST_SMALL + complements * SMALL_LIMIT
    if complements and ceiling is None:
        others_high: Decimal | None = None
    else:
        others_high = (primaries - 1) * LARGEST_SMALL + complements * (ceiling or 0)
    sum_low, sum_high = hidden_sum
    low = SMALLEST_SMALL if others_high is None else max(SMALLEST_SMALL, sum_low - others_high)
    high = min(LARGEST_SMALL, sum_high - others_low)
    return high - low >= 1


def suppress_line(
    cells: Mapping[K, Decimal | int | None],
    total: Decimal | int | None = None,
    *,
    additive: bool = True,
    complement_cells: bool = True,
) -> SuppressedLine[K]:
    """Suppress one column: ``"<5"`` for counts 1–4, then complements as the module explains.

    ``total`` defaults to the sum of the cells. ``additive`` is False for
    totals that are not sums (count, avg, max): then only the primary
    suppression applies. ``complement_cells`` False means the cells are
    published elsewhere, so only the total may serve as the complement.
    """
    order = list(cells)
    values = {k: (None if cells[k] is None else Decimal(cells[k])) for k in order}
    if total is None and additive:
        total = sum((v for v in values.values() if v is not None), Decimal(0))
    total = None if total is None else Decimal(total)
    primaries = [k for k in order if is_small(values[k])]
    shown: dict[K, Shown] = {
        k: Shown(values[k], PRIMARY) if k in primaries else _exact(values[k]) for k in order
    }
    total_shown = _total_shown(total)
    if not additive or not primaries:
        return SuppressedLine(shown, total_shown)
    complements: list[K] = []
    while True:
        visible = [k for k in order if not shown[k].hidden]
        visible_sum = sum((values[k] or Decimal(0) for k in visible), Decimal(0))
        candidates = sorted(
            (k for k in visible if values[k] is not None and values[k] >= SMALL_LIMIT),
            key=lambda k: (values[k], order.index(k)),
        )
        if total_shown.hidden and total_shown.mark == PRIMARY:
            hidden_sum = (SMALLEST_SMALL - visible_sum, LARGEST_SMALL - visible_sum)
        elif total_shown.hidden:
            hidden_sum = None
        else:
            known = total or Decimal(0)
            hidden_sum = (known - visible_sum, known - visible_sum)
        ceiling = values[candidates[0]] if candidates else None
        if protected(len(primaries), len(complements), hidden_sum, ceiling):
            break
        if complement_cells and candidates:
            chosen = candidates[0]
            complements.append(chosen)
            shown[chosen] = Shown(values[chosen], COMPLEMENT)
            continue
        total_shown = Shown(total, COMPLEMENT)
    return SuppressedLine(shown, total_shown)


def suppress_columns(
    rows: Mapping[K, Mapping[str, Decimal | None]],
    totals: Mapping[str, Decimal | None],
    codes: Iterable[str],
    sensitive: Mapping[str, bool],
    additive: Mapping[str, bool],
) -> SuppressedTable[K]:
    """Suppress every sensitive column of a table of localities (a county's open data)."""
    cells: dict[K, dict[str, Shown]] = {key: {} for key in rows}
    shown_totals: dict[str, Shown] = {}
    for code in codes:
        column = {key: rows[key].get(code) for key in rows}
        if sensitive.get(code):
            line = suppress_line(column, totals.get(code), additive=additive.get(code, False))
            for key, shown in line.cells.items():
                cells[key][code] = shown
            shown_totals[code] = line.total
        else:
            for key, value in column.items():
                cells[key][code] = _exact(value)
            shown_totals[code] = _exact(totals.get(code))
    return SuppressedTable(cells, shown_totals)


def suppress_national(
    county_figures: Mapping[K, Mapping[str, Shown]],
    country_totals: Mapping[str, Decimal | None],
    codes: Iterable[str],
    sensitive: Mapping[str, bool],
    additive: Mapping[str, bool],
) -> SuppressedTable[K]:
    """The national table: each county's figure as its own table's total shows it; the country's hidden if needed.

    ``county_figures[county][code]`` is the total row of the county's own
    open-data table (:func:`suppress_columns`, or :func:`county_totals`).
    """
    cells: dict[K, dict[str, Shown]] = {key: dict(figures) for key, figures in county_figures.items()}
    shown_totals: dict[str, Shown] = {}
    for code in codes:
        total = country_totals.get(code)
        if not sensitive.get(code):
            shown_totals[code] = _exact(total)
            continue
        any_hidden = any(cells[key].get(code, Shown(None)).hidden for key in cells)
        if additive.get(code, False) and any_hidden:
            shown_totals[code] = Shown(None if total is None else Decimal(total), COMPLEMENT)
        else:
            shown_totals[code] = _total_shown(None if total is None else Decimal(total))
    return SuppressedTable(cells, shown_totals)


def county_totals(
    rows: Mapping[K, Mapping[str, Decimal | None]],
    totals: Mapping[str, Decimal | None],
    codes: Iterable[str],
    sensitive: Mapping[str, bool],
    additive: Mapping[str, bool],
) -> dict[str, Shown]:
    """The total row of a county's open-data table, without building the whole table (the national page)."""
    out: dict[str, Shown] = {}
    for code in codes:
        if sensitive.get(code):
            column = {key: rows[key].get(code) for key in rows}
            out[code] = suppress_line(column, totals.get(code), additive=additive.get(code, False)).total
        else:
            out[code] = _exact(totals.get(code))
    return out


def withheld_codes(sensitive: Mapping[str, bool], quarter: int | None, published: bool) -> set[str]:
    """The codes a publication withholds whole: all before the day's snapshot, the sensitive ones of a quarter."""
    if not published:
        return set(sensitive)
    if quarter is not None:
        return {code for code, is_sensitive in sensitive.items() if is_sensitive}
    return set()


def withhold(table: SuppressedTable[K], codes: Iterable[str]) -> SuppressedTable[K]:
    """``table`` with every cell and total of ``codes`` replaced by :data:`WITHHELD` (no value kept)."""
    hidden = set(codes)
    if not hidden:
        return table
    mark = Shown(None, WITHHELD)
    cells = {key: {c: (mark if c in hidden else s) for c, s in row.items()} for key, row in table.cells.items()}
    totals = {c: (mark if c in hidden else s) for c, s in table.totals.items()}
    return SuppressedTable(cells, totals)
