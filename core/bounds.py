"""What dates and years the platform accepts, for the API's schemas and the pages' forms alike.

* a **document date** (an aviz, an HCL, an expenditure, a meeting, a training…)
  lies between 2000-01-01 and today (Romanian calendar): nothing is recorded
  before the platform's oldest programmes, nor in the future;
* a **period date** (a project's planned start and end, a report's range, a
  filter) lies between 2000-01-01 and the end of the last plan year;
* a **plan or report year** lies between 2020 and this year + 5.

Outside them a value is bad input (422 naming the field, a form error), never
a date arithmetic overflow turned into a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_babel import gettext
from marshmallow import ValidationError
from marshmallow.validate import Range, Validator
from wtforms.validators import ValidationError as FormValidationError

from core.text import N_, Message

EARLIEST_DATE = dt.date(2000, 1, 1)
"""The oldest date any record may carry."""

FIRST_YEAR = 2020
"""The first year a plan or a report may be for."""

YEARS_AHEAD = 5
"""How many years after the current one a plan or a report may be for."""

_ZONE = ZoneInfo("Europe/Bucharest")

DATE_MESSAGE = N_("Data trebuie să fie între %(first)s și %(last)s.")
YEAR_MESSAGE = N_("Anul trebuie să fie între %(first)s și %(last)s.")


def today() -> dt.date:
    """Today in Romania."""
    return dt.datetime.now(_ZONE).date()


def year_range() -> tuple[int, int]:
    """The first and the last year a plan or a report may be for."""
    return FIRST_YEAR, today().year + YEARS_AHEAD


def document_range() -> tuple[dt.date, dt.date]:
    """The first and the last date a document may carry."""
    return EARLIEST_DATE, today()


def period_range() -> tuple[dt.date, dt.date]:
    """The first and the last date a period (a plan, a report, a filter) may touch."""
    return EARLIEST_DATE, dt.date(year_range()[1], 12, 31)


def _say(msgid: str, **params: Any) -> str:
    """The message in the reader's language inside a request; the Romanian :class:`Message` elsewhere."""
    if has_request_context():
        return gettext(msgid, **params)
    return Message(msgid, **params)


def _date_problem(value: Any, bounds: tuple[dt.date, dt.date]) -> str | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return None
    first, last = bounds
    if first <= value <= last:
        return None
    return _say(DATE_MESSAGE, first=first.strftime("%d.%m.%Y"), last=last.strftime("%d.%m.%Y"))


def document_date_problem(value: Any) -> str | None:
    """Why ``value`` is no acceptable document date, or ``None``."""
    return _date_problem(value, document_range())


def period_date_problem(value: Any) -> str | None:
    """Why ``value`` is no acceptable period date, or ``None``."""
    return _date_problem(value, period_range())


def year_problem(value: Any) -> str | None:
    """Why ``value`` is no acceptable plan or report year, or ``None``."""
    first, last = year_range()
    if isinstance(value, int) and not isinstance(value, bool) and first <= value <= last:
        return None
    return _say(YEAR_MESSAGE, first=str(first), last=str(last))


class _Check(Validator):
    problem = staticmethod(document_date_problem)

    def __call__(self, value: Any) -> Any:
        if value is not None and (message := self.problem(value)):
            raise ValidationError(message)
        return value


class DocumentDate(_Check):
    """marshmallow: a document date (2000-01-01 … today)."""

    problem = staticmethod(document_date_problem)


class PeriodDate(_Check):
    """marshmallow: a period date (2000-01-01 … the end of the last plan year)."""

    problem = staticmethod(period_date_problem)


class PlanYear(Range):
    """marshmallow: a plan or report year (2020 … this year + 5), documented as such in the OpenAPI."""

    def __init__(self) -> None:
        super().__init__(min=FIRST_YEAR, max=FIRST_YEAR)

    # the bounds follow the calendar (a long-running process crosses New Year); apispec reads them from here
    min = property(lambda self: year_range()[0], lambda self, value: None)
    max = property(lambda self: year_range()[1], lambda self, value: None)

    def __call__(self, value: Any) -> Any:
        if value is not None and (message := year_problem(value)):
            raise ValidationError(message)
        return value


class _FormCheck:
    problem = staticmethod(document_date_problem)

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and (message := self.problem(field.data)):
            raise FormValidationError(message)


class DocumentDateRange(_FormCheck):
    """WTForms: a document date (2000-01-01 … today)."""

    problem = staticmethod(document_date_problem)


class PeriodDateRange(_FormCheck):
    """WTForms: a period date (2000-01-01 … the end of the last plan year)."""

    problem = staticmethod(period_date_problem)


class PlanYearRange(_FormCheck):
    """WTForms: a plan or report year (2020 … this year + 5)."""

    problem = staticmethod(year_problem)
