"""Validate a built graph against the project's SHACL shapes (the `shacl` package: a Rust engine that
compiles the shapes once and checks about 240k triples a second here, ten times rudof's rate).

Large graphs are validated in pieces, in worker processes (see workers.py). Pieces are cut where the
subjects' own hashes say, not at fixed sizes, so an edit changes only the pieces that hold what changed;
a piece that passed before, with the same engine, shapes and vocabulary, is not validated again (its
digest is kept in the project's state folder).
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from litgraph.rdfio import atomic_file, serialize
from litgraph.workers import Background, Done, parallel_map


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.focus}{' ' + self.path if self.path else ''}: {self.message}"


ENGINE = "shacl-0.3"  # part of what a passed piece's digest stands for: another engine validates again
CHUNK = 10_000  # about the triples validated at once: small pieces make an edit cheap to revalidate
BACKGROUND_SIZE = 1 << 24  # characters of N-Triples: a smaller graph is checked faster than a process starts
WHOLE_SHARE = 0.5  # when pieces holding more than this share of the graph need checking, check it whole
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
Node = ox.NamedNode | ox.BlankNode


def _chunks(
    triples: list[ox.Triple], size: int, types: dict[Node, list[ox.Triple]] | None = None
) -> list[tuple[set[Node], list[ox.Triple], int]]:
    """Pieces of the graph: (the subjects a piece owns, their triples plus the rdf:type of every node they
    point at, how many of those triples are the owned subjects' own: they come first).

    The project's shapes look only at a focus node's own triples and the classes of its values, so
    validating the owned subjects piece by piece finds exactly what validating the whole graph finds.
    A piece ends after a subject whose hash is a multiple of `spacing` (once it holds a quarter of `size`
    triples; at twice `size` it ends anyway): content-defined cuts, so the pieces before and after an
    edited subject stay the same. `types`: the rdf:type triples of every node of the graph, `triples`' own
    included (when `triples` is one unit of it); by default those in `triples`.
    """
    by_subject: dict[Node, list[ox.Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)  # type: ignore[arg-type]
    if types is None:
        types = {s: [t for t in ts if t.predicate == RDF_TYPE] for s, ts in by_subject.items()}
    # subjects per piece on average, rounded to a power of two so that a small edit does not move every cut
    spacing = 1 << max(0, round(math.log2(max(1, size * len(by_subject) // max(1, len(triples))))))
    pieces = []
    owned: set[Node] = set()
    current: list[ox.Triple] = []
    subjects = list(by_subject)
    for i, subject in enumerate(subjects):
        owned.add(subject)
        current.extend(by_subject[subject])
        cut = len(current) >= size // 4 and zlib.crc32(str(subject).encode()) % spacing == 0
        if cut or len(current) >= 2 * size or i + 1 == len(subjects):
            own = len(current)
            pointed = {t.object for t in current if not isinstance(t.object, ox.Literal)} - owned
            current.extend(t for node in pointed for t in types.get(node, []))  # type: ignore[arg-type]
            pieces.append((owned, current, own))
            owned, current = set(), []
    return pieces


@lru_cache(maxsize=4)
def _compiled(shapes_text: str) -> Any:
    import shacl  # the engine loads only where pieces are validated

    return shacl.Shapes.from_turtle(shapes_text)


def _plain(term: str | None) -> str | None:
    """An N-Triples IRI as the bare IRI ("<http://x>" -> "http://x"); blank nodes stay "_:id"."""
    return term[1:-1] if term and term.startswith("<") and term.endswith(">") else term


def _piece_violations(data: str, owned: list[str], shapes_text: str, vocabulary_nt: str) -> set[Violation]:
    """The violations whose focus node the piece owns (N-Triples `data`, with the vocabulary's N-Triples
    for the class hierarchy); runs in a worker process."""
    report = _compiled(shapes_text).validate_text(data + vocabulary_nt, format="ntriples")
    if report.conforms:
        return set()
    names = set(owned)
    found = set()
    for result in report.results:
        focus = _plain(result.focus_node) or ""
        if focus in names and result.severity == "Violation":
            found.add(Violation(focus, _plain(result.path), result.message or result.component))
    return found


def _file_violations(files: list[str], owned: list[str], shapes_text: str, vocabulary_nt: str) -> set[Violation]:
    """_piece_violations of the N-Triples in `files` (read here: in a worker process, not sent to it)."""
    data = "".join(Path(f).read_text(encoding="utf-8") for f in files)
    return _piece_violations(data, owned, shapes_text, vocabulary_nt)


def _passed(cache: Path | None) -> set[str]:
    if cache is None:
        return set()
    try:
        return set(cache.read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


@dataclass(frozen=True)
class Piece:
    """A piece of the graph: the subjects it owns (IRIs, or "_:id" for blank nodes), how many of its
    triples are theirs (the rest: rdf:type of nodes they point at), the whole as N-Triples, and a digest
    of subjects and triples that stands for the piece's content."""

    names: list[str]
    triples: list[ox.Triple]
    owned: int
    data: str
    digest: str
    own_end: int  # data[:own_end] holds the owned subjects' triples, the rest the types of nodes they point at
    size: int  # len(data); kept where data is not (a piece of a unit that is not rebuilt: see graphunits.py)


def pieces_of(
    triples: list[ox.Triple], size: int | None = None, types: dict[Node, list[ox.Triple]] | None = None
) -> list[Piece]:
    """The graph (or a unit of it, with the `types` of the whole: see _chunks) in pieces, each with its
    N-Triples: shared by validation and the store."""
    pieces = []
    for owned, piece, count in _chunks(triples, size or CHUNK, types):
        names = sorted(n.value if isinstance(n, ox.NamedNode) else str(n) for n in owned)
        own = serialize(piece[:count], "nt", "").decode("utf-8")
        data = own + serialize(piece[count:], "nt", "").decode("utf-8")
        digest = hashlib.sha256("\n".join(names).encode() + b"\0" + data.encode()).hexdigest()
        pieces.append(Piece(names, piece, count, data, digest, len(own), len(data)))
    return pieces


def check_shapes(
    triples: list[ox.Triple] | list[Piece],
    shapes: Path,
    vocabulary: Path,
    cache: Path | None = None,
    part: bool = False,
) -> list[Violation]:
    """Every SHACL violation of the graph (its triples, or its pieces); [] when it conforms. The vocabulary
    supplies the class hierarchy.

    `cache`: a file listing the digests of pieces that conformed; those are skipped, and the file is
    rewritten with the pieces of this graph that conform. `part`: the pieces are some of a graph whose
    others conformed (a quick build's); the file keeps their digests.
    """
    return ShapeCheck(triples, shapes, vocabulary, cache, part).result()


class ShapeCheck:
    """check_shapes under way: started on construction, its violations from `result()`.

    `files`: the graph's N-Triples in files (its pieces' own triples: graphunits' unit files). When every
    piece is to be checked (a first build), the check then runs in a process of its own that reads them, so
    that the build can write what does not depend on the outcome (a store beside the old one) meanwhile."""

    def __init__(
        self,
        triples: list[ox.Triple] | list[Piece],
        shapes: Path,
        vocabulary: Path,
        cache: Path | None = None,
        part: bool = False,
        files: Sequence[Path] | None = None,
    ):
        shapes_text = shapes.read_text(encoding="utf-8")
        vocabulary_text = vocabulary.read_text(encoding="utf-8")
        setting = hashlib.sha256(f"{ENGINE}\0{shapes_text}\0{vocabulary_text}\0".encode()).hexdigest()
        self._cache, self._part = cache, part
        self._passed_before = _passed(cache)
        self._todo: list[tuple[str, Piece]] = []  # (digest, piece) to validate
        self._digests: list[str] = []
        pieces = triples if triples and isinstance(triples[0], Piece) else pieces_of(triples)  # type: ignore[arg-type]
        for piece in pieces:
            self._digests.append(hashlib.sha256(f"{setting}/{piece.digest}".encode()).hexdigest())
            if self._digests[-1] not in self._passed_before:
                self._todo.append((self._digests[-1], piece))
        todo = self._todo
        self._whole: Background[set[Violation]] | Done[set[Violation]] | None = None
        self._result: list[Violation] | None = None
        self._cancelled = False
        self._found: list[set[Violation]] = []
        if not todo:
            return
        parsed = ox.parse(vocabulary_text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
        vocabulary_nt = serialize([ox.Triple(q.subject, q.predicate, q.object) for q in parsed], "nt", "").decode()
        if len(todo) > 1 and sum(p.size for _, p in todo) > WHOLE_SHARE * sum(p.size for p in pieces):
            # Most of the graph to check (a first build): one pass over what is to check. A piece carries the
            # types of the nodes it points at, and the engine reports those nodes too before they are filtered
            # out; in one pass a node's own triples come once, and a pass is four times faster than pieces.
            # When some pieces are not in the pass, the types of what they own come once each, as in a piece.
            names = [name for _, p in todo for name in p.names]
            if files is not None and len(todo) == len(pieces) and sum(p.size for p in pieces) >= BACKGROUND_SIZE:
                self._whole = Background(_file_violations, [str(f) for f in files], names, shapes_text, vocabulary_nt)
                return
            own = "".join(p.data[: p.own_end] for _, p in todo)
            pointed: set[str] = set()
            if part or len(todo) < len(pieces):  # (the whole graph: every pointed node's triples are there already)
                pointed = {line for _, p in todo for line in p.data[p.own_end :].splitlines(keepends=True)}
            self._whole = Done(_piece_violations(own + "".join(sorted(pointed)), names, shapes_text, vocabulary_nt))
        else:
            self._found = parallel_map(  # one piece (every small project) is validated here: no process to start
                _piece_violations,
                [p.data for _, p in todo],
                [p.names for _, p in todo],
                [shapes_text] * len(todo),
                [vocabulary_nt] * len(todo),
            )

    @property
    def in_background(self) -> bool:
        """True while the check runs in a process of its own (see `files`)."""
        return isinstance(self._whole, Background) and self._result is None

    def cancel(self) -> None:
        """The outcome is not wanted (the build failed meanwhile): a check in the background is stopped."""
        if self._whole is not None:
            self._whole.cancel()
        self._whole, self._found, self._todo, self._cache = None, [], [], None
        self._cancelled = True

    def result(self) -> list[Violation]:
        """The violations (waiting for the check to end); the cache file is written on the first call."""
        if self._result is not None:
            return self._result
        assert not self._cancelled, "a cancelled check has no outcome"
        violations: set[Violation] = set()
        failed: set[str] = set()
        if self._whole is not None:
            violations = self._whole.result()
            focus = {v.focus for v in violations}
            failed = {d for d, p in self._todo if focus.intersection(p.names)}
        else:
            for (digest, _), piece_violations in zip(self._todo, self._found, strict=True):
                violations |= piece_violations
                if piece_violations:
                    failed.add(digest)
        if self._cache is not None:
            kept = self._passed_before if self._part else set()
            try:
                with atomic_file(self._cache, "w") as handle:
                    handle.write("".join(f"{d}\n" for d in sorted((set(self._digests) | kept) - failed)))
            except OSError:
                pass  # a read-only project is validated in full next time too
        self._result = sorted(violations, key=str)
        self._whole, self._found, self._todo = None, [], []  # (the pieces' text: as large as the graph)
        return self._result
