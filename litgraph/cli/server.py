"""`litgraph push`, and the `--endpoint` option of the query commands (a SPARQL server instead of the
local store). Credentials come from the environment only: LITGRAPH_TOKEN, or LITGRAPH_USER and
LITGRAPH_PASSWORD."""

from __future__ import annotations

from pathlib import Path

import click

from litgraph.cli.common import F, err, format_option, handle_errors, progress_shown, project_option, quiet_option
from litgraph.cli.output import render
from litgraph.project import open_project


def endpoint_option(func: F) -> F:
    return click.option(
        "--endpoint",
        metavar="URL",
        default=None,
        help="Ask this SPARQL server (its base URL) instead of the local store; also LITGRAPH_ENDPOINT, "
        "or endpoint under [server] in litgraph.toml.",
    )(func)


@click.command()
@project_option
@endpoint_option
@click.option("--dry-run", is_flag=True, help="List what would be sent and deleted; send nothing.")
@quiet_option
@format_option("table", "json")
@handle_errors
def push(project_dir: Path, endpoint: str | None, dry_run: bool, quiet: bool, fmt: str) -> None:
    """Send the built graph to a SPARQL 1.1 server: one named graph per unit, only what changed.

    Credentials come from the environment only: LITGRAPH_TOKEN (bearer), or LITGRAPH_USER and
    LITGRAPH_PASSWORD (basic).
    """
    from litgraph.api import push as push_graph

    with progress_shown(quiet or fmt == "json") as progress:
        report = push_graph(open_project(project_dir), endpoint, dry_run, progress)
    if fmt == "json":
        click.echo(render([], [], "json", report), nl=False)
        return
    verb = ("would send", "would delete") if dry_run else ("sent", "deleted")
    for iri in report.sent:
        click.echo(f"{verb[0]} {iri}")
    for iri in report.deleted:
        click.echo(f"{verb[1]} {iri}")
    err(f"{report.endpoint}: {verb[0]} {len(report.sent):,} graphs ({report.bytes_sent:,} bytes), "
        f"{verb[1]} {len(report.deleted):,}, {report.unchanged:,} unchanged, in {report.seconds:.1f} s")  # fmt: skip
