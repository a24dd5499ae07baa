"""The value types plugins return from their hooks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal


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


@dataclass(frozen=True)
class IndicatorDef:
    """An entry of the national indicator catalog."""

    code: str
    label: str
    unit: str = "număr"
    aggregation: Aggregation = "sum"
    sensitive: bool = False
    description: str = ""


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
