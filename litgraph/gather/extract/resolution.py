"""Resolve found citations (`mentions.Mention`) to works of the bibliography — never silently wrong.

A work fits a mention when its first author's family name (or corporate name, or `shortauthor`) matches the
first name written, folded for diacritics and tolerant of OCR damage (Sjafjell/Sjåfjell, Bjarlykhaug/
Bjørlykhaug), and its year is the year cited. "et al." / "m.fl." means three or more authors, two names mean
two. Exactly one best fit is `resolved`; several equally good ones are `ambiguous` (all listed); none is
`unresolved`, with works one year off listed as candidates only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from litgraph.gather.extract.mentions import Mention
from litgraph.model import Work
from litgraph.suggest import fold

NAME_SCORE = 80.0  # rapidfuzz ratio (0-100) of folded family names that counts as the same name
PHRASE_SCORE = 92.0  # the same for names of several words ("Halden kommune" is not "Ålesund kommune")
SHORT_NAME = 4  # names this short must match exactly once folded ("Ose", "Borg" vs "Berg")
_GOVERNMENT_SERIES = {"meld st": "Meld. St.", "st meld": "Meld. St.", "nou": "NOU", "prop": "Prop."}


@dataclass
class Candidate:
    key: str
    family: str
    year: int | None
    reason: str  # why it is only a candidate, or why it was chosen


@dataclass
class Resolution:
    status: str  # resolved | ambiguous | unresolved
    work: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)


def names_of(work: Work) -> list[str]:
    """The names a text may cite `work` by: first author (or editor), and a short form."""
    people = work.authors or work.editors
    names = [people[0].family] if people else []
    names += [work.extra[k] for k in ("shortauthor", "shorttitle") if work.extra.get(k)]
    if work.title:  # some works are cited by title: "The Sustainable Development Goals Report, 2019"
        names.append(work.title)
    for person in people[:1]:
        if person.corporate and (abbreviation := re.search(r"\(([^()]+)\)\s*$", person.family)):
            names += [abbreviation.group(1), person.family[: abbreviation.start()].strip()]
    return names


def _same_name(written: str, known: str) -> float:
    """100 for the same name; a score that passes NAME_SCORE for a near one (OCR, diacritics); else low."""
    return _same_folded(fold(written), fold(known))


def _same_folded(a: str, b: str) -> float:
    if a == b or (b.startswith(a + " ") and len(a) > SHORT_NAME and (" " in a or b.count(" ") == 1)):
        return 100.0  # "Rebeiro" for "Rebeiro Gruhl", "Nasjonalt senter for erfaringskompetanse" for a longer name
    if min(len(a), len(b)) <= SHORT_NAME:
        return 0.0
    score = fuzz.ratio(a, b)
    return score if " " not in a + b or score >= PHRASE_SCORE else 0.0


def _count_fits(mention: Mention, work: Work) -> bool:
    people = work.authors or work.editors
    if not people or people[0].corporate:
        return len(mention.names) == 1 and not mention.et_al
    if mention.et_al:
        return len(people) >= 3 or work.more_authors or len(people) >= len(mention.names) + 1
    return len(people) == len(mention.names) or (work.more_authors and len(people) <= len(mention.names))


def _co_authors_fit(mention: Mention, work: Work) -> bool:
    people = work.authors or work.editors
    return all(
        i < len(people) and _same_name(name, people[i].family) >= NAME_SCORE
        for i, name in enumerate(mention.names[1:], 1)
    )


class Resolver:
    """Resolves mentions against one bibliography; build once, use for many mentions."""

    def __init__(self, works: Iterable[Work]):
        self._by_year: dict[int | None, list[tuple[Work, list[str]]]] = defaultdict(list)  # names folded
        self._government: dict[tuple[str, str, int | None], list[Work]] = defaultdict(list)
        for work in works:
            names = [fold(n) for n in names_of(work)]
            if names:  # under its year, a differing print/online year, and both years of a parliamentary session
                for year in sorted({work.year, work.other_year, *_session_years(work)}, key=lambda y: y or 0):
                    if year is not None or work.year is None:
                        self._by_year[year].append((work, names))
            series = _GOVERNMENT_SERIES.get(fold(work.series_type or ""))
            number = re.match(r"\s*(?:(\d{4})\s*:\s*)?(\d+)(?:\s*\((\d{4}))?", work.number or "")
            if series and number:  # a paper by its year, or either year of its session: "11 (2015–2016)"
                years = {int(number.group(3) or number.group(1) or 0) or work.year, *_session_years(work)}
                for year in sorted(years, key=lambda y: y or 0):
                    self._government[(series, number.group(2), year)].append(work)

    def resolve(self, mention: Mention, before: str = "") -> Resolution:
        """The work `mention` cites; `before` (the text just before it) can break a tie by naming one of them."""
        if mention.kind == "government":
            return self._resolve_government(mention)
        if mention.kind == "ibid":  # (the document says which: see document.py)
            return Resolution("unresolved")
        if mention.year is None:
            return self._pick(mention, self._named(mention, None), [], before)
        year = int(mention.year[:4])
        exact = self._named(mention, year)
        near = [w for y in (year - 1, year + 1) for w in self._named(mention, y)]
        if not exact and not near and len(mention.names) > 1:  # "Jensen & Weber" for Weber & Jensen
            reordered = [w for w in self._any_author(mention, year) if _count_fits(mention, w)]
            if len(reordered) == 1:
                return Resolution("resolved", _candidate(reordered[0], "the same authors in another order"))
            near = reordered
        return self._pick(mention, exact, near, before)

    def _any_author(self, mention: Mention, year: int) -> list[Work]:
        return [
            work
            for work, _ in self._by_year.get(year, [])
            if all(any(_same_name(n, p.family) >= NAME_SCORE for p in work.authors) for n in mention.names)
        ]

    def _named(self, mention: Mention, year: int | None) -> list[Work]:
        """Works of `year` whose first author is the first name written (or a shorter reading of it)."""
        for names in [mention.names, *mention.alternatives]:
            written = [fold(names[0])]
            if written[0].endswith("s") and len(written[0]) > 3:  # the genitive: "Borkmans (1976)"
                written.append(written[0][:-1])
            hits = [
                work
                for work, known in self._by_year.get(year, [])
                if any(_same_folded(w, k) >= NAME_SCORE for w in written for k in known)
            ]
            if hits:
                if names is not mention.names:
                    mention.names = names
                return hits
        return []

    def _pick(self, mention: Mention, exact: list[Work], near: list[Work], before: str = "") -> Resolution:
        pool = exact
        for test in (
            lambda w: _count_fits(mention, w),
            lambda w: _co_authors_fit(mention, w),
            lambda w: bool(mention.year and mention.year[-1].isalpha() and w.key.endswith(mention.year)),
        ):
            if len(pool) > 1:
                pool = [w for w in pool if test(w)] or pool
        if len(pool) == 1:
            return Resolution("resolved", _candidate(pool[0], "family name and year"))
        named = _named_last(pool, before)
        if named is not None:  # "«HelseOmsorg21» ... (Helse- og omsorgsdepartementet, 2015)"
            return Resolution("resolved", _candidate(named, "family name and year; its title is named just before"))
        if len(pool) > 1:
            return Resolution("ambiguous", None, [_candidate(w, "same name and year") for w in pool])
        return Resolution("unresolved", None, [_candidate(w, _why_near(mention, w)) for w in near])

    def _resolve_government(self, mention: Mention) -> Resolution:
        year = int(mention.year) if mention.year else None
        number = (mention.number or "").split()[0]
        exact = self._government.get((mention.series or "", number, year), [])
        if len(exact) == 1:
            return Resolution("resolved", _candidate(exact[0], "series, number and year"))
        if exact:
            return Resolution("ambiguous", None, [_candidate(w, "same series, number and year") for w in exact])
        near = [
            w
            for y in ((year - 1, year + 1) if year else ())
            for w in self._government.get((mention.series or "", number, y), [])
        ]
        return Resolution("unresolved", None, [_candidate(w, "year off by one") for w in near])


def _title_marks(work: Work) -> list[str]:
    """What names a work in running text: its series label ("prop 15 s") and the long words of its title."""
    title = fold(work.title or "")
    marks = [m.group(1) for m in [re.match(r"((?:meld st|st meld|prop|nou) \d+(?: [ls])?)\b", title)] if m]
    marks += [w for w in title.split() if len(w) >= 9 or (re.search(r"\d", w) and re.search(r"[a-z]{4}", w))]
    return marks


def _named_last(works: list[Work], before: str) -> Work | None:
    """The one work whose title or label stands last in `before` (the text just before a citation), if any."""
    text = fold(before)
    last: dict[str, int] = {}
    for work in works:
        positions = [text.rfind(mark) for mark in _title_marks(work)]
        if positions and max(positions) >= 0:
            last[work.key] = max(positions)
    if not last:
        return None
    best = max(last.values())
    winners = [w for w in works if last.get(w.key) == best]
    return winners[0] if len(winners) == 1 else None


def _session_years(work: Work) -> list[int]:
    """Both years of the session of a parliamentary paper ("Prop. 15 S (2015–2016)"), from number or title."""
    if not work.series_type:
        return []
    session = re.search(r"\((\d{4})\s*[-–/]\s*(\d{4})\)", f"{work.number or ''} {work.title or ''}")
    return [int(session.group(1)), int(session.group(2))] if session else []


def _why_near(mention: Mention, work: Work) -> str:
    return "authors in another order" if mention.year and work.year == int(mention.year[:4]) else "year off by one"


def _candidate(work: Work, reason: str) -> Candidate:
    people = work.authors or work.editors
    return Candidate(work.key, people[0].family if people else "", work.year, reason)
