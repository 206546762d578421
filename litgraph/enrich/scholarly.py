"""Crossref and OpenAlex over HTTP, as a good citizen: timeouts, retries, a rate limit, a cache.

Every request goes through one `requests` session:
- requests-cache keeps each answer in `.litgraph/enrich-cache.sqlite`, so a rerun sends nothing and
  `offline` answers from the cache alone (a miss is an error; nothing is sent);
- a urllib3 `Retry` on the adapter retries 429 and 5xx with exponential backoff, honouring Retry-After
  (a server that asks for more than a minute is taken at its word: we give up and say so);
- the adapter waits between sends (`Pacer`), so only requests that reach the network are paced;
- a User-Agent names litgraph and, when configured, a contact address: both APIs read `mailto:` there for
  their "polite pool" (a `mailto=` parameter would split the cache by who asked).

Answers become `Candidate`s in scholarly_records.py.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests_cache import CachedSession
from urllib3.exceptions import MaxRetryError, NameResolutionError
from urllib3.util.retry import Retry

from litgraph import __version__
from litgraph.enrich.scholarly_records import Candidate, crossref_candidate, openalex_candidate
from litgraph.errors import LitgraphError
from litgraph.project import Project

SOURCES = ("crossref", "openalex")
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After ends the request with a message instead
_CROSSREF_FIELDS = (
    "DOI,title,subtitle,author,editor,issued,published-print,published-online,container-title,volume,issue,page,type,"
    "publisher,ISBN"
)
_OPENALEX_FIELDS = (
    "id,doi,title,display_name,publication_year,type,authorships,primary_location,biblio,referenced_works"
)


class SourceError(LitgraphError):
    """One request could not be answered; the message is one line a person can act on."""


class Unreachable(SourceError):
    """The server could not be reached or did not answer in time (no network, DNS, a hang)."""


@dataclass(frozen=True)
class ClientSettings:
    crossref_url: str
    openalex_url: str
    contact: str | None
    timeout: float
    requests_per_second: float
    cache_path: Path
    cache_days: float
    offline: bool = False
    retries: int = 3

    @classmethod
    def for_project(
        cls, project: Project, offline: bool = False, environ: Mapping[str, str] = os.environ
    ) -> ClientSettings:
        """The project's [enrich] settings; LITGRAPH_CROSSREF_URL, LITGRAPH_OPENALEX_URL and
        LITGRAPH_CONTACT in the environment take precedence."""
        own = project.enrich
        return cls(
            crossref_url=(environ.get("LITGRAPH_CROSSREF_URL") or own.crossref_url).rstrip("/"),
            openalex_url=(environ.get("LITGRAPH_OPENALEX_URL") or own.openalex_url).rstrip("/"),
            contact=environ.get("LITGRAPH_CONTACT") or own.contact,
            timeout=own.timeout,
            requests_per_second=own.requests_per_second,
            cache_path=project.state_dir / "enrich-cache.sqlite",
            cache_days=own.cache_days,
            offline=offline,
        )

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.contact}" if self.contact else ""
        return f"litgraph/{__version__} (https://pypi.org/project/litgraph/{contact})"


class Pacer:
    """At most `rate` sends a second: each waits until 1/rate s after the previous one.

    A client that sends one request at a time needs no more than this; a token-bucket library
    (pyrate-limiter) would add bursts we do not want and an API that has changed across versions."""

    def __init__(
        self, rate: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ):
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            remaining = self.last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self.last = self.clock()


class _Retry(Retry):
    """urllib3's Retry that gives up, rather than sleeps, when Retry-After asks for too long a wait."""

    def increment(self, *args: Any, **kwargs: Any) -> Retry:  # type: ignore[override]
        response = kwargs.get("response", args[2] if len(args) > 2 else None)
        wait = self.get_retry_after(response) if response is not None else None
        if wait is not None and wait > MAX_RETRY_AFTER:
            url = kwargs.get("url", args[1] if len(args) > 1 else None)
            raise MaxRetryError(kwargs.get("_pool"), url, f"Retry-After {wait:.0f} s")  # type: ignore[arg-type]
        return super().increment(*args, **kwargs)


class _PacedAdapter(HTTPAdapter):
    def __init__(self, pacer: Pacer, retry: Retry):
        super().__init__(max_retries=retry)
        self.pacer = pacer

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.pacer.wait()
        return super().send(request, *args, **kwargs)


class _OfflineAdapter(BaseAdapter):
    """Mounted when offline: anything that would reach the network fails before a byte is sent."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        raise requests.ConnectionError("offline: not sent")

    def close(self) -> None:
        pass


def _cacheable(response: requests.Response) -> bool:
    """Keep 404s (no such DOI) and answers of the documented shapes; never an HTML page, broken JSON or a
    body of another shape, so that the next run asks again."""
    if response.status_code == 404:
        return True
    try:
        data = response.json()
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    return isinstance(data.get("message"), dict) or isinstance(data.get("results"), list) or "id" in data


def _retry(settings: ClientSettings) -> Retry:
    return _Retry(
        total=settings.retries + 2,
        connect=1,
        read=False,  # a server that hung once is not asked again: its timeout is message enough
        status=settings.retries,
        other=0,
        backoff_factor=1.0,
        backoff_max=30.0,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def open_session(settings: ClientSettings) -> requests.Session:
    """The cached, paced, retrying session; offline, one that can only read the cache."""
    settings.cache_path.parent.mkdir(parents=True, exist_ok=True)
    session = CachedSession(
        str(settings.cache_path),
        backend="sqlite",
        expire_after=timedelta(days=settings.cache_days),
        allowable_codes=(200, 404),
        allowable_methods=("GET",),
        filter_fn=_cacheable,
        only_if_cached=settings.offline,
        stale_if_error=settings.offline,  # offline, an expired answer is better than none
        read_only=settings.offline,
    )
    session.headers.update({"User-Agent": settings.user_agent, "Accept": "application/json"})
    if settings.offline:
        for prefix in ("http://", "https://"):
            session.mount(prefix, _OfflineAdapter())
    else:
        for base in {settings.crossref_url, settings.openalex_url}:
            session.mount(base + "/", _PacedAdapter(Pacer(settings.requests_per_second), _retry(settings)))
    return session


def _transport_message(exc: requests.RequestException, host: str, timeout: float) -> str:
    reason: Any = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    if isinstance(exc, requests.Timeout):
        return f"{host} did not answer within {timeout:g} s"
    if isinstance(reason, NameResolutionError) or "Name or service not known" in str(exc):
        return f"cannot resolve {host} (no network, or a DNS failure)"
    if "offline: not sent" in str(exc):
        return "not in the cache (--offline sends nothing)"
    if "Connection refused" in str(exc):
        return f"{host} refused the connection (is the URL right?)"
    text = str(reason).split(":")[-1].strip() or type(exc).__name__
    return f"cannot reach {host}: {text}"


class Scholarly:
    """A client for both indexes; every method returns data or raises SourceError with one line."""

    def __init__(self, settings: ClientSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or open_session(settings)
        self.sent = 0  # requests sent to the network (retries not counted), answered or not
        self.cached = 0  # requests answered from the cache

    def close(self) -> None:
        self.session.close()

    def _get(self, source: str, path: str, params: dict[str, str] | None = None) -> Any:
        """The JSON answer, or None for a 404."""
        base = self.settings.crossref_url if source == "crossref" else self.settings.openalex_url
        host = base.split("://", 1)[-1].split("/", 1)[0]
        timeout = (min(5.0, self.settings.timeout), self.settings.timeout)  # (connect, read)
        try:
            response = self.session.get(base + path, params=params, timeout=timeout)
        except requests.RequestException as exc:
            self.sent += not self.settings.offline
            raise Unreachable(f"{source}: {_transport_message(exc, host, self.settings.timeout)}") from None
        from_cache = getattr(response, "from_cache", False) or self.settings.offline
        self.sent += not from_cache
        self.cached += from_cache and response.status_code != 504
        status = response.status_code
        if status == 504 and self.settings.offline:
            raise SourceError(f"{source}: not in the cache (--offline sends nothing; run once online)")
        if status == 404:
            return None
        if status == 429:
            wait = response.headers.get("Retry-After")
            asks = f"; it asks to wait {wait} s" if wait else ""
            raise SourceError(f"{source}: rate limited by {host} (HTTP 429) after retries{asks}; try again later")
        if status >= 500:
            raise Unreachable(f"{source}: {host} answered HTTP {status} {response.reason or ''} after retries".rstrip())
        if status != 200:
            raise SourceError(f"{source}: {host} answered HTTP {status} {response.reason or ''}".rstrip())
        body = response.text.lstrip()
        if body[:1] == "<" or "html" in response.headers.get("Content-Type", ""):
            raise SourceError(f"{source}: {host} sent an HTML page, not JSON (a proxy or login page?)")
        try:
            return response.json()
        except ValueError as exc:
            raise SourceError(f"{source}: {host} sent malformed JSON ({str(exc)[:60]})") from None

    # Crossref: /works/{doi} -> {"message": {...}}; /works?query... -> {"message": {"items": [...]}}

    def crossref_work(self, doi: str) -> Candidate | None:
        data = self._get("crossref", f"/works/{quote(doi, safe='/:()')}")
        if data is None:
            return None
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, dict):
            raise SourceError("crossref: unexpected answer (no 'message' object)")
        return crossref_candidate(message)

    def crossref_search(self, title: str | None, families: list[str], year: int | None) -> list[Candidate]:
        params = {"rows": "5", "select": _CROSSREF_FIELDS}
        if title:
            params["query.bibliographic"] = title
        if families:
            params["query.author"] = " ".join(families)
        if year:
            params["filter"] = f"from-pub-date:{year - 1},until-pub-date:{year + 1}"
        data = self._get("crossref", "/works", params)
        message = data.get("message") if isinstance(data, dict) else None
        items = message.get("items") if isinstance(message, dict) else None
        if not isinstance(items, list):
            raise SourceError("crossref: unexpected answer (no 'message.items' list)")
        return [c for c in (crossref_candidate(i) for i in items if isinstance(i, dict)) if c]

    # OpenAlex: /works/doi:{doi} and /works/W… -> {...}; /works?search=... -> {"results": [...]}

    def openalex_work(self, doi: str | None = None, openalex_id: str | None = None) -> Candidate | None:
        if not doi and not openalex_id:
            return None
        ident = f"doi:{quote(doi, safe='/:()')}" if doi else quote(openalex_id or "", safe="")
        data = self._get("openalex", f"/works/{ident}", {"select": _OPENALEX_FIELDS})
        if data is None:
            return None
        if not isinstance(data, dict) or "id" not in data:
            raise SourceError("openalex: unexpected answer (no work 'id')")
        return openalex_candidate(data)

    def openalex_search(self, title: str | None, families: list[str], year: int | None) -> list[Candidate]:
        params = {"per_page": "5", "select": _OPENALEX_FIELDS}
        filters = [f"publication_year:{year - 1}-{year + 1}"] if year else []
        if title:
            params["search"] = title
        elif families:
            filters.append(f"raw_author_name.search:{families[0]}")
        if filters:
            params["filter"] = ",".join(filters)
        data = self._get("openalex", "/works", params)
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise SourceError("openalex: unexpected answer (no 'results' list)")
        return [c for c in (openalex_candidate(r) for r in results if isinstance(r, dict)) if c]
