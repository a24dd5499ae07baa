"""Flask-WTF forms of the prevention plan's pages (CSRF-protected; they keep what was typed)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.toolkit import DocumentDateRange, PlanYearRange
from plugins.prevention_plan.messages import shown
from plugins.prevention_plan.schemas import LANGUAGES, UNITS
from plugins.prevention_plan.services import InvalidInputError

MONTHS = (
    (1, _l("ianuarie")),
    (2, _l("februarie")),
    (3, _l("martie")),
    (4, _l("aprilie")),
    (5, _l("mai")),
    (6, _l("iunie")),
    (7, _l("iulie")),
    (8, _l("august")),
    (9, _l("septembrie")),
    (10, _l("octombrie")),
    (11, _l("noiembrie")),
    (12, _l("decembrie")),
)

REQUIRED = _l("Câmp obligatoriu.")


def choices(pairs: Any) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


NOT_NEGATIVE = _l("Valoarea nu poate fi negativă.")


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _year_field(label: Any = None) -> IntegerField:
    return IntegerField(
        label or _l("Anul"),
        validators=[
            InputRequired(REQUIRED),
            PlanYearRange(),
        ],
    )


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (new revision, delete, export)."""


class PlanCreateForm(FlaskForm):
    year = _year_field()
    template = SelectField(_l("Pornește de la"), choices=[], validate_choice=True)
    title = StringField(_l("Titlu (opțional)"), validators=[Optional(), Length(max=500)])


class CopyForm(FlaskForm):
    year = _year_field(_l("Anul planului nou"))


class PrincipleForm(Form):
    title = StringField(_l("Principiu"), validators=[Optional(), Length(max=300)])
    text = TextAreaField(_l("Explicație"), validators=[Optional()])


class SectionsForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Titlul planului"), validators=[DataRequired(REQUIRED), Length(max=500)])
    institution = StringField(_l("Instituția (antetul documentului)"), validators=[Optional(), Length(max=300)])
    language = SelectField(_l("Limba documentului"), choices=choices((c, c) for c in LANGUAGES))
    introduction = TextAreaField(_l("Introducere (paragrafele despărțite de un rând gol)"), validators=[Optional()])
    legal_basis = TextAreaField(_l("Cadrul legal (un act pe rând)"), validators=[Optional()])
    general_objective = TextAreaField(_l("Obiectivul general"), validators=[Optional()])
    specific_objectives = TextAreaField(_l("Obiectivele specifice (unul pe rând)"), validators=[Optional()])
    principles = FieldList(FormField(PrincipleForm), min_entries=1)
    drawn_up_by_name = StringField(_l("Întocmit de – nume"), validators=[Optional(), Length(max=200)])
    drawn_up_by_function = StringField(_l("Întocmit de – funcția"), validators=[Optional(), Length(max=200)])
    chair_of_session_name = StringField(_l("Președinte de ședință"), validators=[Optional(), Length(max=200)])
    secretary_general_name = StringField(_l("Secretar general"), validators=[Optional(), Length(max=200)])


class ObjectiveForm(FlaskForm):
    version = HiddenField()
    number = IntegerField(_l("Numărul"), validators=[Optional(), NumberRange(1, 99)])
    title = TextAreaField(_l("Obiectivul strategic"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class ActivityForm(FlaskForm):
    version = HiddenField()
    text = TextAreaField(_l("Activitatea"), validators=[DataRequired(REQUIRED), Length(max=4000)])
    responsible = TextAreaField(_l("Responsabili (unul pe rând)"), validators=[Optional()])
    schedule_months = CheckboxesField(_l("Lunile în care se desfășoară"), choices=choices(MONTHS), coerce=int)
    budget_estimate = DecimalField(
        _l("Buget estimat (lei)"), places=2, validators=[Optional(), NumberRange(min=0, message=NOT_NEGATIVE)]
    )


class IndicatorForm(FlaskForm):
    version = HiddenField()
    label = StringField(_l("Indicatorul de realizare"), validators=[DataRequired(REQUIRED), Length(max=500)])
    unit = SelectField(_l("Unitatea de măsură"), choices=choices((u, u) for u in UNITS))
    target = DecimalField(_l("Ținta"), validators=[Optional(), NumberRange(min=0, message=NOT_NEGATIVE)])
    baseline = DecimalField(
        _l("Valoarea de pornire"), validators=[Optional(), NumberRange(min=0, message=NOT_NEGATIVE)]
    )
    code = SelectField(_l("Codul din catalogul național"), choices=[], validate_choice=True)


class ValueRowForm(Form):
    indicator_id = HiddenField()
    value = StringField(_l("Valoare"), validators=[Optional(), Length(max=30)])
    note = StringField(_l("Observații"), validators=[Optional(), Length(max=2000)])


class ValuesForm(FlaskForm):
    period = SelectField(
        _l("Perioada"),
        choices=choices(
            [
                ("1", _l("Trimestrul I")),
                ("2", _l("Trimestrul II")),
                ("3", _l("Trimestrul III")),
                ("4", _l("Trimestrul IV")),
                ("an", _l("Tot anul")),
            ]
        ),
    )
    rows = FieldList(FormField(ValueRowForm))


class TransitionForm(FlaskForm):
    version = HiddenField()
    note = TextAreaField(_l("Observații / motivul"), validators=[Optional(), Length(max=4000)])
    submitted_on = DateField(_l("Data transmiterii către consiliu"), validators=[Optional()])
    aviz_number = StringField(_l("Numărul avizului"), validators=[Optional(), Length(max=50)])
    aviz_date = DateField(_l("Data avizului"), validators=[Optional(), DocumentDateRange()])
    members_present = CheckboxesField(_l("Membrii prezenți"), choices=[], coerce=int)
    hcl_number = StringField(_l("Numărul HCL"), validators=[Optional(), Length(max=50)])
    hcl_date = DateField(_l("Data HCL"), validators=[Optional(), DocumentDateRange()])
    referat_number = StringField(
        _l("Numărul referatului de aprobare al primarului"), validators=[Optional(), Length(max=50)]
    )
    referat_date = DateField(_l("Data referatului"), validators=[Optional(), DocumentDateRange()])
    raport_number = StringField(_l("Numărul raportului de specialitate"), validators=[Optional(), Length(max=50)])
    raport_date = DateField(_l("Data raportului de specialitate"), validators=[Optional(), DocumentDateRange()])
    narrative = TextAreaField(_l("Evaluarea anuală"), validators=[Optional()])


class EvaluationForm(FlaskForm):
    version = HiddenField()
    narrative = TextAreaField(_l("Evaluarea anuală (text)"), validators=[DataRequired(REQUIRED)])


class ImportForm(FlaskForm):
    file = FileField(
        _l("Registrul Excel exportat din platformă"),
        validators=[FileRequired(_l("Alegeți un fișier.")), FileAllowed(["xlsx"], _l("Doar fișiere .xlsx."))],
    )


class DocumentForm(FlaskForm):
    file = FileField(
        _l("Documentul (PDF sau DOCX)"),
        validators=[FileRequired(_l("Alegeți un fișier.")), FileAllowed(["pdf", "docx"], _l("Doar PDF sau DOCX."))],
    )
    title = StringField(_l("Descriere"), validators=[Optional(), Length(max=300)])
    step = SelectField(_l("Pasul"), choices=[])


class TemplateForm(FlaskForm):
    name = StringField(_l("Numele șablonului"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Descriere"), validators=[Optional()])
    source = SelectField(_l("Conținutul"), choices=[])
    published = BooleanField(_l("Publicat pentru localitățile județului"))


def apply_errors(form: FlaskForm, exc: InvalidInputError) -> list[str]:
    """Put the domain's field errors next to the form's fields; return those with no field."""
    leftovers: list[str] = []
    aliases = {"values": "rows", "signatories.drawn_up_by": "drawn_up_by_name"}
    for key, messages in exc.errors.items():
        msgs = [shown(m) for m in (messages if isinstance(messages, list | tuple) else [messages])]
        target: Any = form
        for alias, real in aliases.items():
            if key == alias or key.startswith(alias + "."):
                key = real + key[len(alias) :]
        for part in key.split("."):
            if target is None:
                break
            if isinstance(target, FieldList):
                target = target.entries[int(part)] if part.isdigit() and int(part) < len(target.entries) else None
            elif isinstance(target, FormField):
                target = target.form._fields.get(part)
            else:
                target = getattr(target, "_fields", {}).get(part)
        if target is None or not hasattr(target, "errors"):
            leftovers.extend(msgs)
            continue
        if not isinstance(target.errors, list):
            target.errors = list(target.errors)
        target.errors.extend(msgs)
    return leftovers
