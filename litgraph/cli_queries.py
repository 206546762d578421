"""The commands that answer users' questions from the local store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from litgraph.cli_common import Progress, err, format_option, handle_errors, project_option
from litgraph.config import open_project
from litgraph.output import LISTING_FORMATS, Column, render
from litgraph.store import graph_store


def _graph(project_dir: Path, quiet: bool = False) -> Any:
    from litgraph.queries import Graph

    project = open_project(project_dir)
    progress = Progress(quiet)
    store = graph_store(project, progress)
    progress.done()
    return Graph(store, project.base_iri)


def _where(claim: dict[str, Any]) -> str:
    place = claim.get("reported_in_citation") or claim.get("reported_in") or ""
    locator = claim.get("locator") or ""
    return ", ".join(p for p in (place, locator) if p)


def _nothing(message: str) -> None:
    err(message)
    sys.exit(1)


@click.command()
@click.argument("theme")
@project_option
@click.option("--exact", is_flag=True, help="Only the theme itself, not its narrower themes.")
@click.option("--limit", "-n", type=int, default=50, show_default=True, help="At most this many works (0: all).")
@format_option(*LISTING_FORMATS, "bibtex")
@handle_errors
def sources(theme: str, project_dir: Path, exact: bool, limit: int, fmt: str) -> None:
    """Works with claims on THEME (id, or nb/en label), with their claims and where they were read."""
    from litgraph.queries import sources as find_sources

    graph = _graph(project_dir)
    result = find_sources(graph, theme, exact=exact, limit=limit or None)
    if not result["works"]:
        _nothing(f"no claims on the theme {result['theme']!r} yet")
    if fmt == "bibtex":
        click.echo(graph.bibtex([w["key"] for w in result["works"]]), nl=False)
        return
    rows = [
        {
            "work": w["citation"] if i == 0 else "",
            "key": w["key"],
            "year": w["year"],
            "title": w["title"],
            "claim": c["text"],
            "where": _where(c),
            "claim_id": c["id"],
            "themes": c["themes"],
        }
        for w in result["works"]
        for i, c in enumerate(w["claims"])
    ]
    columns = [Column("work", "Work", ratio=2), Column("claim", "Claim", ratio=5), Column("where", "Read in", ratio=2)]
    if fmt == "csv":
        columns = [Column(k, k) for k in ("key", "year", "title", "claim_id", "claim", "where", "themes")]
    click.echo(render(rows, columns, fmt, document=result), nl=False)
    if fmt == "table" and result["total_works"] > len(result["works"]):
        err(f"… and {result['total_works'] - len(result['works'])} more works (--limit 0 for all)")


@click.command()
@project_option
@click.option("--theme", "-t", help="Only disputes that touch this theme (or its narrower themes).")
@click.option("--limit", "-n", type=int, default=50, show_default=True, help="At most this many groups (0: all).")
@format_option(*LISTING_FORMATS)
@handle_errors
def contested(project_dir: Path, theme: str | None, limit: int, fmt: str) -> None:
    """Contested questions and disputed claims, both sides with sources, evidence and where read."""
    from litgraph.queries import contested as find_contested

    groups = find_contested(_graph(project_dir), theme, limit=limit or None)
    if not groups:
        _nothing("no contested claims" + (f" on {theme!r}" if theme else ""))
    rows: list[dict[str, Any]] = []
    for number, group in enumerate(groups, 1):
        title = group["text"].get("en") if group["kind"] == "question" else "disputed claims"
        for side in group["sides"]:
            for i, claim in enumerate(side["claims"]):
                rows.append(
                    {
                        "group": f"{number}. {title} ({group['sources']} sources)"
                        if not rows or rows[-1]["group_id"] != group["id"]
                        else "",
                        "group_id": group["id"],
                        "side": side["stance"] if i == 0 else "",
                        "source": claim["source_citation"],
                        "claim": claim["text"],
                        "evidence": claim["evidence"],
                        "where": _where(claim),
                        "claim_id": claim["id"],
                        "stance": side["stance"],
                    }
                )
    if fmt == "table":
        for number, group in enumerate(groups, 1):
            title = group["text"].get("en") if group["kind"] == "question" else "Disputed claims"
            click.echo(f"{number}. {title}  [{group['sources']} sources]")
            for side in group["sides"]:
                side_rows = [
                    {
                        "source": c["source_citation"],
                        "claim": c["text"],
                        "basis": ", ".join(x for x in (c["evidence"], _where(c)) if x),
                    }
                    for c in side["claims"]
                ]
                click.echo(f"   {side['stance']}:")
                click.echo(
                    render(
                        side_rows,
                        [
                            Column("source", "Source", ratio=2),
                            Column("claim", "Claim", ratio=5),
                            Column("basis", "Evidence; read in", ratio=3),
                        ],
                        "table",
                    ),
                    nl=False,
                )
            click.echo()
        return
    columns = [Column(k, k) for k in ("group_id", "stance", "claim_id", "source", "claim", "evidence", "where")]
    click.echo(render(rows, columns, fmt, document=groups), nl=False)


@click.command("reading-list")
@click.argument("themes", nargs=-1, required=True)
@project_option
@click.option(
    "--max",
    "-n",
    "limit",
    type=click.IntRange(1, 500),
    default=8,
    show_default=True,
    help="At most this many readings.",
)
@click.option("--title", default=None, help="Title of the md handout.")
@format_option(*LISTING_FORMATS, "bibtex")
@handle_errors
def reading_list(themes: tuple[str, ...], project_dir: Path, limit: int, title: str | None, fmt: str) -> None:
    """An ordered reading list on THEMES (foundational first), with the reason for each item."""
    from litgraph.readinglist import handout
    from litgraph.readinglist import reading_list as make_list

    graph = _graph(project_dir)
    result = make_list(graph, list(themes), limit)
    if not result["items"]:
        _nothing(f"no works with claims on {', '.join(result['themes'])}")
    if fmt == "bibtex":
        click.echo(graph.bibtex([i["key"] for i in result["items"]]), nl=False)
        return
    if fmt == "md":
        click.echo(handout(result, title or f"Reading list: {', '.join(result['themes'])}"), nl=False)
        return
    rows = [
        {
            "n": i["position"],
            "work": i["citation"],
            "title": i["title"],
            "reason": i["reason"],
            "key": i["key"],
            "year": i["year"],
        }
        for i in result["items"]
    ]
    columns = [Column("n", "#"), Column("work", "Work", ratio=2), Column("reason", "Why", ratio=5)]
    if fmt == "csv":
        columns = [Column(k, k) for k in ("n", "key", "year", "title", "reason")]
    click.echo(render(rows, columns, fmt, document=result), nl=False)


@click.command()
@project_option
@format_option(*LISTING_FORMATS)
@click.option("--lang", type=click.Choice(["en", "nb"]), default="en", show_default=True, help="Label language.")
@handle_errors
def themes(project_dir: Path, fmt: str, lang: str) -> None:
    """The theme tree, with the number of claims and works on each theme (narrower themes included)."""
    from litgraph.queries import theme_tree

    rows = theme_tree(_graph(project_dir))
    for row in rows:
        row["theme"] = "  " * row["depth"] + (row[f"label_{lang}"] or row["id"])
    columns = [
        Column("theme", "Theme", ratio=3),
        Column("id", "Id", ratio=2),
        Column("claims_with_narrower", "Claims"),
        Column("works_with_narrower", "Works"),
    ]
    if fmt == "csv":
        columns = [
            Column(k, k)
            for k in ("id", "broader", "label_en", "label_nb", "claims", "claims_with_narrower", "works_with_narrower")
        ]
    click.echo(render(rows, columns, fmt), nl=False)


@click.command("claims")
@project_option
@click.option("--source", "-s", help="BibTeX key of the work whose claims to list.")
@click.option("--theme", "-t", help="Theme id or label (narrower themes included unless --exact).")
@click.option("--reported-in", "-r", help="BibTeX key of the work the claims were read in.")
@click.option("--exact", is_flag=True, help="With --theme: only the theme itself.")
@format_option(*LISTING_FORMATS)
@handle_errors
def list_claims(
    project_dir: Path, source: str | None, theme: str | None, reported_in: str | None, exact: bool, fmt: str
) -> None:
    """Claims, filtered by --source, --theme and --reported-in."""
    from litgraph.queries import claims as find_claims

    rows = find_claims(_graph(project_dir), source=source, theme=theme, reported_in=reported_in, exact=exact)
    if not rows:
        _nothing("no claims match")
    for row in rows:
        row["where"] = _where(row)
    columns = [
        Column("source_citation", "Source", ratio=2),
        Column("text", "Claim", ratio=5),
        Column("where", "Read in", ratio=2),
    ]
    if fmt in ("csv", "md"):
        columns = [Column(k, k) for k in ("id", "source", "reported_in", "locator", "text", "themes", "evidence")]
    click.echo(render(rows, columns, fmt), nl=False)


@click.command()
@click.argument("sparql")
@project_option
@format_option(*LISTING_FORMATS)
@handle_errors
def query(sparql: str, project_dir: Path, fmt: str) -> None:
    """Run a read-only SPARQL query (a string, or @file.rq) against the local store.

    The usual prefixes (bibo, cito, dcterms, foaf, lg, skos, ...) are predeclared.
    """
    from litgraph.queries import run_query

    if sparql.startswith("@"):
        try:
            sparql = Path(sparql[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(f"cannot read {sparql[1:]}: {exc.strerror}") from None
    graph = _graph(project_dir, quiet=True)
    result = run_query(graph.store, sparql)
    if result["type"] == "ask":
        click.echo(
            render([], [], "json", result) if fmt == "json" else str(result["boolean"]).lower(), nl=fmt == "table"
        )
        return
    if result["type"] == "graph":
        rows = [dict(zip(("subject", "predicate", "object"), t, strict=True)) for t in result["triples"]]
        columns = [Column("subject", "subject"), Column("predicate", "predicate"), Column("object", "object")]
    else:
        rows, columns = result["rows"], [Column(v, v) for v in result["variables"]]
    click.echo(render(rows, columns, fmt, document=result), nl=False)
