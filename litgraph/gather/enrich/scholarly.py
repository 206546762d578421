"""Crossref and OpenAlex over HTTP, as a good citizen: timeouts, a deadline, retries, a rate limit, a cache.

Every request goes through one session (transport.py): cached on disk, paced, retried on 429 and 5xx,
each within `timeout` per read and `deadline` in all, no answer larger than `max_response_bytes`. A
User-Agent names litgraph and, when configured, a contact address: both APIs read `mailto:` there for
their "polite pool" (a `mailto=` parameter would split the cache by who asked).

Answers become `Candidate`s in scholarly_records.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from litgraph.errors import LitgraphError
from litgraph.gather.enrich.scholarly_records import Candidate, crossref_candidate, openalex_candidate
from litgraph.gather.enrich.transport import Limits, SessionSettings, open_session, transport_message
from litgraph.project import Project
from litgraph.version import __version__

SOURCES = ("crossref", "openalex")
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
    """The server could not be reached, did not answer in time or in full (no network, DNS, a hang, a drip,
    an answer too large)."""


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
    deadline: float = 60.0
    max_response_bytes: int = 10_000_000

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
            deadline=own.deadline,
            max_response_bytes=own.max_response_bytes,
        )

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.contact}" if self.contact else ""
        return f"litgraph/{__version__} (https://pypi.org/project/litgraph/{contact})"

    def session(self) -> requests.Session:
        limits = Limits(self.timeout, self.deadline, self.max_response_bytes)
        return open_session(
            SessionSettings(
                (self.crossref_url, self.openalex_url), self.user_agent, limits, self.requests_per_second,
                self.cache_path, self.cache_days, self.offline, self.retries,
            )
        )  # fmt: skip


class Scholarly:
    """A client for both indexes; every method returns data or raises SourceError with one line."""

    def __init__(self, settings: ClientSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or settings.session()
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
            raise Unreachable(f"{source}: {transport_message(exc, host, self.settings.timeout)}") from None
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
