"""The questions users ask, answered from the store: each returns typed data (what `--format json` prints).

sources (works with claims on a theme), contested (questions and disputes, both sides), claims (filtered),
themes (the tree with counts), reading_list (s4_analyse.reading_list, fed from here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.s4_analyse.contested import ContestedGroup, Side, group_members
from litgraph.s4_analyse.rankings import RankedWork
from litgraph.s4_analyse.reading_list import ReadingList
from litgraph.s4_analyse.reading_list import reading_list as make_reading_list
from litgraph.s4_analyse.rows import WORK_ROW_FIELDS, ClaimRow, WorkRow
from litgraph.s5_store.read import REPORTED_IN, SOURCE, StoreReader


@dataclass(frozen=True)
class SourceWork(WorkRow):
    """A work with claims on a theme: its row, the works citing it, and its claims on the theme."""

    cited_by: int = 0
    claims: list[ClaimRow] = field(default_factory=list)


@dataclass
class Sources:
    theme: str
    themes: list[str]  # the theme and (unless --exact) its narrower themes
    total_works: int
    works: list[SourceWork]

    def json(self) -> dict[str, Any]:
        return dict(vars(self))  # (its works and claims: their own json(); asdict's deep copy: seconds at 100k)


def sources(reader: StoreReader, theme: str, exact: bool = False, limit: int | None = None) -> Sources:
    """Works with claims on a theme (and its narrower themes unless `exact`), most relevant first: most
    claims on the theme, then most cited within the graph, then key."""
    theme_id = reader.theme(theme)
    ranked, total = reader.ranking(theme_id, None if exact else limit)
    if exact:
        cited = {r.key: r.cited_by for r in ranked}
        counts = Counter(c.source for c in reader.claims(reader.claims_on(theme_id, exact=True)).values())
        entries = sorted(
            (RankedWork(k, n, cited.get(k, 0)) for k, n in counts.items()),
            key=lambda r: (-r.claims, -r.cited_by, r.key),
        )
        total, ranked = len(entries), entries[: limit or None]
    rows = reader.works([r.key for r in ranked])
    reader.prefetch_claims_of(SOURCE, [r.key for r in ranked], theme_id, exact)
    works = []
    for entry in ranked:
        ids = [i for i in reader.claim_ids(SOURCE, entry.key) if reader.on_theme(i, theme_id, exact)]
        claims = list(reader.claims(ids).values())
        fields = {name: getattr(rows[entry.key], name) for name in WORK_ROW_FIELDS}
        works.append(SourceWork(**fields, cited_by=entry.cited_by, claims=claims))
    themes = [theme_id] if exact else reader.lookup.with_narrower(theme_id)
    return Sources(theme_id, themes, total, works)


def claims(
    reader: StoreReader,
    source: str | None = None,
    theme: str | None = None,
    reported_in: str | None = None,
    exact: bool = False,
) -> list[ClaimRow]:
    """Claims filtered by source work, theme (with narrower unless `exact`) and reporting work, by id."""
    found: set[str] | None = None
    if source:
        found = set(reader.claim_ids(SOURCE, reader.work_key(source)))
    if reported_in:
        ids = set(reader.claim_ids(REPORTED_IN, reader.work_key(reported_in)))
        found = ids if found is None else found & ids
    if theme:
        ids = set(reader.claims_on(reader.theme(theme), exact))
        found = ids if found is None else found & ids
    if found is None:
        found = set(reader.all_claim_ids())
    return list(reader.claims(sorted(found)).values())


def contested(reader: StoreReader, theme: str | None = None, limit: int | None = None) -> list[ContestedGroup]:
    """Contested questions and disputes, each with its sides, most sources taking part first (the groups
    are formed and ranked once per build: s4_analyse.contested)."""
    keys = reader.group_keys()
    ranks = reader.group_ranks(reader.theme(theme) if theme else None)
    chosen = keys if ranks is None else [keys[r] for r in ranks if r < len(keys)]
    groups = reader.groups(chosen[: limit or None])
    rows = reader.claims(group_members(groups))
    texts = {q.id: q.texts for q in reader.questions().values()} if any(g["kind"] == "question" for g in groups) else {}
    return [shown_group(g, rows, texts) for g in groups]


def shown_group(group: dict[str, Any], rows: dict[str, ClaimRow], texts: dict[str, dict[str, str]]) -> ContestedGroup:
    """A group as `contested` shows it: its question's texts and its claims' rows."""
    return ContestedGroup(
        kind=group["kind"],
        id=group["id"],
        text=texts.get(group["id"], {}) if group["kind"] == "question" else {},
        sources=group["sources"],
        links=[tuple(link) for link in group.get("links", [])] if group["kind"] == "dispute" else None,
        sides=[Side(stance, [rows[c] for c in ids if c in rows]) for stance, ids in group["sides"]],
    )


@dataclass
class ThemeRow:
    """A theme in the tree: where it stands, its labels, and the claims and works on it."""

    id: str
    depth: int
    label_en: str | None
    label_nb: str | None
    claims: int
    claims_with_narrower: int
    works_with_narrower: int
    broader: str | None


def theme_rows(lookup: ThemeLookup, counts: dict[str, tuple[int, int, int]]) -> list[ThemeRow]:
    """Every theme in tree order, with its counts (claims on it; claims and works on it or a narrower one)."""
    rows = []
    for theme_id, depth in lookup.tree():
        theme, n = lookup.themes[theme_id], counts.get(theme_id, (0, 0, 0))
        rows.append(ThemeRow(theme_id, depth, theme.labels.get("en"), theme.labels.get("nb"), *n,
                             theme.broader[0] if theme.broader else None))  # fmt: skip
    return rows


def themes(reader: StoreReader) -> list[ThemeRow]:
    """Every theme in tree order, with the counts the build made."""
    names = ("claimCount", "claimCountWithNarrower", "workCountWithNarrower")
    return theme_rows(reader.lookup, {t: tuple(c.get(n, 0) for n in names) for t, c in reader.counts().items()})  # type: ignore[misc]


class _Reading:
    """The store as a reading list's source of figures (s4_analyse.reading_list.ReadingSource)."""

    def __init__(self, reader: StoreReader):
        self.reader = reader
        self.theme, self.ranking, self.importance = reader.theme, reader.ranking, reader.importance

    def works(self, keys: Iterable[str]) -> dict[str, WorkRow]:
        """The works' rows (on a server, their claims on the themes are asked for at the same time)."""
        keys = list(keys)
        self.reader.prefetch_claims_of(SOURCE, keys)
        return self.reader.works(keys)

    def claims_of_on(self, key: str, theme_id: str) -> list[ClaimRow]:
        ids = [i for i in self.reader.claim_ids(SOURCE, key) if self.reader.on_theme(i, theme_id)]
        return list(self.reader.claims(ids).values())

    def contested(self, theme_id: str, limit: int) -> list[ContestedGroup]:
        return contested(self.reader, theme_id, limit)


def reading_list(reader: StoreReader, themes: list[str], limit: int = 8) -> ReadingList:
    """An ordered reading list on `themes`, with the reason for each item (s4_analyse.reading_list)."""
    return make_reading_list(_Reading(reader), themes, limit)
