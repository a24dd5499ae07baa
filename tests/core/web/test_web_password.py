"""Changing one's own password: checks, field errors, throttling, audit without the hash."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.auth.models import User
from core.auth.passwords import MIN_PASSWORD_LENGTH, verify_password
from core.db import db
from core.testing import TEST_PASSWORD, login

URL = "/account/password"
NEW_PASSWORD = "o-parola-noua-lunga"


def _change(post_form, client, current: str, new: str, repeat: str | None = None, **kwargs):
    data = {"current_password": current, "new_password": new, "new_password_repeat": new if repeat is None else repeat}
    return post_form(client, URL, data, **kwargs)


def _stored_hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def _user_entries(app, user_id: int, action: str) -> list[AuditEntry]:
    with app.app_context():
        query = sa.select(AuditEntry).where(
            AuditEntry.entity == "user_account", AuditEntry.entity_id == str(user_id), AuditEntry.action == action
        )
        return list(db.session.execute(query).scalars())


def _sign_in(app, page_csrf, email: str, password: str) -> int:
    client = app.test_client()
    token = page_csrf(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code


def test_the_page_has_the_three_fields_and_is_linked_from_the_layout(admin_client):
    response = admin_client.get(URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="csrf_token"' in html
    for name in ("current_password", "new_password", "new_password_repeat"):
        assert f'name="{name}"' in html
    assert 'autocomplete="new-password"' in html and 'autocomplete="current-password"' in html
    assert f'href="{URL}"' in admin_client.get("/t/targu-secuiesc/").get_data(as_text=True)


def test_an_anonymous_visitor_is_sent_to_login(client, post_form):
    for response in (client.get(URL), _change(post_form, client, TEST_PASSWORD, NEW_PASSWORD)):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_a_good_change_stores_a_new_hash_and_the_new_password_signs_in(app, place, admin_client, post_form,
                                                                       page_csrf):
    before = _stored_hash(app, place.admin.id)
    response = _change(post_form, admin_client, TEST_PASSWORD, NEW_PASSWORD, follow_redirects=True)
    assert response.status_code == 200
    assert "Parola a fost schimbată." in response.get_data(as_text=True)
    after = _stored_hash(app, place.admin.id)
    assert after != before and after.startswith("$argon2id$")
    assert verify_password(after, NEW_PASSWORD)
    assert _sign_in(app, page_csrf, place.admin.email, TEST_PASSWORD) == 200  # the old one no longer works
    assert _sign_in(app, page_csrf, place.admin.email, NEW_PASSWORD) == 302


def test_a_change_signs_out_the_user_s_other_sessions_and_keeps_this_one(app, place, admin_client, post_form):
    elsewhere = login(app.test_client(), place.admin)  # the same person on another computer
    home = "/t/targu-secuiesc/"
    assert elsewhere.get(home).status_code == 200

    assert _change(post_form, admin_client, TEST_PASSWORD, NEW_PASSWORD).status_code == 302

    assert admin_client.get(home).status_code == 200
    signed_out = elsewhere.get(home)
    assert signed_out.status_code == 302 and signed_out.headers["Location"].startswith("/login")


def test_the_change_is_audited_without_the_hash(app, place, admin_client, post_form):
    assert _change(post_form, admin_client, TEST_PASSWORD, NEW_PASSWORD).status_code == 302
    entries = _user_entries(app, place.admin.id, "update")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_user_id == place.admin.id
    assert entry.changed["password_hash"] == ["***", "***"]
    stored = _stored_hash(app, place.admin.id)
    assert stored not in entry.changes and "$argon2" not in entry.changes
    assert NEW_PASSWORD not in entry.changes and TEST_PASSWORD not in entry.changes


def test_guessing_from_many_addresses_is_throttled_per_user(app, place, admin_client, post_form):
    codes = [
        _change(post_form, admin_client, f"gresita-{i}", NEW_PASSWORD,
                environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"}).status_code
        for i in range(6)
    ]
    assert codes == [422] * 5 + [429]


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("gresita-de-tot", NEW_PASSWORD, None, "current_password", "Parola actuală nu este corectă."),
        (TEST_PASSWORD, "scurta", None, "new_password", f"între {MIN_PASSWORD_LENGTH} și"),
        (TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "new_password_repeat", "nu sunt identice"),
        (TEST_PASSWORD, TEST_PASSWORD, None, "new_password", "diferită de cea actuală"),
        ("", NEW_PASSWORD, None, "current_password", ""),
    ],
)
def test_a_refused_change_shows_the_field_error_and_keeps_the_password(
    app, place, admin_client, post_form, current, new, repeat, field, message
):
    before = _stored_hash(app, place.admin.id)
    response = _change(post_form, admin_client, current, new, repeat)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert message in html
    assert new not in html  # a password is never printed back
    assert _stored_hash(app, place.admin.id) == before
    assert _user_entries(app, place.admin.id, "update") == []


def test_a_wrong_current_password_is_audited_without_what_was_typed(app, place, admin_client, post_form):
    _change(post_form, admin_client, "gresita-de-tot", NEW_PASSWORD)
    failed = _user_entries(app, place.admin.id, "password_change_failed")
    assert len(failed) == 1
    assert "gresita-de-tot" not in failed[0].changes and NEW_PASSWORD not in failed[0].changes


def test_the_sixth_post_in_a_minute_answers_429(app, place, admin_client, post_form):
    codes = [_change(post_form, admin_client, f"gresita-{i}", NEW_PASSWORD).status_code for i in range(6)]
    assert codes == [422] * 5 + [429]
    assert _change(post_form, admin_client, TEST_PASSWORD, NEW_PASSWORD).status_code == 429  # even the right one
    assert admin_client.get(URL).status_code == 200  # reading the form is not throttled
    assert verify_password(_stored_hash(app, place.admin.id), TEST_PASSWORD)


@pytest.mark.parametrize(
    ("lang", "title", "error"),
    [
        ("hu", "Jelszó módosítása", "A jelenlegi jelszó nem helyes."),
        ("en", "Change password", "The current password is not correct."),
    ],
)
def test_the_page_and_its_errors_speak_the_chosen_language(admin_client, post_form, lang, title, error):
    assert title in admin_client.get(URL, query_string={"lang": lang}).get_data(as_text=True)
    html = _change(post_form, admin_client, "gresita-de-tot", NEW_PASSWORD).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and error in html
