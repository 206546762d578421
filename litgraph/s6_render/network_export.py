"""The graph as a networkx graph, for GraphML and GEXF (Gephi, Cytoscape)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from litgraph.plumbing.files import atomic_file


def to_networkx(document: dict[str, Any]) -> nx.MultiDiGraph:
    """The map's nodes (themes, works and claims: attribute `kind`) and its source/theme/cites/supports/
    disputes edges (`document`: s6_render.mapdata's whole map, placed).

    Attribute values are strings and numbers only: the GraphML and GEXF writers reject None, lists and dicts.
    """
    graph = nx.MultiDiGraph()
    for node in document["nodes"]:
        detail = document["details"].get(node["id"], {})
        attributes = {
            "kind": node["kind"],
            "label": str(node["label"]),
            "x": float(node["x"]),
            "y": float(node["y"]),
            "size": float(node["size"]),
        }
        for name in ("title", "year", "text", "locator", "evidence", "doi", "reference"):
            value = detail.get(name)
            if value is not None:
                attributes[name] = value if isinstance(value, int | float) else str(value)
        graph.add_node(node["id"], **attributes)
    for edge in document["edges"]:
        graph.add_edge(edge["from"], edge["to"], kind=edge["kind"])
    return graph


def write_network(document: dict[str, Any], path: Path, fmt: str) -> None:
    """Write GraphML or GEXF through a temporary file, so a failed write leaves no empty file."""
    graph = to_networkx(document)
    with atomic_file(path) as handle:
        if fmt == "graphml":
            nx.write_graphml(graph, handle)
        else:
            nx.write_gexf(graph, handle)
