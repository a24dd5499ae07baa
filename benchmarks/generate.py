"""A deterministic synthetic national dataset on PostgreSQL, for the benchmarks.

    .venv/bin/python benchmarks/generate.py [--workers 2] [--localities N]

Drops and recreates the ``vatra_bench`` database (see :mod:`common`), builds
the schema with the real migrations and Row-Level Security
(``core.migrations.upgrade()`` as the owner; the app connects as ``vatra_app``),
then writes, through the ORM so the audit listener chains every row:

* the SIRUTA catalog (42 counties, 3,181 UATs, 6 sectors), every unit
  activated through the platform's own service;
* for every locality, in one transaction of its own: a council of 5–9
  members, the 2026 prevention plan shaped like the seed (8 objectives,
  14 activities, 18 indicators with catalog codes, 4 quarterly values each)
  moved along the approval chain to a status drawn for it;
* users: a coordinator per county, a tenant admin and a social worker per
  locality, the platform operator;
* 10 counties (Olt and 9 drawn) with a PIN-like project for 2026: 20
  localities, 40 budget lines, 2,000 expenditures, the seed's activities,
  results and indicators, progress recorded per locality.

Everything is drawn from ``random.Random`` seeded per unit (by SIRUTA code),
so the content is the same at every run and for any ``--workers``; only
surrogate ids and timestamps differ. Prints the rows per table and the size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import sqlalchemy as sa
from flask import Flask

from core import rls
from core.app import create_app
from core.audit import Actor, acting_as
from core.auth.models import Membership, Role, User
from core.auth.passwords import hash_password
from core.db import db, utcnow
from core.tenancy import system_context, tenant_context
from plugins.pin_project import services as pin
from plugins.pin_project.demo import seed_data as pin_seed
from plugins.pin_project.models import BudgetLine, Expenditure, ProgressEntry, ProjectStatus
from plugins.prevention_plan import services as plans
from plugins.prevention_plan.models import IndicatorValue, PlanStatus
from tenants import catalog
from tenants import services as tenant_services
from tenants.models import Council, CouncilMeeting, CouncilMember, CouncilRole, Tenant, TenantKind

ACTOR = Actor(label="benchmark generator")
PIN_COUNTIES = 10
PIN_LOCALITIES = 20
BUDGET_LINES = 40
EXPENDITURES = 2000
CHUNK = 40

FIRST_NAMES = (
    "Ana", "Maria", "Elena", "Ioana", "Andreea", "Mihaela", "Cristina", "Gabriela", "Ildikó", "Erzsébet",
    "Ion", "Gheorghe", "Vasile", "Constantin", "Mihai", "Andrei", "Alexandru", "Dan", "Attila", "Zoltán",
)  # fmt: skip
LAST_NAMES = (
    "Popescu", "Ionescu", "Popa", "Constantin", "Stan", "Dumitru", "Stoica", "Gheorghe", "Matei", "Ciobanu",
    "Rusu", "Munteanu", "Lazăr", "Marin", "Toma", "Florea", "Kovács", "Szabó", "Nagy", "Tóth",
)  # fmt: skip
INSTITUTIONS = (
    ("Primăria", "viceprimar"), ("Școala Gimnazială", "director"), ("Dispensarul uman", "medic de familie"),
    ("Postul de Poliție", "agent"), ("Parohia ortodoxă", "preot"), ("Consiliul local", "consilier local"),
    ("Asociația de părinți", "reprezentant"), ("Grădinița cu program normal", "educatoare"),
    ("Biblioteca comunală", "bibliotecar"),
)  # fmt: skip
STATUS_WEIGHTS = (
    (PlanStatus.DRAFT, 10), (PlanStatus.SUBMITTED, 15), (PlanStatus.ENDORSED, 35),
    (PlanStatus.APPROVED, 25), (PlanStatus.IN_IMPLEMENTATION, 15),
)  # fmt: skip
CHAIN = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.ENDORSED, PlanStatus.APPROVED,
         PlanStatus.IN_IMPLEMENTATION)  # fmt: skip
BUDGET_CATEGORIES = (
    "Cheltuieli de personal", "Formare", "Deplasări", "Materiale consumabile", "Tipărituri", "Echipamente IT",
    "Servicii de consultanță", "Închiriere săli", "Comunicare", "Audit",
)  # fmt: skip


def rng_for(*key: int) -> random.Random:
    """The random source of one unit: the same at every run, whatever process draws it."""
    return random.Random(common.SEED * 1_000_003 + sum(k * 7919**i for i, k in enumerate(key)))


def make_app() -> Flask:
    """A platform app on the bench database, as the application role."""
    return create_app(common.bench_config())


# -- the database -------------------------------------------------------------------------------


def recreate_database() -> None:
    """Drop and create the bench database and the application role."""
    admin = sa.create_engine(common.ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{common.BENCH_DB}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{common.BENCH_DB}" OWNER postgres')
        rls.ensure_app_role(conn)
    admin.dispose()


def migrate(app: Flask) -> None:
    """The real migrations, then RLS and grants (the migration environment installs them)."""
    from core.migrations import upgrade

    with app.app_context():
        upgrade()


# -- catalog, activation, users -------------------------------------------------------------------


def load_catalog(app: Flask) -> None:
    """The SIRUTA catalog and the counties activated (each locality is activated with its data)."""
    with app.app_context(), system_context(), acting_as(ACTOR):
        catalog.load_catalog()
        catalog.ensure_platform()
        db.session.commit()
        counties = db.session.execute(sa.select(Tenant).where(Tenant.kind == TenantKind.COUNTY)).scalars().all()
        for county in counties:
            tenant_services.activate(county)
        db.session.commit()


def create_users(app: Flask) -> int:
    """Platform operator, a coordinator per county, a tenant admin and a social worker per locality."""
    password_hash = hash_password(common.BENCH_PASSWORD)  # one argon2 hash for every synthetic account
    created = 0
    with app.app_context(), system_context(), acting_as(ACTOR):
        platform = catalog.ensure_platform()
        admin = User(email=common.PLATFORM_ADMIN, name="Operator benchmark", password_hash=password_hash)
        db.session.add(admin)
        db.session.flush()
        db.session.add(Membership(user_id=admin.id, tenant_id=platform.id, role=Role.PLATFORM_ADMIN))
        db.session.commit()
        created += 1
        counties = db.session.execute(
            sa.select(Tenant).where(Tenant.kind == TenantKind.COUNTY).order_by(Tenant.siruta)
        ).scalars().all()
        for county in counties:
            localities = db.session.execute(
                sa.select(Tenant).where(Tenant.parent_id == county.id).order_by(Tenant.siruta)
            ).scalars().all()
            people: list[tuple[Tenant, Role, str, str]] = [
                (county, Role.COUNTY_COORDINATOR, f"coordonator.{county.slug}", f"Coordonator {county.display_name}")
            ]
            for loc in localities:
                people.append((loc, Role.TENANT_ADMIN, f"admin.{loc.slug}", f"Administrator {loc.display_name}"))
                people.append((loc, Role.SOCIAL_WORKER, f"asistent.{loc.slug}", f"Asistent social {loc.display_name}"))
            users = [
                User(email=f"{login}@bench.vatra.test", name=name, password_hash=password_hash)
                for _t, _r, login, name in people
            ]
            db.session.add_all(users)
            db.session.flush()
            db.session.add_all(
                Membership(user_id=u.id, tenant_id=t.id, role=r)
                for u, (t, r, _l, _n) in zip(users, people, strict=True)
            )
            db.session.commit()
            created += len(users)
    return created


# -- one locality ---------------------------------------------------------------------------------


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _council(rng: random.Random) -> Council:
    established = _day(rng, dt.date(2024, 1, 15), dt.date(2025, 6, 30))
    council = Council(
        name="Consiliul Comunitar Consultativ",
        founding_decision_number=f"{rng.randint(1, 180)}/{established.year}",
        founding_decision_date=established,
        established_on=established,
        trained_on=_day(rng, dt.date(2025, 7, 1), dt.date(2025, 12, 15)) if rng.random() < 0.6 else None,
    )
    for position in range(1, rng.randint(5, 9) + 1):
        institution, function = rng.choice(INSTITUTIONS)
        role = CouncilRole.CHAIR if position == 1 else CouncilRole.SECRETARY if position == 2 else CouncilRole.MEMBER
        council.members.append(
            CouncilMember(
                position=position,
                name=_person(rng),
                role=role,
                function=function,
                institution=institution,
                valid_from=established,
                trained_on=council.trained_on if council.trained_on and rng.random() < 0.8 else None,
            )
        )
    for _ in range(rng.randint(0, 2)):
        council.meetings.append(
            CouncilMeeting(held_on=_day(rng, established, dt.date(2025, 12, 20)), topic="Ședință ordinară",
                           members_present=len(council.members) - rng.randint(0, 2))
        )
    return council


def _status(rng: random.Random) -> PlanStatus:
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    return rng.choices(statuses, weights)[0]


def _walk_chain(plan: Any, council: Council, target: PlanStatus, rng: random.Random) -> None:
    """Move the plan along the approval chain up to ``target``, with each step's documents."""
    reached = CHAIN.index(target)
    if reached >= 1:
        plans.transition(plan, PlanStatus.SUBMITTED)
    if reached >= 2:
        aviz_date = _day(rng, dt.date(2026, 1, 10), dt.date(2026, 3, 20))
        plans.transition(plan, PlanStatus.ENDORSED, {
            "aviz_number": str(rng.randint(1, 60)), "aviz_date": aviz_date,
            "members_present": [m.id for m in council.members[: max(3, len(council.members) - rng.randint(0, 2))]],
        })
    if reached >= 3:
        hcl_date = aviz_date + dt.timedelta(days=rng.randint(5, 40))
        plans.transition(plan, PlanStatus.APPROVED, {
            "hcl_number": str(rng.randint(1, 150)), "hcl_date": hcl_date,
            "referat_number": str(rng.randint(100, 9000)), "referat_date": hcl_date - dt.timedelta(days=7),
            "raport_number": str(rng.randint(100, 9000)), "raport_date": hcl_date - dt.timedelta(days=6),
        })
    if reached >= 4:
        plans.transition(plan, PlanStatus.IN_IMPLEMENTATION)


def fill_locality(tenant: Tenant, seed: dict[str, Any]) -> None:
    """One locality's council, plan, values and approval chain, then its activation; the caller commits."""
    rng = rng_for(tenant.siruta or tenant.id)
    content = seed if tenant.siruta == common.TARGU_SECUIESC_SIRUTA else plans.localise_content(
        seed, tenant, common.YEAR, from_seed=True
    )
    with tenant_context(tenant.id):
        council = _council(rng)
        db.session.add(council)
        db.session.flush()
        plan = plans.build_plan(content, common.YEAR)
        recorded = dt.datetime(common.YEAR, 4, 2, 9, 0, tzinfo=dt.UTC)
        db.session.add_all(
            IndicatorValue(
                plan_id=plan.id, indicator_id=indicator.id, year=common.YEAR, quarter=quarter,
                value=Decimal(rng.randint(0, 25)), recorded_at=recorded + dt.timedelta(days=91 * (quarter - 1)),
            )
            for indicator in plans.indicators_of(plan)
            for quarter in (1, 2, 3, 4)
        )
        db.session.flush()
        _walk_chain(plan, council, _status(rng), rng)
    # last, so the platform's audit chain (activation is a platform write) stays locked only briefly
    tenant_services.activate(tenant)


def fill_localities(tenant_ids: Sequence[int]) -> int:
    """Worker: every locality of ``tenant_ids``, one transaction each."""
    app = _worker_app()
    seed = plans.load_seed()
    with app.app_context(), acting_as(ACTOR):
        for tenant_id in tenant_ids:
            with system_context():
                tenant = db.session.get(Tenant, tenant_id)
            fill_locality(tenant, seed)
            db.session.commit()
        db.session.remove()
    return len(tenant_ids)


_APP: Flask | None = None


def _worker_app() -> Flask:
    global _APP
    if _APP is None:
        _APP = make_app()
    return _APP


# -- PIN-like projects ----------------------------------------------------------------------------


def fill_project(county: Tenant) -> None:
    """A PIN-like 2026 project of ``county``: seed structure, 20 localities, 40 lines, 2,000 expenditures."""
    rng = rng_for(county.siruta or county.id, 2)
    data = pin_seed()
    spec = data["project"]
    with tenant_context(county.id):
        programme = pin.create_programme(
            code=f"PIN 2/{common.YEAR}", name=data["programme"]["name"],
            funder_name="Autoritatea Națională pentru Protecția Drepturilor Copilului și Adopție",
            funder_acronym="ANPDCA",
        )
        lines_planned = [Decimal(rng.randint(40, 90) * 1000) for _ in range(BUDGET_LINES)]
        project = pin.create_project(
            programme,
            title=spec["title"].replace("județul Olt", county.display_name.replace("Județul", "județul")),
            purpose=spec["purpose"],
            budget_total=sum(lines_planned, Decimal(0)) + Decimal("50000.00"),
            start_date=dt.date(common.YEAR, 1, 1),
            end_date=dt.date(common.YEAR, 12, 31),
            period_text=f"ianuarie – decembrie {common.YEAR}",
            status=ProjectStatus.RUNNING,
        )
        for text in spec["objectives"]:
            pin.add_objective(project, text)
        for text in spec["target_groups"]:
            pin.add_target_group(project, text)
        with system_context():
            communes = db.session.execute(
                sa.select(Tenant.id).where(Tenant.parent_id == county.id).order_by(Tenant.siruta)
            ).scalars().all()
        chosen = sorted(rng.sample(list(communes), min(PIN_LOCALITIES, len(communes))))
        for position, locality_id in enumerate(chosen, start=1):
            pin.add_locality(project, locality_id, employs_staff=position <= 4, creates_council=True)
        for item in spec["activities"]:
            pin.add_activity(project, number=item["number"], title=item["title"], detail=item["detail"],
                             steps=item["steps"], planned_start=dt.date(common.YEAR, 1, 1),
                             planned_end=dt.date(common.YEAR, 12, 31))
        indicators = []
        for item in spec["results"]:
            result = pin.add_result(project, item["text"])
            for ind in item["indicators"]:
                indicators.append(pin.add_indicator(
                    result, code=ind["code"], label=ind["label"], unit=ind["unit"], comparator=ind["comparator"],
                    target=Decimal(ind["target"]), deliverable=ind["deliverable"], note=ind.get("note"),
                    breakdown=[(b["label"], Decimal(b["target"])) for b in ind["breakdown"]],
                ))
        lines = [
            BudgetLine(project_id=project.id, position=n, category=f"{n:02d}. {BUDGET_CATEGORIES[(n - 1) % 10]}",
                       planned_original=planned, planned=planned)
            for n, planned in enumerate(lines_planned, start=1)
        ]
        db.session.add_all(lines)
        db.session.flush()
        db.session.add_all(
            Expenditure(
                project_id=project.id, line_id=line.id,
                spent_on=_day(rng, dt.date(common.YEAR, 1, 5), dt.date(common.YEAR, 6, 30)),
                amount=Decimal(rng.randint(1000, 100000)) / 100,
                supplier=f"SC {rng.choice(LAST_NAMES)} SRL", document_number=f"F{rng.randint(1000, 99999)}",
                description="Cheltuială din bugetul proiectului",
            )
            for line in (rng.choice(lines) for _ in range(EXPENDITURES))
        )
        coded = [i for i in indicators if i.code in pin.CATALOG_CODES]
        db.session.add_all(
            ProgressEntry(
                indicator_id=indicator.id, locality_tenant_id=locality_id, value=Decimal(rng.randint(1, 12)),
                entry_date=_day(rng, dt.date(common.YEAR, 2, 1), dt.date(common.YEAR, 6, 30)),
                evidence="Proces-verbal", recorded_at=utcnow(),
            )
            for locality_id in chosen
            for indicator in coded
        )
        db.session.flush()


def fill_projects(app: Flask) -> list[str]:
    """Olt and 9 other counties drawn once, each in its own transaction."""
    with app.app_context(), acting_as(ACTOR):
        with system_context():
            counties = db.session.execute(
                sa.select(Tenant).where(Tenant.kind == TenantKind.COUNTY, Tenant.county_number != 40)
                .order_by(Tenant.siruta)
            ).scalars().all()
        olt = next(c for c in counties if c.siruta == common.OLT_SIRUTA)
        others = [c for c in counties if c is not olt]
        chosen = [olt, *sorted(rng_for(3).sample(others, PIN_COUNTIES - 1), key=lambda c: c.siruta)]
        for county in chosen:
            fill_project(county)
            db.session.commit()
        return [c.slug for c in chosen]


# -- the report -----------------------------------------------------------------------------------


def report() -> tuple[list[tuple[str, int]], int]:
    """``([(table, rows)], bytes)`` of the bench database, after VACUUM ANALYZE."""
    engine = sa.create_engine(common.owner_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
        tables = conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ).scalars().all()
        # table names come from the catalog of the database itself
        counts = [(t, int(conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar())) for t in tables]
        size = int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar())
    engine.dispose()
    return counts, size


def chunks(items: Sequence[int], size: int) -> Iterable[list[int]]:
    """``items`` in lists of ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="processes writing localities (default 2)")
    parser.add_argument("--localities", type=int, default=0,
                        help="fill only N localities (Târgu Secuiesc and Olt's first) — for trying the script")
    args = parser.parse_args(argv)
    common.require_postgres()
    t0 = time.perf_counter()
    steps: list[tuple[str, float]] = []

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps.append((name, now - since))
        print(f"  {name}: {now - since:.1f} s", flush=True)
        return now

    print(f"Recreating database {common.BENCH_DB} …", flush=True)
    recreate_database()
    app = make_app()
    migrate(app)
    t = step("schema (migrations + RLS)", t0)
    load_catalog(app)
    t = step("catalog loaded and activated", t)
    with app.app_context(), system_context():
        rows = db.session.execute(
            sa.select(Tenant.id, Tenant.siruta, Tenant.parent_id).where(Tenant.kind == TenantKind.LOCALITY)
            .order_by(Tenant.siruta)
        ).all()
        olt_id = db.session.execute(sa.select(Tenant.id).where(Tenant.siruta == common.OLT_SIRUTA)).scalar_one()
        db.session.remove()
        db.engine.dispose()
    ids = [r.id for r in rows]
    if args.localities:
        first = [r.id for r in rows if r.siruta == common.TARGU_SECUIESC_SIRUTA]
        first += [r.id for r in rows if r.parent_id == olt_id]
        ids = list(dict.fromkeys(first + ids))[: args.localities]
    done = 0
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for n in pool.map(fill_localities, chunks(ids, CHUNK)):
                done += n
                if done % 400 < CHUNK:
                    print(f"    {done}/{len(ids)} localities", flush=True)
    else:
        for part in chunks(ids, CHUNK):
            done += fill_localities(part)
    t = step(f"{len(ids)} localities (council, plan, values, approval chain)", t)
    users = create_users(app)
    t = step(f"{users} users", t)
    projects = fill_projects(app)
    t = step(f"PIN-like projects of {', '.join(projects)}", t)
    counts, size = report()
    step("VACUUM ANALYZE and counts", t)
    total = time.perf_counter() - t0
    print(f"\nDatabase {common.BENCH_DB}: {common.human_mb(size)} MB, generated in {total:.0f} s\n")
    print("| table | rows |\n| --- | ---: |")
    for table, n in counts:
        print(f"| {table} | {n:,} |")
    print(f"| **total** | **{sum(n for _, n in counts):,}** |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
