"""Alembic environment: the core's line and every installed plugin's branch, as the database owner;
then RLS and grants over every table (after all branches)."""

from __future__ import annotations

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

from core import migrations, rls

config = context.config
fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
owner_url = current_app.config["DATABASE_OWNER_URL"]
config.set_main_option("sqlalchemy.url", owner_url.replace("%", "%%"))


def run_migrations_offline() -> None:
    context.configure(url=owner_url, target_metadata=target_db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _ensure_maint_role(connection: sa.Connection) -> None:
    """Create ``vatra_maint`` when the owner may create roles (else the DBA does: docs/operations.md)."""
    try:
        with connection.begin_nested():
            rls.ensure_maint_role(connection)
    except sa.exc.DBAPIError as exc:
        logger.warning("could not create the role %s (%s): create it as in docs/operations.md", rls.MAINT_ROLE, exc)


def run_migrations_online() -> None:
    def process_revision_directives(ctx, revision, directives):  # type: ignore[no-untyped-def]
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            # a database of the single history is re-stamped; one naming a missing plugin is refused
            migrations.prepare(connection, context.script)
            context.run_migrations()
            migrations.record(connection, context.script)
            # after every branch (the core's and each plugin's): the maintenance role, then policies,
            # functions and grants on every tenant-scoped table
            _ensure_maint_role(connection)
            rls.install(connection, rls.rls_tables(connection))
        if connection.in_transaction():  # SQLite (non-transactional DDL): what followed the migrations
            connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
