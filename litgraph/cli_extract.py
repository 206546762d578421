"""The `extract` command: in-text citations of a document, resolved against the project's bibliography."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from litgraph.cli_common import err, format_option, handle_errors, project_option
from litgraph.config import open_project
from litgraph.errors import NotFoundError
from litgraph.output import Column, render
from litgraph.suggest import did_you_mean

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
@click.option(
    "--as",
    "citing",
    metavar="KEY",
    help="The document's own BibTeX key: record that it cites every resolved work "
    "(bibliography/citations/extracted-KEY.yaml, read by `build`).",
)
@click.option(
    "--claims-stub",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write YAML claim stubs (source, reported_in, locator, where cited) to this file, to fill in.",
)
@handle_errors
def extract(file: Path, project_dir: Path, fmt: str, citing: str | None, claims_stub: Path | None) -> None:
    """Find the author-year citations in FILE (.txt, .md, or .pdf with pdftotext) and resolve them.

    Each citation is `resolved` to one work, `ambiguous` (several fit: all are listed) or `unresolved`
    (works one year off or with the authors in another order are listed as candidates, never chosen).
    """
    from litgraph.bibliography import read_bibliography
    from litgraph.extraction import Extractor, write_cites, write_claim_stubs

    project = open_project(project_dir)
    bibliography = read_bibliography(project.bib_files())
    works = bibliography.works
    if citing is not None and citing not in works:
        hint = did_you_mean(citing, works) or "add an entry for the document to a .bib file in bibliography/ first"
        raise NotFoundError(f"--as {citing!r}: no such key in the bibliography; {hint}")
    found = Extractor(works.values()).extract(file)
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
    if citing is not None:
        target = project.citations_dir / f"extracted-{citing}.yaml"
        keys = write_cites(target, citing, found, file)
        err(f"wrote {project.relative(target)}: {citing} cites {len(keys)} works")
    if claims_stub is not None:
        written = write_claim_stubs(claims_stub, found, file, citing)
        err(f"wrote {claims_stub}: {written} claim stubs")
    if not found:
        sys.exit(1)
