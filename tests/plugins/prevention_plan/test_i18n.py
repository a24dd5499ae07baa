"""The plan's refusals in the reader's language: Romanian by default, Hungarian and English on request."""

from __future__ import annotations

from core.auth.models import Role

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
