"""site/gaps.html: the gaps of s4_analyse/gaps.py, kind by kind, each row with why and the claims and works
behind it (the first PAGE_ROWS of each kind: `litgraph gaps` lists them all)."""

from __future__ import annotations

from typing import Any

from litgraph.s4_analyse.gaps import KINDS, gap_of
from litgraph.s6_render.pages import SiteData

PAGE_ROWS = 200  # rows of each kind on the page
PAGE_MIN_CITED = 2  # works outside the bibliography shown when cited by at least this many works
TITLES = {
    "unanswered-dispute": "Disputes nobody answered",
    "one-sided-question": "Questions with one side only",
    "single-source-side": "Sides of contested questions resting on one work",
    "evidence-gap": "Themes without claims of an evidence type",
    "cited-not-in-bibliography": "Works cited, not in the bibliography",
}
EXPLAINED = {
    "unanswered-dispute": "A claim disputed by another, with no claim that replies or supports it.",
    "one-sided-question": "Every claim on the question takes the same side.",
    "single-source-side": "All the claims on this side of a contested question come from one work.",
    "evidence-gap": "The theme (narrower themes included) has claims, but none of this evidence type, which "
    "other claims of the project have.",
    "cited-not-in-bibliography": f"Cited by at least {PAGE_MIN_CITED} works of the project (from extracted "
    "citations and reference lists), but not in the bibliography: `litgraph gaps --format bibtex` writes them "
    "as a candidate .bib.",
}


def gaps_context(data: SiteData) -> dict[str, Any]:
    """The page's context: per kind, its title, its explanation, its first rows and how many there are; the
    rows of the claims and works they name, and the theme labels."""
    db = data.db
    sections = []
    claim_ids: set[str] = set()
    work_keys: set[str] = set()
    for kind in KINDS:
        where = "kind = ?" + (" AND json_extract(body, '$.details.cited_by') >= ?" if kind == KINDS[-1] else "")
        values: tuple[Any, ...] = (kind, PAGE_MIN_CITED) if kind == KINDS[-1] else (kind,)
        total = db.execute(f"SELECT count(*) FROM gaps WHERE {where}", values).fetchone()[0]
        rows = [gap_of(b) for (b,) in db.execute(f"SELECT body FROM gaps WHERE {where} ORDER BY rank LIMIT ?",
                                                   (*values, PAGE_ROWS))]  # fmt: skip
        for gap in rows:
            claim_ids.update(gap.claims)
            work_keys.update(gap.works)
        sections.append({"kind": kind, "title": TITLES[kind], "explained": EXPLAINED[kind], "rows": rows,
                         "total": total})  # fmt: skip
    claims = data.rows.claims(sorted(claim_ids))
    works = {k: w.citation for k, w in data.rows.works(sorted(work_keys)).items()}
    questions = {
        q.id: q.texts.get("en") or next(iter(q.texts.values()), q.id) for q in data.tables.questions().values()
    }
    return {"sections": sections, "claims": claims, "citations": works, "labels": data.labels, "questions": questions}
