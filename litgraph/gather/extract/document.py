"""What a citation means given the document around it: the second pass of `litgraph extract`.

Each citation is first resolved on its own (resolution.py); then, in the document's order:

- "(ibid.)", "(ibid., s. 12)" is the citation just before it (one work: resolved to it; a bracket of several
  works: ambiguous, all listed; nothing resolved before it: unresolved);
- a citation that is ambiguous on its own, but written as an earlier one of the same document that was
  resolved (the same names, "et al." and year), resolves as that one did;
- in a group citing one author's works of several years, a year that fits two works is the one not cited
  beside it by its own year ("Gillard mfl. (2014, 2015, 2017)": 2015 is gillard2015, so 2014 is gillard2014);
- a secondary citation ("Borkman, 1976, sitert i Karlsson, 2021") records the work it was read in
  (`reported_in`, the term of the claims format), when that one is resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from litgraph.gather.extract.mentions import Mention
from litgraph.gather.extract.resolution import Candidate, Resolution
from litgraph.suggest import fold

if TYPE_CHECKING:
    from litgraph.gather.extract.extraction import Found

Signature = tuple[tuple[str, ...], bool, str | None]


def _signature(mention: Mention) -> Signature:
    return tuple(fold(n) for n in mention.names), mention.et_al, mention.year


def _group(text: str, mention: Mention) -> tuple[int, int]:
    """The citation group a mention stands in: its bracket (the '(' it stands in) or its own span."""
    if mention.kind == "parenthetical":
        return text.rfind("(", 0, mention.start + 1), -1
    return mention.start, mention.end


def _ibid(mention: Mention, before: Sequence[Found]) -> Resolution:
    before = [f for f in before if f.mention.read_in is None] or before  # (after "X, sitert i Y": Y, the one read)
    works = {f.resolution.work.key: f.resolution.work for f in before if f.resolution.work}
    line = f"line {before[-1].line}" if before else ""
    if len(works) == 1 and all(f.resolution.work for f in before):
        (work,) = works.values()
        return Resolution(
            "resolved", Candidate(work.key, work.family, work.year, f"ibid.: the citation just before ({line})")
        )
    if len(works) > 1:
        return Resolution("ambiguous", None, [Candidate(w.key, w.family, w.year, f"in the citation just before ({line})") for w in works.values()])  # fmt: skip
    return Resolution("unresolved")


def _as_before(found: Found, earlier: Found) -> Resolution | None:
    work = earlier.resolution.work
    if work is None or work.key not in {c.key for c in found.resolution.candidates}:
        return None
    return Resolution(
        "resolved", Candidate(work.key, work.family, work.year, f"as the same citation on line {earlier.line}")
    )


def _within_groups(text: str, found: list[Found]) -> None:
    """In "Gillard mfl. (2014, 2015, 2017)", a 2014 that fits gillard2014 and gillard2015 (online in 2014)
    is gillard2014: the other is cited beside it by its own year."""
    groups: dict[tuple[int, int], list[Found]] = {}
    for f in found:
        groups.setdefault(_group(text, f.mention), []).append(f)
    for members in groups.values():
        for f in members:
            if f.resolution.status != "ambiguous":
                continue
            others = {g.resolution.work.key for g in members if g is not f and g.resolution.work}
            rest = [c for c in f.resolution.candidates if c.key not in others]
            if len(rest) == 1 and others:
                why = "family name and year; the other work of that year is cited beside it"
                f.resolution = Resolution("resolved", Candidate(rest[0].key, rest[0].family, rest[0].year, why))


def in_document(text: str, found: list[Found]) -> list[Found]:
    """`found` (in the document's order), each resolved again where the document around it says more."""
    resolved: dict[Signature, Found] = {}
    last_group: list[Found] = []
    by_mention = {id(f.mention): f for f in found}
    _within_groups(text, found)
    for f in found:
        if f.mention.kind == "ibid":
            f.resolution = _ibid(f.mention, last_group)
            continue
        if f.resolution.status == "ambiguous" and _signature(f.mention) in resolved:
            f.resolution = _as_before(f, resolved[_signature(f.mention)]) or f.resolution
        if f.resolution.work is not None:
            resolved.setdefault(_signature(f.mention), f)
        if last_group and _group(text, last_group[-1].mention) == _group(text, f.mention):
            last_group.append(f)
        else:
            last_group = [f]
    for f in found:
        read_in = by_mention.get(id(f.mention.read_in)) if f.mention.read_in is not None else None
        if read_in is not None and read_in.resolution.work is not None:
            f.reported_in = read_in.resolution.work.key
    return found
