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
from typing import Any, TypeVar

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


def _children_can_start() -> bool:
    """False when the main program is not a file a spawned child could import (e.g. `python -`)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def parallel_map(function: Callable[..., T], *arguments: Iterable[Any], workers: int | None = None) -> list[T]:
    """`list(map(function, *arguments))`, computed in up to `workers` spawned processes (default: the cores).
    `function` must be importable by name (a module-level function)."""
    columns = [list(a) for a in arguments]
    count = len(columns[0]) if columns else 0
    workers = min(workers or cores(), count)
    if workers >= 2 and _children_can_start():
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                return list(pool.map(function, *columns))
        except (BrokenProcessPool, OSError, pickle.PicklingError):
            pass  # see the module's docstring: the same work, here
    return list(map(function, *columns))
