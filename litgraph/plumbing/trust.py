"""Whether a project's state folder (.litgraph/) was made by this user's litgraph, on this machine.

Nothing in .litgraph/ can run code (the caches are SQLite, JSON, N-Triples and HTML; no pickle), but a
received project folder could still carry a store or caches that do not match its inputs, or files
crafted to crash the readers. So the folder is used only when its owner token verifies: an HMAC, with a
key private to the user, of a random nonce and the folder's identity (device and inode). A copied,
unpacked or cloned folder has another identity, and nobody else has the key: such a folder is set aside
and rebuilt. Without a usable key (an unwritable home, an empty or short key file) nothing is trusted and
caching is off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

KEY_BYTES = 32
OWNER = "owner"  # the token's file name in the state folder


def key_file() -> Path:
    """Where the user's key is kept: $XDG_CACHE_HOME/litgraph/cache-key (or ~/.cache/...)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "litgraph" / "cache-key"


def _read_key(path: Path) -> bytes | None:
    try:
        found = path.read_bytes()
    except OSError:
        return None
    return found if len(found) == KEY_BYTES else None


def user_key() -> bytes | None:
    """The user's secret (32 bytes), made on first use; None where none can be kept. A key file of the wrong
    length (an empty one left by a full disk, say) is replaced, never used."""
    try:
        path = key_file()
    except RuntimeError:  # no home folder at all
        return None
    found = _read_key(path)
    if found is not None:
        return found
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".cache-key.{secrets.token_hex(6)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())  # whole on disk before it counts: never a short key after a crash
            try:
                os.link(tmp, path)  # only where there is none: two first runs agree on one key
            except FileExistsError:
                if _read_key(path) is None:
                    os.replace(tmp, path)  # a damaged key: replaced
        finally:
            tmp.unlink(missing_ok=True)
    except OSError:
        return None
    return _read_key(path)


def _mac(key: bytes, nonce: str, folder: Path) -> str:
    info = os.stat(folder, follow_symlinks=False)
    return hmac.new(key, f"{nonce}\0{info.st_dev}\0{info.st_ino}".encode(), hashlib.sha256).hexdigest()


def is_owned(folder: Path, key: bytes) -> bool:
    """True when `folder` is a real folder whose owner token was made with `key` for this very folder."""
    try:
        if folder.is_symlink() or not folder.is_dir():
            return False
        token = json.loads((folder / OWNER).read_text(encoding="ascii"))
        return hmac.compare_digest(str(token["mac"]), _mac(key, str(token["nonce"]), folder))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def take_ownership(folder: Path, key: bytes) -> None:
    """Write the owner token of a folder this litgraph has just made."""
    nonce = secrets.token_hex(16)
    path = folder / OWNER
    tmp = folder / f".{OWNER}.tmp"
    tmp.write_text(json.dumps({"nonce": nonce, "mac": _mac(key, nonce, folder)}), encoding="ascii")
    os.replace(tmp, path)
