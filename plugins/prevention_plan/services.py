"""The prevention plan's domain logic, free of Flask: usable from the API, the pages, jobs and tests.

Every function runs inside a tenant scope (a request, a job, the demo loader
or a test's ``tenant_context``); queries are filtered to that tenant by the
core's first wall, and the functions here check again where an id comes from
outside. Refusals are raised as :class:`PlanError` subclasses that the API
turns into 404, 409 or 422 and the pages into messages next to the fields.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from core.toolkit import (
    N_,
    Council,
    CouncilMeeting,
    CouncilMember,
    CouncilRole,
    Message,
    NumberError,
    Period,
    Tenant,
    UploadRefusedError,
    check_number,
    check_upload,
    current_tenant_id,
    db,
    in_ids,
    read_scope,
    utcnow,
)
from core.toolkit import (
    IndicatorValue as CatalogValue,
)
from plugins.prevention_plan import chain_checks
from plugins.prevention_plan.catalog import number_rules
from plugins.prevention_plan.models import (
    LOCKED_STATUSES,
    Activity,
    Indicator,
    IndicatorValue,
    Plan,
    PlanDocument,
    PlanEvaluation,
    PlanPrinciple,
    PlanSpecificObjective,
    PlanStatus,
    PlanTemplate,
    PlanTransition,
    ResponsibleBody,
    Signatory,
    SignatoryRole,
    StrategicObjective,
)

DEMO_DIR = Path(__file__).resolve().parent / "demo"
SEED_JSON = DEMO_DIR / "plan_targu_secuiesc_2026.json"

MAX_DECIMALS = 4

STATUS_LABELS: dict[PlanStatus, str] = {
    PlanStatus.DRAFT: N_("ciornă"),
    PlanStatus.SUBMITTED: N_("transmis consiliului consultativ"),
    PlanStatus.ENDORSED: N_("avizat de consiliul consultativ"),
    PlanStatus.APPROVED: N_("aprobat prin HCL"),
    PlanStatus.IN_IMPLEMENTATION: N_("în implementare"),
    PlanStatus.EVALUATED: N_("evaluat"),
}

REQUIRED = N_("Câmp obligatoriu.")
QUOTED = N_("„%(label)s”")  # one label of a list inside a message (translators: the language's quotation marks)


def status_label(status: PlanStatus | str) -> Message:
    """The status's Romanian label as a message parameter that is translated too when the message is shown."""
    return Message(STATUS_LABELS[PlanStatus(status)])


class Labels(str):
    """A list of labels (msgids) as one message parameter: „a”, „b” in Romanian, translated one by one when shown."""

    items: tuple[str, ...]

    def __new__(cls, items: Iterable[str]) -> Labels:
        """Join ``items`` (msgids), each quoted."""
        items = tuple(items)
        labels = super().__new__(cls, ", ".join(QUOTED % {"label": item} for item in items))
        labels.items = items
        return labels

    def __reduce__(self) -> tuple[Any, ...]:
        return (Labels, (self.items,))


ROLE_LABELS: dict[str, str] = {"presedinte": N_("președinte"), "secretar": N_("secretar"), "membru": N_("membru")}

SIGNATORY_LABELS: dict[SignatoryRole, str] = {
    SignatoryRole.DRAWN_UP_BY: N_("Întocmit"),
    SignatoryRole.CHAIR_OF_SESSION: N_("Președinte de ședință"),
    SignatoryRole.SECRETARY_GENERAL: N_("Secretar general"),
}


@dataclass(frozen=True)
class Step:
    """An allowed move of the approval chain: which permissions may make it, which fields it needs."""

    source: PlanStatus
    target: PlanStatus
    label: str
    permissions: tuple[str, ...]
    required: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


AVIZ_FIELDS = ("aviz_number", "aviz_date", "members_present")
HCL_FIELDS = ("hcl_number", "hcl_date", "referat_number", "referat_date", "raport_number", "raport_date")

STEPS: tuple[Step, ...] = (
    Step(
        PlanStatus.DRAFT,
        PlanStatus.SUBMITTED,
        N_("Transmite consiliului consultativ"),
        ("plan.transition",),
        fields=("submitted_on",),
    ),
    Step(
        PlanStatus.SUBMITTED,
        PlanStatus.DRAFT,
        N_("Retrimite spre refacere"),
        ("plan.transition", "plan.endorse"),
        required=("note",),
    ),
    Step(
        PlanStatus.SUBMITTED,
        PlanStatus.ENDORSED,
        N_("Înregistrează avizul consiliului"),
        ("plan.endorse",),
        required=AVIZ_FIELDS,
        fields=AVIZ_FIELDS,
    ),
    Step(
        PlanStatus.ENDORSED,
        PlanStatus.APPROVED,
        N_("Înregistrează aprobarea prin HCL"),
        ("plan.approve",),
        required=HCL_FIELDS,
        fields=HCL_FIELDS,
    ),
    Step(PlanStatus.APPROVED, PlanStatus.IN_IMPLEMENTATION, N_("Începe implementarea"), ("plan.transition",)),
    Step(
        PlanStatus.IN_IMPLEMENTATION,
        PlanStatus.EVALUATED,
        N_("Încheie evaluarea anuală"),
        ("plan.transition",),
        fields=("narrative",),
    ),
)
STEP_BY_MOVE: dict[tuple[PlanStatus, PlanStatus], Step] = {(s.source, s.target): s for s in STEPS}

EVALUATION_STATUSES = frozenset({PlanStatus.APPROVED, PlanStatus.IN_IMPLEMENTATION, PlanStatus.EVALUATED})

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIN_YEAR, MAX_YEAR = 2000, 2100
"""What the domain can hold; what a user may ask for is narrower (2020 … this year + 5, core.bounds)."""
DOCUMENT_UPLOADS = frozenset({PDF_MIME, DOCX_MIME})
"""What a step's document may be (read from its content): a PDF scan or a Word document."""


def local_year(today: dt.date | None = None) -> int:
    """The current year in Romania (Europe/Bucharest), the year a plan is for."""
    if today is not None:
        return today.year
    return dt.datetime.now(ZoneInfo("Europe/Bucharest")).year


# ---------------------------------------------------------------- errors


class PlanError(Exception):
    """A refusal of the domain; ``message`` is Romanian and shown to the user."""

    status = 400

    def __init__(self, message: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, Any] = dict(errors or {})


class NotFoundError(PlanError):
    """The object does not exist in the current tenant (→ 404)."""

    status = 404


class ConflictError(PlanError):
    """The request contradicts the plan's state (→ 409)."""

    status = 409


class TransitionRefusedError(ConflictError):
    """The approval chain does not allow this move from the current status."""


class PlanLockedError(ConflictError):
    """The content is frozen after the council's aviz; a new revision is needed."""


class StaleVersionError(ConflictError):
    """Someone else changed the object since it was read (optimistic locking)."""


class InvalidInputError(PlanError):
    """Bad input, with the reason per field (→ 422). Nothing was written."""

    status = 422

    def __init__(self, errors: Mapping[str, Any], message: str = N_("Datele trimise nu sunt valide.")) -> None:
        super().__init__(message, errors)


def _required(field_name: str, errors: dict[str, list[str]], message: str = REQUIRED) -> None:
    errors.setdefault(field_name, []).append(message)


# ---------------------------------------------------------------- small helpers


def to_decimal(value: Any, *, field_name: str = "value", minimum: Decimal | None = Decimal(0)) -> Decimal:
    """A non-negative exact decimal from a number or a text ("12", "12,5"); InvalidInputError otherwise."""
    if isinstance(value, bool) or value is None:
        raise InvalidInputError({field_name: [N_("Nu este un număr.")]})
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidInputError({field_name: [N_("„%(value)s” nu este un număr.", value=str(value))]}) from None
    if not number.is_finite():
        raise InvalidInputError({field_name: [N_("Nu este un număr.")]})
    if minimum is not None and number < minimum:
        raise InvalidInputError({field_name: [N_("Valoarea nu poate fi negativă.")]})
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise InvalidInputError({field_name: [N_("Cel mult %(count)s zecimale.", count=MAX_DECIMALS)]})
    if abs(number) >= Decimal(10) ** 14:
        raise InvalidInputError({field_name: [N_("Valoare prea mare.")]})
    return number


def plain_decimal(value: Decimal | None) -> str | None:
    """A decimal as text without trailing zeros ("12", "12.5"), for JSON snapshots and exports."""
    if value is None:
        return None
    normal = value.normalize()
    if normal == normal.to_integral():
        return str(normal.quantize(Decimal(1)))
    return format(normal, "f")


def check_version(obj: Any, version: int | None) -> None:
    """Refuse with :class:`StaleVersionError` when the client read an older ``version`` of ``obj``."""
    if version is not None and version != obj.version:
        raise StaleVersionError(
            N_(
                "Obiectul a fost modificat între timp de altcineva (versiunea %(read)s, acum %(now)s). "
                "Reîncărcați și încercați din nou.",
                read=version,
                now=obj.version,
            )
        )


def ensure_current(plan: Plan) -> None:
    if not plan.is_current:
        raise PlanLockedError(
            N_(
                "Revizia %(revision)s a planului pe %(year)s a fost înlocuită; lucrați pe revizia curentă.",
                revision=plan.revision,
                year=plan.year,
            )
        )


def ensure_editable(plan: Plan) -> None:
    """Refuse content edits after the aviz (and on older revisions)."""
    ensure_current(plan)
    if plan.status in LOCKED_STATUSES:
        raise PlanLockedError(
            N_(
                "Conținutul planului este blocat după avizul consiliului consultativ "
                "(stare: %(status)s). Creați o revizie nouă pentru a-l modifica.",
                status=status_label(plan.status),
            )
        )


def _check_year(year: Any, field_name: str = "year") -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInputError(
            {field_name: [N_("Anul trebuie să fie între %(min)s și %(max)s.", min=MIN_YEAR, max=MAX_YEAR)]}
        )
    return year


def _check_months(months: Iterable[Any] | None) -> list[int]:
    out = sorted({int(m) for m in months or []})
    if any(not 1 <= m <= 12 for m in out):
        raise InvalidInputError({"schedule_months": [N_("Lunile sunt numere între 1 și 12.")]})
    return out


def _clean_text(value: Any, field_name: str, *, required: bool = True, max_length: int | None = None) -> str | None:
    if value is None:
        if required:
            raise InvalidInputError({field_name: [N_("Câmp obligatoriu.")]})
        return None
    text = str(value).strip()
    if required and not text:
        raise InvalidInputError({field_name: [N_("Câmp obligatoriu.")]})
    if max_length is not None and len(text) > max_length:
        raise InvalidInputError({field_name: [N_("Cel mult %(count)s caractere.", count=max_length)]})
    return text or None


# ---------------------------------------------------------------- reading


def _tree_options() -> list[Any]:
    return [
        selectinload(Plan.principles),
        selectinload(Plan.specific_objectives),
        selectinload(Plan.signatories),
        selectinload(Plan.objectives)
        .selectinload(StrategicObjective.activities)
        .options(selectinload(Activity.responsible), selectinload(Activity.indicators)),
    ]


def get_plan(plan_id: int, *, tree: bool = False) -> Plan:
    """The plan ``plan_id`` of the current tenant (its whole tree eagerly with ``tree``); NotFoundError otherwise."""
    query = sa.select(Plan).where(Plan.id == plan_id)
    tenant_id = current_tenant_id()
    if tenant_id is not None:
        query = query.where(Plan.tenant_id == tenant_id)
    if tree:
        query = query.options(*_tree_options())
    plan = db.session.execute(query).scalar_one_or_none()
    if plan is None:
        raise NotFoundError(N_("Planul nu există."))
    return plan


def _get_child(model: type[Any], obj_id: int, plan: Plan, missing: str) -> Any:
    obj = db.session.execute(
        sa.select(model).where(model.id == obj_id, model.plan_id == plan.id, model.tenant_id == plan.tenant_id)
    ).scalar_one_or_none()
    if obj is None:
        raise NotFoundError(missing)
    return obj


def get_objective(plan: Plan, objective_id: int) -> StrategicObjective:
    """A strategic objective of ``plan``; NotFoundError otherwise."""
    return _get_child(StrategicObjective, objective_id, plan, N_("Obiectivul nu există în acest plan."))


def get_activity(plan: Plan, activity_id: int) -> Activity:
    """An activity of ``plan``; NotFoundError otherwise."""
    return _get_child(Activity, activity_id, plan, N_("Activitatea nu există în acest plan."))


def get_indicator(plan: Plan, indicator_id: int) -> Indicator:
    """An indicator of ``plan``; NotFoundError otherwise."""
    return _get_child(Indicator, indicator_id, plan, N_("Indicatorul nu există în acest plan."))


def get_document(plan: Plan, document_id: int) -> PlanDocument:
    """A document of ``plan``; NotFoundError otherwise."""
    return _get_child(PlanDocument, document_id, plan, N_("Documentul nu există în acest plan."))


def list_plans(year: int | None = None, *, include_old_revisions: bool = False) -> list[Plan]:
    """The tenant's plans, newest year first (current revisions only unless asked)."""
    query = sa.select(Plan).order_by(Plan.year.desc(), Plan.revision.desc())
    tenant_id = current_tenant_id()
    if tenant_id is not None:
        query = query.where(Plan.tenant_id == tenant_id)
    if year is not None:
        query = query.where(Plan.year == year)
    if not include_old_revisions:
        query = query.where(Plan.is_current.is_(True))
    return list(db.session.execute(query).scalars())


def current_plan(year: int) -> Plan | None:
    """The current revision of the tenant's plan for ``year``, if any."""
    plans = list_plans(year)
    return plans[0] if plans else None


def readonly_summary(tenant_id: int, year: int) -> dict[str, Any] | None:
    """The current plan of ``tenant_id`` for ``year`` as plain data, with each indicator's values of the year.

    For readers outside the tenant (the county's drill-down, inside a read
    scope): the tenant is named explicitly, nothing is written, and the result
    holds no ORM object.
    """
    plan = db.session.execute(
        sa.select(Plan)
        .where(Plan.tenant_id == tenant_id, Plan.year == year, Plan.is_current.is_(True))
        .options(*_tree_options())
    ).scalar_one_or_none()
    if plan is None:
        return None
    values = live_values(plan, year)
    objectives = []
    for objective in plan.objectives:
        activities = []
        for activity in objective.activities:
            indicators = []
            for indicator in activity.indicators:
                by_quarter = values.get(indicator.id, {})
                total = sum((row.value for row in by_quarter.values()), Decimal(0)) if by_quarter else None
                indicators.append(
                    {"label": indicator.label, "unit": indicator.unit, "target": plain_decimal(indicator.target),
                     "value": plain_decimal(total)}
                )
            activities.append(
                {"text": activity.text, "responsible": [r.name for r in activity.responsible], "indicators": indicators}
            )
        objectives.append({"number": objective.number, "title": objective.title, "activities": activities})
    return {
        "title": plan.title,
        "status": plan.status.value,
        "revision": plan.revision,
        "general_objective": plan.general_objective,
        "objectives": objectives,
    }


def revisions(plan: Plan) -> list[Plan]:
    """Every revision of the plan's year, newest first."""
    return list_plans(plan.year, include_old_revisions=True)


def indicators_of(plan: Plan) -> list[Indicator]:
    """The plan's indicators in table order (objective number, activity, indicator)."""
    return [i for o in plan.objectives for a in o.activities for i in a.indicators]


def activities_of(plan: Plan) -> list[Activity]:
    """The plan's activities in table order."""
    return [a for o in plan.objectives for a in o.activities]


# ---------------------------------------------------------------- content (the seed's JSON shape)


def load_seed() -> dict[str, Any]:
    """The structured seed document (Târgu Secuiesc, 2026)."""
    with SEED_JSON.open(encoding="utf-8") as fh:
        return json.load(fh)


def _paragraphs(value: str | Sequence[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    return "\n\n".join(p.strip() for p in value if p and p.strip()) or None


def _lines(value: str | Sequence[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    return "\n".join(v.strip() for v in value if v and v.strip()) or None


def split_paragraphs(text: str | None) -> list[str]:
    """Paragraphs of a text stored with blank lines between them."""
    if not text:
        return []
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def split_lines(text: str | None) -> list[str]:
    """Non-empty lines of a text."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _indicator_from(data: Mapping[str, Any], plan: Plan, position: int) -> Indicator:
    return Indicator(
        plan_id=plan.id,
        position=position,
        label=data["label"],
        unit=data.get("unit") or "număr",
        target=None if data.get("target") is None else to_decimal(data["target"], field_name="target"),
        baseline=None if data.get("baseline") is None else to_decimal(data["baseline"], field_name="baseline"),
        code=data.get("code") or None,
    )


def build_plan(content: Mapping[str, Any], year: int, *, revision: int = 1) -> Plan:
    """Create a draft plan for ``year`` from content in the seed's JSON shape (no values)."""
    _check_year(year)
    plan = Plan(
        year=year,
        revision=revision,
        is_current=True,
        status=PlanStatus.DRAFT,
        title=content.get("title") or f"Planul de prevenire a separării copilului de familie pentru anul {year}",
        institution=content.get("institution"),
        introduction=_paragraphs(content.get("introduction")),
        legal_basis=_lines(content.get("legal_basis")),
        general_objective=content.get("general_objective"),
        language=content.get("language") or "ro",
    )
    db.session.add(plan)
    db.session.flush()
    with db.session.no_autoflush:
        _build_content(plan, content)
    db.session.flush()
    return plan


def _build_content(plan: Plan, content: Mapping[str, Any]) -> None:
    for pos, principle in enumerate(content.get("principles") or [], start=1):
        plan.principles.append(PlanPrinciple(position=pos, title=principle["title"], text=principle.get("text", "")))
    for pos, text in enumerate(content.get("specific_objectives") or [], start=1):
        plan.specific_objectives.append(PlanSpecificObjective(position=pos, text=text))
    for number, obj_data in enumerate(content.get("strategic_objectives") or [], start=1):
        objective = StrategicObjective(number=obj_data.get("number") or number, title=obj_data["title"])
        plan.objectives.append(objective)
        for a_pos, act_data in enumerate(obj_data.get("activities") or [], start=1):
            budget = act_data.get("budget_estimate")
            activity = Activity(
                plan_id=plan.id,
                position=a_pos,
                text=act_data["text"],
                schedule_months=_check_months(act_data.get("schedule_months")),
                budget_estimate=None if budget is None else to_decimal(budget, field_name="budget_estimate"),
            )
            objective.activities.append(activity)
            for r_pos, name in enumerate(act_data.get("responsible") or [], start=1):
                activity.responsible.append(ResponsibleBody(position=r_pos, name=name))
            for i_pos, ind_data in enumerate(act_data.get("indicators") or [], start=1):
                activity.indicators.append(_indicator_from(ind_data, plan, i_pos))
    for role_name, person in (content.get("signatories") or {}).items():
        if person and person.get("name"):
            plan.signatories.append(
                Signatory(role=SignatoryRole(role_name), name=person["name"], function=person.get("function"))
            )


def plan_content(plan: Plan, *, with_signatories: bool = True) -> dict[str, Any]:
    """The plan's content in the seed's JSON shape (no values, no approval chain)."""
    content: dict[str, Any] = {
        "year": plan.year,
        "language": plan.language,
        "title": plan.title,
        "institution": plan.institution,
        "introduction": split_paragraphs(plan.introduction),
        "legal_basis": split_lines(plan.legal_basis),
        "principles": [{"title": p.title, "text": p.text} for p in plan.principles],
        "general_objective": plan.general_objective,
        "specific_objectives": [s.text for s in plan.specific_objectives],
        "strategic_objectives": [
            {
                "number": o.number,
                "title": o.title,
                "activities": [
                    {
                        "text": a.text,
                        "responsible": [r.name for r in a.responsible],
                        "schedule_months": list(a.schedule_months or []),
                        "budget_estimate": None if a.budget_estimate is None else str(a.budget_estimate),
                        "indicators": [
                            {
                                "label": i.label,
                                "unit": i.unit,
                                "code": i.code,
                                "target": plain_decimal(i.target),
                                "baseline": plain_decimal(i.baseline),
                            }
                            for i in a.indicators
                        ],
                    }
                    for a in o.activities
                ],
            }
            for o in plan.objectives
        ],
    }
    if with_signatories:
        content["signatories"] = {s.role.value: {"name": s.name, "function": s.function} for s in plan.signatories}
    return content


def _map_strings(node: Any, func: Any) -> Any:
    if isinstance(node, str):
        return func(node)
    if isinstance(node, list):
        return [_map_strings(v, func) for v in node]
    if isinstance(node, dict):
        return {k: v if k in {"code", "unit", "language"} else _map_strings(v, func) for k, v in node.items()}
    return node


def _replace_year(content: dict[str, Any], old: int, new: int) -> dict[str, Any]:
    """The year named in the title and the introduction follows the plan's year."""
    out = copy.deepcopy(content)
    pattern = re.compile(rf"\b{old}\b")
    out["title"] = pattern.sub(str(new), out.get("title") or "")
    out["introduction"] = [pattern.sub(str(new), p) for p in out.get("introduction") or []]
    return out


# ---------------------------------------------------------------- creating, copying, revising


def _ensure_no_plan(year: int) -> None:
    if current_plan(year) is not None:
        raise InvalidInputError(
            {"year": [N_("Există deja un plan pentru anul %(year)s; lucrați pe el sau creați o revizie.", year=year)]}
        )


def create_plan(year: int, *, title: str | None = None, institution: str | None = None) -> Plan:
    """An empty draft plan for ``year``."""
    _check_year(year)
    _ensure_no_plan(year)
    return build_plan({"title": title, "institution": institution}, year)


def copy_to_next_year(plan: Plan, year: int | None = None) -> Plan:
    """Start the plan of ``year`` (default: the next one) from this one: same content, no values, a draft."""
    year = plan.year + 1 if year is None else year
    _check_year(year)
    if year == plan.year:
        raise InvalidInputError({"year": [N_("Alegeți alt an decât al planului copiat.")]})
    _ensure_no_plan(year)
    content = _replace_year(plan_content(plan), plan.year, year)
    return build_plan(content, year)


def new_revision(plan: Plan) -> Plan:
    """Open revision+1 of a locked plan as a draft: same content, values carried over with their history.

    The old revision stays as it was (its transitions and documents too) but
    is no longer the current one; the new one goes through the chain again.
    """
    ensure_current(plan)
    if plan.status not in LOCKED_STATUSES:
        raise ConflictError(N_("Planul poate fi modificat direct; o revizie nouă se deschide doar după aviz."))
    old_indicators = indicators_of(plan)
    content = plan_content(plan)
    plan.is_current = False
    db.session.flush()
    new = build_plan(content, plan.year, revision=plan.revision + 1)
    mapping = dict(zip([i.id for i in old_indicators], [i.id for i in indicators_of(new)], strict=True))
    old_values = db.session.execute(
        sa.select(IndicatorValue).where(IndicatorValue.plan_id == plan.id).order_by(IndicatorValue.id)
    ).scalars()
    for value in old_values:
        db.session.add(
            IndicatorValue(
                plan_id=new.id,
                indicator_id=mapping[value.indicator_id],
                year=value.year,
                quarter=value.quarter,
                value=value.value,
                note=value.note,
                recorded_by_id=value.recorded_by_id,
                recorded_at=value.recorded_at,
                superseded=value.superseded,
                superseded_at=value.superseded_at,
            )
        )
    db.session.flush()
    return new


# ---------------------------------------------------------------- templates


@dataclass(frozen=True)
class TemplateChoice:
    """A template a tenant may start a plan from."""

    key: str  # "builtin" or "county:<id>" or "own:<id>"
    name: str
    source: str  # builtin | county | own
    template_id: int | None = None


BUILTIN_TEMPLATE_NAME = "Model după planul Târgu Secuiesc 2026"
_SEED_OFFICIAL = "MUNICIPIUL TÂRGU SECUIESC"
_SEED_SHORT = "Târgu Secuiesc"
_SEED_YEAR = 2026


def builtin_template_content() -> dict[str, Any]:
    """The built-in template: the seed's content without its people (signatories, council)."""
    seed = load_seed()
    keep = (
        "language",
        "title",
        "institution",
        "introduction",
        "legal_basis",
        "principles",
        "general_objective",
        "specific_objectives",
        "strategic_objectives",
    )
    return {k: copy.deepcopy(seed[k]) for k in keep}


def _short_display(tenant: Tenant) -> str:
    for prefix in ("Municipiul ", "Oraș ", "Orașul ", "Comuna ", "Sectorul "):
        if tenant.display_name.startswith(prefix):
            return tenant.display_name[len(prefix) :]
    return tenant.display_name


def localise_content(content: Mapping[str, Any], tenant: Tenant, year: int, *, from_seed: bool) -> dict[str, Any]:
    """Put the tenant's names and the year into template content.

    The built-in template is the seed itself, so its own names and year are
    replaced; a county's template writes ``{localitate}``, ``{LOCALITATE}``,
    ``{denumire}`` and ``{an}`` where the locality's names and the year go.
    """
    short = _short_display(tenant)
    if from_seed:
        pairs = [
            ("MUN. TÂRGU SECUIESC", tenant.name.upper()),
            (_SEED_OFFICIAL, tenant.name.upper()),
            ("Municipiul Târgu Secuiesc", tenant.display_name),
            ("municipiul Târgu Secuiesc", tenant.display_name),
            (_SEED_SHORT, short),
        ]
        year_pattern = re.compile(rf"\b{_SEED_YEAR}\b")

        def swap(text: str) -> str:
            for old, new in pairs:
                text = text.replace(old, new)
            return year_pattern.sub(str(year), text)
    else:
        pairs = [
            ("{LOCALITATE}", tenant.name.upper()),
            ("{denumire}", tenant.display_name),
            ("{localitate}", short),
            ("{an}", str(year)),
        ]

        def swap(text: str) -> str:
            for old, new in pairs:
                text = text.replace(old, new)
            return text

    return _map_strings(dict(content), swap)


def available_templates(tenant: Tenant) -> list[TemplateChoice]:
    """The built-in template, the tenant's own templates and those its county published."""
    choices = [TemplateChoice("builtin", BUILTIN_TEMPLATE_NAME, "builtin")]
    own = db.session.execute(
        sa.select(PlanTemplate.id, PlanTemplate.name)
        .where(PlanTemplate.tenant_id == tenant.id)
        .order_by(PlanTemplate.name)
    ).all()
    choices += [TemplateChoice(f"own:{tid}", name, "own", tid) for tid, name in own]
    if tenant.parent_id is not None:
        for tid, name in _county_templates(tenant):
            choices.append(TemplateChoice(f"county:{tid}", name, "county", tid))
    return choices


def _county_templates(tenant: Tenant, template_id: int | None = None) -> list[tuple[int, str]]:
    """Published templates of the tenant's county, read through an explicit read-only scope."""
    with read_scope([tenant.parent_id], write_tenant_id=tenant.id):
        query = sa.select(PlanTemplate.id, PlanTemplate.name).where(
            PlanTemplate.tenant_id == tenant.parent_id, PlanTemplate.published.is_(True)
        )
        if template_id is not None:
            query = query.where(PlanTemplate.id == template_id)
        return [(tid, name) for tid, name in db.session.execute(query.order_by(PlanTemplate.name)).all()]


def _county_template_content(tenant: Tenant, template_id: int) -> dict[str, Any]:
    if tenant.parent_id is None:
        raise NotFoundError(N_("Șablonul nu există."))
    with read_scope([tenant.parent_id], write_tenant_id=tenant.id):
        content = db.session.execute(
            sa.select(PlanTemplate.content).where(
                PlanTemplate.id == template_id,
                PlanTemplate.tenant_id == tenant.parent_id,
                PlanTemplate.published.is_(True),
            )
        ).scalar_one_or_none()
    if content is None:
        raise NotFoundError(N_("Șablonul nu există sau nu este publicat."))
    return copy.deepcopy(content)


def from_template(tenant: Tenant, year: int, key: str = "builtin") -> Plan:
    """A draft plan for ``year`` from a template: ``"builtin"``, ``"own:<id>"`` or ``"county:<id>"``."""
    _check_year(year)
    _ensure_no_plan(year)
    kind, _, raw_id = key.partition(":")
    if kind == "builtin":
        content = localise_content(builtin_template_content(), tenant, year, from_seed=True)
    elif kind in {"own", "county"} and raw_id.isdigit():
        if kind == "county":
            raw = _county_template_content(tenant, int(raw_id))
        else:
            template = db.session.execute(
                sa.select(PlanTemplate).where(PlanTemplate.id == int(raw_id), PlanTemplate.tenant_id == tenant.id)
            ).scalar_one_or_none()
            if template is None:
                raise NotFoundError(N_("Șablonul nu există."))
            raw = copy.deepcopy(template.content)
        content = localise_content(raw, tenant, year, from_seed=False)
    else:
        raise InvalidInputError({"template": [N_("Șablon necunoscut.")]})
    return build_plan(content, year)


def save_template(
    name: str, content: Mapping[str, Any], *, description: str | None = None, published: bool = False
) -> PlanTemplate:
    """Create a template of the current tenant (a county publishes one for its localities)."""
    name = _clean_text(name, "name", max_length=200) or ""
    if db.session.execute(sa.select(PlanTemplate.id).where(PlanTemplate.name == name)).first():
        raise InvalidInputError({"name": [N_("Există deja un șablon cu acest nume.")]})
    cleaned = {k: v for k, v in content.items() if k not in {"signatories", "council", "year", "siruta"}}
    template = PlanTemplate(name=name, description=description, content=cleaned, published=published)
    db.session.add(template)
    db.session.flush()
    return template


def template_from_plan(plan: Plan, name: str, *, published: bool = False) -> PlanTemplate:
    """Save the plan's content (without people) as a template of the tenant."""
    return save_template(name, plan_content(plan, with_signatories=False), published=published)


# ---------------------------------------------------------------- editing the content


SECTION_FIELDS = ("title", "institution", "introduction", "legal_basis", "general_objective", "language")


def update_sections(plan: Plan, data: Mapping[str, Any], *, version: int | None = None) -> Plan:
    """Change the plan's sections.

    ``data`` may hold the text sections (see :data:`SECTION_FIELDS`),
    ``principles`` (list of ``{"title", "text"}``), ``specific_objectives``
    (list of texts) — all refused once the plan is locked — and
    ``signatories`` (``{role: {"name", "function"} | None}``), which stay
    editable until the evaluation since the chair of the session is known
    only at the council's session.
    """
    check_version(plan, version)
    content_keys = [k for k in data if k in SECTION_FIELDS or k in {"principles", "specific_objectives"}]
    if content_keys:
        ensure_editable(plan)
    else:
        ensure_current(plan)
    if "signatories" in data and plan.status == PlanStatus.EVALUATED:
        raise PlanLockedError(N_("Planul este evaluat; semnatarii nu mai pot fi schimbați."))
    for key in SECTION_FIELDS:
        if key in data:
            value = data[key]
            if key == "title":
                value = _clean_text(value, "title", max_length=500)
            elif key == "language":
                value = value or "ro"
            elif isinstance(value, str):
                value = value.strip() or None
            setattr(plan, key, value)
    if "principles" in data:
        plan.principles.clear()
        db.session.flush()
        for pos, item in enumerate(data["principles"] or [], start=1):
            title = _clean_text(item.get("title"), f"principles.{pos - 1}.title", max_length=300)
            plan.principles.append(PlanPrinciple(position=pos, title=title, text=(item.get("text") or "").strip()))
    if "specific_objectives" in data:
        plan.specific_objectives.clear()
        db.session.flush()
        for pos, text in enumerate(data["specific_objectives"] or [], start=1):
            cleaned = _clean_text(text, f"specific_objectives.{pos - 1}")
            plan.specific_objectives.append(PlanSpecificObjective(position=pos, text=cleaned))
    if "signatories" in data:
        set_signatories(plan, data["signatories"] or {})
    plan.updated_at = utcnow()  # bumps the version even when only children changed
    db.session.flush()
    return plan


def set_signatories(plan: Plan, people: Mapping[str, Mapping[str, Any] | None]) -> None:
    """Record (or clear, with ``None``/empty name) the signatories named in ``people``."""
    for role_name, person in people.items():
        try:
            role = SignatoryRole(role_name)
        except ValueError:
            raise InvalidInputError({f"signatories.{role_name}": [N_("Rol de semnatar necunoscut.")]}) from None
        existing = plan.signatory(role)
        name = (person or {}).get("name")
        name = name.strip() if isinstance(name, str) else None
        if not name:
            if existing is not None:
                plan.signatories.remove(existing)
            continue
        function = ((person or {}).get("function") or "").strip() or None
        if existing is None:
            plan.signatories.append(Signatory(role=role, name=name, function=function))
        else:
            existing.name, existing.function = name, function


def _next_number(plan: Plan) -> int:
    return max((o.number for o in plan.objectives), default=0) + 1


def add_objective(plan: Plan, title: str, number: int | None = None) -> StrategicObjective:
    """Add a strategic objective (numbered after the last one unless ``number`` is given)."""
    ensure_editable(plan)
    title = _clean_text(title, "title")
    number = _next_number(plan) if number is None else number
    if number < 1:
        raise InvalidInputError({"number": [N_("Numărul trebuie să fie cel puțin 1.")]})
    if any(o.number == number for o in plan.objectives):
        raise InvalidInputError({"number": [N_("Există deja obiectivul %(number)s.", number=number)]})
    objective = StrategicObjective(number=number, title=title)
    plan.objectives.append(objective)
    db.session.flush()
    return objective


def update_objective(objective: StrategicObjective, data: Mapping[str, Any], *, version: int | None = None) -> None:
    """Change an objective's number or title."""
    ensure_editable(objective.plan)
    check_version(objective, version)
    if "number" in data and data["number"] is not None:
        number = data["number"]
        if number < 1:
            raise InvalidInputError({"number": [N_("Numărul trebuie să fie cel puțin 1.")]})
        if any(o.number == number and o.id != objective.id for o in objective.plan.objectives):
            raise InvalidInputError({"number": [N_("Există deja obiectivul %(number)s.", number=number)]})
        objective.number = number
    if "title" in data:
        objective.title = _clean_text(data["title"], "title")
    db.session.flush()


def _has_values(query_filter: Any) -> bool:
    return db.session.execute(sa.select(IndicatorValue.id).where(query_filter).limit(1)).first() is not None


def delete_objective(objective: StrategicObjective) -> None:
    """Remove an objective with its activities; refused when values were recorded under it."""
    ensure_editable(objective.plan)
    indicator_ids = [i.id for a in objective.activities for i in a.indicators]
    if indicator_ids and _has_values(IndicatorValue.indicator_id.in_(indicator_ids)):
        raise ConflictError(N_("Obiectivul are indicatori cu valori înregistrate și nu poate fi șters."))
    objective.plan.objectives.remove(objective)
    db.session.flush()


def _clean_names(names: Iterable[Any] | None) -> list[str]:
    out = []
    for pos, name in enumerate(names or []):
        text = _clean_text(name, f"responsible.{pos}", max_length=300)
        if text and text not in out:
            out.append(text)
    return out


def add_activity(
    objective: StrategicObjective,
    text: str,
    *,
    responsible: Iterable[str] = (),
    schedule_months: Iterable[int] = (),
    budget_estimate: Any = None,
) -> Activity:
    """Add an activity at the end of an objective."""
    plan = objective.plan
    ensure_editable(plan)
    activity = Activity(
        plan_id=plan.id,
        position=max((a.position for a in objective.activities), default=0) + 1,
        text=_clean_text(text, "text"),
        schedule_months=_check_months(schedule_months),
        budget_estimate=None if budget_estimate is None else to_decimal(budget_estimate, field_name="budget_estimate"),
    )
    objective.activities.append(activity)
    for pos, name in enumerate(_clean_names(responsible), start=1):
        activity.responsible.append(ResponsibleBody(position=pos, name=name))
    db.session.flush()
    return activity


def update_activity(activity: Activity, data: Mapping[str, Any], *, version: int | None = None) -> None:
    """Change an activity: text, responsible bodies (the whole ordered list), schedule, budget, objective."""
    plan = activity.objective.plan
    ensure_editable(plan)
    check_version(activity, version)
    if "text" in data:
        activity.text = _clean_text(data["text"], "text")
    if "schedule_months" in data:
        activity.schedule_months = _check_months(data["schedule_months"])
    if "budget_estimate" in data:
        budget = data["budget_estimate"]
        activity.budget_estimate = None if budget is None else to_decimal(budget, field_name="budget_estimate")
    if "position" in data and data["position"] is not None:
        activity.position = data["position"]
    if data.get("objective_id") is not None and data["objective_id"] != activity.objective_id:
        target = get_objective(plan, data["objective_id"])
        activity.objective.activities.remove(activity)
        target.activities.append(activity)
    if "responsible" in data:
        names = _clean_names(data["responsible"])
        activity.responsible.clear()
        db.session.flush()
        for pos, name in enumerate(names, start=1):
            activity.responsible.append(ResponsibleBody(position=pos, name=name))
    activity.updated_at = utcnow()
    db.session.flush()


def delete_activity(activity: Activity) -> None:
    """Remove an activity; refused when values were recorded for its indicators."""
    ensure_editable(activity.objective.plan)
    ids = [i.id for i in activity.indicators]
    if ids and _has_values(IndicatorValue.indicator_id.in_(ids)):
        raise ConflictError(N_("Activitatea are indicatori cu valori înregistrate și nu poate fi ștearsă."))
    activity.objective.activities.remove(activity)
    db.session.flush()


def _indicator_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "label" in data:
        out["label"] = _clean_text(data["label"], "label", max_length=500)
    if "unit" in data:
        out["unit"] = _clean_text(data["unit"] or "număr", "unit", max_length=40)
    for key in ("target", "baseline"):
        if key in data:
            out[key] = None if data[key] is None else to_decimal(data[key], field_name=key)
    if "code" in data:
        out["code"] = (data["code"] or "").strip() or None
    if "position" in data and data["position"] is not None:
        out["position"] = data["position"]
    return out


def add_indicator(activity: Activity, data: Mapping[str, Any]) -> Indicator:
    """Add an indicator of achievement to an activity (label required; target/baseline optional)."""
    plan = activity.objective.plan
    ensure_editable(plan)
    fields = _indicator_fields({"unit": "număr", **data})
    if "label" not in fields:
        raise InvalidInputError({"label": [N_("Câmp obligatoriu.")]})
    fields.setdefault("position", max((i.position for i in activity.indicators), default=0) + 1)
    indicator = Indicator(plan_id=plan.id, **fields)
    activity.indicators.append(indicator)
    db.session.flush()
    return indicator


def update_indicator(indicator: Indicator, data: Mapping[str, Any], *, version: int | None = None) -> None:
    """Change an indicator's label, unit, target, baseline, catalog code or position."""
    ensure_editable(indicator.activity.objective.plan)
    check_version(indicator, version)
    for key, value in _indicator_fields(data).items():
        setattr(indicator, key, value)
    db.session.flush()


def delete_indicator(indicator: Indicator) -> None:
    """Remove an indicator; refused when values were recorded for it."""
    ensure_editable(indicator.activity.objective.plan)
    if _has_values(IndicatorValue.indicator_id == indicator.id):
        raise ConflictError(N_("Indicatorul are valori înregistrate și nu poate fi șters."))
    indicator.activity.indicators.remove(indicator)
    db.session.flush()


# ---------------------------------------------------------------- values


@dataclass
class ValueEntry:
    """One value to record: the indicator, the number, an optional note."""

    indicator_id: int
    value: Any
    note: str | None = None


@dataclass
class RecordResult:
    """What :func:`record_values` did."""

    written: list[IndicatorValue] = field(default_factory=list)
    unchanged: int = 0


def live_values(plan: Plan, year: int | None = None) -> dict[int, dict[int | None, IndicatorValue]]:
    """The values in force (not superseded): ``{indicator_id: {quarter or None: row}}``."""
    query = sa.select(IndicatorValue).where(IndicatorValue.plan_id == plan.id, IndicatorValue.superseded.is_(False))
    if year is not None:
        query = query.where(IndicatorValue.year == year)
    out: dict[int, dict[int | None, IndicatorValue]] = defaultdict(dict)
    for row in db.session.execute(query).scalars():
        out[row.indicator_id][row.quarter] = row
    return out


def record_values(
    plan: Plan,
    year: int,
    quarter: int | None,
    entries: Sequence[ValueEntry],
    *,
    user_id: int | None = None,
) -> RecordResult:
    """Record the values of a period for many indicators at once.

    All entries are checked first; when one is bad nothing is written and
    :class:`InvalidInputError` names it (``values.<index>.<field>``). A value that
    differs from the one in force adds a row and marks the old one
    superseded; an identical value (and note) is left alone. An indicator is
    reported either per quarter or for the whole year within one year.
    Values are recorded whatever the plan's status (the content lock does not
    apply to them), but only on the current revision.
    """
    ensure_current(plan)
    errors: dict[str, list[str]] = {}
    if year != plan.year:
        errors["year"] = [N_("Planul este pentru anul %(year)s.", year=plan.year)]
    if quarter is not None and (isinstance(quarter, bool) or not 1 <= quarter <= 4):
        errors["quarter"] = [N_("Trimestrul este între 1 și 4.")]
    if errors:
        raise InvalidInputError(errors)
    known = {i.id: i for i in indicators_of(plan)}
    live = live_values(plan, year)
    cleaned: list[tuple[Indicator, Decimal, str | None]] = []
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        prefix = f"values.{index}"
        indicator = known.get(entry.indicator_id)
        if indicator is None:
            errors.setdefault(f"{prefix}.indicator_id", []).append(
                N_("Indicatorul %(id)s nu face parte din plan.", id=entry.indicator_id)
            )
            continue
        if entry.indicator_id in seen:
            errors.setdefault(f"{prefix}.indicator_id", []).append(N_("Indicatorul apare de două ori."))
            continue
        seen.add(entry.indicator_id)
        try:
            number = to_decimal(entry.value, field_name=f"{prefix}.value")
        except InvalidInputError as exc:
            for key, msgs in exc.errors.items():
                errors.setdefault(key, []).extend(msgs)
            continue
        kind, maximum = number_rules(indicator.code, indicator.unit)
        try:  # the catalog says what the number is: a count has no decimals, no value beyond the plausible
            number = check_number(number, kind, max=maximum)
        except NumberError as exc:
            errors.setdefault(f"{prefix}.value", []).append(exc.message)
            continue
        periods = set(live.get(indicator.id, {}))
        if quarter is None and periods - {None}:
            errors.setdefault(f"{prefix}.quarter", []).append(
                N_(
                    "„%(label)s” are deja valori pe trimestre în %(year)s; înregistrați pe trimestru.",
                    label=indicator.label,
                    year=year,
                )
            )
            continue
        if quarter is not None and None in periods:
            errors.setdefault(f"{prefix}.quarter", []).append(
                N_(
                    "„%(label)s” are deja o valoare pe tot anul %(year)s; corectați valoarea anuală.",
                    label=indicator.label,
                    year=year,
                )
            )
            continue
        note = (entry.note or "").strip() or None
        cleaned.append((indicator, number, note))
    if errors:
        raise InvalidInputError(errors)
    result = RecordResult()
    now = utcnow()
    replaced = False
    for indicator, number, note in cleaned:
        old = live.get(indicator.id, {}).get(quarter)
        if old is not None:
            if old.value == number and (old.note or None) == note:
                result.unchanged += 1
                continue
            old.superseded = True
            old.superseded_at = now
            replaced = True
    if replaced:
        db.session.flush()  # the old rows leave the "one live value" index before the new ones arrive
    for indicator, number, note in cleaned:
        old = live.get(indicator.id, {}).get(quarter)
        if old is not None and not old.superseded:
            continue
        row = IndicatorValue(
            plan_id=plan.id,
            indicator_id=indicator.id,
            year=year,
            quarter=quarter,
            value=number,
            note=note,
            recorded_by_id=user_id,
            recorded_at=now,
        )
        db.session.add(row)
        result.written.append(row)
    db.session.flush()
    return result


def value_history(indicator: Indicator) -> list[IndicatorValue]:
    """Every value ever recorded for an indicator, superseded ones included, oldest first per period."""
    return list(
        db.session.execute(
            sa.select(IndicatorValue)
            .where(IndicatorValue.indicator_id == indicator.id, IndicatorValue.tenant_id == indicator.tenant_id)
            .order_by(IndicatorValue.year, sa.func.coalesce(IndicatorValue.quarter, 0), IndicatorValue.id)
        ).scalars()
    )


# ---------------------------------------------------------------- the approval chain


def allowed_steps(plan: Plan) -> list[Step]:
    """The moves the chain allows from the plan's status (whatever the user's permissions)."""
    if not plan.is_current:
        return []
    return [s for s in STEPS if s.source == plan.status]


def step_for(plan: Plan, target: PlanStatus | str) -> Step:
    """The step from the plan's status to ``target``; TransitionRefusedError when the chain does not allow it."""
    target = PlanStatus(target)
    ensure_current(plan)
    step = STEP_BY_MOVE.get((plan.status, target))
    if step is None:
        allowed = [s.target for s in allowed_steps(plan)]
        if not allowed:
            raise TransitionRefusedError(
                N_(
                    "Planul nu poate trece din starea „%(current)s” în „%(target)s”. Din această stare nu mai "
                    "urmează niciun pas.",
                    current=status_label(plan.status),
                    target=status_label(target),
                )
            )
        raise TransitionRefusedError(
            N_(
                "Planul nu poate trece din starea „%(current)s” în „%(target)s”. Stări posibile: %(allowed)s.",
                current=status_label(plan.status),
                target=status_label(target),
                allowed=Labels(STATUS_LABELS[s] for s in allowed),
            )
        )
    return step


def council_members(*, on: dt.date | None = None) -> list[CouncilMember]:
    """The members of the tenant's consultative council (valid ``on`` a date when given), in order."""
    query = (
        sa.select(CouncilMember)
        .join(Council, Council.id == CouncilMember.council_id)
        .order_by(Council.id, CouncilMember.position)
    )
    members = list(db.session.execute(query).scalars())
    if on is not None:
        members = [
            m
            for m in members
            if (m.valid_from is None or m.valid_from <= on) and (m.valid_to is None or m.valid_to >= on)
        ]
    return members


def _member_snapshot(ids: Sequence[Any], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    wanted: list[int] = []
    for raw in ids:
        try:
            wanted.append(int(raw))
        except (TypeError, ValueError):
            errors.setdefault("members_present", []).append(N_("„%(value)s” nu este un membru.", value=str(raw)))
    if errors.get("members_present"):
        return []
    found = {m.id: m for m in council_members() if m.id in set(wanted)}
    unknown = [str(i) for i in wanted if i not in found]
    if unknown:
        errors.setdefault("members_present", []).append(
            N_("Nu sunt membri ai consiliului consultativ al instituției: %(ids)s.", ids=", ".join(unknown))
        )
        return []
    return [
        {
            "id": m.id,
            "position": m.position,
            "name": m.name,
            "role": m.role.value,
            "function": m.function,
            "institution": m.institution,
        }
        for m in sorted((found[i] for i in dict.fromkeys(wanted)), key=lambda m: m.position)
    ]


def _as_date(value: Any, field_name: str, errors: dict[str, list[str]]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        _required(field_name, errors, N_("Data nu este validă (AAAA-LL-ZZ)."))
        return None


def _endorsement(plan: Plan) -> PlanTransition | None:
    return next((t for t in reversed(plan.transitions) if t.to_status == PlanStatus.ENDORSED), None)


def _approval(plan: Plan) -> PlanTransition | None:
    return next((t for t in reversed(plan.transitions) if t.to_status == PlanStatus.APPROVED), None)


def endorsement(plan: Plan) -> PlanTransition | None:
    """The transition that recorded the council's aviz of this revision, if any."""
    return _endorsement(plan)


def approval(plan: Plan) -> PlanTransition | None:
    """The transition that recorded the HCL of this revision, if any."""
    return _approval(plan)


def transition(
    plan: Plan,
    target: PlanStatus | str,
    data: Mapping[str, Any] | None = None,
    *,
    user_id: int | None = None,
    version: int | None = None,
    demo_without_aviz_number: bool = False,
) -> PlanTransition:
    """Move the plan one step along the chain, recording the step's fields.

    * draft → submitted (optionally ``submitted_on``, the date of the address to the council;
      refused for a plan without an objective, an activity or an indicator);
      submitted → draft (the council sends it back: ``note`` required);
    * submitted → endorsed: ``aviz_number``, ``aviz_date`` and ``members_present``
      (ids of the tenant's council members) required;
    * endorsed → approved: ``hcl_number``/``hcl_date``, the mayor's
      ``referat_number``/``referat_date`` and the DAS's ``raport_number``/``raport_date``;
    * approved → in_implementation; in_implementation → evaluated (with a
      ``narrative``, or an evaluation written before).

    Anything else raises :class:`TransitionRefusedError`; a missing field, a
    number of spaces, a date in the future or out of the chain's order
    (:mod:`plugins.prevention_plan.chain_checks`) raises
    :class:`InvalidInputError` naming every bad field at once. ``demo_without_aviz_number`` lets the demo
    loader record the seed's aviz, whose number and date the document does
    not give.
    """
    data = dict(data or {})
    step = step_for(plan, target)
    check_version(plan, version)
    errors: dict[str, list[str]] = {}
    required = set(step.required)
    if demo_without_aviz_number:
        required -= {"aviz_number", "aviz_date"}
    for name in step.required:
        if name not in required:
            continue
        value = data.get(name)
        if value is None or (isinstance(value, str | list | tuple) and not value):
            _required(name, errors, N_("Câmp obligatoriu pentru acest pas."))
    chain_checks.blank_numbers(data, errors)
    record = PlanTransition(
        plan_id=plan.id,
        from_status=plan.status,
        to_status=step.target,
        at=utcnow(),
        by_user_id=user_id,
        note=(data.get("note") or "").strip() or None,
    )
    for name in chain_checks.DATE_FIELDS:
        if name in data:
            data[name] = _as_date(data[name], name, errors)
    chain_checks.future_dates(data, errors, chain_checks.romanian_today())
    if step.target == PlanStatus.SUBMITTED:
        record.submitted_on = data.get("submitted_on")
        activities = activities_of(plan)
        chain_checks.content_reaches_the_council(
            len(plan.objectives), len(activities), sum(len(a.indicators) for a in activities), errors
        )
    if step.target == PlanStatus.ENDORSED:
        record.aviz_number = (data.get("aviz_number") or "").strip() or None
        record.aviz_date = data.get("aviz_date")
        if data.get("members_present"):
            record.members_present = _member_snapshot(data["members_present"], errors)
        submitted = next((t for t in reversed(plan.transitions) if t.to_status == PlanStatus.SUBMITTED), None)
        chain_checks.aviz_order(record.aviz_date, submitted.submitted_on if submitted else None, errors)
    if step.target == PlanStatus.APPROVED:
        for name in HCL_FIELDS:
            value = data.get(name)
            setattr(record, name, (value.strip() or None) if isinstance(value, str) else value)
        aviz = _endorsement(plan)
        chain_checks.hcl_order(data, aviz.aviz_date if aviz is not None else None, errors)
    if step.target == PlanStatus.EVALUATED:
        narrative = (data.get("narrative") or "").strip()
        if not narrative and plan.evaluation is None:
            _required("narrative", errors, N_("Scrieți evaluarea anuală înainte de a încheia planul."))
    if errors:
        raise InvalidInputError(errors)
    if step.target == PlanStatus.EVALUATED and (data.get("narrative") or "").strip():
        evaluate(plan, data["narrative"], user_id=user_id, allow_status=PlanStatus.IN_IMPLEMENTATION)
    plan.transitions.append(record)
    plan.status = step.target
    if step.target == PlanStatus.ENDORSED and record.aviz_date is not None:
        _record_council_meeting(plan, record)
    db.session.flush()
    return record


def _record_council_meeting(plan: Plan, record: PlanTransition) -> None:
    council = db.session.execute(sa.select(Council).order_by(Council.id).limit(1)).scalar_one_or_none()
    if council is None or record.aviz_date is None:
        return
    topic = f"Avizarea planului de prevenire {plan.year} (revizia {plan.revision}), aviz nr. {record.aviz_number}"
    council.meetings.append(
        CouncilMeeting(held_on=record.aviz_date, topic=topic[:500], members_present=len(record.members_present or []))
    )


# ---------------------------------------------------------------- evaluation


def _pct(value: Decimal, target: Decimal) -> Decimal:
    return (value * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def evaluation_figures(plan: Plan) -> dict[str, Any]:
    """The computed evaluation of the plan's year.

    Per indicator: the values in force per quarter (or the whole year), their
    total, and the % of the target where a target exists. Per activity: a flag
    when none of its indicators has a value. Per strategic objective: how many
    indicators have values (coverage %) and the mean % of target (capped at
    100) over the indicators that have a target. Decimals stay exact.
    """
    live = live_values(plan, plan.year)
    objectives_out = []
    all_indicators = 0
    with_values = 0
    flagged = 0
    for objective in plan.objectives:
        obj_total = obj_with = 0
        pcts: list[Decimal] = []
        activities_out = []
        for activity in objective.activities:
            ind_out = []
            any_value = False
            for indicator in activity.indicators:
                rows = live.get(indicator.id, {})
                quarters = {q: rows[q].value for q in (1, 2, 3, 4) if q in rows}
                year_value = rows[None].value if None in rows else None
                total = sum(quarters.values(), Decimal(0)) if quarters else year_value
                pct = _pct(total, indicator.target) if total is not None and indicator.target else None
                if pct is not None:
                    pcts.append(min(pct, Decimal(100)))
                has = total is not None
                any_value |= has
                obj_total += 1
                obj_with += int(has)
                ind_out.append(
                    {
                        "id": indicator.id,
                        "label": indicator.label,
                        "unit": indicator.unit,
                        "code": indicator.code,
                        "target": indicator.target,
                        "baseline": indicator.baseline,
                        "quarters": quarters,
                        "year_value": year_value,
                        "total": total,
                        "percent_of_target": pct,
                        "has_values": has,
                    }
                )
            flagged += int(not any_value)
            activities_out.append(
                {"id": activity.id, "text": activity.text, "without_values": not any_value, "indicators": ind_out}
            )
        all_indicators += obj_total
        with_values += obj_with
        objectives_out.append(
            {
                "id": objective.id,
                "number": objective.number,
                "title": objective.title,
                "indicators_total": obj_total,
                "indicators_with_values": obj_with,
                "coverage_percent": _pct(Decimal(obj_with), Decimal(obj_total)) if obj_total else None,
                "target_percent": (sum(pcts, Decimal(0)) / len(pcts)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                if pcts
                else None,
                "activities": activities_out,
            }
        )
    return {
        "plan_id": plan.id,
        "year": plan.year,
        "indicators_total": all_indicators,
        "indicators_with_values": with_values,
        "coverage_percent": _pct(Decimal(with_values), Decimal(all_indicators)) if all_indicators else None,
        "activities_without_values": flagged,
        "objectives": objectives_out,
    }


def _jsonable(node: Any) -> Any:
    if isinstance(node, Decimal):
        return plain_decimal(node)
    if isinstance(node, dict):
        return {str(k): _jsonable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_jsonable(v) for v in node]
    return node


def evaluate(
    plan: Plan,
    narrative: str,
    *,
    user_id: int | None = None,
    version: int | None = None,
    allow_status: PlanStatus | None = None,
) -> PlanEvaluation:
    """Write (or rewrite) the annual evaluation: the narrative and the figures computed now.

    Allowed once the plan is approved by the local council, on the current revision.
    """
    ensure_current(plan)
    if plan.status not in EVALUATION_STATUSES and plan.status != allow_status:
        raise ConflictError(N_("Evaluarea anuală se scrie după aprobarea planului prin HCL."))
    narrative = _clean_text(narrative, "narrative") or ""
    figures = _jsonable(evaluation_figures(plan))
    evaluation = plan.evaluation
    if evaluation is None:
        evaluation = PlanEvaluation(plan_id=plan.id, narrative=narrative, figures=figures, evaluated_by_id=user_id)
        plan.evaluation = evaluation
    else:
        check_version(evaluation, version)
        evaluation.narrative = narrative
        evaluation.figures = figures
        evaluation.evaluated_at = utcnow()
        evaluation.evaluated_by_id = user_id
    db.session.flush()
    return evaluation


# ---------------------------------------------------------------- documents


_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str) -> str:
    """A file name without folders or odd characters (diacritics kept)."""
    base = Path(str(name).replace("\\", "/")).name.strip().strip(".")
    base = _UNSAFE.sub("_", base)[:200]
    return base or "document"


def store_document(
    plan: Plan,
    files_root: str | Path,
    filename: str,
    data: bytes,
    *,
    step: PlanStatus | str | None = None,
    title: str | None = None,
    transition_id: int | None = None,
    user_id: int | None = None,
) -> PlanDocument:
    """Store a document attached to a step under ``<files_root>/<tenant_id>/plans/<plan_id>/``.

    The file is accepted by its content (:func:`core.toolkit.check_upload`:
    a PDF or a DOCX — never HTML or SVG), whatever its name and declared type.
    """
    errors: dict[str, list[str]] = {}
    checked = None
    try:
        checked = check_upload(data, field="file", allowed=DOCUMENT_UPLOADS)
    except UploadRefusedError as exc:
        errors.update(exc.errors)
    try:
        step_status = PlanStatus(step) if step is not None else plan.status
    except ValueError:
        errors["step"] = [N_("Pas necunoscut.")]
        step_status = plan.status
    if transition_id is not None and not any(t.id == transition_id for t in plan.transitions):
        errors["transition_id"] = [N_("Pasul nu aparține acestui plan.")]
    if errors or checked is None:
        raise InvalidInputError(errors)
    name = safe_filename(filename)
    relative = Path(str(plan.tenant_id)) / "plans" / str(plan.id) / f"{uuid.uuid4().hex}.{checked.extension}"
    target = Path(files_root) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    document = PlanDocument(
        plan_id=plan.id,
        step=step_status,
        transition_id=transition_id,
        title=(title or "").strip() or None,
        filename=name,
        mimetype=checked.mimetype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_path=relative.as_posix(),
        uploaded_by_id=user_id,
    )
    plan.documents.append(document)
    db.session.flush()
    return document


def document_path(files_root: str | Path, document: PlanDocument) -> Path:
    """Where a stored document lives; NotFoundError when the file is missing or does not match its checksum."""
    root = Path(files_root).resolve()
    path = (root / document.storage_path).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFoundError(N_("Fișierul documentului lipsește."))
    if path.stat().st_size != document.size:
        raise NotFoundError(N_("Fișierul documentului nu corespunde înregistrării."))
    return path


# ---------------------------------------------------------------- aggregation and dashboard


def catalog_indicator_values(tenant_ids: Sequence[int], period: Period) -> list[CatalogValue]:
    """Sum of the values in force of the current plans' coded indicators, per tenant and code (one query)."""
    if not tenant_ids:
        return []
    query = (
        sa.select(
            Indicator.tenant_id,
            Indicator.code,
            sa.func.sum(IndicatorValue.value),
            sa.func.count(IndicatorValue.id),
        )
        .join(
            IndicatorValue,
            sa.and_(IndicatorValue.tenant_id == Indicator.tenant_id, IndicatorValue.indicator_id == Indicator.id),
        )
        .join(Plan, sa.and_(Plan.tenant_id == Indicator.tenant_id, Plan.id == Indicator.plan_id))
        .where(
            in_ids(Indicator.tenant_id, tenant_ids),
            Indicator.code.is_not(None),
            Plan.is_current.is_(True),
            Plan.year == period.year,
            IndicatorValue.year == period.year,
            IndicatorValue.superseded.is_(False),
        )
        .group_by(Indicator.tenant_id, Indicator.code)
    )
    if period.quarter is not None:
        query = query.where(IndicatorValue.quarter == period.quarter)
    return [
        CatalogValue(tenant_id=tid, code=code, value=Decimal(total), count=count)
        for tid, code, total, count in db.session.execute(query)
    ]


def locality_status(tenant_ids: Sequence[int], year: int) -> dict[int, dict[str, Any]]:
    """Per tenant: the current plan's status and revision, the aviz date and the HCL date (one query)."""
    out: dict[int, dict[str, Any]] = {
        tid: {"plan_status": None, "plan_revision": None, "plan_endorsed_on": None, "plan_hcl_date": None}
        for tid in tenant_ids
    }
    if not tenant_ids:
        return out
    endorsed = aliased(PlanTransition)
    approved = aliased(PlanTransition)
    query = (
        sa.select(
            Plan.tenant_id,
            Plan.status,
            Plan.revision,
            sa.func.max(endorsed.aviz_date),
            sa.func.max(approved.hcl_date),
        )
        .outerjoin(
            endorsed,
            sa.and_(
                endorsed.tenant_id == Plan.tenant_id,
                endorsed.plan_id == Plan.id,
                endorsed.to_status == PlanStatus.ENDORSED,
            ),
        )
        .outerjoin(
            approved,
            sa.and_(
                approved.tenant_id == Plan.tenant_id,
                approved.plan_id == Plan.id,
                approved.to_status == PlanStatus.APPROVED,
            ),
        )
        .where(in_ids(Plan.tenant_id, tenant_ids), Plan.year == year, Plan.is_current.is_(True))
        .group_by(Plan.tenant_id, Plan.status, Plan.revision)
    )
    for tid, status, revision, aviz_date, hcl_date in db.session.execute(query):
        out[tid] = {
            "plan_status": PlanStatus(status).value,
            "plan_revision": revision,
            "plan_endorsed_on": aviz_date,
            "plan_hcl_date": hcl_date,
        }
    return out


def dashboard_summary(year: int) -> dict[str, Any]:
    """This year's plan of the current tenant: status and the % of its indicators with a value (two queries)."""
    plan = current_plan(year)
    if plan is None:
        return {"year": year, "plan": None}
    total, with_values = db.session.execute(
        sa.select(
            sa.func.count(sa.distinct(Indicator.id)),
            sa.func.count(sa.distinct(IndicatorValue.indicator_id)),
        )
        .select_from(Indicator)
        .outerjoin(
            IndicatorValue,
            sa.and_(
                IndicatorValue.tenant_id == Indicator.tenant_id,
                IndicatorValue.indicator_id == Indicator.id,
                IndicatorValue.superseded.is_(False),
                IndicatorValue.year == year,
            ),
        )
        .where(Indicator.plan_id == plan.id, Indicator.tenant_id == plan.tenant_id)
    ).one()
    return {
        "year": year,
        "plan": plan,
        "status_label": STATUS_LABELS[plan.status],
        "indicators_total": total,
        "indicators_with_values": with_values,
        "percent": _pct(Decimal(with_values), Decimal(total)) if total else None,
    }


# ---------------------------------------------------------------- the council (for the demo and the pages)


def ensure_council(name: str = "Consiliul Comunitar Consultativ") -> Council:
    """The tenant's council named ``name``, created when missing."""
    council = db.session.execute(sa.select(Council).where(Council.name == name)).scalar_one_or_none()
    if council is None:
        council = Council(name=name)
        db.session.add(council)
        db.session.flush()
    return council


def ensure_member(
    council: Council, *, position: int, name: str, role: str, function: str | None, institution: str | None
) -> CouncilMember:
    """A member of ``council`` by name, created (or brought up to date) idempotently."""
    member = next((m for m in council.members if m.name == name), None)
    wanted = {"position": position, "role": CouncilRole(role), "function": function, "institution": institution}
    if member is None:
        member = CouncilMember(name=name, **wanted)
        council.members.append(member)
    else:
        for key, value in wanted.items():
            if getattr(member, key) != value:
                setattr(member, key, value)
    return member
