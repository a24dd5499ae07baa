"""The national catalog of counties and UATs (SIRUTA), loaded as tenants.

``tenants/data/siruta-uat.csv`` (see its README) holds the 42 counties
(including Bucharest), the 3,181 UATs and Bucharest's 6 sectors. Loading is
idempotent: units are matched by SIRUTA code, created or updated in a few
set-based statements; activation and settings are never touched.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from core.db import db, utcnow
from tenants.models import Tenant, TenantKind, UatType
from tenants.names import display_name, search_keys, short_name, slugify

CATALOG = Path(__file__).resolve().parent / "data" / "siruta-uat.csv"

# JUD number → the county's two-letter code (as on number plates)
COUNTY_CODES = {
    1: "AB", 2: "AR", 3: "AG", 4: "BC", 5: "BH", 6: "BN", 7: "BT", 8: "BV", 9: "BR", 10: "BZ",
    11: "CS", 12: "CJ", 13: "CT", 14: "CV", 15: "DB", 16: "DJ", 17: "GL", 18: "GJ", 19: "HR", 20: "HD",
    21: "IL", 22: "IS", 23: "IF", 24: "MM", 25: "MH", 26: "MS", 27: "NT", 28: "OT", 29: "PH", 30: "SM",
    31: "SJ", 32: "SB", 33: "SV", 34: "TR", 35: "TM", 36: "TL", 37: "VS", 38: "VL", 39: "VN", 40: "B",
    51: "CL", 52: "GR",
}  # fmt: skip

PLATFORM_SLUG = "platform"


@dataclass(frozen=True)
class Unit:
    """One row of the catalog."""

    siruta: int
    name: str
    county_number: int
    parent_siruta: int
    uat_type: int
    level: int

    @property
    def is_county(self) -> bool:
        return self.level == 1


def read_catalog(path: Path = CATALOG) -> Iterator[Unit]:
    """The units of the catalog file, validated."""
    with path.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh, delimiter=";"), start=2):
            try:
                unit = Unit(
                    siruta=int(row["SIRUTA"]),
                    name=row["DENLOC"].strip(),
                    county_number=int(row["JUD"]),
                    parent_siruta=int(row["SIRSUP"]),
                    uat_type=int(row["TIP"]),
                    level=int(row["NIV"]),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path.name}, line {n}: {exc}") from exc
            if unit.county_number not in COUNTY_CODES:
                raise ValueError(f"{path.name}, line {n}: unknown county number {unit.county_number}")
            yield unit


def county_display(unit: Unit) -> str:
    """"JUDEȚUL OLT" → "Județul Olt"; Bucharest keeps its name."""
    return display_name(unit.name)


def unit_slug(unit: Unit) -> str:
    """A stable URL slug: "olt" for a county, "targu-secuiesc-cv" for a locality."""
    code = COUNTY_CODES[unit.county_number].lower()
    if unit.is_county:
        base = slugify(short_name(unit.name))
        return base if unit.county_number != 40 else "bucuresti"
    if unit.uat_type == UatType.BUCHAREST:
        return "municipiul-bucuresti"
    return f"{slugify(short_name(unit.name))}-{code}"


@dataclass
class LoadReport:
    """What a catalog load did."""

    counties: int
    localities: int
    created: int
    updated: int


def ensure_platform() -> Tenant:
    """The platform tenant (operators), created on first use."""
    platform = db.session.execute(sa.select(Tenant).where(Tenant.kind == TenantKind.PLATFORM)).scalar_one_or_none()
    if platform is None:
        platform = Tenant(slug=PLATFORM_SLUG, kind=TenantKind.PLATFORM, active=True, activated_at=utcnow())
        platform.set_names("PLATFORMA VATRA", "Platforma Vatra")
        db.session.add(platform)
        db.session.flush()
    return platform


def load_catalog(path: Path = CATALOG) -> LoadReport:
    """Create or update every county and locality of the catalog (idempotent).

    Matching is by SIRUTA code; names, slugs, types and parents are refreshed,
    ``active`` and ``settings`` are left as the operators set them. The caller
    commits.
    """
    units = list(read_catalog(path))
    ensure_platform()
    existing = {
        row.siruta: row
        for row in db.session.execute(
            sa.select(Tenant.id, Tenant.siruta, Tenant.name, Tenant.slug, Tenant.parent_id, Tenant.uat_type)
        )
        if row.siruta is not None
    }
    table = Tenant.__table__
    now = utcnow()
    created = updated = 0

    def values(unit: Unit, parent_id: int | None) -> dict[str, object]:
        shown = county_display(unit) if unit.is_county else display_name(unit.name)
        key_a, key_i = search_keys(shown)
        return {
            "siruta": unit.siruta,
            "name": unit.name,
            "display_name": shown,
            "slug": unit_slug(unit),
            "kind": (TenantKind.COUNTY if unit.is_county else TenantKind.LOCALITY).value,
            "uat_type": unit.uat_type,
            "county_number": unit.county_number,
            "county_code": COUNTY_CODES[unit.county_number],
            "parent_id": parent_id,
            "search_key_a": key_a,
            "search_key_i": key_i,
        }

    def upsert(batch: list[tuple[Unit, int | None]]) -> None:
        nonlocal created, updated
        new_rows, changed_rows = [], []
        for unit, parent_id in batch:
            row = values(unit, parent_id)
            old = existing.get(unit.siruta)
            if old is None:
                new_rows.append({**row, "active": False, "settings": {}, "created_at": now, "updated_at": now})
            elif (old.name, old.slug, old.parent_id, old.uat_type) != (
                row["name"], row["slug"], row["parent_id"], row["uat_type"]
            ):
                changed_rows.append({**row, "b_id": old.id, "updated_at": now})
        if new_rows:
            db.session.execute(sa.insert(table), new_rows)
            created += len(new_rows)
        for changed in changed_rows:  # through the session, so each renamed or moved unit is audited
            values_ = {k: v for k, v in changed.items() if k != "b_id"}
            db.session.execute(sa.update(table).where(table.c.id == changed["b_id"]).values(values_))
            updated += 1

    counties = [u for u in units if u.is_county]
    upsert([(u, None) for u in counties])
    county_ids = dict(
        db.session.execute(sa.select(Tenant.county_number, Tenant.id).where(Tenant.kind == TenantKind.COUNTY)).all()
    )
    localities = [u for u in units if not u.is_county]
    upsert([(u, county_ids[u.county_number]) for u in localities])
    return LoadReport(counties=len(counties), localities=len(localities), created=created, updated=updated)
