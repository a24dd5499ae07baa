"""Lost passwords by e-mail link, against a real SMTP server (aiosmtpd on 127.0.0.1), and the operator's CLI."""

from __future__ import annotations

import email
import re
import socket
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from core.auth import resets
from core.auth.models import User
from core.db import db
from core.testing import TEST_PASSWORD

NEW_PASSWORD = "parola-din-legatura-1"


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait(self, count: int, timeout: float = 5) -> list[email.message.Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(app) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 and the app configured to send through it."""
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="vatra@primaria.ro")
    yield handler
    controller.stop()


def _body(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def _ask(app, page_csrf, address: str):
    client = app.test_client()
    token = page_csrf(client, "/account/forgot")
    return client.post("/account/forgot", data={"email": address, "csrf_token": token})


def _can_sign_in(app, page_csrf, address: str, password: str) -> bool:
    client = app.test_client()
    token = page_csrf(client, "/login")
    return client.post("/login", data={"email": address, "password": password, "csrf_token": token}).status_code == 302


def test_a_lost_password_is_reset_by_a_single_use_e_mailed_link(app, place, inbox, page_csrf):
    known = _ask(app, page_csrf, place.admin.email.upper())
    unknown = _ask(app, page_csrf, "nimeni@nicaieri.ro")
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location) == (302, "/login")
    assert len(inbox.wait(1)) == 1
    time.sleep(0.3)
    assert len(inbox.messages) == 1, "nothing is sent to an address without an account"
    message = inbox.messages[0]
    assert message["To"] == place.admin.email and message["From"] == "vatra@primaria.ro"
    path = re.search(r"http://localhost(/account/reset/\S+)", _body(message)).group(1)

    holder = app.test_client()
    token = page_csrf(holder, path)
    mismatch = holder.post(path, data={"new_password": NEW_PASSWORD, "new_password_repeat": "altceva-altceva",
                                       "csrf_token": token})
    assert mismatch.status_code == 422
    done = holder.post(path, data={"new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD,
                                   "csrf_token": token})
    assert done.status_code == 302
    assert _can_sign_in(app, page_csrf, place.admin.email, NEW_PASSWORD)
    assert not _can_sign_in(app, page_csrf, place.admin.email, TEST_PASSWORD)
    assert holder.get(path).status_code == 404, "the link works once"


def test_a_password_link_expires_after_an_hour(app, place, monkeypatch):
    with app.app_context():
        user = db.session.get(User, place.admin.id)
        real = time.time
        with monkeypatch.context() as patched:
            patched.setattr(time, "time", lambda: real() - 3601)
            old = resets.make_token(user)
        fresh = resets.make_token(user)
        assert resets.user_for_token(old) is None
        assert resets.user_for_token(fresh).id == user.id


def test_an_invitation_is_e_mailed_when_smtp_is_configured(app, admin_client, place, inbox, post_form):
    answer = post_form(admin_client, "/t/targu-secuiesc/admin/members",
                       {"email": "nou@primaria.ro", "role": "viewer"})
    assert answer.status_code == 201
    assert "Invitația a fost trimisă și prin e-mail." in answer.get_data(as_text=True)
    code = re.search(r'id="invite-code"[^>]*value="([^"]+)"', answer.get_data(as_text=True)).group(1)
    message = inbox.wait(1)[0]
    assert message["To"] == "nou@primaria.ro" and code in _body(message)


def test_without_smtp_the_page_sends_people_to_their_administrator(app, place, page_csrf):
    assert not app.config["MAIL_SERVER"]
    page = app.test_client().get("/account/forgot").get_data(as_text=True)
    assert "Această instalare nu trimite e-mailuri" in page


def test_the_operator_prints_a_password_link_on_the_command_line(app, place, page_csrf):
    from core.cli import cli

    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["users", "reset-password", place.admin.email, "--base-url", "https://vatra.example"])
    assert result.exit_code == 0, result.output
    path = re.search(r"https://vatra\.example(/account/reset/\S+)", result.output).group(1)
    holder = app.test_client()
    token = page_csrf(holder, path)
    holder.post(path, data={"new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD, "csrf_token": token})
    assert _can_sign_in(app, page_csrf, place.admin.email, NEW_PASSWORD)
    unknown = runner.invoke(cli, ["users", "reset-password", "nimeni@nicaieri.ro"])
    assert unknown.exit_code != 0
    with app.app_context():
        assert db.session.execute(sa.select(User).where(User.email == "nimeni@nicaieri.ro")).first() is None
