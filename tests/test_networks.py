"""Stage: networks of works (s4_analyse/networks.py): citations, co-citation, coupling, Leiden clusters, and
their GraphML and GEXF exports read back by igraph and networkx."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph
import networkx as nx
import pytest
from click.testing import CliRunner

from litgraph import build, open_project
from litgraph.cli.main import main
from litgraph.s4_analyse.networks import Edge, clusters_of, leiden_clusters, network

from .conftest import MakeProject

BIB = "\n".join(
    f"@article{{{key}, author = {{{family}, Anne}}, title = {{Work {key}}}, journal = {{J}}, year = {year}}}"
    for key, family, year in [("a2001", "Aaland", 2001), ("b2002", "Berg", 2002), ("c2003", "Carlsen", 2003),
                              ("x1990", "Xu", 1990), ("y1991", "Yates", 1991), ("z1992", "Zahl", 1992)]
)  # fmt: skip
# a and b cite x and y; c cites y and z; a claim of x is read in a (so a cites x through it as well)
CITATIONS = """
citations:
  - {citing: a2001, cites: [y1991]}
  - {citing: b2002, cites: [x1990, y1991]}
  - {citing: c2003, cites: [y1991, z1992]}
"""
CLAIMS = """
claims:
  - {id: x-in-a, source: x1990, reported_in: a2001, text: X found it., lang: en, themes: [trust]}
"""
FILES = {"bibliography/refs.bib": BIB, "bibliography/citations/c.yaml": CITATIONS, "bibliography/claims/c.yaml": CLAIMS}
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    root = make_project(FILES)
    build(open_project(root))
    return root


def _db(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / ".litgraph" / "state.sqlite")


def _edges(found: list[Edge]) -> list[tuple[str, str, int, tuple[str, ...], tuple[str, ...]]]:
    return [(e.source, e.target, e.weight, e.works, e.claims) for e in found]


def test_citation_cocitation_and_coupling_with_what_is_behind_each_edge(project: Path) -> None:
    db = _db(project)
    cites = network(db, "citations")
    assert cites.directed and ("a2001", "x1990", 1, (), ("x-in-a",)) in _edges(cites.edges)
    assert len(cites.edges) == 6
    assert _edges(network(db, "cocitation").edges) == [
        ("x1990", "y1991", 2, ("a2001", "b2002"), ("x-in-a",)),  # cited together by a and b
        ("y1991", "z1992", 1, ("c2003",), ()),
    ]
    assert _edges(network(db, "coupling").edges) == [
        ("a2001", "b2002", 2, ("x1990", "y1991"), ("x-in-a",)),  # both cite x and y
        ("a2001", "c2003", 1, ("y1991",), ()),
        ("b2002", "c2003", 1, ("y1991",), ()),
    ]


def test_leiden_clusters_are_the_same_on_every_run_and_numbered_by_size() -> None:
    # two triangles joined by one edge, and a pair apart
    links = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d"), ("g", "h")]
    nodes = sorted({k for link in links for k in link})
    edges = [Edge(a, b, 1) for a, b in links]
    found = leiden_clusters(nodes, edges)
    assert all(leiden_clusters(nodes, edges) == found for _ in range(5))
    assert found["a"] == found["b"] == found["c"] == 1 and found["d"] == found["e"] == found["f"] == 2
    assert found["g"] == found["h"] == 3
    assert leiden_clusters([], []) == {} and leiden_clusters(["a", "b"], []) == {"a": 1, "b": 2}


def test_each_work_in_a_citation_has_its_cluster_after_a_build(project: Path, make_project: MakeProject) -> None:
    found = clusters_of(_db(project), ["a2001", "b2002", "c2003", "x1990", "y1991", "z1992", "nobody"])
    assert set(found) == {"a2001", "b2002", "c2003", "x1990", "y1991", "z1992"}
    assert sorted(set(found.values()))[0] == 1
    again = make_project(FILES, name="again")
    build(open_project(again))
    assert clusters_of(_db(again), sorted(found)) == found


@pytest.mark.parametrize("name", ["citations", "cocitation", "coupling", "graph"])
def test_graphml_and_gexf_read_back_with_unique_edge_ids_and_typed_attributes(
    project: Path, tmp_path: Path, name: str
) -> None:
    runner = CliRunner()
    paths = {fmt: tmp_path / f"n.{fmt}" for fmt in ("graphml", "gexf")}
    for fmt, path in paths.items():
        result = runner.invoke(main, ["export", "-p", str(project), "-f", fmt, "--network", name, "-o", str(path)])
        assert result.exit_code == 0, result.output
    read = igraph.Graph.Read_GraphML(str(paths["graphml"]))
    as_nx = nx.read_graphml(paths["graphml"])
    from_gexf = nx.read_gexf(paths["gexf"])
    assert read.ecount() == as_nx.number_of_edges() == from_gexf.number_of_edges() > 0
    assert len(set(read.es["id"])) == read.ecount()
    assert len({d["id"] for _, _, d in from_gexf.edges(data=True)}) == from_gexf.number_of_edges()
    declared = {
        (k.get("for"), k.get("attr.name")): k.get("attr.type") for k in ET.parse(paths["graphml"]).iter(f"{GRAPHML}key")
    }
    assert declared[("node", "year")] in ("int", "long") and declared[("node", "label")] == "string"
    if name == "graph":
        return
    assert declared[("edge", "weight")] == "double" and declared[("node", "cluster")] in ("int", "long")
    assert declared[("edge", "claims")] == declared[("edge", "works")] == "string"
    label = dict(zip(read.vs["id"], read.vs["label"], strict=True))
    assert {"Yates 1991", "Berg 2002"} & set(label.values())
    if name == "cocitation":
        edge = as_nx.edges["x1990", "y1991"]
        assert (edge["weight"], edge["works"], edge["claims"]) == (2.0, "a2001; b2002", "x-in-a")
        assert from_gexf.edges["x1990", "y1991"]["weight"] == 2.0
        assert isinstance(from_gexf.nodes["x1990"]["cluster"], int)
