"""The refusals of a domain layer, one hierarchy for the core and every plugin (no Flask here).

A service raises them; the platform maps them once (:mod:`core.errors`):
the API answers the status below with the error document (message and
field errors in the reader's language), a page shows the error page, or a
form shows the field errors next to its fields
(:func:`core.errors.apply_form_errors`). The request's transaction is
rolled back: nothing half-written.

* :class:`Invalid` (422): bad input; ``errors`` names each field and why;
* :class:`NotFound` (404): the object does not exist in the current tenant;
* :class:`Conflict` (409): the request contradicts the object's state;
* :class:`StaleVersion` (409): someone saved the object since it was read.

Messages are Romanian msgids, or :class:`core.text.Message` objects with
parameters (``N_("… %(n)s …", n=3)``), translated when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from core.text import N_


class DomainError(Exception):
    """A refusal of the domain: a message for the user and, optionally, the reasons per field.

    ``errors`` maps a field (dotted for nested ones: ``"rows.0.value"``) to
    a list of reasons; ``location`` is where the API's error document puts
    them (``"json"`` for a body, ``"query"`` for arguments).
    """

    status: ClassVar[int] = 400
    default_message: ClassVar[str] = N_("Cererea nu este validă.")

    def __init__(
        self, message: str | None = None, errors: Mapping[str, Any] | None = None, *, location: str = "json"
    ) -> None:
        self.message: str = message or self.default_message
        self.errors: dict[str, Any] = {
            key: list(value) if isinstance(value, list | tuple) else value if isinstance(value, dict) else [value]
            for key, value in (errors or {}).items()
        }
        self.location = location
        super().__init__(str(self.message))


class Invalid(DomainError):  # noqa: N818 - named for the refusal, as a reader says it
    """Bad input (→ 422): ``Invalid({"budget": [reason]})`` or ``Invalid(budget=reason)``. Nothing was written."""

    status = 422
    default_message = N_("Datele trimise nu sunt valide.")

    def __init__(
        self,
        errors: Mapping[str, Any] | None = None,
        message: str | None = None,
        *,
        location: str = "json",
        **fields: Any,
    ) -> None:
        merged: dict[str, Any] = dict(errors or {})
        for name, reason in fields.items():
            if isinstance(reason, dict):  # nested fields: {"0": {"value": [reason]}}
                merged[name] = reason
                continue
            reasons = reason if isinstance(reason, list | tuple) else [reason]
            merged[name] = [*merged.get(name, []), *reasons]
        super().__init__(message, merged, location=location)


class NotFound(DomainError):  # noqa: N818 - named for the refusal, as a reader says it
    """The object does not exist in the current tenant (→ 404)."""

    status = 404
    default_message = N_("Pagina sau obiectul cerut nu există.")


class Conflict(DomainError):  # noqa: N818 - named for the refusal, as a reader says it
    """The request contradicts the object's state (→ 409), e.g. editing a locked plan."""

    status = 409
    default_message = N_("Operațiunea nu este posibilă în starea actuală a obiectului.")


class StaleVersion(Conflict):
    """Someone saved the object since the client read it (optimistic locking, → 409).

    ``current`` is the version the object is at now, when known.
    """

    default_message = N_("Obiectul a fost modificat între timp de altcineva. Reîncărcați și încercați din nou.")

    def __init__(self, current: int | None = None, message: str | None = None) -> None:
        self.current = current
        super().__init__(message)
