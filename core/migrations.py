"""Per-plugin migrations: the core's Alembic line and one branch per installed plugin.

The core's history lives in ``migrations/versions`` (branch label ``core``); every
plugin that has tables ships its own branch in the ``migrations/`` folder of its
package, whose base revision carries ``branch_labels = ("<plugin name>",)`` and
``depends_on`` the core baseline, and creates its tables when they are absent.
``version_locations`` cover every INSTALLED plugin (entry points of the group
``vatra.plugins``), whatever ``VATRA_PLUGINS`` allows, so ``vatra db upgrade``
brings the core and every installed plugin to its head; a plugin installed
later is upgraded on its own (``vatra db upgrade --plugin NAME``).

The ``schema_branch`` table remembers which plugin each applied branch belongs
to, so a database carrying the tables of a plugin that is no longer installed
gets an error naming that plugin instead of Alembic's "Can't locate revision".
A database at the last revision of the single history used before branches
(:data:`LEGACY_HEAD`) is re-stamped: its version row is dropped and the bases,
which create only absent tables, record it on the new layout with every row kept.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import __version__ as alembic_version
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "vatra.plugins"
CORE_BRANCH = "core"
CORE_VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
CORE_BASELINE = "a3f1c7d20e58"
"""The core's first revision on the branch layout; every plugin base ``depends_on`` it."""

LEGACY_HEAD = "3b9e2d7a1c40"
"""The head of the single history (core and built-in plugins together) that came before branches."""
LEGACY_REVISIONS = {"c8f84c58f011", "7fc4158dc37b"}
"""Older revisions of that history: such a database must first reach :data:`LEGACY_HEAD`."""


class SchemaError(RuntimeError):
    """The database's schema history does not fit the installed code."""


class SchemaBranch(db.Model):
    """Which branch (the core or a plugin) an applied head revision belongs to."""

    __tablename__ = "schema_branch"

    branch: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    revision: Mapped[str] = mapped_column(sa.String(64), nullable=False)


def package_dir(module_name: str) -> Path | None:
    """The folder of the package holding ``module_name`` (a plugin's entry-point module), without importing it."""
    package = module_name.rpartition(".")[0] or module_name
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin).parent if spec.origin else None


def installed_plugins() -> dict[str, Path]:
    """``{plugin name: package folder}`` of every plugin installed (entry points), allowed or not."""
    found: dict[str, Path] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        folder = package_dir(ep.module)
        if folder is not None:
            found.setdefault(ep.name, folder)
    return found


def plugin_migration_dirs(extra: Iterable[Any] = ()) -> dict[str, Path]:
    """``{plugin name: migrations folder}`` of the installed plugins (and ``extra`` loaded ones) that have one."""
    folders = dict(installed_plugins())
    for loaded in extra:
        folder = package_dir(loaded.module.__name__) if hasattr(loaded.module, "__name__") else None
        if folder is not None:
            folders.setdefault(loaded.info.name, folder)
    return {name: folder / "migrations" for name, folder in sorted(folders.items()) if (folder / "migrations").is_dir()}


def version_locations(extra: Iterable[Any] = ()) -> list[str]:
    """The core's versions folder and every plugin branch's folder."""
    return [str(CORE_VERSIONS), *(str(p) for p in plugin_migration_dirs(extra).values())]


def configure_alembic(config: Any, extra: Iterable[Any] = ()) -> Any:
    """Point an Alembic ``Config`` at the core's and every installed plugin's branch."""
    # paths joined with os.pathsep (a folder name may hold a space); the option's name changed in Alembic 1.16
    separator = "path_separator" if tuple(int(p) for p in alembic_version.split(".")[:2]) >= (1, 16) else (
        "version_path_separator")
    config.set_main_option(separator, "os")
    config.set_main_option("version_locations", os.pathsep.join(version_locations(extra)).replace("%", "%%"))
    return config


# -- run inside env.py, on the migration connection --------------------------------------------------


def _version_rows(connection: sa.Connection) -> list[str]:
    if not sa.inspect(connection).has_table("alembic_version"):
        return []
    return list(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def prepare(connection: sa.Connection, script: Any) -> None:
    """Before upgrading: re-stamp a database of the single history, refuse one of a missing plugin."""
    rows = _version_rows(connection)
    if LEGACY_HEAD in rows:
        # the bases create only absent tables: with no version row they record the schema as it is
        connection.execute(sa.text("DELETE FROM alembic_version"))
        log.warning("schema of the single history (%s) re-stamped onto the per-plugin branches", LEGACY_HEAD)
        return
    old = sorted(LEGACY_REVISIONS.intersection(rows))
    if old:
        raise SchemaError(
            f"the database is at revision {old[0]} of the old single history: upgrade it to {LEGACY_HEAD} "
            "with the previous Vatra release first"
        )
    unknown = []
    for revision in rows:
        try:
            known = script.get_revision(revision)
        except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
            known = None
        if known is None:
            unknown.append(revision)
    if not unknown:
        return
    owners = {}
    if sa.inspect(connection).has_table("schema_branch"):
        owners = {r: b for r, b in connection.execute(sa.text("SELECT revision, branch FROM schema_branch"))}
    names = sorted(owners.get(r, f"? (revision {r})") for r in unknown)
    raise SchemaError(
        "the database holds the tables of plugin(s) that are not installed: "
        + ", ".join(names)
        + " — install them again (pip install …) before upgrading"
    )


def record(connection: sa.Connection, script: Any) -> None:
    """After upgrading: remember which branch each head revision belongs to."""
    if not sa.inspect(connection).has_table("schema_branch"):
        return
    heads = _version_rows(connection)
    connection.execute(sa.text("DELETE FROM schema_branch"))
    for revision in heads:
        labels = sorted(script.get_revision(revision).branch_labels) or [revision]
        for label in labels:
            connection.execute(
                sa.text("INSERT INTO schema_branch (branch, revision) VALUES (:b, :r)"), {"b": label, "r": revision}
            )


# -- commands ----------------------------------------------------------------------------------------


def alembic_config() -> Any:
    """The Alembic ``Config`` of the current app, with every installed plugin's branch."""
    from flask import current_app

    return current_app.extensions["migrate"].migrate.get_config()


def upgrade(plugin: str | None = None, *, sql: bool = False) -> None:
    """Bring the core and every installed plugin to its head, or the core and only ``plugin``'s branch.

    Raises :class:`SchemaError` for a database that names a plugin no longer installed.
    """
    from alembic import command

    config = alembic_config()
    if plugin is not None:
        branches = _branch_labels(config)
        if plugin not in branches:
            raise SchemaError(
                f"plugin {plugin!r} has no migrations among the installed ones ({', '.join(sorted(branches))})"
            )
    if plugin is None:
        command.upgrade(config, "heads", sql=sql)
        return
    # the running code needs the core at its head whatever the plugin's base depends on
    command.upgrade(config, f"{CORE_BRANCH}@head", sql=sql)
    command.upgrade(config, f"{plugin}@head", sql=sql)


def _branch_labels(config: Any) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    return {label for rev in script.walk_revisions() for label in rev.branch_labels}
