"""The command line: parse options, call one library function, format the result. No logic here."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from litgraph import __version__
from litgraph.cli_common import (
    CONTEXT,
    Progress,
    err,
    format_option,
    handle_errors,
    print_problems,
    project_option,
    quiet_option,
)
from litgraph.cli_enrich import enrich
from litgraph.cli_extract import extract
from litgraph.cli_queries import contested, list_claims, query, reading_list, sources, themes
from litgraph.config import open_project
from litgraph.output import LISTING_FORMATS, Column, render


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="litgraph")
def main() -> None:
    """litgraph: research literature as a knowledge graph of works, claims and themes.

    Run `litgraph COMMAND -h` for a command's options.
    """
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


@main.command()
@project_option
@quiet_option
@format_option("table", "json")
@handle_errors
def build(project_dir: Path, quiet: bool, fmt: str) -> None:
    """Validate the inputs, build the graph and write site/ (graph.ttl, graph.jsonld)."""
    from litgraph.project import build as build_project

    project = open_project(project_dir)
    progress = Progress(quiet or fmt == "json")
    summary = build_project(project, progress)
    progress.done()
    if not quiet:
        print_problems(summary.warnings)
    counts = {
        "works": summary.works,
        "claims": summary.claims,
        "themes": summary.themes,
        "questions": summary.questions,
        "disputes": summary.disputes,
        "citations": summary.citations,
        "triples": summary.triples,
    }
    if fmt == "json":
        click.echo(
            render(
                [],
                [],
                "json",
                {
                    **counts,
                    "warnings": [str(w) for w in summary.warnings],
                    "outputs": [project.relative(p) for p in summary.outputs],
                },
            ),
            nl=False,
        )
        return
    click.echo(", ".join(f"{value:,} {name}" for name, value in counts.items()))
    click.echo("wrote " + ", ".join(project.relative(p) for p in summary.outputs))


@main.command()
@project_option
@format_option(*LISTING_FORMATS)
@click.option("--strict", is_flag=True, help="Count warnings as problems too.")
@handle_errors
def validate(project_dir: Path, fmt: str, strict: bool) -> None:
    """Check every input file and list all problems at once (file:line each); exit 1 if any."""
    from litgraph.project import build_graph, load

    project = open_project(project_dir)
    loaded = load(project)
    problems = loaded.problems if strict else loaded.errors
    shown = loaded.problems
    if not loaded.errors:
        build_graph(project)  # SHACL too; raises on violations
    rows = [
        {"file": str(p.path), "line": p.line, "severity": p.severity, "message": p.message, "hint": p.hint}
        for p in shown
    ]
    if fmt == "table":
        print_problems(shown)
        data = loaded.data
        if not problems:
            click.echo(
                f"ok: {len(data.works)} works, {len(data.claims)} claims, {len(data.themes)} themes, "
                f"{len(data.questions)} questions; the graph conforms to the SHACL shapes"
            )
        else:
            err(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
    else:
        columns = [
            Column("file", "file"),
            Column("line", "line"),
            Column("severity", "severity"),
            Column("message", "message"),
            Column("hint", "hint"),
        ]
        click.echo(render(rows, columns, fmt), nl=False)
    if problems:
        sys.exit(1)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@handle_errors
def init(directory: Path) -> None:
    """Start a new project in DIRECTORY with the bundled theme scheme and an example."""
    from litgraph.scaffold import init_project

    written = init_project(directory)
    for path in written:
        click.echo(f"  {path}")
    click.echo(
        f"created {directory}: add your .bib files to {directory / 'bibliography'}, then run "
        f"`litgraph build --project {directory}`"
    )


@main.command()
@project_option
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["ttl", "nt", "jsonld", "graphml", "gexf", "bibtex"]),
    default="ttl",
    show_default=True,
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@handle_errors
def export(project_dir: Path, fmt: str, output: Path | None) -> None:
    """Export the graph (ttl, nt, jsonld), a network for Gephi/Cytoscape (graphml, gexf), or the .bib entries."""
    from litgraph.project import build_graph
    from litgraph.rdfio import atomic_file, serialize
    from litgraph.store import graph_store

    project = open_project(project_dir)
    if fmt in ("graphml", "gexf", "bibtex"):
        from litgraph.netexport import write_network
        from litgraph.queries import Graph
        from litgraph.sitedata import collect

        graph = Graph(graph_store(project), project.base_iri)
        if fmt == "bibtex":
            data = graph.bibtex(sorted(graph.works())).encode("utf-8")
        else:
            target = output or Path(f"graph.{fmt}")
            write_network(collect(graph, project.title), target, fmt)
            err(f"wrote {target}")
            return
    else:
        _, triples = build_graph(project)
        data = serialize(triples, fmt, project.base_iri)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    with atomic_file(output) as handle:
        handle.write(data)
    err(f"wrote {output}")


for command in (sources, contested, reading_list, themes, list_claims, query, extract, enrich):
    main.add_command(command)
