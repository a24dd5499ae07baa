"""Pytest fixtures for testing Vatra and its plugins against the real platform.

A plugin author adds ``pytest_plugins = ["core.testing"]`` to a ``conftest.py``
and gets:

* ``app`` — a Vatra app on a fresh SQLite file with every table created;
  pass in-process plugins with ``@pytest.mark.plugins(module, ...)``;
* ``pg_app`` — the same on PostgreSQL, with Row-Level Security installed and
  the app connected as the non-owner role ``vatra_app``, its system scope as
  ``vatra_maint`` (the database is made once per test session, emptied after
  each test);
* ``any_app`` — parametrised over both;
* ``client`` — a test client of ``app`` (``pg_client`` / ``any_client`` alike);
* ``make_tenant``, ``make_user`` — factories;
* ``login(client, user)``, ``api_headers(user, tenant)``, ``csrf_token(client)``;
* ``as_role(role, tenant)`` — a logged-in client of a new user with that role;
* ``in_tenant(app, tenant_id)`` — an app context in one tenant's scope (also a fixture);
* ``run_job(kind, tenant, user=None, **params)`` — enqueue a job and run it in-process, the job back;
* ``migrate_db_for(plugin=None)`` — an app on a fresh database built by the Alembic migrations
  (the core's line and ``plugin``'s branch, or every installed branch).

PostgreSQL and Redis are the machine's (127.0.0.1). When one is missing the
tests that need it are skipped on a developer machine and FAIL under
``CI=true``.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from core import rls, tenancy
from core.access import hash_token, new_token_secret
from core.app import create_app
from core.auth.models import ApiToken, Membership, Role, User
from core.auth.passwords import hash_password
from core.db import db, dispose_engines, utcnow
from tenants.catalog import ensure_platform
from tenants.models import Tenant, TenantKind
from tenants.names import display_name

TEST_PASSWORD = "parola-de-test-123"  # noqa: S105 - test fixture only
PG_ADMIN_URL = os.environ.get("VATRA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_counter = itertools.count(1)
_api_app: contextvars.ContextVar[Flask] = contextvars.ContextVar("vatra_test_app")


@contextlib.contextmanager
def in_tenant(app: Flask, tenant_id: int) -> Iterator[None]:
    """An application context in one tenant's scope (to set up and check rows outside a request)."""
    with app.app_context(), tenancy.tenant_context(tenant_id):
        yield


def service_missing(what: str, reason: str = "is not reachable at 127.0.0.1") -> None:
    """Skip on a developer machine, fail under CI: a missing service is never silently fine in CI."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} {reason}; CI needs it", pytrace=False)
    pytest.skip(f"{what} {reason}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "plugins(*modules): in-process plugins to register in the test app")
    config.addinivalue_line("markers", "config(**overrides): configuration overrides for the test app")


def _app_kwargs(request: pytest.FixtureRequest) -> tuple[dict[str, Any], list[Any]]:
    overrides: dict[str, Any] = {}
    plugins: list[Any] = []
    for mark in request.node.iter_markers("config"):
        overrides = {**mark.kwargs, **overrides}
    for mark in request.node.iter_markers("plugins"):
        plugins.extend(mark.args)
    return overrides, plugins


def _base_config(tmp_path: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-" + uuid.uuid4().hex,
        "VATRA_FILES": str(tmp_path / "files"),
        "REDIS_URL": None,
        "SERVER_NAME": None,
    }


def _bootstrap(app: Flask) -> None:
    with app.app_context():
        ensure_platform()
        db.session.commit()


def _bootstrap_system(app: Flask) -> None:
    with app.app_context(), tenancy.system_context():
        ensure_platform()
        db.session.commit()


_sqlite_templates: dict[frozenset[str], Path] = {}


def _sqlite_schema(app: Flask, path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Copy an empty database made once per set of tables (create_all on every test is slow)."""
    tables = frozenset(db.metadata.tables)
    template = _sqlite_templates.get(tables)
    if template is None:
        template = tmp_path_factory.mktemp("schema") / "empty.sqlite3"
        engine = sa.create_engine(f"sqlite:///{template}")
        db.metadata.create_all(engine)
        engine.dispose()
        _sqlite_templates[tables] = template
    with app.app_context():
        db.engine.dispose()
    shutil.copyfile(template, path)


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Flask]:
    """A Vatra app on a fresh SQLite file."""
    overrides, plugins = _app_kwargs(request)
    path = tmp_path / "vatra.sqlite3"
    config = {**_base_config(tmp_path), "DATABASE_URL": f"sqlite:///{path}", **overrides}
    application = create_app(config, plugins=plugins)
    _sqlite_schema(application, path, tmp_path_factory=request.getfixturevalue("tmp_path_factory"))
    _bootstrap(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_database() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database for this test session: owner URL and application URL."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        admin.dispose()
        service_missing("PostgreSQL")
    name = f"vatra_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        rls.ensure_app_role(conn)
        rls.ensure_maint_role(conn)
    base = sa.engine.make_url(PG_ADMIN_URL)
    owner_url = base.set(database=name).render_as_string(hide_password=False)
    app_url = base.set(database=name, username=rls.APP_ROLE, password=None).render_as_string(hide_password=False)
    maint_url = base.set(database=name, username=rls.MAINT_ROLE, password=None).render_as_string(hide_password=False)
    yield {"owner": owner_url, "app": app_url, "maint": maint_url, "name": name}
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


_pg_schema_ready: set[tuple[str, frozenset[str]]] = set()


def _pg_schema(owner_url: str) -> None:
    """Create the tables and the RLS policies (as the owner) once per database and set of models."""
    key = (owner_url, frozenset(db.metadata.tables))
    if key in _pg_schema_ready:
        return
    engine = sa.create_engine(owner_url)
    with engine.begin() as conn:
        db.metadata.create_all(conn)
        rls.install(conn, rls.rls_tables(conn))
    engine.dispose()
    _pg_schema_ready.add(key)


def _pg_truncate(owner_url: str) -> None:
    """Empty the tables a test wrote to (truncating only those is much faster than all)."""
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        tables = [t.name for t in db.metadata.sorted_tables]
        # table names come from the models' metadata, not from input
        probe = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in tables)  # noqa: S608
        used = conn.exec_driver_sql(probe).scalars().all()
        # DELETE in reverse dependency order: TRUNCATE rewrites files and is far slower on small tables
        for name in reversed(tables):
            if name in used:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')  # noqa: S608
    engine.dispose()


@pytest.fixture
def pg_app(request: pytest.FixtureRequest, pg_database: dict[str, str], tmp_path: Any) -> Iterator[Flask]:
    """A Vatra app on PostgreSQL, connected as the non-owner role so RLS binds it."""
    overrides, plugins = _app_kwargs(request)
    config = {
        **_base_config(tmp_path),
        "DATABASE_URL": pg_database["app"],
        "DATABASE_OWNER_URL": pg_database["owner"],
        "DATABASE_MAINT_URL": pg_database["maint"],
        **overrides,
    }
    application = create_app(config, plugins=plugins)
    _pg_schema(pg_database["owner"])
    with application.app_context(), tenancy.system_context():
        ensure_platform()
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        dispose_engines()
    _pg_truncate(pg_database["owner"])


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request: pytest.FixtureRequest) -> Flask:
    """The test runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def pg_client(pg_app: Flask) -> FlaskClient:
    """A test client of ``pg_app``."""
    return pg_app.test_client()


@pytest.fixture
def any_client(any_app: Flask) -> FlaskClient:
    """A test client of ``any_app``."""
    return any_app.test_client()


# -- factories -------------------------------------------------------------------------------


@pytest.fixture
def test_app(request: pytest.FixtureRequest) -> Flask:
    """Whichever app the test uses: ``any_app``, ``pg_app`` or ``app``."""
    for name in ("any_app", "pg_app", "app"):
        if name in request.fixturenames:
            return request.getfixturevalue(name)
    return request.getfixturevalue("app")


@contextlib.contextmanager
def _in_app(app: Flask) -> Iterator[None]:
    """Run in ``app``'s context (reusing one already pushed) and the system scope."""
    if has_app_context() and current_app._get_current_object() is app:
        with tenancy.system_context():
            yield
    else:
        with app.app_context(), tenancy.system_context():
            yield


def _detached(obj: Any) -> Any:
    """Loaded and detached, so tests can read it outside any app context."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


@pytest.fixture
def make_tenant(test_app: Flask) -> Callable[..., Tenant]:
    """``make_tenant(kind="locality", parent=None, name=None, active=True, siruta=None)``.

    Returns a detached, loaded :class:`Tenant` usable inside or outside the
    app context.
    """

    def factory(
        kind: str | TenantKind = TenantKind.LOCALITY,
        *,
        parent: Tenant | None = None,
        name: str | None = None,
        slug: str | None = None,
        active: bool = True,
        siruta: int | None = None,
    ) -> Tenant:
        n = next(_counter)
        kind = TenantKind(kind)
        official = name or f"{'JUDEȚUL TEST' if kind == TenantKind.COUNTY else 'COMUNA TEST'} {n}"
        with _in_app(test_app):
            tenant = Tenant(
                slug=slug or f"test-{kind.value}-{n}-{secrets.token_hex(2)}",
                kind=kind,
                siruta=siruta,
                parent_id=parent.id if parent is not None else None,
                county_number=parent.county_number if parent is not None else None,
                active=active,
                activated_at=utcnow() if active else None,
            )
            tenant.set_names(official, display_name(official))
            db.session.add(tenant)
            db.session.commit()
            return _detached(tenant)

    return factory


@pytest.fixture
def make_user(test_app: Flask) -> Callable[..., User]:
    """``make_user(tenant=None, role=Role.SOCIAL_WORKER, email=None, roles=None)``.

    ``roles`` may map several tenants to roles: ``{tenant: Role.VIEWER}``.
    The password is :data:`TEST_PASSWORD`.
    """

    def factory(
        tenant: Tenant | None = None,
        role: Role | str = Role.SOCIAL_WORKER,
        *,
        email: str | None = None,
        name: str | None = None,
        roles: dict[Tenant, Role | str] | None = None,
        locale: str = "ro",
    ) -> User:
        n = next(_counter)
        with _in_app(test_app):
            user = User(
                email=email or f"user{n}-{secrets.token_hex(2)}@example.ro",
                name=name or f"Utilizator {n}",
                password_hash=hash_password(TEST_PASSWORD),
                locale=locale,
            )
            db.session.add(user)
            grants = dict(roles or {})
            if tenant is not None:
                grants[tenant] = role
            db.session.flush()
            for t, r in grants.items():
                db.session.add(Membership(user_id=user.id, tenant_id=t.id, role=Role(r)))
            db.session.commit()
            return _detached(user)

    return factory


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Log ``user`` in on ``client`` (a new server-side session, as after a good password)."""
    from core.auth.sessions import COOKIE_KEY, open_session

    with _in_app(client.application):
        value = open_session(db.session.get(User, user.id))
        db.session.commit()
    with client.session_transaction() as sess:
        sess[COOKIE_KEY] = value
        sess["_fresh"] = True
    return client


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for ``client``'s session, for form posts in tests."""
    app = client.application
    raw = secrets.token_hex(20)
    with client.session_transaction() as sess:
        sess["csrf_token"] = raw
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def api_headers(user: User, tenant: Tenant, *, days: int = 30) -> dict[str, str]:
    """A bearer-token header for ``user`` in ``tenant`` (a fresh token)."""
    import datetime as dt

    secret = new_token_secret()
    app = _api_app.get(None) or current_app._get_current_object()
    with _in_app(app):
        db.session.add(
            ApiToken(
                user_id=user.id,
                tenant_id=tenant.id,
                name="test",
                prefix=secret[:10],
                token_hash=hash_token(secret),
                expires_at=utcnow() + dt.timedelta(days=days),
            )
        )
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(name="login")
def login_fixture() -> Callable[[FlaskClient, User], FlaskClient]:
    """The :func:`login` helper as a fixture."""
    return login


@pytest.fixture(name="csrf_token")
def csrf_token_fixture() -> Callable[[FlaskClient], str]:
    """The :func:`csrf_token` helper as a fixture."""
    return csrf_token


@pytest.fixture(name="api_headers")
def api_headers_fixture(test_app: Flask) -> Iterator[Callable[..., dict[str, str]]]:
    """The :func:`api_headers` helper as a fixture (bound to the test's app)."""
    token = _api_app.set(test_app)
    yield api_headers
    _api_app.reset(token)


@pytest.fixture
def as_role(test_app: Flask, make_user: Callable[..., User]) -> Callable[[Role | str, Tenant], FlaskClient]:
    """``as_role(role, tenant)``: a new client logged in as a new user with that role in ``tenant``."""

    def factory(role: Role | str, tenant: Tenant) -> FlaskClient:
        user = make_user(tenant, role)
        return login(test_app.test_client(), user)

    return factory


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """``app`` with its application context pushed."""
    with app.app_context():
        yield app


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (database 7) for tests that only talk to it; nothing is flushed."""
    import redis

    url = os.environ.get("VATRA_TEST_REDIS", "redis://127.0.0.1:6379/7")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        service_missing("Redis")
    return url


@pytest.fixture(name="in_tenant")
def in_tenant_fixture() -> Callable[[Flask, int], contextlib.AbstractContextManager[None]]:
    """The :func:`in_tenant` helper as a fixture."""
    return in_tenant


@pytest.fixture
def run_job(test_app: Flask) -> Callable[..., Any]:
    """``run_job(kind, tenant, user=None, **params)``: enqueue a job and run it now, in this process.

    Returns the detached job row (``status``, ``result``, ``files``...). The app
    has no ``REDIS_URL`` in tests, so the job runs inline with its retries.
    """
    from core.jobs import Job, enqueue

    def runner(kind: str, tenant: Tenant, user: User | None = None, **params: Any) -> Job:
        with in_tenant(test_app, tenant.id):
            job = enqueue(kind, tenant=tenant, user=user, **params)
            job_id = job.id
        with in_tenant(test_app, tenant.id):
            return _detached(db.session.get(Job, job_id))

    return runner


@pytest.fixture
def migrate_db_for(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Callable[..., Flask]]:
    """``migrate_db_for(plugin=None, **config)``: an app whose fresh database the migrations built.

    Runs ``vatra db upgrade`` (``--plugin plugin`` when given: the core's line and
    that plugin's branch only) on a new SQLite file, or on the database of
    ``DATABASE_URL``/``DATABASE_OWNER_URL`` passed in ``config``; the platform
    tenant exists. Use it to check a plugin's migration branch against its models.
    """
    from core import migrations

    made: list[Flask] = []

    def factory(plugin: str | None = None, **config: Any) -> Flask:
        overrides, plugins = _app_kwargs(request)
        path = tmp_path / f"migrated-{len(made)}.sqlite3"
        settings = {**_base_config(tmp_path), "DATABASE_URL": f"sqlite:///{path}", **overrides, **config}
        application = create_app(settings, plugins=plugins)
        with application.app_context():
            migrations.upgrade(plugin)
        _bootstrap_system(application)
        made.append(application)
        return application

    yield factory
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
