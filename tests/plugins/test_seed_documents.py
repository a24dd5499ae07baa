"""The demo data of the two seed documents is faithful to the seed texts.

Pure Python: no Flask, no database. Each JSON file under ``plugins/*/demo/`` is
checked against the copy of its seed text kept next to it:

* the counts of principles, objectives, activities, indicators, results...;
* every human-readable string of the JSON occurs in the seed text once both
  are normalised (whitespace collapsed, markdown ``**`` / ``*`` removed, the
  repeated page header taken out of the plan so that cells split by a page
  break join up again);
* the table of the plan, re-read cell by cell from the seed, matches the
  strategic objectives → activities → responsible bodies → indicators;
* values that are not text of the seed (codes, dates, amounts, SIRUTA codes)
  are checked against what the seed or the SIRUTA catalog says.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from core.text import normalise_whitespace

ROOT = Path(__file__).resolve().parents[2]
PLAN_DIR = ROOT / "plugins" / "prevention_plan" / "demo"
PIN_DIR = ROOT / "plugins" / "pin_project" / "demo"
PLAN_JSON = PLAN_DIR / "plan_targu_secuiesc_2026.json"
PLAN_SEED = PLAN_DIR / "seed_plan_targu_secuiesc_2026.txt"
PIN_JSON = PIN_DIR / "pin_2_2008_olt.json"
PIN_SEED = PIN_DIR / "seed_pin_2_2008_olt.txt"
SIRUTA_CSV = ROOT / "tenants" / "data" / "siruta-uat.csv"

# sha256 of /work/shared/seeds/000_087445cc7dd7ebd0.txt and 004_eb017aef3740aa1e.txt:
# the copies must stay byte-for-byte identical to the originals.
SEED_SHA256 = {
    PLAN_SEED: "a54ab6ffda00bf9371bcd2dcf8c450507ef4b51361e107f3dd47e5a1ecb56827",
    PIN_SEED: "f5af6b4447dd7bb41e526fec890b626fb5e86a8935bf484bfbacae853c1e986d",
}

EN_DASH = "\u2013"  # the seeds separate with an en dash, not a hyphen
PAGE_HEADER = f"PRIMĂRIA MUN. TÂRGU SECUIESC {EN_DASH} DIRECTIA DE ASISTENȚĂ SOCIALĂ"

# Keys whose values are codes, enumerations, dates or amounts chosen by us, not
# text copied from the seed. Each is checked by a dedicated test below.
NON_TEXT_KEYS = frozenset(
    {
        "language",  # "ro"
        "role",  # presedinte | secretar | membru, derived from `raw`
        "code",  # national indicator catalog code
        "unit",  # "număr", "persoane", "buc"...
        "comparator",  # at_least | exactly
        "currency",  # "RON"
        "start",  # ISO date, derived from period_text
        "end",  # ISO date, derived from period_text
        "budget_total",  # Decimal string, derived from "182.850 RON"
        "owner_county",  # "OLT", checked against the SIRUTA catalog
        "acronym",  # "ANPDC", the funder's official abbreviation
        "note",  # our own remarks about the data
        "selection",  # how demo localities were chosen
    }
)
# Keys whose text the seed writes in capitals (e.g. "PREȘEDINTE DE ȘEDINȚĂ").
CASE_INSENSITIVE_KEYS = frozenset({"function"})
# Keys checked by a dedicated test (the seed inflects the name: "Legii 156/2023").
SPECIAL_KEYS = frozenset({"legal_basis"})

INDICATOR_CATALOG = frozenset(
    {
        "children_identified",
        "children_registered",
        "families_identified",
        "counselling_sessions",
        "persons_counselled",
        "persons_trained",
        "campaigns",
        "information_materials",
        "parenting_workshops",
        "partnerships",
        "protocols_signed",
        "institutions_involved",
        "resource_databases",
        "volunteer_contracts",
        "service_plans_monitored",
        "evaluations",
        "day_centres_operating",
        "day_centres_created",
    }
)

ROMANIAN_MONTHS = {
    "ianuarie": 1,
    "februarie": 2,
    "martie": 3,
    "aprilie": 4,
    "mai": 5,
    "iunie": 6,
    "iulie": 7,
    "august": 8,
    "septembrie": 9,
    "octombrie": 10,
    "noiembrie": 11,
    "decembrie": 12,
}


# ---------------------------------------------------------------- helpers


def _load_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _strip_markdown(text: str) -> str:
    """Remove markdown emphasis markers (``**bold**``, ``*italic*``)."""
    return text.replace("**", "").replace("*", "")


def _norm(text: str) -> str:
    return normalise_whitespace(_strip_markdown(text))


def _table_lines(seed: str) -> list[str]:
    """The rows of the plan's table, page headers and blank lines left out."""
    lines = seed.split("\n")
    start = next(
        i for i, line in enumerate(lines) if line.startswith("Obiective strategice\t")
    )
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("---"):
            break
        if line.strip() and line.strip() != PAGE_HEADER:
            rows.append(line)
    return rows


def _table_columns(seed: str) -> list[str]:
    """Each column of the plan's table read top to bottom as one text.

    A cell cut by a page break (objective 3's title) becomes contiguous again.
    """
    columns: list[list[str]] = [[], [], [], []]
    for row in _table_lines(seed):
        for i, cell in enumerate(row.split("\t")):
            if cell.strip():
                columns[i].append(cell)
    return [_norm(" ".join(cells)) for cells in columns]


def _plan_haystacks() -> list[str]:
    seed = _read(PLAN_SEED)
    return [
        _norm(seed),
        _norm(seed.replace(PAGE_HEADER, " ")),
        *_table_columns(seed),
    ]


def _pin_haystacks() -> list[str]:
    return [_norm(_read(PIN_SEED))]


def _text_strings(node: Any, path: str = "$") -> Iterator[tuple[str, str, str]]:
    """Yield ``(json_path, key, value)`` for every string that is seed text."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in NON_TEXT_KEYS or key in SPECIAL_KEYS:
                continue
            if isinstance(value, str):
                yield f"{path}.{key}", key, value
            else:
                yield from _text_strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, str):
                yield f"{path}[{i}]", "", value
            else:
                yield from _text_strings(value, f"{path}[{i}]")


def _missing_strings(data: dict[str, Any], haystacks: list[str]) -> list[str]:
    folded = [h.casefold() for h in haystacks]
    missing = []
    for where, key, value in _text_strings(data):
        needle = _norm(value)
        assert needle, f"empty text at {where}"
        if key in CASE_INSENSITIVE_KEYS:
            found = any(needle.casefold() in h for h in folded)
        else:
            found = any(needle in h for h in haystacks)
        if not found:
            missing.append(f"{where}: {value!r}")
    return missing


def _siruta_rows() -> list[dict[str, str]]:
    with SIRUTA_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _activities(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for o in plan["strategic_objectives"] for a in o["activities"]]


def _indicators(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for a in _activities(plan) for i in a["indicators"]]


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return _load_json(PLAN_JSON)


@pytest.fixture(scope="module")
def pin() -> dict[str, Any]:
    return _load_json(PIN_JSON)


# ---------------------------------------------------------------- both


@pytest.mark.parametrize("seed", [PLAN_SEED, PIN_SEED], ids=["plan", "pin"])
def test_seed_copies_are_unchanged(seed: Path) -> None:
    assert hashlib.sha256(seed.read_bytes()).hexdigest() == SEED_SHA256[seed]


@pytest.mark.parametrize("path", [PLAN_JSON, PIN_JSON], ids=["plan", "pin"])
def test_json_is_utf8_indented_and_not_ascii_escaped(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    assert "\\u0" not in raw  # ensure_ascii=False: diacritics written as such
    assert raw.startswith("{\n  ")
    assert json.loads(raw)


def test_normalise_whitespace() -> None:
    assert normalise_whitespace(" a\t b\n\n c\u00a0d ") == "a b c d"
    assert normalise_whitespace("") == ""


# ---------------------------------------------------------------- plan


def test_plan_counts(plan: dict[str, Any]) -> None:
    assert len(plan["introduction"]) == 3
    assert plan["introduction"][-1].endswith("principii fundamentale:")
    assert len(plan["principles"]) == 10
    assert len(plan["specific_objectives"]) == 4
    assert [o["number"] for o in plan["strategic_objectives"]] == list(range(1, 9))
    assert [len(o["activities"]) for o in plan["strategic_objectives"]] == [
        2,
        2,
        3,
        3,
        1,
        1,
        1,
        1,
    ]
    assert len(_activities(plan)) == 14
    assert len(_indicators(plan)) == 18
    members = plan["council"]["members"]
    assert len(members) == 6
    assert Counter(m["role"] for m in members) == {
        "presedinte": 1,
        "secretar": 1,
        "membru": 4,
    }
    assert [m["role"] for m in members[:2]] == ["presedinte", "secretar"]


def test_plan_metadata(plan: dict[str, Any]) -> None:
    assert plan["siruta"] == 63740
    assert plan["year"] == 2026
    assert plan["language"] == "ro"
    assert plan["institution"] == PAGE_HEADER
    assert plan["title"].startswith("PLANUL DE DEZVOLTARE")
    assert plan["title"].endswith("ANUL 2026")
    assert "**" not in plan["title"]
    row = next(r for r in _siruta_rows() if r["SIRUTA"] == str(plan["siruta"]))
    assert row["DENLOC"] == "MUNICIPIUL TÂRGU SECUIESC"
    assert str(plan["year"]) in plan["title"]


def test_plan_legal_basis_is_only_what_the_seed_names(plan: dict[str, Any]) -> None:
    seed = _norm(_read(PLAN_SEED))
    assert plan["legal_basis"] == ["Legea 156/2023"]
    # The seed names the law once, in the genitive: "prevederile Legii 156/2023".
    assert re.findall(r"\bLeg\w* (?:nr\. )?\d+/\d{4}", seed) == ["Legii 156/2023"]


def test_every_plan_string_occurs_in_the_seed(plan: dict[str, Any]) -> None:
    assert _missing_strings(plan, _plan_haystacks()) == []


def test_plan_principles_are_the_bulleted_bold_items(plan: dict[str, Any]) -> None:
    seed = _read(PLAN_SEED)
    expected = re.findall(r"^- \*\*(.+?):\*\* (.+)$", seed, flags=re.MULTILINE)
    assert [(p["title"], p["text"]) for p in plan["principles"]] == expected
    for p in plan["principles"]:
        assert not p["title"].endswith(":")
        assert "*" not in p["title"]


def test_plan_table_matches_the_seed_cell_by_cell(plan: dict[str, Any]) -> None:
    seed = _read(PLAN_SEED)
    rows = [row.split("\t") for row in _table_lines(seed)]
    assert all(len(r) == 4 for r in rows)
    activities = _activities(plan)
    assert len(rows) == len(activities)
    for (_, activity_cell, responsible_cell, indicator_cell), activity in zip(
        rows, activities, strict=True
    ):
        assert activity["text"] == _norm(activity_cell)
        assert " ".join(activity["responsible"]) == _norm(responsible_cell)
        assert " ".join(i["label"] for i in activity["indicators"]) == _norm(
            indicator_cell
        )
        for label in (i["label"] for i in activity["indicators"]):
            assert label.startswith("Număr")
            assert label.count("Număr") == 1, f"two indicators left in one: {label!r}"
        for body in activity["responsible"]:
            assert body in {"DAS Târgu Secuiesc", "Furnizori ONG"}

    # Objective titles: first column, cells of a page-broken title rejoined.
    titles: list[str] = []
    for first, *_ in rows:
        if not first.strip():
            continue
        if re.match(r"^\d+\.? ", first):
            titles.append(_norm(first))
        else:
            titles[-1] = f"{titles[-1]} {_norm(first)}"
    expected = [re.sub(r"^\d+\.? ", "", t) for t in titles]
    assert [o["title"] for o in plan["strategic_objectives"]] == expected
    assert [int(re.match(r"^\d+", t).group()) for t in titles] == list(range(1, 9))
    assert plan["strategic_objectives"][2]["title"] == (
        "Creșterea gradului de conștientizare cu privire la "
        "importanța familiei și a relațiilor interpersonale"
    )
    assert plan["strategic_objectives"][4]["title"] == (
        "Implicarea de voluntari în programele de prevenție "
        "a separării familiale în următorii 2 ani"
    )
    assert "5 Implicarea de voluntari" in _norm(seed)  # no dot after 5 in the seed


def test_plan_keeps_the_seed_typos(plan: dict[str, Any]) -> None:
    texts = [a["text"] for a in _activities(plan)] + [
        i["label"] for i in _indicators(plan)
    ]
    joined = " | ".join(texts)
    for typo in ("pntu distribuie", "monitoriz.", "evaluari"):
        assert typo in joined


def test_plan_indicator_units_and_codes(plan: dict[str, Any]) -> None:
    indicators = _indicators(plan)
    assert {i["unit"] for i in indicators} == {"număr"}
    codes = [i["code"] for i in indicators]
    assert all(c is None or c in INDICATOR_CATALOG for c in codes)
    assert [(i["label"], i["code"]) for i in indicators] == [
        ("Număr de copii identificați", "children_identified"),
        ("Număr de copii identificați și înregistrați", "children_registered"),
        ("Număr de familii identificate și înregistrate", "families_identified"),
        ("Număr ședințe de consiliere", "counselling_sessions"),
        ("Număr persoane consiliate", "persons_counselled"),
        ("Număr persoane formate", "persons_trained"),
        ("Număr campanii realizate", "campaigns"),
        ("Număr materiale", "information_materials"),
        ("Număr ateliere organizate", "parenting_workshops"),
        ("Număr parteneriate încheiate", "partnerships"),
        ("Număr protocoale semnate", "protocols_signed"),
        ("Număr instituții implicate", "institutions_involved"),
        ("Număr baze de date create", "resource_databases"),
        ("Număr de contracte de voluntariat încheiate", "volunteer_contracts"),
        ("Număr de planuri monitoriz.", "service_plans_monitored"),
        ("Număr evaluari realizate", "evaluations"),
        ("Număr de centre de zi funcționale", "day_centres_operating"),
        ("Număr de centre de zi înființate", "day_centres_created"),
    ]


def test_plan_council_members_match_their_lines(plan: dict[str, Any]) -> None:
    council = plan["council"]
    assert council["name"] == "Consiliul Comunitar Consultativ"
    seed_lines = _read(PLAN_SEED).split("\n")
    roles = {"președinte": "presedinte", "secretar": "secretar", "membru": "membru"}
    for expected_position, member in enumerate(council["members"], start=1):
        assert member["position"] == expected_position
        line = next(
            x for x in seed_lines if x.startswith(f"{expected_position}. ") and "_" in x
        )
        assert line == f"{expected_position}. {member['raw']} _____"
        name, rest = member["raw"].split(f" {EN_DASH} ", 1)
        description, role = re.fullmatch(rf"(.+?)\s*{EN_DASH}\s*(\S+)", rest).groups()
        assert member["name"] == name
        assert member["description"] == description
        assert member["role"] == roles[role]
        assert member["institution"] in member["description"]
        assert "_" not in member["raw"]


def test_plan_signatories_follow_their_headings(plan: dict[str, Any]) -> None:
    seed = _norm(_read(PLAN_SEED))
    sig = plan["signatories"]
    assert (
        f"ÎNTOCMIT {sig['drawn_up_by']['name']} {sig['drawn_up_by']['function']}"
        in seed
    )
    assert f"PREȘEDINTE DE ȘEDINȚĂ {sig['chair_of_session']['name']}" in seed
    assert seed.endswith(f"SECRETAR GENERAL {sig['secretary_general']['name']}")
    assert sig["chair_of_session"]["function"].upper() == "PREȘEDINTE DE ȘEDINȚĂ"
    assert sig["secretary_general"]["function"].upper() == "SECRETAR GENERAL"


# ---------------------------------------------------------------- PIN


def test_pin_counts(pin: dict[str, Any]) -> None:
    project = pin["project"]
    assert len(project["objectives"]) == 4
    assert len(project["target_groups"]) == 3
    assert [a["number"] for a in project["activities"]] == list(range(1, 9))
    assert [len(a["steps"]) for a in project["activities"]] == [3, 0, 0, 0, 0, 0, 0, 0]
    assert len(project["results"]) == 7


def test_pin_programme_and_funder(pin: dict[str, Any]) -> None:
    seed = _norm(_read(PIN_SEED))
    programme = pin["programme"]
    assert programme["code"] == "PIN 2/2008"
    assert f"“{programme['name']} {EN_DASH} {programme['code']}”" in seed
    assert f"FINANȚATOR: {programme['funder']['name']}" in seed
    initials = "".join(
        w[0] for w in programme["funder"]["name"].split() if w[0].isupper()
    )
    assert programme["funder"]["acronym"] == initials == "ANPDC"


def test_pin_budget_and_period(pin: dict[str, Any]) -> None:
    project = pin["project"]
    seed = _norm(_read(PIN_SEED))
    budget = Decimal(project["budget_total"])
    assert budget == Decimal("182850.00")
    assert project["budget_total"] == "182850.00"
    amount, currency = re.search(r"BUGET PROIECT: ([\d.]+) (\w+)", seed).groups()
    assert Decimal(amount.replace(".", "")) == budget  # "182.850": dot = thousands
    assert project["currency"] == currency == "RON"

    assert f"PERIOADA DE DERULARE : {project['period_text']}" in seed
    (m1, y1), (m2, y2) = re.findall(r"(\w+) (\d{4})", project["period_text"])
    assert project["start"] == f"{y1}-{ROMANIAN_MONTHS[m1]:02d}-01"
    assert (y2, ROMANIAN_MONTHS[m2]) == ("2009", 12)
    assert project["end"] == "2009-12-31"
    assert project["start"] == "2008-11-01"


def test_pin_owner_county_from_siruta(pin: dict[str, Any]) -> None:
    project = pin["project"]
    county = next(r for r in _siruta_rows() if r["DENLOC"] == "JUDEȚUL OLT")
    assert project["owner_siruta"] == int(county["SIRUTA"]) == 289
    assert county["DENLOC"].endswith(project["owner_county"])
    assert project["title"].endswith("județul Olt")


def test_every_pin_string_occurs_in_the_seed(pin: dict[str, Any]) -> None:
    assert _missing_strings(pin, _pin_haystacks()) == []


def test_pin_activities_match_their_lines(pin: dict[str, Any]) -> None:
    lines = _read(PIN_SEED).split("\n")
    for activity in pin["project"]["activities"]:
        line = next(x for x in lines if x.startswith(f"{activity['number']}. *"))
        body = _norm(line.split(" ", 1)[1])
        assert body.startswith(activity["title"])
        assert body[len(activity["title"])] in ";:."
        if activity["detail"] is None:
            assert body[len(activity["title"]) :] in {";", ":", "."}
        else:
            assert body.endswith((activity["detail"], activity["detail"] + ";"))
        assert not activity["title"].endswith((";", ":", "."))
    first = pin["project"]["activities"][0]
    seed = _norm(_read(PIN_SEED))
    assert " ".join(first["steps"]) in seed.replace(" - ", " ")


def test_pin_results_and_indicators(pin: dict[str, Any]) -> None:
    project = pin["project"]
    activity_texts = [
        _norm(f"{a['title']} {a['detail'] or ''}") for a in project["activities"]
    ]
    expected_codes = [
        ["staff_employed"],
        ["councils_created", "councils_trained"],
        ["persons_trained"],
        ["workshops"],
        ["workshop_participants"],
        ["service_plans"],
        ["manual_printed", "leaflet_printed"],
    ]
    assert [
        [i["code"] for i in r["indicators"]] for r in project["results"]
    ] == expected_codes

    for result in project["results"]:
        text = result["text"]
        assert not text.endswith(";")
        for ind in result["indicators"]:
            assert ind["comparator"] in {"at_least", "exactly", None}
            assert isinstance(ind["deliverable"], bool)
            assert ind["label"] in text or any(
                ind["label"] in t for t in activity_texts
            )
            if ind["comparator"] == "at_least":
                assert f"cel puțin {ind['target']} " in text
            if ind["target"] is not None and "note" not in ind:
                assert re.search(rf"\b{ind['target']}\b", text) or ind["deliverable"]
            if ind["breakdown"]:
                assert sum(b["target"] for b in ind["breakdown"]) == ind["target"]
                for b in ind["breakdown"]:
                    assert b["label"] in text
                    assert b["label"].startswith(str(b["target"]))

    by_code = {i["code"]: i for r in project["results"] for i in r["indicators"]}
    assert (
        by_code["staff_employed"]["comparator"],
        by_code["staff_employed"]["target"],
    ) == ("at_least", 4)
    assert (
        by_code["councils_created"]["comparator"],
        by_code["councils_created"]["target"],
    ) == ("exactly", 20)
    assert by_code["councils_trained"]["target"] == 20
    assert (
        by_code["persons_trained"]["comparator"],
        by_code["persons_trained"]["target"],
    ) == ("at_least", 200)
    assert [b["target"] for b in by_code["persons_trained"]["breakdown"]] == [60, 140]
    assert by_code["workshop_participants"]["target"] == 100
    assert by_code["service_plans"]["target"] == 300

    # The result gives no number for workshops; the 20 comes from activity 6.
    workshops = by_code["workshops"]
    assert workshops["target"] == 20
    assert "activitatea 6" in workshops["note"]
    assert "organizarea a 20 de ateliere de lucru" in project["activities"][5]["detail"]

    for code in ("manual_printed", "leaflet_printed"):
        ind = by_code[code]
        assert (ind["unit"], ind["target"], ind["deliverable"]) == ("buc", 1, True)
    assert [c for c, i in by_code.items() if i["deliverable"]] == [
        "manual_printed",
        "leaflet_printed",
    ]


def test_pin_demo_localities_come_from_the_catalog(pin: dict[str, Any]) -> None:
    project = pin["project"]
    communes = [
        int(r["SIRUTA"])
        for r in _siruta_rows()
        if r["JUD"] == "28" and r["NIV"] == "2" and r["TIP"] == "3"
    ]
    participating = project["participating_localities"]
    assert participating["siruta"] == communes[:20]
    assert len(set(participating["siruta"])) == 20
    assert participating["note"]
    staff = project["staff_localities"]
    assert staff["activity"] == 3
    assert staff["siruta"] == participating["siruta"][:7]
    assert "7 persoane" in project["activities"][2]["detail"]
    assert (
        "20 de unități teritorial administrative" in project["activities"][4]["detail"]
    )
