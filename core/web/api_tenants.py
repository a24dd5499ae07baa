"""``/api/v1/t/platform/tenants``: the platform operator's list of tenants (platform.admin)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core.access import require
from core.db import clamp_page, db
from core.web import tenant_search
from core.web.api_members import invite_answer
from core.web.schemas import (
    InvitationCreatedSchema,
    MemberCreateSchema,
    TenantQuerySchema,
    TenantSchema,
    TenantUpdateSchema,
    WithExtra,
)
from tenants.models import Tenant

URL_PREFIX = "/tenants"

blp = ApiBlueprint("api_tenants", __name__, description="Instituțiile platformei (doar pentru operator).")


def _platform_only() -> None:
    if not g.tenant.is_platform:
        abort(404)


@blp.route("")
class Tenants(MethodView):
    """Every tenant."""

    @blp.arguments(TenantQuerySchema, location="query")
    @blp.response(200, TenantSchema(many=True))
    @blp.paginate()
    @require("platform.admin")
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Search by name in any Romanian spelling; filter by county, kind and state."""
        _platform_only()
        query = tenant_search.tenant_select(tenant_search.TenantFilter(**args))
        page = db.paginate(
            query,
            page=clamp_page(pagination_parameters.page),
            per_page=pagination_parameters.page_size,
            error_out=False,
        )
        pagination_parameters.item_count = page.total
        return list(page.items)


@blp.route("/<int:tenant_id>")
class TenantById(MethodView):
    """One tenant."""

    @blp.response(200, TenantSchema)
    @require("platform.admin")
    def get(self, tenant_id: int) -> Any:
        """One tenant."""
        _platform_only()
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None:
            abort(404)
        return tenant

    @blp.arguments(TenantUpdateSchema)
    @blp.response(200, TenantSchema)
    @require("platform.admin")
    def patch(self, data: dict[str, Any], tenant_id: int) -> Any:
        """Activate or deactivate a tenant (never the platform itself)."""
        _platform_only()
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None:
            abort(404)
        if tenant.is_platform and not data["active"]:
            abort(409, message="Platforma nu poate fi dezactivată.")
        tenant_search.set_active(tenant, data["active"])
        db.session.commit()
        return tenant


@blp.route("/<int:tenant_id>/invitations")
class TenantInvitations(MethodView):
    """Invitations into one tenant, made by the operator (e.g. its first administrator)."""

    @blp.arguments(MemberCreateSchema)
    @blp.response(201, InvitationCreatedSchema)
    @require("platform.admin")
    def post(self, data: dict[str, Any], tenant_id: int) -> WithExtra:
        """Invite a person to a role in the tenant: a code valid 72 h, the same answer whatever the e-mail."""
        _platform_only()
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None:
            abort(404)
        return invite_answer(tenant, data)
