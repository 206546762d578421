"""Reading a Zotero library through Zotero 7's local API (`http://localhost:23119/api/`, the Web API v3
shapes, read-only): collections, a collection's items, their attachments and the annotations on them.

Plain `requests` with urllib3's `Retry` rather than pyzotero: pyzotero's local mode has its address fixed
(no `--api URL`, so no other port and no stand-in to test against), and its releases pin bibtexparser 1,
which litgraph (on bibtexparser 2) cannot install beside it. What this client does:

- every request has a timeout (`timeout` under [zotero] in litgraph.toml), for connecting and reading;
- lists are read a page at a time (`start`/`limit`), for as many pages as `Total-Results` says, each page
  as long as the server chose to make it (the local API sends all at once; the web API at most 100);
- a 429 or 503 is retried after its `Retry-After` (urllib3), a `Backoff` header on any answer makes the
  next request wait as long; a wait longer than MAX_WAIT seconds ends the pull with a message instead;
- nothing but GET is sent, only to the base URL, and a proxy from the environment is not used for a
  loopback address (the local API is on this computer).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from litgraph.errors import LitgraphError

PAGE = 100  # items asked for per request (the web API's largest page)
MAX_WAIT = 60.0  # seconds: a server that asks for a longer wait is taken at its word, and the pull ends
ENABLE = (
    "start Zotero 7 and allow its local API: Settings → Advanced → "
    '"Allow other applications on this computer to communicate with Zotero"'
)
LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


class ZoteroError(LitgraphError):
    """Zotero's local API could not be read (not running, not enabled, an answer of the wrong shape)."""


class _Retry(Retry):
    """urllib3's Retry that gives up, rather than sleeps, when Retry-After asks for more than MAX_WAIT."""

    def increment(self, *args: Any, **kwargs: Any) -> Retry:  # type: ignore[override]
        response = kwargs.get("response", args[2] if len(args) > 2 else None)
        wait = self.get_retry_after(response) if response is not None else None
        if wait is not None and wait > MAX_WAIT:
            raise ZoteroError(
                f"Zotero asked to wait {wait:.0f} s before the next request (Retry-After); try again later"
            )
        return super().increment(*args, **kwargs)


def _session(base: str, retries: int) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Zotero-API-Version": "3", "Accept": "application/json", "User-Agent": "litgraph"})
    session.trust_env = urlsplit(base).hostname not in LOOPBACK
    retry = _Retry(
        total=retries, connect=0, read=0, status=retries, other=0, backoff_factor=0.5, backoff_max=MAX_WAIT,
        status_forcelist=(429, 503), allowed_methods=frozenset({"GET"}), respect_retry_after_header=True,
        raise_on_status=False,
    )  # fmt: skip
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


class ZoteroClient:
    """The local API of one Zotero (user library 0: the local user's own)."""

    def __init__(self, base: str, timeout: float, retries: int = 3, sleep: Callable[[float], None] = time.sleep):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.session = _session(self.base, retries)
        self.sleep = sleep
        self.requests = 0
        self._wait_until = 0.0

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, **params: Any) -> requests.Response:
        """One GET under the base URL; ZoteroError (one line saying what to do) when it gets no good answer."""
        pause = self._wait_until - time.monotonic()
        if pause > 0:
            self.sleep(pause)
        url = path if path.startswith(("http://", "https://")) else f"{self.base}/{path.lstrip('/')}"
        try:
            response = self.session.get(url, params=params, timeout=(min(5.0, self.timeout), self.timeout),
                                        allow_redirects=False)  # fmt: skip
        except requests.ConnectionError as exc:
            if "Read timed out" in str(exc) or isinstance(exc, requests.ReadTimeout):
                raise ZoteroError(f"Zotero did not answer within {self.timeout:g} s at {self.base}") from None
            raise ZoteroError(f"Zotero is not answering at {self.base}: {ENABLE}") from None
        except requests.Timeout:
            raise ZoteroError(f"Zotero did not answer within {self.timeout:g} s at {self.base}") from None
        except requests.RequestException as exc:
            raise ZoteroError(f"cannot read {url}: {type(exc).__name__}") from None
        self.requests += 1
        self._backoff(response)
        if response.status_code == 403 and "not enabled" in response.text:
            raise ZoteroError(f"Zotero's local API is off: {ENABLE}")
        if response.status_code == 404:
            what = "Better BibTeX (is it installed?)" if "/better-bibtex/" in url else "Zotero"
            raise ZoteroError(f"{what} has no {path} (404)")
        if response.status_code >= 400:
            raise ZoteroError(f"Zotero answered {response.status_code} to {path}: {response.text[:200].strip()}")
        return response

    def _backoff(self, response: requests.Response) -> None:
        value = response.headers.get("Backoff", "").strip()
        if not value:
            return
        try:
            seconds = float(value)
        except ValueError:
            return
        if seconds > MAX_WAIT:
            raise ZoteroError(
                f"Zotero asked to wait {seconds:.0f} s before the next request (Backoff); try again later"
            )
        self._wait_until = max(self._wait_until, time.monotonic() + seconds)

    def listing(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every object of a list, page by page (`start`/`limit`) until `Total-Results` are read."""
        start = 0
        while True:
            response = self.get(path, format="json", start=start, limit=PAGE, **params)
            page = _json_list(response, path)
            yield from page
            start += len(page)
            total = response.headers.get("Total-Results", "").strip()
            if not page or not total.isdigit() or start >= int(total):
                return

    def collections(self) -> list[dict[str, Any]]:
        return list(self.listing("users/0/collections"))

    def top_items(self, collection: str | None) -> list[dict[str, Any]]:
        path = f"users/0/collections/{collection}/items/top" if collection else "users/0/items/top"
        return list(self.listing(path))

    def children(self, item_key: str) -> list[dict[str, Any]]:
        return list(self.listing(f"users/0/items/{item_key}/children"))

    def text(self, url: str) -> str:
        """A document under the server's root (Better BibTeX's pull export): its text (UTF-8, as Better BibTeX
        writes it, whatever charset the answer names or leaves out)."""
        return self.get(url).content.decode("utf-8", errors="replace")


def _json_list(response: requests.Response, path: str) -> list[dict[str, Any]]:
    try:
        data = response.json()
    except ValueError:
        raise ZoteroError(f"Zotero's answer to {path} is not JSON; is the URL that of its local API?") from None
    if not isinstance(data, list) or not all(isinstance(o, dict) and isinstance(o.get("data"), dict) for o in data):
        raise ZoteroError(f"Zotero's answer to {path} is not a list of objects with 'data' (the Web API v3 shape)")
    return data
