"""The graph kept in units between builds (see graph.graph_units): a unit is built, SHACL-checked and
serialised again only when what it is made from changed, so an edit to one claims file rebuilds that file's
claims and leaves the rest of a 100,000-work graph as it was.

Under .litgraph/units/, per unit a record (`<hash of its name>.json`: its digest, triple count and pieces)
and, named after its digest, its triples as N-Triples (the store loads them), as Turtle and JSON-LD bodies
(site/graph.ttl and graph.jsonld are these, concatenated in unit order) and its rdf:type triples. A unit's
digest stands for its inputs (for a claims unit, these include the classes of the works it names: see
graph.Unit), litgraph's version, the base IRI and the SHACL setting it passed under.
Records are JSON, not pickles, and carry an HMAC made with the user's private key (see parsecache.py): the
units of a project folder received from elsewhere, with its .litgraph, are built again rather than taken
as they are; so is a unit whose record does not fit its files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from litgraph import __version__
from litgraph.graph import WORKS_UNIT, Unit
from litgraph.parsecache import signed, verified
from litgraph.rdfio import atomic_file, copy_range, jsonld_body, jsonld_head, serialize, turtle_body, turtle_header
from litgraph.shacl import RDF_TYPE, Node, Piece, pieces_of

UNITS_FORMAT = "4"  # bump when what a unit's files hold changes, or the triples made from the same inputs


@dataclass
class BuiltUnit:
    """A unit as this build has it: built now (`triples`), or kept from an earlier build (`triples` None;
    its pieces then carry digests, subjects and sizes but no N-Triples)."""

    name: str
    digest: str
    count: int
    types: str  # the unit's rdf:type triples as N-Triples: the classes of what other units point at
    pieces: list[Piece]
    triples: list[ox.Triple] | None = None
    base: str = ""  # a works unit's: the digest of its inputs but its citations (see graph.Unit.links)

    @property
    def kept(self) -> bool:
        return self.triples is None


def digest_of(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each closed by a NUL (so that no two lists of parts run together)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


class UnitCache:
    """The units' files under `folder` (the project's .litgraph/units)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _record(self, name: str) -> Path:
        return self.folder / f"{digest_of(name)[:32]}.json"

    def path(self, digest: str, ext: str) -> Path:
        return self.folder / f"{digest}.{ext}"

    def load(self, name: str, digest: str) -> BuiltUnit | None:
        """The unit as last built, if it was built from the same inputs and all its files are there."""
        try:
            body = verified(self._record(name).read_bytes())
            if body is None:
                return None  # not written by this user's litgraph
            record = json.loads(body)
            if record["format"] != UNITS_FORMAT or record["name"] != name or record["digest"] != digest:
                return None
            if not all(self.path(digest, ext).is_file() for ext in ("nt", "ttl", "jsonld")):
                return None
            types = self.path(digest, "types.nt").read_text(encoding="utf-8")
            pieces = [
                Piece(names=names, triples=[], owned=0, data="", digest=d, own_end=0, size=size)
                for d, size, names in record["pieces"]
            ]
            return BuiltUnit(name, digest, int(record["count"]), types, pieces, base=record.get("base", ""))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, unit: BuiltUnit, base_iri: str) -> None:
        """Write a unit built now: its files first, its record last (a record names only complete files)."""
        self.save_files(unit, base_iri)
        self.save_record(unit)

    def save_files(self, unit: BuiltUnit, base_iri: str) -> None:
        """A unit's files, without the record that makes them count (see `save`): a first build writes them
        while its SHACL check runs, and the records once the graph conforms."""
        self.save_triples(unit)
        self.save_bodies(unit, base_iri)

    def save_triples(self, unit: BuiltUnit) -> None:
        """A unit's N-Triples (what the store and a whole graph's SHACL check read) and classes."""
        if unit.triples is None:
            return
        self._write(
            unit.digest,
            {
                "nt": _own_ntriples(unit),
                "types.nt": unit.types.encode("utf-8"),
                # the classes of the nodes its triples point at: what a quick build checks an edited unit with
                "pointed.nt": "".join(
                    sorted({line for p in unit.pieces for line in p.data[p.own_end :].splitlines(True)})
                ).encode(),
            },
        )

    def save_bodies(self, unit: BuiltUnit, base_iri: str) -> None:
        """A unit's Turtle and JSON-LD bodies (site/graph.ttl and graph.jsonld are made of them)."""
        if unit.triples is None:
            return
        self._write(unit.digest, {"ttl": turtle_body(unit.triples, base_iri), "jsonld": jsonld_body(unit.triples)})

    def _write(self, digest: str, files: dict[str, bytes]) -> None:
        for ext, data in files.items():
            with atomic_file(self.path(digest, ext)) as handle:
                handle.write(data)

    def save_record(self, unit: BuiltUnit) -> None:
        if unit.triples is None:
            return
        record = {
            "format": UNITS_FORMAT,
            "name": unit.name,
            "digest": unit.digest,
            "count": unit.count,
            "pieces": [[p.digest, p.size, p.names] for p in unit.pieces],
            "base": unit.base,
        }
        with atomic_file(self._record(unit.name)) as handle:
            handle.write(signed(json.dumps(record, separators=(",", ":")).encode("utf-8")))

    def drop(self, digest: str) -> None:
        """Remove the files of one version of a unit (its record names the version that replaced it)."""
        for path in self.folder.glob(f"{digest}.*"):
            path.unlink(missing_ok=True)

    def prune(self, units: list[BuiltUnit]) -> None:
        """Remove the files of units and versions that are no longer part of the graph."""
        if not self.folder.is_dir():
            return
        keep = {self._record(u.name).name for u in units} | {u.digest for u in units}
        for path in self.folder.iterdir():
            if path.name not in keep and path.name.split(".", 1)[0] not in keep:
                path.unlink(missing_ok=True)

    def triples(self, unit: BuiltUnit) -> Iterator[ox.Triple]:
        """A unit's triples: as built now, or read back from its N-Triples."""
        if unit.triples is not None:
            return iter(unit.triples)
        parsed = ox.parse(path=str(self.path(unit.digest, "nt")), format=ox.RdfFormat.N_TRIPLES)
        return (ox.Triple(q.subject, q.predicate, q.object) for q in parsed)

    def ntriples(self, unit: BuiltUnit) -> Path | bytes:
        """A unit's triples as N-Triples (what the store loads): its saved file, or, where it could not be
        saved (a read-only project), its pieces' text."""
        path = self.path(unit.digest, "nt")
        return path if unit.kept or path.is_file() else _own_ntriples(unit)


def _own_ntriples(unit: BuiltUnit) -> bytes:
    """The N-Triples of a unit built now: its pieces' own triples (without the types of what they point at)."""
    return "".join(p.data[: p.own_end] for p in unit.pieces).encode("utf-8")


def linked_digest(salt: str, name: str, base: str, links: bytes) -> str:
    """The digest of a unit with `links` (graph.Unit): its other inputs' digest `base`, and its links."""
    return digest_of(salt, name, base, links)


def build_units(units: list[Unit], cache: UnitCache, setting: str) -> list[BuiltUnit]:
    """Every unit, kept from the cache where its digest is unchanged, else built and cut into pieces.
    `setting`: what the SHACL check stands for (engine, shapes, vocabulary), and the base IRI."""
    salt = f"{__version__}/{UNITS_FORMAT}/{setting}"
    built: dict[str, BuiltUnit] = {}
    typed: dict[str, list[ox.Triple]] = {}  # the rdf:type triples of the units built now

    def one(unit: Unit, *extra: str) -> None:
        base = ""
        if unit.links is None:
            digest = digest_of(salt, unit.name, *extra, unit.inputs())
        else:
            base = digest_of(unit.inputs())
            digest = linked_digest(salt, unit.name, base, unit.links())
        found = cache.load(unit.name, digest)
        if found is None:
            triples = list(unit.make())
            typed[unit.name] = [t for t in triples if t.predicate == RDF_TYPE]
            types = serialize(typed[unit.name], "nt", "").decode("utf-8")
            found = BuiltUnit(unit.name, digest, len(triples), types, [], triples, base)
        built[unit.name] = found

    for unit in units:
        if not unit.every_work:
            one(unit)
    works = [built[u.name].base for u in units if u.name.startswith(WORKS_UNIT)]  # (citations aside)
    for unit in units:
        if unit.every_work:
            one(unit, *works)
    result = [built[u.name] for u in units]
    fresh = [b for b in result if not b.kept]
    if fresh:
        classes: dict[Node, list[ox.Triple]] = {}  # the class of every subject, for the pieces' pointed nodes
        # of the kept units' classes, only those of nodes the fresh units name (an edit: a few thousand of
        # 400,000; the rest would cost seconds to read)
        named = {n for b in fresh for t in b.triples or () for n in (t.subject, t.object)} if len(fresh) < 64 else None
        for b in result:
            if b.name in typed:
                found: Iterable[ox.Triple] = typed[b.name]
            else:
                parsed = ox.parse(b.types.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
                found = (
                    ox.Triple(q.subject, q.predicate, q.object) for q in parsed if named is None or q.subject in named
                )
            for triple in found:
                classes.setdefault(triple.subject, []).append(triple)  # type: ignore[arg-type]
        for b in fresh:
            assert b.triples is not None
            b.pieces = pieces_of(b.triples, types=classes)
    return result


def write_assembled(handle: IO[bytes], head: bytes, bodies: list[Path], separator: bytes, tail: bytes) -> None:
    """`head`, then the non-empty files' bytes joined by `separator`, then `tail`."""
    handle.write(head)
    first = True
    for path in bodies:
        if path.stat().st_size == 0:
            continue
        if not first:
            handle.write(separator)
        first = False
        with path.open("rb") as body:
            copy_range(body, handle)
    handle.write(tail)


def write_graph_files(cache: UnitCache, digests: list[str], folder: Path, base_iri: str) -> list[Path]:
    """graph.ttl and graph.jsonld in `folder`, assembled from the bodies of the units (their digests, in
    order; call after `save`)."""
    written = []
    for name, ext, head, separator, tail in (
        ("graph.ttl", "ttl", turtle_header(base_iri), b"", b""),
        ("graph.jsonld", "jsonld", jsonld_head(base_iri) + b"[", b",", b"]}\n"),
    ):
        with atomic_file(folder / name) as handle:
            write_assembled(handle, head, [cache.path(d, ext) for d in digests], separator, tail)
        written.append(folder / name)
    return written
