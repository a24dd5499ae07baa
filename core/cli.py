"""The ``vatra`` command line (a Flask CLI group).

``vatra db upgrade`` (Flask-Migrate), ``vatra serve``, ``vatra demo load``,
``vatra tenants …``, ``vatra users …``, ``vatra audit verify``,
``vatra plugins …``, ``vatra worker`` and ``vatra jobs …``; plugins add
their own groups through the ``vatra_cli_commands`` hook.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from core import audit, tenancy
from core.auth.models import Role
from core.db import db


def _create_app() -> Any:
    from core.app import create_app

    return create_app()


class VatraGroup(FlaskGroup):
    """The Flask CLI group, plus the commands plugins contribute."""

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except Exception:  # noqa: BLE001 - a broken config must not hide the built-in commands
            return {}
        from core.plugins import PluginHost

        host: PluginHost = app.extensions["vatra_plugins"]
        groups: dict[str, click.Command] = {}
        for name, command in host.collect("vatra_cli_commands"):
            if name not in host.plugins:  # put in place by a wrapper: no plugin to name the group
                continue
            group = groups.setdefault(name, click.Group(name, help=host.plugins[name].info.label))
            assert isinstance(group, click.Group)
            group.add_command(command)
        return groups

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_commands(ctx)))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "db":  # Flask-Migrate's group, with an upgrade that knows the plugins' branches
            from core.db_cli import db as db_group

            return db_group
        command = super().get_command(ctx, name)
        if command is None:
            command = self._plugin_commands(ctx).get(name)
        return command


cli = VatraGroup(create_app=_create_app, add_version_option=True, help="Vatra: asistență socială locală.")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the platform on plain HTTP for one machine (production: gunicorn behind TLS)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    # plain HTTP on this machine: a Secure cookie would never come back and nobody could log in
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    click.echo(f"Vatra: http://{host}:{port}/  (server de dezvoltare; în producție: gunicorn în spatele TLS)")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


# -- tenants ---------------------------------------------------------------------------------


@cli.group()
def tenants() -> None:
    """Counties, localities and the platform."""


@tenants.command("load-catalog")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@with_appcontext
def load_catalog(path: Path | None) -> None:
    """Create or update the 42 counties and 3,187 localities of SIRUTA (idempotent)."""
    from tenants import catalog

    with tenancy.system_context():
        try:
            report = catalog.load_catalog(path or catalog.CATALOG)
        except ValueError as exc:
            db.session.rollback()
            raise click.ClickException(f"catalogul nu a fost încărcat: {exc}") from exc
        audit.record_event(
            "catalog_loaded",
            tenant_id=audit.platform_tenant_id(db.session.connection()),
            entity="tenant",
            details={"created": report.created, "updated": report.updated},
        )
        db.session.commit()
    click.echo(
        f"{report.counties} județe, {report.localities} localități: "
        f"{report.created} create, {report.updated} actualizate."
    )


def _tenant_or_fail(slug: str) -> Any:
    from tenants.services import get_by_slug

    tenant = get_by_slug(slug)
    if tenant is None:
        raise click.ClickException(f"nu există instituția „{slug}” (căutați cu: vatra tenants find NUME)")
    return tenant


@tenants.command("find")
@click.argument("query")
@with_appcontext
def find(query: str) -> None:
    """Find tenants by name, whatever the spelling (ș/ş, â/î)."""
    from tenants.services import find_tenants

    for t in find_tenants(query):
        state = "activ" if t.active else "inactiv"
        click.echo(f"{t.slug:40} {t.kind.value:9} {t.siruta or '':>7} {state:8} {t.display_name}")


@tenants.command("activate")
@click.argument("slugs", nargs=-1, required=True)
@with_appcontext
def activate(slugs: tuple[str, ...]) -> None:
    """Activate tenants so they can get users."""
    from tenants.services import activate as do_activate

    with tenancy.system_context():
        for slug in slugs:
            do_activate(_tenant_or_fail(slug))
        db.session.commit()
    click.echo(f"{len(slugs)} activate.")


@tenants.command("deactivate")
@click.argument("slugs", nargs=-1, required=True)
@with_appcontext
def deactivate(slugs: tuple[str, ...]) -> None:
    """Deactivate tenants: their users lose access, their data stays."""
    from tenants.services import TenantError
    from tenants.services import deactivate as do_deactivate

    with tenancy.system_context():
        try:
            for slug in slugs:
                do_deactivate(_tenant_or_fail(slug))
        except TenantError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
    click.echo(f"{len(slugs)} dezactivate.")


@tenants.command("export")
@click.argument("slug")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="the archive (.zip)")
@with_appcontext
def export_tenant(slug: str, output: Path) -> None:
    """Write a tenant's complete data and files to one archive (see tenants/backup.py)."""
    from tenants import backup

    engine = backup.owner_engine(current_app.config["DATABASE_OWNER_URL"])
    try:
        report = backup.export_tenant(engine, db.metadata, Path(current_app.config["VATRA_FILES"]), slug, output)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    with tenancy.system_context():
        details = {"archive": output.name, "rows": sum(report.tables.values()), "files": report.files}
        audit.record_event("tenant_exported", tenant_id=report.tenant_id, entity="tenant", entity_id=report.tenant_id,
                           details=details)
        db.session.commit()
    click.echo(f"{slug}: {sum(report.tables.values())} rânduri din {len(report.tables)} tabele, "
               f"{report.files} fișiere → {output}")


@tenants.command("import")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_tenant(archive: Path) -> None:
    """Restore a tenant's archive into an empty database (one transaction: all or nothing)."""
    from tenants import backup

    engine = backup.owner_engine(current_app.config["DATABASE_OWNER_URL"])
    try:
        report = backup.import_tenant(engine, db.metadata, Path(current_app.config["VATRA_FILES"]), archive)
    except backup.BackupError as exc:
        raise click.ClickException(f"nimic nu a fost importat: {exc}") from exc
    finally:
        engine.dispose()
    with tenancy.system_context():
        details = {"archive": archive.name, "rows": sum(report.tables.values()), "files": report.files}
        audit.record_event("tenant_imported", tenant_id=report.tenant_id, entity="tenant", entity_id=report.tenant_id,
                           details=details)
        db.session.commit()
    click.echo(f"{report.tenant_slug}: {sum(report.tables.values())} rânduri și {report.files} fișiere importate.")


# -- users -----------------------------------------------------------------------------------


@cli.group()
def users() -> None:
    """User accounts and memberships."""


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--tenant", "slug", required=True, help="slug of the tenant")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--locale", default="ro", type=click.Choice(["ro", "hu", "en"]))
@with_appcontext
def create_user(email: str, name: str, slug: str, role: str, password: str, locale: str) -> None:
    """Create a user with one membership (the tenant must be active)."""
    from core.auth.models import Membership, Role, User
    from core.auth.passwords import MIN_PASSWORD_LENGTH, hash_password

    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"parola trebuie să aibă cel puțin {MIN_PASSWORD_LENGTH} caractere")
    with tenancy.system_context():
        tenant = _tenant_or_fail(slug)
        if not tenant.active:
            raise click.ClickException(f"{tenant.display_name} nu este activă: activați-o întâi")
        if db.session.execute(sa.select(User).where(User.email == email.lower())).scalar_one_or_none():
            raise click.ClickException(f"există deja un utilizator {email}")
        user = User(email=email.lower(), name=name, password_hash=hash_password(password), locale=locale)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, tenant_id=tenant.id, role=Role(role)))
        db.session.commit()
    click.echo(f"Utilizatorul {email} a fost creat ({role} la {tenant.display_name}).")


@users.command("reset-password")
@click.argument("email")
@click.option("--base-url", envvar="VATRA_BASE_URL", default="http://localhost:5000", show_default=True,
              help="the address people open the platform at (for the link)")
@with_appcontext
def reset_password(email: str, base_url: str) -> None:
    """Print a one-hour, single-use link to set a new password (and e-mail it when SMTP is configured).

    The operator's way for an account no administrator may reset; no password
    is shown or chosen here, and the account's sessions and API tokens end
    when the holder sets the new one.
    """
    from flask import url_for

    from core.auth.invitations import find_user
    from core.auth.resets import make_token
    from core.web.members import send_reset_mail

    with tenancy.system_context():
        user = find_user(email)
        if user is None:
            raise click.ClickException(f"nu există un utilizator {email}")
        with current_app.test_request_context(base_url=base_url):
            link = url_for("auth.reset", token=make_token(user), _external=True)
            mailed = send_reset_mail(user, link)
        audit.record_event("password_reset_link", tenant_id=audit.platform_tenant_id(), entity="user_account",
                           entity_id=user.id, details={"email": user.email, "mailed": mailed, "by": "cli"},
                           own_transaction=True)
    click.echo(f"Legătura pentru o parolă nouă (valabilă o oră, o singură dată):\n{link}")
    if mailed:
        click.echo(f"Legătura a fost trimisă și prin e-mail la {user.email}.")


# -- audit -----------------------------------------------------------------------------------


@cli.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@click.option("--tenant", "slug", default=None, help="only this tenant's chain")
@click.option("--anchors", "anchors_file", type=click.File("r", encoding="utf-8"), default=None,
              help="a file written by `vatra audit anchor`: every head recorded there must still be in its chain")
@with_appcontext
def verify(slug: str | None, anchors_file: Any) -> None:
    """Check every tenant's SHA-256 chain and each entry's HMAC; report the first broken entry of each."""
    recorded = []
    if anchors_file is not None:
        try:
            recorded = [audit.Anchor.from_json(line) for line in anchors_file if line.strip()]
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--anchors") from None
    with tenancy.system_context():
        tenant_id = _tenant_or_fail(slug).id if slug else None
        conn = db.session.connection()
        problems = audit.verify(conn, tenant_id, key=audit.audit_key())
        broken = {p.tenant_id for p in problems}
        problems += [p for p in audit.check_anchors(conn, (a for a in recorded if tenant_id in (None, a.tenant_id)))
                     if p.tenant_id not in broken]
        count = conn.execute(sa.select(sa.func.count()).select_from(audit.AuditEntry.__table__)).scalar()
    if not problems:
        click.echo(f"Jurnalul de audit este intact ({count} înregistrări verificate).")
        return
    for p in problems:
        where = f"înregistrarea #{p.seq}" if p.seq is not None else "capătul lanțului"
        click.echo(f"instituția {p.tenant_id}: {where} — {p.kind}: {p.detail}", err=True)
    sys.exit(1)


@audit_group.command("anchor")
@click.option("--output", type=click.File("a", encoding="utf-8"), default="-",
              help="append the heads to this file (default: print them)")
@with_appcontext
def anchor(output: Any) -> None:
    """Write every chain's current head (one JSON line per tenant) to keep outside the database.

    Run it from cron and store the file on another host: `vatra audit verify
    --anchors FILE` then also catches a history rewritten together with its
    hashes by someone holding the database owner's rights.
    """
    with tenancy.system_context():
        heads = audit.anchors(db.session.connection())
    for head in heads:
        output.write(head.to_json() + "\n")
    if output.name != "<stdout>":
        click.echo(f"{len(heads)} capete de lanț adăugate în {output.name}.")


# -- plugins ---------------------------------------------------------------------------------


@cli.group("plugins")
def plugins_group() -> None:
    """Installed plugins and where they are enabled."""


@plugins_group.command("list")
@with_appcontext
def list_plugins() -> None:
    """Each plugin with its version, hooks and the tenants where it is enabled."""
    from core.plugins import TenantPlugin, host
    from tenants.models import Tenant

    plugins = host()
    active = db.session.execute(sa.select(Tenant).where(Tenant.active.is_(True))).scalars().all()
    decided: dict[tuple[int, str], bool] = {
        (r.tenant_id, r.plugin): r.enabled for r in db.session.execute(sa.select(TenantPlugin)).scalars()
    }
    for name, loaded in plugins.plugins.items():
        info = loaded.info
        on = [
            t.slug for t in active if decided.get((t.id, name), plugins.default_enabled(name, t))
        ]
        click.echo(f"{name} {info.version} — {info.label} [{loaded.source}]")
        click.echo(f"  hooks: {', '.join(loaded.hooks)}")
        click.echo(f"  enabled for {len(on)} active tenants: {', '.join(on[:10])}{' …' if len(on) > 10 else ''}")
    for failed in plugins.failed:
        click.echo(f"{failed.name} — FAILED TO LOAD: {failed.error}", err=True)


def _set_plugin(name: str, slugs: tuple[str, ...], enabled: bool) -> None:
    from core.plugins import host

    plugins = host()
    if name not in plugins.plugins:
        raise click.ClickException(f"modulul „{name}” nu este instalat (vatra plugins list)")
    with tenancy.system_context():
        for slug in slugs:
            plugins.set_enabled(name, _tenant_or_fail(slug), enabled)
        db.session.commit()


@plugins_group.command("enable")
@click.argument("name")
@click.argument("slugs", nargs=-1, required=True)
@with_appcontext
def enable(name: str, slugs: tuple[str, ...]) -> None:
    """Enable a plugin for tenants."""
    _set_plugin(name, slugs, True)
    click.echo(f"{name} activat pentru {len(slugs)} instituții.")


@plugins_group.command("disable")
@click.argument("name")
@click.argument("slugs", nargs=-1, required=True)
@with_appcontext
def disable(name: str, slugs: tuple[str, ...]) -> None:
    """Disable a plugin for tenants (pages and API answer 404; the data stays)."""
    _set_plugin(name, slugs, False)
    click.echo(f"{name} dezactivat pentru {len(slugs)} instituții.")


@plugins_group.command("docs")
@click.option("--check", is_flag=True, help="fail when docs/plugins.md or docs/toolkit.md is not up to date")
@click.option("--output", type=click.Path(path_type=Path), default=Path("docs"), show_default=True, help="folder")
def plugin_docs(check: bool, output: Path) -> None:
    """Write the integrator's documentation: the hooks (plugins.md) and the toolkit (toolkit.md)."""
    from core.plugin_docs import outputs

    if output.suffix == ".md":  # the former --output docs/plugins.md
        output = output.parent
    for name, text in outputs().items():
        path = output / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise click.ClickException(f"{path} is out of date: run `vatra plugins docs`")
            click.echo(f"{path} is up to date.")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")


# -- demo ------------------------------------------------------------------------------------


@cli.group("demo")
def demo_group() -> None:
    """Demo data of the embedded default."""


@demo_group.command("load")
@click.option("--password", envvar="VATRA_DEMO_PASSWORD", default=None, help="one password for every demo user")
@with_appcontext
def demo_load(password: str | None) -> None:
    """Load the catalog, Covasna and Olt, the two seed documents and one user per role."""
    from core import demo

    credentials = demo.load(current_app._get_current_object(), password=password)
    click.echo("Date demonstrative încărcate. Conturi (parolele sunt noi la fiecare încărcare):")
    for email, secret in credentials.items():
        click.echo(f"  {email:38} {secret}")


def _add_core_groups() -> None:
    from core.aggregation import aggregation_cli
    from core.catalogs import i18n_cli
    from core.jobs_cli import register as register_jobs
    from core.scaffold import new_command

    register_jobs(cli)
    cli.add_command(aggregation_cli)
    cli.add_command(i18n_cli)
    plugins_group.add_command(new_command)


_add_core_groups()


def main() -> None:
    """Entry point of the ``vatra`` console script."""
    cli.main(prog_name="vatra")
