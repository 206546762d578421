"""The command line: parse options, call one library function, format the result. No logic here."""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from litgraph import __version__
from litgraph.config import open_project
from litgraph.errors import InputError, LitgraphError
from litgraph.output import LISTING_FORMATS, Column, render
from litgraph.project import build as build_project
from litgraph.project import build_graph, load
from litgraph.rdfio import atomic_file, serialize
from litgraph.scaffold import init_project

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _err(message: str) -> None:
    click.echo(message, err=True)


def _print_problems(problems: list[Any]) -> None:
    for problem in problems:
        _err(str(problem))


def handle_errors(func: F) -> F:
    """Library errors become messages on stderr and exit 1; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _print_problems(exc.problems)
            _err(f"Error: {exc}; nothing was written.")
            sys.exit(1)
        except LitgraphError as exc:
            _err(f"Error: {exc}")
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def project_option(func: F) -> F:
    return click.option(
        "--project",
        "-p",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="The project folder.",
    )(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No progress messages.")(func)


def format_option(*formats: str, default: str = "table") -> Callable[[F], F]:
    def decorator(func: F) -> F:
        return click.option(
            "--format",
            "-f",
            "fmt",
            type=click.Choice(formats),
            default=default,
            show_default=True,
            help="Output format: table for people, json for scripts.",
        )(func)

    return decorator


class _Progress:
    """Stage messages on stderr with the time each took."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.stage: str | None = None
        self.started = time.perf_counter()

    def __call__(self, stage: str) -> None:
        self.done()
        self.stage, self.started = stage, time.perf_counter()
        if not self.quiet:
            click.echo(f"  {stage} …", err=True, nl=False)

    def done(self) -> None:
        if self.stage and not self.quiet:
            click.echo(f" {time.perf_counter() - self.started:.1f}s", err=True)
        self.stage = None


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
    project = open_project(project_dir)
    progress = _Progress(quiet or fmt == "json")
    summary = build_project(project, progress)
    progress.done()
    if not quiet:
        _print_problems(summary.warnings)
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
        _print_problems(shown)
        data = loaded.data
        if not problems:
            click.echo(
                f"ok: {len(data.works)} works, {len(data.claims)} claims, {len(data.themes)} themes, "
                f"{len(data.questions)} questions; the graph conforms to the SHACL shapes"
            )
        else:
            _err(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
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
    written = init_project(directory)
    for path in written:
        click.echo(f"  {path}")
    click.echo(
        f"created {directory}: add your .bib files to {directory / 'bibliography'}, then run "
        f"`litgraph build --project {directory}`"
    )


@main.command()
@project_option
@click.option("--format", "-f", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@handle_errors
def export(project_dir: Path, fmt: str, output: Path | None) -> None:
    """Export the graph as Turtle, N-Triples or JSON-LD."""
    project = open_project(project_dir)
    _, triples = build_graph(project)
    data = serialize(triples, fmt, project.base_iri)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    with atomic_file(output) as handle:
        handle.write(data)
    _err(f"wrote {output} ({len(triples):,} triples)")
