"""Outgoing e-mail (invitations, password links) over SMTP with the standard library.

Configured by ``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS`` (STARTTLS),
``MAIL_USERNAME``, ``MAIL_PASSWORD`` and ``MAIL_DEFAULT_SENDER``; with no
``MAIL_SERVER`` nothing is sent and the pages say so (invitation codes are
then handed over by the administrator, lost passwords reset by the operator).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10


def configured() -> bool:
    """Whether the app can send e-mail."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; False (logged, never raised) when it could not be sent."""
    config = current_app.config
    if not configured():
        return False
    message = EmailMessage()
    message["From"] = config.get("MAIL_DEFAULT_SENDER") or "vatra@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("e-mail to %s not sent: %s", to, exc)
        return False
    return True


def send_later(to: str, subject: str, body: str) -> threading.Thread | None:
    """Send from a background thread, so the answer takes as long whether or not a message goes out.

    Used where the answer must not reveal whether an account exists (the
    "forgot password" page). Returns the thread (None when SMTP is off).
    """
    if not configured():
        return None
    app = current_app._get_current_object()

    def _run() -> None:
        with app.app_context():
            send(to, subject, body)

    thread = threading.Thread(target=_run, name="vatra-mail", daemon=True)
    thread.start()
    return thread
