"""``vatra plugins new NAME``: a pip-installable plugin package with the rooms of the built-in ones.

The package imports nothing of the platform but :mod:`core.toolkit`; it has an
entry point in the ``vatra.plugins`` group, a first model and the migration
branch that creates its table, its own translation domain (hu, en compiled), a
page, an API resource, a job, an indicator for the county's aggregation, and
tests on the ``core.testing`` fixtures. See docs/plugin-tutorial.md.
"""

from __future__ import annotations

import re
import secrets
from io import BytesIO
from pathlib import Path
from string import Template

import click
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from core.migrations import CORE_BASELINE

NAME = re.compile(r"^[a-z][a-z0-9_]{1,38}$")
RESERVED = {"core", "tenants", "plugins", "tests", "api", "static", "admin"}

# Romanian msgid -> (hu, en) of the words the scaffold writes; the label is the integrator's and stays as given
WORDS = {
    "Înregistrări": ("Bejegyzések", "Records"),
    "Nicio înregistrare încă.": ("Még nincs bejegyzés.", "No records yet."),
    "Titlu": ("Cím", "Title"),
    "Cantitate": ("Mennyiség", "Quantity"),
    "Vede înregistrările": ("Látja a bejegyzéseket", "Sees the records"),
    "Adaugă înregistrări": ("Bejegyzéseket rögzít", "Adds records"),
    "Numără înregistrările": ("Megszámolja a bejegyzéseket", "Counts the records"),
    "Înregistrări: %(count)s": ("Bejegyzések: %(count)s", "Records: %(count)s"),
}


class ScaffoldError(ValueError):
    """The name or the destination cannot be used."""


def check_name(name: str) -> str:
    """The plugin name: a Python identifier in lower case, not one of the platform's own names."""
    if not NAME.match(name) or name in RESERVED:
        raise ScaffoldError(
            f"{name!r}: use 2–39 lower-case letters, digits and _ starting with a letter (not {sorted(RESERVED)})"
        )
    return name


def files_for(name: str, label: str | None = None) -> dict[str, str | bytes]:
    """``{relative path: content}`` of a new plugin ``name`` (package ``vatra_<name>``)."""
    check_name(name)
    values = {
        "name": name,
        "package": f"vatra_{name}",
        "dist": f"vatra-{name.replace('_', '-')}",
        "Model": "".join(part.capitalize() for part in name.split("_")) + "Record",
        "table": f"{name}_record",
        "label": label or name.replace("_", " ").capitalize(),
        "rev": secrets.token_hex(6),
        "core_baseline": CORE_BASELINE,
    }
    package = values["package"]
    out: dict[str, str | bytes] = {}
    for path, text in TEMPLATES.items():
        target = Template(path).substitute(values)
        out[target] = Template(text).substitute(values)
    for lang, index in (("hu", 0), ("en", 1)):
        catalog = Catalog(locale=lang, project=values["dist"], fuzzy=False)
        catalog.add(values["label"], values["label"])
        for msgid, texts in WORDS.items():
            catalog.add(msgid, texts[index])
        po, mo = BytesIO(), BytesIO()
        write_po(po, catalog, no_location=True, sort_output=True, width=120)
        write_mo(mo, catalog)
        folder = f"{package}/translations/{lang}/LC_MESSAGES"
        out[f"{folder}/messages.po"] = po.getvalue()
        out[f"{folder}/messages.mo"] = mo.getvalue()
    return out


def write(name: str, destination: Path, label: str | None = None) -> Path:
    """Write the package of plugin ``name`` into ``destination/vatra-<name>``; returns that folder."""
    files = files_for(name, label)
    root = destination / f"vatra-{name.replace('_', '-')}"
    if root.exists():
        raise ScaffoldError(f"{root} exists already")
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@click.command("new")
@click.argument("name")
@click.option("--path", "destination", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="the folder that receives vatra-NAME/")
@click.option("--label", default=None, help="the programme's name as the pages show it")
def new_command(name: str, destination: Path, label: str | None) -> None:
    """Write a new plugin package (install it with pip install -e, then vatra db upgrade)."""
    try:
        root = write(name, destination, label)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{root}\n  pip install -e {root}\n  vatra db upgrade\n  (cd {root} && python -m pytest)")


TEMPLATES: dict[str, str] = {}

TEMPLATES["setup.cfg"] = """\
[metadata]
name = ${dist}
version = 0.1.0
description = ${label}: a Vatra plugin

[options]
packages = find:
include_package_data = True
install_requires =
    vatra

[options.packages.find]
include =
    ${package}
    ${package}.*

[options.package_data]
${package} = templates/**/*, migrations/*.py, translations/*/LC_MESSAGES/*

[options.entry_points]
vatra.plugins =
    ${name} = ${package}.plugin

[tool:pytest]
testpaths = tests
addopts = -ra --strict-markers
"""

TEMPLATES["pyproject.toml"] = """\
[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"
"""

TEMPLATES["README.md"] = """\
# ${label}

A Vatra plugin (`${name}`), made with `vatra plugins new ${name}`.

    pip install -e .                # found through the entry point vatra.plugins: ${name}
    vatra db upgrade                # creates its tables (its own Alembic branch, label ${name})
    vatra i18n update --plugin ${name} && vatra i18n compile --plugin ${name}
    python -m pytest                # its tests, on the core.testing fixtures

It imports nothing of the platform but `core.toolkit`.
"""

TEMPLATES["${package}/__init__.py"] = '''\
"""${label}: a Vatra plugin."""
'''

TEMPLATES["${package}/plugin.py"] = '''\
"""${label}: the hook implementations (the one file the host imports)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from core.toolkit import (
    ALL_ROLES,
    STAFF,
    ApiBlueprint,
    IndicatorDef,
    IndicatorValue,
    JobSpec,
    NavItem,
    Period,
    Permission,
    PluginInfo,
    hookimpl,
    translation_domain,
)
from ${package} import jobs, services
from ${package}.api import blp
from ${package}.views import bp

N_ = translation_domain(__name__).N_
INDICATOR = "${name}_records"


@hookimpl
def vatra_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="${name}",
        label=N_("${label}"),
        version="0.1.0",
        description=N_("${label}"),
        default_kinds=frozenset({"locality"}),
    )


@hookimpl
def vatra_permissions() -> list[Permission]:
    return [
        Permission("${name}.view", N_("Vede înregistrările"), ALL_ROLES),
        Permission("${name}.edit", N_("Adaugă înregistrări"), STAFF),
    ]


@hookimpl
def vatra_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def vatra_api_blueprints() -> list[ApiBlueprint]:
    return [blp]


@hookimpl
def vatra_navigation(tenant: Any, user: Any) -> list[NavItem]:
    return [NavItem(N_("${label}"), "${name}.index", "${name}.view", order=800)]


@hookimpl
def vatra_indicator_catalog() -> list[IndicatorDef]:
    """What the county adds up (its county column comes with the typed columns hook)."""
    return [IndicatorDef(INDICATOR, N_("Înregistrări"), unit="număr", aggregation="sum")]


@hookimpl
def vatra_indicator_values(tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
    return services.indicator_values(INDICATOR, tenant_ids, period)


@hookimpl
def vatra_jobs() -> list[JobSpec]:
    return [JobSpec("${name}.count", jobs.count_records, label=N_("Numără înregistrările"))]
'''

TEMPLATES["${package}/models.py"] = '''\
"""${label}: the tables (their migration branch is in migrations/)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import TenantScoped, TimestampMixin, db, tenant_table_args


class ${Model}(TenantScoped, TimestampMixin, db.Model):
    """One record of the programme in one tenant."""

    __tablename__ = "${table}"

    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    __table_args__ = tenant_table_args(
        sa.CheckConstraint("quantity >= 0", name="quantity_positive"),
        sa.Index("ix_${table}_tenant_created", "tenant_id", "created_at"),
    )
'''

TEMPLATES["${package}/schemas.py"] = '''\
"""${label}: what the API accepts and answers (marshmallow); bad input is a 422 naming the field."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class RecordIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    quantity = fields.Integer(required=True, validate=validate.Range(min=0, max=1_000_000))


class RecordOut(Schema):
    id = fields.Integer()
    title = fields.String()
    quantity = fields.Integer()
    created_at = fields.DateTime()
'''

TEMPLATES["${package}/services.py"] = '''\
"""${label}: the domain logic, free of Flask (reading, writing, the aggregation's values)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.toolkit import IndicatorValue, Period, current_tenant_id, db, in_ids
from ${package}.models import ${Model}


def list_records() -> list[${Model}]:
    """The current tenant's records, newest first (the session is scoped to the tenant)."""
    return list(db.session.execute(sa.select(${Model}).order_by(${Model}.id.desc())).scalars())


def add_record(data: dict[str, Any]) -> ${Model}:
    """A new record in the current tenant (audited by the platform like every write)."""
    record = ${Model}(tenant_id=current_tenant_id(), title=data["title"], quantity=data["quantity"])
    db.session.add(record)
    db.session.flush()
    return record


def indicator_values(code: str, tenant_ids: Sequence[int], period: Period) -> list[IndicatorValue]:
    """The quantities recorded per tenant in ``period`` (the caller's read scope covers the tenants)."""
    if not tenant_ids:
        return []
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    rows = db.session.execute(
        sa.select(${Model}.tenant_id, sa.func.sum(${Model}.quantity), sa.func.count(${Model}.id))
        .where(in_ids(${Model}.tenant_id, list(tenant_ids)), ${Model}.created_at >= start, ${Model}.created_at < end)
        .group_by(${Model}.tenant_id)
    ).all()
    return [IndicatorValue(tid, code, Decimal(total or 0), count) for tid, total, count in rows]
'''

TEMPLATES["${package}/api.py"] = '''\
"""${label}: the API resource (``/api/v1/t/<tenant>/${name}/records``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from core.toolkit import ApiBlueprint, commit_on_response, require
from ${package} import services
from ${package}.schemas import RecordIn, RecordOut

blp = ApiBlueprint("${name}_api", __name__, url_prefix="/${name}", description="${label}")


@blp.route("/records")
class Records(MethodView):
    @blp.response(200, RecordOut(many=True))
    @require("${name}.view")
    def get(self) -> Any:
        """The tenant's records."""
        return services.list_records()

    @blp.arguments(RecordIn)
    @blp.response(201, RecordOut)
    @require("${name}.edit")
    def post(self, data: dict[str, Any]) -> Any:
        """Add a record."""
        record = services.add_record(data)
        commit_on_response()
        return record
'''

TEMPLATES["${package}/views.py"] = '''\
"""${label}: the pages (``/t/<tenant>/${name}/``)."""

from __future__ import annotations

from flask import Blueprint, render_template

from core.toolkit import require
from ${package} import services

bp = Blueprint("${name}", __name__, url_prefix="/${name}", template_folder="templates")


@bp.get("/")
@require("${name}.view")
def index() -> str:
    return render_template("${name}/index.html", records=services.list_records())
'''

TEMPLATES["${package}/templates/${name}/index.html"] = """\
{% extends "base.html" %}
{% block title %}{{ _("${label}") }}{% endblock %}
{% block content %}
<h1>{{ _("${label}") }}</h1>
<h2>{{ _("Înregistrări") }}</h2>
{% if records %}
<table class="data">
  <thead><tr><th scope="col">{{ _("Titlu") }}</th><th scope="col" class="num">{{ _("Cantitate") }}</th></tr></thead>
  <tbody>
    {% for r in records %}<tr><td>{{ r.title }}</td><td class="num">{{ r.quantity|number }}</td></tr>{% endfor %}
  </tbody>
</table>
{% else %}
<p>{{ _("Nicio înregistrare încă.") }}</p>
{% endif %}
{% endblock %}
"""

TEMPLATES["${package}/jobs.py"] = '''\
"""${label}: background work (rq with Redis, in-process without)."""

from __future__ import annotations

from core.toolkit import JobContext, translation_domain
from ${package} import services

_t = translation_domain(__name__)


def count_records(ctx: JobContext) -> None:
    """Counts the tenant's records into a small text file the jobs page offers."""
    count = len(services.list_records())
    ctx.progress(50, _t.N_("Numără înregistrările"))
    text = _t.N_("Înregistrări: %(count)s", count=count)
    ctx.save_file("${name}.txt", (str(text) + "\\n").encode(), "text/plain; charset=utf-8")
'''

TEMPLATES["${package}/migrations/${rev}_${name}_first_table.py"] = '''\
"""${name} branch base: the ${table} table

The first revision of the plugin's own branch (label ${name}); it depends on the
core baseline. A later revision of the plugin: vatra db revision --head ${name}@head -m "..."

Revision ID: ${rev}
Revises:
Create Date: 2026-12-06 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from core.toolkit import UTCDateTime


# revision identifiers, used by Alembic.
revision = '${rev}'
down_revision = None
branch_labels = ('${name}',)
depends_on = ('${core_baseline}',)


def upgrade():
    # a table already there is kept as it is
    if '${table}' in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table('${table}',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_${table}_quantity_positive')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_${table}_tenant_id_tenant'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_${table}')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_${table}_tenant_id_id'))
    )
    with op.batch_alter_table('${table}', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_${table}_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_${table}_tenant_created', ['tenant_id', 'created_at'], unique=False)


def downgrade():
    op.drop_table('${table}')
'''

TEMPLATES["tests/conftest.py"] = '''\
"""The plugin's tests run on the platform's fixtures (app, make_tenant, as_role, run_job, ...)."""

pytest_plugins = ["core.testing"]
'''

TEMPLATES["tests/test_${name}.py"] = '''\
"""${label}: the page, the API, the job, the aggregation, the migration branch and the translations."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.toolkit import Period, aggregation, db


def test_the_page_shows_for_an_enabled_tenant_and_is_absent_elsewhere(make_tenant, as_role):
    locality = make_tenant("locality")
    county = make_tenant("county")  # not enabled there by default
    assert as_role("social_worker", locality).get(f"/t/{locality.slug}/${name}/").status_code == 200
    assert as_role("social_worker", county).get(f"/t/{county.slug}/${name}/").status_code == 404


def test_the_api_writes_reads_and_refuses_bad_input(app, make_tenant, make_user, api_headers):
    tenant, other = make_tenant(), make_tenant()
    user = make_user(tenant, "social_worker")
    headers = api_headers(user, tenant)
    url = f"/api/v1/t/{tenant.slug}/${name}/records"
    client = app.test_client()
    bad = client.post(url, json={"title": "", "quantity": -1}, headers=headers)
    assert bad.status_code == 422 and {"title", "quantity"} <= set(bad.json["errors"]["json"])
    made = client.post(url, json={"title": "Primul", "quantity": 3}, headers=headers)
    assert made.status_code == 201 and made.json["quantity"] == 3
    assert [r["title"] for r in client.get(url, headers=headers).json] == ["Primul"]
    stranger = api_headers(make_user(other, "social_worker"), other)
    assert client.get(f"/api/v1/t/{other.slug}/${name}/records", headers=stranger).json == []


def test_the_county_adds_up_what_its_localities_recorded(app, make_tenant, make_user, api_headers):
    county = make_tenant("county")
    town = make_tenant("locality", parent=county)
    headers = api_headers(make_user(town, "social_worker"), town)
    for quantity in (2, 5):
        app.test_client().post(f"/api/v1/t/{town.slug}/${name}/records", json={"title": "x", "quantity": quantity},
                               headers=headers)
    with app.app_context():
        values = aggregation.live_values([town.id], Period(dt.date.today().year), county_ids=[county.id])
    assert values[town.id]["${name}_records"] == 7


def test_the_job_counts_the_records(make_tenant, run_job):
    tenant = make_tenant()
    job = run_job("${name}.count", tenant)
    assert job.status == "succeeded"


def test_the_migration_branch_builds_the_models_tables(migrate_db_for):
    app = migrate_db_for("${name}")
    with app.app_context():
        assert "${table}" in sa.inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    mine = [d for d in diff if "${table}" in repr(d)]
    assert mine == []


def test_the_page_speaks_hungarian_and_english(make_tenant, as_role):
    tenant = make_tenant()
    client = as_role("social_worker", tenant)
    assert "Bejegyzések" in client.get(f"/t/{tenant.slug}/${name}/?lang=hu").get_data(as_text=True)
    assert "Records" in client.get(f"/t/{tenant.slug}/${name}/?lang=en").get_data(as_text=True)
'''
