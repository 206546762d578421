"""The whole graph as one file (Turtle, N-Triples or JSON-LD), put together from its units' files in unit
order, in the kernel where it can (no trip through memory): the same bytes as the graph serialised whole."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from litgraph.plumbing.files import copy_range
from litgraph.s3_graph.serialize import jsonld_head, turtle_header
from litgraph.s3_graph.unit_files import unit_path
from litgraph.s3_graph.units import Unit


def write_graph(out: IO[bytes], units: list[Unit], folder: Path, fmt: str, base_iri: str) -> None:
    """The graph in `fmt` (ttl, nt, jsonld) written to `out`, from the units' files in `folder`."""
    head, separator, tail = {
        "ttl": (turtle_header(base_iri), b"", b""),
        "nt": (b"", b"", b""),
        "jsonld": (jsonld_head(base_iri) + b"[", b",", b"]}\n"),
    }[fmt]
    out.write(head)
    first = True
    for unit in units:
        path = unit_path(folder, unit, fmt)
        if path.stat().st_size == 0:
            continue
        if not first:
            out.write(separator)
        first = False
        with path.open("rb") as body:
            copy_range(body, out)
    out.write(tail)
