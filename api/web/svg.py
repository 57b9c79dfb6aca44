"""Horizontal bar charts as inline SVG, written on the server (no chart library, no script).

Why horizontal bars: the names (locations, companies, schools) are long, and read best on
the left of their bar, also on a tablet. Every chart carries its ``<title>`` and a ``<desc>``
that says every number in words, so a screen reader or a text browser reads the same as the
eye; the pages also put a table beside each chart. Colours come from classes styled in
web.css (the CSP allows no inline style), and every bar has its number written next to it,
so colour is never the only cue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 820
LABEL_WIDTH = 290  # the names' column
NUMBER_WIDTH = 190  # room right of the longest bar for its number
ROW = 30
BAR = 18
TOP = 12
AXIS = 52  # ticks, their numbers and the axis label
MAX_LABEL = 36  # characters; a longer name is cut with an ellipsis (its full name in <title>)


@dataclass(frozen=True)
class Bar:
    """One row: ``value`` on the axis's scale, ``text`` the number written next to it.

    ``more`` is an optional second segment drawn after ``value`` in a lighter colour (the
    pupils planned on top of those reached, say).
    """

    label: str
    value: float
    text: str
    more: float = 0.0


def nice_maximum(value: float) -> float:
    """The axis's end: ``value`` rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always ends at 10


def _number(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:.0f}"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    axis: str,
    bars: list[Bar],
    maximum: float | None = None,
    target: float | None = None,
    target_text: str = "",
    ticks: int = 4,
) -> Markup:
    """An ``<svg>`` of ``bars`` from 0 to ``maximum`` (rounded up from the largest bar when
    None), with ``axis`` below it and, when ``target`` is given, a dashed line labelled
    ``target_text`` at it."""
    top = max([b.value + b.more for b in bars] + [target or 0.0])
    end = maximum if maximum is not None else nice_maximum(top)
    end = max(end, top) or 1.0
    plot = WIDTH - LABEL_WIDTH - NUMBER_WIDTH
    height = TOP + ROW * max(len(bars), 1) + AXIS + (18 if target is not None else 0)

    def x(value: float) -> float:
        return round(LABEL_WIDTH + plot * value / end, 1)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(desc)}</desc>',
    ]
    bottom = TOP + ROW * max(len(bars), 1)
    for i in range(ticks + 1):
        value = end * i / ticks
        at = x(value)
        out.append(
            f'<line class="tick" x1="{at}" y1="{TOP - 4}" x2="{at}" y2="{bottom}"/>'
            f'<text class="tick-text" x="{at}" y="{bottom + 16}" text-anchor="middle">'
            f"{escape(_number(round(value, 2)))}</text>"
        )
    out.append(
        f'<text class="axis-label" x="{LABEL_WIDTH + plot / 2}" y="{bottom + 38}" '
        f'text-anchor="middle">{escape(axis)}</text>'
    )
    for row, bar in enumerate(bars):
        y = TOP + row * ROW + (ROW - BAR) / 2
        middle = y + BAR / 2 + 5
        width = max(x(bar.value) - LABEL_WIDTH, 0.0)
        out.append(f'<g class="bar-row" data-label="{escape(bar.label)}">')
        out.append(
            f'<text class="bar-label" x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end">'
            f"<title>{escape(bar.label)}</title>{escape(_short(bar.label))}</text>"
        )
        out.append(
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR}" '
            f'data-value="{escape(_number(round(bar.value, 2)))}"/>'
        )
        right = LABEL_WIDTH + width
        if bar.more > 0:
            extra = max(x(bar.value + bar.more) - LABEL_WIDTH - width, 0.0)
            out.append(
                f'<rect class="bar more" x="{right}" y="{y}" width="{extra}" height="{BAR}" '
                f'data-value="{escape(_number(round(bar.more, 2)))}"/>'
            )
            right += extra
        out.append(
            f'<text class="bar-number" x="{right + 6}" y="{middle}">{escape(bar.text)}</text>'
        )
        out.append("</g>")
    if target is not None:
        at = x(target)
        out.append(
            f'<line class="target" x1="{at}" y1="{TOP - 6}" x2="{at}" y2="{bottom + 4}"/>'
            f'<text class="target-text" x="{at}" y="{height - 4}" text-anchor="middle">'
            f"{escape(target_text)}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))
