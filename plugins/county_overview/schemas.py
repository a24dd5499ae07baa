"""Marshmallow schemas of the county overview: query arguments (422 naming the field) and answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from core.toolkit import PeriodDate
from plugins.county_overview.jobs import FORMATS, PAGES
from plugins.county_overview.services import COUNCIL_FILTERS, NO_PLAN, PER_PAGE, PLAN_CHAIN, jsonable

STATUS_CHOICES = ("", NO_PLAN, *PLAN_CHAIN)


def _this_year() -> int:
    return dt.date.today().year


class PeriodArgs(ma.Schema):
    """A year, or one quarter of it (query arguments: others, like ``lang``, are ignored)."""

    class Meta:
        unknown = ma.EXCLUDE

    year = fields.Int(load_default=_this_year, validate=validate.Range(2000, 2100))
    quarter = fields.Int(load_default=None, allow_none=True, validate=validate.Range(1, 4))


class CountyArgs(PeriodArgs):
    """The county page's sorting, filtering and compliance date."""

    sort = fields.Str(load_default="name", validate=validate.Length(max=120))
    q = fields.Str(load_default="", validate=validate.Length(max=100))
    status = fields.Str(load_default="", validate=validate.OneOf(STATUS_CHOICES))
    by = fields.Date(load_default=None, allow_none=True, validate=PeriodDate())


class CountyPageArgs(CountyArgs):
    """The county page's filters, page of the table and chart (query arguments of the page, not of the API)."""

    council = fields.Str(load_default="", validate=validate.OneOf(COUNCIL_FILTERS))
    page = fields.Int(load_default=1, validate=validate.Range(1, 100_000))
    per = fields.Str(load_default="50", validate=validate.OneOf([str(n) if n else "all" for n in PER_PAGE]))
    chart = fields.Str(load_default="", validate=validate.Length(max=120))


class ComplianceArgs(PeriodArgs):
    """The compliance list: no plan endorsed on or before ``by``."""

    by = fields.Date(load_default=None, allow_none=True, validate=PeriodDate())


class ExportArgs(CountyArgs):
    """Which page to export, in which format (a request body: unknown fields are refused)."""

    class Meta:
        unknown = ma.RAISE

    page = fields.Str(required=True, validate=validate.OneOf(PAGES))
    format = fields.Str(load_default="xlsx", validate=validate.OneOf(FORMATS))


class RefreshArgs(PeriodArgs):
    """Which period's snapshot to refresh (a request body: unknown fields are refused)."""

    class Meta:
        unknown = ma.RAISE


class CouncilFactsSchema(ma.Schema):
    """A locality's council as the county sees it."""

    council_id = fields.Int()
    name = fields.Str()
    founding_decision_number = fields.Str(allow_none=True)
    founding_decision_date = fields.Date(allow_none=True)
    established_on = fields.Date(allow_none=True)
    trained_on = fields.Date(allow_none=True)
    members = fields.Int()
    members_trained = fields.Int()
    meetings = fields.Int()
    last_meeting = fields.Date(allow_none=True)


class ProjectPartSchema(ma.Schema):
    """A locality's part in a county project."""

    project_id = fields.Int()
    title = fields.Str()
    roles = fields.List(fields.Str())
    employs_staff = fields.Bool()
    creates_council = fields.Bool()


FIGURES = fields.Dict(keys=fields.Str(), values=fields.Decimal(as_string=True, allow_none=True))


class LocalityRowSchema(ma.Schema):
    """One locality of the county page."""

    tenant_id = fields.Int()
    slug = fields.Str()
    name = fields.Str()
    siruta = fields.Int(allow_none=True)
    active = fields.Bool()
    plan_status = fields.Str()
    plan_endorsed_on = fields.Date(allow_none=True)
    endorsed = fields.Bool()
    council = fields.Nested(CouncilFactsSchema, allow_none=True)
    indicators = FIGURES
    projects = fields.List(fields.Nested(ProjectPartSchema))


class TotalsSchema(ma.Schema):
    """The totals row."""

    localities = fields.Int()
    active = fields.Int()
    with_plan = fields.Int()
    endorsed = fields.Int()
    councils = fields.Int()
    councils_trained = fields.Int()
    members = fields.Int()
    members_trained = fields.Int()
    meetings = fields.Int()
    indicators = FIGURES


class IndicatorSchema(ma.Schema):
    """A catalog entry."""

    code = fields.Str()
    label = fields.Str()
    unit = fields.Str()
    aggregation = fields.Str()
    sensitive = fields.Bool()


class SourceSchema(ma.Schema):
    """Where the figures come from."""

    computed_at = fields.AwareDateTime(allow_none=True)
    live = fields.Bool()


class CountyOverviewSchema(SourceSchema):
    """The county page."""

    county = fields.Function(lambda o: o.county.slug)
    period = fields.Function(lambda o: o.period.label)
    indicators = fields.Function(lambda o: [IndicatorSchema().dump(d) for d in o.defs.values()])
    key_codes = fields.List(fields.Str())
    rows = fields.List(fields.Nested(LocalityRowSchema))
    totals = fields.Nested(TotalsSchema)
    sort = fields.Str()


class ComplianceRowSchema(ma.Schema):
    """A locality of the compliance list."""

    slug = fields.Str()
    name = fields.Str()
    plan_status = fields.Str()
    plan_endorsed_on = fields.Date(allow_none=True)


class ComplianceSchema(ma.Schema):
    """The localities without a plan endorsed by a date."""

    by = fields.Date()
    year = fields.Int()
    localities = fields.List(fields.Nested(ComplianceRowSchema))
    computed_at = fields.AwareDateTime(allow_none=True, metadata={"description": "when the snapshot was computed"})
    live = fields.Bool(metadata={"description": "read now (no snapshot for the period) rather than from a snapshot"})


class LocalityDetailSchema(ma.Schema):
    """One locality, read-only, as its county sees it (figures read live)."""

    row = fields.Nested(LocalityRowSchema)
    statuses = fields.Function(lambda d: jsonable(d.statuses))
    members = fields.Function(lambda d: jsonable(d.members))
    live = fields.Bool()


class CouncilRowSchema(ma.Schema):
    """One council of the councils page."""

    slug = fields.Str()
    locality = fields.Str()
    council = fields.Nested(CouncilFactsSchema, allow_none=True)
    planned_by = fields.List(fields.Str())
    plan_status = fields.Str()
    plan_endorsed_on = fields.Date(allow_none=True)
    endorsed = fields.Bool()


class ProgressSchema(ma.Schema):
    """A figure against its target."""

    key = fields.Str()
    label = fields.Str()
    value = fields.Int()
    target = fields.Int(allow_none=True)
    percent = fields.Int(allow_none=True)


class CouncilsOverviewSchema(ma.Schema):
    """The councils page."""

    year = fields.Int()
    rows = fields.List(fields.Nested(CouncilRowSchema))
    progress = fields.List(fields.Nested(ProgressSchema))
    members = fields.Int()
    meetings = fields.Int()


def _shown(figures: dict[str, Any]) -> dict[str, str]:
    return {code: shown.text for code, shown in figures.items()}


class CountyLineSchema(ma.Schema):
    """One county of the national page (figures as published text: a number, "<5", "x" or "*")."""

    slug = fields.Str()
    name = fields.Str()
    localities = fields.Int()
    active_localities = fields.Int()
    endorsed = fields.Int()
    councils = fields.Int()
    figures = fields.Function(lambda o: _shown(o.figures))


class NationalOverviewSchema(SourceSchema):
    """The national page, suppressed."""

    period = fields.Function(lambda o: o.period.label)
    lines = fields.List(fields.Nested(CountyLineSchema))
    totals = fields.Function(lambda o: _shown(o.totals))
    localities = fields.Int()
    active_localities = fields.Int()
    endorsed = fields.Int()
    councils = fields.Int()


class JobStartedSchema(ma.Schema):
    """A job that was started."""

    id = fields.Int()
    kind = fields.Str()
    status = fields.Function(lambda j: str(getattr(j.status, "value", j.status)))
