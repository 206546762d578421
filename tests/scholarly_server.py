"""Crossref and OpenAlex stand-ins on 127.0.0.1, for tests that must never touch the internet.

One `http.server` in a thread serves both APIs: `{url}/crossref/works/...` and `{url}/openalex/works/...`.
A test says what each path answers (`reply`), in order (the last answer repeats), and reads back what
was asked (`requests`) and how many bytes were sent (`sent`). An answer may also misbehave: come late
(`delay`), trickle in a byte at a time (`drip`), or go on and on (`padding`: spaces after the body, which
keep it valid JSON; gzipped as they go with `gzip`). The builders below make answers in the APIs'
documented JSON shapes. `no_internet` (a fixture) refuses every name but the loopback's.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

PADDING_CHUNK = 1 << 20


@dataclass
class Reply:
    body: Any = None  # a dict/list (sent as JSON), a str or bytes (sent as is)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a hung server)
    drip: float = 0.0  # seconds between bytes: the answer trickles in (from its first byte, with drip_headers)
    drip_headers: bool = False
    drip_for: float = 8.0  # a dripping server gives up (and hangs up) after this long
    padding: int = 0  # bytes of spaces sent after the body (as they are made: never held whole)
    declare_length: bool = True  # send Content-Length (with padding: the padded length)
    gzip: bool = False  # Content-Encoding: gzip, the body and padding compressed as they are sent


@dataclass
class Asked:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


class ScholarlyServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Asked] = []
        self.sent = 0  # bytes written to clients, headers included
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                with server.lock:
                    server.requests.append(Asked(path, query, dict(self.headers), time.monotonic()))
                    replies = server.routes.get(path)
                    reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else None
                if reply is None:
                    reply = Reply({"status": "error", "message": f"no route for {path}"}, status=404)
                time.sleep(reply.delay)
                try:
                    for piece in _answer(reply, self.responses.get(reply.status, ("",))[0]):
                        self.wfile.write(piece)
                        with server.lock:
                            server.sent += len(piece)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, or reading

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(self, path: str, *replies: Reply) -> None:
        """Answer GET `path` (decoded, without the query) with these replies in turn; the last one repeats."""
        self.routes[path] = list(replies)

    def asked(self, path: str) -> list[Asked]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> ScholarlyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _body(reply: Reply) -> tuple[bytes, str]:
    if isinstance(reply.body, dict | list):
        return json.dumps(reply.body).encode(), "application/json"
    return (reply.body.encode() if isinstance(reply.body, str) else (reply.body or b"")), "text/plain"


def _payload(reply: Reply, body: bytes) -> Iterator[bytes]:
    """The body and its padding, gzipped with `gzip`, a piece at a time."""
    padding = (b" " * min(PADDING_CHUNK, reply.padding - done) for done in range(0, reply.padding, PADDING_CHUNK))
    pieces = itertools.chain([body], padding)  # (made as they are sent: never held whole)
    if not reply.gzip:
        yield from pieces
        return
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    for piece in pieces:
        yield packer.compress(piece)
    yield packer.flush()


def _answer(reply: Reply, reason: str) -> Iterator[bytes]:
    """The whole answer, status line first, in the pieces it is written in (a byte at a time with `drip`)."""
    body, kind = _body(reply)
    headers = {"Content-Type": kind, **reply.headers}
    if reply.declare_length:
        headers["Content-Length"] = str(len(body) + reply.padding)
    if reply.gzip:
        headers["Content-Encoding"] = "gzip"
    head = f"HTTP/1.0 {reply.status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    if not reply.drip:
        yield head.encode("latin-1")
        yield from _payload(reply, body)
        return
    dripped = head.encode("latin-1") + body
    if not reply.drip_headers:
        yield head.encode("latin-1")
        dripped = body
    ends = time.monotonic() + reply.drip_for
    for byte in dripped:
        if time.monotonic() > ends:
            return  # the stand-in gives up: it hangs up
        yield bytes([byte])
        time.sleep(reply.drip)


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Any host but the loopback fails to resolve, as without a network; the attempts are kept."""
    real = socket.getaddrinfo
    attempts: list[str] = []

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1"):
            attempts.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    for name in ("LITGRAPH_CROSSREF_URL", "LITGRAPH_OPENALEX_URL", "LITGRAPH_CONTACT"):
        monkeypatch.delenv(name, raising=False)
    yield attempts


# --- the documented shapes ---------------------------------------------------------------------------


def crossref_message(
    doi: str,
    title: str,
    authors: list[tuple[str, str]],
    year: int,
    container: str | None = None,
    kind: str = "journal-article",
    **extra: Any,
) -> dict[str, Any]:
    """A Crossref work (`message` of /works/{doi}, or an item of a search)."""
    message: dict[str, Any] = {
        "DOI": doi,
        "URL": f"https://doi.org/{doi}",
        "type": kind,
        "title": [title],
        "author": [
            {"given": given, "family": family, "sequence": "first" if i == 0 else "additional", "affiliation": []}
            for i, (given, family) in enumerate(authors)
        ],
        "issued": {"date-parts": [[year, 6, 1]]},
        "published-print": {"date-parts": [[year]]},
        "container-title": [container] if container else [],
        "score": 55.3,
        **extra,
    }
    return message


def crossref_work(message: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}


def crossref_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {"facets": {}, "total-results": len(items), "items": items, "items-per-page": 5, "query": {}},
    }


def openalex_work(
    ident: str,
    title: str,
    authors: list[str],
    year: int,
    doi: str | None = None,
    kind: str = "article",
    references: list[str] = (),  # type: ignore[assignment]
    source: str | None = None,
    biblio: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """An OpenAlex work (the answer of /works/doi:… or /works/W…, or an item of `results`)."""
    return {
        "id": f"https://openalex.org/{ident}",
        "doi": f"https://doi.org/{doi}" if doi else None,
        "title": title,
        "display_name": title,
        "publication_year": year,
        "type": kind,
        "authorships": [
            {
                "author_position": "first" if i == 0 else "middle",
                "author": {"id": f"https://openalex.org/A{i}", "display_name": name, "orcid": None},
                "raw_author_name": name,
            }
            for i, name in enumerate(authors)
        ],
        "primary_location": {"source": {"display_name": source, "host_organization_name": None}} if source else None,
        "biblio": biblio or {"volume": None, "issue": None, "first_page": None, "last_page": None},
        "referenced_works": [f"https://openalex.org/{r}" for r in references],
    }


def openalex_list(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"meta": {"count": len(results), "db_response_time_ms": 12, "page": 1, "per_page": 5}, "results": results}
