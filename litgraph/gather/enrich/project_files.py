"""The project's files as `litgraph enrich` writes them: only where they stay inside the project."""

from __future__ import annotations

from pathlib import Path

from litgraph.errors import ProjectError
from litgraph.plumbing.files import OutsideError, inside
from litgraph.project import Project


def own_file(project: Project, path: Path) -> Path:
    """`path`, a file of the project litgraph writes; ProjectError where a link would take it out."""
    try:
        return inside(project.root, str(path.relative_to(project.root)))
    except (OutsideError, ValueError):
        raise ProjectError(
            f"{project.relative(path)} leads out of the project (a link?); nothing was written there"
        ) from None
