"""The national indicator catalog codes this plugin contributes (the measurable results of the PIN 2/2008 seed)."""

from __future__ import annotations

from core.toolkit import IndicatorDef, NumberKind

# fmt: off
# ONE table: every code this plugin contributes and what its numbers are. `max` is what one locality
# plausibly reports for one year; codes of one group count the same people and are never added together.
#  code                      kind     max        group  shown  sensitive  unit
#      label
TABLE: tuple[tuple[str, NumberKind, int, str | None, bool, bool, str, str], ...] = (
    ("councils_created",        "count", 1_000,     None,  True,  False,     "structuri",
        "Consilii comunitare consultative înființate"),
    ("councils_trained",        "count", 1_000,     None,  True,  False,     "structuri",
        "Consilii comunitare consultative formate"),
    ("persons_trained",         "count", 100_000,   None,  True,  False,     "persoane",
        "Persoane formate"),
    ("service_plans",           "count", 100_000,   None,  True,  True,      "copii",
        "Copii cu plan de servicii pentru prevenirea separării de familie"),
    ("staff_employed",          "count", 10_000,    None,  False, False,     "persoane",
        "Persoane angajate cu atribuții de asistență socială"),
    ("workshop_participants",   "count", 100_000,   None,  False, False,     "persoane",
        "Participanți la ateliere de lucru"),
)
# fmt: on

CATALOG: tuple[IndicatorDef, ...] = tuple(
    IndicatorDef(
        code, label, unit, sensitive=sensitive, kind=kind, max=maximum, summable_group=group, shown_by_default=shown
    )
    for code, kind, maximum, group, shown, sensitive, unit, label in TABLE
)
CATALOG_CODES = tuple(d.code for d in CATALOG)
CATALOG_BY_CODE = {d.code: d for d in CATALOG}
