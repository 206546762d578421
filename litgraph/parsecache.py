"""What each input file parsed to, kept under .litgraph/parsed so that a rebuild re-reads only changed files.

An entry is keyed by the file's exact bytes (SHA-256) and by litgraph's version: an edit, a checkout or
an upgrade makes it miss, never misread. Entries are pickles, so each carries an HMAC made with a key
private to the user (in the user's cache folder, mode 0600): an entry that someone else wrote — a
project folder received from elsewhere with its .litgraph — is never unpickled, only recomputed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from litgraph import __version__
from litgraph.rdfio import atomic_file
from litgraph.workers import no_cycle_collection, parallel_map

T = TypeVar("T")
FORMAT = "2"  # bump when what a reader returns, or an entry's layout, changes
PARALLEL_BYTES = 4_000_000  # below this, starting worker processes costs more than it saves


def user_key() -> bytes | None:
    """The user's secret for signing cache entries, created on first use; None where it cannot be kept."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "litgraph"
    path = base / "cache-key"
    try:
        return path.read_bytes()
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return path.read_bytes()
    except FileExistsError:
        return path.read_bytes()
    except OSError:
        return None


def signed(body: bytes) -> bytes:
    """`body` with a first line that proves this user's litgraph wrote it (HMAC with the user's key; "-"
    where no key can be kept, which `verified` then accepts: there is nothing to prove it with)."""
    secret = user_key()
    mac = hmac.new(secret, body, "sha256").hexdigest().encode("ascii") if secret else b"-"
    return mac + b"\n" + body


def verified(data: bytes) -> bytes | None:
    """The body of what `signed` wrote, or None if this user's litgraph did not write it."""
    mac, _, body = data.partition(b"\n")
    secret = user_key()
    if secret is None:
        return body if mac == b"-" else None
    return body if hmac.compare_digest(mac, hmac.new(secret, body, "sha256").hexdigest().encode("ascii")) else None


def save_signed_pickle(path: Path, value: Any) -> None:
    """`value`, pickled and signed, written to `path` (whole or not at all)."""
    with atomic_file(path) as handle:
        handle.write(signed(pickle.dumps(value, protocol=5)))


def load_signed_pickle(path: Path) -> Any | None:
    """What save_signed_pickle wrote to `path`; None if it is missing or damaged, or this user's litgraph
    did not write it (then it is never unpickled)."""
    try:
        body = verified(path.read_bytes())
        return pickle.loads(body) if body is not None else None
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
        return None


class ParseCache:
    """One pickle per input file, named after its path; None as the folder turns caching off."""

    def __init__(self, folder: Path | None):
        self.secret = user_key() if folder is not None else None
        self.folder = folder if self.secret else None
        self.used: set[Path] = set()

    def get(self, path: Path, kind: str, parse: Callable[[Path], T]) -> T:
        """`parse(path)`, or what it returned the last time the file had exactly these bytes."""
        return self.get_many([path], kind, parse)[0]

    def get_many(self, paths: list[Path], kind: str, parse: Callable[[Path], T]) -> list[T]:
        """`parse` of each path, from the cache where the bytes are unchanged. Two or more large files to
        parse are parsed side by side in worker processes (`parse` must then be a module-level function)."""
        values: dict[Path, T] = {}
        todo: list[tuple[Path, str | None, Path | None]] = []  # (path, key, entry) to parse
        for path in paths:
            key, entry = self._where(path, kind)
            found = self._load(key, entry)
            if found is not None:
                values[path] = found[0]
            else:
                todo.append((path, key, entry))
        size = sum(p.stat().st_size for p, _, _ in todo if p.is_file())
        if size < PARALLEL_BYTES:
            for path, key, entry in todo:
                values[path] = parse(path)
                self._store(key, entry, values[path])
        else:  # in workers, each value pickled once there: what comes back is also what the cache keeps
            bodies = parallel_map(_parse_pickled, [parse] * len(todo), [p for p, _, _ in todo])
            for (path, key, entry), body in zip(todo, bodies, strict=True):
                values[path] = pickle.loads(body)
                self._write(key, entry, body)
        return [values[p] for p in paths]

    @staticmethod
    def key_of(path: Path, kind: str, content: bytes) -> str:
        """The cache key of `path` holding `content`, read as `kind`."""
        return hashlib.sha256(f"{__version__}/{FORMAT}/{kind}/{path}\0".encode() + content).hexdigest()

    def _entry(self, path: Path) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32] + ".pickle")

    def load_entry(self, path: Path, key: str) -> tuple[Any] | None:
        """What `path`'s entry holds, if it is for the cache key `key` (see key_of)."""
        return self._load(key, self._entry(path))

    def put(self, path: Path, kind: str, content: bytes, value: object) -> None:
        """Enter `value` as what `path` holding `content` reads as."""
        self._store(self.key_of(path, kind, content), self._entry(path), value)

    def _where(self, path: Path, kind: str) -> tuple[str | None, Path | None]:
        """The cache key of the file's present bytes and its entry's path; (None, None) when not cached."""
        if self.folder is None:
            return None, None
        try:
            content = path.read_bytes()
        except OSError:
            return None, None  # the reader reports the problem in its own words
        key = self.key_of(path, kind, content)
        entry = self._entry(path)
        assert entry is not None
        self.used.add(entry)
        return key, entry

    def _load(self, key: str | None, entry: Path | None) -> tuple[Any] | None:
        if key is None or entry is None or self.secret is None:  # (not cached: see _where)
            return None
        try:
            stored = entry.read_bytes()
            mac, body = stored[:32], stored[32:]
            if body[: len(key)] == key.encode("ascii") and hmac.compare_digest(
                mac, hmac.new(self.secret, body, "sha256").digest()
            ):
                return (pickle.loads(body[len(key) :]),)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            pass
        return None

    def _store(self, key: str | None, entry: Path | None, value: object) -> None:
        if self.folder is not None:  # (pickle only what is kept)
            self._write(key, entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def _write(self, key: str | None, entry: Path | None, pickled: bytes) -> None:
        """An entry: the HMAC of what follows, the cache key (hex), the pickled value."""
        if key is None or entry is None or self.secret is None:  # (not cached: see _where)
            return
        body = key.encode("ascii") + pickled
        try:
            with atomic_file(entry) as handle:
                handle.write(hmac.new(self.secret, body, "sha256").digest())
                handle.write(body)
        except OSError:
            pass  # a read-only project still builds, only without the cache

    def prune(self) -> None:
        """Remove the entries of files that are no longer inputs."""
        if self.folder is None or not self.folder.is_dir():
            return
        for entry in self.folder.glob("*.pickle"):
            if entry not in self.used:
                entry.unlink(missing_ok=True)


NO_CACHE = ParseCache(None)


def _parse_pickled(parse: Callable[[Path], Any], path: Path) -> bytes:
    """`parse(path)`, pickled (in a worker process: its result crosses to the parent as these bytes)."""
    with no_cycle_collection():
        return pickle.dumps(parse(path), protocol=pickle.HIGHEST_PROTOCOL)
