"""Write graphs to files: Turtle, N-Triples and JSON-LD, always through a temporary file and a rename."""

from __future__ import annotations

import ctypes
import glob
import io
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from litgraph.namespaces import KINDS, PREFIXES

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


def prefixes_for(base_iri: str) -> dict[str, str]:
    """Standard prefixes plus one per kind of project resource (work:, claim:, theme: ...)."""
    own = {kind: f"{base_iri}{kind}/" for kind in KINDS}
    return {**PREFIXES, **own}


_UMASK = os.umask(0o22)
os.umask(_UMASK)
_MODE = 0o666 & ~_UMASK  # what open() would give a new file
BIG = 16 << 20  # a file this large is swapped into place, and its old version freed by a thread


def _exchange(tmp: str, path: Path) -> bool:
    """Swap two names atomically (Linux renameat2 RENAME_EXCHANGE); False where that is not to be had."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.renameat2(-100, tmp.encode(), -100, os.fsencode(path), 2) == 0)  # AT_FDCWD
    except (AttributeError, OSError):
        return False


def replace_file(tmp: str, path: Path) -> None:
    """`tmp` renamed over `path`. A rename over a big file costs about a second per 500 MB on ext4 (it
    starts writing the new file out, and frees the old one's blocks): a big file is swapped with its old
    version instead, and a thread of its own removes the old one while the build goes on (the interpreter
    waits for it before it exits). Readers see the old file or the new one, never neither."""
    try:
        big = path.stat().st_size >= BIG
    except OSError:
        big = False
    if not big or not _exchange(tmp, path):
        os.replace(tmp, path)
        return
    os.rename(tmp, path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp.old"))  # beside `path`: see _free
    threading.Thread(target=_free, args=(path,), name=f"free {path.name}").start()


def _free(path: Path) -> None:
    """Remove the old versions of `path` that replace_file set aside (also any a killed build left)."""
    for old in path.parent.glob(f".{glob.escape(path.name)}.*.tmp.old"):
        old.unlink(missing_ok=True)


@contextmanager
def atomic_file(path: Path, mode: str = "wb") -> Iterator[IO]:  # type: ignore[type-arg]
    """Open a temporary file beside `path`; it replaces `path` only if the block finishes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _MODE)  # mkstemp's file is the user's alone; an output is readable as any other
        with os.fdopen(fd, mode) as handle:
            yield handle
        replace_file(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _split_prefixes(turtle: bytes) -> tuple[list[bytes], list[bytes]]:
    """The serializer's @prefix lines, and the lines after them."""
    lines = turtle.split(b"\n")
    count = 0
    while count < len(lines) and lines[count].startswith(b"@prefix "):
        count += 1
    return lines[:count], lines[count:]


def _bytes(triples: list[ox.Triple], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert data is not None  # serialize returns bytes when given no output file
    return data


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


def serialize(triples: list[ox.Triple], fmt: str, base_iri: str) -> bytes:
    """The graph in `fmt` (ttl, nt, jsonld). JSON-LD carries its context inline."""
    if fmt == "jsonld":
        # Oxigraph writes the nodes as one JSON array; the inline context is spliced around it rather than
        # decoded and re-encoded in Python (ten times the serialiser's own time on large graphs).
        return jsonld_head(base_iri) + _bytes(triples, ox.RdfFormat.JSON_LD) + b"}\n"
    if fmt == "ttl":  # the @prefix lines sorted, so the bytes never depend on hash order
        prefixes, body = _split_prefixes(_bytes(triples, ox.RdfFormat.TURTLE, prefixes_for(base_iri)))
        return b"\n".join([*sorted(prefixes), *body])
    return _bytes(triples, FORMATS[fmt])


def write_graph(triples: list[ox.Triple], path: Path, fmt: str, base_iri: str) -> None:
    data = serialize(triples, fmt, base_iri)
    with atomic_file(path) as handle:
        handle.write(data)


class Concatenated(io.RawIOBase):
    """Byte sources (files by path, or bytes) read one after another as one stream, each file opened only
    when the one before it is done: what the store's bulk loader reads a graph's units from."""

    def __init__(self, sources: Iterable[Path | bytes]):
        self._sources = iter(sources)
        self._current: IO[bytes] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while True:
            if self._current is None:
                source = next(self._sources, None)
                if source is None:
                    return 0
                self._current = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb", buffering=0)
            count = self._current.readinto(buffer)  # type: ignore[attr-defined]
            if count:
                return int(count)
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None
        super().close()


def copy_range(source: IO[bytes], target: IO[bytes], start: int = 0, length: int | None = None) -> None:
    """`length` bytes of `source` from `start` (all the rest: None) appended to `target`: in the kernel
    where it can (copy_file_range: no trip through memory), else through memory."""
    target.flush()
    copied = 0
    if length is None:
        length = os.fstat(source.fileno()).st_size - start
    try:
        while copied < length:
            done = os.copy_file_range(source.fileno(), target.fileno(), length - copied, start + copied)
            if done == 0:
                break
            copied += done
        if copied == length:
            return
    except (AttributeError, OSError):
        if copied:
            raise
    source.seek(start + copied)
    target.seek(0, os.SEEK_END)
    while copied < length:
        chunk = source.read(min(1 << 20, length - copied))
        if not chunk:
            break
        target.write(chunk)
        copied += len(chunk)
