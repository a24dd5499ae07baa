"""Results and indicators: breakdown consistency, progress, status against elapsed time, catalog hooks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core import tenancy
from core.contrib import Period
from core.db import db
from plugins.pin_project import plugin, services

from .conftest import END, START, make_project


def _indicators(olt, project_id):  # type: ignore[no-untyped-def]
    """councils (exactly 20), persons trained (at least 200 = 60 + 140), a manual (deliverable)."""
    with olt.scope():
        project = services.get_project(project_id)
        for loc in olt.localities:
            services.add_locality(project, loc.id, creates_council=True)
        result = services.add_result(project, "vor fi create și formate 20 de structuri comunitare consultative")
        councils = services.add_indicator(
            result, code="councils_created", label="consilii create", unit="structuri", comparator="exactly", target=20
        )
        trained = services.add_indicator(
            services.add_result(project, "cel puțin 200 de persoane vor beneficia de formare"),
            code="persons_trained",
            label="persoane formate",
            unit="persoane",
            comparator="at_least",
            target=200,
            breakdown=[("personal primării", 60), ("membri consilii", 140)],
        )
        manual = services.add_indicator(
            services.add_result(project, "un manual"),
            code="manual_printed",
            label="manual",
            unit="buc",
            comparator="exactly",
            target=1,
            deliverable=True,
        )
        db.session.commit()
        return councils.id, trained.id, manual.id


def _record(olt, project_id, indicator_id, day, value, **kwargs):  # type: ignore[no-untyped-def]
    with olt.scope():
        indicator = services.get_indicator(services.get_project(project_id), indicator_id)
        entry = services.record_progress(indicator, entry_date=day, value=Decimal(value), **kwargs)
        db.session.commit()
        return entry.id


def _statuses(olt, project_id, day):  # type: ignore[no-untyped-def]
    with olt.scope():
        return {
            s.indicator.code: (s.value, s.status, s.exceeds)
            for s in services.indicator_statuses(services.get_project(project_id), day)
        }


def test_a_breakdown_must_add_up_to_the_whole_target(olt):
    project_id = make_project(olt)
    with olt.scope():
        result = services.add_result(services.get_project(project_id), "rezultat")
        with pytest.raises(services.RuleViolation) as refused:
            services.add_indicator(result, label="persoane formate", target=200, breakdown=[("a", 60), ("b", 130)])
        assert refused.value.errors == {
            "breakdown": [
                "Părțile însumează 190, dar ținta indicatorului este 200; părțile trebuie să adune exact ținta."
            ]
        }
        indicator = services.add_indicator(
            result, label="persoane formate", target=200, breakdown=[("a", 60), ("b", 140)]
        )
        assert services.breakdown_consistent(indicator)
        # replacing the parts: checked again
        with pytest.raises(services.RuleViolation):
            services.set_breakdown(indicator, [("a", 100), ("b", 101)])
        services.set_breakdown(indicator, [("a", 100), ("b", 50), ("c", 50)])
        assert [(p.label, p.target) for p in indicator.breakdown] == [
            ("a", Decimal(100)),
            ("b", Decimal(50)),
            ("c", Decimal(50)),
        ]
        # a new target alone would break the parts...
        with pytest.raises(services.RuleViolation) as refused:
            services.update_indicator(indicator, {"target": Decimal(250)})
        assert refused.value.field == "target"
        # ...sent together with new parts it is fine
        services.update_indicator(
            indicator,
            {
                "target": Decimal(250),
                "breakdown": [{"label": "a", "target": Decimal(90)}, {"label": "b", "target": Decimal(160)}],
            },
        )
        assert indicator.target == Decimal(250) and len(indicator.breakdown) == 2
        assert services.breakdown_consistent(indicator)
        services.set_breakdown(indicator, [])  # no breakdown at all is consistent too
        assert services.breakdown_consistent(indicator)


def test_status_at_several_dates_follows_the_elapsed_time(olt):
    project_id = make_project(olt)
    councils, trained, manual = _indicators(olt, project_id)
    # 426 days from 1 Nov 2008 to 31 Dec 2009; 30 Apr 2009 is day 181 (elapsed 42.5 %)
    _record(olt, project_id, councils, dt.date(2009, 2, 1), 5)
    _record(olt, project_id, councils, dt.date(2009, 4, 1), 4)  # 9/20 = 45 %
    _record(olt, project_id, trained, dt.date(2009, 3, 1), 60)  # 60/200 = 30 %

    before = _statuses(olt, project_id, dt.date(2008, 10, 1))
    assert before == {
        "councils_created": (Decimal(0), "on_track", False),
        "persons_trained": (Decimal(0), "on_track", False),
        "manual_printed": (Decimal(0), "on_track", False),
    }
    april = _statuses(olt, project_id, dt.date(2009, 4, 30))
    assert april["councils_created"] == (Decimal(9), "on_track", False)  # 45 % ≥ 42.5 %
    assert april["persons_trained"] == (Decimal(60), "at_risk", False)  # 30 % ≥ 0.7 × 42.5 % = 29.7 %
    assert april["manual_printed"] == (Decimal(0), "behind", False)
    with olt.scope():
        assert services.elapsed_fraction(START, END, dt.date(2009, 4, 30)) == Decimal(181) / Decimal(426)

    june = _statuses(olt, project_id, dt.date(2009, 6, 30))  # elapsed 242/426 = 56.8 %
    assert june["councils_created"][1] == "at_risk"  # 45 % ≥ 39.8 %
    assert june["persons_trained"][1] == "behind"  # 30 % < 39.8 %

    _record(olt, project_id, councils, dt.date(2009, 9, 1), 11)
    _record(olt, project_id, trained, dt.date(2009, 10, 1), 150)
    with olt.scope():
        manual_ind = services.get_indicator(services.get_project(project_id), manual)
        services.update_indicator(manual_ind, {"delivered_on": dt.date(2009, 11, 15)})
        db.session.commit()
    end = _statuses(olt, project_id, END)
    assert end["councils_created"] == (Decimal(20), "achieved", False)
    assert end["persons_trained"] == (Decimal(210), "achieved", False)  # at least 200
    assert end["manual_printed"] == (Decimal(1), "achieved", False)  # printed
    assert _statuses(olt, project_id, dt.date(2009, 11, 14))["manual_printed"][1] == "behind"  # not yet printed

    _record(olt, project_id, councils, dt.date(2009, 12, 1), 1)  # 21 councils: exactly 20 was the target
    assert _statuses(olt, project_id, END)["councils_created"] == (Decimal(21), "achieved", True)


def test_classify_thresholds():
    half = Decimal("0.5")
    assert services.classify(Decimal(50), Decimal(100), "at_least", half) == ("on_track", False)
    assert services.classify(Decimal(35), Decimal(100), "at_least", half) == ("at_risk", False)
    assert services.classify(Decimal("34.99"), Decimal(100), "at_least", half) == ("behind", False)
    assert services.classify(Decimal(100), Decimal(100), "exactly", Decimal(1)) == ("achieved", False)
    assert services.classify(Decimal(99), Decimal(100), "exactly", Decimal(1)) == ("at_risk", False)
    assert services.classify(Decimal(0), Decimal(0), "at_least", Decimal(1)) == ("achieved", False)


def test_progress_per_part_and_per_locality(olt):
    project_id = make_project(olt)
    _, trained, _ = _indicators(olt, project_id)
    with olt.scope():
        indicator = services.get_indicator(services.get_project(project_id), trained)
        staff_part, members_part = (p.id for p in indicator.breakdown)
    loc = olt.localities[0].id
    _record(olt, project_id, trained, dt.date(2009, 3, 1), 25, part_id=staff_part, locality_tenant_id=loc)
    _record(olt, project_id, trained, dt.date(2009, 3, 2), 35, part_id=members_part)
    _record(olt, project_id, trained, dt.date(2009, 3, 3), 5)
    with olt.scope():
        [status] = [
            s for s in services.indicator_statuses(services.get_project(project_id), END) if s.indicator.id == trained
        ]
    assert status.value == Decimal(65)
    assert [(p.label, p.target, p.value) for p in status.parts] == [
        ("personal primării", Decimal(60), Decimal(25)),
        ("membri consilii", Decimal(140), Decimal(35)),
    ]
    # a locality outside the project, or a part of another indicator, is refused
    with pytest.raises(services.RuleViolation) as refused:
        _record(olt, project_id, trained, dt.date(2009, 3, 1), 1, locality_tenant_id=olt.stranger_locality.id)
    assert refused.value.field == "locality_tenant_id"
    with pytest.raises(services.RuleViolation) as refused:
        _record(olt, project_id, trained, dt.date(2009, 3, 1), 1, part_id=staff_part + 1000)
    assert refused.value.field == "part_id"
    with pytest.raises(services.RuleViolation):
        _record(olt, project_id, trained, dt.date(2009, 3, 1), -1)


def test_a_locality_must_be_a_locality_of_the_owner_county(olt):
    project_id = make_project(olt)
    with olt.scope():
        project = services.get_project(project_id)
        link = services.add_locality(project, olt.localities[0].id, employs_staff=True)
        assert services.locality_roles(link) == ["angajează personal"]
        for wrong in (olt.stranger_locality.id, olt.other_county.id, olt.county.id, 999_999):
            with pytest.raises(services.RuleViolation) as refused:
                services.add_locality(project, wrong)
            assert refused.value.field == "locality_tenant_id"
        with pytest.raises(services.RuleViolation, match="deja"):
            services.add_locality(project, olt.localities[0].id)


def test_catalog_declares_the_plugins_indicators():
    catalog = {d.code: d for d in plugin.vatra_indicator_catalog()}
    assert set(catalog) == {
        "councils_created",
        "councils_trained",
        "persons_trained",
        "service_plans",
        "staff_employed",
        "workshop_participants",
    }
    assert catalog["service_plans"].sensitive is True
    assert not any(d.sensitive for code, d in catalog.items() if code != "service_plans")
    assert all(d.aggregation == "sum" for d in catalog.values())


def test_indicator_values_are_attributed_to_the_localities_in_one_query(olt):
    project_id = make_project(olt)
    councils, trained, _ = _indicators(olt, project_id)
    a, b, c, _d = (loc.id for loc in olt.localities)
    _record(olt, project_id, councils, dt.date(2009, 2, 1), 1, locality_tenant_id=a)
    _record(olt, project_id, councils, dt.date(2009, 5, 1), 1, locality_tenant_id=b)
    _record(olt, project_id, trained, dt.date(2009, 2, 10), 12, locality_tenant_id=a)
    _record(olt, project_id, trained, dt.date(2009, 2, 11), 3, locality_tenant_id=a)
    _record(olt, project_id, trained, dt.date(2009, 2, 12), 7)  # no locality: the county's own
    _record(olt, project_id, trained, dt.date(2010, 2, 12), 100, locality_tenant_id=c)  # another year
    county = olt.county.id
    with olt.app.app_context(), tenancy.read_scope([county, a, b, c]):
        year = plugin.vatra_indicator_values(tenant_ids=[a, b, c, county], period=Period(2009))
        q1 = plugin.vatra_indicator_values(tenant_ids=[a, b, c, county], period=Period(2009, 1))
        only_b = plugin.vatra_indicator_values(tenant_ids=[b], period=Period(2009))
    assert {(v.tenant_id, v.code): v.value for v in year} == {
        (a, "councils_created"): Decimal(1),
        (b, "councils_created"): Decimal(1),
        (a, "persons_trained"): Decimal(15),
        (county, "persons_trained"): Decimal(7),
    }
    assert {(v.tenant_id, v.code): (v.value, v.count) for v in q1} == {
        (a, "councils_created"): (Decimal(1), 1),
        (a, "persons_trained"): (Decimal(15), 2),
        (county, "persons_trained"): (Decimal(7), 1),
    }
    assert [(v.tenant_id, v.code) for v in only_b] == [(b, "councils_created")]
    # without the county in the read scope its rows stay invisible
    with olt.app.app_context(), tenancy.read_scope([a, b]):
        assert plugin.vatra_indicator_values(tenant_ids=[a, b], period=Period(2009)) == []


def test_locality_status_lists_the_projects_and_roles(olt):
    project_id = make_project(olt)
    a, b, c, _d = (loc.id for loc in olt.localities)
    with olt.scope():
        project = services.get_project(project_id)
        services.add_locality(project, a, employs_staff=True, creates_council=True)
        services.add_locality(project, b, creates_council=True)
        db.session.commit()
    with olt.app.app_context(), tenancy.read_scope([olt.county.id, a, b, c]):
        status = plugin.vatra_locality_status(tenant_ids=[a, b, c], year=2009)
        later = plugin.vatra_locality_status(tenant_ids=[a, b, c], year=2011)
        before = plugin.vatra_locality_status(tenant_ids=[a, b, c], year=2007)
    assert set(status) == {a, b}
    assert status[a]["pin_projects"] == [
        {
            "project_id": project_id,
            "title": "Proiect de test",
            "employs_staff": True,
            "creates_council": True,
            "roles": ["angajează personal", "înființează consiliu comunitar consultativ"],
            "running": True,
        }
    ]
    assert status[b]["pin_summary"] == "Proiect de test (înființează consiliu comunitar consultativ)"
    # a finished project stays listed (its councils outlive it); one not yet started is not
    assert set(later) == {a, b} and later[a]["pin_projects"][0]["running"] is False
    assert before == {}
