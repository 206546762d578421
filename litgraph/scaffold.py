"""`litgraph init`: a new project folder from the packaged template and ontology."""

from __future__ import annotations

import shutil
from pathlib import Path

from litgraph.config import packaged_data
from litgraph.errors import ProjectError


def init_project(target: Path) -> list[Path]:
    """Create a project in `target` (new or empty); never touches an existing file. Returns what it wrote."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ProjectError(f"{target} already exists and is not an empty folder; choose a new folder name")
    data = packaged_data()
    staging = target.with_name(f".{target.name}.init")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(data / "template", staging)
    shutil.copytree(data / "ontology", staging / "ontology")
    if target.exists():
        target.rmdir()
    staging.rename(target)
    return sorted(p for p in target.rglob("*") if p.is_file())
