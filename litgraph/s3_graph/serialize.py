"""Triples as Turtle, N-Triples and JSON-LD bytes: whole graphs, and the bodies of units that are put
together into one file (the @prefix lines, or the JSON-LD context, written once ahead of them)."""

from __future__ import annotations

import json

import pyoxigraph as ox

from litgraph.namespaces import KINDS, PREFIXES

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


def prefixes_for(base_iri: str) -> dict[str, str]:
    """Standard prefixes plus one per kind of project resource (work:, claim:, theme: ...)."""
    own = {kind: f"{base_iri}{kind}/" for kind in KINDS}
    return {**PREFIXES, **own}


def _bytes(triples: list[ox.Triple], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert data is not None  # serialize returns bytes when given no output file
    return data


def _split_prefixes(turtle: bytes) -> tuple[list[bytes], list[bytes]]:
    """The serializer's @prefix lines, and the lines after them."""
    lines = turtle.split(b"\n")
    count = 0
    while count < len(lines) and lines[count].startswith(b"@prefix "):
        count += 1
    return lines[:count], lines[count:]


def turtle_header(base_iri: str) -> bytes:
    """Every @prefix line of the project's Turtle, in alphabetical order."""
    return "".join(sorted(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes_for(base_iri).items())).encode()


def turtle_body(triples: list[ox.Triple], base_iri: str) -> bytes:
    """The Turtle of `triples` without its @prefix lines (see turtle_header)."""
    return b"\n".join(_split_prefixes(_bytes(triples, ox.RdfFormat.TURTLE, prefixes_for(base_iri)))[1])


def jsonld_head(base_iri: str) -> bytes:
    """A JSON-LD document up to its node array: the inline context, then `"@graph": `."""
    context = json.dumps(prefixes_for(base_iri), ensure_ascii=False, indent=1, sort_keys=True)
    return b'{"@context": ' + context.encode("utf-8") + b',\n"@graph": '


def jsonld_body(triples: list[ox.Triple]) -> bytes:
    """The JSON-LD node objects of `triples`, comma-separated, without the array's brackets."""
    return _bytes(triples, ox.RdfFormat.JSON_LD)[1:-1]


def ntriples(triples: list[ox.Triple]) -> bytes:
    return _bytes(triples, ox.RdfFormat.N_TRIPLES)


def serialize(triples: list[ox.Triple], fmt: str, base_iri: str) -> bytes:
    """The graph in `fmt` (ttl, nt, jsonld). JSON-LD carries its context inline."""
    if fmt == "jsonld":
        return jsonld_head(base_iri) + _bytes(triples, ox.RdfFormat.JSON_LD) + b"}\n"
    if fmt == "ttl":  # the @prefix lines sorted, so the bytes never depend on hash order
        prefixes, body = _split_prefixes(_bytes(triples, ox.RdfFormat.TURTLE, prefixes_for(base_iri)))
        return b"\n".join([*sorted(prefixes), *body])
    return _bytes(triples, FORMATS[fmt])


def parse_ntriples(data: bytes) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
