"""The report's charts as inline SVG, drawn here: black, grey and white only (they print on any
printer), every figure written beside its bar, no text inside a mirrored drawing (so Arabic
is shaped and read right to left by the page itself). A chart library would not shape Arabic
(matplotlib draws its letters one by one), and the page needs nothing but its own HTML.

A bar or an interval is a small SVG in a table cell: the label and the figure are the table's
text, so they wrap instead of being cut, and follow the page's direction; the stylesheet
mirrors the bars themselves on a right-to-left page.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 200  # a bar's drawing width, in the viewBox's units


def bar(value: float, maximum: float) -> Markup:
    """A horizontal bar, as long as value / maximum."""
    length = WIDTH * value / maximum if maximum > 0 else 0.0
    return Markup(
        f'<svg class="bar" viewBox="0 0 {WIDTH} 12" preserveAspectRatio="none" '
        f'aria-hidden="true"><rect x="0" y="1" width="{length:.1f}" height="10" '
        f'fill="#404040" stroke="#000" stroke-width="0.5"/></svg>'
    )


def interval(rate: float | None, low: float, high: float) -> Markup:
    """The agree share as a grey bar on a 0-100 % frame, its 95 % interval as a black line
    with end ticks over it, and a dashed mark at one half."""
    x = WIDTH * (rate or 0.0)
    x0, x1 = WIDTH * low, WIDTH * high
    half = WIDTH / 2
    return Markup(
        f'<svg class="bar interval" viewBox="0 0 {WIDTH} 16" preserveAspectRatio="none" '
        f'aria-hidden="true">'
        f'<rect x="0.5" y="3" width="{WIDTH - 1}" height="10" fill="#fff" stroke="#000" '
        f'stroke-width="0.5"/>'
        f'<rect x="0.5" y="3" width="{max(x - 0.5, 0):.1f}" height="10" fill="#a0a0a0"/>'
        f'<line x1="{half}" y1="0" x2="{half}" y2="16" stroke="#000" stroke-width="0.6" '
        f'stroke-dasharray="2 2"/>'
        f'<line x1="{x0:.1f}" y1="8" x2="{x1:.1f}" y2="8" stroke="#000" stroke-width="1.6"/>'
        f'<line x1="{x0:.1f}" y1="4" x2="{x0:.1f}" y2="12" stroke="#000" stroke-width="1.6"/>'
        f'<line x1="{x1:.1f}" y1="4" x2="{x1:.1f}" y2="12" stroke="#000" stroke-width="1.6"/>'
        f"</svg>"
    )


def columns(points: Sequence[tuple[str, int, str]], rtl: bool, title: str) -> Markup:
    """Columns over time: (label under it, value, the value as written) each, oldest first
    (on the right when the page reads right to left). Every value is written on its column;
    labels are written under one column in `step`, and the figures upright when the columns
    are many, so that nothing overlaps."""
    if not points:
        return Markup("")
    n = len(points)
    upright = n > 12  # many columns: each figure turned upright above its column, never crowded
    width, height, bottom, side = 640, 220, 34, 36  # side: room for a label's half
    top = 44 if upright else 22
    slot = (width - 2 * side) / n
    highest = max(v for _, v, _ in points) or 1
    step = max(1, round(n / 8))
    parts = [
        f'<svg class="columns" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">'
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        f'stroke="#000" stroke-width="1"/>'
    ]
    for i, (label, value, shown) in enumerate(points):
        place = n - 1 - i if rtl else i
        h = (height - top - bottom) * value / highest
        x = side + place * slot + slot * 0.15
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="#404040" stroke="#000" stroke-width="0.5"/>'
        )
        centre = side + place * slot + slot / 2
        if value and upright:
            parts.append(
                f'<text x="{centre + 4:.1f}" y="{y - 3:.1f}" font-size="10" '
                f'transform="rotate(-90 {centre + 4:.1f} {y - 3:.1f})">{escape(shown)}</text>'
            )
        elif value:
            parts.append(
                f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                f'font-size="11">{escape(shown)}</text>'
            )
        if i % step == 0:
            parts.append(
                f'<text x="{centre:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'font-size="11">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
