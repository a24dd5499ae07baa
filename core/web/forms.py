"""The web forms of the core's pages (Flask-WTF: every POST form carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from core.auth.models import Role
from core.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from core.bounds import DocumentDateRange, PeriodDateRange
from tenants.models import CouncilRole

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
MAX_TOKEN_DAYS = 365
INVALID_EMAIL = _l("Adresa de e-mail nu este validă.")


def role_label(role: str) -> str:
    """The human name of a membership role (translated)."""
    labels = {
        Role.PLATFORM_ADMIN: _l("Administrator al platformei"),
        Role.COUNTY_COORDINATOR: _l("Coordonator județean"),
        Role.TENANT_ADMIN: _l("Administrator al instituției"),
        Role.SOCIAL_WORKER: _l("Asistent social"),
        Role.COUNCIL_MEMBER: _l("Membru al consiliului consultativ"),
        Role.VIEWER: _l("Cititor"),
    }
    return str(labels.get(Role(role), role))


def council_role_label(role: str) -> str:
    """The human name of a council member's role (translated)."""
    labels = {
        CouncilRole.CHAIR: _l("Președinte"),
        CouncilRole.SECRETARY: _l("Secretar"),
        CouncilRole.MEMBER: _l("Membru"),
    }
    return str(labels.get(CouncilRole(role), role))


LANGUAGE_CHOICES = [SelectChoice("ro", "Română"), SelectChoice("hu", "Magyar"), SelectChoice("en", "English")]


class LanguageForm(FlaskForm):
    """The language of a user's pages (kept on the account, for every device)."""

    locale = SelectField(_l("Limba paginilor"), choices=LANGUAGE_CHOICES, validators=[DataRequired()])
    submit = SubmitField(_l("Salvează limba"))


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token: buttons that change something (logout, revoke...)."""


class LoginForm(FlaskForm):
    """Email and password."""

    email = StringField(
        _l("Adresă de e-mail"),
        validators=[DataRequired(), Length(max=254), Regexp(EMAIL_PATTERN, message=INVALID_EMAIL)],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    password = PasswordField(
        _l("Parolă"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Intră în cont"))


class PasswordForm(FlaskForm):
    """A signed-in person's new password: the current one, the new one twice.

    The form checks what needs no database (lengths, the two new fields equal,
    new differs from current); the view verifies the current password.
    """

    current_password = PasswordField(
        _l("Parola actuală"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Parola nouă"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("Parola trebuie să aibă între %(min)d și %(max)d caractere."),
            ),
        ],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    new_password_repeat = PasswordField(
        _l("Parola nouă, din nou"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("Cele două parole noi nu sunt identice."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Schimbă parola"))

    def validate_new_password(self, field: PasswordField) -> None:
        """The new password must differ from the current one."""
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Parola nouă trebuie să fie diferită de cea actuală."))


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Parola nouă"),
            validators=[
                DataRequired(),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    max=MAX_PASSWORD_LENGTH,
                    message=_l("Parola trebuie să aibă între %(min)d și %(max)d caractere."),
                ),
            ],
            render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
        ),
        PasswordField(
            _l("Parola nouă, din nou"),
            validators=[DataRequired(), EqualTo("new_password", message=_l("Cele două parole noi nu sunt identice."))],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class ForgotForm(FlaskForm):
    """The e-mail address of a lost password."""

    email = StringField(
        _l("Adresă de e-mail"),
        validators=[DataRequired(), Length(max=254), Regexp(EMAIL_PATTERN, message=INVALID_EMAIL)],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    submit = SubmitField(_l("Trimite legătura"))


class NewPasswordForm(FlaskForm):
    """A new password, twice (the password link)."""

    new_password, new_password_repeat = _new_password_fields()
    submit = SubmitField(_l("Setează parola"))


class AcceptInvitationForm(FlaskForm):
    """A new person accepting an invitation: their name and the password they choose."""

    name = StringField(_l("Nume și prenume"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    new_password, new_password_repeat = _new_password_fields()
    submit = SubmitField(_l("Creează contul și acceptă"))


class CodeForm(FlaskForm):
    """The code of an invitation, typed in (GET, no CSRF)."""

    class Meta:
        csrf = False

    code = StringField(_l("Codul invitației"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField(_l("Continuă"))


class TokenForm(FlaskForm):
    """A new API token: a name and how many days it lives."""

    name = StringField(_l("Denumire"), validators=[DataRequired(), Length(max=100)])
    expires_days = IntegerField(
        _l("Valabilă (zile)"),
        default=90,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_TOKEN_DAYS)],
        render_kw={"min": 1, "max": MAX_TOKEN_DAYS},
    )
    submit = SubmitField(_l("Creează cheia"))


class MemberForm(FlaskForm):
    """Give a person (by e-mail) a role in the tenant."""

    email = StringField(
        _l("Adresă de e-mail"),
        validators=[DataRequired(), Length(max=254), Regexp(EMAIL_PATTERN, message=INVALID_EMAIL)],
    )
    name = StringField(
        _l("Nume (doar pentru un utilizator nou)"), validators=[Optional(), Length(max=200)]
    )
    role = SelectField(_l("Rol"), validators=[DataRequired()])
    submit = SubmitField(_l("Trimite invitația"))

    def __init__(self, *args: Any, roles: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r, role_label(r)) for r in (roles or [])]


class CouncilForm(FlaskForm):
    """The council itself."""

    name = StringField(
        _l("Denumire"), default="Consiliul Comunitar Consultativ", validators=[DataRequired(), Length(max=200)]
    )
    founding_decision_number = StringField(_l("Numărul HCL de înființare"), validators=[Optional(), Length(max=50)])
    founding_decision_date = DateField(_l("Data HCL de înființare"), validators=[Optional(), DocumentDateRange()])
    established_on = DateField(_l("Data constituirii"), validators=[Optional(), DocumentDateRange()])
    trained_on = DateField(_l("Data instruirii"), validators=[Optional(), DocumentDateRange()])
    notes = TextAreaField(_l("Observații"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()  # the version read: a concurrent change answers 409
    submit = SubmitField(_l("Salvează"))


class CouncilMemberForm(FlaskForm):
    """A member of the council."""

    name = StringField(_l("Nume și prenume"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Rol în consiliu"), default=CouncilRole.MEMBER.value, validators=[DataRequired()])
    function = StringField(_l("Funcția"), validators=[Optional(), Length(max=300)])
    institution = StringField(_l("Instituția"), validators=[Optional(), Length(max=300)])
    valid_from = DateField(_l("Membru de la"), validators=[Optional(), PeriodDateRange()])
    valid_to = DateField(_l("Membru până la"), validators=[Optional(), PeriodDateRange()])
    trained_on = DateField(_l("Data instruirii"), validators=[Optional(), DocumentDateRange()])
    version = HiddenField()  # the version read: a concurrent change answers 409
    submit = SubmitField(_l("Salvează"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, council_role_label(r.value)) for r in CouncilRole]

    def validate_valid_to(self, field: DateField) -> None:
        """The end of a membership cannot come before its start."""
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("Data de sfârșit nu poate fi înaintea datei de început."))


class MeetingForm(FlaskForm):
    """A session of the council."""

    held_on = DateField(_l("Data ședinței"), validators=[InputRequired(), PeriodDateRange()])
    topic = StringField(_l("Ordinea de zi"), validators=[Optional(), Length(max=500)])
    members_present = IntegerField(_l("Membri prezenți"), validators=[Optional(), NumberRange(min=0, max=1000)])
    submit = SubmitField(_l("Adaugă ședința"))


class AuditFilterForm(FlaskForm):
    """Filters of the audit page (GET, no CSRF)."""

    class Meta:
        csrf = False

    entity = SelectField(_l("Obiect"), default="", validators=[Optional()])
    user = SelectField(_l("Utilizator"), default="", validators=[Optional()])
    date_from = DateField(_l("De la data"), validators=[Optional(), PeriodDateRange()])
    date_to = DateField(_l("Până la data"), validators=[Optional(), PeriodDateRange()])
    submit = SubmitField(_l("Filtrează"))

    def validate_date_to(self, field: DateField) -> None:
        """The range must not end before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Data de sfârșit nu poate fi înaintea datei de început."))


class TenantSearchForm(FlaskForm):
    """Search and filters of the platform's tenants page (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Nume"), validators=[Optional(), Length(max=200)])
    county = SelectField(_l("Județ"), default="", validators=[Optional()])
    kind = SelectField(_l("Tip"), default="", validators=[Optional()])
    active = SelectField(_l("Stare"), default="", validators=[Optional()])
    submit = SubmitField(_l("Caută"))

    def __init__(self, *args: Any, counties: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county.choices = [("", _l("Toate județele")), *(counties or [])]
        self.kind.choices = [
            ("", _l("Toate tipurile")),
            ("county", _l("Județ (DGASPC)")),
            ("locality", _l("Localitate")),
            ("platform", _l("Platformă")),
        ]
        self.active.choices = [("", _l("Oricare")), ("1", _l("Active")), ("0", _l("Inactive"))]
