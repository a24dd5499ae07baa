"""Progress per objective as an SVG drawn on the server (no script, no style attribute, no external service)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import escape

WIDTH = 720
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
ROW_GAP = 14
BAR_X = 0
BAR_WIDTH = 560
COVERAGE_FILL = "#2f6f4f"
TARGET_FILL = "#c77d1a"
TRACK_FILL = "#e4e7eb"
TEXT_FILL = "#1f2933"


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plain_percent(value: Decimal) -> str:
    return f"{value}%"


def _bar(
    y: int, percent: Decimal | None, fill: str, label: str, fmt: Callable[[Decimal], str] = _plain_percent
) -> list[str]:
    share = Decimal(0) if percent is None else max(Decimal(0), min(percent, Decimal(100)))
    width = int(BAR_WIDTH * share / 100)
    text = "—" if percent is None else fmt(percent)
    return [
        f'<rect x="{BAR_X}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" fill="{TRACK_FILL}" rx="2"/>',
        f'<rect x="{BAR_X}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{fill}" rx="2">'
        f"<title>{escape(label)}: {escape(text)}</title></rect>",
        f'<text x="{BAR_X + BAR_WIDTH + 8}" y="{y + BAR_HEIGHT - 3}" font-size="12" fill="{TEXT_FILL}">'
        f"{escape(label)}: {escape(text)}</text>",
    ]


def progress_svg(
    objectives: Sequence[dict[str, Any]],
    *,
    title: str = "Progresul pe obiective strategice",
    with_values: str = "indicatori cu valori",
    of_target: str = "din țintă",
    empty: str = "Planul nu are încă obiective.",
    fmt: Callable[[Decimal], str] = _plain_percent,
) -> str:
    """An SVG with one row per objective: the share of its indicators with values and, where targets
    exist, the mean % of target reached (capped at 100).

    The words and the number format are the caller's (the page passes them translated); the SVG's
    ``<title>`` and ``<desc>`` give screen readers the same figures as text.
    """
    parts: list[str] = []
    summary: list[str] = []
    y = 4
    for objective in objectives:
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="13" font-weight="bold" fill="{TEXT_FILL}">'
            f"{escape(objective['number'])}. {escape(_short(objective['title']))}</text>"
        )
        y += LABEL_HEIGHT + 2
        coverage = objective.get("coverage_percent")
        parts += _bar(y, coverage, COVERAGE_FILL, with_values, fmt)
        line = f"{objective['number']}. {with_values}: {'—' if coverage is None else fmt(coverage)}"
        y += BAR_HEIGHT + 4
        if objective.get("target_percent") is not None:
            parts += _bar(y, objective["target_percent"], TARGET_FILL, of_target, fmt)
            line += f"; {of_target}: {fmt(objective['target_percent'])}"
            y += BAR_HEIGHT + 4
        summary.append(line)
        y += ROW_GAP
    height = max(y, 30)
    if not objectives:
        parts.append(f'<text x="0" y="20" font-size="13" fill="{TEXT_FILL}">{escape(empty)}</text>')
        summary.append(empty)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plan-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="plan-chart-title plan-chart-desc">'
        f'<title id="plan-chart-title">{escape(title)}</title>'
        f'<desc id="plan-chart-desc">{escape(". ".join(summary))}</desc>' + "".join(parts) + "</svg>"
    )
