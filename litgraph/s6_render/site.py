"""Stage 6: the site (site/), made in a new folder beside the live one and swapped in whole by build.py.

Every file of the new site is either linked from the live site (its digest and identity as recorded) or
written anew: the map (index.html and its parts), the pages of themes and works, works.html and
contested.html (put together from pieces, each rendered only when what it shows changed), graph.ttl and
graph.jsonld (the graph units' bodies, put together in unit order), and the assets.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

from litgraph.namespaces import page
from litgraph.plumbing.chunks import cut
from litgraph.plumbing.files import write_new
from litgraph.plumbing.statedb import rows_in
from litgraph.plumbing.workers import Background
from litgraph.project import Project
from litgraph.s1_read.changes import Changes
from litgraph.s1_read.reading import set_fact
from litgraph.s3_graph.graph_files import write_graph
from litgraph.s3_graph.units import Unit
from litgraph.s4_analyse.analysis import Analysis
from litgraph.s4_analyse.contested import ContestedGroup
from litgraph.s4_analyse.networks import all_clusters
from litgraph.s6_render import mapdata, templates
from litgraph.s6_render.gaps_page import gaps_context
from litgraph.s6_render.pages import (
    SiteData,
    digest_of,
    groups_reached,
    listing_reached,
    listing_rows,
    themes_reached,
    works_reached,
)
from litgraph.s6_render.records import Records, fragment, update_fragments
from litgraph.s6_render.visnet import asset_files
from litgraph.s6_render.work_pages import WorkPages

SALT_FACT = "site salt"  # the templates the site was made with (templates.salt), recorded with its pages
LISTING_CUT = 64  # works.html's pieces: about this many works each
Piece = tuple[str, str, bytes | None]  # a piece of a page: name, digest, body (None: take the kept one)


@dataclass
class SiteInputs:
    """What the site is made from besides the state's tables."""

    project: Project
    db: sqlite3.Connection
    state: Path | None  # the state database's file (worker processes read it), or None
    units: list[Unit]
    units_folder: Path
    changes: Changes
    analysis: Analysis
    clusters: Callable[[], dict[str, int]] | None = None  # (worked out since the inputs were read: waits for them)


class SiteBuild:
    """A new site in `staging`, made from the live one (`live`, or None the first time)."""

    def __init__(self, inputs: SiteInputs, staging: Path, live: Path | None):
        self.inputs, self.staging = inputs, staging
        self.title = inputs.project.title
        self.salt = templates.salt(self.title)
        self.data = SiteData(inputs.db, inputs.project.lang)
        self.records = Records(inputs.db, live, staging)
        # every page reached where the live site was made with other templates (or there is none): a page
        # an edit does not reach is kept by its recorded digest, which stands for the templates it was made with
        self.everything = live is None or self.data.tables.fact(SALT_FACT) != self.salt
        self._clusters_job: Background[dict[str, int]] | None = None  # (Leiden in a worker of its own)

    def write(self) -> None:
        i = self.inputs
        reached = None if self.everything else works_reached(i.db, i.changes, i.analysis)
        plan = mapdata.plan_map(self.data)
        keys = [k for (k,) in i.db.execute("SELECT key FROM works ORDER BY key")]
        parts = mapdata.parts(keys, plan)
        with WorkPages(self.data, self.records, i.state, self.title, i.project.lang, reached, plan, parts) as pages, \
                ThreadPoolExecutor(1, thread_name_prefix="graph files") as beside:  # fmt: skip
            graph_files = beside.submit(self._graph_files)  # (copying hundreds of MB in the kernel, off the GIL)
            clusters = self._clusters_due()
            try:
                self._assets()
                self._theme_pages()
                self._page("themes.html", "themes.html", {"tree": self.data.theme_tree()})
                self._works_listing()
                self._contested()
                self._page("gaps.html", "gaps.html", gaps_context(self.data))
                self._clusters(clusters)
                made = pages.finish()  # (with the map's parts, where worker processes made them with the pages)
                self._map(plan, keys, parts, reached, made)
                graph_files.result()
            finally:
                if self._clusters_job is not None:
                    self._clusters_job.cancel()  # (a no-op once it is done)
        self.records.save()
        set_fact(self.inputs.db, SALT_FACT, self.salt)

    # -- whole pages ---------------------------------------------------------------------------------------
    def _page(self, name: str, template: str, context: dict[str, object], digest: str | None = None) -> None:
        """A whole page, kept if made from the same `digest` (by default, its context's)."""
        digest = digest or digest_of(self.salt, name, context)
        if name not in self.records.now and not self.records.keep(name, digest):
            (self.staging / name).parent.mkdir(parents=True, exist_ok=True)
            write_new(self.staging / name, templates.render(template, name, self.title, context).encode("utf-8"))
            self.records.wrote(name, digest)

    def _theme_pages(self) -> None:
        """A page per theme: kept as it is unless an edit reaches it (see themes_reached); then its head and
        the pieces whose inputs changed are rendered (a theme an edit reaches often shows little of it)."""
        reached = None if self.everything else themes_reached(self.inputs.db, self.inputs.changes, self.inputs.analysis)
        data = self.data
        for theme_id in data.themes:
            name = page("theme", theme_id)
            recorded = self.records.recorded(name)
            if reached is not None and theme_id not in reached and recorded and self.records.keep(name, recorded):
                continue
            pieces: list[Piece] = []
            made: dict[str, tuple[str, bytes]] = {}
            for part, inputs, context in (("works", data.theme_works_inputs, data.theme_works),
                                          ("groups", data.theme_groups_inputs, data.theme_groups)):  # fmt: skip
                piece = f"{name}#{part}"
                digest = digest_of(self.salt, piece, [data.themes_digest, inputs(theme_id)])
                body = fragment(self.inputs.db, piece, digest)
                if body is None:
                    body = templates.render_piece(f"theme_{part}.html", root="../", **context(theme_id))
                    made[piece] = (digest, body)
                pieces.append((piece, digest, body))
            update_fragments(self.inputs.db, f"{name}#", {p for p, _, _ in pieces}, made)
            self._pieced(name, "theme.html", data.theme_head(theme_id), pieces)

    def _assets(self) -> None:
        files = {name: path.read_bytes() for name, path in asset_files().items()}
        files.update(
            {
                name: templates.source(name).encode("utf-8")
                for name in ("map.js", "map_text.js", "map_labels.js", "style.css")
            }
        )
        (self.staging / "assets").mkdir()
        for name, data in files.items():
            digest = hashlib.sha256(data).hexdigest()
            if not self.records.keep(f"assets/{name}", digest):
                write_new(self.staging / "assets" / name, data)
                self.records.wrote(f"assets/{name}", digest)

    # -- the map's cluster layer ------------------------------------------------------------------------
    CLUSTERS = "map/clusters.js"

    def _clusters_due(self) -> Callable[[], dict[str, int]] | None:
        """Leiden on the citation network (seconds at 100,000 works) in a worker process while the pages are
        made (or since the inputs were read: see analysis.figures_due), where a citation may have come or gone
        (or map/clusters.js is not as recorded); else None."""
        recorded = self.records.recorded(self.CLUSTERS)
        if recorded and not self.inputs.analysis.citations and self.records.keep(self.CLUSTERS, recorded):
            return None
        if self.inputs.clusters is not None:
            return self.inputs.clusters
        if self.inputs.state is None:  # (no state file for a worker to read: here, when they are due)
            return lambda: all_clusters(None, self.inputs.db)
        self._clusters_job = Background(all_clusters, str(self.inputs.state))
        return self._clusters_job.result

    def _clusters(self, due: Callable[[], dict[str, int]] | None) -> None:
        """map/clusters.js: each work's cluster in the citation network, for the map's cluster layer."""
        if due is None:
            return
        found = due()
        script = b"window.litgraphClusters = " + orjson.dumps(found, option=orjson.OPT_SORT_KEYS) + b";\n"
        digest = hashlib.sha256(script).hexdigest()
        (self.staging / "map").mkdir(exist_ok=True)
        if not self.records.keep(self.CLUSTERS, digest):
            write_new(self.staging / self.CLUSTERS, script)
            self.records.wrote(self.CLUSTERS, digest)

    def _graph_files(self) -> None:
        """graph.ttl and graph.jsonld: the units' bodies put together (s3_graph.graph_files), hundreds of MB
        of kernel copies at 100,000 works, by a thread of lower priority: the pages come first on the cores."""
        with contextlib.suppress(AttributeError, OSError):  # (Linux: a thread's own priority)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        base = self.inputs.project.base_iri
        digest = hashlib.sha256(orjson.dumps([base, [u.inputs for u in self.inputs.units]])).hexdigest()
        for name, fmt in (("graph.ttl", "ttl"), ("graph.jsonld", "jsonld")):
            if not self.records.keep(name, digest):
                with (self.staging / name).open("xb") as out:
                    write_graph(out, self.inputs.units, self.inputs.units_folder, fmt, base)
                self.records.wrote(name, digest)

    # -- pages of pieces ----------------------------------------------------------------------------------
    def _pieced(self, name: str, template: str, context: dict[str, object], pieces: Sequence[Piece]) -> None:
        """A page put together from pieces: (name, digest, body or None to take it from the kept ones)."""
        digest = digest_of(self.salt, name, [context, [d for _, d, _ in pieces]])
        if self.records.keep(name, digest):
            return
        head, tail = templates.head_and_tail(template, name, self.title, context)
        (self.staging / name).parent.mkdir(parents=True, exist_ok=True)
        query = "SELECT name, digest, body FROM fragments WHERE name IN {in}"  # (the kept ones, read together)
        kept = {n: (d, b) for n, d, b in rows_in(self.inputs.db, query, [p for p, _, body in pieces if body is None])}
        with (self.staging / name).open("xb") as out:
            out.write(head)
            for piece, piece_digest, body in pieces:
                found = body if body is not None else kept[piece][1]
                assert body is not None or kept[piece][0] == piece_digest, piece
                out.write(found)
            out.write(tail)
        self.records.wrote(name, digest)

    def _works_listing(self) -> None:
        """works.html: the works by reference, with their numbers of claims, in pieces of about LISTING_CUT. A
        piece is made again only when it holds other works, or an edit reaches one of them (listing_reached)."""
        db = self.inputs.db
        reached = None if self.everything else listing_reached(self.inputs.changes, self.inputs.analysis)
        rows = db.execute("SELECT key, digest FROM work_rows ORDER BY sortkey, key").fetchall()
        digests = dict(rows)
        kept = dict(db.execute("SELECT name, digest FROM fragments WHERE name LIKE 'works.html#%'"))
        pieces: list[Piece] = []
        made: dict[str, tuple[str, bytes]] = {}
        names: set[str] = set()
        for keys in cut([k for k, _ in rows], LISTING_CUT):
            piece = f"works.html#{keys[0]}"
            names.add(piece)
            members = hashlib.sha256("\0".join(keys).encode("utf-8")).hexdigest()
            before = kept.get(piece, "")
            if reached is not None and before.startswith(f"{members}:") and not reached.intersection(keys):
                pieces.append((piece, before, None))
                continue
            counts = dict(self.data.claim_counts(keys))
            digest = f"{members}:{digest_of(self.salt, piece, [(k, digests[k], counts.get(k, 0)) for k in keys])}"
            body = fragment(db, piece, digest) if before == digest else None
            if body is None:
                body = b"".join(templates.render_piece("work_item.html", w=w) for w in listing_rows(self.data, keys))
                made[piece] = (digest, body)
            pieces.append((piece, digest, body))
        update_fragments(db, "works.html#", names, made)
        self._pieced("works.html", "works.html", {}, pieces)

    def _contested(self) -> None:
        """contested.html: a section per contested group, most sources first. A section is rendered again
        only when its group changed, or an edit reaches what it shows (its claims, its question)."""
        db = self.inputs.db
        reached = None if self.everything else groups_reached(db, self.inputs.changes, self.inputs.analysis)
        ranked = db.execute("SELECT key, digest FROM groups ORDER BY rank").fetchall()
        kept = dict(db.execute("SELECT name, digest FROM fragments WHERE name LIKE 'contested.html#%'"))
        pieces: list[Piece] = []
        made: dict[str, tuple[str, bytes]] = {}
        names: set[str] = set()
        wanted: list[str] = []
        for key, group_digest in ranked:
            piece = f"contested.html#{key}"
            names.add(piece)
            before = kept.get(piece)
            if (
                before is not None
                and before.startswith(f"{group_digest}:")
                and reached is not None
                and key not in reached
            ):
                pieces.append((piece, before, None))
            else:
                pieces.append((piece, group_digest, None))
                wanted.append(key)
        shown: dict[str, ContestedGroup] = {}
        for keys in cut(wanted, 500):
            shown.update(zip(keys, self.data.shown_groups(keys), strict=True))
        for index, (piece, group_digest, _) in enumerate(pieces):
            group = shown.get(piece.removeprefix("contested.html#"))
            if group is None:
                continue
            digest = f"{group_digest}:{digest_of(self.salt, piece, group)}"
            body = fragment(db, piece, digest) if kept.get(piece) == digest else None
            if body is None:
                body = templates.render_piece("group.html", g=group, root="")
                made[piece] = (digest, body)
            pieces[index] = (piece, digest, body)
        update_fragments(db, "contested.html#", names, made)
        self._pieced("contested.html", "contested.html", {"empty": not ranked}, pieces)

    # -- the map ----------------------------------------------------------------------------------------
    def _map(self, plan: mapdata.MapPlan, keys: list[str], parts: list[list[str]], reached: set[str] | None,
             made: dict[str, tuple[str, bytes | None]]) -> None:  # fmt: skip
        """index.html (the themes, and the list of parts) and map/part-*.js (the works, in parts; `made`: the
        parts made already, by name: digest, and the script unless it is written)."""
        meta = mapdata.map_meta(self.data, plan)
        (self.staging / "map").mkdir(exist_ok=True)
        digest = None
        if plan.spring:  # a small map: one part, relaxed as a whole with the themes
            part = mapdata.map_part(self.data, plan, keys)
            digest = (
                "small:" + hashlib.sha256(orjson.dumps([self.salt, self.title, plan.folded, meta, part])).hexdigest()
            )
            name = mapdata.part_name(keys)
            if self.records.keep(name, digest) and self.records.keep("index.html", digest):
                return
            mapdata.place(part, mapdata.relaxed(part, plan))
            mapdata.place(meta)
            if name not in self.records.now:
                write_new(self.staging / name, mapdata.part_script(part))
                self.records.wrote(name, digest)
            listed = [{"file": name[4:], "digest": digest[6:22]}]
        else:
            mapdata.place(meta)
            listed = [self._map_part(plan, part, reached, made) for part in parts]
        meta["title"] = self.title
        context = {"graph_json": mapdata.script_json(meta).decode("utf-8"), "legend": meta["legend"],
                   "folded": plan.folded, "parts": listed}  # fmt: skip
        self._page("index.html", "index.html", context, digest)

    def _map_part(self, plan: mapdata.MapPlan, keys: list[str], reached: set[str] | None,
                  made: dict[str, tuple[str, bytes | None]]) -> dict[str, str]:  # fmt: skip
        """A part of a large map: kept as it is unless an edit reaches one of its works."""
        name = mapdata.part_name(keys)
        if name in made:
            digest, script = made[name]
        else:
            recorded = self.records.recorded(name) or ":"
            unreached = reached is not None and not reached.intersection(keys)
            members = mapdata.members_digest(self.salt, plan, keys)
            if unreached and recorded.split(":")[0] == members and self.records.keep(name, recorded):
                return {"file": name[4:], "digest": recorded.split(":")[1][:16]}
            name, digest, script = mapdata.render_part(self.data, plan, self.salt, keys)
        if script is None:  # (written by a worker)
            self.records.wrote(name, digest)
        elif not self.records.keep(name, digest):
            write_new(self.staging / name, script)
            self.records.wrote(name, digest)
        return {"file": name[4:], "digest": digest.split(":")[1][:16]}
