"""Work in other processes, one per core, that never outlives the build that started it.

Workers are spawned, never forked (a fork of a process whose other threads hold locks can hang), and on
Linux each asks the kernel to kill it the moment its parent dies (PR_SET_PDEATHSIG): a build killed with
kill -9 leaves no worker, and so no multiprocessing resource tracker, behind. Where no process can start
(a program read from standard input; a system that refuses new processes) the work runs here instead.
Arguments and results cross as plain data (strings, bytes, lists): nothing is pickled that a project
folder carries.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

T = TypeVar("T")
PR_SET_PDEATHSIG = 1


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while a build makes its millions of objects (each full collection walks
    every live object: a third of a large build). The build's data hold no cycles that would pile up."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def children_can_start() -> bool:
    """False when the main program is not a file a spawned child could import (e.g. `python -`)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def die_with_parent(parent: int) -> None:
    """A worker's first act: be killed when the parent dies; if it already has, stop now."""
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it then stops us
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


class BackgroundMap(Generic[T]):
    """`list(map(function, *arguments))` computed in up to `workers` spawned processes (default: the cores)
    while this process goes on; `result()` waits (and raises what a call raised). Where no process can
    start, the work is done here when `result()` is called. `function` must be a module-level function."""

    def __init__(self, function: Callable[..., T], *arguments: Iterable[Any], workers: int | None = None):
        columns = [list(a) for a in arguments]
        self._call: tuple[Callable[..., T], list[list[Any]]] | None = (function, columns)
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Any] = []
        self._value: list[T] = []
        count = len(columns[0]) if columns else 0
        if count and children_can_start():
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=min(workers or cores(), count),
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=die_with_parent,
                    initargs=(os.getpid(),),
                )
                self._futures = [self._pool.submit(function, *row) for row in zip(*columns, strict=True)]
            except (BrokenProcessPool, OSError, pickle.PicklingError):
                self._close()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._futures = None, []

    def cancel(self) -> None:
        """Stop the work wherever it is (its outcome no longer matters: the build failed or was stopped)."""
        self._call = None
        if self._pool is not None:
            for process in list(getattr(self._pool, "_processes", {}).values()):  # (no public way before 3.14)
                with contextlib.suppress(OSError):
                    process.kill()
        self._close()

    def result_at(self, index: int) -> T:
        """The result of the `index`th call alone, as soon as it is there (the calls of one worker run in
        order: the first's result comes before the later ones are done)."""
        if self._call is not None and self._futures:
            try:
                with contextlib.suppress(BrokenProcessPool, OSError, pickle.PicklingError):
                    return self._futures[index].result()  # type: ignore[no-any-return]
            except BaseException:
                self.cancel()
                raise
        return self.result()[index]

    def result(self) -> list[T]:
        if self._call is not None:
            function, columns = self._call
            self._call = None
            try:
                if self._futures:
                    with contextlib.suppress(BrokenProcessPool, OSError, pickle.PicklingError):
                        self._value = [future.result() for future in self._futures]
                        return self._value
                self._value = list(map(function, *columns))
            except BaseException:
                self.cancel()
                raise
            finally:
                self._close()
        return self._value


def parallel_map(function: Callable[..., T], *arguments: Iterable[Any], workers: int | None = None) -> list[T]:
    """`list(map(function, *arguments))` in up to `workers` processes; here when there is one item or core."""
    columns = [list(a) for a in arguments]
    count = len(columns[0]) if columns else 0
    if min(workers or cores(), count) >= 2:
        return BackgroundMap(function, *columns, workers=workers).result()
    return list(map(function, *columns))


class Background(Generic[T]):
    """`function(*arguments)` computed in one spawned process while this one goes on (see BackgroundMap)."""

    def __init__(self, function: Callable[..., T], *arguments: Any):
        self._map = BackgroundMap(function, *([a] for a in arguments), workers=1)

    def cancel(self) -> None:
        self._map.cancel()

    def result(self) -> T:
        return self._map.result()[0]
