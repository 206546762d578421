"""Validate a built graph against the project's SHACL shapes (pyshacl)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate

from litgraph.namespaces import SH
from litgraph.rdfio import serialize


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.focus}{' ' + self.path if self.path else ''}: {self.message}"


def to_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    """An rdflib Graph of the triples (through N-Triples, the fastest bridge)."""
    graph = rdflib.Graph()
    graph.parse(data=serialize(triples, "nt", "").decode("utf-8"), format="nt")
    return graph


def check_shapes(triples: list[ox.Triple], shapes: Path, vocabulary: Path) -> list[Violation]:
    """Every SHACL violation of the graph; [] when it conforms."""
    data = to_rdflib(triples)
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    ontology = rdflib.Graph().parse(vocabulary, format="turtle")
    conforms, report, _ = validate(
        data, shacl_graph=shapes_graph, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    violations = []
    for result in report.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        focus = report.value(result, rdflib.URIRef(SH + "focusNode"))
        path = report.value(result, rdflib.URIRef(SH + "resultPath"))
        message = report.value(result, rdflib.URIRef(SH + "resultMessage"))
        violations.append(Violation(str(focus), str(path) if path else None, str(message)))
    return sorted(violations, key=str)
