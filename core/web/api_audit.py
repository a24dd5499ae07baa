"""``GET /api/v1/t/<tenant>/audit``: the tenant's audit entries, filtered and paginated."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_smorest import Blueprint as ApiBlueprint

from core.access import require
from core.web import audit_query
from core.web.schemas import AuditEntrySchema, AuditQuerySchema

URL_PREFIX = "/audit"

blp = ApiBlueprint("api_audit", __name__, description="Jurnalul de audit al instituției.")


@blp.route("")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate()
@require("audit.view")
def audit_entries(args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
    """Entries newest first; filter by entity (and id), acting user, local days."""
    flt = audit_query.AuditFilter(**args)
    query = audit_query.audit_select(g.tenant.id, flt, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    items, total = audit_query.page(query, pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = total
    return items
