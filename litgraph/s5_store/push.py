"""`litgraph push`: the built graph sent to a SPARQL server, one named graph per part of the store.

The local store's manifest lists every part (each unit of the graph, each piece of the index) with its
digest; the server keeps the same manifest in a graph of its own. A push compares the two, sends only the
parts whose digest differs (Graph Store protocol PUT: a unit streamed from its N-Triples file, a piece of
the index from the store through a temporary file), and deletes the project's graphs the build no longer
has. Before it sends anything it takes the parts about to change out of the server's manifest; when all
went through it writes the whole manifest, last. A push stopped half-way thus leaves a manifest that lists
only parts the server holds as they are listed, and the next push sends the rest.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from litgraph.errors import GraphError
from litgraph.s5_store.graphs import manifest_iri
from litgraph.s5_store.remote import Server, ServerError
from litgraph.s5_store.remote_store import RemoteStore
from litgraph.s5_store.write import BUILD, DIGEST, _is_unit, read_manifest

Progress = Callable[[str], None]
Batch = tuple[list[str], IO[bytes]]  # the graphs in a batch, and its N-Quads
BATCH_BYTES = 64 << 20  # N-Quads per request, where the server loads in bulk


@dataclass
class PushReport:
    """What a push sent (or, with --dry-run, would send): graph IRIs, and the figures."""

    endpoint: str
    build: str | None
    sent: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    def json(self) -> dict[str, object]:
        return {
            "endpoint": self.endpoint, "build": self.build, "dry_run": self.dry_run, "sent": self.sent,
            "deleted": self.deleted, "unchanged": self.unchanged, "bytes_sent": self.bytes_sent,
            "seconds": round(self.seconds, 3),
        }  # fmt: skip


class PushFailed(ServerError):
    """A push stopped half-way: what went wrong, and what had been sent (the next push sends the rest)."""


def _manifest_file(base: str, graphs: dict[str, str], build: str | None) -> IO[bytes]:
    g = ox.NamedNode(manifest_iri(base))
    triples = [ox.Triple(g, BUILD, ox.Literal(build))] if build else []
    triples += [ox.Triple(ox.NamedNode(iri), DIGEST, ox.Literal(d)) for iri, d in sorted(graphs.items())]
    return _spooled(triples)


def _spooled(triples: Iterable[ox.Triple]) -> IO[bytes]:
    """N-Triples in a temporary file, at its start (a file: sent as a stream, and sent again if retried)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (returned open, for the caller to send and close)
    ox.serialize(triples, handle, format=ox.RdfFormat.N_TRIPLES)
    handle.seek(0)
    return handle


def _index_file(store: ox.Store, iri: str) -> IO[bytes]:
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(iri))
    return _spooled(ox.Triple(q.subject, q.predicate, q.object) for q in quads)  # type: ignore[arg-type]


def push(store: ox.Store, units: Path, base: str, server: Server, dry_run: bool = False,
         progress: Progress | None = None) -> PushReport:  # fmt: skip
    """The store's parts that the server lacks (or holds otherwise) sent, the project's graphs that are
    gone deleted, and the manifest written last; `dry_run`: only what would be done."""
    started = time.perf_counter()
    local, build = read_manifest(store, base)
    remote = RemoteStore(server, base)
    before = read_manifest(remote, base)[0]  # type: ignore[arg-type]
    report = PushReport(server.url, build, dry_run=dry_run)
    report.sent = sorted(iri for iri, d in local.items() if before.get(iri) != d)
    held = set(remote.graphs()) | set(before)
    report.deleted = sorted(iri for iri in held if iri not in local and iri != manifest_iri(base))
    report.unchanged = len(local) - len(report.sent)
    if dry_run or (not report.sent and not report.deleted and before == local):
        report.seconds = time.perf_counter() - started
        return report
    kept = {iri: d for iri, d in before.items() if local.get(iri) == d}
    done = 0
    try:
        if kept != before:  # the parts about to change (or go) taken out of the server's manifest first
            with _manifest_file(base, kept, None) as handle:
                server.put_graph(manifest_iri(base), handle)
        absent = [iri for iri in report.sent if iri not in held] if server.loads_in_bulk() else []
        with contextlib.closing(_ahead(_batches(store, units, base, [(i, local[i]) for i in absent]))) as batches:
            for names, handle in batches:
                with handle:
                    if progress:
                        progress(f"sending {len(report.sent) - done:,} graphs to {server.url}")
                    server.add_quads(handle)
                    report.bytes_sent += handle.seek(0, 2)
                done += len(names)
        for iri in [iri for iri in report.sent if iri not in set(absent)]:
            if progress and done % 200 == 0:
                progress(f"sending {len(report.sent) - done:,} graphs to {server.url}")
            report.bytes_sent += _send(store, units, server, base, iri, local[iri])
            done += 1
        for iri in report.deleted:
            server.delete_graph(iri)
        with _manifest_file(base, local, build) as handle:
            server.put_graph(manifest_iri(base), handle)
    except ServerError as exc:
        raise PushFailed(
            f"{exc} — the push stopped after sending {done} of {len(report.sent)} graphs; push again to send "
            "the rest (the server's manifest lists only what it holds in full)"
        ) from None
    report.seconds = time.perf_counter() - started
    return report


def _batches(
    store: ox.Store, units: Path, base: str, parts: list[tuple[str, str]]
) -> Iterator[tuple[list[str], IO[bytes]]]:
    """The parts as N-Quads in temporary files of about BATCH_BYTES each (a unit's lines with its graph
    added; its blank nodes are named after its works' keys, so no two units share one)."""
    handle, names = tempfile.TemporaryFile(), []  # noqa: SIM115  (each handed on open, closed by the caller)
    for iri, digest in parts:
        if _is_unit(base, iri):
            graph = b" " + str(ox.NamedNode(iri)).encode() + b" .\n"
            with _unit_file(units, digest) as source:
                handle.writelines(line[:-3] + graph for line in source if line.endswith(b" .\n"))
        else:
            # (no name for the iterator: it is made in the thread of `_ahead` and must be dropped there)
            ox.serialize(
                store.quads_for_pattern(None, None, None, ox.NamedNode(iri)), handle, format=ox.RdfFormat.N_QUADS
            )
        names.append(iri)
        if handle.tell() >= BATCH_BYTES:
            handle.seek(0)
            yield names, handle
            handle, names = tempfile.TemporaryFile(), []  # noqa: SIM115
    handle.seek(0)
    if names:
        yield names, handle
    else:
        handle.close()


def _ahead(batches: Iterator[Batch]) -> Generator[Batch, None, None]:
    """The batches, the next one written in a thread while the caller sends the current one."""
    with ThreadPoolExecutor(1) as pool:
        coming = pool.submit(next, batches, None)
        try:
            while (batch := coming.result()) is not None:
                coming = pool.submit(next, batches, None)
                yield batch
        finally:  # (stopped early: the batch written meanwhile is not sent)
            left = coming.result()
            if left is not None:
                left[1].close()


def _unit_file(units: Path, digest: str) -> IO[bytes]:
    path = units / f"{digest}.nt"
    try:
        return path.open("rb")
    except OSError as exc:
        raise GraphError(f"{path}: the unit's N-Triples file cannot be read ({exc.strerror}); build again") from None


def _send(store: ox.Store, units: Path, server: Server, base: str, iri: str, digest: str) -> int:
    """One part sent: a unit from its N-Triples file, a piece of the index from the store. Bytes sent."""
    handle = _unit_file(units, digest) if _is_unit(base, iri) else _index_file(store, iri)
    with handle:
        size = handle.seek(0, 2)
        handle.seek(0)
        server.put_graph(iri, handle)
    return size
