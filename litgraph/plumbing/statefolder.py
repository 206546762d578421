"""The project's state folder (.litgraph/): made sure of before anything in it is read or written.

It must be a real folder of this user's litgraph (see trust.py): a link in its place is removed (never
followed), and a folder that came with the project from elsewhere is set aside and removed, with a note.
Without a key there is no caching: a build then works in a temporary folder, removed when it ends.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from litgraph.plumbing.files import remove_tree
from litgraph.plumbing.trust import is_owned, key_file, take_ownership, user_key

STATE = ".litgraph"


@dataclass(frozen=True)
class StateFolder:
    """Where a build keeps its state: `path` (.litgraph, or a temporary folder when `cached` is False)."""

    path: Path
    cached: bool
    note: str | None = None  # what the user should know (caching is off; a received folder was set aside)

    @property
    def database(self) -> Path:
        return self.path / "state.sqlite"

    @property
    def units(self) -> Path:
        return self.path / "units"

    @property
    def store(self) -> Path:
        return self.path / "store"

    @property
    def tmp(self) -> Path:
        """Staging folders of a build under way (what a killed build left here is removed by the next)."""
        return self.path / "tmp"

    @property
    def trash(self) -> Path:
        """Old sites and stores, swapped out; emptied by the next build."""
        return self.path / "trash"


def _not_a_folder(path: Path) -> bool:
    return path.is_symlink() or (os.path.lexists(path) and not path.is_dir())


def prepare(root: Path) -> StateFolder:
    """The project's state folder, made sure of (see the module's docstring)."""
    folder = root / STATE
    key = user_key()
    if key is None:
        scratch = Path(tempfile.mkdtemp(prefix="litgraph-state-"))
        reason = (f"caching is off: no key can be kept at {key_file()} (an unwritable or missing home folder?); "
                  "every command builds anew")  # fmt: skip
        return StateFolder(scratch, False, reason)
    note: str | None = None
    if _not_a_folder(folder):
        os.unlink(folder)  # a link or a file where the folder should be: removed, never followed
    if folder.is_dir() and not is_owned(folder, key):
        aside = root / f"{STATE}.foreign-{secrets.token_hex(4)}"
        os.rename(folder, aside)
        remove_tree(aside)
        note = f"{STATE}/ was not made by your litgraph (it came with the folder): set aside and built anew"
    if not folder.is_dir():
        folder.mkdir(exist_ok=True)
        take_ownership(folder, key)
    return StateFolder(folder, True, note)


@contextlib.contextmanager
def state_folder(root: Path) -> Iterator[StateFolder]:
    """The project's state folder for the time of a command (a temporary one is removed at the end)."""
    state = prepare(root)
    try:
        yield state
    finally:
        if not state.cached:
            shutil.rmtree(state.path, ignore_errors=True)
