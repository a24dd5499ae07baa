"""Charts drawn on the server as SVG: no external service, no script, no style attribute.

The markup uses SVG presentation attributes only (``fill``, ``font-size``),
which the page's Content-Security-Policy (``style-src 'self'``) allows, and
carries a ``<title>`` and a ``<desc>`` so screen readers get the figures.
Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 760
LABEL_WIDTH = 230
VALUE_WIDTH = 110
ROW = 20
BAR = 14
TOP = 8
BAR_FILL = "#2f6f73"
TRACK_FILL = "#e3e8e8"
TARGET_FILL = "#b35c00"
TEXT_FILL = "#1d2626"


def _number(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.2f}".replace(".", ",")


def _open(height: int, title: str, desc: str, ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
    )


def bar_chart(items: Sequence[tuple[str, Decimal | int | None]], *, title: str, ident: str = "bars") -> Markup:
    """Horizontal bars, one per item (label, value); an item without a value gets no bar."""
    height = TOP * 2 + ROW * max(1, len(items))
    top = max((Decimal(v) for _, v in items if v is not None), default=Decimal(0))
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / float(top) if top > 0 else 0.0
    desc = "; ".join(f"{label}: {_number(value)}" for label, value in items)
    parts = [_open(height, title, desc, ident)]
    for i, (label, value) in enumerate(items):
        y = TOP + i * ROW
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR - 2}" text-anchor="end" font-size="12" '
            f'fill="{TEXT_FILL}">{escape(label)}</text>'
        )
        length = 0.0 if value is None else max(0.0, float(Decimal(value)) * scale)
        if length > 0:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{BAR_FILL}"/>')
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + BAR - 2}" font-size="12" '
            f'fill="{TEXT_FILL}">{escape(_number(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def progress_chart(items: Sequence[tuple[str, int, int]], *, title: str, ident: str = "progress") -> Markup:
    """One track per target (label, value, target): the bar shows the share reached, the text the figures."""
    row = ROW + 10
    height = TOP * 2 + row * max(1, len(items))
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    desc = "; ".join(f"{label}: {value} / {target}" for label, value, target in items)
    parts = [_open(height, title, desc, ident)]
    for i, (label, value, target) in enumerate(items):
        y = TOP + i * row
        share = 1.0 if target <= 0 else min(1.0, value / target)
        percent = round(share * 100)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR}" text-anchor="end" font-size="12" '
            f'fill="{TEXT_FILL}">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{track}" height="{BAR + 4}" fill="{TRACK_FILL}"/>'
        )
        if share > 0:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{share * track:.1f}" height="{BAR + 4}" fill="{BAR_FILL}"/>'
            )
        parts.append(
            f'<rect x="{LABEL_WIDTH + track - 2}" y="{y - 2}" width="2" height="{BAR + 8}" fill="{TARGET_FILL}"/>'
            f'<text x="{LABEL_WIDTH + track + 6}" y="{y + BAR}" font-size="12" fill="{TEXT_FILL}">'
            f"{escape(f'{value} / {target} ({percent}%)')}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
