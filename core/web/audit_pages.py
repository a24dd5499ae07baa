"""The audit page of a tenant: filter by entity, user and days; pages of 50; before/after of each change."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from core.access import require
from core.db import clamp_page
from core.web import audit_query
from core.web.forms import AuditFilterForm

bp = Blueprint("audit_log", __name__)

PAGE_SIZE = 50

ACTION_LABELS = {
    "insert": _l("adăugare"),
    "update": _l("modificare"),
    "delete": _l("ștergere"),
    "login": _l("autentificare"),
    "login_failed": _l("autentificare eșuată"),
    "denied": _l("acces refuzat"),
    "export": _l("export"),
}


def action_label(action: str) -> str:
    """The human name of an audit action."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _page_number() -> int:
    try:
        return clamp_page(int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.get("/audit")
@require("audit.view")
def index() -> Any:
    """The tenant's audit entries, newest first."""
    tenant = g.tenant
    args = MultiDict(request.args)
    form = AuditFilterForm(formdata=args)
    form.entity.choices = [("", str(_l("Toate")))] + [(e, e) for e in audit_query.entities(tenant.id)]
    form.user.choices = [("", str(_l("Toți")))] + [(str(uid), label) for uid, label in audit_query.actors(tenant.id)]
    status = 200
    flt = audit_query.AuditFilter()
    if args and not form.validate():
        status = 422
    else:
        user = form.user.data
        flt = audit_query.AuditFilter(
            entity=form.entity.data or None,
            user_id=int(user) if user and user.isdigit() else None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    query = audit_query.audit_select(tenant.id, flt, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    number = _page_number()
    entries, total = audit_query.page(query, number, PAGE_SIZE)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in {"page", "lang", "submit"}]
    return (
        render_template(
            "audit/index.html",
            form=form,
            entries=entries,
            total=total,
            page=number,
            pages=pages,
            kept_args=kept,
            action_label=action_label,
        ),
        status,
    )
