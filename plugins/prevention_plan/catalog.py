"""The national indicator catalog codes this plugin contributes (the codes of the seed's indicators)."""

from __future__ import annotations

from flask import has_app_context

from core.toolkit import IndicatorDef, aggregation

CATALOG = (
    IndicatorDef("children_identified", "Copii identificați în risc de separare de familie", "copii", sensitive=True),
    IndicatorDef("families_identified", "Familii vulnerabile identificate și înregistrate", "familii", sensitive=True),
    IndicatorDef("counselling_sessions", "Ședințe de consiliere", "ședințe"),
    IndicatorDef("persons_counselled", "Persoane consiliate", "persoane", sensitive=True),
    IndicatorDef("persons_trained", "Persoane formate", "persoane"),
    IndicatorDef("campaigns", "Campanii de informare realizate", "campanii"),
    IndicatorDef("information_materials", "Materiale informative elaborate", "materiale"),
    IndicatorDef("parenting_workshops", "Ateliere de parenting organizate", "ateliere"),
    IndicatorDef("partnerships", "Parteneriate încheiate", "parteneriate"),
    IndicatorDef("protocols_signed", "Protocoale de intervenție semnate", "protocoale"),
    IndicatorDef("institutions_involved", "Instituții implicate în protocoale", "instituții"),
    IndicatorDef("resource_databases", "Baze de date cu resursele comunității", "baze de date"),
    IndicatorDef("volunteer_contracts", "Contracte de voluntariat încheiate", "contracte"),
    IndicatorDef("service_plans_monitored", "Planuri de servicii monitorizate", "planuri", sensitive=True),
    IndicatorDef("evaluations", "Evaluări anuale ale planului realizate", "evaluări"),
    IndicatorDef("day_centres_operating", "Centre de zi funcționale", "centre", aggregation="sum"),
    IndicatorDef("day_centres_created", "Centre de zi înființate", "centre"),
)


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
