"""The docs keep up with the code: every command documented, the CLI reference not stale."""

from __future__ import annotations

import sys

import click

from litgraph.cli import main

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
