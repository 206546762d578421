"""`litgraph zotero pull`: options in, one library call (litgraph.api.zotero_pull), the report out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from litgraph.cli.common import CONTEXT, err, format_option, handle_errors, progress_shown, project_option, quiet_option
from litgraph.cli.output import render
from litgraph.project import open_project

if TYPE_CHECKING:  # the HTTP stack loads only when a pull runs
    from litgraph.gather.zotero.pull import PullReport


@click.group(context_settings=CONTEXT)
def zotero() -> None:
    """Bring a Zotero library in: its items as a .bib file, its PDF highlights as claim stubs."""


@zotero.command()
@project_option
@click.option("--collection", "-c", metavar="NAME|KEY", help="The collection to pull (its name or key); "
              "default: the whole library.")  # fmt: skip
@click.option("--api", metavar="URL", help="Zotero's local API (default: url under [zotero] in litgraph.toml, "
              "else http://localhost:23119/api).")  # fmt: skip
@click.option("--bib", type=click.Choice(["litgraph", "better-bibtex"]), default="litgraph", show_default=True,
              help="Who writes bibliography/zotero.bib: litgraph from the items, or Better BibTeX's pull export.")  # fmt: skip
@quiet_option
@format_option("table", "json")
@handle_errors
def pull(project_dir: Path, collection: str | None, api: str | None, bib: str, quiet: bool, fmt: str) -> None:
    """Read a Zotero collection through Zotero 7's local API (read-only) and write bibliography/zotero.bib and
    claim stubs from its PDF annotations in bibliography/claims/zotero.yaml.

    A highlight gives a stub's quote and page (locator), its comment the text, its tags the themes; a stub
    without a comment or a theme is marked `todo: true` and is not built until you write it. A second pull
    updates the stubs by annotation key and keeps what you edited in the file. Zotero must be running with
    its local API allowed (Settings → Advanced → "Allow other applications on this computer to communicate
    with Zotero").
    """
    from litgraph.api import zotero_pull

    project = open_project(project_dir)
    with progress_shown(quiet or fmt == "json") as progress:
        report = zotero_pull(project, collection, api, bib, progress)
    if fmt == "json":
        click.echo(render([], [], "json", _json(report, project.relative)), nl=False)
        return
    source = f"collection {report.collection!r}" if report.collection else "the whole library"
    merge = report.merge
    click.echo(f"read {report.items} items of {source} ({report.annotations} annotations, {report.requests} requests)")
    click.echo(f"wrote {', '.join(project.relative(p) for p in report.files)}: {report.entries} entries; stubs "
               f"{len(merge.added)} added, {len(merge.updated)} updated, {len(merge.kept)} with your edits kept")  # fmt: skip
    for line in _notes(report):
        err(line)


def _notes(report: PullReport) -> list[str]:
    merge, lines = report.merge, []
    if report.todo:
        lines.append(f"todo: {len(report.todo)} stubs lack a comment or a theme (todo: true, not built): "
                     + ", ".join(report.todo))  # fmt: skip
    lines += [f"highlight changed in Zotero: {i}" + (" (your edit kept)" if i in merge.kept else "")
              for i in merge.changed_highlights]  # fmt: skip
    lines += [f"tag {u.tag!r} (annotation {u.annotation}) names no theme"
              + (f"; nearest: {u.nearest}" if u.nearest else "") for u in report.unmatched]  # fmt: skip
    if report.gone:
        lines.append(f"no longer in Zotero (the stubs are kept): {', '.join(report.gone)}")
    if merge.deleted_by_user:
        lines.append(f"not added again (you deleted them): {', '.join(merge.deleted_by_user)}")
    if report.without_pdf:
        lines.append(f"no PDF, so no highlights: {', '.join(report.without_pdf)}")
    if report.skipped:
        lines.append("skipped: " + ", ".join(f"{n} {kind}" for kind, n in sorted(report.skipped.items())))
    if report.taken_elsewhere:
        lines.append(
            f"also in another .bib file (the build reports the duplicate): {', '.join(report.taken_elsewhere)}"
        )
    return lines


def _json(report: PullReport, relative: Any) -> dict[str, Any]:
    merge = report.merge
    return {
        "collection": report.collection, "items": report.items, "entries": report.entries,
        "annotations": report.annotations, "requests": report.requests,
        "files": [relative(p) for p in report.files],
        "added": merge.added, "updated": merge.updated, "kept": merge.kept,
        "changed_highlights": merge.changed_highlights, "deleted_by_user": merge.deleted_by_user,
        "todo": report.todo,
        "unmatched_tags": [{"tag": u.tag, "annotation": u.annotation, "nearest": u.nearest} for u in report.unmatched],
        "without_pdf": report.without_pdf, "skipped": dict(sorted(report.skipped.items())),
        "also_elsewhere": report.taken_elsewhere, "gone": report.gone,
    }  # fmt: skip
