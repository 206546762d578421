"""The bundled dataset: the literature of the five texts, built end to end, with facts checked."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
import rdflib
from click.testing import CliRunner

from litgraph import BuildSummary, LoadResult, Project, claims, contested, load, open_project, reading_list, sources
from litgraph.cli.main import main

from .conftest import REPO, SEEDS

Bundled = tuple[Path, BuildSummary]


@pytest.fixture(scope="module")
def graph(bundled: Bundled) -> Project:
    """The bundled dataset, built (its store answers the questions)."""
    root, _ = bundled
    return open_project(root)


@pytest.fixture(scope="module")
def loaded(bundled_copy: Path) -> LoadResult:
    """The bundled dataset, read (from a copy: no test writes into the repository)."""
    return load(open_project(bundled_copy))


def test_validate_is_clean(loaded: LoadResult) -> None:
    assert [str(p) for p in loaded.errors] == []


def test_counts(bundled: Bundled) -> None:
    _, summary = bundled
    assert summary.works >= 130
    assert summary.claims >= 150
    assert summary.disputes >= 10


def test_most_claims_have_a_locator_theme_and_evidence(loaded: LoadResult) -> None:
    data = loaded.data
    claims = list(data.claims.values())
    assert sum(1 for c in claims if c.locator) >= 0.9 * len(claims)
    assert all(1 <= len(c.themes) <= 3 for c in claims)
    assert sum(1 for c in claims if c.evidence) >= 0.5 * len(claims)  # (only where a text or record shows the design)


def test_the_five_texts_are_works_of_their_own(loaded: LoadResult) -> None:
    works = loaded.data.works
    seeds = {w.extra.get("seedfile"): key for key, w in works.items() if w.extra.get("seedfile")}
    assert set(seeds) == {p.name for p in SEEDS.glob("*.txt")} if SEEDS.exists() else len(seeds) == 5
    assert seeds["003_b8fcb56b8d2a955f.txt"] == "karlsson2017"
    karlsson = works["karlsson2017"]
    assert [p.family for p in karlsson.authors] == ["Karlsson", "Borg", "Ogundipe", "Sjåfjell", "Bjørlykhaug"]
    assert karlsson.year == 2017


def test_norwegian_letters_are_restored(loaded: LoadResult) -> None:
    works = loaded.data.works
    families = {p.family for w in works.values() for p in w.authors}
    assert {"Åkerblom", "Sjåfjell", "Bjørlykhaug"} <= families
    assert not families & {"Akerblom", "Sjafjell", "Bjarlykhaug", "Bjgrlykhaug"}


def test_seed_001_cites_karlsson_2017(bundled: Bundled) -> None:
    root, _ = bundled
    graph = rdflib.Graph().parse(root / "site" / "graph.ttl")
    base = "https://w3id.org/litgraph/peer-support/work/"
    cites = rdflib.URIRef("http://purl.org/spar/cito/cites")
    assert (rdflib.URIRef(base + "akerblom2020"), cites, rdflib.URIRef(base + "karlsson2017")) in graph


def test_boundary_setting_sources(graph: Project) -> None:
    keys = {w.key for w in sources(graph, "grensesetting").works}
    assert {"repper2011", "gidugu2015"} <= keys
    assert keys == {w.key for w in sources(graph, "boundary-setting").works}


def test_the_anonymous_thesis_is_cited_by_its_kind_not_its_key(graph: Project) -> None:
    read_in = {c.reported_in_citation for w in sources(graph, "boundary-setting").works for c in w.claims}
    assert "Bacheloroppgave 2023" in read_in
    assert not any(c and c.startswith("anon2023") for c in read_in)


def test_kilpatrick_is_contested_with_the_works_on_the_other_side(graph: Project) -> None:
    for group in contested(graph, limit=None):
        sides = [{c.source for c in side.claims} for side in group.sides]
        with_kilpatrick = [s for s in sides if "kilpatrick2017" in s]
        if with_kilpatrick:
            others = set().union(*(s for s in sides if "kilpatrick2017" not in s))
            if others & {"bassuk2016", "myrick2016", "bellamy2017"}:
                return
    pytest.fail("no dispute sets Kilpatrick et al. 2017 against Bassuk, Myrick or Bellamy")


def test_reading_list_on_user_participation_has_both_sides_and_a_valid_bib(graph: Project, bundled: Bundled) -> None:
    result = reading_list(graph, ["user participation"], limit=8)
    assert len(result.items) == 8
    keys = {i.key for i in result.items}
    disputes = contested(graph, "user-participation")
    assert any(all({c.source for c in side.claims} & keys for side in g.sides) for g in disputes)
    root, _ = bundled
    out = CliRunner().invoke(main, ["reading-list", "brukermedvirkning", "-p", str(root), "-f", "bibtex"])
    library = bibtexparser.parse_string(out.stdout)
    assert not library.failed_blocks and len(library.entries) == 8


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.lower())
    return re.findall(r"[a-z]+", "".join(c for c in text if not unicodedata.combining(c)))


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the checkout")
def test_no_sentence_of_the_source_texts_is_copied() -> None:
    n, seen = 12, set()
    for seed in SEEDS.glob("*.txt"):
        words = _words(seed.read_text(encoding="utf-8", errors="replace"))
        seen.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    for path in [*REPO.glob("bibliography/**/*.yaml"), *REPO.glob("bibliography/*.bib")]:
        words = _words(path.read_text(encoding="utf-8"))
        copied = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1) if " ".join(words[i : i + n]) in seen]
        assert not copied, f"{path.name} repeats the source texts: {copied[:2]}"


def test_every_text_has_claims_read_in_it_and_of_its_own(loaded: LoadResult) -> None:
    data = loaded.data
    texts = [key for key, work in data.works.items() if work.extra.get("seedfile")]
    for key in texts:
        assert sum(1 for c in data.claims.values() if c.source == key) >= 5, f"{key}: few findings of its own"
    read_in = {c.reported_in for c in data.claims.values()}
    assert set(texts) - {"uprgamleoslo2016"} <= read_in  # seed 004 cites few works; its claims are mostly its own
    upr = [c for c in data.claims.values() if c.source == "uprgamleoslo2016"]
    assert any("temporary-posts" in c.themes for c in upr)


def test_nearly_every_cited_work_is_characterised_by_a_claim(loaded: LoadResult) -> None:
    """Only works the texts merely point to (a web address, a "jf.") have no claim of their own."""
    data = loaded.data
    without = {key for key in data.works if not any(c.source == key for c in data.claims.values())}
    assert without == {"factgamleoslo_ud", "schwencke2017"}


def test_questions_are_contested_where_the_texts_give_two_sides_and_one_sided_otherwise(
    graph: Project, loaded: LoadResult
) -> None:
    """A question is contested where claims of several works take two sides; a question the texts answer one
    way only is no contest: validate warns of it, and `contested` lists it as one-sided."""
    from litgraph.ask import one_sided

    questions = {g.id: g for g in contested(graph, limit=None) if g.kind == "question"}
    single = one_sided(graph)
    assert len(questions) >= 6 and set(questions) | set(single) == set(loaded.data.questions)
    assert not set(questions) & set(single)
    warned = {p.message.split("'")[1] for p in loaded.problems if "is answered one way only" in p.message}
    assert warned == set(single)
    voice = {s.stance: {c.source for c in s.claims} for s in questions["peers-carry-the-user-voice"].sides}
    assert "anon2023" in voice["qualifies"] and "helsedirektoratet2014" in voice["for"]
    alibi = {s.stance: {c.source for c in s.claims} for s in questions["employment-is-participation"].sides}
    assert "hammer2020" in alibi["against"] and "akerblom2021" in alibi["for"]
    result = CliRunner().invoke(main, ["contested", "-p", str(graph.root), "--lang", "nb"])
    assert result.exit_code == 0 and "one-sided (answered one way only, so not contested): " in result.stderr
    assert " mot:" in result.stdout or " for:" in result.stdout


def test_untitled_works_say_so_in_their_reference(loaded: LoadResult) -> None:
    works = loaded.data.works
    assert works["anon2023"].reference.startswith("Bacheloroppgave (2023). [Untitled: ")
    assert not [k for k, w in works.items() if "“”" in w.reference]


def test_the_handout_names_where_each_claim_was_read_and_each_side_once(graph: Project) -> None:
    from litgraph.s4_analyse.reading_list import handout

    result = reading_list(graph, ["user participation"], limit=8)
    text = handout(result, "Reading list")
    assert "None" not in text and "anon2023" not in text and ".." not in text
    assert "(Karlsson et al. 2017, sec. " in text
    for item in result.items:
        questions = re.findall(r"side[s]? on: ([^;]+)", item.reason)
        assert len(questions) == len(set(questions)), item.reason


def test_build_stores_each_cited_works_importance(graph: Project) -> None:
    from litgraph.ask import reading

    with reading(graph) as reader:
        ranks = reader.importance(reader.all_work_keys())
    assert max(ranks.values()) == 1.0
    assert sum(1 for r in ranks.values() if r > 0) > 50  # every cited work has its figure
    assert ranks["repper2011"] > ranks["anon2023"]  # cited by five texts / cited by none


def test_precomputed_ranking_matches_a_live_count(graph: Project, loaded: LoadResult) -> None:
    """`sources` reads rankings made at build time; they must equal what the claims say."""

    def ranking(result: object) -> list[tuple[str, int, int]]:
        return [(w.key, len(w.claims), w.cited_by) for w in result.works]  # type: ignore[attr-defined]

    leaf = sources(graph, "boundary-setting")  # no narrower themes: the live (--exact) count must agree
    assert ranking(leaf) == ranking(sources(graph, "boundary-setting", exact=True))
    assert leaf.total_works == len(leaf.works)
    broad = sources(graph, "relationship")
    data = loaded.data
    subtree = set(broad.themes)
    expected: dict[str, int] = {}
    for claim in data.claims.values():
        if subtree & set(claim.themes):
            expected[claim.source] = expected.get(claim.source, 0) + 1
    assert {w.key: len(w.claims) for w in broad.works} == expected
    assert broad.total_works == len(expected)
    counts = [len(w.claims) for w in broad.works]
    assert counts == sorted(counts, reverse=True)


def test_sources_give_what_the_claims_query_gives(graph: Project) -> None:
    """The same claims with the same fields from `sources` and from `claims --source K --theme T`, for every
    work on several themes, exact or not."""
    for theme in ("boundary-setting", "user-participation", "relationship", "stigma", "tokenism"):
        for exact in (False, True):
            found = sources(graph, theme, exact=exact)
            assert found.works or exact, theme
            for work in found.works:
                rows = claims(graph, source=work.key, theme=theme, exact=exact)
                assert work.claims == rows and rows, (theme, exact, work.key)


def test_the_stored_rows_are_the_rows_of_the_inputs(graph: Project) -> None:
    """One shape each: the rows the store gives are work_row and claim_row of the loaded inputs."""
    from litgraph.ask import reading
    from litgraph.s4_analyse.rows import claim_row, work_row

    data = load(graph).data
    with reading(graph) as reader:
        assert reader.works(sorted(data.works)) == {k: work_row(w) for k, w in sorted(data.works.items())}
        rows = {k: work_row(w) for k, w in data.works.items()}
        assert reader.claims(sorted(data.claims)) == {i: claim_row(c, rows) for i, c in sorted(data.claims.items())}


def test_contested_groups_by_limit_and_theme_are_slices_of_the_whole_ranking(graph: Project) -> None:
    everything = contested(graph, limit=None)
    assert len(everything) > 12 and {g.kind for g in everything} == {"question", "dispute"}
    for limit in (1, 4, 5, 9, len(everything) + 3):
        assert contested(graph, limit=limit) == everything[:limit]
    for theme in ("user-participation", "tokenism", "boundary-setting", "stigma"):
        on_theme = contested(graph, theme, limit=None)
        assert [g.id for g in on_theme] == [g.id for g in everything if g in on_theme]
        assert contested(graph, theme, limit=2) == on_theme[:2]
    assert contested(graph, "user-participation")  # the theme of issue 3's disputes
