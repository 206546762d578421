"""A SPARQL 1.1 server, spoken to over HTTP: the query and update protocols and the Graph Store protocol.

`Server` is what `litgraph push` and the query commands' `--endpoint` use. The user names the server as
they know it (`http://127.0.0.1:7878` for an Oxigraph server, `http://127.0.0.1:3030/litgraph` for a
Fuseki dataset); the query, update and graph-store URLs are found by probing once (Oxigraph: /query,
/update, /store; Fuseki: /query or /sparql, /update, /data), unless litgraph.toml sets them ([server]).

Every request has a timeout; 429 and 503 answers are retried with backoff, honouring Retry-After (urllib3's
Retry on the session's adapter; a body sent again is a file, rewound). Credentials come from the
environment only (LITGRAPH_TOKEN, or LITGRAPH_USER and LITGRAPH_PASSWORD) and are never shown. What goes
wrong is one `ServerError` line: unreachable, refused credentials, an HTML page, an answer cut short.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, Any

import orjson
import pyoxigraph as ox
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from litgraph.errors import LitgraphError
from litgraph.project import ServerSettings

MAX_RETRY_AFTER = 60.0  # seconds; a server asking to wait longer is taken at its word: we stop and say so
CONNECT_SECONDS = 5.0
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class ServerError(LitgraphError):
    """The SPARQL server could not be reached, refused us, or answered something that is not SPARQL."""


class _Retry(Retry):
    """urllib3's Retry, giving up (with a message) when the server asks to wait more than a minute."""

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        if seconds is not None and seconds > MAX_RETRY_AFTER:
            raise ServerError(f"the server is busy and asks to wait {seconds:g} s (Retry-After); try again later")
        return seconds


def retrying_session(retries: int = 4) -> requests.Session:
    """A session whose requests are retried on 429 and 503 (every method: a body sent again is rewound)."""
    session = requests.Session()
    retry = _Retry(
        total=retries, connect=1, read=0, status=retries, backoff_factor=0.5, backoff_max=10,
        status_forcelist=(429, 503), allowed_methods=None, respect_retry_after_header=True, raise_on_status=False,
    )  # fmt: skip
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = "litgraph"
    return session


def credentials() -> tuple[requests.auth.AuthBase | None, str]:
    """The authentication the environment asks for (bearer token, or basic), and what it is called."""
    token = os.environ.get("LITGRAPH_TOKEN")
    if token:
        return _Bearer(token), "the token in LITGRAPH_TOKEN"
    user, password = os.environ.get("LITGRAPH_USER"), os.environ.get("LITGRAPH_PASSWORD")
    if user and password is not None:
        return requests.auth.HTTPBasicAuth(user, password), "the user and password in LITGRAPH_USER/LITGRAPH_PASSWORD"
    return None, "no credentials (set LITGRAPH_USER and LITGRAPH_PASSWORD, or LITGRAPH_TOKEN)"


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str):
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "<bearer token>"


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    store: str


def term_of(value: dict[str, Any]) -> Term:
    """A term of a SPARQL JSON result as pyoxigraph has it (so that the same code reads both stores)."""
    kind = value.get("type")
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"]) if value["value"].isalnum() else ox.BlankNode()
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return ox.Literal(value["value"], language=value["xml:lang"])
        datatype = value.get("datatype")
        return ox.Literal(value["value"], datatype=ox.NamedNode(datatype) if datatype else None)
    raise ServerError(f"the server answered a term of an unknown kind {kind!r}")


class Server:
    """One SPARQL server, as the user named it; its protocol URLs are found on first use."""

    def __init__(self, url: str, settings: ServerSettings | None = None, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise ServerError(f"the SPARQL server's URL {url!r} must start with http:// or https://")
        self.settings = settings or ServerSettings()
        self.session = session or retrying_session()
        self.auth, self._auth_name = credentials()
        self._endpoints: Endpoints | None = None
        self.engine = ""  # the Server header of the answers (e.g. "Oxigraph/0.5.13")

    # -- requests ---------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        ok: tuple[int, ...] = (200, 201, 204),
        seconds: float | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One request, with the timeout (`seconds`, else [server]'s) and credentials; ServerError (one
        line) for what went wrong."""
        try:
            response = self.session.request(method, url, auth=self.auth,
                                            timeout=(CONNECT_SECONDS, seconds or self.settings.timeout), **kwargs)  # fmt: skip
        except requests.exceptions.ConnectTimeout:
            raise ServerError(
                f"cannot reach the SPARQL server at {self.url}: no answer to connect within {CONNECT_SECONDS:g} s"
            ) from None
        except requests.exceptions.ReadTimeout:
            raise ServerError(
                f"the SPARQL server at {self.url} did not answer within {seconds or self.settings.timeout:g} s "
                + ("(query_seconds under [limits])" if seconds else "(timeout under [server])")
            ) from None
        except requests.exceptions.ChunkedEncodingError:
            raise ServerError(
                f"the answer of the SPARQL server at {self.url} ended half-way (the connection was cut); try again"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise ServerError(
                f"cannot reach the SPARQL server at {self.url}: {_reason(exc)}; is it running, and is the URL right?"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise ServerError(f"the request to the SPARQL server at {self.url} failed: {_reason(exc)}") from None
        if response.status_code in (401, 403):
            raise ServerError(
                f"the SPARQL server at {self.url} refused {self._auth_name} ({response.status_code} {response.reason})"
            )
        if response.status_code in (429, 503):
            raise ServerError(
                f"the SPARQL server at {self.url} is busy ({response.status_code}) and stayed so after retries; try again later"
            )
        if response.status_code not in ok:
            raise ServerError(
                f"the SPARQL server at {self.url} answered {response.status_code} {response.reason} to {method} {url}: {_excerpt(response)}"
            )
        return response  # fmt: skip

    def _probe(self, candidates: list[str], method: str, **kwargs: Any) -> str | None:
        for url in candidates:
            response = self.request(method, url, ok=tuple(range(200, 600)), **kwargs)
            if response.status_code == 200 and _is_html(response):
                raise ServerError(
                    f"the server at {self.url} answered an HTML page, not SPARQL (a sign-in page, or not the "
                    "server's base URL?); give http://HOST:7878 for Oxigraph, http://HOST:3030/DATASET for Fuseki"
                )
            if response.status_code == 200:
                self.engine = response.headers.get("Server", "")
                return url
        return None

    def endpoints(self) -> Endpoints:
        """The query, update and graph-store URLs: as litgraph.toml sets them, else found by probing once."""
        if self._endpoints is None:
            s, base = self.settings, self.url
            query = s.query_url or self._probe([f"{base}/query", f"{base}/sparql"], "POST", data={"query": "ASK {}"},
                                               headers={"Accept": "application/sparql-results+json"})  # fmt: skip
            store = s.store_url or self._probe([f"{base}/store", f"{base}/data"], "HEAD", params={"default": ""})
            if query is None or store is None:
                what = (
                    "SPARQL query endpoint (/query, /sparql)"
                    if query is None
                    else "Graph Store endpoint (/store, /data)"
                )
                raise ServerError(
                    f"{base} has no {what}; give the server's base URL (http://HOST:7878 for Oxigraph, "
                    "http://HOST:3030/DATASET for Fuseki), or set query_url/update_url/store_url under [server]"
                )  # fmt: skip
            self._endpoints = Endpoints(query, s.update_url or f"{base}/update", store)
        return self._endpoints

    # -- the protocols -----------------------------------------------------------------------------------
    def select(self, query: str, default_graphs: list[str] | None = None) -> list[dict[str, Term]]:
        """A SELECT's rows (variable -> term; unbound variables left out)."""
        return [
            {k: term_of(v) for k, v in row.items()}
            for row in self.results(query, default_graphs)["results"]["bindings"]
        ]

    def results(
        self, query: str, default_graphs: list[str] | None = None, seconds: float | None = None
    ) -> dict[str, Any]:
        """A SELECT's or ASK's answer as SPARQL JSON (the protocol's `default-graph-uri`s as given)."""
        form = [("query", query), *(("default-graph-uri", g) for g in default_graphs or ())]
        response = self.request("POST", self.endpoints().query, data=form, seconds=seconds,
                                headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        if _is_html(response):
            raise ServerError(
                f"the server at {self.url} answered an HTML page, not SPARQL results; is it a SPARQL endpoint?"
            )
        try:
            document = orjson.loads(response.content)
            if "boolean" not in document and not isinstance(document["results"]["bindings"], list):
                raise TypeError
            return document  # type: ignore[no-any-return]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise ServerError(
                f"the answer of the SPARQL server at {self.url} is not whole SPARQL JSON (cut short?); try again"
            ) from None

    def construct(self, query: str, default_graphs: list[str] | None = None, seconds: float | None = None) -> bytes:
        """A CONSTRUCT's or DESCRIBE's triples as N-Triples."""
        form = [("query", query), *(("default-graph-uri", g) for g in default_graphs or ())]
        response = self.request(
            "POST", self.endpoints().query, data=form, seconds=seconds, headers={"Accept": "application/n-triples"}
        )
        if _is_html(response):
            raise ServerError(f"the server at {self.url} answered an HTML page, not triples; is it a SPARQL endpoint?")
        return response.content

    def put_graph(self, iri: str, body: IO[bytes]) -> None:
        """The named graph `iri` replaced by the N-Triples in `body` (a file: streamed, rewound on retry)."""
        self.request("PUT", self.endpoints().store, params={"graph": iri}, data=body,
                     headers={"Content-Type": "application/n-triples"})  # fmt: skip

    def loads_in_bulk(self) -> bool:
        """Whether the server takes N-Quads into many graphs at once, untransacted (an Oxigraph server's
        /store with `no_transaction`: a few times faster than a transaction per graph)."""
        self.endpoints()
        return self.engine.startswith("Oxigraph/") and self.endpoints().store.endswith("/store")

    def add_quads(self, body: IO[bytes]) -> None:
        """The N-Quads in `body` added to their graphs in one request (see `loads_in_bulk`)."""
        self.request("POST", self.endpoints().store, params={"no_transaction": "", "lenient": ""}, data=body,
                     headers={"Content-Type": "application/n-quads"})  # fmt: skip

    def write_graph(self, iri: str, out: IO[bytes]) -> None:
        """The named graph `iri` as N-Triples, streamed into `out`."""
        response = self.request("GET", self.endpoints().store, params={"graph": iri}, stream=True,
                                headers={"Accept": "application/n-triples"})  # fmt: skip
        try:
            for chunk in response.iter_content(1 << 16):
                out.write(chunk)
        except requests.exceptions.RequestException:
            raise ServerError(
                f"the answer of the SPARQL server at {self.url} ended half-way (the connection was cut); try again"
            ) from None

    def delete_graph(self, iri: str) -> None:
        """The named graph `iri` gone (it may be gone already)."""
        self.request("DELETE", self.endpoints().store, params={"graph": iri}, ok=(200, 204, 404))


def _is_html(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "").lower()
    return "text/html" in kind or "application/xhtml" in kind


def _excerpt(response: requests.Response) -> str:
    if _is_html(response):
        return "an HTML page"
    text = " ".join(response.text[:300].split())
    return text[:200] or "(no message)"


def _reason(exc: Exception) -> str:
    text = str(exc)
    for reason in ("Connection refused", "Name or service not known", "No route to host", "Connection reset",
                   "Remote end closed connection", "certificate verify failed"):  # fmt: skip
        if reason.lower() in text.lower():
            return reason.lower()
    return text.split(": ")[-1][:200] if text else type(exc).__name__
