"""The docs keep up with the code: every command documented, the CLI reference not stale."""

from __future__ import annotations

import sys

import click

from litgraph.cli.main import main

from .conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
from cli_reference import reference


def test_cli_reference_is_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == reference(), (
        "docs/cli.md is stale: run `python tools/cli_reference.py`"
    )


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in main.list_commands(click.Context(main)):  # type: ignore[attr-defined]
        assert f"litgraph {name}" in readme, f"README does not mention `litgraph {name}`"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    head = readme[: readme.index("## ")]
    assert "litgraph build" in head and "python -m pytest" in head
    assert "pip install --quiet -e '.[test]' && python -m pytest" in ci


def test_every_file_the_package_reads_is_in_its_wheel() -> None:
    """pyproject's package-data names every file under litgraph/ that is not Python (templates, data):
    an install that is not editable must render the site and find its data too."""
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["litgraph"]
    package = root / "litgraph"
    files = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert files
    unpacked = [f for f in files if not any(fnmatch.fnmatch(f, pattern.replace("**/", "*")) for pattern in patterns)]
    assert unpacked == []
