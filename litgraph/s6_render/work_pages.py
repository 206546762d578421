"""One page per work (site/works/KEY.html): those an edit reaches rendered again, the others kept.

Work pages are most of a large site. When many are to be rendered (the first time), worker processes
render them while this process writes the rest of the site, each worker reading the state's tables itself,
a part of the map at a time: the part's pages and the part itself (map/part-*.js), which shows the same
works and claims. After an edit, the few pages it reaches are rendered here, and every other page is
linked from the live site into the new one by a thread of its own, meanwhile.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from litgraph.namespaces import page
from litgraph.plumbing.files import folder_listing, link_folder, remove_tree, write_new
from litgraph.plumbing.workers import BackgroundMap, cores
from litgraph.s6_render import templates
from litgraph.s6_render.mapdata import MapPlan, render_part
from litgraph.s6_render.pages import SiteData, digest_of
from litgraph.s6_render.records import Record, Records

PAGES_PER_WORKER = 2_000  # below this many pages per process, starting processes costs more than it saves
BATCH = 500  # works whose contexts are made at once


def _name(key: str) -> str:
    return page("work", key)


def render_work_pages(data: SiteData, staging: Path, title: str, keys: list[str]) -> list[tuple[str, Record]]:
    """Render these works' pages into `staging`; each page's record."""
    salt = templates.salt(title)
    template = templates.environment().get_template("work.html")
    done = []
    for start in range(0, len(keys), BATCH):
        for key, context in data.work_contexts(keys[start : start + BATCH]).items():
            name = _name(key)
            text = template.render(site_title=title, root="../", labels=data.labels, **context)
            write_new(staging / name, text.encode("utf-8"))
            info = os.stat(staging / name)
            done.append(
                (
                    name,
                    Record(digest_of(salt, name, [context, data.labels]), info.st_size, info.st_mtime_ns, info.st_ino),
                )
            )
    return done


Made = dict[str, tuple[str, bytes | None]]  # map parts made: name -> digest, and the script unless written


def _render_in_worker(state: str, staging: str, title: str, lang: str, parts: list[list[str]],
                      plan: MapPlan | None) -> tuple[list[tuple[str, Record]], Made]:  # fmt: skip
    """The pages of the works of these map parts and (with `plan`) the parts, written into `staging`."""
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
    try:
        data = SiteData(db, lang)
        records: list[tuple[str, Record]] = []
        made: Made = {}
        for keys in parts:
            records += render_work_pages(data, Path(staging), title, keys)
            if plan is not None:
                name, digest, script = render_part(data, plan, templates.salt(title), keys)
                write_new(Path(staging) / name, script)
                made[name] = (digest, None)
        return records, made
    finally:
        db.close()


def context_digests(data: SiteData, title: str, keys: list[str]) -> dict[str, str]:
    """The digest each of these works' pages would be made from."""
    salt = templates.salt(title)
    found = {}
    for start in range(0, len(keys), BATCH):
        for key, context in data.work_contexts(keys[start : start + BATCH]).items():
            found[key] = digest_of(salt, _name(key), [context, data.labels])
    return found


class WorkPages:
    """The work pages of a new site: `reached` (None: all) made again, the others linked from the live one.
    Started on construction; `finish()` waits for them, `cancel()` stops them."""

    def __init__(self, data: SiteData, records: Records, state: Path | None, title: str, lang: str,
                 reached: set[str] | None, plan: MapPlan, parts: list[list[str]]):  # fmt: skip
        self.data, self.records, self.title = data, records, title
        keys = [k for (k,) in data.db.execute("SELECT key FROM works ORDER BY key")]
        (records.staging / "works").mkdir(parents=True, exist_ok=True)
        everything = reached is None or records.live is None
        self.reached = keys if everything else sorted(set(keys) & reached)  # type: ignore[operator]
        self._kept = [] if everything else sorted(set(keys) - set(self.reached))
        self._failed: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._link, name="link the work pages kept")
        self._thread.start()
        workers = min(cores(), len(self.reached) // PAGES_PER_WORKER) if state is not None and everything else 1
        self._workers: BackgroundMap[tuple[list[tuple[str, Record]], Made]] | None = None
        if workers >= 2:  # (all pages: those of every part)
            with_parts = None if plan.spring else plan  # (a small map is made whole, here)
            if with_parts is not None:
                shares = [parts[i::workers] for i in range(workers)]
            else:
                shares = [[self.reached[i::workers]] for i in range(workers)]
            if with_parts is not None:
                (records.staging / "map").mkdir(exist_ok=True)
            n = len(shares)
            self._workers = BackgroundMap(_render_in_worker, [str(state)] * n, [str(records.staging)] * n,
                                          [title] * n, [lang] * n, shares, [with_parts] * n)  # fmt: skip

    def _link(self) -> None:
        live, staging = self.records.live, self.records.staging
        if self._kept and live is not None and link_folder(live / "works", staging / "works"):
            self._failed = self._verify_links(staging / "works")
            return
        for key in self._kept:
            if self._stop.is_set():
                return
            name = _name(key)
            digest = self.records.recorded(name)
            if digest is None or not self.records.keep(name, digest):
                self._failed.append(key)

    def _verify_links(self, folder: Path) -> list[str]:
        """After link_folder: keep the links of the pages kept that are as recorded (regular files of the
        recorded size, time and inode); remove every other entry; the kept pages that were not there."""
        kept = {_name(k).removeprefix("works/"): k for k in self._kept}
        seen, failed = set(), []
        for name, (regular, size, mtime_ns, inode) in folder_listing(folder).items():
            key, found = kept.get(name), self.records.before.get("works/" + name)
            if (
                key is None
                or found is None
                or not regular
                or (size, mtime_ns, inode) != (found.size, found.mtime_ns, found.inode)
            ):
                remove_tree(folder / name)
                if key is not None:
                    failed.append(key)
                continue
            seen.add(name)
            self.records.now["works/" + name] = found
        return failed + [k for name, k in kept.items() if name not in seen and k not in failed]

    def finish(self) -> Made:
        """Render the pages reached (and any the live site did not have as recorded); wait for the links.
        The map's parts that workers made with their pages, if any."""
        made: Made = {}
        if self._workers is not None:
            for pages, parts in self._workers.result():
                self.records.add(pages)
                made.update(parts)
            self._thread.join()
        else:
            self._thread.join()  # (first: the live site's pages are linked in before those reached are written)
            self._render(self.reached)
        self._render(self._failed)
        return made

    def _render(self, keys: list[str]) -> None:
        if not keys:
            return
        digests = {} if self.records.live is None else context_digests(self.data, self.title, keys)
        todo = [k for k in keys if not (k in digests and self.records.keep(_name(k), digests[k]))]
        self.records.add(render_work_pages(self.data, self.records.staging, self.title, todo))

    def cancel(self) -> None:
        self._stop.set()
        if self._workers is not None:
            self._workers.cancel()
        self._thread.join()

    def __enter__(self) -> WorkPages:
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is not None:
            self.cancel()
