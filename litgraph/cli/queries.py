"""The commands that answer users' questions: each calls one library function and formats what it returns.

An empty answer is an empty list (or the same shape with no items) in JSON and a note on stderr in a
table; both exit 0, so that `| jq` and scripts see an answer, not an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from litgraph.cli.common import err, format_option, handle_errors, progress_shown, project_option
from litgraph.cli.output import LISTING_FORMATS, Column, render
from litgraph.cli.server import endpoint_option
from litgraph.project import open_project
from litgraph.s4_analyse.rows import ClaimRow

lang_option = click.option("--lang", type=click.Choice(["en", "nb"]), default=None,
                           help="Claims in this language where they have it (default: the project's).")  # fmt: skip


def _where(claim: ClaimRow) -> str:
    place = claim.reported_in_citation or claim.reported_in or ""
    return ", ".join(p for p in (place, claim.locator or "") if p)


@click.command()
@click.argument("theme")
@project_option
@click.option("--exact", is_flag=True, help="Only the theme itself, not its narrower themes.")
@click.option("--limit", "-n", type=int, default=50, show_default=True, help="At most this many works (0: all).")
@lang_option
@format_option(*LISTING_FORMATS, "bibtex")
@endpoint_option
@handle_errors
def sources(
    theme: str, project_dir: Path, exact: bool, limit: int, lang: str | None, fmt: str, endpoint: str | None
) -> None:
    """Works with claims on THEME (id, or nb/en label), with their claims and where they were read."""
    from litgraph import ask as api

    project = open_project(project_dir)
    with progress_shown() as progress:
        result = api.sources(
            project, theme, exact=exact, limit=limit or None, lang=lang, progress=progress, endpoint=endpoint
        )
    if not result.works and fmt != "json":
        err(f"no claims on the theme {result.theme!r} yet")
    if fmt == "bibtex":
        click.echo(
            api.bibtex(project, [w.key for w in result.works], endpoint=endpoint) if result.works else "", nl=False
        )
        return
    rows = [{"work": w.citation if i == 0 else "", "key": w.key, "year": w.year, "title": w.title, "claim": c.text,
             "where": _where(c), "claim_id": c.id, "themes": c.themes}
            for w in result.works for i, c in enumerate(w.claims)]  # fmt: skip
    columns = [Column("work", "Work", ratio=2), Column("claim", "Claim", ratio=5), Column("where", "Read in", ratio=2)]
    if fmt == "csv":
        columns = [Column(k, k) for k in ("key", "year", "title", "claim_id", "claim", "where", "themes")]
    click.echo(render(rows, columns, fmt, document=result), nl=False)
    if fmt == "table" and result.total_works > len(result.works):
        err(f"… and {result.total_works - len(result.works)} more works (--limit 0 for all)")


def _contested_rows(groups: list[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, group in enumerate(groups, 1):
        title = group.text.get("en") if group.kind == "question" else "disputed claims"
        for side in group.sides:
            for i, claim in enumerate(side.claims):
                rows.append({
                    "group": f"{number}. {title} ({group.sources} sources)" if not rows or rows[-1]["group_id"] != group.id else "",
                    "group_id": group.id, "side": side.stance if i == 0 else "", "source": claim.source_citation,
                    "claim": claim.text, "evidence": claim.evidence, "where": _where(claim), "claim_id": claim.id,
                    "stance": side.stance,
                })  # fmt: skip
    return rows


@click.command()
@project_option
@click.option("--theme", "-t", help="Only disputes that touch this theme (or its narrower themes).")
@click.option("--limit", "-n", type=int, default=50, show_default=True, help="At most this many groups (0: all).")
@lang_option
@format_option(*LISTING_FORMATS)
@endpoint_option
@handle_errors
def contested(
    project_dir: Path, theme: str | None, limit: int, lang: str | None, fmt: str, endpoint: str | None
) -> None:
    """Contested questions and disputed claims, both sides with sources, evidence and where read."""
    from litgraph import ask as api

    project = open_project(project_dir)
    lang = lang or project.lang
    with progress_shown() as progress:
        groups = api.contested(project, theme, limit=limit or None, lang=lang, progress=progress, endpoint=endpoint)
        one_sided = api.one_sided(project, endpoint=endpoint) if fmt == "table" and theme is None else {}
    if not groups and fmt != "json":
        err("no contested claims" + (f" on {theme!r}" if theme else ""))
    if one_sided:
        taken = ", ".join(f"{q} ({'/'.join(s) or 'no side'})" for q, s in one_sided.items())
        err(f"one-sided (answered one way only, so not contested): {taken}")
    if fmt != "table":
        columns = [Column(k, k) for k in ("group_id", "stance", "claim_id", "source", "claim", "evidence", "where")]
        click.echo(render(_contested_rows(groups), columns, fmt, document=groups), nl=False)
        return
    words = WORDS.get(lang, WORDS["en"])
    columns = [
        Column("source", words["source"], ratio=2),
        Column("claim", words["claim"], ratio=5),
        Column("basis", words["basis"], ratio=3),
    ]
    for number, group in enumerate(groups, 1):
        title = group.text.get(lang) or group.text.get("en") if group.kind == "question" else words["disputed"]
        click.echo(f"{number}. {title}  [{group.sources} {words['sources']}]")
        for side in group.sides:
            rows = [{"source": c.source_citation, "claim": c.text, "basis": ", ".join(x for x in (c.evidence, _where(c)) if x)}
                    for c in side.claims]  # fmt: skip
            click.echo(f"   {words.get(side.stance, side.stance)}:")
            click.echo(render(rows, columns, "table"), nl=False)
        click.echo()


# The table's own words, by language (the claims and questions carry their texts).
WORDS = {
    "en": {"disputed": "Disputed claims", "sources": "sources", "source": "Source", "claim": "Claim", "basis": "Evidence; read in"},
    "nb": {"disputed": "Omstridte påstander", "sources": "kilder", "source": "Kilde", "claim": "Påstand", "basis": "Evidens; lest i",
           "for": "for", "against": "mot", "qualifies": "nyanserer",
           "side 1": "side 1", "side 2": "side 2"},
}  # fmt: skip


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
@lang_option
@format_option(*LISTING_FORMATS, "bibtex")
@endpoint_option
@handle_errors
def reading_list(
    themes: tuple[str, ...],
    project_dir: Path,
    limit: int,
    title: str | None,
    lang: str | None,
    fmt: str,
    endpoint: str | None,
) -> None:
    """An ordered reading list on THEMES (foundational first), with the reason for each item."""
    from litgraph import ask as api
    from litgraph.s4_analyse.reading_list import handout

    project = open_project(project_dir)
    with progress_shown() as progress:
        result = api.reading_list(project, list(themes), limit, lang=lang, progress=progress, endpoint=endpoint)
    if not result.items and fmt != "json":
        err(f"no works with claims on {', '.join(result.themes)}")
    if fmt == "bibtex":
        click.echo(
            api.bibtex(project, [i.key for i in result.items], endpoint=endpoint) if result.items else "", nl=False
        )
        return
    if fmt == "md":
        click.echo(handout(result, title or f"Reading list: {', '.join(result.themes)}"), nl=False)
        return
    rows = [
        {"n": i.position, "work": i.citation, "title": i.title, "reason": i.reason, "key": i.key, "year": i.year}
        for i in result.items
    ]
    columns = [Column("n", "#"), Column("work", "Work", ratio=2), Column("reason", "Why", ratio=5)]
    if fmt == "csv":
        columns = [Column(k, k) for k in ("n", "key", "year", "title", "reason")]
    click.echo(render(rows, columns, fmt, document=result), nl=False)


@click.command()
@project_option
@format_option(*LISTING_FORMATS)
@click.option("--lang", type=click.Choice(["en", "nb"]), default="en", show_default=True, help="Label language.")
@endpoint_option
@handle_errors
def themes(project_dir: Path, fmt: str, lang: str, endpoint: str | None) -> None:
    """The theme tree, with the number of claims and works on each theme (narrower themes included)."""
    from litgraph import ask as api

    with progress_shown() as progress:
        found = api.themes(open_project(project_dir), progress=progress, endpoint=endpoint)
    rows = [{**vars(row), "theme": "  " * row.depth + (getattr(row, f"label_{lang}") or row.id)} for row in found]
    columns = [Column("theme", "Theme", ratio=3), Column("id", "Id", ratio=2), Column("claims_with_narrower", "Claims"),
               Column("works_with_narrower", "Works")]  # fmt: skip
    if fmt == "csv":
        columns = [
            Column(k, k)
            for k in ("id", "broader", "label_en", "label_nb", "claims", "claims_with_narrower", "works_with_narrower")
        ]
    click.echo(render(rows, columns, fmt, document=found), nl=False)


@click.command("claims")
@project_option
@click.option("--source", "-s", help="BibTeX key of the work whose claims to list.")
@click.option("--theme", "-t", help="Theme id or label (narrower themes included unless --exact).")
@click.option("--reported-in", "-r", help="BibTeX key of the work the claims were read in.")
@click.option("--exact", is_flag=True, help="With --theme: only the theme itself.")
@lang_option
@format_option(*LISTING_FORMATS)
@endpoint_option
@handle_errors
def claims(project_dir: Path, source: str | None, theme: str | None, reported_in: str | None, exact: bool,
           lang: str | None, fmt: str, endpoint: str | None) -> None:  # fmt: skip
    """Claims, filtered by --source, --theme and --reported-in."""
    from litgraph import ask as api

    with progress_shown() as progress:
        found = api.claims(
            open_project(project_dir),
            source,
            theme,
            reported_in,
            exact,
            lang=lang,
            progress=progress,
            endpoint=endpoint,
        )
    if not found and fmt != "json":
        err("no claims match")
    rows = [{**c.json(), "where": _where(c)} for c in found]
    columns = [
        Column("source_citation", "Source", ratio=2),
        Column("text", "Claim", ratio=5),
        Column("where", "Read in", ratio=2),
    ]
    if fmt in ("csv", "md"):
        columns = [Column(k, k) for k in ("id", "source", "reported_in", "locator", "text", "themes", "evidence")]
    click.echo(render(rows, columns, fmt, document=found), nl=False)


@click.command()
@click.argument("sparql")
@project_option
@click.option("--allow-service", is_flag=True, help="Let the query ask other servers (SERVICE); off by default.")
@format_option(*LISTING_FORMATS)
@endpoint_option
@handle_errors
def query(sparql: str, project_dir: Path, allow_service: bool, fmt: str, endpoint: str | None) -> None:
    """Run a read-only SPARQL query (a string, or @file.rq) against the project's graph.

    The usual prefixes (bibo, cito, dcterms, foaf, lg, skos, ...) are predeclared. The query stops at the
    time and row limits ([limits] in litgraph.toml: 30 s and 100,000 rows unless set) and at Ctrl-C.
    """
    from litgraph import ask as api

    if sparql.startswith("@"):
        try:
            sparql = Path(sparql[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {sparql[1:]}: {getattr(exc, 'strerror', None) or exc}") from None
    result = api.query(open_project(project_dir), sparql, allow_service, endpoint=endpoint)
    if result.truncated:
        err("note: the result was cut at the row limit (query_rows under [limits])")
    if result.type == "ask":
        click.echo(render([], [], "json", result) if fmt == "json" else str(result.boolean).lower(), nl=fmt == "table")
        return
    if result.type == "graph":
        rows = [dict(zip(("subject", "predicate", "object"), t, strict=True)) for t in result.triples or []]
        columns = [Column("subject", "subject"), Column("predicate", "predicate"), Column("object", "object")]
    else:
        rows, columns = result.rows or [], [Column(v, v) for v in result.variables or []]
    click.echo(render(rows, columns, fmt, document=result), nl=False)
