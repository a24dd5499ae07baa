"""Charts drawn on the server as SVG: no external service, no script, no style attribute.

The markup uses SVG presentation attributes only (``fill``, ``font-size``),
which the page's Content-Security-Policy (``style-src 'self'``) allows, and
carries a ``<title>`` and a ``<desc>`` so screen readers get the figures.
Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 760
LABEL_WIDTH = 230
VALUE_WIDTH = 110
ROW = 20
BAR = 14
TOP = 8
LINE = 14
CHAR_WIDTH = 6.6
"""Average width of a character at ``font-size="12"`` (a label longer than its room wraps onto a second line)."""
BAR_FILL = "#2f6f73"
TRACK_FILL = "#e3e8e8"
TARGET_FILL = "#b35c00"
TEXT_FILL = "#1d2626"


@dataclass(frozen=True)
class Layout:
    """The chart's width and the room of its labels and values (the dashboard uses a narrower one)."""

    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    value_width: int = VALUE_WIDTH

    @property
    def track(self) -> int:
        return self.width - self.label_width - self.value_width


WIDE = Layout()
NARROW = Layout(width=440, label_width=180, value_width=110)
"""Two charts side by side in a 1,120 px column at their own size; on a phone they shrink only a little."""


def _number(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.2f}".replace(".", ",")


def _lines(label: str, width: int, most: int = 2) -> list[str]:
    """``label`` wrapped at word ends to fit ``width`` pixels, at most ``most`` lines (the last one shortened)."""
    room = max(8, int((width - 8) / CHAR_WIDTH))
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1:])]
    if len(lines[-1]) > room:
        lines[-1] = lines[-1][: room - 1].rstrip() + "…"
    return lines or [""]


def _label(label: str, layout: Layout, y: float) -> tuple[str, int]:
    """The label's ``<text>`` right-aligned before the bar, and how many lines it took."""
    lines = _lines(label, layout.label_width, most=3)
    spans = "".join(
        f'<tspan x="{layout.label_width - 6}" dy="{0 if i == 0 else LINE}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (f'<text y="{y:.0f}" text-anchor="end" font-size="12" fill="{TEXT_FILL}">{spans}</text>', len(lines))


def _open(height: int, title: str, desc: str, ident: str, layout: Layout = WIDE) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {layout.width} {height}" '
        f'width="{layout.width}" height="{height}" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
    )


def bar_chart(items: Sequence[tuple[str, Decimal | int | None]], *, title: str, ident: str = "bars",
              layout: Layout = WIDE) -> Markup:
    """Horizontal bars, one per item (label, value); an item without a value gets no bar."""
    height = TOP * 2 + ROW * max(1, len(items))
    top = max((Decimal(v) for _, v in items if v is not None), default=Decimal(0))
    scale = layout.track / float(top) if top > 0 else 0.0
    desc = "; ".join(f"{label}: {_number(value)}" for label, value in items)
    parts = [_open(height, title, desc, ident, layout)]
    lx = layout.label_width
    for i, (label, value) in enumerate(items):
        y = TOP + i * ROW
        short = _lines(label, lx, most=1)[0]
        parts.append(
            f'<text x="{lx - 6}" y="{y + BAR - 2}" text-anchor="end" font-size="12" '
            f'fill="{TEXT_FILL}">{escape(short)}</text>'
        )
        length = 0.0 if value is None else max(0.0, float(Decimal(value)) * scale)
        if length > 0:
            parts.append(f'<rect x="{lx}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{BAR_FILL}"/>')
        parts.append(
            f'<text x="{lx + length + 4:.1f}" y="{y + BAR - 2}" font-size="12" '
            f'fill="{TEXT_FILL}">{escape(_number(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def ranked(items: Sequence[tuple[str, Decimal | int | None]]) -> list[tuple[str, Decimal | int]]:
    """The items that have a value, largest first (a stable sort: equal values keep the given order)."""
    present = [(label, value) for label, value in items if value is not None]
    return sorted(present, key=lambda item: Decimal(item[1]), reverse=True)


def ranked_bar_chart(items: Sequence[tuple[str, Decimal | int | None]], *, title: str,
                     ident: str = "ranked") -> Markup | None:
    """A sorted horizontal bar chart of the items that have a value; ``None`` when none has one.

    The caller shows an empty state in words instead of a chart of dashes.
    """
    shown = ranked(items)
    if not shown or all(Decimal(v) == 0 for _, v in shown):
        return None
    return bar_chart(shown, title=title, ident=ident)


def progress_chart(items: Sequence[tuple[str, int | Decimal, int | None]], *, title: str, ident: str = "progress",
                   no_target: str = "no target", layout: Layout = WIDE) -> Markup:
    """One track per target (label, value, target): the bar shows the share reached, the text the figures.

    An item whose target is ``None`` (the county has not set one) gets its
    value and ``no_target`` in words, and no track. Long labels wrap onto a
    second line.
    """
    desc = "; ".join(
        f"{label}: {_number(value)} / {_number(target)}" if target is not None
        else f"{label}: {_number(value)} ({no_target})"
        for label, value, target in items
    )
    lx, track = layout.label_width, layout.track
    parts: list[str] = []
    y = TOP
    for label, value, target in items:
        text, lines = _label(label, layout, y + BAR)
        parts.append(text)
        if target is None:
            parts.append(f'<text x="{lx}" y="{y + BAR}" font-size="12" fill="{TEXT_FILL}">'
                         f"{escape(f'{_number(value)} ({no_target})')}</text>")
        else:
            share = 1.0 if target <= 0 else min(1.0, float(value) / float(target))
            percent = round(share * 100)
            parts.append(f'<rect x="{lx}" y="{y}" width="{track}" height="{BAR + 4}" fill="{TRACK_FILL}"/>')
            if share > 0:
                parts.append(
                    f'<rect x="{lx}" y="{y}" width="{share * track:.1f}" height="{BAR + 4}" fill="{BAR_FILL}"/>'
                )
            parts.append(
                f'<rect x="{lx + track - 2}" y="{y - 2}" width="2" height="{BAR + 8}" fill="{TARGET_FILL}"/>'
                f'<text x="{lx + track + 6}" y="{y + BAR}" font-size="12" fill="{TEXT_FILL}">'
                f"{escape(f'{_number(value)} / {_number(target)} ({percent}%)')}</text>"
            )
        y += ROW + 10 + LINE * (lines - 1)
    height = int(y + TOP)
    return Markup(_open(height, title, desc, ident, layout) + "".join(parts) + "</svg>")  # noqa: S704 - escaped
