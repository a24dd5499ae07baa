"""The two tenancy walls.

Wall 1 (every database): each ORM statement touching a tenant-scoped model is
filtered to the tenants of the current *scope* (``do_orm_execute`` +
``with_loader_criteria``), and a flush refuses rows of another tenant.

Wall 2 (PostgreSQL): Row-Level Security policies read the same scope from
transaction-local settings written at the start of every transaction
(``set_config(..., true)``), so even a raw SQL statement sees only the
scope's rows. The application connects as a role that is neither superuser
nor table owner; migrations run as the owner (see :mod:`core.rls`).

A scope names the one tenant that may be written and the tenants that may be
read. Requests and jobs run in the scope of their tenant; the county
aggregation reads its localities through a read-only scope; command-line
maintenance runs in the explicit system scope, whose transactions run as the
maintenance database role (``vatra_maint``; the application role's policies
have no system branch). Without a scope nothing tenant-scoped is visible.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, with_loader_criteria

from core.db import TenantScoped, db


class TenantViolation(RuntimeError):  # noqa: N818 - named for what it is, as the plugins read it
    """A write touched a row outside the tenant of the current scope."""


@dataclass(frozen=True)
class Scope:
    """What the current unit of work may read and write."""

    write_tenant_id: int | None
    read_tenant_ids: frozenset[int]
    system: bool = False

    @property
    def read_setting(self) -> str:
        return ",".join(str(t) for t in sorted(self.read_tenant_ids))


_NO_SCOPE = Scope(None, frozenset())
_scope: contextvars.ContextVar[Scope] = contextvars.ContextVar("vatra_scope", default=_NO_SCOPE)


def current_scope() -> Scope:
    """The scope in force (an empty one when none was entered)."""
    return _scope.get()


def current_tenant_id() -> int | None:
    """The tenant whose rows the current unit of work writes, if any."""
    return _scope.get().write_tenant_id


@contextlib.contextmanager
def _enter(scope: Scope) -> Iterator[Scope]:
    outer = _scope.get()
    token = _scope.set(scope)
    changed = scope != outer  # a nested scope equal to the one in force costs no statement
    try:
        if changed:
            _apply_to_open_transaction(scope)
        yield scope
    finally:
        _scope.reset(token)
        if changed:
            # when the transaction failed inside the scope PostgreSQL refuses every statement until the rollback,
            # after which the next transaction's after_begin applies the outer scope: the first error stands
            with contextlib.suppress(sa.exc.DBAPIError):
                _apply_to_open_transaction(outer)


def tenant_context(tenant_id: int) -> contextlib.AbstractContextManager[Scope]:
    """Read and write the rows of one tenant (requests, jobs)."""
    return _enter(Scope(tenant_id, frozenset({tenant_id})))


def read_scope(
    tenant_ids: Iterable[int], *, write_tenant_id: int | None = None
) -> contextlib.AbstractContextManager[Scope]:
    """Read the rows of several tenants; write at most ``write_tenant_id``.

    Used by the aggregation surface: a county reads its localities but can
    only ever write its own rows.
    """
    ids = frozenset(tenant_ids) | ({write_tenant_id} if write_tenant_id else frozenset())
    return _enter(Scope(write_tenant_id, ids))


class MaintenanceTransactionError(RuntimeError):
    """The system scope was entered inside a transaction of the application role."""


def system_context() -> contextlib.AbstractContextManager[Scope]:
    """Every tenant readable and writable: command-line maintenance only.

    On PostgreSQL the transaction runs as the maintenance role (``DATABASE_MAINT_URL``); a
    transaction already open as the application role cannot become one: commit or roll it
    back first (:class:`MaintenanceTransactionError`).
    """
    _check_maintenance_connection()
    return _enter(Scope(None, frozenset(), system=True))


def _check_maintenance_connection() -> None:
    from core.db import maint_engine

    try:
        session = db.session()
    except RuntimeError:  # outside an application context
        return
    maint = maint_engine()
    open_engine = session.open_engine()
    if maint is not None and open_engine is not None and open_engine is not maint:
        raise MaintenanceTransactionError(
            "the system scope needs a transaction of the maintenance role: commit or roll back the open one first"
        )


AGGREGATION_WORK_MEM = "64MB"
"""At least this ``work_mem`` for a transaction that reads many tenants (a county's or the country's figures);
each sort or hash of such a read may use it (hashes twice, ``hash_mem_multiplier``): docs/operations.md."""
AGGREGATION_SCOPE = 50
"""From how many tenants a read scope is an aggregation read (a county of Romania has 40–112 localities)."""


def _settings(scope: Scope) -> dict[str, str]:
    many = len(scope.read_tenant_ids) > 1
    return {
        "read": scope.read_setting,
        "write": str(scope.write_tenant_id or ""),
        "system": "on" if scope.system else "",
        # a read over many tenants passes them as one array whose size varies from a county to the country:
        # PostgreSQL's generic plan for a prepared statement (after five runs) is then several times slower
        "plans": "force_custom_plan" if many else "auto",
        # adding up a county's or the country's values groups and sorts tens of thousands of rows: with the
        # default 4 MB PostgreSQL spilled the national aggregate to disk (benchmarks/RESULTS.md)
        "work_mem": AGGREGATION_WORK_MEM if len(scope.read_tenant_ids) >= AGGREGATION_SCOPE else "",
    }


_SET_CONFIG = (
    "SELECT set_config('vatra.read_tenants', :read, true),"
    " set_config('vatra.write_tenant', :write, true),"
    " set_config('vatra.system', :system, true),"
    " set_config('plan_cache_mode', :plans, true)"
)
_SET_CONFIG_ONE = sa.text(_SET_CONFIG)
_SET_CONFIG_MANY = sa.text(
    _SET_CONFIG + ", set_config('work_mem', CASE WHEN pg_size_bytes(current_setting('work_mem'))"
    " < pg_size_bytes(:work_mem) THEN :work_mem ELSE current_setting('work_mem') END, true)"
)
# work_mem is raised, never lowered (a server tuned higher keeps its value); a transaction that read many tenants
# keeps the raised value until it ends


def _set_config(scope: Scope) -> tuple[sa.TextClause, dict[str, str]]:
    settings = _settings(scope)
    return (_SET_CONFIG_MANY if settings["work_mem"] else _SET_CONFIG_ONE), settings


def _set_rls(connection: sa.Connection, scope: Scope) -> None:
    # the settings are transaction-local: a transaction that begins without a scope already has the empty ones
    # (nothing tenant-scoped visible), so only a real scope costs a statement
    if connection.dialect.name == "postgresql" and scope != _NO_SCOPE:
        if scope.system:
            _refuse_application_role(connection)
        connection.execute(*_set_config(scope))


def _refuse_application_role(connection: sa.Connection) -> None:
    """The system scope as the application role would silently see nothing: say what to configure instead."""
    from core.rls import APP_ROLE

    checked = connection.engine.__dict__.setdefault("_vatra_maintenance_role", {})
    if "user" not in checked:
        checked["user"] = connection.exec_driver_sql("SELECT current_user").scalar()
    if checked["user"] == APP_ROLE:
        raise MaintenanceTransactionError(
            f"the system scope cannot run as {APP_ROLE} (its policies have no system branch): set "
            "DATABASE_MAINT_URL to the vatra_maint role (docs/operations.md)"
        )


def _apply_to_open_transaction(scope: Scope) -> None:
    """Carry a scope change into a transaction that is already open."""
    try:
        session = db.session()
    except RuntimeError:  # outside an application context: nothing is open
        return
    if session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.execute(*_set_config(scope))


@event.listens_for(Session, "after_begin")
def _on_begin(session: Session, transaction: Any, connection: sa.Connection) -> None:
    _set_rls(connection, _scope.get())


@functools.lru_cache(maxsize=512)
def _criteria(ids: tuple[int, ...], postgresql: bool) -> Any:
    """The wall's loader criteria for a set of tenants, built once per set (building one per statement showed in
    every request's profile)."""
    if len(ids) == 1:
        only = ids[0]
        return with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == only, include_aliases=True)
    if postgresql:
        # one array parameter, not one parameter per tenant: a county's or the country's scope of
        # thousands of tenants made every statement thousands of binds long (benchmarks/RESULTS.md)
        many_ids = sa.bindparam("vatra_scope_tenants", list(ids) or [-1], type_=ARRAY(sa.Integer))
        return with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == sa.any_(many_ids), include_aliases=True)
    many = list(ids) or [-1]
    return with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id.in_(many), include_aliases=True)


@event.listens_for(Session, "do_orm_execute")
def _filter_tenant_rows(state: Any) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = _scope.get()
    if scope.system:
        return
    if state.is_select:
        ids = tuple(sorted(scope.read_tenant_ids))
    else:
        ids = (scope.write_tenant_id,) if scope.write_tenant_id else ()
    criteria = _criteria(ids, state.session.get_bind().dialect.name == "postgresql")
    state.statement = state.statement.options(criteria)


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, flush_context: Any, instances: Any) -> None:
    scope = _scope.get()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None and obj in session.new:
            if scope.write_tenant_id is None:
                raise TenantViolation(f"{type(obj).__name__} created outside a tenant scope")
            obj.tenant_id = scope.write_tenant_id
        if scope.system:
            continue
        if obj.tenant_id != scope.write_tenant_id:
            raise TenantViolation(
                f"{type(obj).__name__} of tenant {obj.tenant_id} written in the scope of "
                f"tenant {scope.write_tenant_id}"
            )
