"""What the graph knows that nobody wrote down: the gaps `litgraph gaps` lists and site/gaps.html shows.

Five kinds, each a row that says why it is a gap and names the claims (and works) behind it:

- `unanswered-dispute`: a claim disputed by another, with no reply (no claim disputes the disputing one)
  and no support on its side (no claim supports the disputed one);
- `one-sided-question`: a question whose claims all take the same stance;
- `single-source-side`: a side of a contested question whose claims all come from one work;
- `evidence-gap`: a theme with claims (narrower themes included) but none of an evidence type that other
  claims of the project have;
- `cited-not-in-bibliography`: a work cited by works of the project (citation files' `cites_outside`, from
  `extract` and `enrich --citations`) that is not in the bibliography (s4_analyse/outside.py).

They are worked out again, all at once, when an edit can change them (see `_reached`); the rows are kept in
the state (`gaps`), in a fixed order, for the command and the page.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from litgraph.plumbing.statedb import rows_in
from litgraph.s4_analyse import outside

if TYPE_CHECKING:  # (the CLI imports KINDS: a query command loads no reader)
    from litgraph.s1_read.changes import Changes

KINDS = (
    "unanswered-dispute",
    "one-sided-question",
    "single-source-side",
    "evidence-gap",
    "cited-not-in-bibliography",
)
TABLES = (
    # the evidence types that claims on each theme (itself, not narrower) have
    "CREATE TABLE IF NOT EXISTS theme_evidence(theme TEXT NOT NULL, evidence TEXT NOT NULL, PRIMARY KEY(theme, evidence))",
    # rank: a gap's place among those of its kind (a number; for unanswered disputes "disputed<TAB>disputing",
    # which sorts as they do, so that a dispute added or answered leaves the others' ranks as they were)
    """CREATE TABLE IF NOT EXISTS gaps(kind TEXT NOT NULL, subject TEXT NOT NULL, rank NOT NULL,
       body TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS gaps_kind ON gaps(kind, subject)",
)


@dataclass(frozen=True)
class Gap:
    """One gap: its kind, what it is about (a claim, question, side, theme or cited work), why it is a gap,
    and the claims and works behind it; `details` by kind (the stance, the evidence type, a cited work's
    fields and how many works cite it)."""

    kind: str
    subject: str
    why: str
    claims: list[str] = field(default_factory=list)
    works: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return dict(vars(self))


def gap_of(body: str | bytes) -> Gap:
    return Gap(**orjson.loads(body))


def unanswered_disputes(db: sqlite3.Connection, claims: list[str] | None = None) -> list[Gap]:
    """Each `disputes` link whose disputed claim has neither a reply nor a supporting claim (of the links
    from or to these `claims`; all: None)."""
    query = (
        "SELECT l.id, l.other, a.source, b.source FROM claim_links l JOIN claims a ON a.id = l.id "
        "JOIN claims b ON b.id = l.other WHERE l.kind = 'disputes' "
        "AND NOT EXISTS (SELECT 1 FROM claim_links r WHERE r.id = l.other AND r.other = l.id AND r.kind = 'disputes') "
        "AND NOT EXISTS (SELECT 1 FROM claim_links s WHERE s.other = l.other AND s.kind = 'supports') "
    )
    if claims is None:
        rows = db.execute(query + "ORDER BY l.other, l.id").fetchall()
    else:
        rows = sorted(
            set(rows_in(db, query + "AND (l.id IN {in} OR l.other IN {in})", claims)), key=lambda r: (r[1], r[0])
        )
    return [
        Gap("unanswered-dispute", f"{disputed}<{disputing}",
            f"{disputed} is disputed by {disputing}, and no claim replies to {disputing} or supports {disputed}",
            [disputed, disputing], sorted({disputed_source, disputing_source}),
            {"disputed": disputed, "disputing": disputing})
        for disputing, disputed, disputing_source, disputed_source in rows
    ]  # fmt: skip


def _stances(db: sqlite3.Connection) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """question -> stance -> [(claim, source)], sorted."""
    found: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    query = ("SELECT question, stance, id, source FROM claims INDEXED BY claims_question "  # (SQLite would read all)
             "WHERE question IS NOT NULL AND stance IS NOT NULL")  # fmt: skip
    for question, stance, claim_id, source in sorted(db.execute(query), key=lambda row: row[2]):  # (by id)
        found[question][stance].append((claim_id, source))
    return found


def one_sided_questions(stances: dict[str, dict[str, list[tuple[str, str]]]]) -> list[Gap]:
    gaps = []
    for question in sorted(stances):
        sides = stances[question]
        if len(sides) != 1:
            continue
        (stance, claims), = sides.items()  # fmt: skip
        gaps.append(Gap("one-sided-question", question,
                        f"every claim on {question} takes the side '{stance}': no claim takes another",
                        [c for c, _ in claims], sorted({s for _, s in claims}), {"stance": stance}))  # fmt: skip
    return gaps


def single_source_sides(stances: dict[str, dict[str, list[tuple[str, str]]]]) -> list[Gap]:
    """The sides of contested questions (two stances or more, from two works or more) resting on one work."""
    gaps = []
    for question in sorted(stances):
        sides = stances[question]
        if len(sides) < 2 or len({s for claims in sides.values() for _, s in claims}) < 2:
            continue
        for stance in sorted(sides):
            sources = sorted({s for _, s in sides[stance]})
            if len(sources) == 1:
                gaps.append(Gap("single-source-side", f"{question}/{stance}",
                                f"the side '{stance}' of the contested question {question} rests on one work, {sources[0]}",
                                [c for c, _ in sides[stance]], sources, {"question": question, "stance": stance}))  # fmt: skip
    return gaps


def count_evidence(db: sqlite3.Connection, changes: Changes) -> None:
    """theme_evidence brought up to date: found anew where everything or the themes changed, else only for
    the (theme, evidence type) pairs of the claims changed, as they are (a claim has them) and were (whether
    another claim has it: one look-up)."""
    if changes.everything or changes.settings or changes.themes:
        db.execute("DELETE FROM theme_evidence")
        db.execute("INSERT INTO theme_evidence SELECT DISTINCT t.theme, c.evidence FROM claim_themes t "
                   "JOIN claims c ON c.id = t.id WHERE t.theme IS NOT NULL AND c.evidence IS NOT NULL")  # fmt: skip
        return
    pairs = {(theme, claim.evidence) for claim in changes.claim_sides() if claim.evidence for theme in claim.themes}
    now = {(theme, after.evidence) for _, after in changes.claims.values() if after and after.evidence
           for theme in after.themes}  # fmt: skip
    db.executemany("INSERT OR IGNORE INTO theme_evidence VALUES (?, ?)", sorted(now))  # (a claim has it now)
    for theme, evidence in sorted(pairs - now):
        found = db.execute("SELECT 1 FROM claim_themes t JOIN claims c ON c.id = t.id WHERE t.theme = ? "
                           "AND c.evidence = ? LIMIT 1", (theme, evidence)).fetchone()  # fmt: skip
        if found:
            db.execute("INSERT OR IGNORE INTO theme_evidence VALUES (?, ?)", (theme, evidence))
        else:
            db.execute("DELETE FROM theme_evidence WHERE theme = ? AND evidence = ?", (theme, evidence))


def evidence_gaps(db: sqlite3.Connection) -> list[Gap]:
    """For each theme with claims (narrower included): the evidence types of the project it has none of."""
    pairs = db.execute("SELECT theme, evidence FROM theme_evidence").fetchall()
    ancestors: dict[str, set[str]] = defaultdict(set)
    for theme, ancestor in db.execute("SELECT theme, ancestor FROM theme_closure"):
        ancestors[theme].add(ancestor)
    covered: dict[str, set[str]] = {
        t: set() for (t,) in db.execute("SELECT theme FROM theme_counts WHERE claims_with_narrower > 0")
    }
    for theme, evidence in pairs:
        for above in ancestors.get(theme, set()) | {theme}:
            covered.setdefault(above, set()).add(evidence)
    used = sorted({e for _, e in pairs})
    gaps = []
    for theme in sorted(covered):
        for evidence in used:
            if evidence not in covered[theme]:
                gaps.append(Gap("evidence-gap", f"{theme}/{evidence}",
                                f"no claim on {theme} (narrower themes included) has the evidence type {evidence}, "
                                f"which other claims of the project have", [], [],
                                {"theme": theme, "evidence": evidence, "has": sorted(covered[theme])}))  # fmt: skip
    return gaps


def gaps_of(db: sqlite3.Connection, kinds: set[str]) -> list[Gap]:
    """The gaps of these kinds, in KINDS order, each kind in the order of its subjects."""
    stances = _stances(db) if kinds & {"one-sided-question", "single-source-side"} else {}
    makers = {
        "unanswered-dispute": lambda: unanswered_disputes(db),
        "one-sided-question": lambda: one_sided_questions(stances),
        "single-source-side": lambda: single_source_sides(stances),
        "evidence-gap": lambda: evidence_gaps(db),
        "cited-not-in-bibliography": lambda: outside.cited_outside(db),
    }
    return [gap for kind in KINDS if kind in kinds for gap in makers[kind]()]


_CLAIM_FIELDS = ("source", "themes", "evidence", "disputes", "supports", "question", "stance")
_OF_CLAIMS = set(KINDS[:3])


def _reached(changes: Changes) -> set[str]:
    """The kinds of gap an edit can change: those of claims, where it changed anything but a claim's own
    words; the works cited outside the bibliography, where it changed a citation file or a work."""
    if changes.everything or changes.settings or changes.themes or changes.vocabulary:
        return set(KINDS)
    kinds = set(_OF_CLAIMS) if changes.questions else set()
    if changes.citations or changes.works:
        kinds.add("cited-not-in-bibliography")
    for before, after in changes.claims.values():
        if before is None or after is None or (before.themes, before.evidence) != (after.themes, after.evidence):
            kinds.add("evidence-gap")
        if before is None or after is None or any(getattr(before, f) != getattr(after, f) for f in _CLAIM_FIELDS):
            kinds |= _OF_CLAIMS
    return kinds


def update_gaps(db: sqlite3.Connection, changes: Changes) -> bool:
    """The gaps worked out again where an edit can change them; whether they changed."""
    kinds = _reached(changes)
    if not kinds:
        return False
    if "evidence-gap" in kinds:
        count_evidence(db, changes)
    changed = False
    around = _disputes_reached(changes)
    if "unanswered-dispute" in kinds and around is not None:
        kinds = kinds - {"unanswered-dispute"}
        changed = _update_unanswered(db, around)
    if not kinds:
        return changed
    before = rows_in(db, "SELECT kind, subject, rank, body FROM gaps WHERE kind IN {in}", sorted(kinds))
    rank: dict[str, int] = defaultdict(int)
    now = []
    for gap in gaps_of(db, kinds):
        now.append(_gap_row(gap, rank[gap.kind]))
        rank[gap.kind] += 1
    if sorted(before) == sorted(now):
        return changed
    rows_in(db, "DELETE FROM gaps WHERE kind IN {in}", sorted(kinds))
    db.executemany("INSERT INTO gaps VALUES (?, ?, ?, ?)", now)
    return True


def _gap_row(gap: Gap, rank: int) -> tuple[str, str, int | str, str]:
    if gap.kind == "unanswered-dispute":
        return gap.kind, gap.subject, f"{gap.details['disputed']}\t{gap.details['disputing']}", _body(gap)
    return gap.kind, gap.subject, rank, _body(gap)


def _body(gap: Gap) -> str:
    return orjson.dumps(gap.json()).decode("utf-8")


def _disputes_reached(changes: Changes) -> list[str] | None:
    """The claims whose disputes links (from or to them) an edit can leave answered or not (None: all): the
    claims it changed, and those they support (as they were and are)."""
    if changes.everything or changes.settings or changes.themes or changes.vocabulary or changes.questions:
        return None
    found = set(changes.claims) | {s for claim in changes.claim_sides() for s in claim.supports}
    return sorted(found) if len(found) <= CLAIMS_AT_ONCE else None


CLAIMS_AT_ONCE = 2000  # an edit reaching more claims than this has the unanswered disputes all worked out again


def _update_unanswered(db: sqlite3.Connection, claims: list[str]) -> bool:
    """The unanswered disputes from or to these claims worked out again; whether they changed."""
    reached = set(claims)
    ranks = db.execute("SELECT subject, rank FROM gaps WHERE kind = 'unanswered-dispute'").fetchall()
    subjects = [subject for subject, rank in ranks if not reached.isdisjoint(rank.split("\t"))]
    query = "SELECT subject, rank, body FROM gaps WHERE kind = 'unanswered-dispute' AND subject IN {in}"
    before = set(rows_in(db, query, subjects))
    now = {_gap_row(gap, 0)[1:] for gap in unanswered_disputes(db, claims)}
    if before == now:
        return False
    db.executemany("DELETE FROM gaps WHERE kind = 'unanswered-dispute' AND subject = ?", [(s,) for s, _, _ in before])
    db.executemany("INSERT INTO gaps VALUES ('unanswered-dispute', ?, ?, ?)", sorted(now))
    return True


def recorded_gaps(db: sqlite3.Connection, kinds: list[str] | None = None) -> list[Gap]:
    """The gaps as the last analysis recorded them (of `kinds`, or all), in KINDS order."""
    rows = db.execute("SELECT kind, rank, body FROM gaps").fetchall()
    rows.sort(key=lambda r: (KINDS.index(r[0]), r[1]))
    return [gap_of(body) for kind, _, body in rows if kinds is None or kind in kinds]
