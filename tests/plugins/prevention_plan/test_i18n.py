"""The plan's refusals in the reader's language: Romanian by default, Hungarian and English on request."""

from __future__ import annotations

import io

from markupsafe import escape

from core.auth.models import Role

from .conftest import edited_export, post_form, values_export

REFUSED = {
    None: (
        "Planul nu poate trece din starea „avizat de consiliul consultativ” în „evaluat”. "
        "Stări posibile: „aprobat prin HCL”."
    ),
    "hu": (
        "A terv nem léphet át a(z) „a konzultatív tanács véleményezte” állapotból a(z) „értékelve” állapotba. "
        "Lehetséges állapotok: „helyi tanácsi határozattal jóváhagyva”."
    ),
    "en": (
        "The plan cannot move from status “endorsed by the advisory council” to “evaluated”. "
        "Possible statuses: “approved by local council decision”."
    ),
}
REQUIRED_FOR_STEP = {
    None: "Câmp obligatoriu pentru acest pas.",
    "hu": "Ehhez a lépéshez kötelező mező.",
    "en": "Required for this step.",
}


def test_a_refused_transition_speaks_the_readers_language_in_the_api(town):
    client = town.app.test_client()
    headers = town.api(Role.TENANT_ADMIN)
    for lang, expected in REFUSED.items():
        url = town.url(f"/{town.plan_id}/transitions") + (f"?lang={lang}" if lang else "")
        refused = client.post(url, json={"to": "evaluated"}, headers=headers)
        assert refused.status_code == 409
        assert refused.get_json()["message"] == expected
        missing = client.post(url, json={"to": "approved", "hcl_number": "15"}, headers=headers)
        assert missing.status_code == 422
        assert missing.get_json()["errors"]["json"]["hcl_date"] == [REQUIRED_FOR_STEP[lang]]


def test_a_refused_transition_is_flashed_in_hungarian_and_english_on_the_page(town):
    for lang in ("hu", "en"):
        admin = town.client(Role.TENANT_ADMIN)
        page = admin.get(town.page(f"/{town.plan_id}/transition/evaluated?lang={lang}"), follow_redirects=True)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert REFUSED[lang] in text
        assert REFUSED[None] not in text


IMPORT_REFUSED = {
    None: ("Fișierul are erori; nu s-a înregistrat nicio valoare.", "rândul 4",
           "T1: „cinci” nu este un număr: conține litere (exemplu: 1.234).",
           "Indicatorul cu ID 999999 nu face parte din plan."),
    "hu": ("A fájl hibás; egyetlen érték sem lett rögzítve.", "4. sor",
           "T1: „cinci” nem szám: betűket tartalmaz (példa: 1\u00a0234).",
           "A(z) 999999 azonosítójú mutató nem része a tervnek."),
    "en": ("The file has errors; no value was recorded.", "row 4",
           "T1: “cinci” is not a number: it contains letters (example: 1,234).",
           "The indicator with ID 999999 is not part of the plan."),
}


def _bad_workbook(town) -> bytes:
    """The plan's export with a word for a number on row 4 and an unknown indicator on row 3."""
    return edited_export(values_export(town), {(3, "ID indicator"): 999999, (4, "T1"): "cinci"})


def test_a_rejected_excel_import_speaks_the_readers_language_on_the_page(town):
    workbook = _bad_workbook(town)
    for lang, (summary, row, cell, unknown) in IMPORT_REFUSED.items():
        client = town.client()
        url = town.page(f"/{town.plan_id}/import") + (f"?lang={lang}" if lang else "")
        upload = {"file": (io.BytesIO(workbook), "valori.xlsx")}
        bad = post_form(client, url, upload, content_type="multipart/form-data")
        assert bad.status_code == 422
        html = bad.get_data(as_text=True)
        for expected in (summary, f"{row}: {cell}", unknown):
            assert escape(expected) in html, (lang, expected)
        if lang:
            assert escape(IMPORT_REFUSED[None][2]) not in html and "rândul" not in html


def test_a_rejected_excel_import_speaks_the_readers_language_in_the_api(town):
    workbook = _bad_workbook(town)
    client, headers = town.app.test_client(), town.api()
    for lang, (summary, _row, cell, unknown) in IMPORT_REFUSED.items():
        url = town.url(f"/{town.plan_id}/imports") + (f"?lang={lang}" if lang else "")
        bad = client.post(url, data={"file": (io.BytesIO(workbook), "valori.xlsx")}, headers=headers,
                          content_type="multipart/form-data")
        assert bad.status_code == 422
        body = bad.get_json()
        assert body["message"] == summary
        # the keys name the rows (stable for programs), the messages are the reader's
        assert body["errors"]["json"] == {"rândul 3": [unknown], "rândul 4": [cell]}


def test_a_refused_workbook_is_refused_in_english_too(town):
    client, headers = town.app.test_client(), town.api()
    bad = client.post(town.url(f"/{town.plan_id}/imports?lang=en"), data={"file": (io.BytesIO(b"nu"), "x.xlsx")},
                      headers=headers, content_type="multipart/form-data")
    assert bad.status_code == 422
    assert bad.get_json()["errors"]["json"] == {"file": ["The file is not a valid Excel workbook (.xlsx)."]}
