"""The trash: the store and site/ a build's swap replaced, removed by the next build that has work to do."""

from __future__ import annotations

import os
from pathlib import Path

from litgraph.plumbing.files import empty_trash
from litgraph.plumbing.workers import Background


def empty_beside(trash: Path) -> Background[None] | None:
    """What is in `trash` (the site/ and store the last build replaced, whatever killed builds left) removed
    by another process while this build goes on: 100,000 work pages take seconds to unlink, time the build's
    own work covers. None where the trash is empty."""
    if not trash.is_dir() or trash.is_symlink() or not any(os.scandir(trash)):
        return None
    return Background(_empty_nicely, trash)


def _empty_nicely(trash: Path) -> None:
    """empty_trash at the lowest priority: the build's own processes (the analysis, the map's clusters) come
    first on the cores, and the removal takes what they leave."""
    os.nice(19)
    empty_trash(trash)
