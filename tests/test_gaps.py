"""Stage: the gaps (s4_analyse/gaps.py, outside.py), `litgraph gaps` and site/gaps.html.

A purpose-made project holds exactly one gap of each kind, beside near misses of each (a dispute answered by
a reply, one answered by a support, a contested side resting on two works, a theme with every evidence type,
a work cited once, a cited work that is in the bibliography): gaps finds each gap and nothing else.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner

from litgraph import build, open_project
from litgraph.ask import gaps
from litgraph.cli.main import main
from litgraph.errors import NotFoundError
from litgraph.s1_read.citations import read_citations_text

from .conftest import MakeProject

BIB = "\n".join(
    f"@article{{{key}, author = {{{family}, Anne}}, title = {{Work {key}}}, journal = {{J}}, year = {year}}}"
    for key, family, year in [("a2001", "Aaland", 2001), ("b2002", "Berg", 2002), ("c2003", "Carlsen", 2003),
                              ("d2004", "Dahl", 2004), ("e2005", "Eide", 2005), ("f2006", "Fossum", 2006)]
)  # fmt: skip


def _claim(claim_id: str, source: str, theme: str, evidence: str, **more: str) -> str:
    lines = [f"  - id: {claim_id}", f"    source: {source}", f"    text: Claim {claim_id}.", "    lang: en",
             f"    themes: [{theme}]", f"    evidence: {evidence}"]  # fmt: skip
    return "\n".join(lines + [f"    {k}: {v}" for k, v in more.items()]) + "\n"


CLAIMS = "claims:\n" + "".join([
    # the one unanswered dispute: d-disputes-c disputes c-disputed; nothing replies to it or supports c-disputed
    _claim("c-disputed", "c2003", "trust", "survey"),
    _claim("d-disputes-c", "d2004", "trust", "qualitative-study", disputes="[c-disputed]"),
    # answered by a reply: each disputes the other
    _claim("a-reply-1", "a2001", "trust", "survey", disputes="[b-reply-2]"),
    _claim("b-reply-2", "b2002", "trust", "survey", disputes="[a-reply-1]"),
    # answered by a support on its side
    _claim("e-disputes-f", "e2005", "trust", "survey", disputes="[f-supported]"),
    _claim("f-supported", "f2006", "trust", "survey"),
    _claim("a-supports-f", "a2001", "trust", "survey", supports="[f-supported]"),
    # the one one-sided question: two claims, both for
    _claim("a-one", "a2001", "trust", "survey", question="q-one", stance="for"),
    _claim("b-one", "b2002", "trust", "survey", question="q-one", stance="for"),
    # a contested question: "for" from two works, "against" from one (the one single-source side)
    _claim("a-two", "a2001", "trust", "survey", question="q-two", stance="for"),
    _claim("b-two", "b2002", "trust", "survey", question="q-two", stance="for"),
    _claim("c-two", "c2003", "trust", "survey", question="q-two", stance="against"),
    _claim("c-two-again", "c2003", "trust", "survey", question="q-two", stance="against"),
    # the one evidence gap: boundary-setting has qualitative studies only (trust has both types)
    _claim("e-bounds", "e2005", "boundary-setting", "qualitative-study"),
])  # fmt: skip
QUESTIONS = """
questions:
  - id: q-one
    text: {en: Question one.}
    themes: [trust]
  - id: q-two
    text: {en: Question two.}
    themes: [trust]
  - id: q-none
    text: {en: A question no claim takes a side on.}
    themes: [trust]
"""
CITATIONS = """
citations:
  - citing: a2001
    cites: [b2002]
    cites_outside:
      - {author: Borg and Davidson, year: "2008", seen: "Borg & Davidson, 2008", title: On peers}
      - {author: Once, year: "1999"}
      - {author: Berg, year: "2002"}
  - citing: b2002
    cites_outside:
      - {author: "Borg and others", year: "2008a", seen: "Borg et al., 2008a"}
      - {author: Berg and Other, year: "2002"}
      - {openalex: W123}
"""
FILES = {"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS, "bibliography/questions.yaml": QUESTIONS,
         "bibliography/citations/by-hand.yaml": CITATIONS}  # fmt: skip
EXPECTED = [
    ("unanswered-dispute", "c-disputed<d-disputes-c"),
    ("one-sided-question", "q-one"),
    ("single-source-side", "q-two/against"),
    ("evidence-gap", "boundary-setting/survey"),
    ("cited-not-in-bibliography", "borg|2008"),
]


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    root = make_project(FILES)
    build(open_project(root))
    return root


def test_each_kind_of_gap_is_found_once_and_nothing_else(project: Path) -> None:
    found = gaps(open_project(project))
    assert [(g.kind, g.subject) for g in found] == EXPECTED
    by_kind = {g.kind: g for g in found}
    assert by_kind["unanswered-dispute"].claims == ["c-disputed", "d-disputes-c"]
    assert by_kind["unanswered-dispute"].works == ["c2003", "d2004"]
    assert "no claim replies to d-disputes-c or supports c-disputed" in by_kind["unanswered-dispute"].why
    assert by_kind["one-sided-question"].claims == ["a-one", "b-one"]
    assert by_kind["single-source-side"].claims == ["c-two", "c-two-again"]
    assert by_kind["single-source-side"].works == ["c2003"]
    assert by_kind["evidence-gap"].details == {"theme": "boundary-setting", "evidence": "survey",
                                                "has": ["qualitative-study"]}  # fmt: skip
    cited = by_kind["cited-not-in-bibliography"]
    assert cited.works == ["a2001", "b2002"]
    assert cited.details["cited_by"] == 2 and cited.details["key"] == "borg2008"
    assert cited.details["fields"] == {"author": "Borg and Davidson", "title": "On peers", "year": "2008"}


def test_min_cited_and_kinds_and_evidence_filter(project: Path) -> None:
    loaded = open_project(project)
    once = [g.subject for g in gaps(loaded, ["cited-not-in-bibliography"], min_cited=1)]
    assert once == ["borg|2008", "once|1999", "openalex:W123"]  # (Berg 2002 is in the bibliography: b2002)
    assert gaps(loaded, ["evidence-gap"], evidence="qualitative-study") == []
    assert len(gaps(loaded, ["evidence-gap"], evidence="survey")) == 1
    with pytest.raises(NotFoundError, match="qualitative-study"):
        gaps(loaded, evidence="qualitative-studie")


def test_the_cli_lists_writes_json_csv_and_a_candidate_bib(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["gaps", "--project", str(project), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [(g["kind"], g["subject"]) for g in json.loads(result.output)] == EXPECTED
    result = runner.invoke(main, ["gaps", "--project", str(project), "--format", "csv", "-k", "one-sided-question"])
    assert result.output.splitlines()[1].startswith("one-sided-question,q-one,every claim on q-one")
    result = runner.invoke(main, ["gaps", "--project", str(project), "--format", "bibtex", "--min-cited", "1"])
    assert result.exit_code == 0, result.output
    library = bibtexparser.parse_string(result.output)
    assert not library.failed_blocks
    entries = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert entries == {"borg2008": {"author": "Borg and Davidson", "title": "On peers", "year": "2008"},
                       "once1999": {"author": "Once", "year": "1999"},
                       "openalexw123": {"url": "https://openalex.org/W123"}}  # fmt: skip
    assert "% cited by 2 works of the project (a2001, b2002)" in result.output


def test_no_gap_is_an_empty_list_and_exit_0(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": "claims:\n" + _claim("x", "a2001", "trust", "survey")})  # fmt: skip
    result = CliRunner().invoke(main, ["gaps", "--project", str(root), "--format", "json"])
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    result = CliRunner().invoke(main, ["gaps", "--project", str(root), "--format", "bibtex"])
    assert (result.exit_code, result.stdout) == (0, "")


class _Rows(HTMLParser):
    """The gap rows of gaps.html (kind, subject) and the links in each."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str]] = []
        self.links: dict[tuple[str, str], list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li" and found.get("class") == "gap":
            self.rows.append((found["data-kind"] or "", found["data-subject"] or ""))
            self.links[self.rows[-1]] = []
        elif tag == "a" and self.rows:
            self.links[self.rows[-1]].append(found.get("href") or "")


def test_the_page_shows_each_gap_with_links_to_what_is_behind_it(project: Path) -> None:
    parsed = _Rows()
    parsed.feed((project / "site" / "gaps.html").read_text(encoding="utf-8"))
    assert parsed.rows == EXPECTED  # (of the works outside the bibliography, those cited by 2 or more)
    assert parsed.links[EXPECTED[4]] == ["works/a2001.html", "works/b2002.html"]
    assert "index.html#claim=d-disputes-c" in parsed.links[EXPECTED[0]]
    assert "works/c2003.html" in parsed.links[EXPECTED[0]]
    assert "themes/boundary-setting.html" in parsed.links[EXPECTED[3]]
    for href in {h for links in parsed.links.values() for h in links if not h.startswith(("index.html", "https:"))}:
        assert (project / "site" / href).is_file(), href


def test_a_citation_file_with_a_bad_cites_outside_says_where(make_project: MakeProject) -> None:
    text = "citations:\n  - citing: a2001\n    cites_outside:\n      - {author: X, pages: '3'}\n      - just text\n"
    result = read_citations_text(Path("c.yaml"), text)
    assert [(p.line, p.message) for p in result.problems] == [
        (4, "unknown field 'pages' in 'cites_outside'"),
        (3, "each item of 'cites_outside' must be a mapping"),
    ]


def test_the_bundled_dataset_shows_its_disputes_and_its_uncited_reference(bundled) -> None:  # type: ignore[no-untyped-def]
    root, _ = bundled
    found = gaps(open_project(root), min_cited=1)
    kinds = {g.kind for g in found}
    assert kinds == {"unanswered-dispute", "one-sided-question", "single-source-side", "evidence-gap",
                     "cited-not-in-bibliography"}  # fmt: skip
    outside = [g for g in found if g.kind == "cited-not-in-bibliography"]
    assert [(g.details["fields"]["author"], g.works) for g in outside] == [("Kilpatrick and others", ["akerblom2020"])]
    page = (root / "site" / "gaps.html").read_text(encoding="utf-8")
    assert re.search(r'data-kind="unanswered-dispute" data-subject="[^"]+"', page)


def test_extract_records_the_works_it_cannot_find_and_gaps_counts_them(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB})
    for citing, name in (("a2001", "one.txt"), ("b2002", "two.txt")):
        document = root / name
        document.write_text(
            f"As shown (Berg, 2002; Mead & Hilton, 2003), and (Nobody, 2019). {citing}\n", encoding="utf-8"
        )
        result = CliRunner().invoke(main, ["extract", str(document), "--as", citing, "-p", str(root), "-f", "json"])
        assert result.exit_code == 0, result.output
    written = (root / "bibliography" / "citations" / "extracted-a2001.yaml").read_text(encoding="utf-8")
    assert "cites: [b2002]" in written
    assert "{author: Mead and Hilton, year: '2003', seen: 'Mead & Hilton, 2003'}" in written
    found = gaps(open_project(root), ["cited-not-in-bibliography"])
    assert [(g.subject, g.works, g.details["fields"]) for g in found] == [
        ("mead|2003", ["a2001", "b2002"], {"author": "Mead and Hilton", "year": "2003"}),
        ("nobody|2019", ["a2001", "b2002"], {"author": "Nobody", "year": "2019"}),
    ]
