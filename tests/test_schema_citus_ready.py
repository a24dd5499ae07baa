"""The schema stays ready for Citus row-based sharding by ``tenant_id`` (docs/scaling.md).

Walks the SQLAlchemy metadata of an app with every plugin loaded. For every
tenant-scoped table (:func:`core.db.tenant_tables`):

* ``tenant_id`` is part of a unique constraint (``UNIQUE (tenant_id, id)``,
  what the primary key becomes when the table is distributed), and every
  unique constraint or unique index includes it — Citus can only enforce
  uniqueness that contains the distribution column;
* every foreign key to another tenant-scoped table includes ``tenant_id`` on
  both sides, so the two rows are always on the same shard;
* every index of more than one column starts with ``tenant_id``, so a query
  of one tenant reads one shard's index in order.

Each test lists every violation, not only the first.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.db import tenant_tables


def _columns(constraint: sa.UniqueConstraint | sa.PrimaryKeyConstraint | sa.Index) -> list[str]:
    """Column names of a constraint or index; an expression counts by the columns it uses."""
    if isinstance(constraint, sa.Index):
        names: list[str] = []
        for expr in constraint.expressions:
            if isinstance(expr, sa.Column):
                names.append(expr.name)
            elif isinstance(expr, str):
                names.append(expr)
            else:
                names.extend(c.name for c in sa.sql.visitors.iterate(expr) if isinstance(c, sa.Column))
        return names
    return [c.name for c in constraint.columns]


KNOWN_INDEX_EXCEPTIONS: set[str] = set()
"""Indexes knowingly not led by ``tenant_id``, each with its reason; a new one fails the test."""


def unique_violations(tables: list[sa.Table]) -> tuple[list[str], list[str]]:
    """``(tables with no unique key including tenant_id, unique constraints/indexes without it)``."""
    missing, without = [], []
    for table in tables:
        uniques: list[sa.UniqueConstraint | sa.Index] = [
            c for c in table.constraints if isinstance(c, sa.UniqueConstraint)
        ]
        uniques += [i for i in table.indexes if i.unique]
        if not any("tenant_id" in _columns(u) for u in uniques):
            missing.append(table.name)
        without += [f"{table.name}.{u.name or _columns(u)}" for u in uniques if "tenant_id" not in _columns(u)]
    return missing, without


def foreign_key_violations(tables: list[sa.Table]) -> list[str]:
    """Foreign keys from one of ``tables`` to another that do not pair ``tenant_id`` with ``tenant_id``."""
    scoped = {t.name for t in tables}
    violations = []
    for table in tables:
        for fk in table.foreign_key_constraints:
            target = fk.referred_table.name
            if target not in scoped:
                continue  # onto a global (reference) table: tenant, user_account
            pairs = {(e.parent.name, e.column.name) for e in fk.elements}
            if ("tenant_id", "tenant_id") not in pairs:
                violations.append(f"{table.name}({', '.join(sorted(p for p, _ in pairs))}) -> {target}")
    return violations


def index_violations(tables: list[sa.Table]) -> list[str]:
    """Indexes of more than one column (or expression) whose first column is not ``tenant_id``."""
    violations = []
    for table in tables:
        for index in table.indexes:
            columns = _columns(index)
            if len(index.expressions) > 1 and columns[0] != "tenant_id":
                violations.append(f"{table.name}.{index.name}")
    return violations


def _tenant_tables(app) -> list[sa.Table]:  # type: ignore[no-untyped-def]
    with app.app_context():
        tables = tenant_tables()
    assert len(tables) > 20, "the plugins' models were not imported"
    return tables


def test_every_tenant_table_has_a_unique_key_with_tenant_id_and_no_unique_without_it(app):
    missing, without = unique_violations(_tenant_tables(app))
    assert missing == [], f"tenant-scoped tables with no unique key including tenant_id: {missing}"
    assert without == [], f"unique constraints/indexes without tenant_id (Citus cannot enforce them): {without}"


def test_foreign_keys_between_tenant_tables_carry_tenant_id(app):
    violations = foreign_key_violations(_tenant_tables(app))
    assert violations == [], f"foreign keys between tenant tables without tenant_id: {violations}"


def test_multi_column_indexes_of_tenant_tables_start_with_tenant_id(app):
    violations = index_violations(_tenant_tables(app))
    assert sorted(set(violations) - KNOWN_INDEX_EXCEPTIONS) == [], (
        f"multi-column indexes not led by tenant_id: {sorted(set(violations) - KNOWN_INDEX_EXCEPTIONS)}"
    )
    assert sorted(KNOWN_INDEX_EXCEPTIONS - set(violations)) == [], "an exception is fixed: remove it from the list"


def test_the_walk_catches_each_kind_of_violation():
    """The checks are not vacuous: tables built to break each rule are reported."""
    metadata = sa.MetaData()
    parent = sa.Table("x_parent", metadata, sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("tenant_id", sa.Integer), sa.UniqueConstraint("tenant_id", "id"))
    child = sa.Table(
        "x_child", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("tenant_id", sa.Integer),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("x_parent.id")), sa.Column("code", sa.String(10)),
        sa.UniqueConstraint("code", name="uq_x_child_code"), sa.Index("ix_x_child_parent_code", "parent_id", "code"),
    )
    lonely = sa.Table("x_lonely", metadata, sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("tenant_id", sa.Integer))
    assert unique_violations([parent, child, lonely]) == (["x_child", "x_lonely"], ["x_child.uq_x_child_code"])
    assert foreign_key_violations([parent, child]) == ["x_child(parent_id) -> x_parent"]
    assert index_violations([parent, child]) == ["x_child.ix_x_child_parent_code"]
