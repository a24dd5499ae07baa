"""The national indicator catalog codes this plugin contributes (the codes of the seed's indicators)."""

from __future__ import annotations

from flask import has_app_context

from core.toolkit import (
    IndicatorDef,
    NumberKind,
    aggregation,
)

# fmt: off
# ONE table: every code this plugin contributes and what its numbers are. `max` is what one locality
# plausibly reports for one year; codes of one group count the same people and are never added together
# (the children identified, and the same children identified and registered in the national register).
#  code                      kind     max         group               shown  sensitive  unit
#      label
TABLE: tuple[tuple[str, NumberKind, int, str | None, bool, bool, str, str], ...] = (
    ("children_identified",     "count", 100_000,    "children_at_risk", True,  True,      "copii",
        "Copii identificați în risc de separare de familie"),
    ("children_registered",     "count", 100_000,    "children_at_risk", False, True,      "copii",
        "Copii identificați și înregistrați în Observatorul Național al Copilului"),
    ("families_identified",     "count", 100_000,    None,               True,  True,      "familii",
        "Familii vulnerabile identificate și înregistrate"),
    ("counselling_sessions",    "count", 100_000,    None,               True,  False,     "ședințe",
        "Ședințe de consiliere"),
    ("persons_counselled",      "count", 100_000,    None,               True,  True,      "persoane",
        "Persoane consiliate"),
    ("persons_trained",         "count", 100_000,    None,               True,  False,     "persoane",
        "Persoane formate"),
    ("campaigns",               "count", 1_000,      None,               False, False,     "campanii",
        "Campanii de informare realizate"),
    ("information_materials",   "count", 1_000_000,  None,               False, False,     "materiale",
        "Materiale informative elaborate"),
    ("parenting_workshops",     "count", 10_000,     None,               False, False,     "ateliere",
        "Ateliere de parenting organizate"),
    ("partnerships",            "count", 1_000,      None,               False, False,     "parteneriate",
        "Parteneriate încheiate"),
    ("protocols_signed",        "count", 1_000,      None,               False, False,     "protocoale",
        "Protocoale de intervenție semnate"),
    ("institutions_involved",   "count", 1_000,      None,               False, False,     "instituții",
        "Instituții implicate în protocoale"),
    ("resource_databases",      "count", 1_000,      None,               False, False,     "baze de date",
        "Baze de date cu resursele comunității"),
    ("volunteer_contracts",     "count", 10_000,     None,               False, False,     "contracte",
        "Contracte de voluntariat încheiate"),
    ("service_plans_monitored", "count", 100_000,    None,               True,  True,      "planuri",
        "Planuri de servicii monitorizate"),
    ("evaluations",             "count", 1_000,      None,               False, False,     "evaluări",
        "Evaluări anuale ale planului realizate"),
    ("day_centres_operating",   "count", 1_000,      None,               False, False,     "centre",
        "Centre de zi funcționale"),
    ("day_centres_created",     "count", 1_000,      None,               False, False,     "centre",
        "Centre de zi înființate"),
)
# fmt: on

CATALOG = tuple(
    IndicatorDef(
        code,
        label,
        unit,
        sensitive=sensitive,
        kind=kind,
        max=maximum,
        summable_group=group,
        shown_by_default=shown,
    )
    for code, kind, maximum, group, shown, sensitive, unit, label in TABLE
)
DEFINITIONS = {d.code: d for d in CATALOG}

UNIT_KINDS: dict[str, NumberKind] = {"lei": "money", "procent": "percent", "ore": "decimal"}
"""The kind of an uncoded local indicator, by its unit (anything else is counted)."""

LOCAL_MAX: dict[str, int] = {"count": 1_000_000, "decimal": 1_000_000, "money": 10**11, "percent": 100}
"""The largest value of an uncoded local indicator, by kind."""


def _app_catalog() -> dict[str, IndicatorDef]:
    return aggregation.catalog() if has_app_context() else {}


def known_codes() -> set[str]:
    """Every code of the app's catalog (all plugins), or this plugin's own outside an app."""
    return {d.code for d in CATALOG} | set(_app_catalog())


def catalog_choices() -> list[tuple[str, str]]:
    """``(code, label)`` pairs for a select box, sorted by label."""
    labels = {d.code: d.label for d in CATALOG}
    for code, definition in _app_catalog().items():
        labels.setdefault(code, definition.label)
    return sorted(labels.items(), key=lambda item: item[1])


def number_rules(code: str | None, unit: str | None) -> tuple[NumberKind, int]:
    """``(kind, max)`` of an indicator's values: the catalog's when it is coded, else by its unit."""
    definition = DEFINITIONS.get(code or "") or (_app_catalog().get(code) if code else None)
    if definition is not None:
        return definition.kind, int(definition.max or LOCAL_MAX[definition.kind])
    kind = UNIT_KINDS.get(unit or "", "count")
    return kind, LOCAL_MAX[kind]
