"""Write docs/cli.md from the commands' own --help (run after changing an option; a test checks it)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from litgraph.cli.main import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def reference() -> str:
    runner = CliRunner()
    parts = ["# litgraph command reference", "", "Generated from `--help` by `python tools/cli_reference.py`.", ""]
    ctx = click.Context(main)
    names = [""]
    for name in sorted(main.list_commands(ctx)):  # type: ignore[attr-defined]
        command = main.get_command(ctx, name)  # type: ignore[attr-defined]
        subcommands = sorted(command.list_commands(ctx)) if isinstance(command, click.Group) else []
        names += [name, *(f"{name} {sub}" for sub in subcommands)]  # (a group's subcommands after it)
    for name in names:
        args = [*name.split(), "--help"] if name else ["--help"]
        text = runner.invoke(main, args, prog_name="litgraph", terminal_width=100).output
        parts += [f"## litgraph {name}".rstrip(), "", "```text", text.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    DOC.write_text(reference(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
