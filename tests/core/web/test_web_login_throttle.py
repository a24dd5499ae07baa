"""Sign-in throttle: failures per (account, address) and, more loosely, per address; successes never count."""

from __future__ import annotations

import pytest

from core.testing import TEST_PASSWORD


def _attempt(client, page_csrf, email: str, password: str, address: str = "10.0.0.1"):
    token = page_csrf(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_six_good_sign_ins_from_one_address_are_never_throttled(app, place, make_user, page_csrf):
    assert app.config["LOGIN_RATE_LIMIT"] == "5 per minute"
    people = [place.admin] + [make_user(place.locality) for _ in range(2)]
    answers = [_attempt(app.test_client(), page_csrf, people[i % 3].email, TEST_PASSWORD).status_code
               for i in range(8)]
    assert answers == [302] * 8


def test_repeated_failures_for_one_account_are_throttled_there_only(app, place, make_user, page_csrf):
    colleague = make_user(place.locality)
    client = app.test_client()
    failures = [_attempt(client, page_csrf, place.admin.email, "gresit-gresit").status_code for _ in range(5)]
    assert failures == [200] * 5
    assert _attempt(client, page_csrf, place.admin.email, "gresit-gresit").status_code == 429
    assert _attempt(client, page_csrf, place.admin.email, TEST_PASSWORD).status_code == 429
    # a colleague behind the same address, and the account from another address, are not locked out
    assert _attempt(app.test_client(), page_csrf, colleague.email, TEST_PASSWORD).status_code == 302
    assert _attempt(app.test_client(), page_csrf, place.admin.email, TEST_PASSWORD, "10.0.0.2").status_code == 302


@pytest.mark.config(LOGIN_ADDRESS_RATE_LIMIT="8 per minute")
def test_failures_over_many_accounts_from_one_address_are_throttled_more_loosely(app, place, page_csrf):
    client = app.test_client()
    answers = [_attempt(client, page_csrf, f"nimeni{i}@nicaieri.ro", "gresit-gresit").status_code for i in range(9)]
    assert answers == [200] * 8 + [429]
    other = _attempt(app.test_client(), page_csrf, place.admin.email, TEST_PASSWORD, "10.0.0.9")
    assert other.status_code == 302
