"""Render the static site: the map (index.html) and pages for themes, works and contested claims.

Templates are jinja2 with autoescaping on, so every input string is escaped for HTML text and
attributes; the map's data goes into a JSON script element with '<', '>' and '&' escaped.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import heapq
import json
import os
import pickle
import shutil
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from litgraph import __version__
from litgraph.contestation import group_key
from litgraph.mapview import map_data, script_json_parts
from litgraph.parsecache import load_signed_pickle, save_signed_pickle
from litgraph.rdfio import replace_file
from litgraph.sitedata import SiteData
from litgraph.visnet import asset_files
from litgraph.workers import BackgroundMap, Done, cores


@functools.lru_cache(maxsize=1)
@functools.cache
def _environment() -> Environment:
    """The templates' environment, one per process: it compiles each template once (a quick build renders
    a dozen pages, and compiling the templates anew for each took 0.2 s)."""
    env = Environment(
        loader=PackageLoader("litgraph", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["urlkey"] = lambda value: quote(str(value), safe="")  # file names and links from keys
    env.filters["urlpath"] = lambda value: quote(str(value), safe="/:;()._-")
    return env


# A theme page lists the works with most claims on the theme first; on large projects it stops here (the
# rest are one `litgraph sources THEME` away), so that no page grows to tens of megabytes.
THEME_PAGE_WORKS = 150
THEME_PAGE_GROUPS = 50
PAGES_RECORD = "pages.pickle"  # under .litgraph/: each page's digest, size and modification time
PAGES_PER_WORKER = 2_000  # below this many work pages per process, starting processes costs more than it saves


def page_name(key: str) -> str:
    """The file name of a key's page: every character but [A-Za-z0-9._-~] percent-encoded."""
    return quote(key, safe="") + ".html"


def _page_salt(env: Environment, title: str) -> Any:
    """What every page but the work pages is made with besides its context: litgraph, the templates."""
    templates = sorted(env.list_templates())
    return hashlib.sha256(
        json.dumps([__version__, title, [env.loader.get_source(env, n)[0] for n in templates]]).encode()  # type: ignore[union-attr]
    )


def _page_digest(salt: Any, name: str, pickled: bytes) -> str:
    digest = salt.copy()
    digest.update(name.encode("utf-8") + b"\0" + pickled)
    return str(digest.hexdigest())


def _work_salt(env: Environment, title: str, labels: dict[str, str]) -> Any:
    """What a work page is made with besides its context."""
    templates = "".join(env.loader.get_source(env, n)[0] for n in ("base.html", "work.html"))  # type: ignore[union-attr]
    return hashlib.sha256(json.dumps([__version__, templates, title, labels], sort_keys=True).encode())


def _work_digest(salt: Any, pickled: bytes) -> str:
    digest = salt.copy()
    # dump_context's bytes: the context's content, cheaply (a digest that changed while the content did
    # not would only render the page again)
    digest.update(pickled)
    return str(digest.hexdigest())


def dump_context(name: str, context: dict[str, Any]) -> bytes:
    """A page's context as bytes, to digest and to keep for quick builds: a work page's (plain rows and
    lists) as JSON by orjson, five times faster than pickle for the 100,000 of them; other pages' (themes as
    objects) pickled."""
    return orjson.dumps(context) if name.startswith("works/") else pickle.dumps(context, protocol=5)


def load_context(name: str, data: bytes) -> dict[str, Any]:
    """What dump_context(name, ...) made `data` from."""
    context: dict[str, Any] = orjson.loads(data) if name.startswith("works/") else pickle.loads(data)
    return context


def _render(env: Environment, template: str, name: str, title: str, context: dict[str, Any]) -> str:
    return env.get_template(template).render(site_title=title, root="../" * name.count("/"), **context)


def claim_rows(context: Any) -> Iterator[dict[str, Any]]:
    """The claims a page's context shows: the rows in its lists named "claims" or "reported"."""
    if isinstance(context, dict):
        for key, value in context.items():
            if key in ("claims", "reported") and isinstance(value, list):
                for row in value:
                    if isinstance(row, dict) and "text" in row:
                        yield row
                        continue
                    yield from claim_rows(row)
            else:
                yield from claim_rows(value)
    elif isinstance(context, list):
        for item in context:
            yield from claim_rows(item)


def claim_items(rows: list[dict[str, Any]]) -> list[bytes]:
    """Claims as a theme page lists them under their work (UTF-8): what a quick build splices in."""
    item = _environment().get_template("claim_item.html").module.claim_item  # type: ignore[attr-defined]
    return [str(item(row)).encode("utf-8") for row in rows]


def page_digest(title: str, name: str, pickled: bytes) -> str:
    """The digest render_site records for a page that is not a work page, from its context's bytes."""
    return _page_digest(_page_salt(_environment(), title), name, pickled)


def render_page(
    title: str, labels: dict[str, str], name: str, context: dict[str, Any], pickled: bytes
) -> tuple[str, str]:
    """A work page, theme page or contested.html from its context as render_site made it: its text, and
    the digest render_site would record for it."""
    env = _environment()
    if name.startswith("works/"):
        text = _render(env, "work.html", name, title, {"labels": labels, **context})
        return text, _work_digest(_work_salt(env, title, labels), pickled)
    template = "theme.html" if name.startswith("themes/") else name
    return _render(env, template, name, title, context), page_digest(title, name, pickled)


def render_site(data: SiteData, target: Path, reuse: PageReuse | None = None) -> list[Path]:
    """Write every page and asset into `target` (an empty folder). Returns the files of the site.
    `reuse`: the previous build's site, whose unchanged pages are kept there instead of rendered (they
    are among the files returned, but not in `target`: see install_site)."""
    labels = {t: theme.labels.get("en", t) for t, theme in data.themes.items()}
    counted = {k: {**w, "n_claims": len(data.claims_by_source.get(k, []))} for k, w in data.works.items()}
    # the work pages first: worker processes render them while this one writes the rest
    work_pages = _write_work_pages(target, data.title, labels, _work_pages(data, counted), reuse)
    try:
        written = _write_overviews(data, target, reuse, labels, counted)
        return written + work_pages.result()
    except BaseException:
        work_pages.cancel()
        raise


def _work_pages(data: SiteData, counted: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Each work page's name and context. `counted`: the works' rows with their numbers of claims."""
    citations = {k: w["citation"] for k, w in data.works.items()}
    pages = []
    for key, work in counted.items():
        cites, cited_by = data.cites_of.get(key, []), data.cited_by.get(key, [])
        pages.append(
            (
                f"works/{page_name(key)}",
                {
                    "work": work,
                    "claims": data.claims_by_source.get(key, []),
                    "reported": data.claims_by_reporter.get(key, []),
                    "cites": cites,
                    "cited_by": cited_by,
                    "citations": {k: citations[k] for k in [*cites, *cited_by] if k in citations},
                },
            )
        )
    return pages


def _write_overviews(
    data: SiteData,
    target: Path,
    reuse: PageReuse | None,
    labels: dict[str, str],
    work_rows: dict[str, dict[str, Any]],
) -> list[Path]:
    """Everything but the work pages: assets, the map, the theme pages, works.html and contested.html.
    `work_rows`: the works' rows with their numbers of claims."""
    env = _environment()
    written: list[Path] = []
    salt = _page_salt(env, data.title)

    def write(name: str, template: str, keep: bool = True, **context: Any) -> None:
        """Render `template` to `name`; with `reuse`, a page made from the same context and templates is
        kept as it is in site/ (a claim's edit leaves most theme pages, works.html and contested.html
        as they were)."""
        if keep and reuse is not None:
            pickled = dump_context(name, context)
            reuse.remember(name, context, pickled)
            if reuse.keep(name, _page_digest(salt, name, pickled)):
                written.append(target / name)
                return
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_render(env, template, name, data.title, context), encoding="utf-8")
        written.append(path)

    assets = target / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for name, source in asset_files().items():
        shutil.copyfile(source, assets / name)
    for name in ("map.js", "style.css"):
        (assets / name).write_text(env.loader.get_source(env, name)[0], encoding="utf-8")  # type: ignore[union-attr]
    document = map_data(data)
    # index.html is never kept (its data changes with nearly every edit: digesting 100 MB of it would not
    # pay); its data is put in by hand, not by the template, so that where each node's details stand is
    # known (a quick build splices a claim's edit into them: see quick.py)
    marker = "\0graph-json\0"
    page = _render(
        env, "index.html", "index.html", data.title,
        {"graph_json": marker, "legend": document["legend"], "folded": document["folded_claims"]},
    ).encode("utf-8")  # fmt: skip
    head, tail = page.split(marker.encode("utf-8"))
    body, offsets = script_json_parts(document)
    with (target / "index.html").open("wb") as handle:
        handle.write(head)
        handle.writelines(body)
        handle.write(tail)
    written.append(target / "index.html")
    if reuse is not None:
        reuse.map_offsets = {node: (len(head) + a, len(head) + b) for node, (a, b) in offsets.items()}
        reuse.map_folded = document["folded_claims"]
        reuse.map_placed = len({e["from"] for e in document["edges"]} | {e["to"] for e in document["edges"]})
    write("themes.html", "themes.html", tree=data.tree)
    group_themes = [{t for s in g["sides"] for c in s["claims"] for t in c["themes"]} for g in data.groups]
    for theme_id, theme in data.themes.items():
        subtree = set(data.subtree(theme_id))
        counted: set[str] = set()  # a claim on two themes of the subtree counts once
        counts: dict[str, int] = {}  # source work -> claims on the theme or a narrower one
        for claim in (c for t in subtree for c in data.claims_by_theme.get(t, [])):
            if claim["id"] not in counted:
                counted.add(claim["id"])
                counts[claim["source"]] = counts.get(claim["source"], 0) + 1
        ranked = [k for k in counts if k in data.works]
        # the page's works in the order of `litgraph sources`: most claims on the theme, then most cited, then
        # key; only those shown are ordered, and only their claims collected (in the claims' own order)
        top = heapq.nsmallest(THEME_PAGE_WORKS, ranked, key=lambda k: (-counts[k], -len(data.cited_by.get(k, ())), k))
        works = [
            {
                "work": data.works[k],
                "claims": [c for c in data.claims_by_source[k] if subtree.intersection(c["themes"])],
            }
            for k in top
        ]
        groups = [g for g, themes in zip(data.groups, group_themes, strict=True) if themes & subtree]
        write(
            f"themes/{page_name(theme_id)}",
            "theme.html",
            theme=theme,
            labels=labels,
            works=works,
            works_total=len(ranked),
            groups=groups[:THEME_PAGE_GROUPS],
            groups_total=len(groups),
            narrower=data.children.get(theme_id, []),
        )
    listing = sorted(work_rows.values(), key=lambda w: ((w["reference"] or w["key"]).casefold(), w["key"]))
    write("works.html", "works.html", works=listing)
    name = "contested.html"
    written.append(target / name)
    if reuse is None:
        write_contested(target / name, data.title, data.groups)
        return written
    # kept as it is if its groups are (with the record of where they stand); its context is not kept: a
    # quick build splices its sections (see write_contested)
    digest = _page_digest(salt, name, dump_context(name, {"groups": data.groups}))
    reuse.digests[name] = digest
    if load_contested_offsets(reuse.site, reuse.record.parent) is None or not reuse.keep(name, digest):
        reuse.contested = write_contested(target / name, data.title, data.groups)
    return written


def group_sections(groups: list[dict[str, Any]]) -> list[bytes]:
    """Each group as contested.html shows it (UTF-8)."""
    template = _environment().get_template("group.html")
    return [template.render(g=g, root="").encode("utf-8") for g in groups]


def contested_parts(title: str, empty: bool) -> tuple[bytes, bytes]:
    """contested.html before and after its groups' sections."""
    marker = "\0contested-groups\0"
    page = _render(_environment(), "contested.html", "contested.html", title, {"sections": marker, "empty": empty})
    head, tail = page.encode("utf-8").split(marker.encode("utf-8"))
    return head, tail


def write_contested(path: Path, title: str, groups: list[dict[str, Any]]) -> list[list[Any]]:
    """contested.html: each group's section rendered on its own, so that a quick build can render the few
    groups an edit changes and copy the others around them (24,000 groups at 100,000 works: rendered whole,
    four seconds). Returns where each group stands: [key, first byte, end]."""
    head, tail = contested_parts(title, not groups)
    offsets, at = [], len(head)
    with path.open("wb") as handle:
        handle.write(head)
        for group, section in zip(groups, group_sections(groups), strict=True):
            handle.write(section)
            offsets.append([group_key(group), at, at + len(section)])
            at += len(section)
        handle.write(tail)
    return offsets


def _render_pages(target: Path, title: str, labels: dict[str, str], pages: list[tuple[str, bytes]]) -> list[Path]:
    """Write work pages (name, dump_context's bytes) into `target`; runs in a worker process for large sites."""
    template = _environment().get_template("work.html")
    written = []
    for name, pickled in pages:  # (target/works/ exists: made by _write_work_pages)
        path = target / name
        context = load_context(name, pickled)
        path.write_text(template.render(site_title=title, root="../", labels=labels, **context), encoding="utf-8")
        written.append(path)
    return written


class PageReuse:
    """Pages of the previous build that can be kept: each page's inputs are digested, and a page whose
    digest, size and modification time are as recorded stays in site/ as it is instead of being rendered.

    The record (`.litgraph/pages.pickle`) is written only after the new pages are in place."""

    def __init__(self, site: Path, record: Path):
        self.site, self.record = site, record
        self.before: dict[str, list[Any]] = load_page_records(record) or {}
        self.digests: dict[str, str] = {}
        self.kept: set[str] = set()  # names under site/ that the new site keeps as they are
        # for quick builds (quick.py): the contexts of the pages that show claims, which pages other than work
        # pages show each claim, and where in index.html each node's details stand
        self.contexts: dict[str, bytes] = {}
        self.claim_pages: dict[str, list[str]] = {}
        self.map_offsets: dict[str, tuple[int, int]] = {}
        self.map_folded = False  # claims folded into their works (no claim nodes)
        self.map_placed = 0  # nodes with edges (a small map's are relaxed together: see mapview._layout)
        self.contested: list[list[Any]] | None = None  # where contested.html's groups stand, if rendered anew

    def remember(self, name: str, context: dict[str, Any], pickled: bytes) -> None:
        """Keep a page's context if it shows claims (their edit may be patched into it)."""
        ids = {row["id"] for row in claim_rows(context)}
        if ids:
            self.contexts[name] = pickled
            for claim_id in sorted(ids):
                self.claim_pages.setdefault(claim_id, []).append(name)

    def keep(self, name: str, digest: str) -> bool:
        """Whether the previous page `name` was made from the same inputs (and is untouched since)."""
        self.digests[name] = digest
        recorded = self.before.get(name)
        if recorded is None or recorded[0] != digest:
            return False
        try:
            stat = os.stat(os.path.join(self.site, name))  # (str: 100,000 Paths cost seconds)
        except OSError:
            return False
        if recorded != [digest, stat.st_size, stat.st_mtime_ns]:
            return False
        self.kept.add(name)
        return True

    def save(self) -> None:
        """Record the pages now in site/ (call once the new site/ is in place)."""
        entries = {}
        for name, digest in self.digests.items():
            recorded = self.before.get(name)
            if name in self.kept and recorded is not None:
                entries[name] = recorded  # untouched: as recorded, without a stat call
                continue
            try:
                stat = os.stat(os.path.join(self.site, name))
            except OSError:
                continue
            entries[name] = [digest, stat.st_size, stat.st_mtime_ns]
        with contextlib.suppress(OSError):
            save_contexts(self.record.parent, self.contexts)
            if self.contested is not None:  # (a page kept as it is keeps its offsets)
                save_contested_offsets(self.site, self.record.parent, self.contested)
            index = {"claim_pages": self.claim_pages, "offsets": self.map_offsets, "folded": self.map_folded}
            index["placed"] = self.map_placed
            save_page_records(self.site, self.record, entries, index)


CONTESTED_OFFSETS = "pages/contested.pickle"  # under .litgraph/: where contested.html's groups stand


def save_contested_offsets(site: Path, state: Path, offsets: list[list[Any]]) -> None:
    """Where contested.html's groups stand, with the page's size (the offsets of other bytes are void)."""
    save_signed_pickle(state / CONTESTED_OFFSETS, {"size": (site / "contested.html").stat().st_size, "groups": offsets})


def load_contested_offsets(site: Path, state: Path) -> list[list[Any]] | None:
    """save_contested_offsets' offsets, if they are of contested.html as it is (None otherwise)."""
    found = load_signed_pickle(state / CONTESTED_OFFSETS)
    try:
        size = (site / "contested.html").stat().st_size
    except OSError:
        return None
    if not isinstance(found, dict) or found.get("size") != size:
        return None
    return found["groups"]  # type: ignore[no-any-return]


def save_page_records(site: Path, record: Path, pages: dict[str, list[Any]], index: dict[str, Any]) -> None:
    """The pages' record (`record`: name -> [digest, size, mtime]) and, beside it, what quick builds need:
    `index` (which pages show each claim, where the map's details stand) with index.html's size and time."""
    stat = (site / "index.html").stat()
    index["index"] = [stat.st_size, stat.st_mtime_ns]
    save_signed_pickle(record.parent / "pages" / "index.pickle", index)
    save_signed_pickle(record, pages)
    (record.parent / "pages.json").unlink(missing_ok=True)  # the record as JSON, before pages.pickle


def load_page_records(record: Path) -> dict[str, list[Any]] | None:
    """The pages' record that save_page_records wrote; None if there is none this user's litgraph wrote."""
    pages = load_signed_pickle(record)
    return pages if isinstance(pages, dict) else None


def pages_untouched(site: Path, pages: dict[str, list[Any]]) -> bool:
    """Whether every recorded page is in site/ with the size and modification time recorded."""
    try:
        folder = os.open(site, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        for name, (_, size, mtime) in pages.items():
            stat = os.stat(name, dir_fd=folder)  # (relative to the open folder: no path joined or resolved)
            if stat.st_size != size or stat.st_mtime_ns != mtime:
                return False
    except OSError:
        return False
    finally:
        os.close(folder)
    return True


CONTEXT_SHARDS = 64  # files the pages' contexts are kept in: a quick build reads and writes one or two


def shard_of(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) % CONTEXT_SHARDS


def save_contexts(state: Path, contexts: dict[str, bytes], only: set[int] | None = None) -> None:
    """The pickled contexts of pages, in shards under `state`/pages/ (`only`: these shards)."""
    shards: dict[int, dict[str, bytes]] = {i: {} for i in range(CONTEXT_SHARDS)}
    for name, pickled in contexts.items():
        shards[shard_of(name)][name] = pickled
    for i, shard in shards.items():
        if only is None or i in only:
            save_signed_pickle(state / "pages" / f"contexts-{i:02d}.pickle", shard)


def load_contexts(state: Path, names: Iterable[str]) -> dict[str, bytes] | None:
    """The whole shards that hold these pages' contexts (name -> pickled context); None if one cannot be
    read or was not written by this user's litgraph."""
    found: dict[str, bytes] = {}
    for i in sorted({shard_of(n) for n in names}):
        shard = load_signed_pickle(state / "pages" / f"contexts-{i:02d}.pickle")
        if not isinstance(shard, dict):
            return None
        found.update(shard)
    return found


def install_site(staging: Path, site: Path, kept: set[str]) -> None:
    """Make site/ what the build wrote to `staging` plus the `kept` pages already in site/: a whole new
    folder is swapped in; otherwise each new file replaces its old version by a rename (so every file is
    whole at any moment) and files that are no longer part of the site are removed."""
    if not kept or not site.is_dir():
        old = site.with_name(f".{site.name}.old-{os.getpid()}") if site.exists() else None
        if old is not None:
            os.replace(site, old)
        os.replace(staging, site)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return
    new: set[str] = set()
    for folder, _, files in os.walk(staging):
        relative = os.path.relpath(folder, staging)
        for file in files:
            name = file if relative == "." else f"{relative}/{file}"
            new.add(name)
            os.makedirs(os.path.join(site, relative), exist_ok=True)
            replace_file(os.path.join(folder, file), site / name)
    for folder, _, files in os.walk(site, topdown=False):
        relative = os.path.relpath(folder, site)
        for file in files:
            name = file if relative == "." else f"{relative}/{file}"
            if name not in new and name not in kept:
                os.unlink(os.path.join(folder, file))
        if relative != "." and not os.listdir(folder):
            os.rmdir(folder)
    shutil.rmtree(staging, ignore_errors=True)


def _write_work_pages(
    target: Path,
    title: str,
    labels: dict[str, str],
    pages: list[tuple[str, dict[str, Any]]],
    reuse: PageReuse | None = None,
) -> WorkPages:
    """One page per work: kept from the last build where its inputs are unchanged, else rendered, in
    worker processes when there are many (rendering is most of a large site's time), while this one goes
    on. The workers get each context as dump_context made it (for the record), not pickled again."""
    (target / "works").mkdir(parents=True, exist_ok=True)
    kept: list[Path] = []
    salt = _work_salt(_environment(), title, labels) if reuse is not None else None
    todo = []
    for name, context in pages:
        pickled = dump_context(name, context)
        if reuse is not None:
            reuse.contexts[name] = pickled
            if reuse.keep(name, _work_digest(salt, pickled)):
                kept.append(target / name)
                continue
        todo.append((name, pickled))
    workers = max(1, min(cores(), len(todo) // PAGES_PER_WORKER))
    share = max(1, -(-len(todo) // workers))
    parts = [todo[i : i + share] for i in range(0, len(todo), share)]
    if workers == 1:
        return WorkPages(kept, Done([_render_pages(target, title, labels, part) for part in parts]))
    n = len(parts)
    return WorkPages(kept, BackgroundMap(_render_pages, [target] * n, [title] * n, [labels] * n, parts))


class WorkPages:
    """Work pages kept, and those being rendered (see _write_work_pages)."""

    def __init__(self, kept: list[Path], rendering: BackgroundMap[list[Path]] | Done[list[list[Path]]]):
        self.kept, self._rendering = kept, rendering

    def result(self) -> list[Path]:
        """Every work page's path, once all are written."""
        return self.kept + [path for paths in self._rendering.result() for path in paths]

    def cancel(self) -> None:
        self._rendering.cancel()
