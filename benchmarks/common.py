"""What the benchmark scripts share: where the bench database is, how to reach it, the bench users.

The database is ``vatra_bench`` on the machine's PostgreSQL (127.0.0.1:5432,
trust authentication), owned by ``postgres``; the platform connects to it as
the non-owner role ``vatra_app`` so Row-Level Security binds it, exactly as
in production. ``VATRA_BENCH_PG`` (an owner URL of any database on the
server) and ``VATRA_BENCH_DB`` change where it lives.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core import rls

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
ADMIN_URL = os.environ.get("VATRA_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BENCH_DB = os.environ.get("VATRA_BENCH_DB", "vatra_bench")
SCRATCH_DB = BENCH_DB + "_scratch"
YEAR = 2026
SEED = 20260101
BENCH_PASSWORD = "parola-benchmark-2026"  # noqa: S105 - synthetic accounts of a throwaway database
SECRET_KEY = "benchmark-" + "0" * 40

PLATFORM_ADMIN = "bench.admin@vatra.test"
OLT_SIRUTA = 289
TARGU_SECUIESC_SIRUTA = 63740


def owner_url(database: str = BENCH_DB) -> str:
    """The owner's (postgres) SQLAlchemy URL of ``database``."""
    return sa.engine.make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def app_url(database: str = BENCH_DB) -> str:
    """The application role's SQLAlchemy URL of ``database`` (RLS binds it)."""
    url = sa.engine.make_url(ADMIN_URL).set(database=database, username=rls.APP_ROLE, password=None)
    return url.render_as_string(hide_password=False)


def libpq(url: str) -> str:
    """A SQLAlchemy URL as a libpq connection string for psycopg."""
    parsed = sa.engine.make_url(url)
    parts = {
        "host": parsed.host or "127.0.0.1",
        "port": str(parsed.port or 5432),
        "dbname": parsed.database or "postgres",
        "user": parsed.username or "postgres",
    }
    if parsed.password:
        parts["password"] = str(parsed.password)
    return " ".join(f"{k}={v}" for k, v in parts.items())


def require_postgres() -> None:
    """Exit with a clear message (status 2) when PostgreSQL is not reachable."""
    import psycopg

    try:
        with psycopg.connect(libpq(ADMIN_URL), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        where = sa.engine.make_url(ADMIN_URL).render_as_string(hide_password=True)
        print(
            f"ERROR: PostgreSQL is not reachable at {where}: {str(exc).strip()}\n"
            "The benchmarks need a running PostgreSQL (127.0.0.1:5432, user postgres, trust authentication);\n"
            "start it or point VATRA_BENCH_PG at one.",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


def bench_config(database: str = BENCH_DB, **extra: Any) -> dict[str, Any]:
    """The configuration of a platform app on the bench database, as the application role."""
    return {
        "DATABASE_URL": app_url(database),
        "DATABASE_OWNER_URL": owner_url(database),
        "SECRET_KEY": SECRET_KEY,
        "REDIS_URL": None,
        "VATRA_FILES": str(ROOT / "instance" / "bench-files"),
        **extra,
    }


def human_mb(size: int) -> str:
    """Bytes as MB with one decimal."""
    return f"{size / 1024 / 1024:.1f}"
