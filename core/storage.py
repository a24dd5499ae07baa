"""Attachments: which files are accepted (by their content, never by the client's word) and how they are served.

An upload is accepted only when its first bytes (its *signature*, read by
the ``filetype`` library) say it is an office document, a PDF or an image of
the allow-list below. The client's file name and ``Content-Type`` are
ignored: an HTML page or an SVG drawing named ``factura.pdf`` and sent as
``application/pdf`` is refused, with the field named, before anything is
stored. A stored file is always served as a download
(``Content-Disposition: attachment``, with ``X-Content-Type-Options:
nosniff``) under the type read again from its content, so an old attachment
stored before these checks cannot be rendered by the browser either::

    kind = check_upload(data, field="attachment")      # InvalidInputError → 422 naming the field
    ...
    return send_attachment(path, download_name)
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from flask import Response, send_file

from core.text import N_

PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLS = "application/vnd.ms-excel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

ALLOWED_TYPES: dict[str, str] = {
    PDF: "pdf",
    DOC: "doc",
    DOCX: "docx",
    XLS: "xls",
    XLSX: "xlsx",
    PPTX: "pptx",
    ODT: "odt",
    ODS: "ods",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tif",
    "image/heic": "heic",
}
"""The MIME types an attachment may have (read from its content) and the extension it is stored with."""

DOCUMENT_TYPES = frozenset({PDF, DOC, DOCX, ODT})
"""Text documents only (a decision, an aviz): a narrower allow-list a caller may ask for."""

_OOXML_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))
_HEAD = 8192
"""How many leading bytes are read to recognise a file (``filetype`` looks at no more)."""


class UploadRefusedError(ValueError):
    """An upload that is empty or not of an allowed type; ``errors`` names the field (``{field: [reason]}``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.errors = {field: [reason]}


@dataclass(frozen=True)
class CheckedFile:
    """What an accepted upload is: its MIME type and the extension to store it under."""

    mimetype: str
    extension: str


def _zip_member_type(data: bytes) -> str | None:
    """An office document whose ZIP entries are in an order ``filetype`` does not expect."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return declared if declared in (ODT, ODS) else None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return next((mime for part, mime in _OOXML_PARTS if part in names), None)


def content_type(data: bytes) -> str | None:
    """The MIME type ``data`` has by its content, when it is one of :data:`ALLOWED_TYPES`; ``None`` otherwise."""
    if not data:
        return None
    kind = filetype.guess(data[:_HEAD])
    mime = kind.mime if kind is not None else None
    if mime in ALLOWED_TYPES:
        return mime
    if mime in (None, "application/zip") and data.startswith(b"PK\x03\x04"):
        return _zip_member_type(data)
    return None


def check_upload(data: bytes, *, field: str = "file", allowed: frozenset[str] | None = None) -> CheckedFile:
    """Accept ``data`` as an attachment or raise :class:`UploadRefusedError` naming ``field``.

    The type is read from the content (an HTML page, an SVG drawing, a
    script or an archive is refused whatever its name and declared type);
    ``allowed`` narrows :data:`ALLOWED_TYPES` (e.g. :data:`DOCUMENT_TYPES`).
    The reason is a Romanian msgid (translated where it is shown).
    """
    if not data:
        raise UploadRefusedError(field, N_("Fișierul este gol."))
    mime = content_type(data)
    if mime is None or (allowed is not None and mime not in allowed):
        if allowed is not None:
            types = ", ".join(sorted(ALLOWED_TYPES[m].upper() for m in allowed if m in ALLOWED_TYPES))
            raise UploadRefusedError(field, N_("Se acceptă doar fișiere de tipul: %(types)s.", types=types))
        raise UploadRefusedError(
            field, N_("Se acceptă doar documente PDF, Word, Excel, OpenDocument sau imagini (JPEG, PNG...).")
        )
    return CheckedFile(mime, ALLOWED_TYPES[mime])


def send_attachment(path: str | Path, download_name: str, **kwargs: Any) -> Response:
    """Serve a stored attachment as a download, under the type its content has (``nosniff``).

    A file whose content is not of an allowed type (one stored before the
    checks) goes out as ``application/octet-stream``: the browser saves it and
    never renders it.
    """
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    mime = content_type(head) or ("application/octet-stream" if not head.startswith(b"PK") else None)
    if mime is None:  # a ZIP-based office file: its parts may lie past the head
        mime = content_type(Path(path).read_bytes()) or "application/octet-stream"
    response = send_file(path, mimetype=mime, as_attachment=True, download_name=download_name, **kwargs)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
