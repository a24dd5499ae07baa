"""Marshmallow schemas of the PIN-project API: every write goes through one.

Amounts and quantities travel as strings with two decimals (``"182850.00"``)
so no client ever sees a float; input may be a JSON number or a string and
is refused with more than two decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.toolkit import (
    MAX_ID,
    DocumentDate,
    PeriodDate,
)
from plugins.pin_project.models import ActivityStatus, Comparator, ProjectStatus

CENT = Decimal("0.01")
POSITION = validate.Range(min=1, max=9_999)
"""Positions and numbers in a list (a larger one would not fit the database's integers)."""
ID = validate.Range(min=1, max=MAX_ID)
"""An id sent in a body: one the database's integer columns can hold (others are refused, not looked up)."""
MAX_AMOUNT = Decimal("9999999999.99")
"""The largest amount a ``Money`` column (``Numeric(14, 2)``) takes with room for sums."""


class Amount(fields.Decimal):
    """A Decimal with at most two decimals, sent as a string ``"1234.50"``."""

    def __init__(self, *, positive: bool = False, **kwargs: Any) -> None:
        super().__init__(as_string=True, **kwargs)
        self.positive = positive

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return f"{Decimal(value).quantize(CENT)}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool):
            raise ValidationError("Nu este un număr.")
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        number = super()._deserialize(value, attr, data, **kwargs)
        if number != number.quantize(CENT):
            raise ValidationError("Cel mult două zecimale.")
        if number > MAX_AMOUNT:
            raise ValidationError("Suma este prea mare.")
        if number < 0 or (self.positive and number == 0):
            raise ValidationError("Suma trebuie să fie pozitivă." if self.positive else "Nu poate fi negativ.")
        return number


class VersionedSchema(Schema):
    """Adds the optimistic-locking ``version`` (sent back on update; 409 when stale)."""

    version = fields.Integer(load_default=None, allow_none=True)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Câmp obligatoriu.")


def _text(**kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=kwargs.pop("max", 10_000)), _not_blank], **kwargs)


# --------------------------------------------------------------------------- programme and project


class PinProgrammeSchema(VersionedSchema):
    id = fields.Integer(dump_only=True)
    code = _text(required=True, max=50)
    name = _text(required=True, max=500)
    funder_name = _text(required=True, max=300)
    funder_acronym = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))


class PinProgrammePatchSchema(PinProgrammeSchema):
    code = _text(max=50)
    name = _text(max=500)
    funder_name = _text(max=300)
    funder_acronym = fields.String(allow_none=True, validate=validate.Length(max=30))


class PinProgrammeRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    funder_name = fields.String()
    funder_acronym = fields.String(allow_none=True)


class PinProjectSchema(VersionedSchema):
    id = fields.Integer(dump_only=True)
    programme_id = fields.Integer(required=True, validate=ID)
    programme = fields.Nested(PinProgrammeRefSchema, dump_only=True)
    title = _text(required=True, max=500)
    purpose = fields.String(load_default=None, allow_none=True)
    budget_total = Amount(required=True)
    currency = fields.String(load_default="RON", validate=validate.OneOf(["RON"]))
    start_date = fields.Date(required=True, validate=PeriodDate())
    end_date = fields.Date(required=True, validate=PeriodDate())
    period_text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    status = fields.String(
        load_default=ProjectStatus.PLANNED.value, validate=validate.OneOf([s.value for s in ProjectStatus])
    )

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ValidationError("Data de sfârșit este înaintea datei de început.", "end_date")


class PinProjectPatchSchema(VersionedSchema):
    programme_id = fields.Integer(validate=ID)
    title = _text(max=500)
    purpose = fields.String(allow_none=True)
    budget_total = Amount()
    currency = fields.String(validate=validate.OneOf(["RON"]))
    start_date = fields.Date(validate=PeriodDate())
    end_date = fields.Date(validate=PeriodDate())
    period_text = fields.String(allow_none=True, validate=validate.Length(max=200))
    status = fields.String(validate=validate.OneOf([s.value for s in ProjectStatus]))


class PinProjectListSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    programme = fields.Nested(PinProgrammeRefSchema)
    budget_total = Amount()
    start_date = fields.Date()
    end_date = fields.Date()
    status = fields.String()


class PinTextItemSchema(Schema):
    """An objective or a target group."""

    id = fields.Integer(dump_only=True)
    position = fields.Integer(load_default=None, allow_none=True, validate=POSITION)
    text = _text(required=True)


class PinTextItemPatchSchema(Schema):
    position = fields.Integer(validate=POSITION)
    text = _text()


class PinLocalitySchema(Schema):
    id = fields.Integer(dump_only=True)
    locality_tenant_id = fields.Integer(required=True, validate=ID)
    name = fields.Function(lambda link: link.locality.display_name, dump_only=True)
    siruta = fields.Function(lambda link: link.locality.siruta, dump_only=True)
    employs_staff = fields.Boolean(load_default=False)
    creates_council = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True)
    roles = fields.Function(lambda link: _roles(link), dump_only=True)


def _roles(link: Any) -> list[str]:
    from plugins.pin_project.services import locality_roles

    return locality_roles(link)


class PinLocalityPatchSchema(Schema):
    employs_staff = fields.Boolean()
    creates_council = fields.Boolean()
    note = fields.String(allow_none=True)


# --------------------------------------------------------------------------- budget


class PinRevisionSchema(Schema):
    id = fields.Integer()
    previous = Amount()
    planned = Amount()
    reason = fields.String(allow_none=True)
    revised_on = fields.Date()
    revised_by_id = fields.Integer(allow_none=True)


class PinBudgetLineSchema(VersionedSchema):
    id = fields.Integer(dump_only=True)
    position = fields.Integer(load_default=None, allow_none=True, validate=POSITION)
    category = _text(required=True, max=300)
    planned = Amount(required=True)
    planned_original = Amount(dump_only=True)
    revised = fields.Boolean(dump_only=True)
    revisions = fields.List(fields.Nested(PinRevisionSchema), dump_only=True)


class PinBudgetLinePatchSchema(VersionedSchema):
    category = _text(max=300)
    position = fields.Integer(validate=POSITION)


class PinReviseSchema(VersionedSchema):
    planned = Amount(required=True)
    reason = fields.String(load_default=None, allow_none=True)


class PinExpenditureSchema(VersionedSchema):
    id = fields.Integer(dump_only=True)
    budget_line_id = fields.Integer(required=True, attribute="line_id", validate=ID)
    date = fields.Date(required=True, attribute="spent_on", validate=DocumentDate())
    amount = Amount(required=True, positive=True)
    supplier = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    document_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    description = fields.String(load_default=None, allow_none=True)
    override = fields.Boolean(load_default=False)
    override_justification = fields.String(load_default=None, allow_none=True)
    override_reasons = fields.String(dump_only=True, allow_none=True)
    overridden_by_id = fields.Integer(dump_only=True, allow_none=True)
    recorded_by_id = fields.Integer(dump_only=True, allow_none=True)
    attachment_name = fields.String(dump_only=True, allow_none=True)


class PinLineSummarySchema(Schema):
    line_id = fields.Integer()
    category = fields.String()
    planned_original = Amount()
    planned = Amount()
    spent = Amount()
    remaining = Amount()
    spent_pct = fields.Decimal(as_string=True)
    revised = fields.Boolean()


class PinMonthSchema(Schema):
    year = fields.Integer()
    month = fields.Integer()
    amount = Amount()
    cumulative = Amount()


class PinBudgetSummarySchema(Schema):
    total = Amount()
    allocated = Amount()
    unallocated = Amount()
    spent = Amount()
    remaining = Amount()
    spent_pct = fields.Decimal(as_string=True)
    lines = fields.List(fields.Nested(PinLineSummarySchema))
    months = fields.List(fields.Nested(PinMonthSchema))


# --------------------------------------------------------------------------- activities


class PinStepSchema(Schema):
    id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    text = _text(required=True)
    done = fields.Boolean(load_default=False)


class PinStepPatchSchema(Schema):
    text = _text()
    done = fields.Boolean()


class PinActivitySchema(VersionedSchema):
    id = fields.Integer(dump_only=True)
    number = fields.Integer(load_default=None, allow_none=True, validate=POSITION)
    title = _text(required=True)
    detail = fields.String(load_default=None, allow_none=True)
    planned_start = fields.Date(load_default=None, allow_none=True, validate=PeriodDate())
    planned_end = fields.Date(load_default=None, allow_none=True, validate=PeriodDate())
    status = fields.String(
        load_default=ActivityStatus.PLANNED.value, validate=validate.OneOf([s.value for s in ActivityStatus])
    )
    responsible = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    steps = fields.List(fields.Nested(PinStepSchema), dump_only=True)
    locality_tenant_ids = fields.List(fields.Integer(validate=ID), load_default=None, allow_none=True)
    budget_line_ids = fields.List(fields.Integer(validate=ID), load_default=None, allow_none=True)


class PinActivityPatchSchema(VersionedSchema):
    number = fields.Integer(validate=POSITION)
    title = _text()
    detail = fields.String(allow_none=True)
    planned_start = fields.Date(allow_none=True, validate=PeriodDate())
    planned_end = fields.Date(allow_none=True, validate=PeriodDate())
    status = fields.String(validate=validate.OneOf([s.value for s in ActivityStatus]))
    responsible = fields.String(allow_none=True, validate=validate.Length(max=300))
    locality_tenant_ids = fields.List(fields.Integer(validate=ID))
    budget_line_ids = fields.List(fields.Integer(validate=ID))


# --------------------------------------------------------------------------- results and indicators


class PinPartSchema(Schema):
    id = fields.Integer(dump_only=True)
    label = _text(required=True)
    target = Amount(required=True)


class PinBreakdownSchema(Schema):
    parts = fields.List(fields.Nested(PinPartSchema), required=True)


class PinIndicatorSchema(VersionedSchema):
    id = fields.Integer(dump_only=True)
    result_id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,59}$"))
    label = _text(required=True)
    unit = fields.String(load_default="număr", validate=validate.Length(min=1, max=40))
    comparator = fields.String(
        load_default=Comparator.AT_LEAST.value, validate=validate.OneOf([c.value for c in Comparator])
    )
    target = Amount(required=True)
    deliverable = fields.Boolean(load_default=False)
    delivered_on = fields.Date(load_default=None, allow_none=True, validate=DocumentDate())
    note = fields.String(load_default=None, allow_none=True)
    breakdown = fields.List(fields.Nested(PinPartSchema), load_default=list)


class PinIndicatorPatchSchema(VersionedSchema):
    code = fields.String(allow_none=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,59}$"))
    label = _text()
    unit = fields.String(validate=validate.Length(min=1, max=40))
    comparator = fields.String(validate=validate.OneOf([c.value for c in Comparator]))
    target = Amount()
    deliverable = fields.Boolean()
    delivered_on = fields.Date(allow_none=True, validate=DocumentDate())
    note = fields.String(allow_none=True)
    breakdown = fields.List(fields.Nested(PinPartSchema), allow_none=True)


class PinResultSchema(Schema):
    id = fields.Integer(dump_only=True)
    position = fields.Integer(load_default=None, allow_none=True, validate=POSITION)
    text = _text(required=True)
    indicators = fields.List(fields.Nested(PinIndicatorSchema), dump_only=True)


class PinResultPatchSchema(Schema):
    position = fields.Integer(validate=POSITION)
    text = _text()


class PinProgressSchema(Schema):
    id = fields.Integer(dump_only=True)
    indicator_id = fields.Integer(dump_only=True)
    date = fields.Date(required=True, attribute="entry_date", validate=DocumentDate())
    value = Amount(required=True)
    locality_tenant_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    part_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    evidence = fields.String(load_default=None, allow_none=True)
    recorded_by_id = fields.Integer(dump_only=True, allow_none=True)
    attachment_name = fields.String(dump_only=True, allow_none=True)


class PinPartStatusSchema(Schema):
    part_id = fields.Integer()
    label = fields.String()
    target = Amount()
    value = Amount()


class PinIndicatorStatusSchema(Schema):
    indicator_id = fields.Function(lambda s: s.indicator.id)
    code = fields.Function(lambda s: s.indicator.code)
    label = fields.Function(lambda s: s.indicator.label)
    comparator = fields.Function(lambda s: s.indicator.comparator.value)
    target = Amount()
    value = Amount()
    at = fields.Date()
    elapsed = fields.Function(lambda s: f"{s.elapsed.quantize(Decimal('0.0001'))}")
    pct = fields.Decimal(as_string=True)
    status = fields.String()
    status_label = fields.String(attribute="label")
    exceeds = fields.Boolean()
    parts = fields.List(fields.Nested(PinPartStatusSchema))


class PinAtQuerySchema(Schema):
    at = fields.Date(load_default=None, allow_none=True, validate=PeriodDate())


# --------------------------------------------------------------------------- reports


class PinReportRequestSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["progress_docx", "financial_xlsx"]))
    start = fields.Date(required=True, validate=PeriodDate())
    end = fields.Date(required=True, validate=PeriodDate())

    @validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            raise ValidationError("Sfârșitul perioadei este înaintea începutului.", "end")


class PinJobSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
