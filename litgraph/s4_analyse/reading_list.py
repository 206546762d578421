"""Reading lists: the works a teacher should assign on some themes, with a reason for each.

Scoring uses the graph itself: how many of the requested themes a work's claims cover, how many claims it
has on them, how often works in the graph cite it (its importance: PageRank in the citation network), and
whether it takes a side in a dispute on those themes (both sides are always included when there is
room). The list reads foundational works first, then recent ones. The figures come from a `ReadingSource`
(the store, in s5_store.queries), so that this module knows nothing of where they are kept.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from litgraph.s4_analyse.contested import ContestedGroup
from litgraph.s4_analyse.rankings import RankedWork
from litgraph.s4_analyse.rows import WORK_ROW_FIELDS, ClaimRow, WorkRow

RECENT_YEARS = 6  # a work this close to the newest year in the list is "recent"
CANDIDATES = 200  # per requested theme: the works with most claims on it


class ReadingSource(Protocol):
    def theme(self, name: str) -> str: ...
    def ranking(self, theme_id: str, limit: int | None = None) -> tuple[list[RankedWork], int]: ...
    def importance(self, keys: Iterable[str]) -> dict[str, float]: ...
    def works(self, keys: Iterable[str]) -> dict[str, WorkRow]: ...
    def claims_of_on(self, key: str, theme_id: str) -> list[ClaimRow]: ...
    def contested(self, theme_id: str, limit: int) -> list[ContestedGroup]: ...


@dataclass(frozen=True)
class ReadingItem(WorkRow):
    """A work on a reading list: its row, its score, whether it is foundational, why it is on the list,
    its claims on the themes, and its place in reading order."""

    score: float = 0.0
    foundational: bool = False
    reason: str = ""
    claims: list[ClaimRow] = field(default_factory=list)
    position: int = 0


@dataclass(frozen=True)
class ReadingList:
    themes: list[str]
    items: list[ReadingItem]

    def json(self) -> dict[str, Any]:
        return asdict(self)


def _scores(
    source: ReadingSource, requested: list[str]
) -> tuple[dict[str, float], dict[str, dict[str, int]], dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)  # key -> theme -> claims
    cited: dict[str, int] = {}  # key -> citing works in the graph
    for theme_id in requested:
        for entry in source.ranking(theme_id, CANDIDATES)[0]:  # sorted at build time
            counts[entry.key][theme_id] = entry.claims
            cited[entry.key] = entry.cited_by
    titled = {k for k, w in source.works(list(counts)).items() if w.title}  # (a reading must be findable)
    counts = defaultdict(dict, {k: c for k, c in counts.items() if k in titled})
    rank = source.importance(counts)
    score = {
        k: 2.0 * len(c) + math.log1p(sum(c.values())) + 2.0 * rank[k] + 0.5 * math.log1p(cited.get(k, 0))
        for k, c in counts.items()
    }
    return score, counts, cited


class _Choice:
    """The works chosen so far, each with its reasons; at most `limit`."""

    def __init__(self, score: dict[str, float], limit: int):
        self.score, self.limit = score, limit
        self.chosen: dict[str, list[str]] = {}
        self.sides: dict[str, dict[str, list[str]]] = defaultdict(dict)  # key -> question -> stances

    def take(self, key: str, reason: str) -> None:
        if key in self.score and (key in self.chosen or len(self.chosen) < self.limit):
            self.chosen.setdefault(key, [])
            if reason and reason not in self.chosen[key]:
                self.chosen[key].append(reason)

    def both_sides(self, source: ReadingSource, requested: list[str]) -> None:
        """The best-scored work on each side of the disputes and questions on the themes."""
        seen: set[str] = set()
        for theme_id in requested:
            for group in source.contested(theme_id, max(1, self.limit // 3)):
                if group.id in seen:
                    continue
                seen.add(group.id)
                picks = []
                for side in group.sides:
                    keys = [c.source for c in side.claims if c.source in self.score]
                    if keys:
                        picks.append((max(keys, key=lambda k: self.score[k]), side.stance))
                if len(picks) < 2:
                    continue
                if group.kind == "question":
                    label = (group.text.get("en") or group.id).rstrip(".")
                    for key, stance in picks:
                        self.take(key, "")
                        if key in self.chosen and stance not in self.sides[key].setdefault(label, []):
                            self.sides[key][label].append(stance)
                else:
                    for key, stance in picks:
                        self.take(key, f"one side of a dispute between claims ({stance})")


def reading_list(source: ReadingSource, themes: list[str], limit: int = 8) -> ReadingList:
    """An ordered list of at most `limit` works on `themes` (with narrower themes), each with a reason."""
    requested = list(dict.fromkeys(source.theme(t) for t in themes))
    score, counts, cited = _scores(source, requested)
    if not score:
        return ReadingList(requested, [])
    choice = _Choice(score, limit)
    choice.both_sides(source, requested)
    by_score = sorted(score, key=lambda k: (-score[k], k))
    info = source.works(sorted(set(choice.chosen) | set(by_score[: limit * 3])))
    years = [w.year for w in info.values() if w.year]
    newest = max(years) if years else 0
    recent = sorted((k for k in info if (info[k].year or 0) >= newest - RECENT_YEARS), key=lambda k: -score[k])
    for key in recent[: max(1, limit // 4)]:
        choice.take(key, "recent work")
    for key in by_score:
        choice.take(key, "")
    info.update(source.works([k for k in choice.chosen if k not in info]))
    items = [_item(source, info[key], requested, counts[key], cited.get(key, 0), score[key], newest, choice, key)
             for key in choice.chosen]  # fmt: skip
    items.sort(key=lambda i: (not i.foundational, i.year or 9999, -i.score, i.key))
    return ReadingList(requested, [replace(item, position=n) for n, item in enumerate(items, 1)])


def _item(
    source: ReadingSource, work: WorkRow, requested: list[str], hits: dict[str, int], cited: int, score: float,
    newest: int, choice: _Choice, key: str,
) -> ReadingItem:  # fmt: skip
    claims = list({c.id: c for theme_id in requested for c in source.claims_of_on(key, theme_id)}.values())
    taken = [
        f"takes the {' and '.join(repr(st) for st in stances)} side{'s' if len(stances) > 1 else ''} on: {label}"
        for label, stances in choice.sides.get(key, {}).items()
    ]
    reasons = [
        f"{len(claims)} claim{'s' if len(claims) != 1 else ''} on {', '.join(hits)}",
        *taken,
        *choice.chosen[key],
    ]
    if cited:
        reasons.insert(1, f"cited by {cited} work{'s' if cited != 1 else ''} in the graph")
    foundational = bool(work.year) and work.year < newest - RECENT_YEARS and cited > 0  # type: ignore[operator]
    if foundational:
        reasons.insert(0, "foundational")
    fields = {name: getattr(work, name) for name in WORK_ROW_FIELDS}
    return ReadingItem(
        **fields, score=round(score, 3), foundational=foundational, reason="; ".join(reasons), claims=claims
    )


def handout(result: ReadingList, title: str, references: dict[str, str] | None = None) -> str:
    """A Markdown handout a teacher can print: numbered readings (each as `references` formats it, in a
    citation style, where given), reasons, and a claim to read for."""
    lines: list[Any] = [f"# {title}", "", f"Themes: {', '.join(result.themes)}", ""]
    for item in result.items:
        lines.append(f"{item.position}. {(references or {}).get(item.key) or item.reference or item.citation}")
        lines.append(f"   *Why:* {item.reason}.")
        if item.claims:
            claim = item.claims[0]
            place = ", ".join(p for p in (claim.reported_in_citation, claim.locator) if p)
            where = f" ({place})" if place else ""
            lines.append(f"   *Read for:* {claim.text}{where}")
        lines.append("")
    return "\n".join(lines)
