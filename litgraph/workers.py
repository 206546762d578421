"""Run a function over many inputs in worker processes, one per core, or here when that cannot be done.

Workers are spawned, never forked: a fork of a process whose other threads hold locks (the SHACL engine's, an open
store's, a test server's) can hang. Where spawning fails — a program read from standard input, which a
spawned child cannot import, or a system that refuses new processes — the work runs in this process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while a build makes its millions of objects (also as a decorator): each
    full collection walks every live object, and at 100k works those passes took a third of a rebuild (and
    a third of parsing a claims file). The pipeline's data hold no reference cycles that would pile up
    meanwhile; the collector is back on when the block ends."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def cores() -> int:
    return os.cpu_count() or 1


def children_can_start() -> bool:
    """False when the main program is not a file a spawned child could import (e.g. `python -`)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def parallel_map(function: Callable[..., T], *arguments: Iterable[Any], workers: int | None = None) -> list[T]:
    """`list(map(function, *arguments))`, computed in up to `workers` spawned processes (default: the cores).
    `function` must be importable by name (a module-level function)."""
    columns = [list(a) for a in arguments]
    count = len(columns[0]) if columns else 0
    workers = min(workers or cores(), count)
    if workers >= 2:
        return BackgroundMap(function, *columns, workers=workers).result()
    return list(map(function, *columns))


class BackgroundMap(Generic[T]):
    """`list(map(function, *arguments))` computed in up to `workers` spawned processes (default: the cores)
    while this one goes on; `result()` waits for it (and raises what a call raised). Where no process can
    start, it is computed here, when `result()` is called."""

    def __init__(self, function: Callable[..., T], *arguments: Iterable[Any], workers: int | None = None):
        columns = [list(a) for a in arguments]
        self._call: tuple[Callable[..., T], list[list[Any]]] | None = (function, columns)
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Any] = []
        self._value: list[T]
        count = len(columns[0]) if columns else 0
        if count and children_can_start():
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=min(workers or cores(), count), mp_context=multiprocessing.get_context("spawn")
                )
                self._futures = [self._pool.submit(function, *row) for row in zip(*columns, strict=True)]
            except (BrokenProcessPool, OSError, pickle.PicklingError):
                self._close()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._futures = None, []

    def cancel(self) -> None:
        """Stop the work, wherever it is (its outcome no longer matters: the build failed meanwhile)."""
        self._call = None
        if self._pool is not None:
            # (concurrent.futures has no public way to stop a running call before Python 3.14)
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._close()

    def result(self) -> list[T]:
        if self._call is not None:
            function, columns = self._call
            self._call = None  # (the arguments may be large: not kept once the result is in)
            try:
                if self._futures:
                    with contextlib.suppress(BrokenProcessPool, OSError, pickle.PicklingError):
                        self._value = [future.result() for future in self._futures]
                        return self._value
                self._value = list(map(function, *columns))  # see the module's docstring: the same work, here
            finally:
                self._close()
        return self._value


class Background(Generic[T]):
    """`function(*arguments)` computed in one spawned process while this one goes on (see BackgroundMap)."""

    def __init__(self, function: Callable[..., T], *arguments: Any):
        self._map = BackgroundMap(function, *([a] for a in arguments), workers=1)

    def cancel(self) -> None:
        self._map.cancel()

    def result(self) -> T:
        return self._map.result()[0]


class Done(Generic[T]):
    """A value at hand, with Background's `result()` and `cancel()`."""

    def __init__(self, value: T):
        self._value = value

    def cancel(self) -> None:
        pass  # (nothing under way)

    def result(self) -> T:
        return self._value
