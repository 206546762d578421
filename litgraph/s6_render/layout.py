"""Where the map's themes stand, so that the map opens on a picture a person can read.

Themes that share works are pulled together (a spring layout of the themes, weighted by the works they
share and by the theme tree); then, keeping that order, they are set in rows of cells about the size of a
name (px at the opening zoom: the page draws names at a fixed size in pixels and wraps a theme's at
NAME_WIDTH), so that no theme's name can touch another's and the rows of 40 themes fit the map on a
laptop's screen. Works stand around their themes (mapdata); the page picks which names to show at each
zoom (map_labels.js).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping

VIEW = (800.0, 760.0)  # width, height (px at the opening zoom) that the themes take
COLUMNS = 5  # themes in a row (the rows are as many as it takes)
CELL = 160.0  # px: a theme's cell in its row (its name wraps at NAME_WIDTH px, its padding included)
NAME_WIDTH = 144.0
CHAR = 7.0  # px per character of a theme's label (12 px semibold system-ui, generously)
LINE = 16.0  # px: a label's line
GAP = 8.0  # px kept free below every row


def theme_size(claims: int) -> float:
    """A theme's radius (px at the opening zoom): larger with more claims, slowly."""
    return 4 + 1.6 * math.log2(1 + claims)


def shared_works(db: sqlite3.Connection) -> dict[tuple[str, str], int]:
    """How many works each pair of themes shares (a work shares the themes of its claims)."""
    rows = db.execute(
        """WITH wt AS (SELECT DISTINCT c.source AS w, t.theme AS theme FROM claims c
                       JOIN claim_themes t ON t.id = c.id WHERE t.theme IS NOT NULL)
           SELECT a.theme, b.theme, count(*) FROM wt a JOIN wt b ON a.w = b.w AND a.theme < b.theme
           GROUP BY a.theme, b.theme"""
    )
    return {(a, b): n for a, b, n in rows}


def _lines(label: str) -> int:
    """How many lines a theme's name takes on the page (it wraps at NAME_WIDTH px)."""
    return max(1, min(3, math.ceil(CHAR * len(label) / NAME_WIDTH)))


def _grid(order: list[str], radius: Mapping[str, float], lines: Mapping[str, int]) -> dict[str, list[float]]:
    """Themes (sorted top to bottom by their spring places) in rows of COLUMNS cells, each row sorted left
    to right, every other row moved by a quarter cell; a row as tall as its tallest theme and name."""
    columns = min(COLUMNS, max(1, math.ceil(math.sqrt(len(order)))))
    rows = [order[i : i + columns] for i in range(0, len(order), columns)]
    pos, y = {}, 0.0
    for number, row in enumerate(rows):
        top = max(radius[t] for t in row)
        height = max(2 * radius[t] + 4 + LINE * lines[t] for t in row) + GAP
        shift = (number % 2) * CELL / 4 - CELL / 8
        for i, theme in enumerate(row):
            pos[theme] = [(i - (len(row) - 1) / 2) * CELL + shift, y + top]
        y += height
    return {t: [x, yy - y / 2] for t, (x, yy) in pos.items()}


def theme_positions(
    labels: Mapping[str, Mapping[str, str]],
    claims: Mapping[str, int],
    shared: Mapping[tuple[str, str], int],
    broader: Mapping[str, list[str]],
) -> dict[str, tuple[float, float]]:
    """The themes' places (px at the opening zoom, centred on 0,0): themes sharing works near each other,
    each theme's node and label clear of every other's."""
    import networkx as nx  # (once per build: 40 themes or so)

    ids = sorted(labels)
    if not ids:
        return {}
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    for (a, b), n in sorted(shared.items()):
        if a in labels and b in labels:
            graph.add_edge(a, b, weight=math.log2(1 + n))
    for theme in ids:
        for parent in broader.get(theme, []):
            if parent in labels:
                weight = graph.get_edge_data(theme, parent, {}).get("weight", 0.0)
                graph.add_edge(theme, parent, weight=weight + 1.0)
    start = {t: (math.cos(2 * math.pi * i / len(ids)), math.sin(2 * math.pi * i / len(ids))) for i, t in enumerate(ids)}
    placed = nx.spring_layout(graph, pos=start, k=1.6 / math.sqrt(len(ids)), iterations=200, seed=7, weight="weight")
    order = sorted(ids, key=lambda t: (float(placed[t][1]), t))
    columns = min(COLUMNS, max(1, math.ceil(math.sqrt(len(ids)))))
    for i in range(0, len(order), columns):
        order[i : i + columns] = sorted(order[i : i + columns], key=lambda t: (float(placed[t][0]), t))
    radius = {t: theme_size(claims.get(t, 0)) for t in ids}
    lines = {t: max(_lines(v) for v in [*labels[t].values(), t]) for t in ids}
    pos = _grid(order, radius, lines)
    return {t: (round(pos[t][0], 1), round(pos[t][1], 1)) for t in ids}
