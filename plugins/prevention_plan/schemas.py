"""Marshmallow schemas of the prevention plan's API: what goes in (validated, 422 naming the field) and out."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from core.toolkit import (
    MAX_ID,
    DocumentDate,
    PlanYear,
)
from plugins.prevention_plan.models import PlanStatus, SignatoryRole
from plugins.prevention_plan.services import STATUS_LABELS

UNITS = (
    "număr",
    "persoane",
    "copii",
    "familii",
    "ședințe",
    "ore",
    "zile",
    "buc",
    "lei",
    "procent",
)
"""Units an indicator may be counted in."""

LANGUAGES = ("ro", "hu", "en")

YEAR = PlanYear()
"""A plan year: 2020 … this year + 5 (the message names the bounds)."""
NOT_NEGATIVE = validate.Range(min=0, error="Valoarea nu poate fi negativă.")
MAX_VALUE = validate.Range(max=10**14 - 1, error="Valoare prea mare.")
MAX_MONEY = validate.Range(max=10**12 - 1, error="Suma este prea mare.")  # a Money column is Numeric(14, 2)
ID = validate.Range(min=1, max=MAX_ID)
"""An id sent in a body: one the database's integer columns can hold (others are refused, not looked up)."""


def _text(max_length: int | None = None, *, required: bool = False, allow_none: bool = False) -> fields.String:
    checks = [validate.Length(max=max_length)] if max_length else []
    if required:
        checks.append(validate.Length(min=1, error="Câmp obligatoriu."))
    return fields.String(required=required, allow_none=allow_none, validate=checks)


def _quantity(**kwargs: Any) -> fields.Decimal:
    return fields.Decimal(as_string=True, validate=[NOT_NEGATIVE, MAX_VALUE], **kwargs)


class StrictSchema(Schema):
    """Unknown fields are refused, so a typo is a 422 naming it rather than silently ignored."""

    class Meta:
        unknown = RAISE


# ---------------------------------------------------------------- output


class PrincipleSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    title = _text(300, required=True)
    text = fields.String(load_default="")


class SpecificObjectiveSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    text = fields.String()


class PersonSchema(StrictSchema):
    name = _text(200, allow_none=True)
    function = _text(200, allow_none=True)


class SignatoryOutSchema(Schema):
    role = fields.Enum(SignatoryRole, by_value=True)
    name = fields.String()
    function = fields.String(allow_none=True)


class IndicatorOutSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    label = fields.String()
    unit = fields.String()
    target = fields.Decimal(as_string=True, allow_none=True)
    baseline = fields.Decimal(as_string=True, allow_none=True)
    code = fields.String(allow_none=True)
    version = fields.Integer()


class ResponsibleSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()


class ActivityOutSchema(Schema):
    id = fields.Integer()
    objective_id = fields.Integer()
    position = fields.Integer()
    text = fields.String()
    schedule_months = fields.List(fields.Integer())
    budget_estimate = fields.Decimal(as_string=True, allow_none=True)
    version = fields.Integer()
    responsible = fields.List(fields.Nested(ResponsibleSchema))
    indicators = fields.List(fields.Nested(IndicatorOutSchema))


class ObjectiveOutSchema(Schema):
    id = fields.Integer()
    number = fields.Integer()
    title = fields.String()
    version = fields.Integer()
    activities = fields.List(fields.Nested(ActivityOutSchema))


class PlanSummarySchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    revision = fields.Integer()
    is_current = fields.Boolean()
    status = fields.Enum(PlanStatus, by_value=True)
    status_label = fields.Function(lambda p: STATUS_LABELS[p.status])
    locked = fields.Boolean()
    title = fields.String()
    version = fields.Integer()
    updated_at = fields.DateTime()


class PlanTreeSchema(PlanSummarySchema):
    institution = fields.String(allow_none=True)
    introduction = fields.String(allow_none=True)
    legal_basis = fields.String(allow_none=True)
    general_objective = fields.String(allow_none=True)
    language = fields.String()
    principles = fields.List(fields.Nested(PrincipleSchema))
    specific_objectives = fields.List(fields.Nested(SpecificObjectiveSchema))
    signatories = fields.List(fields.Nested(SignatoryOutSchema))
    objectives = fields.List(fields.Nested(ObjectiveOutSchema))
    allowed_transitions = fields.Method("_allowed")

    def _allowed(self, plan: Any) -> list[str]:
        from plugins.prevention_plan.services import allowed_steps

        return [s.target.value for s in allowed_steps(plan)]


class ValueOutSchema(Schema):
    id = fields.Integer()
    indicator_id = fields.Integer()
    year = fields.Integer()
    quarter = fields.Integer(allow_none=True)
    value = fields.Decimal(as_string=True)
    note = fields.String(allow_none=True)
    recorded_by_id = fields.Integer(allow_none=True)
    recorded_at = fields.DateTime()
    superseded = fields.Boolean()
    superseded_at = fields.DateTime(allow_none=True)


class MemberPresentSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    role = fields.String()
    function = fields.String(allow_none=True)
    institution = fields.String(allow_none=True)


class TransitionOutSchema(Schema):
    id = fields.Integer()
    from_status = fields.Enum(PlanStatus, by_value=True)
    to_status = fields.Enum(PlanStatus, by_value=True)
    at = fields.DateTime()
    by_user_id = fields.Integer(allow_none=True)
    submitted_on = fields.Date(allow_none=True)
    aviz_number = fields.String(allow_none=True)
    aviz_date = fields.Date(allow_none=True)
    members_present = fields.List(fields.Nested(MemberPresentSchema), allow_none=True)
    hcl_number = fields.String(allow_none=True)
    hcl_date = fields.Date(allow_none=True)
    referat_number = fields.String(allow_none=True)
    referat_date = fields.Date(allow_none=True)
    raport_number = fields.String(allow_none=True)
    raport_date = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)


class DocumentOutSchema(Schema):
    id = fields.Integer()
    step = fields.Enum(PlanStatus, by_value=True)
    transition_id = fields.Integer(allow_none=True)
    title = fields.String(allow_none=True)
    filename = fields.String()
    mimetype = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.DateTime()


class EvaluationIndicatorSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    unit = fields.String()
    code = fields.String(allow_none=True)
    target = fields.Decimal(as_string=True, allow_none=True)
    baseline = fields.Decimal(as_string=True, allow_none=True)
    quarters = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True))
    year_value = fields.Decimal(as_string=True, allow_none=True)
    total = fields.Decimal(as_string=True, allow_none=True)
    percent_of_target = fields.Decimal(as_string=True, allow_none=True)
    has_values = fields.Boolean()


class EvaluationActivitySchema(Schema):
    id = fields.Integer()
    text = fields.String()
    without_values = fields.Boolean()
    indicators = fields.List(fields.Nested(EvaluationIndicatorSchema))


class EvaluationObjectiveSchema(Schema):
    id = fields.Integer()
    number = fields.Integer()
    title = fields.String()
    indicators_total = fields.Integer()
    indicators_with_values = fields.Integer()
    coverage_percent = fields.Decimal(as_string=True, allow_none=True)
    target_percent = fields.Decimal(as_string=True, allow_none=True)
    activities = fields.List(fields.Nested(EvaluationActivitySchema))


class EvaluationOutSchema(Schema):
    plan_id = fields.Integer()
    year = fields.Integer()
    indicators_total = fields.Integer()
    indicators_with_values = fields.Integer()
    coverage_percent = fields.Decimal(as_string=True, allow_none=True)
    activities_without_values = fields.Integer()
    objectives = fields.List(fields.Nested(EvaluationObjectiveSchema))
    narrative = fields.String(allow_none=True)
    evaluated_at = fields.DateTime(allow_none=True)
    version = fields.Integer(allow_none=True)


class JobOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()


class TemplateOutSchema(Schema):
    key = fields.String()
    name = fields.String()
    source = fields.String()
    template_id = fields.Integer(allow_none=True)


class TemplateRowSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String(allow_none=True)
    published = fields.Boolean()
    version = fields.Integer()


# ---------------------------------------------------------------- input


class PlanQuerySchema(StrictSchema):
    year = fields.Integer(validate=YEAR)
    all_revisions = fields.Boolean(load_default=False)


class PlanCreateSchema(StrictSchema):
    year = fields.Integer(required=True, validate=YEAR)
    title = _text(500)
    institution = _text(300, allow_none=True)
    template = fields.String(
        validate=validate.Regexp(r"^(builtin|own:\d{1,9}|county:\d{1,9})$", error="Șablon necunoscut."),
        metadata={"description": "builtin, own:<id> sau county:<id>; fără șablon: plan gol"},
    )


class CopySchema(StrictSchema):
    year = fields.Integer(validate=YEAR, metadata={"description": "implicit: anul următor"})


class VersionedSchema(StrictSchema):
    version = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "versiunea citită (sau antetul If-Match); alta → 409"},
    )


class SignatoriesInSchema(StrictSchema):
    drawn_up_by = fields.Nested(PersonSchema, allow_none=True)
    chair_of_session = fields.Nested(PersonSchema, allow_none=True)
    secretary_general = fields.Nested(PersonSchema, allow_none=True)


class SectionsSchema(VersionedSchema):
    title = _text(500, required=True)
    institution = _text(300, allow_none=True)
    introduction = fields.String(allow_none=True)
    legal_basis = fields.String(allow_none=True)
    general_objective = fields.String(allow_none=True)
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    principles = fields.List(fields.Nested(PrincipleSchema))
    specific_objectives = fields.List(_text(2000, required=True))
    signatories = fields.Nested(SignatoriesInSchema)


class ObjectiveInSchema(StrictSchema):
    number = fields.Integer(validate=validate.Range(min=1, max=99))
    title = _text(2000, required=True)


class ObjectivePatchSchema(VersionedSchema):
    number = fields.Integer(validate=validate.Range(min=1, max=99))
    title = _text(2000, required=True)


class ActivityInSchema(StrictSchema):
    text = _text(4000, required=True)
    responsible = fields.List(_text(300, required=True), load_default=list)
    schedule_months = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=12, error="Lunile sunt între 1 și 12.")), load_default=list
    )
    budget_estimate = fields.Decimal(as_string=True, allow_none=True, validate=[NOT_NEGATIVE, MAX_MONEY])

    @validates("budget_estimate")
    def _two_decimals(self, value: Any, **kwargs: Any) -> None:
        if value is not None and value != value.quantize(value.__class__("0.01")):
            raise ValidationError("Suma are cel mult două zecimale (bani).")


class ActivityPatchSchema(VersionedSchema, ActivityInSchema):
    text = _text(4000, required=True)
    responsible = fields.List(_text(300, required=True))
    schedule_months = fields.List(fields.Integer(validate=validate.Range(min=1, max=12)))
    objective_id = fields.Integer(validate=ID)
    position = fields.Integer(validate=validate.Range(min=1, max=999))


class IndicatorInSchema(StrictSchema):
    label = _text(500, required=True)
    unit = fields.String(load_default="număr", validate=validate.OneOf(UNITS))
    target = _quantity(allow_none=True)
    baseline = _quantity(allow_none=True)
    code = fields.String(allow_none=True, validate=validate.Length(max=60))
    position = fields.Integer(validate=validate.Range(min=1, max=999))

    @validates("code")
    def _known_code(self, value: str | None, **kwargs: Any) -> None:
        from plugins.prevention_plan.catalog import known_codes

        if value and value not in known_codes():
            raise ValidationError("Cod necunoscut în catalogul național de indicatori.")


class IndicatorPatchSchema(VersionedSchema, IndicatorInSchema):
    label = _text(500, required=True)
    unit = fields.String(validate=validate.OneOf(UNITS))


class ValueItemSchema(StrictSchema):
    indicator_id = fields.Integer(required=True, validate=ID)
    value = _quantity(required=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ValuesInSchema(StrictSchema):
    year = fields.Integer(required=True, validate=YEAR)
    quarter = fields.Integer(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=4, error="Trimestrul este între 1 și 4."),
        metadata={"description": "1–4; null pentru o valoare pe tot anul"},
    )
    values = fields.List(
        fields.Nested(ValueItemSchema), required=True, validate=validate.Length(min=1, error="Nicio valoare.")
    )


class ValuesQuerySchema(StrictSchema):
    year = fields.Integer(validate=YEAR)
    quarter = fields.Integer(validate=validate.Range(min=1, max=4))


class TransitionInSchema(VersionedSchema):
    to = fields.Enum(PlanStatus, by_value=True, required=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=4000))
    submitted_on = fields.Date(allow_none=True, metadata={"description": "data adresei către consiliu"})
    aviz_number = _text(50, allow_none=True)
    aviz_date = fields.Date(allow_none=True, validate=DocumentDate())
    members_present = fields.List(fields.Integer(validate=ID), allow_none=True)
    hcl_number = _text(50, allow_none=True)
    hcl_date = fields.Date(allow_none=True, validate=DocumentDate())
    referat_number = _text(50, allow_none=True)
    referat_date = fields.Date(allow_none=True, validate=DocumentDate())
    raport_number = _text(50, allow_none=True)
    raport_date = fields.Date(allow_none=True, validate=DocumentDate())
    narrative = fields.String(allow_none=True)


class EvaluationInSchema(VersionedSchema):
    narrative = _text(required=True)


class DocumentFormSchema(StrictSchema):
    step = fields.Enum(PlanStatus, by_value=True)
    title = _text(300, allow_none=True)
    transition_id = fields.Integer(allow_none=True, validate=ID)


class FileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ExportInSchema(StrictSchema):
    format = fields.String(required=True, validate=validate.OneOf(("docx", "xlsx")))


class ContentIndicatorSchema(StrictSchema):
    label = _text(500, required=True)
    unit = fields.String(load_default="număr", validate=validate.OneOf(UNITS))
    code = fields.String(allow_none=True)
    target = _quantity(allow_none=True)
    baseline = _quantity(allow_none=True)


class ContentActivitySchema(StrictSchema):
    text = _text(4000, required=True)
    responsible = fields.List(_text(300, required=True), load_default=list)
    schedule_months = fields.List(fields.Integer(validate=validate.Range(min=1, max=12)), load_default=list)
    budget_estimate = fields.Decimal(as_string=True, allow_none=True, validate=[NOT_NEGATIVE, MAX_MONEY])
    indicators = fields.List(fields.Nested(ContentIndicatorSchema), load_default=list)


class ContentObjectiveSchema(StrictSchema):
    number = fields.Integer(validate=validate.Range(min=1, max=99))
    title = _text(2000, required=True)
    activities = fields.List(fields.Nested(ContentActivitySchema), load_default=list)


class PlanContentSchema(StrictSchema):
    """A plan's content in the seed's JSON shape (templates)."""

    language = fields.String(load_default="ro", validate=validate.OneOf(LANGUAGES))
    title = _text(500, required=True)
    institution = _text(300, allow_none=True)
    introduction = fields.List(fields.String(), load_default=list)
    legal_basis = fields.List(fields.String(), load_default=list)
    principles = fields.List(fields.Nested(PrincipleSchema), load_default=list)
    general_objective = fields.String(allow_none=True)
    specific_objectives = fields.List(fields.String(), load_default=list)
    strategic_objectives = fields.List(fields.Nested(ContentObjectiveSchema), load_default=list)


class TemplateInSchema(StrictSchema):
    name = _text(200, required=True)
    description = fields.String(allow_none=True)
    published = fields.Boolean(load_default=False)
    plan_id = fields.Integer(validate=ID, metadata={"description": "copiază conținutul unui plan al instituției"})
    builtin = fields.Boolean(load_default=False, metadata={"description": "pornește din șablonul încorporat"})
    content = fields.Nested(PlanContentSchema)

    @validates_schema
    def _one_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        sources = [k for k in ("plan_id", "content") if data.get(k) is not None]
        if data["builtin"]:
            sources.append("builtin")
        if len(sources) != 1:
            raise ValidationError("Alegeți exact o sursă: plan_id, builtin sau content.", field_name="content")


class TemplatePatchSchema(VersionedSchema):
    name = _text(200, required=True)
    description = fields.String(allow_none=True)
    published = fields.Boolean()
