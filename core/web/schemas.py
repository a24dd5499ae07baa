"""Marshmallow schemas of the core's API (every write goes through one; bad input → 422 naming the field)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from core.auth.models import Role
from core.bounds import DocumentDate, PeriodDate
from core.db import MAX_ID
from tenants.models import CouncilRole, TenantKind

MAX_TOKEN_DAYS = 365


class StrictSchema(ma.Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class WithExtra:
    """An object seen through a schema with a few more attributes (e.g. a secret shown once)."""

    def __init__(self, obj: Any, **extra: Any) -> None:
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)


def _check_range(data: dict[str, Any], start: str, end: str, message: str) -> None:
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ma.ValidationError(message, end)


# -- me ----------------------------------------------------------------------------------


class UserSchema(ma.Schema):
    """A user as others see them."""

    id = fields.Int(dump_only=True)
    email = fields.Str(dump_only=True)
    name = fields.Str(dump_only=True)


class MeUserSchema(UserSchema):
    """The signed-in user."""

    locale = fields.Str(dump_only=True)


class TenantRefSchema(ma.Schema):
    """A tenant, briefly."""

    id = fields.Int(dump_only=True)
    slug = fields.Str(dump_only=True)
    name = fields.Str(dump_only=True)
    display_name = fields.Str(dump_only=True)
    kind = fields.Function(lambda t: str(getattr(t.kind, "value", t.kind)), dump_only=True)
    siruta = fields.Int(dump_only=True, allow_none=True)
    active = fields.Bool(dump_only=True)


class MeSchema(ma.Schema):
    """Who is asking, in which tenant, with which roles and permissions."""

    user = fields.Nested(MeUserSchema)
    tenant = fields.Nested(TenantRefSchema)
    roles = fields.List(fields.Str())
    permissions = fields.List(fields.Str())
    via_token = fields.Bool()


# -- audit ----------------------------------------------------------------------------------


class AuditQuerySchema(StrictSchema):
    """Filters of the audit list."""

    entity = fields.Str(validate=validate.Length(max=100))
    entity_id = fields.Str(validate=validate.Length(max=64))
    user_id = fields.Int(validate=validate.Range(min=1, max=MAX_ID))
    date_from = fields.Date(validate=PeriodDate())
    date_to = fields.Date(validate=PeriodDate())

    class Meta:
        unknown = ma.EXCLUDE  # page / page_size are read by the pagination

    @ma.validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_range(data, "date_from", "date_to", "date_to nu poate fi înaintea lui date_from.")


class AuditEntrySchema(ma.Schema):
    """One audit entry with its changed fields ``{field: [before, after]}``."""

    id = fields.Int()
    seq = fields.Int()
    at = fields.AwareDateTime()
    actor_user_id = fields.Int(allow_none=True)
    actor_token_id = fields.Int(allow_none=True)
    actor_job_id = fields.Int(allow_none=True)
    actor_label = fields.Str()
    request_id = fields.Str(allow_none=True)
    ip = fields.Str(allow_none=True)
    entity = fields.Str()
    entity_id = fields.Str(allow_none=True)
    action = fields.Str()
    changes = fields.Function(lambda e: e.changed)
    hash = fields.Str()


# -- tokens ----------------------------------------------------------------------------------


class TokenSchema(ma.Schema):
    """An API token as listed (never its secret)."""

    id = fields.Int(dump_only=True)
    name = fields.Str(dump_only=True)
    prefix = fields.Str(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    expires_at = fields.AwareDateTime(dump_only=True)
    last_used_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    usable = fields.Function(lambda t: t.usable(), dump_only=True)


class TokenCreateSchema(StrictSchema):
    """A new token: a name and its lifetime in days (1–365)."""

    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    expires_days = fields.Int(load_default=90, validate=validate.Range(min=1, max=MAX_TOKEN_DAYS))


class TokenCreatedSchema(TokenSchema):
    """The answer to a creation: the only time the secret is shown."""

    secret = fields.Str(dump_only=True)


# -- members ----------------------------------------------------------------------------------


class MembershipSchema(ma.Schema):
    """A membership: user × role in this tenant."""

    id = fields.Int(dump_only=True)
    user = fields.Nested(UserSchema, dump_only=True)
    role = fields.Function(lambda m: str(getattr(m.role, "value", m.role)), dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class MemberCreateSchema(StrictSchema):
    """Invite a person (by e-mail) to a role; ``name`` is offered to them when they have no account."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = fields.Str(required=True, validate=validate.OneOf([r.value for r in Role]))
    name = fields.Str(validate=validate.Length(max=200))


class InvitationSchema(ma.Schema):
    """An open invitation: the role it offers in this tenant, to which e-mail, until when."""

    id = fields.Int(dump_only=True)
    email = fields.Str(dump_only=True)
    role = fields.Function(lambda i: str(getattr(i.role, "value", i.role)), dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    expires_at = fields.AwareDateTime(dump_only=True)


class InvitationCreatedSchema(InvitationSchema):
    """The answer to adding a member, the same whether or not the e-mail has an account.

    ``code`` and ``link`` are shown this one time (only the code's hash is
    kept); ``mailed`` says whether the invitation also went out by e-mail.
    """

    code = fields.Str(dump_only=True)
    link = fields.Str(dump_only=True)
    mailed = fields.Bool(dump_only=True)


class PasswordLinkSchema(ma.Schema):
    """A one-hour, single-use password link made by an administrator (never a password)."""

    link = fields.Str(dump_only=True)
    mailed = fields.Bool(dump_only=True)


# -- plugins ----------------------------------------------------------------------------------


class PluginSchema(ma.Schema):
    """An installed plugin and whether it is on for this tenant."""

    name = fields.Str(dump_only=True)
    label = fields.Str(dump_only=True)
    version = fields.Str(dump_only=True)
    description = fields.Str(dump_only=True)
    enabled = fields.Bool(dump_only=True)


class PluginUpdateSchema(StrictSchema):
    """Switch a plugin on or off."""

    enabled = fields.Bool(required=True)


# -- council ----------------------------------------------------------------------------------


class CouncilMemberSchema(StrictSchema):
    """A member of the council."""

    id = fields.Int(dump_only=True)
    position = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    role = fields.Str(
        load_default=CouncilRole.MEMBER.value, validate=validate.OneOf([r.value for r in CouncilRole])
    )
    function = fields.Str(allow_none=True, validate=validate.Length(max=300))
    institution = fields.Str(allow_none=True, validate=validate.Length(max=300))
    valid_from = fields.Date(allow_none=True, validate=PeriodDate())
    valid_to = fields.Date(allow_none=True, validate=PeriodDate())
    trained_on = fields.Date(allow_none=True, validate=DocumentDate())
    version = fields.Int(
        validate=validate.Range(min=1),
        metadata={"description": "versiunea citită (sau antetul If-Match); alta → 409"},
    )

    @ma.validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_range(data, "valid_from", "valid_to", "valid_to nu poate fi înaintea lui valid_from.")


class CouncilMeetingSchema(StrictSchema):
    """A session of the council."""

    id = fields.Int(dump_only=True)
    held_on = fields.Date(required=True, validate=PeriodDate())
    topic = fields.Str(allow_none=True, validate=validate.Length(max=500))
    members_present = fields.Int(allow_none=True, validate=validate.Range(min=0, max=1000))


class CouncilSchema(StrictSchema):
    """The council itself (members and meetings are read-only here; they have their own endpoints)."""

    id = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    founding_decision_number = fields.Str(allow_none=True, validate=validate.Length(max=50))
    founding_decision_date = fields.Date(allow_none=True, validate=DocumentDate())
    established_on = fields.Date(allow_none=True, validate=DocumentDate())
    trained_on = fields.Date(allow_none=True, validate=DocumentDate())
    notes = fields.Str(allow_none=True, validate=validate.Length(max=5000))
    version = fields.Int(
        validate=validate.Range(min=1),
        metadata={"description": "versiunea citită (sau antetul If-Match); alta → 409"},
    )
    members = fields.List(fields.Nested(CouncilMemberSchema), dump_only=True)
    meetings = fields.List(fields.Nested(CouncilMeetingSchema), dump_only=True)

    @ma.validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_range(
            data, "founding_decision_date", "established_on", "established_on nu poate fi înaintea HCL de înființare."
        )


# -- tenants (platform) ---------------------------------------------------------------------------


class TenantQuerySchema(ma.Schema):
    """Search of the platform's tenants."""

    q = fields.Str(validate=validate.Length(max=200))
    county_id = fields.Int(validate=validate.Range(min=1, max=MAX_ID))
    kind = fields.Str(validate=validate.OneOf([k.value for k in TenantKind]))
    active = fields.Bool()

    class Meta:
        unknown = ma.EXCLUDE


class TenantSchema(TenantRefSchema):
    """A tenant as the platform's operator sees it."""

    parent_id = fields.Int(dump_only=True, allow_none=True)
    county_code = fields.Str(dump_only=True, allow_none=True)
    activated_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class TenantUpdateSchema(StrictSchema):
    """Activate or deactivate a tenant."""

    active = fields.Bool(required=True)
