"""Server-side SVG charts: escaped text, bars proportional to the values, nothing the CSP would block."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree

from plugins.county_overview.charts import bar_chart, progress_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_valid_svg_with_escaped_labels_and_proportional_bars() -> None:
    svg = bar_chart([("Balș <script>", Decimal(10)), ("Caracal & co", Decimal(5)), ("Fără date", None)],
                    title="Persoane formate")
    root = ElementTree.fromstring(str(svg))  # noqa: S314 - our own output
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Balș <script>" in texts and "Caracal & co" in texts and "—" in texts
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert len(widths) == 2 and widths[0] == 2 * widths[1]
    assert "<script" not in str(svg) and "style" not in str(svg)
    assert root.find(f"{SVG}title").text == "Persoane formate"


def test_progress_chart_caps_the_bar_and_states_the_figures() -> None:
    svg = str(progress_chart([("Consilii", 25, 20), ("Membri instruiți", 35, 140)], title="Ținte"))
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output
    assert "25 / 20 (100%)" in svg and "35 / 140 (25%)" in svg
    tracks = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("fill") == "#2f6f73"]
    assert tracks[0] > tracks[1] and re.search(r"Membri instruiți: 35 / 140", svg)
