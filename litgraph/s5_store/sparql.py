"""`litgraph query`: a user's own SPARQL, read-only, within limits.

The query runs in a process of its own, on the store opened read-only, so that it can be stopped: at the
time limit, at Ctrl-C, or when it would hold more memory than the limit; a crash of the engine ends that
process, not this one. Before it runs, its brackets are counted (5,000 nested parentheses crash the
parser) and it is refused if it asks another server (SERVICE), unless allowed. Its default graph is the
project's graph (what graph.ttl holds); the store's index is in named graphs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litgraph.errors import LitgraphError
from litgraph.namespaces import PREFIXES
from litgraph.plumbing.workers import children_can_start, die_with_parent

MEMORY_BYTES = 4 << 30  # the query's process may hold this much at most
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


class QueryError(LitgraphError):
    """The query is not valid, not allowed, or did not finish within the limits."""


@dataclass(frozen=True)
class QueryResult:
    """A SELECT's rows, an ASK's answer, or a CONSTRUCT/DESCRIBE's triples; `truncated` past the row cap."""

    type: str  # select | ask | graph
    variables: list[str] | None = None
    rows: list[dict[str, Any]] | None = None
    boolean: bool | None = None
    triples: list[list[str]] | None = None
    truncated: bool = False

    def json(self) -> dict[str, Any]:
        if self.type == "ask":
            return {"type": "ask", "boolean": self.boolean}
        if self.type == "graph":
            return {"type": "graph", "triples": self.triples, **({"truncated": True} if self.truncated else {})}
        return {
            "type": "select",
            "variables": self.variables,
            "rows": self.rows,
            **({"truncated": True} if self.truncated else {}),
        }


def _code(sparql: str) -> str:
    """The query without its strings, IRIs and comments (what a keyword or bracket count looks at)."""
    return _TOKENS.sub(" ", sparql)


def check_query(sparql: str, depth: int, allow_service: bool) -> None:
    """QueryError where the query nests deeper than `depth` brackets, or asks another server."""
    code, deepest, level = _code(sparql), 0, 0
    for char in code:
        if char in "({[":
            level += 1
            deepest = max(deepest, level)
        elif char in ")}]":
            level -= 1
    if deepest > depth:
        raise QueryError(
            f"the query nests {deepest} brackets deep; at most {depth} are taken (query_depth under [limits])"
        )
    if not allow_service and re.search(r"\bSERVICE\b", code, re.IGNORECASE):
        raise QueryError("the query asks another server (SERVICE); run it with --allow-service if that is meant")


def _value(term: Any) -> Any:
    return None if term is None else term.value


def _run(store_path: str, sparql: str, rows: int, send: Any) -> None:
    """In the query's own process: run it and send back (kind, data) or ("error", message)."""
    import resource

    import pyoxigraph as ox

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    try:
        store = ox.Store.read_only(store_path)
        # the graph is the store's default graph; the index's named graphs are not the user's to see
        result = store.query(sparql, prefixes=dict(PREFIXES), named_graphs=[])
        if isinstance(result, bool | ox.QueryBoolean):
            send.send(("ask", bool(result)))
        elif isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            found: list[dict[str, Any]] = []
            for solution in result:
                if len(found) == rows:
                    send.send(("select", (names, found, True)))
                    return
                found.append({n: _value(solution[n]) for n in names})
            send.send(("select", (names, found, False)))
        else:
            triples: list[list[str]] = []
            for triple in result:
                if len(triples) == rows:
                    send.send(("graph", (triples, True)))
                    return
                triples.append([str(triple.subject), str(triple.predicate), str(triple.object)])
            send.send(("graph", (triples, False)))
    except SyntaxError as exc:
        send.send(("error", f"the query is not valid SPARQL 1.1 (updates are not run): {exc}"))
    except MemoryError:
        send.send(
            (
                "error",
                f"the query needed more than {MEMORY_BYTES >> 30} GiB of memory; narrow it (a LIMIT, more patterns)",
            )
        )
    except OSError as exc:
        send.send(("error", f"the query failed: {exc}"))


def run_query(store: Path, sparql: str, seconds: float, rows: int) -> QueryResult:
    """The query's result; QueryError when it is not valid, takes longer than `seconds`, holds too much
    memory, or the engine fails. At most `rows` rows (or triples) come back (`truncated` says so)."""
    if not children_can_start():
        raise QueryError("`litgraph query` runs queries in a process of their own, which cannot start here")
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(str(store), sparql, rows, send), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise QueryError(
                f"the query did not finish in {seconds:g} s (query_seconds under [limits]); narrow it, or add a LIMIT"
            )
        try:
            kind, data = receive.recv()
        except EOFError:
            raise QueryError(
                f"the query engine stopped (exit {process.exitcode}); the query may be too large"
            ) from None
    finally:
        process.kill()
        process.join()
        receive.close()
    if kind == "error":
        raise QueryError(data)
    if kind == "ask":
        return QueryResult("ask", boolean=data)
    if kind == "graph":
        return QueryResult("graph", triples=data[0], truncated=data[1])
    return QueryResult("select", variables=data[0], rows=data[1], truncated=data[2])


def _child(store: str, sparql: str, rows: int, send: Any) -> None:
    import os

    die_with_parent(os.getppid())
    _run(store, sparql, rows, send)
