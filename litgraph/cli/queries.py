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
from litgraph.s6_render.formats import REFERENCE_FORMATS

keep_fields_option = click.option(
    "--keep-fields", default="", metavar="F1,F2",
    help="With -f bibtex or bibtex-classic: keep these fields too (e.g. abstract,keywords,note); by default "
         "only bibliographic fields are written.")  # fmt: skip
lang_option = click.option("--lang", type=click.Choice(["en", "nb"]), default=None,
                           help="Claims in this language where they have it (default: the project's).")  # fmt: skip


TABLE_CUT = 50  # what a table shows unless --limit says otherwise (the cut said on stderr)


def _cut(limit: int | None, fmt: str) -> int | None:
    """The number of items to show: --limit (0: all), else all, or TABLE_CUT in a table."""
    if limit is None:
        return TABLE_CUT if fmt == "table" else None
    return limit or None


def fields_named(names: str) -> list[str]:
    return [n.strip() for n in names.split(",") if n.strip()]


def _where(claim: ClaimRow) -> str:
    place = claim.reported_in_citation or claim.reported_in or ""
    return ", ".join(p for p in (place, claim.locator or "") if p)


@click.command()
@click.argument("theme")
@project_option
@click.option("--exact", is_flag=True, help="Only the theme itself, not its narrower themes.")
@click.option("--limit", "-n", type=click.IntRange(0), default=None,
              help=f"At most this many works, the cut said on stderr (0: all; default: all, the table {TABLE_CUT}).")  # fmt: skip
@lang_option
@format_option(*LISTING_FORMATS, *REFERENCE_FORMATS)
@keep_fields_option
@endpoint_option
@handle_errors
def sources(
    theme: str,
    project_dir: Path,
    exact: bool,
    limit: int,
    lang: str | None,
    fmt: str,
    keep_fields: str,
    endpoint: str | None,
) -> None:
    """Works with claims on THEME (id, or nb/en label), with their claims and where they were read."""
    from litgraph import ask as api

    project = open_project(project_dir)
    with progress_shown() as progress:
        result = api.sources(
            project, theme, exact=exact, limit=_cut(limit, fmt), lang=lang, progress=progress, endpoint=endpoint
        )
    if not result.works and fmt != "json":
        err(f"no claims on the theme {result.theme!r} yet")
    if result.total_works > len(result.works):
        err(
            f"… and {result.total_works - len(result.works)} more works (cut at {len(result.works)}; --limit 0 for all)"
        )
    if fmt in REFERENCE_FORMATS:
        keys = [w.key for w in result.works]
        click.echo(
            api.references(project, keys, fmt, keep_fields=fields_named(keep_fields), endpoint=endpoint), nl=False
        )
        return
    rows = [{"work": w.citation if i == 0 else "", "key": w.key, "year": w.year, "title": w.title, "claim": c.text,
             "where": _where(c), "claim_id": c.id, "themes": c.themes}
            for w in result.works for i, c in enumerate(w.claims)]  # fmt: skip
    columns = [Column("work", "Work", ratio=2), Column("claim", "Claim", ratio=5), Column("where", "Read in", ratio=2)]
    if fmt == "csv":
        columns = [Column(k, k) for k in ("key", "year", "title", "claim_id", "claim", "where", "themes")]
    click.echo(render(rows, columns, fmt, document=result), nl=False)


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
@click.option("--limit", "-n", type=click.IntRange(0), default=None,
              help=f"At most this many groups, the cut said on stderr (0: all; default: all, the table {TABLE_CUT}).")  # fmt: skip
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
        cut = _cut(limit, fmt)
        groups = api.contested(
            project, theme, limit=cut + 1 if cut else None, lang=lang, progress=progress, endpoint=endpoint
        )
        if cut and len(groups) > cut:
            groups = groups[:cut]
            err(f"… and more contested groups (cut at {cut}; --limit 0 for all)")
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
@click.option("--style", default=None, metavar="CSL",
              help="With -f md: each reading as this citation style formats it (apa, or a .csl file).")  # fmt: skip
@lang_option
@format_option(*LISTING_FORMATS, *REFERENCE_FORMATS)
@keep_fields_option
@endpoint_option
@handle_errors
def reading_list(themes: tuple[str, ...], project_dir: Path, limit: int, title: str | None, style: str | None,
                 lang: str | None, fmt: str, keep_fields: str, endpoint: str | None) -> None:  # fmt: skip
    """An ordered reading list on THEMES (foundational first), with the reason for each item."""
    from litgraph import ask as api
    from litgraph.s4_analyse.reading_list import handout

    project = open_project(project_dir)
    with progress_shown() as progress:
        result = api.reading_list(project, list(themes), limit, lang=lang, progress=progress, endpoint=endpoint)
    if not result.items and fmt != "json":
        err(f"no works with claims on {', '.join(result.themes)}")
    if fmt in REFERENCE_FORMATS:
        reasons = {i.key: i.reason for i in result.items}
        text = api.references(project, list(reasons), fmt, reasons, fields_named(keep_fields), endpoint=endpoint)
        click.echo(text, nl=False)
        return
    if fmt == "md":
        styled = (
            api.formatted_references(project, [i.key for i in result.items], style, endpoint=endpoint)
            if style
            else None
        )
        click.echo(handout(result, title or f"Reading list: {', '.join(result.themes)}", styled), nl=False)
        return
    rows = [
        {"n": i.position, "work": i.citation, "title": i.title, "reason": i.reason, "key": i.key, "year": i.year}
        for i in result.items
    ]
    columns = [Column("n", "#"), Column("work", "Work", ratio=2), Column("reason", "Why", ratio=5)]
    if fmt == "csv":
        columns = [Column(k, k) for k in ("n", "key", "year", "title", "reason")]
    click.echo(render(rows, columns, fmt, document=result), nl=False)


@click.group(invoke_without_command=True)
@project_option
@format_option(*LISTING_FORMATS)
@click.option("--lang", type=click.Choice(["en", "nb"]), default="en", show_default=True, help="Label language.")
@endpoint_option
@click.pass_context
@handle_errors
def themes(ctx: click.Context, project_dir: Path, fmt: str, lang: str, endpoint: str | None) -> None:
    """The theme tree, with the number of claims and works on each theme (narrower themes included).

    `litgraph themes add ID --en LABEL` adds a theme to ontology/themes.yaml."""
    from litgraph import ask as api

    if ctx.invoked_subcommand is not None:
        return

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
