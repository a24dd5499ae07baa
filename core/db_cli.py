"""``vatra db``: Flask-Migrate's commands, with ``upgrade`` bringing every branch to its head.

The core's history and each installed plugin's branch are heads of one Alembic
history (see :mod:`core.migrations`); ``vatra db upgrade`` applies them all,
``vatra db upgrade --plugin NAME`` only that plugin's branch (after installing it).
"""

from __future__ import annotations

import click
from alembic.util import CommandError
from flask.cli import with_appcontext
from flask_migrate.cli import db as flask_migrate_db

from core import migrations


@click.command("upgrade")
@click.option("--plugin", default=None, help="only this plugin's branch (and the core revisions it needs)")
@click.option("--sql", is_flag=True, help="print the SQL instead of running it")
@with_appcontext
def upgrade(plugin: str | None, sql: bool) -> None:
    """Upgrade the database: the core and every installed plugin to its head."""
    try:
        migrations.upgrade(plugin, sql=sql)
    except (migrations.SchemaError, CommandError) as exc:
        raise click.ClickException(str(exc)) from exc


db = click.Group(
    "db",
    help="The database's schema: the core's line and one Alembic branch per installed plugin.",
    commands={**flask_migrate_db.commands, "upgrade": upgrade},
    callback=flask_migrate_db.callback,  # Flask-Migrate's --directory / -x options
    params=flask_migrate_db.params,
)
