"""The `extract` command: in-text citations of a document, resolved against the project's bibliography."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from litgraph.cli.common import err, format_option, handle_errors, project_option
from litgraph.cli.output import Column, render
from litgraph.errors import ProjectError
from litgraph.plumbing.files import OutsideError
from litgraph.project import open_project

COLUMNS = [
    Column("line", "line"),
    Column("raw", "citation", ratio=3),
    Column("status", "status"),
    Column("key", "work", ratio=2),
]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@project_option
@format_option("table", "json", "csv", "md")
@click.option("--as", "citing", metavar="KEY",
              help="The document's own BibTeX key: record that it cites every resolved work "
                   "(bibliography/citations/extracted-KEY.yaml, read by `build`).")  # fmt: skip
@click.option("--claims-stub", type=click.Path(dir_okay=False, path_type=Path),
              help="Write YAML claim stubs (source, reported_in, locator, where cited) to this new file, "
                   "to fill in.")  # fmt: skip
@click.option("--force", is_flag=True, help="With --claims-stub: replace the file if it exists.")
@handle_errors
def extract(file: Path, project_dir: Path, fmt: str, citing: str | None, claims_stub: Path | None, force: bool) -> None:
    """Find the author-year citations in FILE (.txt, .md, or .pdf with pdftotext) and resolve them.

    Each citation is `resolved` to one work, `ambiguous` (several fit: all are listed) or `unresolved`
    (works one year off or with the authors in another order are listed as candidates, never chosen).
    """
    from litgraph.api import extract as extract_citations

    project = open_project(project_dir)
    try:
        result = extract_citations(project, file, citing, claims_stub, force)
    except OutsideError as exc:  # a link in bibliography/citations/ leads elsewhere
        raise ProjectError(f"{exc}: a link there leads out of the project; nothing was written") from None
    found = result.found
    if fmt == "json":
        click.echo(render([], [], "json", [f.as_json() for f in found]), nl=False)
    elif found:
        rows = []
        for f in found:
            r = f.resolution
            key = r.work.key if r.work else ", ".join(f"{c.key}?" for c in r.candidates) or "-"
            rows.append({"line": f.line, "raw": " ".join(f.mention.raw.split()), "status": r.status, "key": key})
        click.echo(render(rows, COLUMNS, fmt), nl=False)
    counts = Counter(f.resolution.status for f in found)
    err(
        f"{len(found)} citations in {file.name}: "
        + ", ".join(f"{counts[s]} {s}" for s in ("resolved", "ambiguous", "unresolved"))
    )
    if result.citations_file is not None:
        err(f"wrote {project.relative(result.citations_file)}: {citing} cites {len(result.cited)} works")
    if result.stubs_file is not None:
        err(f"wrote {result.stubs_file}: {result.stubs} claim stubs")
    if not found:
        sys.exit(1)
