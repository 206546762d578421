"""`litgraph gaps`: what the graph knows that nobody wrote down (one library call, the result formatted)."""

from __future__ import annotations

from pathlib import Path

import click

from litgraph.cli.common import err, format_option, handle_errors, progress_shown, project_option
from litgraph.cli.output import LISTING_FORMATS, Column, render
from litgraph.project import open_project
from litgraph.s4_analyse.gaps import KINDS


@click.command()
@project_option
@click.option("--kind", "-k", "kinds", multiple=True, type=click.Choice(KINDS),
              help="Only gaps of this kind (repeat for more; default: every kind).")  # fmt: skip
@click.option("--min-cited", type=click.IntRange(1), default=2, show_default=True,
              help="Works outside the bibliography: those cited by at least this many works of the project.")  # fmt: skip
@click.option("--evidence", default=None, help="Evidence gaps of this evidence type only.")
@format_option(*LISTING_FORMATS, "bibtex")
@handle_errors
def gaps(project_dir: Path, kinds: tuple[str, ...], min_cited: int, evidence: str | None, fmt: str) -> None:
    """Disputes nobody answered, questions with one side only, sides of contested questions resting on one
    work, themes without claims of an evidence type, and works cited by at least --min-cited works of the
    project that are not in its bibliography (--format bibtex: those, as a candidate .bib)."""
    from litgraph import ask as api
    from litgraph.s4_analyse.outside import KIND, candidate_bib

    if fmt == "bibtex":
        kinds = (KIND,)
    with progress_shown() as progress:
        found = api.gaps(open_project(project_dir), list(kinds) or None, min_cited, evidence, progress)
    if not found and fmt != "json":
        err("no gaps found" + (f" of the kinds {', '.join(kinds)}" if kinds else ""))
    if fmt == "bibtex":
        click.echo(candidate_bib(found), nl=False)
        return
    rows = [{**g.json(), "about": g.subject} for g in found]
    columns = [Column("kind", "Kind", ratio=2), Column("about", "About", ratio=2), Column("why", "Why", ratio=6)]
    if fmt in ("csv", "md"):
        columns = [Column(k, k) for k in ("kind", "subject", "why", "claims", "works")]
    click.echo(render(rows, columns, fmt, document=found), nl=False)
