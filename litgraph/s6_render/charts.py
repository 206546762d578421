"""Small charts drawn at build time as inline SVG (no script: readable offline and in print): a theme's
timeline (its works and their claims by year) and a contested question's sides (for / against / qualifies).

This module works out the geometry only (numbers and the words to show); templates/charts.html draws it,
with jinja2's escaping, so no input text reaches the page unescaped.
"""

from __future__ import annotations

from typing import Any

from litgraph.s4_analyse.contested import STANCES, ContestedGroup

TIMELINE_WIDTH, TIMELINE_HEIGHT, AXIS, HEAD = 640, 150, 22, 16  # the plot: the height less the axis and head
BAR_WIDTH, BAR_HEIGHT = 480, 22
COLOURS = {"works": "#7aa6d6", "claims": "#1f4e79", "for": "#2e7d32", "against": "#c62828", "qualifies": "#f9a825"}


def timeline_chart(rows: list[list[int]]) -> dict[str, Any] | None:
    """A bar pair per year (works, and their claims on the theme) from [[year, works, claims]]; None when
    no work has a year."""
    if not rows:
        return None
    first, last = rows[0][0], rows[-1][0]
    span = last - first + 1
    step = TIMELINE_WIDTH / span
    top = max(max(works, claims) for _, works, claims in rows)
    plot = TIMELINE_HEIGHT - AXIS
    bar = max(step / 2 - 0.5, 0.5)
    bars = []
    for year, works, claims in rows:
        x = (year - first) * step
        for offset, (series, value) in enumerate((("works", works), ("claims", claims))):
            height = (plot - HEAD) * value / top
            bars.append({"series": series, "year": year, "value": value, "x": round(x + offset * bar, 2),
                         "y": round(plot - height, 2), "width": round(bar, 2), "height": round(height, 2),
                         "colour": COLOURS[series]})  # fmt: skip
    if span <= 12:
        ticks = list(range(first, last + 1))
    else:  # the first and last years, and the decades not too near them (labels never overlap)
        ticks = [first, *(y for y in range(first + 1, last) if y % 10 == 0 and min(y - first, last - y) >= 5), last]
    return {
        "width": TIMELINE_WIDTH, "height": TIMELINE_HEIGHT, "plot": plot, "bars": bars, "top": top,
        "ticks": [{"year": y, "x": round((y - first + 0.5) * step, 2)} for y in ticks],
        "works": sum(r[1] for r in rows), "claims": sum(r[2] for r in rows), "first": first, "last": last,
        "colours": COLOURS,
    }  # fmt: skip


def sides_chart(group: ContestedGroup) -> dict[str, Any] | None:
    """A bar in three parts (for / against / qualifies: how many claims take each side) for a contested
    question; None for a dispute between claims."""
    if group.kind != "question":
        return None
    counts = {side.stance: len(side.claims) for side in group.sides}
    total = sum(counts.values()) or 1
    parts, x = [], 0.0
    for stance in STANCES:
        n = counts.get(stance, 0)
        width = BAR_WIDTH * n / total
        parts.append(
            {"stance": stance, "claims": n, "x": round(x, 2), "width": round(width, 2), "colour": COLOURS[stance]}
        )
        x += width
    return {"width": BAR_WIDTH, "height": BAR_HEIGHT, "parts": parts, "total": sum(counts.values())}
