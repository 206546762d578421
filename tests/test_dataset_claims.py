"""The bundled dataset's claims as data (issue 21): in English and Norwegian, saying what each work is cited
for, and linked to other claims only where a text sets one finding against or beside another, with a note
that says which text does it and where."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from litgraph import load, open_project
from litgraph.model import Claim, Dataset

NAMES_A_TEXT = re.compile(r"\bseeds? 00[0-4]\b", re.IGNORECASE)  # "Seed 001 (kap. 3, ...) sets ..."
SAYS_SAME_WORK = re.compile(r"\bsame (work|report|article|thesis)\b", re.IGNORECASE)
ONLY_CITED = re.compile(r"^(Cited|Listed)\b")
METHOD_SOURCES = {  # method books and papers the texts cite for how they did their study
    "tjora2021", "dalland2020", "kvale2015", "barbour1999", "hummelvoll2008", "borg2010", "karlsson2015",
    "finlay2011", "finlay2012", "hsieh2005",
}  # fmt: skip
GUESSED_DESIGNS = {  # works whose study type neither the texts nor a verified record show (issue 21)
    "vayshenker2016", "kvamme2014", "crane2016", "blindheimhansen2022", "rossen2021", "klevan2018",
    "zenga2018", "borg2018", "salzer2002", "skretting2023", "johansen2022",
}  # fmt: skip


@pytest.fixture(scope="module")
def data(bundled_copy: Path) -> Dataset:
    return load(open_project(bundled_copy)).data  # (a copy: no test writes into the repository)


@pytest.fixture(scope="module")
def claims(data: Dataset) -> dict[str, Claim]:
    return data.claims


def links(claims: dict[str, Claim], kind: str) -> list[tuple[Claim, Claim]]:
    return [(claim, claims[other]) for claim in claims.values() for other in getattr(claim, kind) if other in claims]


def test_every_claim_is_in_english_and_norwegian(claims: dict[str, Claim]) -> None:
    missing = [c.id for c in claims.values() if not {"en", "nb"} <= set(c.texts)]
    assert not missing, f"claims without both en and nb text: {missing[:5]}"
    same = [c.id for c in claims.values() if c.texts["en"].strip() == c.texts["nb"].strip()]
    assert not same, f"the nb text is the English one: {same[:5]}"


def test_no_claim_only_says_that_a_work_is_cited(claims: dict[str, Claim]) -> None:
    empty = [c.id for c in claims.values() for text in c.texts.values() if ONLY_CITED.match(text)]
    assert not empty, f"claims that say only that a work is cited or listed: {empty[:5]}"


def test_every_link_has_a_note_naming_the_text_that_grounds_it(claims: dict[str, Claim]) -> None:
    linked = [c for c in claims.values() if c.disputes or c.supports]
    assert linked
    without = [c.id for c in linked if not c.note]
    assert not without, f"disputes or supports without a note: {without}"
    unnamed = [c.id for c in linked if not NAMES_A_TEXT.search(c.note or "")]
    assert not unnamed, f"notes that name no seed text: {unnamed}"
    assert all(other in claims for c in linked for other in (*c.disputes, *c.supports))


def test_disputes_span_the_texts_and_some_links_cross_them(claims: dict[str, Claim]) -> None:
    disputes = links(claims, "disputes")
    assert len(disputes) >= 12, f"only {len(disputes)} disputes"
    files = {c.path.name for pair in disputes for c in pair}
    assert len(files) >= 3, f"disputes in {sorted(files)} only"
    crossing = [(a.id, b.id) for a, b in disputes + links(claims, "supports") if a.path != b.path]
    assert len(crossing) >= 3, f"links between claims of different texts: {crossing}"


def test_a_claim_disputes_its_own_work_only_where_the_note_says_why(claims: dict[str, Claim]) -> None:
    own = [(a, b) for a, b in links(claims, "disputes") if a.source == b.source]
    unexplained = [(a.id, b.id) for a, b in own if not SAYS_SAME_WORK.search(a.note or "")]
    assert not unexplained, f"a work disputes itself with no reason given: {unexplained}"


def test_questions_with_two_sides_have_claims_from_several_works(data: Dataset) -> None:
    stances: dict[str, set[str]] = defaultdict(set)
    works: dict[str, set[str]] = defaultdict(set)
    for claim in data.claims.values():
        if claim.question and claim.stance:
            stances[claim.question].add(claim.stance)
            works[claim.question].add(claim.source)
    assert set(stances) <= set(data.questions)
    two_sided = {q for q, sides in stances.items() if len(sides) >= 2}
    one_work = sorted(q for q in two_sided if len(works[q]) < 2)
    assert not one_work, f"questions whose sides all come from one work: {one_work}"
    assert len(two_sided) >= 6, f"two-sided questions: {sorted(two_sided)}"


def test_method_citations_are_not_filed_under_the_theme_knowledge(data: Dataset) -> None:
    method = [c for c in data.claims.values() if c.source in METHOD_SOURCES]
    assert len(method) >= len(METHOD_SOURCES)
    assert not [c.id for c in method if "knowledge" in c.themes]
    if "methodology" in data.themes:  # the theme scheme gains it in a change of its own
        assert not [c.id for c in method if "methodology" not in c.themes]
    on_knowledge = [c for c in data.claims.values() if "knowledge" in c.themes]
    assert not [c.id for c in on_knowledge if c.source in METHOD_SOURCES]


def test_no_study_type_is_guessed_for_works_whose_design_is_not_known(claims: dict[str, Claim]) -> None:
    guessed = [c.id for c in claims.values() if c.source in GUESSED_DESIGNS and c.evidence]
    assert not guessed, f"evidence types with nothing to show them: {guessed}"


def test_seed_000s_conclusion_on_burnout_and_relapse_has_its_claims(claims: dict[str, Claim]) -> None:
    burnout = [c for c in claims.values() if "burnout-relapse" in c.themes]
    assert len(burnout) >= 8
    conclusion = [c for c in burnout if c.source == "anon2023" and "Konklusjon" in (c.locator or "")]
    assert conclusion and conclusion[0].stance == "qualifies"
    assert "tilbakefall" in conclusion[0].texts["nb"] and "relapse" in conclusion[0].texts["en"]
