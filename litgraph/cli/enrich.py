"""`litgraph enrich`: options in, one library call, the result out (litgraph.api.enrich and litgraph.gather.enrich do the work)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from litgraph.cli.common import Progress, err, format_option, handle_errors, project_option, quiet_option
from litgraph.cli.output import Column, render
from litgraph.project import Project, open_project

if TYPE_CHECKING:  # the HTTP stack (requests, requests-cache) loads only when `enrich` runs
    from litgraph.gather.enrich.enrichment import EnrichOptions, EnrichReport, Outcome

_COLUMNS = [Column("key", "Key", max_width=20), Column("result", "Result"), Column("detail", "Details", ratio=1)]


def _keys(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k.strip() for value in values for k in value.split(",") if k.strip())


def _choices(values: tuple[str, ...]) -> dict[str, str]:
    choices = {}
    for value in values:
        key, sep, ident = value.partition("=")
        if not sep or not key.strip() or not ident.strip():
            raise click.BadParameter(f"{value!r}: write KEY=DOI or KEY=W123 (an OpenAlex id)", param_hint="--accept")
        choices[key.strip()] = ident.strip()
    return choices


def _work_json(outcome: Outcome) -> dict[str, Any]:
    from litgraph.gather.enrich.enrichment import candidate_summary

    best = outcome.best if outcome.status == "accepted" else None
    return {
        "key": outcome.key,
        "status": outcome.status,
        "score": best.score if best else None,
        "source": best.candidate.source if best else None,
        "candidate": best.candidate.id if best else None,
        "fields": {name: f.value for name, f in outcome.fields.items()},
        "replaces": {name: f.replaces for name, f in outcome.fields.items() if f.replaces is not None},
        "candidates": [candidate_summary(s) for s in outcome.shown[1 if best else 0 :]],
        "faults": outcome.faults,
        "rejected": outcome.rejected,
        "note": outcome.note,
        "kept": outcome.kept.status if outcome.kept else None,
    }


def _rows(outcome: Outcome) -> list[dict[str, Any]]:
    """One row per work (candidate id and the fields proposed, or why none), one per candidate to choose."""
    accepted = outcome.best if outcome.status == "accepted" else None
    fields = [f"{n} (replaces)" if f.replaces is not None else n for n, f in outcome.fields.items()]
    detail = {
        "accepted": f"{accepted.candidate.id if accepted else ''}: {', '.join(fields) or 'nothing missing'}",
        "ambiguous": f"choose one: --accept {outcome.key}=CANDIDATE",
        "none": outcome.note or "",
    }[outcome.status]
    if outcome.kept is not None:
        detail = f"{detail}; kept the {outcome.kept.status} proposal".lstrip("; ")
    result = f"accepted {accepted.score:.2f}" if accepted else outcome.status
    rows = [{"key": outcome.key, "result": result, "detail": detail}]
    for scored in outcome.shown[1 if accepted else 0 :]:
        c = scored.candidate
        names = ", ".join(p.family for p in c.authors[:3]) + (" et al." if len(c.authors) > 3 else "")
        what = "near miss" if accepted else "candidate"
        rows.append(
            {"result": f"{what} {scored.score:.2f}", "detail": f"{c.id}: {names} ({c.year or 'n.d.'}). {c.title}"}
        )
    return rows


def _show_lookups(project: Project, report: EnrichReport, fmt: str, dry_run: bool) -> None:
    written = project.relative(report.written) if report.written else None
    if fmt == "json":
        summary = {s: report.count(s) for s in ("accepted", "ambiguous", "none", "failed")}
        document = {"summary": summary, "sent": report.sent, "cached": report.cached, "written": written}
        document["works"] = []
        document["works"] = [_work_json(o) for o in report.outcomes]
        click.echo(render([], [], "json", document), nl=False)
    else:
        rows = [r for o in report.outcomes if o.status != "failed" for r in _rows(o)]  # failures: on stderr
        if rows:
            click.echo(render(rows, _COLUMNS, "table"), nl=False)
    for outcome in report.outcomes:
        if outcome.faults or outcome.rejected or outcome.status == "ambiguous":
            err(outcome.message())
        kept = outcome.kept_message()
        if kept:
            err(kept)
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("accepted", "ambiguous", "none", "failed"))
    where = f"wrote {written}" if written else ("dry run: nothing written" if dry_run else "nothing written")
    err(f"{counts}; {report.sent} request(s) sent, {report.cached} answered from the cache; {where}")
    if report.count("accepted") and written:
        err(f"review {written}, then `litgraph build` uses it, or `litgraph enrich --apply` writes it into the .bib")


def _apply(project: Project, keys: tuple[str, ...], overwrite: bool, dry_run: bool, fmt: str) -> None:
    from litgraph.gather.enrich.bibedit import apply_proposals

    report = apply_proposals(project, keys, overwrite=overwrite, dry_run=dry_run)
    if fmt == "json":
        document = {
            "dry_run": dry_run,
            "edits": [{"key": e.key, "field": e.field, "value": e.value, "replaced": e.replaced} for e in report.edits],
            "skipped": report.skipped,
            "refused": report.refused,
            "files": [project.relative(p) for p in report.files],
            "backups": [project.relative(p) for p in report.backups],
            "applied": report.applied,
        }
        click.echo(render([], [], "json", document), nl=False)
    else:
        verb = "would write" if dry_run else "wrote"
        for edit in report.edits:
            was = f" (was {edit.replaced})" if edit.replaced is not None else ""
            click.echo(f"{edit.key}: {verb} {edit.field} = {edit.value}{was}")
        for line in report.skipped:
            click.echo(f"{line}")
    for line in report.refused:
        err(line)
    if not report.edits and not report.refused and not report.skipped:
        err("nothing to apply: no accepted proposals (run `litgraph enrich` first)")
        return
    files = ", ".join(project.relative(p) for p in report.files) or "no file"
    backups = ", ".join(project.relative(p) for p in report.backups)
    err(
        f"{'dry run: would write' if dry_run else 'wrote'} {len(report.edits)} field(s) into {files}"
        + (f"; backup: {backups}" if backups else "")
    )
    if report.refused and not report.edits:
        sys.exit(1)


def _citations(project: Project, options: EnrichOptions, progress: Progress, fmt: str) -> None:
    from litgraph.api import works
    from litgraph.gather.enrich.citing import enrich_citations

    report = enrich_citations(project, options, works(project), progress)
    progress.done()
    written = project.relative(report.written) if report.written else None
    if fmt == "json":
        document = {
            "cites": report.cites,
            "outside": report.outside,
            "found": report.found,
            "missing": report.missing,
            "without_id": report.without_id,
            "faults": report.faults,
            "sent": report.sent,
            "cached": report.cached,
            "written": written,
        }
        click.echo(render([], [], "json", document), nl=False)
    else:
        rows = [{"citing": k, "cites": ", ".join(v)} for k, v in sorted(report.cites.items())]
        click.echo(
            render(rows, [Column("citing", "Work", ratio=1), Column("cites", "Cites", ratio=3)], "table"), nl=False
        )
    for key, fault in sorted(report.faults.items()):
        err(f"{key}: {fault}")
    links = sum(len(v) for v in report.cites.values())
    err(
        f"OpenAlex knows {report.found} of {report.found + len(report.missing) + len(report.faults)} works looked up; "
        f"{links} citation link(s) between works of the project; "
        + (f"wrote {written}" if written else "nothing written")
    )
    if report.without_id:
        err(f"{len(report.without_id)} work(s) have no DOI yet: `litgraph enrich` can propose them")
    if report.faults and not report.found:
        sys.exit(1)


@click.command()
@project_option
@click.option("--keys", "-k", multiple=True, help="Only these works (BibTeX keys; repeat, or separate by commas).")
@click.option("--source", type=click.Choice(["crossref", "openalex", "both"]), default="both", show_default=True,
              help="The index(es) to ask.")  # fmt: skip
@click.option(
    "--accept", "choices", multiple=True, metavar="KEY=ID", help="Take this candidate (a DOI or OpenAlex id) for KEY."
)
@click.option(
    "--overwrite", is_flag=True, help="Also propose, and with --apply write, values that differ from the .bib's."
)
@click.option("--dry-run", is_flag=True, help="Show what would be proposed or applied; write no file.")
@click.option(
    "--apply", "apply_", is_flag=True, help="Write the accepted proposals into the .bib files (a backup is kept)."
)
@click.option(
    "--citations", is_flag=True, help="Add cites links between the project's works from OpenAlex's reference lists."
)
@click.option("--replace", is_flag=True,
              help="Record what this run finds even where it is less than an accepted proposal (kept otherwise).")  # fmt: skip
@click.option("--offline", is_flag=True, help="Answer from the on-disk cache only; send nothing.")
@quiet_option
@format_option("table", "json")
@handle_errors
def enrich(project_dir: Path, keys: tuple[str, ...], source: str, choices: tuple[str, ...], overwrite: bool, dry_run: bool,
           apply_: bool, citations: bool, replace: bool, offline: bool, quiet: bool, fmt: str) -> None:  # fmt: skip
    """Fill in missing metadata (DOI, journal, volume, pages...) from Crossref and OpenAlex.

    Proposals go to bibliography/enrich/proposals.yaml for review; `build` uses the accepted ones, and
    --apply writes them into the .bib files, leaving every other byte as it was.
    """
    if apply_ and (citations or choices):
        raise click.UsageError("--apply writes the proposals already made; use it without --citations and --accept")
    if replace and (apply_ or citations):
        raise click.UsageError("--replace is for lookups; use it without --apply and --citations")
    project = open_project(project_dir)
    if apply_:
        _apply(project, _keys(keys), overwrite, dry_run, fmt)
        return
    sources = ("crossref", "openalex") if source == "both" else (source,)
    from litgraph.api import enrich as look_up_works
    from litgraph.gather.enrich.enrichment import EnrichOptions

    options = EnrichOptions(_keys(keys), sources, overwrite, dry_run, offline, _choices(choices), replace)
    progress = Progress(quiet or fmt == "json")
    if citations:
        _citations(project, options, progress, fmt)
        return
    report = look_up_works(project, options, progress)
    progress.done()
    if not report.outcomes:
        err("nothing to look up: every entry that lacks a field has a proposal already (name works with --keys)")
        return
    _show_lookups(project, report, fmt, dry_run)
    if report.count("failed") == len(report.outcomes):
        err("Error: no work could be looked up; nothing was written.")
        sys.exit(1)
