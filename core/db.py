"""Database access: the SQLAlchemy handle, base model and tenant-scoped mixins.

Plugins import `db`, `TenantScoped`, `tenant_fk` and `Money` from here. Every
tenant-scoped table gets a non-null ``tenant_id`` (first in its indexes), a
unique ``(tenant_id, id)`` that children reference with composite foreign keys,
and the two tenancy walls of :mod:`core.tenancy`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention Alembic can rely on."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def maint_engine() -> sa.Engine | None:
    """The engine of the maintenance role (``DATABASE_MAINT_URL``) on PostgreSQL, when it differs from the
    application's; made on first use."""
    from flask import current_app

    cache = current_app.extensions.setdefault("vatra_maint_engine", {})
    if "engine" not in cache:
        url = current_app.config.get("DATABASE_MAINT_URL")
        main = current_app.config["SQLALCHEMY_DATABASE_URI"]
        separate = bool(url) and url != main and str(main).startswith("postgresql")
        cache["engine"] = sa.create_engine(url, pool_pre_ping=True) if separate else None
    return cache["engine"]


def dispose_engines() -> None:
    """Close the pools of the application's and the maintenance engines (tests, forks)."""
    from flask import current_app

    db.engine.dispose()
    engine = current_app.extensions.get("vatra_maint_engine", {}).get("engine")
    if engine is not None:
        engine.dispose()


class VatraSession(FlaskSession):
    """A session whose transactions begun in the system scope run as the maintenance role.

    The application role's policies have no system branch (see :mod:`core.rls`): a
    transaction that begins in :func:`core.tenancy.system_context` takes its
    connection from the maintenance engine instead, and keeps it until it ends
    (scopes entered inside it narrow it as usual).
    """

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        if bind is None:
            maint = maint_engine()
            if maint is not None:
                open_engine = self.open_engine()
                if open_engine is not None:
                    return open_engine
                from core.tenancy import current_scope

                if current_scope().system:
                    return maint
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def open_engine(self) -> sa.Engine | None:
        """The engine of the transaction in progress, if one is open."""
        transaction = self.get_transaction()
        if transaction is None:
            return None
        return next((key for key in transaction._connections if isinstance(key, sa.Engine)), None)


db = SQLAlchemy(model_class=Base, session_options={"class_": VatraSession})


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite drops the offset; PostgreSQL keeps it (``timestamptz``). Naive
    values are refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Vatra stores timezone-aware UTC only")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Money(TypeDecorator[Decimal]):
    """An amount in RON: ``Numeric(14, 2)``, always a ``Decimal`` in Python.

    SQLite has no decimal type, so the value is quantised to the ban on the
    way in and on the way out; a float is refused.
    """

    impl = sa.Numeric(14, 2, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, not float")
        return Decimal(value).quantize(Decimal("0.01"))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


MAX_ID = 2**31 - 1
"""The largest id (and count) an ``Integer`` column holds on every database."""

MAX_PAGE = 100_000
"""The last page number a list answers (a larger one would overflow the database's integers)."""


def clamp_page(number: int) -> int:
    """A requested page number kept between 1 and :data:`MAX_PAGE`."""
    return min(max(1, number), MAX_PAGE)


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("[\x0b\x0c]")


def clean_text(value: Any) -> Any:
    """Text without the control characters no document format can hold (Word's line break becomes a newline).

    Applied to every text column on assignment, so a pasted ``\\x0b`` or a
    stray ``\\x1d`` cannot make a Word or Excel export fail later.
    """
    if isinstance(value, str) and (_CONTROL.search(value) or _BREAKS.search(value)):
        return _CONTROL.sub("", _BREAKS.sub("\n", value))
    return value


@event.listens_for(Mapper, "mapper_configured")
def _clean_text_columns(mapper: Mapper[Any], cls: type) -> None:
    for prop in mapper.column_attrs:
        kind = prop.columns[0].type
        if isinstance(kind, sa.String) and not isinstance(kind, sa.Enum):
            event.listen(getattr(cls, prop.key), "set", _on_set_text, retval=True)


def _on_set_text(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    return clean_text(value)


class IdMixin:
    """An integer surrogate key."""

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)


class TimestampMixin:
    """Creation and update times (UTC)."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class TenantScoped(IdMixin):
    """Mixin for every table that belongs to one tenant.

    Adds ``tenant_id`` (non-null, indexed first) and the unique
    ``(tenant_id, id)`` that composite foreign keys point at. Queries on such
    models are filtered to the current tenant automatically and, on
    PostgreSQL, by Row-Level Security as well (see :mod:`core.tenancy`).
    Subclasses that declare their own ``__table_args__`` must include
    ``*TenantScoped.tenant_table_args(cls)``.
    """

    __tenant_scoped__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(
            sa.Integer, sa.ForeignKey("tenant.id", ondelete="RESTRICT"), nullable=False, index=True
        )

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        return tenant_table_args()


def tenant_table_args(*extra: Any) -> tuple[Any, ...]:
    """Table arguments every tenant-scoped table needs, plus ``extra`` ones.

    A model that declares its own ``__table_args__`` writes
    ``__table_args__ = tenant_table_args(tenant_fk("plan_id", "plan"), ...)``.
    """
    return (sa.UniqueConstraint("tenant_id", "id"), *extra)


def tenant_fk(
    column: str, target: str, *, ondelete: str | None = "CASCADE"
) -> sa.ForeignKeyConstraint:
    """A composite foreign key ``(tenant_id, column) → target(tenant_id, id)``.

    The database itself then refuses a row pointing into another tenant.
    ``target`` is the referenced table name.
    """
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        ondelete=ondelete,
    )


def tenant_tables() -> list[sa.Table]:
    """Every tenant-scoped table of the mapped models, sorted by name."""
    tables = {
        m.local_table.name: m.local_table
        for m in Base.registry.mappers
        if issubclass(m.class_, TenantScoped) and isinstance(m.local_table, sa.Table)
    }
    return [tables[name] for name in sorted(tables)]


def in_ids(column: Any, ids: Any) -> sa.ColumnElement[bool]:
    """``column IN (ids)`` for a set of integer ids: one array parameter on PostgreSQL.

    A county's or the country's localities are thousands of ids; as a plain
    ``IN`` each would be a bound parameter of its own, and rendering and
    parsing statements thousands of parameters long cost more than running
    them (benchmarks/RESULTS.md). Other databases get the plain ``IN``.
    """
    values = [int(i) for i in ids]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(sa.Integer)))
    return column.in_(values)
