"""Stage: the ontology files (theme scheme, vocabulary, shapes)."""

from __future__ import annotations

from pathlib import Path

from litgraph.project import packaged_data
from litgraph.s1_read.ontology import read_ontology, read_themes
from litgraph.s1_read.theme_names import ThemeLookup

from .conftest import REPO, dedent


def test_bundled_theme_scheme_is_bilingual_two_level_and_large_enough() -> None:
    result = read_ontology(REPO / "ontology" / "themes.ttl", REPO / "ontology" / "litgraph.ttl")
    assert not result.problems
    themes = result.themes
    assert len(themes) >= 20
    for theme in themes.values():
        assert theme.labels.keys() >= {"nb", "en"} and theme.definitions.keys() >= {"nb", "en"}
        assert theme.alt_labels, theme.id
        for parent in theme.broader:
            assert not themes[parent].broader, "the scheme has two levels"
    assert themes["boundary-setting"].labels["nb"] == "Grensesetting"
    assert themes["boundary-setting"].broader == ["relationship"]
    assert {"literature-review", "qualitative-study", "policy-document"} <= result.evidence_types.keys()


def test_packaged_ontology_matches_the_repository_copy() -> None:
    for path in (REPO / "ontology").glob("*.ttl"):
        assert (packaged_data() / "ontology" / path.name).read_bytes() == path.read_bytes(), path.name


def test_theme_lookup_forgives_case_diacritics_and_hyphens() -> None:
    lookup = ThemeLookup(
        read_themes(REPO / "ontology" / "themes.ttl", (REPO / "ontology" / "themes.ttl").read_bytes()).themes
    )
    for name in ("boundary-setting", "Grensesetting", "grense-setting", "boundary setting", "BOUNDARIES"):
        assert lookup.resolve(name) == "boundary-setting", name
    assert lookup.resolve("erfaringskompetanse") == "experiential-competence"
    assert lookup.resolve("nothing at all") is None
    assert "boundary-setting" in lookup.suggestions("boundry setting")
    assert lookup.with_narrower("relationship")[:1] == ["relationship"]
    assert "boundary-setting" in lookup.with_narrower("relationship")


def test_theme_problems(tmp_path: Path) -> None:
    path = tmp_path / "themes.ttl"
    path.write_text(
        dedent("""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <theme/a> a skos:Concept ; skos:notation "a" ; skos:prefLabel "A"@en ; skos:broader <theme/b> .
        <theme/b> a skos:Concept ; skos:notation "b" ; skos:prefLabel "B"@en , "B"@nb ; skos:broader <theme/a> .
        <theme/c> a skos:Concept ; skos:notation "c" ; skos:prefLabel "C"@en , "C"@nb ; skos:broader <theme/zz> .
    """),
        encoding="utf-8",
    )
    messages = [str(p) for p in read_themes(path, path.read_bytes()).problems]
    assert any(":2:" in m and "no skos:prefLabel in 'nb'" in m for m in messages)
    assert any("its own broader theme" in m for m in messages)
    assert any(":4:" in m and "not a theme of this scheme" in m for m in messages)


def test_turtle_syntax_error_gives_a_line(tmp_path: Path) -> None:
    path = tmp_path / "themes.ttl"
    path.write_text(
        '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\n<a> skos:notation "x ;\n', encoding="utf-8"
    )
    [problem] = read_themes(path, path.read_bytes()).problems
    assert problem.line is not None and "not valid Turtle" in problem.message
