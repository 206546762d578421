"""The command line: parse options, call one library function (litgraph.api), format the result."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from litgraph import __version__
from litgraph.cli.common import (
    CONTEXT,
    Progress,
    err,
    format_option,
    handle_errors,
    print_problems,
    project_option,
    quiet_option,
)
from litgraph.cli.enrich import enrich
from litgraph.cli.extract import extract
from litgraph.cli.gaps import gaps
from litgraph.cli.output import LISTING_FORMATS, Column, render
from litgraph.cli.queries import (
    claims,
    contested,
    fields_named,
    keep_fields_option,
    query,
    reading_list,
    sources,
    themes,
)
from litgraph.cli.server import endpoint_option, push
from litgraph.cli.themes import THEME_STARTS, themes_start
from litgraph.cli.themes import add as add_theme
from litgraph.cli.zotero import zotero
from litgraph.plumbing.interrupts import stop_on_sigterm
from litgraph.project import open_project
from litgraph.s6_render.formats import CLAIM_FORMATS, REFERENCE_FORMATS


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="litgraph")
def main() -> None:
    """litgraph: research literature as a knowledge graph of works, claims and themes.

    Run `litgraph COMMAND -h` for a command's options.
    """
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    logging.getLogger("urllib3").setLevel(logging.ERROR)  # a retry is not news; its failure is an Error line
    stop_on_sigterm()


@main.command()
@project_option
@quiet_option
@format_option("table", "json")
@handle_errors
def build(project_dir: Path, quiet: bool, fmt: str) -> None:
    """Validate the inputs, build the graph and write site/ (graph.ttl, graph.jsonld)."""
    from litgraph.api import build as build_project

    project = open_project(project_dir)
    progress = Progress(quiet or fmt == "json")
    summary = build_project(project, progress)
    progress.done()
    for note in summary.notes:
        err(f"note: {note}")
    if not quiet:
        print_problems(summary.warnings)
    counts = {
        name: getattr(summary, name)
        for name in ("works", "claims", "themes", "questions", "disputes", "citations", "triples")
    }
    if fmt == "json":
        document = {
            **counts,
            "warnings": [str(w) for w in summary.warnings],
            "outputs": [project.relative(p) for p in summary.outputs],
        }
        click.echo(render([], [], "json", document), nl=False)
        return
    click.echo(", ".join(f"{value:,} {name}" for name, value in counts.items()))
    click.echo("wrote " + ", ".join(project.relative(p) for p in summary.outputs))


PROBLEM_COLUMNS = [Column(k, k) for k in ("file", "line", "severity", "message", "hint")]


@main.command()
@project_option
@format_option(*LISTING_FORMATS)
@click.option("--strict", is_flag=True, help="Count warnings as problems too.")
@handle_errors
def validate(project_dir: Path, fmt: str, strict: bool) -> None:
    """Check every input file and list all problems at once (file:line each); exit 1 if any."""
    from litgraph.api import validate as check

    result = check(open_project(project_dir))
    problems = result.problems if strict else result.errors
    if fmt != "table":
        rows = [{"file": str(p.path), "line": p.line, "severity": p.severity, "message": p.message, "hint": p.hint}
                for p in result.problems]  # fmt: skip
        click.echo(render(rows, PROBLEM_COLUMNS, fmt), nl=False)
    else:
        print_problems(result.problems)
        for violation in result.violations:
            err(f"SHACL: {violation}")
        if not problems and not result.violations:
            click.echo(f"ok: {result.works} works, {result.claims} claims, {result.themes} themes, "
                       f"{result.questions} questions; the graph conforms to the SHACL shapes")  # fmt: skip
        else:
            count = len(problems) + len(result.violations)
            err(f"{count} problem{'s' if count != 1 else ''} found")
    if problems or result.violations:
        sys.exit(1)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--themes", "start", type=click.Choice(THEME_STARTS),
              help="Start from the bundled theme scheme or with none (asked when not given, at a terminal).")  # fmt: skip
@handle_errors
def init(directory: Path, start: str | None) -> None:
    """Start a new project in DIRECTORY: an example, and its themes in ontology/themes.yaml."""
    from litgraph.api import new_project

    for path in new_project(directory, themes_start(start)):
        click.echo(f"  {path}")
    click.echo(f"created {directory}: add your .bib files to {directory / 'bibliography'}, then run "
               f"`litgraph build --project {directory}`")  # fmt: skip


@main.command()
@project_option
@click.option("--format", "-f", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "graphml", "gexf", *REFERENCE_FORMATS,
              *CLAIM_FORMATS]), default="ttl", show_default=True)  # fmt: skip
@keep_fields_option
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@click.option("--network", type=click.Choice(["citations", "cocitation", "coupling", "graph"]), default="citations",
              show_default=True, help="graphml/gexf: works citing works, cited together, or citing the same works "
              "(with Leiden clusters); graph: the map's themes, works and claims.")  # fmt: skip
@endpoint_option
@handle_errors
def export(
    project_dir: Path, fmt: str, output: Path | None, keep_fields: str, endpoint: str | None, network: str
) -> None:
    """Export the graph (ttl, nt, jsonld), a network for Gephi/Cytoscape (graphml, gexf), or the .bib entries."""
    from litgraph.api import export as export_graph

    written = export_graph(open_project(project_dir), fmt, output or (Path(f"graph.{fmt}") if fmt in ("graphml", "gexf") else None),
                           sys.stdout.buffer, keep_fields=fields_named(keep_fields), endpoint=endpoint, network=network)  # fmt: skip
    if written is not None:
        err(f"wrote {written}")


themes.add_command(add_theme)
for command in (sources, contested, reading_list, themes, claims, query, extract, enrich, zotero, push, gaps):
    main.add_command(command)
