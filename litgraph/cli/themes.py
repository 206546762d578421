"""`litgraph themes add` (the `themes` listing itself is in queries.py) and the choice of `init --themes`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from litgraph.cli.common import err, handle_errors, project_option

THEME_STARTS = ("peer-support", "empty")


@click.command("add")
@click.argument("theme_id", metavar="ID")
@click.option("--en", "en", help="The English label.")
@click.option("--nb", "nb", help="The Norwegian (bokmål) label.")
@click.option("--label", "others", multiple=True, metavar="LANG=LABEL", help="A label in another language.")
@click.option("--broader", "-b", multiple=True, metavar="ID", help="A wider theme (repeat for several).")
@project_option
@handle_errors
def add(theme_id: str, en: str | None, nb: str | None, others: tuple[str, ...], broader: tuple[str, ...],
        project_dir: Path) -> None:  # fmt: skip
    """Add a theme to ontology/themes.yaml (comments and order kept; written whole or not at all)."""
    from litgraph.api import add_theme
    from litgraph.project import open_project

    labels = {k: v.strip() for k, v in (("nb", nb), ("en", en)) if v and v.strip()}
    for other in others:
        lang, sep, label = other.partition("=")
        if not sep or not lang.strip() or not label.strip():
            raise click.UsageError(f"--label {other!r}: write LANG=LABEL, for example --label nn=Grensesetjing")
        labels[lang.strip()] = label.strip()
    if not labels:
        raise click.UsageError("give the theme a label: --en LABEL (and --nb LABEL where the project has nb)")
    project = open_project(project_dir)
    added = add_theme(project, theme_id, labels, list(broader))
    if added.created:
        err(
            f"note: {project.relative(added.path)} was made from the bundled theme scheme, which this project used until now"
        )
    click.echo(f"added theme {added.theme_id!r} to {project.relative(added.path)}")


def _at_a_terminal() -> bool:
    return sys.stdin.isatty()


def themes_start(chosen: str | None) -> str:
    """The theme scheme `litgraph init` starts from: as chosen, else asked (at a terminal), else the
    bundled one (said on stderr)."""
    if chosen is not None:
        return chosen
    if _at_a_terminal():
        return str(click.prompt("Start from the bundled peer-support theme scheme, or with no themes?",
                                type=click.Choice(THEME_STARTS), default="peer-support"))  # fmt: skip
    err("themes: peer-support (the bundled scheme; `litgraph init DIR --themes empty` starts with none)")
    return "peer-support"
