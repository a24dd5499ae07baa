"""The domain rules of funded projects, free of Flask.

Everything here works on ``db.session`` inside the tenant scope the caller
entered (a request, a job, the demo loader, a test) and can be called without
a request. Rules refuse bad input by raising :class:`RuleViolation`, which
carries the field and the reason in Romanian; the API turns it into a 422 and
the pages show the reason next to the field.

Budget rules
    * the planned amounts of the lines may not add up to more than the
      project's total budget (what is left is shown as *unallocated*);
    * an expenditure dated outside the project period, or larger than what is
      left on its line, is refused — unless a user holding ``pin.override``
      records it with a non-empty justification; it is then marked
      ``override`` with the rules it broke, and the insert is audited like
      every write (the audit entry carries the justification).

Indicator status at a date ``d`` (see :func:`indicator_status`)
    ``elapsed`` is the share of the project period passed at ``d`` (days,
    both ends included, 0 before the start, 1 after the end) and ``ratio``
    the value reached by ``d`` divided by the target:

    * **achieved** — the comparator is met (*at least*: value ≥ target;
      *exactly*: value = target; a value above an *exactly* target also
      counts as achieved and is flagged ``exceeds``);
    * **on track** — ratio ≥ elapsed;
    * **at risk** — ratio ≥ 0.7 × elapsed (:data:`AT_RISK_FACTOR`);
    * **behind** — below that.

    A deliverable (manual, leaflet) counts its whole target once it is
    printed (``delivered_on`` ≤ ``d``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from unidecode import unidecode

from core.toolkit import (
    N_,
    IndicatorValue,
    NumberError,
    Period,
    Tenant,
    TenantKind,
    UploadRefusedError,
    check_number,
    check_upload,
    db,
    in_ids,
    utcnow,
)
from plugins.pin_project.catalog import CATALOG_BY_CODE, CATALOG_CODES
from plugins.pin_project.models import (
    ActivityBudgetLine,
    ActivityLocality,
    ActivityStatus,
    ActivityStep,
    BudgetLine,
    BudgetRevision,
    Comparator,
    ExpectedResult,
    Expenditure,
    IndicatorBreakdown,
    Objective,
    PerformanceIndicator,
    Programme,
    ProgressEntry,
    Project,
    ProjectActivity,
    ProjectLocality,
    ProjectStatus,
    TargetGroup,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
AT_RISK_FACTOR = Decimal("0.7")
"""An indicator is *at risk* when its share of the target is at least this fraction of the elapsed time."""


# --------------------------------------------------------------------------- errors


class RuleViolation(Exception):  # noqa: N818 - a domain refusal, not a programming error
    """Input refused by a domain rule: ``errors`` maps each field to its reasons (Romanian)."""

    def __init__(self, errors: dict[str, list[str]] | None = None, **fields: str | list[str]) -> None:
        merged: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
        for name, reason in fields.items():
            merged.setdefault(name, []).extend([reason] if isinstance(reason, str) else reason)
        self.errors = merged
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in merged.items()))

    @property
    def field(self) -> str:
        """The first field refused."""
        return next(iter(self.errors))

    @property
    def reason(self) -> str:
        """The first reason given."""
        return self.errors[self.field][0]


class OverrideForbidden(RuleViolation):
    """An override was asked for by a user without ``pin.override``."""


class StaleVersion(Exception):  # noqa: N818
    """The object changed since the client read it (optimistic locking)."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(f"the object is now at version {current}")


# --------------------------------------------------------------------------- formatting


def format_money(amount: Decimal | int | None) -> str:
    """Romanian notation: ``1234.5`` → ``"1.234,50"``."""
    value = Decimal(amount or 0).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{'.'.join(groups)},{cents}"


def _money(amount: Decimal | int | None) -> Decimal:
    """An amount for a message: a Decimal to the ban, written in the reader's notation when shown."""
    return Decimal(amount or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def format_quantity(value: Decimal | int | None) -> str:
    """A quantity without useless decimals: ``Decimal("20.00")`` → ``"20"``, ``2.5`` → ``"2,5"``."""
    number = Decimal(value or 0)
    if number == number.to_integral_value():
        return format_money(number).split(",")[0]
    text = format_money(number).rstrip("0")
    return text.rstrip(",")


def format_pct(value: Decimal | int | None) -> str:
    """A percentage with one decimal, Romanian notation: ``Decimal("12.5")`` → ``"12,5"``."""
    return f"{Decimal(value or 0).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}".replace(".", ",")


def format_date(day: dt.date | None) -> str:
    """``dd.mm.yyyy`` as written in Romanian documents."""
    return day.strftime("%d.%m.%Y") if day else ""


def money_sum(column: Any) -> Any:
    """An exact SQL sum of a money column, in bani (an integer), on SQLite and PostgreSQL alike."""
    return sa.func.coalesce(sa.func.sum(sa.cast(sa.func.round(column * 100), sa.BigInteger)), 0)


def from_bani(value: Any) -> Decimal:
    """Turn a sum in bani back into lei."""
    return (Decimal(int(value or 0)) / 100).quantize(CENT)


# --------------------------------------------------------------------------- loading


def _one(model: type[Any], object_id: int) -> Any | None:
    """A row of ``model`` by id, through a query (so the tenant filter always applies)."""
    return db.session.execute(sa.select(model).where(model.id == object_id)).scalar_one_or_none()


def get_programme(programme_id: int) -> Programme | None:
    """A programme of the current tenant."""
    return _one(Programme, programme_id)


def get_project(project_id: int) -> Project | None:
    """A project of the current tenant (``None`` for another tenant's id)."""
    return _one(Project, project_id)


def _child(model: type[Any], object_id: int, project: Project) -> Any | None:
    obj = _one(model, object_id)
    if obj is None or getattr(obj, "project_id", None) != project.id:
        return None
    return obj


def get_budget_line(project: Project, line_id: int) -> BudgetLine | None:
    """A budget line of ``project``."""
    return _child(BudgetLine, line_id, project)


def get_expenditure(project: Project, expenditure_id: int) -> Expenditure | None:
    """An expenditure of ``project``."""
    return _child(Expenditure, expenditure_id, project)


def get_activity(project: Project, activity_id: int) -> ProjectActivity | None:
    """An activity of ``project``."""
    return _child(ProjectActivity, activity_id, project)


def get_objective(project: Project, objective_id: int) -> Objective | None:
    """An objective of ``project``."""
    return _child(Objective, objective_id, project)


def get_target_group(project: Project, group_id: int) -> TargetGroup | None:
    """A target group of ``project``."""
    return _child(TargetGroup, group_id, project)


def get_project_locality(project: Project, link_id: int) -> ProjectLocality | None:
    """A participating-locality link of ``project``."""
    return _child(ProjectLocality, link_id, project)


def get_result(project: Project, result_id: int) -> ExpectedResult | None:
    """An expected result of ``project``."""
    return _child(ExpectedResult, result_id, project)


def get_indicator(project: Project, indicator_id: int) -> PerformanceIndicator | None:
    """A performance indicator of ``project``."""
    indicator = _one(PerformanceIndicator, indicator_id)
    if indicator is None or indicator.result.project_id != project.id:
        return None
    return indicator


def get_step(activity: ProjectActivity, step_id: int) -> ActivityStep | None:
    """A sub-step of ``activity``."""
    step = _one(ActivityStep, step_id)
    return step if step is not None and step.activity_id == activity.id else None


def get_progress_entry(indicator: PerformanceIndicator, entry_id: int) -> ProgressEntry | None:
    """A progress entry of ``indicator``."""
    entry = _one(ProgressEntry, entry_id)
    return entry if entry is not None and entry.indicator_id == indicator.id else None


def list_projects() -> list[Project]:
    """The current tenant's projects, newest period first."""
    return list(db.session.execute(sa.select(Project).order_by(Project.start_date.desc(), Project.id)).scalars())


def list_programmes() -> list[Programme]:
    """The current tenant's programmes."""
    return list(db.session.execute(sa.select(Programme).order_by(Programme.code)).scalars())


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse (:class:`StaleVersion`) when the client's ``expected`` version is not the current one."""
    if expected is not None and int(expected) != obj.version:
        raise StaleVersion(obj.version)


def apply(obj: Any, changes: dict[str, Any], allowed: Iterable[str]) -> None:
    """Set the ``allowed`` attributes present in ``changes``."""
    for key in allowed:
        if key in changes:
            setattr(obj, key, changes[key])


# --------------------------------------------------------------------------- programme and project


def create_programme(*, code: str, name: str, funder_name: str, funder_acronym: str | None = None) -> Programme:
    """Record a funding programme for the current tenant (codes are unique per tenant)."""
    code = code.strip()
    exists = db.session.execute(sa.select(Programme.id).where(Programme.code == code)).first()
    if exists:
        raise RuleViolation(code=N_("Programul %(code)s este deja înregistrat.", code=code))
    programme = Programme(code=code, name=name.strip(), funder_name=funder_name.strip(), funder_acronym=funder_acronym)
    db.session.add(programme)
    db.session.flush()
    return programme


def create_project(
    programme: Programme,
    *,
    title: str,
    budget_total: Decimal,
    start_date: dt.date,
    end_date: dt.date,
    purpose: str | None = None,
    currency: str = "RON",
    period_text: str | None = None,
    status: ProjectStatus | str = ProjectStatus.PLANNED,
) -> Project:
    """Create a project under ``programme``."""
    _check_period(start_date, end_date)
    _check_money(budget_total, "budget_total", allow_zero=True)
    project = Project(
        programme_id=programme.id,
        title=title.strip(),
        purpose=purpose,
        budget_total=Decimal(budget_total),
        currency=currency,
        start_date=start_date,
        end_date=end_date,
        period_text=period_text,
        status=ProjectStatus(status),
    )
    db.session.add(project)
    db.session.flush()
    return project


def update_project(project: Project, changes: dict[str, Any]) -> Project:
    """Change a project's fields; the total may not fall below what the lines already plan."""
    start = changes.get("start_date", project.start_date)
    end = changes.get("end_date", project.end_date)
    _check_period(start, end)
    if "budget_total" in changes:
        total = Decimal(changes["budget_total"])
        _check_money(total, "budget_total", allow_zero=True)
        allocated = allocated_amount(project)
        if total < allocated:
            raise RuleViolation(
                budget_total=N_(
                    "Bugetul total nu poate fi mai mic decât suma alocată pe linii (%(allocated)s lei).",
                    allocated=_money(allocated),
                )
            )
    if "programme_id" in changes and get_programme(changes["programme_id"]) is None:
        raise RuleViolation(programme_id=N_("Programul nu există."))
    if "status" in changes:
        changes = {**changes, "status": ProjectStatus(changes["status"])}
    apply(
        project,
        changes,
        ("programme_id", "title", "purpose", "budget_total", "currency", "start_date", "end_date", "period_text",
         "status"),
    )  # fmt: skip
    db.session.flush()
    return project


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise RuleViolation(end_date=N_("Data de sfârșit este înaintea datei de început."))


def _check_money(amount: Decimal, field_name: str, *, allow_zero: bool = False) -> None:
    if isinstance(amount, float):
        raise TypeError("money must be Decimal, not float")
    value = Decimal(amount)
    if value != value.quantize(CENT):
        raise RuleViolation({field_name: [N_("Suma poate avea cel mult două zecimale (bani).")]})
    if value < 0 or (value == 0 and not allow_zero):
        raise RuleViolation({field_name: [N_("Suma trebuie să fie pozitivă.")]})


def add_objective(project: Project, text: str, position: int | None = None) -> Objective:
    """Append an objective (or put it at ``position``)."""
    obj = Objective(project_id=project.id, text=text.strip(), position=position or len(project.objectives) + 1)
    project.objectives.append(obj)
    db.session.flush()
    return obj


def add_target_group(project: Project, text: str, position: int | None = None) -> TargetGroup:
    """Append a target group (or put it at ``position``)."""
    group = TargetGroup(project_id=project.id, text=text.strip(), position=position or len(project.target_groups) + 1)
    project.target_groups.append(group)
    db.session.flush()
    return group


# --------------------------------------------------------------------------- localities


def owner_county_id(project: Project) -> int | None:
    """The county of the project's owner: the owner itself, or a locality owner's parent."""
    owner = db.session.get(Tenant, project.tenant_id)
    if owner is None:
        return None
    return owner.id if owner.kind == TenantKind.COUNTY else owner.parent_id


def may_attribute_to(project: Project, locality_tenant_id: int) -> bool:
    """Whether ``project`` may link a locality and attribute figures to it.

    A county's project may, for any of its localities; a locality's project
    only for the locality itself — it never puts figures in another
    locality's name (they would show in that locality's county figures).
    """
    owner = db.session.get(Tenant, project.tenant_id)
    if owner is None:
        return False
    return owner.kind == TenantKind.COUNTY or owner.id == locality_tenant_id


def attributable_links(project: Project) -> list[ProjectLocality]:
    """The project's localities it may attribute progress to (see :func:`may_attribute_to`)."""
    return [link for link in project.localities if may_attribute_to(project, link.locality_tenant_id)]


def add_locality(
    project: Project,
    locality_tenant_id: int,
    *,
    employs_staff: bool = False,
    creates_council: bool = False,
    note: str | None = None,
) -> ProjectLocality:
    """Link a locality tenant of the owner's county to the project, with its roles."""
    locality = db.session.get(Tenant, locality_tenant_id)
    county_id = owner_county_id(project)
    if locality is None or locality.kind != TenantKind.LOCALITY:
        raise RuleViolation(locality_tenant_id=N_("Localitatea nu există."))
    if county_id is None or locality.parent_id != county_id:
        raise RuleViolation(locality_tenant_id=N_("Localitatea nu aparține județului care derulează proiectul."))
    if not may_attribute_to(project, locality_tenant_id):
        raise RuleViolation(
            locality_tenant_id=N_("Doar județul care derulează proiectul poate adăuga alte localități.")
        )
    if any(link.locality_tenant_id == locality_tenant_id for link in project.localities):
        raise RuleViolation(locality_tenant_id=N_("Localitatea participă deja la proiect."))
    link = ProjectLocality(
        project_id=project.id,
        locality_tenant_id=locality_tenant_id,
        employs_staff=employs_staff,
        creates_council=creates_council,
        note=note,
        position=len(project.localities) + 1,
    )
    project.localities.append(link)
    db.session.flush()
    return link


def locality_roles(link: ProjectLocality) -> list[str]:
    """The roles of a participating locality, in Romanian."""
    roles = []
    if link.employs_staff:
        roles.append("angajează personal")
    if link.creates_council:
        roles.append("înființează consiliu comunitar consultativ")
    return roles


# --------------------------------------------------------------------------- budget


def allocated_amount(project: Project, *, excluding: BudgetLine | None = None) -> Decimal:
    """The sum of the planned amounts in force of the project's lines."""
    query = sa.select(money_sum(BudgetLine.planned)).where(BudgetLine.project_id == project.id)
    if excluding is not None:
        query = query.where(BudgetLine.id != excluding.id)
    return from_bani(db.session.execute(query).scalar())


def _check_allocation(project: Project, planned: Decimal, *, excluding: BudgetLine | None = None) -> None:
    others = allocated_amount(project, excluding=excluding)
    if others + planned > project.budget_total:
        free = project.budget_total - others
        raise RuleViolation(
            planned=N_(
                "Liniile bugetare ar totaliza %(total)s lei, peste bugetul total al proiectului (%(budget)s lei); "
                "nealocat: %(free)s lei.",
                total=_money(others + planned),
                budget=_money(project.budget_total),
                free=_money(free),
            )
        )


def add_budget_line(project: Project, *, category: str, planned: Decimal, position: int | None = None) -> BudgetLine:
    """Add a budget line; the lines together may not exceed the project's total."""
    category = category.strip()
    if not category:
        raise RuleViolation(category=N_("Categoria este obligatorie."))
    _check_money(planned, "planned", allow_zero=True)
    if any(line.category == category for line in project.budget_lines):
        raise RuleViolation(category=N_("Există deja o linie cu această categorie."))
    _check_allocation(project, Decimal(planned))
    line = BudgetLine(
        project_id=project.id,
        category=category,
        planned_original=Decimal(planned),
        planned=Decimal(planned),
        position=position or len(project.budget_lines) + 1,
    )
    project.budget_lines.append(line)
    db.session.flush()
    return line


def revise_budget_line(
    line: BudgetLine,
    *,
    planned: Decimal,
    reason: str | None = None,
    user_id: int | None = None,
    on: dt.date | None = None,
) -> BudgetRevision:
    """Revise the amount in force of a line, keeping the original and the history.

    The new amount may neither push the lines over the total nor fall below
    what was already spent on the line.
    """
    _check_money(planned, "planned", allow_zero=True)
    planned = Decimal(planned)
    _check_allocation(line.project, planned, excluding=line)
    spent = spent_by_line(line.project).get(line.id, ZERO)
    if planned < spent:
        raise RuleViolation(
            planned=N_(
                "Suma planificată nu poate fi mai mică decât suma deja cheltuită pe linie (%(spent)s lei).",
                spent=_money(spent),
            )
        )
    revision = BudgetRevision(
        line_id=line.id,
        previous=line.planned,
        planned=planned,
        reason=(reason or "").strip() or None,
        revised_on=on or dt.date.today(),
        revised_by_id=user_id,
    )
    line.revisions.append(revision)
    line.planned = planned
    db.session.flush()
    return revision


def delete_budget_line(line: BudgetLine) -> None:
    """Delete a line that has no expenditures."""
    used = db.session.execute(sa.select(sa.func.count()).where(Expenditure.line_id == line.id)).scalar()
    if used:
        raise RuleViolation(budget_line_id=N_("Linia are cheltuieli înregistrate și nu poate fi ștearsă."))
    db.session.delete(line)
    db.session.flush()


def spent_by_line(
    project: Project, *, until: dt.date | None = None, since: dt.date | None = None
) -> dict[int, Decimal]:
    """Exact sums spent per line id (optionally within dates)."""
    query = (
        sa.select(Expenditure.line_id, money_sum(Expenditure.amount))
        .where(Expenditure.project_id == project.id)
        .group_by(Expenditure.line_id)
    )
    if until is not None:
        query = query.where(Expenditure.spent_on <= until)
    if since is not None:
        query = query.where(Expenditure.spent_on >= since)
    return {line_id: from_bani(bani) for line_id, bani in db.session.execute(query)}


def line_remaining(line: BudgetLine) -> Decimal:
    """What is left to spend on a line."""
    spent = from_bani(
        db.session.execute(sa.select(money_sum(Expenditure.amount)).where(Expenditure.line_id == line.id)).scalar()
    )
    return line.planned - spent


def expenditure_problems(
    project: Project, line: BudgetLine, spent_on: dt.date, amount: Decimal
) -> dict[str, list[str]]:
    """The budget rules an expenditure would break (empty when it is fine)."""
    problems: dict[str, list[str]] = {}
    if not project.start_date <= spent_on <= project.end_date:
        problems["date"] = [
            N_(
                "În afara perioadei proiectului (%(start)s – %(end)s)",
                start=format_date(project.start_date),
                end=format_date(project.end_date),
            )
        ]
    remaining = line_remaining(line)
    if amount > remaining:
        problems["amount"] = [
            N_(
                "Depășește suma rămasă pe linia „%(line)s” (rămas %(remaining)s lei)",
                line=line.category,
                remaining=_money(remaining),
            )
        ]
    return problems


def record_expenditure(
    project: Project,
    *,
    line_id: int,
    spent_on: dt.date,
    amount: Decimal,
    supplier: str | None = None,
    document_number: str | None = None,
    description: str | None = None,
    override: bool = False,
    justification: str | None = None,
    may_override: bool = False,
    user_id: int | None = None,
) -> Expenditure:
    """Record money spent on a line, applying the budget rules.

    Breaking a rule raises :class:`RuleViolation` (fields ``date`` and/or
    ``amount``), unless ``override`` is asked by a user who ``may_override``
    with a ``justification``: the expenditure is then stored with
    ``override=True``, the rules it broke, the justification and who decided.
    """
    _check_money(amount, "amount")
    amount = Decimal(amount)
    line = db.session.execute(
        sa.select(BudgetLine).where(BudgetLine.id == line_id).with_for_update()
    ).scalar_one_or_none()
    if line is None or line.project_id != project.id:
        raise RuleViolation(budget_line_id=N_("Linia bugetară nu există în acest proiect."))
    problems = expenditure_problems(project, line, spent_on, amount)
    expenditure = Expenditure(
        project_id=project.id,
        line_id=line.id,
        spent_on=spent_on,
        amount=amount,
        supplier=(supplier or "").strip() or None,
        document_number=(document_number or "").strip() or None,
        description=(description or "").strip() or None,
        recorded_by_id=user_id,
    )
    if problems:
        if not override:
            raise RuleViolation(problems)
        if not may_override:
            raise OverrideForbidden(
                override=["Nu aveți dreptul să înregistrați o cheltuială care încalcă regulile bugetului."]
            )
        if not (justification or "").strip():
            raise RuleViolation(
                override_justification=[N_("Justificarea este obligatorie pentru a trece peste regulile bugetului.")]
            )
        expenditure.override = True
        expenditure.override_reasons = "\n".join(reason for reasons in problems.values() for reason in reasons)
        expenditure.override_justification = justification.strip()  # type: ignore[union-attr]
        expenditure.overridden_by_id = user_id
    db.session.add(expenditure)
    db.session.flush()
    return expenditure


def delete_expenditure(expenditure: Expenditure) -> None:
    """Delete an expenditure recorded by mistake (audited)."""
    db.session.delete(expenditure)
    db.session.flush()


@dataclass(frozen=True)
class LineSummary:
    """Planned, spent and remaining on one line."""

    line_id: int
    category: str
    planned_original: Decimal
    planned: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent

    @property
    def spent_pct(self) -> Decimal:
        """Share of the planned amount spent, in percent (0 for an empty line)."""
        return _pct(self.spent, self.planned)

    @property
    def revised(self) -> bool:
        return self.planned != self.planned_original


@dataclass(frozen=True)
class BudgetSummary:
    """Planned vs spent vs remaining per line and in total; unallocated budget."""

    total: Decimal
    lines: list[LineSummary]

    @property
    def allocated(self) -> Decimal:
        return sum((line.planned for line in self.lines), ZERO)

    @property
    def allocated_original(self) -> Decimal:
        return sum((line.planned_original for line in self.lines), ZERO)

    @property
    def unallocated(self) -> Decimal:
        return self.total - self.allocated

    @property
    def spent(self) -> Decimal:
        return sum((line.spent for line in self.lines), ZERO)

    @property
    def remaining(self) -> Decimal:
        """What is left of the total budget."""
        return self.total - self.spent

    @property
    def remaining_on_lines(self) -> Decimal:
        return sum((line.remaining for line in self.lines), ZERO)

    @property
    def spent_pct(self) -> Decimal:
        return _pct(self.spent, self.total)


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def budget_summary(project: Project, *, until: dt.date | None = None, since: dt.date | None = None) -> BudgetSummary:
    """The budget of ``project``: each line's planned/spent/remaining and the totals (exact)."""
    spent = spent_by_line(project, until=until, since=since)
    lines = [
        LineSummary(line.id, line.category, line.planned_original, line.planned, spent.get(line.id, ZERO))
        for line in project.budget_lines
    ]
    return BudgetSummary(project.budget_total, lines)


@dataclass(frozen=True)
class MonthSpending:
    """Money spent in one calendar month, and since the start."""

    year: int
    month: int
    amount: Decimal
    cumulative: Decimal

    @property
    def label(self) -> str:
        return f"{self.month:02d}.{self.year}"


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def monthly_spending(project: Project) -> list[MonthSpending]:
    """Spending per month over the project period (months with nothing spent included).

    Overridden expenditures dated outside the period widen the range so the
    chart adds up to the total spent.
    """
    year = sa.extract("year", Expenditure.spent_on)
    month = sa.extract("month", Expenditure.spent_on)
    rows = db.session.execute(
        sa.select(year, month, money_sum(Expenditure.amount))
        .where(Expenditure.project_id == project.id)
        .group_by(year, month)
    ).all()
    by_month = {(int(y), int(m)): from_bani(b) for y, m, b in rows}
    first = min([project.start_date, *(dt.date(y, m, 1) for y, m in by_month)])
    last = max([project.end_date, *(dt.date(y, m, 1) for y, m in by_month)])
    out, running = [], ZERO
    for y, m in _months(first, last):
        amount = by_month.get((y, m), ZERO)
        running += amount
        out.append(MonthSpending(y, m, amount, running))
    return out


def expenditures_between(project: Project, start: dt.date, end: dt.date) -> list[Expenditure]:
    """The expenditures dated within ``[start, end]``, in date order."""
    return list(
        db.session.execute(
            sa.select(Expenditure)
            .where(Expenditure.project_id == project.id, Expenditure.spent_on.between(start, end))
            .order_by(Expenditure.spent_on, Expenditure.id)
        ).scalars()
    )


# --------------------------------------------------------------------------- activities


def add_activity(
    project: Project,
    *,
    number: int | None = None,
    title: str,
    detail: str | None = None,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
    status: ActivityStatus | str = ActivityStatus.PLANNED,
    responsible: str | None = None,
    steps: Sequence[str] = (),
) -> ProjectActivity:
    """Add an activity (numbered after the last one unless ``number`` is given)."""
    number = number or max((a.number for a in project.activities), default=0) + 1
    if any(a.number == number for a in project.activities):
        raise RuleViolation(number=N_("Există deja activitatea %(number)s.", number=number))
    _check_schedule(planned_start, planned_end)
    activity = ProjectActivity(
        project_id=project.id,
        number=number,
        title=title.strip(),
        detail=detail,
        planned_start=planned_start,
        planned_end=planned_end,
        status=ActivityStatus(status),
        responsible=responsible,
    )
    project.activities.append(activity)
    db.session.flush()
    for text in steps:
        add_step(activity, text)
    return activity


def _check_schedule(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise RuleViolation(planned_end=N_("Sfârșitul planificat este înaintea începutului."))


def update_activity(activity: ProjectActivity, changes: dict[str, Any]) -> ProjectActivity:
    """Change an activity's fields, its localities (tenant ids) and its budget lines (ids)."""
    _check_schedule(
        changes.get("planned_start", activity.planned_start), changes.get("planned_end", activity.planned_end)
    )
    number = changes.get("number")
    if number is not None and any(a.number == number for a in activity.project.activities if a is not activity):
        raise RuleViolation(number=N_("Există deja activitatea %(number)s.", number=number))
    if "status" in changes:
        changes = {**changes, "status": ActivityStatus(changes["status"])}
    apply(activity, changes, ("number", "title", "detail", "planned_start", "planned_end", "status", "responsible"))
    if changes.get("locality_tenant_ids") is not None:
        set_activity_localities(activity, changes["locality_tenant_ids"])
    if changes.get("budget_line_ids") is not None:
        set_activity_lines(activity, changes["budget_line_ids"])
    db.session.flush()
    return activity


def set_activity_localities(activity: ProjectActivity, locality_tenant_ids: Iterable[int]) -> None:
    """Involve exactly these participating localities in the activity."""
    by_tenant = {link.locality_tenant_id: link for link in activity.project.localities}
    wanted = list(dict.fromkeys(locality_tenant_ids))
    unknown = [t for t in wanted if t not in by_tenant]
    if unknown:
        raise RuleViolation(locality_tenant_ids=[N_("Localitatea nu participă la proiect.")])
    activity.locality_links = [
        next((ln for ln in activity.locality_links if ln.project_locality_id == by_tenant[t].id), None)
        or ActivityLocality(activity_id=activity.id, project_locality_id=by_tenant[t].id)
        for t in wanted
    ]
    db.session.flush()


def set_activity_lines(activity: ProjectActivity, line_ids: Iterable[int]) -> None:
    """Link exactly these budget lines of the project to the activity."""
    known = {line.id for line in activity.project.budget_lines}
    wanted = list(dict.fromkeys(line_ids))
    if any(i not in known for i in wanted):
        raise RuleViolation(budget_line_ids=[N_("Linia bugetară nu există în acest proiect.")])
    activity.line_links = [
        next((ln for ln in activity.line_links if ln.line_id == i), None)
        or ActivityBudgetLine(activity_id=activity.id, line_id=i)
        for i in wanted
    ]
    db.session.flush()


def add_step(activity: ProjectActivity, text: str, *, done: bool = False) -> ActivityStep:
    """Append a sub-step to an activity."""
    step = ActivityStep(activity_id=activity.id, text=text.strip(), done=done, position=len(activity.steps) + 1)
    activity.steps.append(step)
    db.session.flush()
    return step


# --------------------------------------------------------------------------- results and indicators


def add_result(project: Project, text: str, position: int | None = None) -> ExpectedResult:
    """Append an expected result."""
    result = ExpectedResult(project_id=project.id, text=text.strip(), position=position or len(project.results) + 1)
    project.results.append(result)
    db.session.flush()
    return result


def add_indicator(
    result: ExpectedResult,
    *,
    label: str,
    target: Decimal | int,
    unit: str = "număr",
    comparator: Comparator | str = Comparator.AT_LEAST,
    code: str | None = None,
    deliverable: bool = False,
    note: str | None = None,
    breakdown: Sequence[tuple[str, Decimal | int]] = (),
) -> PerformanceIndicator:
    """Add a performance indicator to a result, with its optional breakdown (checked to add up)."""
    target = _quantity(target, "target")
    indicator = PerformanceIndicator(
        result_id=result.id,
        label=label.strip(),
        target=target,
        unit=unit,
        comparator=Comparator(comparator),
        code=code or None,
        deliverable=deliverable,
        note=note,
        position=len(result.indicators) + 1,
    )
    check_breakdown(target, [Decimal(t) for _, t in breakdown])
    result.indicators.append(indicator)
    db.session.flush()
    if breakdown:
        set_breakdown(indicator, breakdown)
    return indicator


def _quantity(value: Any, field_name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("quantities must be Decimal or int, not float")
    number = Decimal(value)
    if number < 0:
        raise RuleViolation({field_name: [N_("Valoarea nu poate fi negativă.")]})
    if number != number.quantize(CENT):
        raise RuleViolation({field_name: [N_("Cel mult două zecimale.")]})
    return number


def check_breakdown(target: Decimal, parts: Sequence[Decimal], field_name: str = "breakdown") -> None:
    """Refuse a breakdown whose parts do not add up to the whole target (an empty one is fine)."""
    if not parts:
        return
    total = sum((Decimal(p) for p in parts), Decimal(0))
    if total != Decimal(target):
        raise RuleViolation(
            {
                field_name: [
                    N_(
                        "Părțile însumează %(total)s, dar ținta indicatorului este %(target)s; părțile trebuie "
                        "să adune exact ținta.",
                        total=format_quantity(total),
                        target=format_quantity(target),
                    )
                ]
            }
        )


def breakdown_consistent(indicator: PerformanceIndicator) -> bool:
    """Whether the indicator's parts (if any) add up to its target."""
    if not indicator.breakdown:
        return True
    return sum((p.target for p in indicator.breakdown), ZERO) == indicator.target


def set_breakdown(indicator: PerformanceIndicator, parts: Sequence[tuple[str, Decimal | int]]) -> None:
    """Replace the breakdown of an indicator; parts must add up to its target.

    Parts are matched by position, so progress entries recorded for a part
    keep pointing at it when only labels or targets change; entries of a
    removed part stay on the indicator without a part.
    """
    targets = [_quantity(t, "breakdown") for _, t in parts]
    check_breakdown(indicator.target, targets)
    existing = list(indicator.breakdown)
    for position, ((label, _), target) in enumerate(zip(parts, targets, strict=True), start=1):
        if position <= len(existing):
            part = existing[position - 1]
            part.label, part.target = label.strip(), target
        else:
            indicator.breakdown.append(
                IndicatorBreakdown(indicator_id=indicator.id, label=label.strip(), target=target, position=position)
            )
    for part in existing[len(parts) :]:
        db.session.execute(sa.update(ProgressEntry).where(ProgressEntry.part_id == part.id).values(part_id=None))
        indicator.breakdown.remove(part)
    db.session.flush()


def update_indicator(indicator: PerformanceIndicator, changes: dict[str, Any]) -> PerformanceIndicator:
    """Change an indicator; a new target must still equal the sum of its parts (send both together)."""
    if "target" in changes:
        changes = {**changes, "target": _quantity(changes["target"], "target")}
    if "comparator" in changes:
        changes = {**changes, "comparator": Comparator(changes["comparator"])}
    new_target = changes.get("target", indicator.target)
    if "breakdown" in changes and changes["breakdown"] is not None:
        parts = [(p["label"], p["target"]) for p in changes["breakdown"]]
        check_breakdown(new_target, [Decimal(t) for _, t in parts])
    elif indicator.breakdown and new_target != indicator.target:
        check_breakdown(new_target, [p.target for p in indicator.breakdown], field_name="target")
    apply(indicator, changes, ("code", "label", "unit", "comparator", "target", "deliverable", "delivered_on", "note"))
    if "breakdown" in changes and changes["breakdown"] is not None:
        set_breakdown(indicator, [(p["label"], p["target"]) for p in changes["breakdown"]])
    db.session.flush()
    return indicator


def record_progress(
    indicator: PerformanceIndicator,
    *,
    entry_date: dt.date,
    value: Decimal | int,
    locality_tenant_id: int | None = None,
    part_id: int | None = None,
    evidence: str | None = None,
    user_id: int | None = None,
) -> ProgressEntry:
    """Record a measured value of an indicator (for a participating locality and/or a part).

    A value of a catalog code obeys the catalog: a count has no decimals, no value beyond its maximum.
    """
    value = _quantity(value, "value")
    definition = CATALOG_BY_CODE.get(indicator.code or "")
    if definition is not None:
        try:
            value = check_number(value, definition.kind, max=definition.max)
        except NumberError as exc:
            raise RuleViolation({"value": [exc.message]}) from None
    project = indicator.result.project
    if locality_tenant_id is not None and not any(
        link.locality_tenant_id == locality_tenant_id for link in project.localities
    ):
        raise RuleViolation(locality_tenant_id=N_("Localitatea nu participă la proiect."))
    if locality_tenant_id is not None and not may_attribute_to(project, locality_tenant_id):
        raise RuleViolation(
            locality_tenant_id=N_("Doar județul care derulează proiectul poate atribui progres altei localități.")
        )
    if part_id is not None and not any(p.id == part_id for p in indicator.breakdown):
        raise RuleViolation(part_id=N_("Partea nu aparține acestui indicator."))
    entry = ProgressEntry(
        indicator_id=indicator.id,
        entry_date=entry_date,
        value=value,
        locality_tenant_id=locality_tenant_id,
        part_id=part_id,
        evidence=(evidence or "").strip() or None,
        recorded_by_id=user_id,
        recorded_at=utcnow(),
    )
    indicator.entries.append(entry)
    db.session.flush()
    return entry


def elapsed_fraction(start: dt.date, end: dt.date, at: dt.date) -> Decimal:
    """Share of the period ``[start, end]`` passed at the end of day ``at`` (0 before, 1 after)."""
    if at < start:
        return Decimal(0)
    if at >= end:
        return Decimal(1)
    return Decimal((at - start).days + 1) / Decimal((end - start).days + 1)


STATUS_LABELS = {
    "achieved": "atins",
    "on_track": "în grafic",
    "at_risk": "în risc",
    "behind": "în întârziere",
}


@dataclass(frozen=True)
class PartStatus:
    """Progress of one part of an indicator's breakdown."""

    part_id: int
    label: str
    target: Decimal
    value: Decimal


@dataclass(frozen=True)
class IndicatorStatus:
    """An indicator's value at a date, compared with its target and the time elapsed."""

    indicator: PerformanceIndicator
    at: dt.date
    value: Decimal
    elapsed: Decimal
    status: str
    exceeds: bool = False
    parts: list[PartStatus] = field(default_factory=list)

    @property
    def target(self) -> Decimal:
        return self.indicator.target

    @property
    def ratio(self) -> Decimal:
        """Value over target (1 when the target is 0)."""
        if not self.indicator.target:
            return Decimal(1)
        return self.value / self.indicator.target

    @property
    def pct(self) -> Decimal:
        """Percent of the target reached, capped at 100 for progress bars."""
        return min(Decimal(100), (self.ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def classify(value: Decimal, target: Decimal, comparator: Comparator | str, elapsed: Decimal) -> tuple[str, bool]:
    """The status (and the *exceeds* flag) of a value against a target, given the elapsed share of time."""
    comparator = Comparator(comparator)
    if comparator == Comparator.AT_LEAST and value >= target:
        return "achieved", False
    if comparator == Comparator.EXACTLY and value >= target:
        return "achieved", value > target
    ratio = value / target if target else Decimal(1)
    if ratio >= elapsed:
        return "on_track", False
    if ratio >= AT_RISK_FACTOR * elapsed:
        return "at_risk", False
    return "behind", False


def _values_until(indicator_ids: Sequence[int], at: dt.date) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Sum of the entries up to ``at``: per indicator id and per part id (one query)."""
    if not indicator_ids:
        return {}, {}
    rows = db.session.execute(
        sa.select(ProgressEntry.indicator_id, ProgressEntry.part_id, money_sum(ProgressEntry.value))
        .where(ProgressEntry.indicator_id.in_(indicator_ids), ProgressEntry.entry_date <= at)
        .group_by(ProgressEntry.indicator_id, ProgressEntry.part_id)
    ).all()
    per_indicator: dict[int, Decimal] = defaultdict(lambda: ZERO)
    per_part: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for indicator_id, part_id, bani in rows:
        value = from_bani(bani)
        per_indicator[indicator_id] += value
        if part_id is not None:
            per_part[part_id] += value
    return per_indicator, per_part


def project_indicators(project: Project) -> list[PerformanceIndicator]:
    """Every indicator of the project in result order, with results and breakdowns loaded (three queries)."""
    return list(
        db.session.execute(
            sa.select(PerformanceIndicator)
            .join(
                ExpectedResult,
                sa.and_(
                    ExpectedResult.tenant_id == PerformanceIndicator.tenant_id,
                    ExpectedResult.id == PerformanceIndicator.result_id,
                ),
            )
            .where(ExpectedResult.project_id == project.id)
            .order_by(
                ExpectedResult.position, ExpectedResult.id, PerformanceIndicator.position, PerformanceIndicator.id
            )
            .options(selectinload(PerformanceIndicator.breakdown), selectinload(PerformanceIndicator.result))
        ).scalars()
    )


def indicator_statuses(project: Project, at: dt.date) -> list[IndicatorStatus]:
    """The status of every indicator of ``project`` at date ``at``."""
    indicators = project_indicators(project)
    per_indicator, per_part = _values_until([i.id for i in indicators], at)
    elapsed = elapsed_fraction(project.start_date, project.end_date, at)
    out = []
    for indicator in indicators:
        value = per_indicator.get(indicator.id, ZERO)
        if indicator.deliverable and indicator.delivered_on is not None and indicator.delivered_on <= at:
            value = max(value, indicator.target)
        status, exceeds = classify(value, indicator.target, indicator.comparator, elapsed)
        parts = [PartStatus(p.id, p.label, p.target, per_part.get(p.id, ZERO)) for p in indicator.breakdown]
        out.append(IndicatorStatus(indicator, at, value, elapsed, status, exceeds, parts))
    return out


def indicator_status(indicator: PerformanceIndicator, at: dt.date) -> IndicatorStatus:
    """The status of one indicator at ``at`` (see the module docstring for the thresholds)."""
    project = indicator.result.project
    return next(s for s in indicator_statuses(project, at) if s.indicator.id == indicator.id)


# --------------------------------------------------------------------------- aggregation hooks



def _attributable(row: Any) -> sa.ColumnElement[bool]:
    """SQL: ``row`` (with ``tenant_id`` and ``locality_tenant_id``) names its own tenant, or a county owns it."""
    county_owned = sa.exists().where(Tenant.id == row.tenant_id, Tenant.kind == TenantKind.COUNTY)
    return sa.or_(row.locality_tenant_id == row.tenant_id, county_owned)


def indicator_values(tenant_ids: Sequence[int], period: Period) -> list[IndicatorValue]:
    """Catalog values per locality over ``period``, in one set-based query.

    Progress entries belong to the tenant that runs the project (the
    county); an entry naming a locality counts for that locality, one that
    names none counts for the owner. An entry a locality's project put in
    another locality's name counts for nobody (see :func:`may_attribute_to`;
    older rows may carry one). The caller's read scope must include the
    owner's tenant, or its rows are not visible.
    """
    ids = list(tenant_ids)
    if not ids:
        return []
    who = sa.func.coalesce(ProgressEntry.locality_tenant_id, ProgressEntry.tenant_id).label("who")
    rows = db.session.execute(
        sa.select(who, PerformanceIndicator.code, money_sum(ProgressEntry.value), sa.func.count(ProgressEntry.id))
        .join(
            PerformanceIndicator,
            sa.and_(
                PerformanceIndicator.tenant_id == ProgressEntry.tenant_id,
                PerformanceIndicator.id == ProgressEntry.indicator_id,
            ),
        )
        .where(
            PerformanceIndicator.code.in_(CATALOG_CODES),
            ProgressEntry.entry_date.between(period.start, period.end),
            sa.or_(
                sa.and_(in_ids(ProgressEntry.locality_tenant_id, ids), _attributable(ProgressEntry)),
                sa.and_(ProgressEntry.locality_tenant_id.is_(None), in_ids(ProgressEntry.tenant_id, ids)),
            ),
        )
        .group_by(who, PerformanceIndicator.code)
    ).all()
    return [
        IndicatorValue(tenant_id=int(tid), code=code, value=from_bani(bani), count=int(count))
        for tid, code, bani, count in sorted(rows, key=lambda r: (r[0], r[1]))
    ]


def locality_status(tenant_ids: Sequence[int], year: int) -> dict[int, dict[str, Any]]:
    """Per locality, the projects it takes part in that had started by the end of ``year`` (one query).

    Finished projects stay listed (flagged ``running: False``): the councils and
    posts they created outlive them, and the county still reports on them.
    """
    ids = list(tenant_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(ProjectLocality, Project.id, Project.title, Project.end_date)
        .join(
            Project,
            sa.and_(Project.tenant_id == ProjectLocality.tenant_id, Project.id == ProjectLocality.project_id),
        )
        .where(
            in_ids(ProjectLocality.locality_tenant_id, ids),
            _attributable(ProjectLocality),
            Project.start_date <= dt.date(year, 12, 31),
        )
        .order_by(ProjectLocality.locality_tenant_id, Project.start_date, Project.id)
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for link, project_id, title, end_date in rows:
        entry = out.setdefault(link.locality_tenant_id, {"pin_projects": [], "pin_summary": ""})
        roles = locality_roles(link)
        entry["pin_projects"].append(
            {
                "project_id": project_id,
                "title": title,
                "employs_staff": link.employs_staff,
                "creates_council": link.creates_council,
                "roles": roles,
                "running": end_date >= dt.date(year, 1, 1),
            }
        )
    for entry in out.values():
        entry["pin_summary"] = "; ".join(
            p["title"] + (f" ({', '.join(p['roles'])})" if p["roles"] else "") for p in entry["pin_projects"]
        )
    return out


# --------------------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class TenantOverview:
    """What the dashboard widget shows: budget spent and indicators needing attention."""

    projects: int
    budget_total: Decimal
    spent: Decimal
    at_risk: int
    behind: int

    @property
    def spent_pct(self) -> Decimal:
        return _pct(self.spent, self.budget_total)


def tenant_overview(at: dt.date | None = None) -> TenantOverview:
    """Budget spent (%) and indicators at risk or behind, over the current tenant's projects."""
    at = at or dt.date.today()
    projects = list_projects()
    total = sum((p.budget_total for p in projects), ZERO)
    spent = from_bani(db.session.execute(sa.select(money_sum(Expenditure.amount))).scalar())
    at_risk = behind = 0
    for project in projects:
        if project.status == ProjectStatus.CLOSED:
            continue
        for status in indicator_statuses(project, min(at, project.end_date)):
            at_risk += status.status == "at_risk"
            behind += status.status == "behind"
    return TenantOverview(len(projects), total, spent, at_risk, behind)


# --------------------------------------------------------------------------- attachments

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """An ASCII file name safe on every filesystem (diacritics transliterated)."""
    base = _SAFE.sub("_", unidecode(Path(name or "").name)).strip("._") or "fisier"
    return base[-120:]


def store_attachment(
    files_root: str | Path, tenant_id: int, kind: str, filename: str, data: bytes, *, field: str = "file"
) -> StoredAttachment:
    """Check ``data`` by its content and store it under ``<files_root>/<tenant_id>/pin/<kind>/``.

    Returns what the file is, with ``path`` relative to the root; an empty
    file or one outside the allow-list (:func:`core.toolkit.check_upload`:
    HTML, SVG, scripts...) raises :class:`RuleViolation` naming ``field``.
    """
    try:
        checked = check_upload(data, field=field)
    except UploadRefusedError as exc:
        raise RuleViolation(exc.errors) from None
    relative = Path(str(tenant_id)) / "pin" / kind / f"{uuid.uuid4().hex}-{safe_filename(filename)}"
    target = Path(files_root) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return StoredAttachment(relative.as_posix(), checked.mimetype)


@dataclass(frozen=True)
class StoredAttachment:
    """Where an accepted attachment was stored (relative to the files root) and its type, read from its content."""

    path: str
    mimetype: str


def attachment_file(files_root: str | Path, tenant_id: int, relative: str) -> Path:
    """The stored file of ``tenant_id`` at ``relative``; refuses paths that leave the tenant's folder."""
    base = (Path(files_root) / str(tenant_id) / "pin").resolve()
    path = (Path(files_root) / relative).resolve()
    if base not in path.parents:
        raise FileNotFoundError(relative)
    return path


def attach_to_expenditure(
    expenditure: Expenditure, files_root: str | Path, filename: str, data: bytes, *, field: str = "file"
) -> Expenditure:
    """Store the supporting document of an expenditure (replacing a previous one); its type is read from its content."""
    stored = store_attachment(files_root, expenditure.tenant_id, "expenditures", filename, data, field=field)
    expenditure.attachment_path = stored.path
    expenditure.attachment_name = safe_filename(filename)
    expenditure.attachment_mimetype = stored.mimetype
    db.session.flush()
    return expenditure


def attach_to_progress(
    entry: ProgressEntry, files_root: str | Path, filename: str, data: bytes, *, field: str = "file"
) -> ProgressEntry:
    """Store the evidence file of a progress entry (checked by its content)."""
    stored = store_attachment(files_root, entry.tenant_id, "evidence", filename, data, field=field)
    entry.attachment_path = stored.path
    entry.attachment_name = safe_filename(filename)
    db.session.flush()
    return entry


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class ReportActivity:
    """An activity as a report shows it."""

    number: int
    title: str
    status: str
    schedule: str
    responsible: str
    steps: list[tuple[str, bool]]


@dataclass(frozen=True)
class ReportIndicator:
    """An indicator as a report shows it."""

    result: str
    label: str
    unit: str
    comparator: str
    target: Decimal
    value: Decimal
    value_in_period: Decimal
    status: str
    parts: list[tuple[str, Decimal, Decimal]]


@dataclass(frozen=True)
class ProgressReport:
    """What the progress report (Word) contains."""

    programme: str
    funder: str
    title: str
    owner: str
    project_period: str
    budget_total: Decimal
    start: dt.date
    end: dt.date
    purpose: str
    activities: list[ReportActivity]
    indicators: list[ReportIndicator]


@dataclass(frozen=True)
class ReportExpenditure:
    """One expenditure line of the financial report."""

    spent_on: dt.date
    category: str
    supplier: str
    document_number: str
    description: str
    amount: Decimal
    override: bool


@dataclass(frozen=True)
class ReportLine:
    """One budget line of the financial report."""

    category: str
    planned_original: Decimal
    planned: Decimal
    spent_in_period: Decimal
    spent_to_date: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent_to_date


@dataclass(frozen=True)
class FinancialReport:
    """What the financial report (Excel) contains."""

    programme: str
    funder: str
    title: str
    owner: str
    budget_total: Decimal
    start: dt.date
    end: dt.date
    lines: list[ReportLine]
    expenditures: list[ReportExpenditure]

    @property
    def unallocated(self) -> Decimal:
        return self.budget_total - sum((line.planned for line in self.lines), ZERO)


ACTIVITY_LABELS = {
    ActivityStatus.PLANNED: "planificată",
    ActivityStatus.IN_PROGRESS: "în desfășurare",
    ActivityStatus.DONE: "realizată",
    ActivityStatus.CANCELLED: "anulată",
}
PROJECT_LABELS = {
    ProjectStatus.PLANNED: "planificat",
    ProjectStatus.RUNNING: "în derulare",
    ProjectStatus.CLOSED: "încheiat",
}
COMPARATOR_LABELS = {Comparator.AT_LEAST: "cel puțin", Comparator.EXACTLY: "exact"}


def parse_range(start: str | dt.date, end: str | dt.date) -> tuple[dt.date, dt.date]:
    """A report's date range from ISO strings; refuses an end before the start."""
    first = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
    last = end if isinstance(end, dt.date) else dt.date.fromisoformat(end)
    if last < first:
        raise RuleViolation(end=N_("Sfârșitul perioadei este înaintea începutului."))
    return first, last


def _header(project: Project) -> dict[str, Any]:
    programme = project.programme
    owner = db.session.get(Tenant, project.tenant_id)
    funder = programme.funder_name + (f" ({programme.funder_acronym})" if programme.funder_acronym else "")
    return {
        "programme": f"{programme.code} – {programme.name}",
        "funder": funder,
        "title": project.title,
        "owner": owner.display_name if owner else "",
        "budget_total": project.budget_total,
    }


def _schedule(activity: ProjectActivity) -> str:
    if activity.planned_start or activity.planned_end:
        return f"{format_date(activity.planned_start)} – {format_date(activity.planned_end)}"
    return "nestabilit"


def progress_report(project: Project, start: dt.date, end: dt.date) -> ProgressReport:
    """Gather the progress report of ``project`` for ``[start, end]``: activities and indicators at ``end``."""
    statuses = indicator_statuses(project, end)
    before, _ = _values_until([s.indicator.id for s in statuses], start - dt.timedelta(days=1))
    indicators = [
        ReportIndicator(
            result=s.indicator.result.text,
            label=s.indicator.label,
            unit=s.indicator.unit,
            comparator=COMPARATOR_LABELS[s.indicator.comparator],
            target=s.indicator.target,
            value=s.value,
            value_in_period=s.value - before.get(s.indicator.id, ZERO),
            status=s.label,
            parts=[(p.label, p.target, p.value) for p in s.parts],
        )
        for s in statuses
    ]
    activities = [
        ReportActivity(
            number=a.number,
            title=a.title,
            status=ACTIVITY_LABELS[a.status],
            schedule=_schedule(a),
            responsible=a.responsible or "",
            steps=[(s.text, s.done) for s in a.steps],
        )
        for a in project.activities
    ]
    period = project.period_text or f"{format_date(project.start_date)} – {format_date(project.end_date)}"
    return ProgressReport(
        **_header(project),
        project_period=period,
        start=start,
        end=end,
        purpose=project.purpose or "",
        activities=activities,
        indicators=indicators,
    )


def financial_report(project: Project, start: dt.date, end: dt.date) -> FinancialReport:
    """Gather the financial report of ``project`` for ``[start, end]``."""
    in_period = spent_by_line(project, since=start, until=end)
    to_date = spent_by_line(project, until=end)
    lines = [
        ReportLine(
            category=line.category,
            planned_original=line.planned_original,
            planned=line.planned,
            spent_in_period=in_period.get(line.id, ZERO),
            spent_to_date=to_date.get(line.id, ZERO),
        )
        for line in project.budget_lines
    ]
    categories = {line.id: line.category for line in project.budget_lines}
    expenditures = [
        ReportExpenditure(
            spent_on=e.spent_on,
            category=categories.get(e.line_id, ""),
            supplier=e.supplier or "",
            document_number=e.document_number or "",
            description=e.description or "",
            amount=e.amount,
            override=e.override,
        )
        for e in expenditures_between(project, start, end)
    ]
    return FinancialReport(**_header(project), start=start, end=end, lines=lines, expenditures=expenditures)
