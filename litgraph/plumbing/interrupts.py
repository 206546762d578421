"""Stopping a command cleanly: SIGTERM is handled like Ctrl-C, and the few steps that publish a build's
results (swapping the store and site/ in, committing the state) are never split by either.

A stop during the work unwinds through the `finally` blocks that remove staging folders and stop worker
processes; the project keeps its old outputs. A stop during `uninterruptible()` is held until the block
ends, so the outputs are all old or all new. (kill -9 cannot be held: each swap is still whole, and the
next command finishes what the killed one left, see build.py.)
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwinds like Ctrl-C (KeyboardInterrupt), so the same clean-up runs."""


def _on_term(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def stop_on_sigterm() -> None:
    """From now on SIGTERM raises Terminated in the main thread (call once, from the CLI)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_term)


@contextlib.contextmanager
def uninterruptible() -> Iterator[None]:
    """SIGINT and SIGTERM held until the block ends (then delivered); a no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
