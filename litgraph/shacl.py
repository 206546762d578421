"""Validate a built graph against the project's SHACL shapes (rudof's Rust engine, through pyrudof)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyrudof

from litgraph.rdfio import serialize


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.focus}{' ' + self.path if self.path else ''}: {self.message}"


CHUNK = 100_000  # triples validated at once: bounds memory on large graphs
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _chunks(triples: list[ox.Triple], size: int) -> list[tuple[set[ox.NamedNode | ox.BlankNode], list[ox.Triple]]]:
    """Pieces of the graph: (the subjects a piece owns, their triples plus the rdf:type of every node they point at).

    The project's shapes look only at a focus node's own triples and the classes of its values, so
    validating the owned subjects piece by piece finds exactly what validating the whole graph finds.
    """
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)  # type: ignore[arg-type]
    types = {s: [t for t in ts if t.predicate == RDF_TYPE] for s, ts in by_subject.items()}
    pieces = []
    owned: set[ox.NamedNode | ox.BlankNode] = set()
    current: list[ox.Triple] = []
    subjects = list(by_subject)
    for i, subject in enumerate(subjects):
        owned.add(subject)
        current.extend(by_subject[subject])
        if len(current) >= size or i + 1 == len(subjects):
            pointed = {t.object for t in current if not isinstance(t.object, ox.Literal)} - owned
            current.extend(t for node in pointed for t in types.get(node, []))  # type: ignore[arg-type]
            pieces.append((owned, current))
            owned, current = set(), []
    return pieces


def _piece_violations(piece: list[ox.Triple], owned: set[ox.NamedNode | ox.BlankNode], shapes_text: str,
                      vocabulary_text: str) -> set[Violation]:  # fmt: skip
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(serialize(piece, "nt", "").decode("utf-8"), format=pyrudof.RDFFormat.NTriples)
    rudof.read_data(vocabulary_text, format=pyrudof.RDFFormat.Turtle, merge=True)
    rudof.read_shacl(shapes_text)
    report = rudof.validate_shacl()
    if report.conforms:
        return set()
    names = {n.value if isinstance(n, ox.NamedNode) else str(n) for n in owned}
    return {
        Violation(str(v.focus_node), v.path, (v.message or v.constraint_component).strip('"'))
        for v in report.violations
        if str(v.focus_node) in names
    }


def check_shapes(triples: list[ox.Triple], shapes: Path, vocabulary: Path) -> list[Violation]:
    """Every SHACL violation of the graph; [] when it conforms. The vocabulary supplies the class hierarchy.

    Pieces are validated in parallel threads (rudof releases the GIL while it works), one per core.
    """
    shapes_text = shapes.read_text(encoding="utf-8")
    vocabulary_text = vocabulary.read_text(encoding="utf-8")
    pieces = _chunks(triples, CHUNK)
    workers = max(1, min(len(pieces), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = pool.map(lambda p: _piece_violations(p[1], p[0], shapes_text, vocabulary_text), pieces)
        violations: set[Violation] = set().union(*found)
    return sorted(violations, key=str)
