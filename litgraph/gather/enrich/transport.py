"""The HTTP session `litgraph enrich` sends through: cached, paced, retrying, and bounded in time and size.

- requests-cache keeps each answer in `.litgraph/enrich-cache.sqlite`, so a rerun sends nothing and
  `offline` answers from the cache alone (a miss is an error; nothing is sent);
- a urllib3 `Retry` on the adapter retries 429 and 5xx with exponential backoff, honouring Retry-After
  (a server that asks for more than a minute, or for longer than the request has left, is taken at its
  word: we give up and say so);
- the adapter waits between sends (`Pacer`), so only requests that reach the network are paced;
- every send has a wall-clock deadline (`Deadline`): `timeout` bounds each read, but a server that drips
  a byte at a time (its TLS handshake, status line, headers or body) never lets a read time out, so when
  the deadline passes the sockets of the request are shut, which ends a read under way at once;
- the adapter reads the body itself, a chunk at a time, and refuses an answer larger than the limit
  (declared in Content-Length, or found so while reading, compressed or not) before it is kept whole
  or cached.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests_cache import CachedSession
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import MaxRetryError, NameResolutionError
from urllib3.poolmanager import PoolManager, ProxyManager
from urllib3.util.retry import Retry

MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After ends the request with a message instead
MAX_REDIRECTS = 5
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What one request may take: `timeout` for each read (and for connecting, at most 5 s of it),
    `deadline` in all (however slowly the answer comes), `max_bytes` of answer."""

    timeout: float
    deadline: float
    max_bytes: int


class TooSlow(requests.ConnectionError):
    """The answer did not come in full within the request's deadline."""


class TooLarge(requests.RequestException):
    """The answer is larger than the limit; it was not read whole."""


class Deadline:
    """One request's wall-clock limit: when it passes, every socket the request uses is shut, so that a
    read under way ends (a socket shut for reading returns end-of-file at once)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._owned: list[socket.socket] = []  # duplicates made to watch a connection from its start
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def watch(self, sock: socket.socket | None, owned: bool = False) -> None:
        """Shut `sock` when the deadline passes (at once, if it has); an `owned` one is closed at the end."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if owned:
                self._owned.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> Deadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.deadline = None
        with self._lock:
            for sock in self._owned:
                sock.close()  # (the duplicate only: the connection stays open for the pool)
            self._sockets.clear()
            self._owned.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed already
        sock.shutdown(socket.SHUT_RDWR)


_current = threading.local()  # the Deadline of the request this thread is sending, if any


def _watch(sock: socket.socket | None, new: bool = False) -> None:
    """Let the current request's deadline shut `sock`; a `new` one through a duplicate, which stays the
    connection's when TLS takes the socket over (so a handshake that drips is cut off too)."""
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock.dup() if new else sock, owned=new)


class _WatchedHTTPConnection(HTTPConnection):
    """A connection whose socket the current request's deadline may shut: from its start (connecting, a
    TLS handshake) and, when it is used again, from the request on."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock, new=True)
        return sock

    def getresponse(self) -> Any:  # the status line, the headers and the body are read after this
        _watch(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock, new=True)
        return sock

    def getresponse(self) -> Any:
        _watch(self.sock)
        return super().getresponse()


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _watched_pools(manager: PoolManager) -> None:
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


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
    """urllib3's Retry that gives up, rather than sleeps, when Retry-After asks for too long a wait (more
    than a minute, or more than the request has left)."""

    def increment(self, *args: Any, **kwargs: Any) -> Retry:  # type: ignore[override]
        response = kwargs.get("response", args[2] if len(args) > 2 else None)
        wait = self.get_retry_after(response) if response is not None else None
        deadline: Deadline | None = getattr(_current, "deadline", None)
        longest = min(MAX_RETRY_AFTER, deadline.remaining()) if deadline is not None else MAX_RETRY_AFTER
        if wait is not None and wait > longest:
            url = kwargs.get("url", args[1] if len(args) > 1 else None)
            raise MaxRetryError(kwargs.get("_pool"), url, f"Retry-After {wait:.0f} s")  # type: ignore[arg-type]
        return super().increment(*args, **kwargs)


def _host(request: requests.PreparedRequest) -> str:
    return (request.url or "").split("://", 1)[-1].split("/", 1)[0]


def _read_body(response: requests.Response, limit: int, host: str) -> bytes:
    """The whole body, read a chunk at a time; TooLarge as soon as it is known to pass `limit` bytes."""
    too_large = f"{host} sent an answer larger than {limit:,} bytes; refused (max_response_bytes under [enrich])"
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(too_large)
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):  # decompressed: a small gzip bomb is counted as it unpacks
        size += len(chunk)
        if size > limit:
            raise TooLarge(too_large)
        chunks.append(chunk)
    return b"".join(chunks)


class _LimitedAdapter(HTTPAdapter):
    """Paced sends, each within its deadline and size limit, whole bodies in `response.content`."""

    def __init__(self, pacer: Pacer, retry: Retry, limits: Limits):
        super().__init__(max_retries=retry)
        self.pacer, self.limits = pacer, limits

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is ProxyManager:  # (a SOCKS manager has pools of its own kind)
            _watched_pools(manager)
        return manager

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.pacer.wait()
        host = _host(request)
        if timeout is None:  # never a request without one
            timeout = (min(5.0, self.limits.timeout), self.limits.timeout)
        with Deadline(self.limits.deadline) as deadline:
            response: requests.Response | None = None
            try:
                response = super().send(request, True, timeout, verify, cert, proxies)
                response._content = _read_body(response, self.limits.max_bytes, host)
                response._content_consumed = True  # type: ignore[attr-defined]
            except requests.RequestException:
                if response is not None:
                    response.close()  # the connection is dropped, not drained
                if deadline.expired:
                    raise TooSlow(self._too_slow(host)) from None
                raise
            if deadline.expired:  # a body without a length ends where the socket was shut: cut short
                response.close()
                raise TooSlow(self._too_slow(host))
            return response

    def _too_slow(self, host: str) -> str:
        return (
            f"{host} did not send its whole answer within {self.limits.deadline:g} s "
            "(deadline under [enrich] in litgraph.toml)"
        )


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


def _retry(retries: int) -> Retry:
    return _Retry(
        total=retries + 2,
        connect=1,
        read=False,  # a server that hung once is not asked again: its timeout is message enough
        status=retries,
        other=0,
        backoff_factor=1.0,
        backoff_max=30.0,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )


@dataclass(frozen=True)
class SessionSettings:
    bases: tuple[str, ...]  # the APIs' base URLs: each gets a pacer of its own
    user_agent: str
    limits: Limits
    requests_per_second: float
    cache_path: Path
    cache_days: float
    offline: bool = False
    retries: int = 3


def open_session(settings: SessionSettings) -> requests.Session:
    """The cached, paced, retrying, bounded session; offline, one that can only read the cache."""
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
    session.max_redirects = MAX_REDIRECTS
    if settings.offline:
        for prefix in ("http://", "https://"):
            session.mount(prefix, _OfflineAdapter())
        return session
    pacer = Pacer(settings.requests_per_second)
    for prefix in ("http://", "https://"):  # (a redirect elsewhere is bounded too)
        session.mount(prefix, _LimitedAdapter(pacer, _retry(settings.retries), settings.limits))
    for base in set(settings.bases):
        session.mount(
            base + "/", _LimitedAdapter(Pacer(settings.requests_per_second), _retry(settings.retries), settings.limits)
        )
    return session


def transport_message(exc: requests.RequestException, host: str, timeout: float) -> str:
    """One line saying why a request got no answer."""
    if isinstance(exc, TooSlow | TooLarge):
        return str(exc)
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
