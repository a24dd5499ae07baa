"""The value types plugins return from their hooks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, get_args

from core.numbers import KINDS, NumberKind


@dataclass(frozen=True)
class PluginInfo:
    """Who a plugin is."""

    name: str
    label: str
    version: str
    description: str = ""
    default_kinds: frozenset[str] = frozenset({"locality"})


@dataclass(frozen=True)
class NavItem:
    """A navigation entry of a tenant's pages."""

    label: str
    endpoint: str
    permission: str
    order: int = 100
    icon: str | None = None


@dataclass(frozen=True)
class Widget:
    """A block on the tenant's dashboard."""

    title: str
    template: str
    permission: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


Aggregation = Literal["sum", "count", "avg", "max"]


CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


@dataclass(frozen=True)
class IndicatorDef:
    """An entry of the national indicator catalog: what a figure is and how it may be added up.

    ``kind`` says what a value is (``count``: a whole number; ``decimal``;
    ``money``: lei, two decimals; ``percent``) and ``max`` the largest value
    one locality plausibly reports for one year (forms, imports and the API
    refuse more). Codes with the same ``summable_group`` count the same people
    (children identified, and the same children identified and registered):
    their figures must never be added together. ``shown_by_default`` says
    whether pages that list the catalog show the code without being asked.
    The definition is checked when it is made (:class:`ValueError`).
    """

    code: str
    label: str
    unit: str = "număr"
    aggregation: Aggregation = "sum"
    sensitive: bool = False
    description: str = ""
    kind: NumberKind = "count"
    max: Decimal | int | None = None
    summable_group: str | None = None
    shown_by_default: bool = True

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.code, str) or not CODE.match(self.code):
            problems.append("code must be lower-case letters, digits and _ (at most 60)")
        if not isinstance(self.label, str) or not self.label.strip():
            problems.append("label is required")
        if self.aggregation not in get_args(Aggregation):
            problems.append(f"aggregation must be one of {', '.join(get_args(Aggregation))}")
        if self.kind not in KINDS:
            problems.append(f"kind must be one of {', '.join(KINDS)}")
        if self.max is not None and (
            isinstance(self.max, bool | float) or not isinstance(self.max, int | Decimal) or not self.max > 0
        ):
            problems.append("max must be a positive int or Decimal")
        if self.summable_group is not None and not CODE.match(str(self.summable_group)):
            problems.append("summable_group must be a code-like name")
        if problems:
            raise ValueError(f"indicator {self.code!r}: " + "; ".join(problems))

    @property
    def group(self) -> str:
        """The summable group: codes with the same group are never added together (its own code when alone)."""
        return self.summable_group or self.code


def add_indicator(catalog: dict[str, IndicatorDef], definition: IndicatorDef, plugin: str) -> None:
    """Register ``definition`` (declared by ``plugin``) in ``catalog``; ValueError when it contradicts it.

    The same code may be declared by several plugins only alike (aggregation,
    kind, maximum, group); codes of one summable group must share their kind.
    """
    if not isinstance(definition, IndicatorDef):
        raise TypeError(f"{plugin} returned {definition!r} from vatra_indicator_catalog, not an IndicatorDef")
    known = catalog.get(definition.code)
    if known is not None:
        for attribute in ("aggregation", "kind", "max", "group"):
            if getattr(known, attribute) != getattr(definition, attribute):
                raise ValueError(f"indicator {definition.code!r} declared by {plugin} with another {attribute}")
        return
    for other in catalog.values():
        if other.group == definition.group and other.kind != definition.kind:
            raise ValueError(
                f"indicator {definition.code!r} ({plugin}) is in the group {definition.group!r} "
                f"of {other.code!r} with another kind"
            )
    catalog[definition.code] = definition


@dataclass(frozen=True)
class Period:
    """A year, or one quarter of it."""

    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError("quarter must be 1–4")

    @property
    def start(self) -> dt.date:
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year} T{self.quarter}"

    def quarters(self) -> Iterator[Period]:
        """The quarters the period covers."""
        if self.quarter is not None:
            yield self
        else:
            for q in range(1, 5):
                yield Period(self.year, q)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"2026"`` or ``"2026-Q2"`` / ``"2026T2"``."""
        cleaned = text.strip().upper().replace("-", "").replace(" ", "")
        if "Q" in cleaned or "T" in cleaned:
            year, quarter = cleaned.replace("T", "Q").split("Q")
            return cls(int(year), int(quarter))
        return cls(int(cleaned))


@dataclass(frozen=True)
class IndicatorValue:
    """The value of one catalog indicator for one tenant over one period."""

    tenant_id: int
    code: str
    value: Decimal
    count: int = 1


FilePermission = str | Callable[[Mapping[str, Any]], str | None] | None
"""Who may read a job's file: a permission name, a function of the job's parameters giving one, or ``None``."""


@dataclass(frozen=True)
class JobSpec:
    """A kind of background job a plugin can run.

    ``file_permission`` is the permission the job's result file needs, the same
    one its content needs on the pages (e.g. ``"plan.view"``, ``"county.export"``):
    a name, or a function of the job's parameters returning one (one kind that
    exports several pages). ``None`` (the default) keeps the file to the user
    who started the job. ``jobs.view`` alone never opens a file.
    """

    kind: str
    func: Callable[..., Any]
    queue: Literal["default", "exports", "aggregation"] = "default"
    timeout: int = 600
    retries: int = 3
    label: str = ""
    file_permission: FilePermission = None


@dataclass(frozen=True)
class ExportFormat:
    """A file a plugin can produce for a subject (plan, project, county page...)."""

    subject: str
    format: str
    mimetype: str
    label: str
    job_kind: str


@dataclass
class DemoContext:
    """What ``vatra_load_demo`` implementations receive."""

    tenants: dict[str, Any]
    users: dict[str, Any]
    enter: Callable[[int], AbstractContextManager[Any]]
