"""What each page of the site shows (its context), made from the state's tables, and which pages an edit
reaches.

A page's digest stands for its context and the templates (templates.salt): a page whose digest is as
recorded is kept from the last site as it is. Work pages and the map's parts are many: only those an edit
reaches (`works_reached`) have their context made again; the few others (theme pages, themes.html) always.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from typing import Any

import orjson

from litgraph.plumbing.statedb import rows_in
from litgraph.s1_read.changes import Changes
from litgraph.s1_read.tables import Tables
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.s4_analyse import rankings
from litgraph.s4_analyse.analysis import Analysis
from litgraph.s4_analyse.contested import ContestedGroup, group_members
from litgraph.s4_analyse.rankings import ranking
from litgraph.s4_analyse.rows import ClaimRow, Rows, WorkRow
from litgraph.s4_analyse.timelines import timeline
from litgraph.s5_store.queries import ThemeRow, shown_group, theme_rows
from litgraph.s6_render.charts import timeline_chart

THEME_PAGE_WORKS = 150  # a theme page lists the works with most claims on it first, and stops here
THEME_PAGE_GROUPS = 50


def digest_of(salt: str, name: str, context: Any) -> str:
    return hashlib.sha256(salt.encode() + b"\0" + name.encode() + b"\0" + orjson.dumps(context)).hexdigest()


class SiteData:
    """The state's tables as the pages read them (one per build, or per worker process)."""

    def __init__(self, db: sqlite3.Connection, lang: str):
        self.db = db
        self.rows = Rows(db, lang)
        self.tables = self.rows.tables
        self.themes = self.tables.themes()
        # (what every theme page shows besides its own inputs: the scheme, the questions' texts, the language)
        self.themes_digest = [
            self.tables.fact(n) for n in ("themes", "scheme_title", "questions", "vocabulary", "settings")
        ] + [lang]
        self.lookup = ThemeLookup(self.themes)
        self.labels = {t: theme.labels.get("en", t) for t, theme in self.themes.items()}
        self.children = {k: sorted(v) for k, v in self.lookup.children.items()}
        self._question_texts: dict[str, dict[str, str]] | None = None
        self._groups_on: dict[str, tuple[list[str], int]] = {}

    def claim_counts(self, keys: list[str]) -> list[tuple[str, int]]:
        """How many claims are each of these works' findings (works with none left out)."""
        return rows_in(self.db, "SELECT source, count(*) FROM claims WHERE source IN {in} GROUP BY source", keys)

    def counted(self, works: dict[str, WorkRow]) -> dict[str, dict[str, Any]]:
        """Work rows with their numbers of claims (n_claims), as listings and pages show them."""
        counts = dict(self.claim_counts(list(works)))
        return {k: {**vars(w), "n_claims": counts.get(k, 0)} for k, w in works.items()}  # (flat: no asdict)

    def claims_by(self, column: str, keys: list[str]) -> dict[str, list[ClaimRow]]:
        """The rows of the claims whose `column` (source, reported_in) is each of these keys, by id."""
        ids = rows_in(self.db, f"SELECT {column}, id FROM claims WHERE {column} IN {{in}}", keys)
        rows = self.rows.claims(i for _, i in ids)
        found: dict[str, list[ClaimRow]] = {}
        for key, claim_id in sorted(ids, key=lambda r: r[1]):
            found.setdefault(key, []).append(rows[claim_id])
        return found

    def shown_groups(self, keys: list[str]) -> list[ContestedGroup]:
        bodies = dict(rows_in(self.db, "SELECT key, body FROM groups WHERE key IN {in}", keys))
        groups = [orjson.loads(bodies[k]) for k in keys if k in bodies]
        rows = self.rows.claims(group_members(groups))
        if self._question_texts is None:
            self._question_texts = {q.id: q.texts for q in self.tables.questions().values()}
        return [shown_group(g, rows, self._question_texts) for g in groups]

    # -- pages ---------------------------------------------------------------------------------------
    def work_contexts(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The context of each of these works' pages."""
        works = self.counted(self.rows.works(keys))
        by_source, by_reporter = self.claims_by("source", keys), self.claims_by("reported_in", keys)
        cites, cited_by = self.tables.cites_of(keys), self.tables.cited_by(keys)
        others = {k for key in keys for k in (*cites.get(key, ()), *cited_by.get(key, ()))}
        citations = {k: w.citation for k, w in self.rows.works(others).items()}
        contexts = {}
        for key in keys:
            if key not in works:
                continue
            out, into = cites.get(key, []), cited_by.get(key, [])
            contexts[key] = {
                "work": works[key], "claims": by_source.get(key, []), "reported": by_reporter.get(key, []),
                "cites": out, "cited_by": into, "citations": {k: citations[k] for k in [*out, *into] if k in citations},
            }  # fmt: skip
        return contexts

    # A theme page is its head (the theme, its narrower themes, its timeline) and two pieces, each kept
    # while what it is made from (its inputs, by digest) is as it was: the works with most claims on it, and
    # the contested groups on it. (An edit that only moves the timeline renders the head alone.)
    def theme_head(self, theme_id: str) -> dict[str, Any]:
        return {
            "theme": self.themes[theme_id], "labels": self.labels, "narrower": self.children.get(theme_id, []),
            "timeline": timeline_chart(timeline(self.db, theme_id)),
        }  # fmt: skip

    def theme_works(self, theme_id: str) -> dict[str, Any]:
        """The works in the order of `sources` (the first THEME_PAGE_WORKS), each with its claims on the theme
        or a narrower one."""
        subtree = set(self.lookup.with_narrower(theme_id))
        entries, total = ranking(self.db, theme_id, THEME_PAGE_WORKS)
        keys = [e.key for e in entries]
        works = self.counted(self.rows.works(keys))
        claims = self.claims_by("source", keys)
        listed = [
            {"work": works[k], "claims": [c for c in claims.get(k, []) if subtree.intersection(c.themes)]} for k in keys
        ]
        return {"theme": self.themes[theme_id], "works": listed, "works_total": total}

    def theme_groups(self, theme_id: str) -> dict[str, Any]:
        """The first THEME_PAGE_GROUPS contested groups on the theme (or a narrower one)."""
        shown, n_groups = self.groups_on(theme_id)
        return {"theme": self.themes[theme_id], "groups": self.shown_groups(shown), "groups_total": n_groups}

    def theme_works_inputs(self, theme_id: str) -> list[Any]:
        """What theme_works is made from, by digest, without making it: the first THEME_PAGE_WORKS entries of
        the theme's ranking and how many there are, their claims, and the rows of the works these name. (The
        theme scheme, questions and settings are not among them: an edit to those renders every page.)"""
        entries, total = ranking(self.db, theme_id, THEME_PAGE_WORKS)
        keys = [e.key for e in entries]
        query = "SELECT id, digest, source, reported_in FROM claims WHERE source IN {in} ORDER BY id"
        claims = rows_in(self.db, query, keys)
        return [theme_id, [(e.key, e.claims, e.cited_by) for e in entries], total, claims, self._named(claims, keys)]

    def theme_groups_inputs(self, theme_id: str) -> list[Any]:
        """What theme_groups is made from, by digest: the groups shown and how many there are, their claims,
        and the rows of the works these name."""
        shown, n_groups = self.groups_on(theme_id)
        groups = rows_in(self.db, "SELECT key, digest FROM groups WHERE key IN {in} ORDER BY key", shown)
        query = ("SELECT c.id, c.digest, c.source, c.reported_in FROM group_members m JOIN claims c ON c.id = m.claim "
                 "WHERE m.key IN {in} ORDER BY c.id")  # fmt: skip
        members = rows_in(self.db, query, shown)
        return [theme_id, shown, n_groups, groups, members, self._named(members, [])]

    def _named(self, claims: list[tuple[Any, ...]], keys: list[str]) -> list[tuple[str, str]]:
        """The digests of the rows of the works some claims (id, digest, source, reported in) name, and `keys`."""
        named = sorted({k for row in claims for k in row[2:] if k} | set(keys))
        return rows_in(self.db, "SELECT key, digest FROM work_rows WHERE key IN {in} ORDER BY key", named)

    def theme_tree(self) -> list[ThemeRow]:
        counts = {
            t: tuple(c)
            for t, *c in self.db.execute(
                "SELECT theme, claims, claims_with_narrower, works_with_narrower FROM theme_counts"
            )
        }
        return theme_rows(self.lookup, counts)  # type: ignore[arg-type]

    def groups_on(self, theme_id: str) -> tuple[list[str], int]:
        """The keys of the first THEME_PAGE_GROUPS contested groups on a theme (or a narrower one), in ranking
        order, and how many there are (read once: a theme page's inputs and its context both ask)."""
        if theme_id not in self._groups_on:
            query = "SELECT key FROM group_themes WHERE theme = ? ORDER BY rank LIMIT ?"
            shown = [k for (k,) in self.db.execute(query, (theme_id, THEME_PAGE_GROUPS))]
            total = self.db.execute("SELECT count(*) FROM group_themes WHERE theme = ?", (theme_id,)).fetchone()[0]
            self._groups_on[theme_id] = shown, int(total)
        return self._groups_on[theme_id]


def works_reached(db: sqlite3.Connection, changes: Changes, analysis: Analysis) -> set[str] | None:
    """The works whose page (or map part) an edit can change (None: all): the works changed, those that
    claims changed name, the works on either end of a citation that changed, and the works whose pages show
    a changed work's citation (its neighbours, and the works of the claims read in it or about it)."""
    if changes.everything or changes.themes or changes.citations or changes.questions:
        return None
    reached = set(changes.works)
    for claim in changes.claim_sides():
        reached.update(k for k in (claim.source, claim.reported_in) if k)
    tables = Tables(db)
    moved = sorted(analysis.work_rows)
    for table in (tables.cites_of(moved), tables.cited_by(moved)):
        reached.update(k for keys in table.values() for k in keys)
    reached.update(k for (k,) in rows_in(db, "SELECT source FROM claims WHERE reported_in IN {in}", moved))
    reached.update(
        k
        for (k,) in rows_in(
            db, "SELECT reported_in FROM claims WHERE reported_in IS NOT NULL AND source IN {in}", moved
        )
    )
    return reached


def themes_reached(db: sqlite3.Connection, changes: Changes, analysis: Analysis) -> set[str] | None:
    """The themes whose page an edit can change (None: all): those whose ranking it changes, those of the
    claims it changed (as they were and are), of the contested groups that show them, and of the claims
    (and their groups) whose source or reading names a work it changed, with the broader ones; all where it formed contested groups again (their ranks move) or changed the scheme or questions."""
    ranked = rankings.themes_reached(db, changes)
    if ranked is None or changes.questions or analysis.everything:
        return None
    ranked = ranked | analysis.group_themes | set(analysis.rankings)
    themes = {t for claim in changes.claim_sides() for t in claim.themes}
    query = "SELECT g.theme FROM group_members m JOIN group_themes g ON g.key = m.key WHERE m.claim IN {in}"
    themes.update(t for (t,) in rows_in(db, query, sorted(changes.claims)))
    works = sorted(set(changes.works) | analysis.work_rows)
    for column in ("source", "reported_in"):  # (a claim's row names its works; a page shows its groups' claims)
        query = ("SELECT DISTINCT t.theme FROM claims c JOIN claim_themes t ON t.id = c.id "
                 f"WHERE t.theme IS NOT NULL AND c.{column} IN {{in}}")  # fmt: skip
        themes.update(t for (t,) in rows_in(db, query, works))
        query = ("SELECT DISTINCT g.theme FROM claims c JOIN group_members m ON m.claim = c.id "
                 f"JOIN group_themes g ON g.key = m.key WHERE c.{column} IN {{in}}")  # fmt: skip
        themes.update(t for (t,) in rows_in(db, query, works))
    broader = {a for (a,) in rows_in(db, "SELECT ancestor FROM theme_closure WHERE theme IN {in}", sorted(themes))}
    return ranked | themes | broader


def listing_reached(changes: Changes, analysis: Analysis) -> set[str] | None:
    """The works whose item in works.html an edit can change (None: all): those whose row changed, and the
    sources of claims added, removed or given another source (their numbers of claims)."""
    if changes.everything or changes.settings:
        return None
    found = set(analysis.work_rows)
    for before, after in changes.claims.values():
        if (before and before.source) != (after and after.source):
            found.update(c.source for c in (before, after) if c)
    return found


def groups_reached(db: sqlite3.Connection, changes: Changes, analysis: Analysis) -> set[str] | None:
    """The contested groups whose section an edit can change (None: all)."""
    if changes.everything or changes.themes or changes.questions or changes.works:
        return None
    found = set(analysis.groups or ())
    found.update(k for (k,) in rows_in(db, "SELECT key FROM group_members WHERE claim IN {in}", sorted(changes.claims)))
    return found


def listing_rows(data: SiteData, keys: Iterable[str]) -> list[dict[str, Any]]:
    """works.html's rows for these works (with their numbers of claims)."""
    return list(data.counted(data.rows.works(list(keys))).values())
