"""The approval chain's document checks: real numbers, no future dates, the steps' dates in their order.

The chain is DAS draft → submitted to the council → the council's aviz → the
DAS's raport de specialitate and the mayor's referat de aprobare → HCL. A date
may not be later than today (Romania's day), and the documents follow one
another: submission ≤ aviz ≤ raport, referat ≤ HCL ≤ today; a plan reaches the
council only with at least one objective, activity and indicator. Every
problem is reported at once, keyed by the field it is about. Flask-free.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from core.toolkit import N_

NUMBER_FIELDS = ("aviz_number", "hcl_number", "referat_number", "raport_number")
DATE_FIELDS = ("submitted_on", "aviz_date", "hcl_date", "referat_date", "raport_date")


def romanian_today() -> dt.date:
    """Today's date in Romania (Europe/Bucharest): what "in the future" is measured against."""
    return dt.datetime.now(ZoneInfo("Europe/Bucharest")).date()


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def blank_numbers(data: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    """A document number made only of spaces is no number (it was stored as none before)."""
    for name in NUMBER_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value and not value.strip():
            _add(errors, name, N_("Numărul documentului nu poate fi format doar din spații."))


def future_dates(data: Mapping[str, Any], errors: dict[str, list[str]], today: dt.date) -> None:
    """No document of the chain is dated after today."""
    for name in DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, dt.date) and value > today:
            _add(errors, name, N_("Data nu poate fi în viitor."))


def content_reaches_the_council(
    objectives: int, activities: int, indicators: int, errors: dict[str, list[str]]
) -> None:
    """A plan goes to the council only with at least one objective, one activity and one indicator."""
    if not objectives:
        _add(errors, "plan", N_("Planul nu poate fi transmis consiliului fără niciun obiectiv strategic."))
    if not activities:
        _add(errors, "plan", N_("Planul nu poate fi transmis consiliului fără nicio activitate."))
    if not indicators:
        _add(errors, "plan", N_("Planul nu poate fi transmis consiliului fără niciun indicator."))


def aviz_order(aviz_date: dt.date | None, submitted_on: dt.date | None, errors: dict[str, list[str]]) -> None:
    """The aviz comes after the plan was sent to the council."""
    if aviz_date and submitted_on and aviz_date < submitted_on:
        _add(errors, "aviz_date", N_("Avizul nu poate fi anterior transmiterii planului către consiliu."))


def hcl_order(data: Mapping[str, Any], aviz_date: dt.date | None, errors: dict[str, list[str]]) -> None:
    """aviz ≤ raport; raport and referat ≤ HCL; the HCL after the aviz."""
    hcl, raport, referat = data.get("hcl_date"), data.get("raport_date"), data.get("referat_date")
    if hcl and aviz_date and hcl < aviz_date:
        _add(errors, "hcl_date", N_("HCL nu poate fi anterioară avizului consiliului consultativ."))
    if raport and aviz_date and raport < aviz_date:
        _add(errors, "raport_date", N_("Raportul de specialitate nu poate fi anterior avizului consiliului."))
    for name, value in (("referat_date", referat), ("raport_date", raport)):
        if value and hcl and value > hcl:
            _add(errors, name, N_("Documentul trebuie să fie anterior HCL."))
