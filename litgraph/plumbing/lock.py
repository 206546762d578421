"""One build of a project at a time, and no query reading the store while a build swaps it.

A build holds the project's lock exclusively; a query holds it shared while it reads the store. The lock
is an advisory lock (flock) on `.litgraph/lock`, opened without following links (a received project
cannot point it at another file), so it is released by the kernel when its process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows: exclusive only, through filelock)
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "lock"


def _open(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags, 0o644)
    except OSError:  # a link or something else in its place: replaced by a file of our own
        if os.path.islink(path) or not os.path.isfile(path):
            with contextlib.suppress(OSError):
                os.unlink(path)
        return os.open(path, flags, 0o644)


@contextlib.contextmanager
def project_lock(state: Path, exclusive: bool, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold the lock of the project whose state folder is `state` (which must exist); `waiting` is called
    once if another process holds it first."""
    if fcntl is None:  # pragma: no cover
        from filelock import FileLock

        with FileLock(str(state / LOCK_FILE)):
            yield
        return
    fd = _open(state / LOCK_FILE)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)  # (releases the lock)
