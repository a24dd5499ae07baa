"""The approval chain refuses, on the field, what a town hall must not record: blank numbers, future or
out-of-order documents, an empty plan before the council; the aviz form says everything in one pass."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.auth.models import Role
from core.db import db
from plugins.prevention_plan import services
from plugins.prevention_plan.chain_checks import romanian_today
from plugins.prevention_plan.models import PlanStatus
from plugins.prevention_plan.services import InvalidInputError

from .conftest import post_form
from .test_services import draft, step_fields, walk

S = PlanStatus
TOMORROW = romanian_today() + dt.timedelta(days=1)


def _refused(plan, target, fields) -> dict[str, list[str]]:
    with pytest.raises(InvalidInputError) as refused:
        services.transition(plan, target, fields)
    return refused.value.errors


def test_document_numbers_of_spaces_are_refused(town):
    with town.scope():
        plan = walk(draft(town), S.SUBMITTED)
        errors = _refused(plan, S.ENDORSED, step_fields(S.ENDORSED) | {"aviz_number": "   "})
        assert errors == {"aviz_number": ["Numărul documentului nu poate fi format doar din spații."]}
        services.transition(plan, S.ENDORSED, step_fields(S.ENDORSED))
        errors = _refused(plan, S.APPROVED, step_fields(S.APPROVED) | {"hcl_number": " ", "referat_number": "\t "})
        assert set(errors) == {"hcl_number", "referat_number"}  # a plan "approved by HCL" with no number
        assert plan.status == S.ENDORSED


def test_documents_dated_in_the_future_are_refused(town):
    with town.scope():
        plan = draft(town)
        errors = _refused(plan, S.SUBMITTED, {"submitted_on": TOMORROW})
        assert errors == {"submitted_on": ["Data nu poate fi în viitor."]}
        walk(plan, S.SUBMITTED)
        assert "Data nu poate fi în viitor." in _refused(plan, S.ENDORSED, step_fields(S.ENDORSED) | {
            "aviz_date": TOMORROW})["aviz_date"]
        services.transition(plan, S.ENDORSED, step_fields(S.ENDORSED))
        errors = _refused(plan, S.APPROVED, step_fields(S.APPROVED) | {"hcl_date": TOMORROW})
        assert errors == {"hcl_date": ["Data nu poate fi în viitor."]}


def test_documents_out_of_order_are_refused(town):
    with town.scope():
        plan = draft(town)
        services.transition(plan, S.SUBMITTED, {"submitted_on": dt.date(2026, 1, 25)})
        errors = _refused(plan, S.ENDORSED, step_fields(S.ENDORSED))  # the aviz of 20 January precedes it
        assert errors == {"aviz_date": ["Avizul nu poate fi anterior transmiterii planului către consiliu."]}
        services.transition(plan, S.ENDORSED, step_fields(S.ENDORSED) | {"aviz_date": dt.date(2026, 1, 25)})
        errors = _refused(plan, S.APPROVED, step_fields(S.APPROVED) | {
            "raport_date": dt.date(2026, 1, 24),  # before the aviz
            "referat_date": dt.date(2026, 2, 27),  # after the HCL
        })
        assert errors == {
            "raport_date": ["Raportul de specialitate nu poate fi anterior avizului consiliului."],
            "referat_date": ["Documentul trebuie să fie anterior HCL."],
        }
        record = services.transition(plan, S.APPROVED, step_fields(S.APPROVED))
        assert record.hcl_date == dt.date(2026, 2, 26)


def test_a_plan_without_objective_activity_or_indicator_does_not_reach_the_council(town):
    with town.scope():
        empty = services.create_plan(2029)
        assert _refused(empty, S.SUBMITTED, {}) == {"plan": [
            "Planul nu poate fi transmis consiliului fără niciun obiectiv strategic.",
            "Planul nu poate fi transmis consiliului fără nicio activitate.",
            "Planul nu poate fi transmis consiliului fără niciun indicator.",
        ]}
        activity = services.add_activity(services.add_objective(empty, "Prevenire"), "Consiliere")
        assert _refused(empty, S.SUBMITTED, {}) == {"plan": [
            "Planul nu poate fi transmis consiliului fără niciun indicator."]}
        services.add_indicator(activity, {"label": "Număr persoane consiliate"})
        services.transition(empty, S.SUBMITTED, {})
        assert empty.status == S.SUBMITTED


def _submitted(town) -> int:
    with town.scope():
        plan = walk(draft(town), S.SUBMITTED)
        db.session.commit()
        return plan.id


def test_the_aviz_form_reports_every_error_in_one_pass_on_its_fields(town):
    plan_id = _submitted(town)
    secretary = town.client(Role.COUNCIL_MEMBER)
    url = town.page(f"/{plan_id}/transition/endorsed")
    r = post_form(secretary, url, {"aviz_number": "   ", "aviz_date": "31.02.2026"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for field in ("aviz_number", "aviz_date"):
        assert re.search(rf'id="{field}-error"', html), field
    assert "doar din spații" in html
    assert "Câmp obligatoriu pentru acest pas." in html  # the members, in the same answer as the date
    r = post_form(secretary, url, {"aviz_number": "5", "aviz_date": TOMORROW.isoformat(), "members_present": []})
    # refused on the field (the form's document-date range, 2000-01-01 … today, says it first)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and re.search(r'id="aviz_date-error">[^<]*(în viitor|trebuie să fie între)', html)
    with town.scope():
        assert services.get_plan(plan_id).status == S.SUBMITTED


def test_an_empty_plan_cannot_be_sent_to_the_council_from_the_page(town):
    with town.scope():
        plan = services.create_plan(2029)
        db.session.commit()
        plan_id = plan.id
    r = post_form(town.client(), town.page(f"/{plan_id}/transition/submitted"), {})
    assert r.status_code == 422
    assert "fără niciun obiectiv strategic" in r.get_data(as_text=True)
    with town.scope():
        assert services.get_plan(plan_id).status == S.DRAFT
