"""A stand-in for Zotero 7's local API on 127.0.0.1 (Zotero cannot run on the test machines).

It serves a small library in the documented Web API v3 shapes (https://www.zotero.org/support/dev/web_api/v3/basics):
each object is {key, version, library, links, meta, data}; lists are paged by `start` and `limit` (at most
`page_size` objects per answer, as the web API caps them at 100) with `Total-Results` and `Link` headers;
`users/0/collections`, `users/0/collections/{key}/items/top`, `users/0/items/top` and
`users/0/items/{key}/children` answer as Zotero does (children: attachments and notes of an item,
annotations of an attachment). A test can make a path answer 429 with Retry-After first (`throttle`), add
a Backoff header (`backoff`), give no answer (`hang`), turn the local API off (403, "Local API is not enabled", as Zotero answers
then), and serve a Better BibTeX pull export (`better_bibtex`). `requests` lists what was asked.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

LIBRARY = {"type": "user", "id": 0, "name": "Zotero-bruker"}


@dataclass
class Library:
    collections: list[dict[str, Any]] = field(default_factory=list)  # data of each collection
    items: list[dict[str, Any]] = field(default_factory=list)  # data of every item (children too)


class ZoteroStandIn:
    def __init__(self, library: Library, page_size: int = 2):
        self.library = library
        self.page_size = page_size
        self.enabled = True
        self.throttle: dict[str, list[int]] = {}  # path -> statuses to answer first (429, 503)
        self.backoff: dict[str, str] = {}  # path -> Backoff header value
        self.better_bibtex: dict[str, str] = {}  # collection key -> .biblatex text
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.hang: set[str] = set()  # paths that get no answer until the stand-in closes (a hung Zotero)
        self.release = threading.Event()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stand_in.answer(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api = self.url + "/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- the library's answers --------------------------------------------------------------------
    def objects(self, path: str) -> list[dict[str, Any]] | None:
        parts = path.strip("/").split("/")
        items = self.library.items
        if parts[:3] != ["api", "users", "0"]:
            return None
        rest = parts[3:]
        if rest == ["collections"]:
            return self.library.collections
        if rest == ["items", "top"]:
            return [i for i in items if "parentItem" not in i]
        if len(rest) == 4 and rest[0] == "collections" and rest[2:] == ["items", "top"]:
            return [i for i in items if "parentItem" not in i and rest[1] in i.get("collections", [])]
        if len(rest) == 3 and rest[0] == "items" and rest[2] == "children":
            return [i for i in items if i.get("parentItem") == rest[1]]
        return None

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.requests.append((url.path, query))
        if url.path in self.hang:
            self.release.wait(30)
            return None
        if url.path.startswith("/better-bibtex/"):
            key = url.query.rsplit("/", 1)[-1].removesuffix(".biblatex")
            return self._send(
                handler, 200 if key in self.better_bibtex else 404, self.better_bibtex.get(key, "not found")
            )
        if not self.enabled:
            return self._send(handler, 403, "Local API is not enabled")
        statuses = self.throttle.get(url.path)
        if statuses:
            return self._send(handler, statuses.pop(0), "Too many requests", {"Retry-After": "1"})
        found = self.objects(url.path)
        if found is None:
            return self._send(handler, 404, "Not found")
        start, limit = int(query.get("start", 0)), int(query.get("limit", 0)) or len(found)
        page = found[start : start + min(limit, self.page_size)]
        headers = {"Total-Results": str(len(found)), "Last-Modified-Version": "412", "Zotero-API-Version": "3"}
        if start + len(page) < len(found):
            headers["Link"] = f'<{self.url}{url.path}?{urlencode({**query, "start": start + len(page)})}>; rel="next"'
        if url.path in self.backoff:
            headers["Backoff"] = self.backoff[url.path]
        kind = "collections" if url.path.endswith("/collections") else "items"
        self._send(handler, 200, [self._wrapped(d, kind) for d in page], headers)

    def _wrapped(self, data: dict[str, Any], kind: str) -> dict[str, Any]:
        key = data["key"]
        return {"key": key, "version": data.get("version", 410), "library": LIBRARY,
                "links": {"self": {"href": f"{self.api}/users/0/{kind}/{key}", "type": "application/json"}},
                "meta": {"numChildren": sum(1 for i in self.library.items if i.get("parentItem") == key)},
                "data": {"version": 410, **data}}  # fmt: skip

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = (json.dumps(body, ensure_ascii=False) if not isinstance(body, str) else body).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/plain")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def __enter__(self) -> ZoteroStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
