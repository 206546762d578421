"""The thin adapter around pyvis: the vis-network files it ships, and the network options.

litgraph builds node and edge lists itself (pyvis's add_node is quadratic) and writes its own page
(pyvis's templates pull files from a CDN, and its tooltips and menus are unsafe with input text).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any


def asset_files() -> dict[str, Path]:
    """vis-network's script and stylesheet as shipped inside the pyvis package (no network needed). The
    package is found, not imported: importing it loads networkx, which costs a quick build 0.4 s."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the pyvis package is not installed; reinstall litgraph")
    folder = Path(spec.origin).parent / "lib"
    found = sorted(folder.glob("vis-*/vis-network.min.js"))
    if not found:
        raise FileNotFoundError(f"vis-network.min.js not found under {folder}; reinstall pyvis")
    script = found[-1]
    return {"vis-network.min.js": script, "vis-network.css": script.with_name("vis-network.css")}


def options(large: bool) -> dict[str, Any]:
    """Network options: positions come precomputed, so physics stays off and the page is usable at once."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": not large,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "tooltipDelay": 200,
            "navigationButtons": False,
        },
        "edges": {"smooth": False, "width": 1, "selectionWidth": 2},
        "nodes": {"borderWidth": 1, "font": {"size": 12, "face": "system-ui, sans-serif"}},
    }
