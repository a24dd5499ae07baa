"""The load test, shortened for CI: 20 clients for 15 s (``make load`` runs 50 clients for 60 s).

``scripts/load_test.py`` makes its own database on the machine's PostgreSQL
(migrations, demo, 20 tenants), runs gunicorn with 2 workers as the
non-owner role, and checks afterwards that every acknowledged write is in the
database and in the audit log and that ``vatra audit verify`` passes.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest
import sqlalchemy as sa
from faults_testing import REPO

from core.testing import PG_ADMIN_URL, service_missing

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.postgres]


def _load_script():
    spec = importlib.util.spec_from_file_location("vatra_load_test", REPO / "scripts" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_twenty_clients_for_fifteen_seconds_no_5xx_and_every_write_kept():
    admin_url = sa.engine.make_url(PG_ADMIN_URL).set(database="postgres").render_as_string(hide_password=False)
    engine = sa.create_engine(admin_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        service_missing("PostgreSQL")
    finally:
        engine.dispose()
    load = _load_script()
    report = load.run(clients=20, duration=15, tenants=20, workers=2, threads=4, pg=admin_url)
    print("\n" + report.text(2, 4, 20))
    assert report.server_errors == 0 and report.connection_errors == 0, report.statuses
    assert report.problems == []
    assert report.audit_ok, report.audit_output
    assert report.requests > 100 and sum(report.acknowledged.values()) > 20
