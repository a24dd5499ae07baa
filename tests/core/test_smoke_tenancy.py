"""Tenancy walls: the ORM filter and PostgreSQL RLS."""

from __future__ import annotations

import sqlalchemy as sa

from core import tenancy
from core.db import db
from tenants.models import Council


def test_orm_filters_councils_by_tenant(any_app, make_tenant):
    a, b = make_tenant(), make_tenant()
    with any_app.app_context():
        for t in (a, b):
            with tenancy.tenant_context(t.id):
                db.session.add(Council(name=f"CCC {t.slug}"))
                db.session.commit()
        with tenancy.tenant_context(a.id):
            names = db.session.execute(sa.select(Council.name)).scalars().all()
        assert names == [f"CCC {a.slug}"]
