"""Where the map's themes stand, so that the map opens on a picture a person can read.

Themes that share works are pulled together (a spring layout of the themes, weighted by the works they
share and by the theme tree); then, keeping that order, they are set in rows of cells about the size of a
name (px at the opening zoom: the page draws names at a fixed size in pixels and wraps a theme's at
NAME_WIDTH), so that no theme's name can touch another's and the rows of 40 themes fit the map on a
laptop's screen. Works stand around their themes (mapdata); the page picks which names to show at each
zoom (map_labels.js).
"""

from __future__ import annotations

import itertools
import math
import sqlite3
from collections import defaultdict
from collections.abc import Mapping

VIEW = (800.0, 760.0)  # width, height (px at the opening zoom) that the themes take
COLUMNS = 5  # themes in a row (the rows are as many as it takes)
CELL = 160.0  # px: a theme's cell in its row (its name wraps at NAME_WIDTH px, its padding included)
NAME_WIDTH = 144.0
CHAR = 7.0  # px per character of a theme's label (12 px semibold system-ui, generously)
LINE = 16.0  # px: a label's line
GAP = 8.0  # px kept free below every row
SAMPLE = 20_000  # claims whose works tell which themes go together


def theme_size(claims: int) -> float:
    """A theme's radius (px at the opening zoom): larger with more claims, slowly."""
    return 4 + 1.6 * math.log2(1 + claims)


def shared_works(db: sqlite3.Connection) -> dict[tuple[str, str], int]:
    """How many works each pair of themes shares (a work shares the themes of its claims), counted over the
    first SAMPLE claims by id: enough to tell which themes go together, in a time that does not grow with
    the project (the same claims for the same inputs, however the state was made)."""
    rows = db.execute(
        """SELECT c.source, t.theme FROM (SELECT id, source FROM claims ORDER BY id LIMIT ?) c
           JOIN claim_themes t ON t.id = c.id WHERE t.theme IS NOT NULL""",
        (SAMPLE,),
    )
    themes: dict[str, set[str]] = defaultdict(set)
    for work, theme in rows:
        themes[work].add(theme)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for found in themes.values():
        for pair in itertools.combinations(sorted(found), 2):
            shared[pair] += 1
    return dict(shared)


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


def _spring(
    ids: list[str], shared: Mapping[tuple[str, str], int], broader: Mapping[str, list[str]]
) -> dict[str, tuple[float, float]]:
    """igraph's Fruchterman-Reingold layout of the themes, weighted by the works they share and by the
    theme tree, from a circle, with a random number generator of its own (the same places every time)."""
    import random

    import igraph  # (builds only; a tenth of a second, where networkx takes half a second to import)

    index = {t: i for i, t in enumerate(ids)}
    weights: dict[tuple[int, int], float] = defaultdict(float)
    for (a, b), n in sorted(shared.items()):
        if a in index and b in index:
            weights[(index[a], index[b])] += math.log2(1 + n)
    for theme in ids:
        for parent in broader.get(theme, []):
            if parent in index:
                weights[tuple(sorted((index[theme], index[parent])))] += 1.0  # type: ignore[index]
    edges = sorted(weights)
    graph = igraph.Graph(n=len(ids), edges=edges)
    start = [[math.cos(2 * math.pi * i / len(ids)), math.sin(2 * math.pi * i / len(ids))] for i in range(len(ids))]
    igraph.set_random_number_generator(random.Random(7))
    try:
        placed = graph.layout_fruchterman_reingold(
            weights=[weights[e] for e in edges] or None, seed=start, niter=500, grid="nogrid"
        )
    finally:
        igraph.set_random_number_generator(random)
    return {t: (float(placed[i][0]), float(placed[i][1])) for t, i in index.items()}


def theme_positions(
    labels: Mapping[str, Mapping[str, str]],
    claims: Mapping[str, int],
    shared: Mapping[tuple[str, str], int],
    broader: Mapping[str, list[str]],
) -> dict[str, tuple[float, float]]:
    """The themes' places (px at the opening zoom, centred on 0,0): themes sharing works near each other,
    each theme's node and label clear of every other's."""
    ids = sorted(labels)
    if not ids:
        return {}
    placed = _spring(ids, shared, broader)
    order = sorted(ids, key=lambda t: (float(placed[t][1]), t))
    columns = min(COLUMNS, max(1, math.ceil(math.sqrt(len(ids)))))
    for i in range(0, len(order), columns):
        order[i : i + columns] = sorted(order[i : i + columns], key=lambda t: (float(placed[t][0]), t))
    radius = {t: theme_size(claims.get(t, 0)) for t in ids}
    lines = {t: max(_lines(v) for v in [*labels[t].values(), t]) for t in ids}
    pos = _grid(order, radius, lines)
    return {t: (round(pos[t][0], 1), round(pos[t][1], 1)) for t in ids}
