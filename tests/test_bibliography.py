"""Stage: BibTeX/biblatex files -> Works, with problems reported per entry."""

from __future__ import annotations

import logging
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.model import Entry, Field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litgraph import load, open_project
from litgraph.s1_read.bibtex import read_bib_file
from litgraph.s1_read.bibtex_values import people, resolve, to_text

from .conftest import CORPUS, MakeProject, dedent


def bib(tmp_path: Path, text: str, name: str = "refs.bib") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        pytest.param(r"Bj{\o}rlykhaug", "Bjørlykhaug", id="slashed-o"),
        pytest.param(r"{\AA}kerblom", "Åkerblom", id="ring-A"),
        pytest.param(r"Sj{\aa}fjell", "Sjåfjell", id="ring-a"),
        pytest.param(r"\"{O}sterberg", "Österberg", id="umlaut"),
        pytest.param(r"Ad{\ae}r", "Adær", id="ae"),
        pytest.param(r"Fran\c{c}ois", "François", id="cedilla"),
        pytest.param(r"{NOU} 2018:2", "NOU 2018:2", id="protected-capitals"),
        pytest.param("pages 12--20", "pages 12–20", id="en-dash"),
        pytest.param(r"Peer support \& recovery", "Peer support & recovery", id="escaped-ampersand"),
        pytest.param("Åkerblom", "Åkerblom", id="plain-unicode"),
    ],
)
def test_latex_is_decoded_to_unicode(latex: str, text: str) -> None:
    assert to_text(latex) == text


def test_string_macros_concatenation_and_months() -> None:
    strings = {"jmh": "Journal of Mental Health", "pre": "Proc. "}
    assert resolve("JMH", strings) == "Journal of Mental Health"
    assert resolve('pre # "Crypto" # {2020}', strings) == "Proc. Crypto2020"
    assert resolve("mar", {}) == "3"
    assert resolve("{braced}", {}) == "braced"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param("Repper, Julie and Carter, Tim", [("Julie", "", "Repper", "")], id="family-given"),
        pytest.param("Ludwig van Beethoven", [("Ludwig", "van", "Beethoven", "")], id="von-part"),
        pytest.param("King, Jr, Martin Luther", [("Martin Luther", "", "King", "Jr")], id="junior"),
        pytest.param(
            "{{Helse- og omsorgsdepartementet}}", [("", "", "Helse- og omsorgsdepartementet", "")], id="corporate"
        ),
        pytest.param(r"Bj{\o}rlykhaug, Knut Ivar", [("Knut Ivar", "", "Bjørlykhaug", "")], id="latex-in-name"),
    ],
)
def test_name_parts(field: str, expected: list[tuple[str, str, str, str]]) -> None:
    persons, _ = people(field[1:-1] if field.startswith("{{") else field)
    first = persons[0]
    assert (first.given, first.von, first.family, first.suffix) == expected[0]


def test_corporate_author_and_others(tmp_path: Path) -> None:
    path = bib(
        tmp_path,
        """
        @report{hod2016, author = {{Helse- og omsorgsdepartementet}}, title = {Opptrappingsplan}, year = 2016}
        @article{gillard2015, author = {Gillard, Steve and others}, title = {Peer roles}, year = {2015}}
    """,
    )
    works = read_bib_file(path).works
    assert works["hod2016"].authors[0].corporate
    assert works["hod2016"].authors[0].family == "Helse- og omsorgsdepartementet"
    assert works["gillard2015"].more_authors and works["gillard2015"].short_citation == "Gillard et al. 2015"


def test_biblatex_fields(tmp_path: Path) -> None:
    path = bib(
        tmp_path,
        """
        @article{watson2017, author = {Watson, Emma}, title = {The mechanisms}, subtitle = {a study},
          journaltitle = {Journal of Mental Health}, date = {2017-12-18}, number = {5}, pages = {12--20},
          doi = {https://doi.org/10.1080/09638237.2017.1417559}, langid = {english}}
    """,
    )
    work = read_bib_file(path).works["watson2017"]
    assert work.year == 2017 and work.container == "Journal of Mental Health"
    assert work.title == "The mechanisms: a study"
    assert work.doi == "10.1080/09638237.2017.1417559" and work.issue == "5" and work.pages == "12–20"
    assert work.language == "en"


def test_broken_entry_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    path = bib(
        tmp_path,
        """
        @article{good1, title = {One}, year = 2001}
        @article{broken, title = {unclosed, year = 2002

        @article{good2, title = {Two}, year = 2003}
        @book{good1, title = {Again}, year = 2004}
    """,
    )
    result = read_bib_file(path)
    assert "good2" in result.works and result.works["good1"].title == "One"
    lines = {(p.line, p.severity) for p in result.problems}
    assert (2, "error") in lines  # the unclosed entry, at its own line
    assert any("used twice" in p.message and p.line == 5 for p in result.problems)


def test_same_key_in_two_files_is_an_error_naming_both(make_project: MakeProject) -> None:
    root = make_project({"bibliography/a.bib": "@book{k, title = {A}, year = 2000}\n",
                         "bibliography/b.bib": "% comment\n\n@book{k, title = {B}, year = 2001}\n"})  # fmt: skip
    [problem] = load(open_project(root)).problems
    assert str(problem.path) == "bibliography/b.bib" and problem.line == 3
    assert "bibliography/a.bib:1" in problem.message


def test_undefined_macro_names_field_and_line(tmp_path: Path) -> None:
    path = bib(tmp_path, "@article{k,\n  title = {T},\n  journal = NOSUCH,\n  year = 2000}\n")
    [problem] = read_bib_file(path).problems
    assert problem.line == 3 and "NOSUCH" in problem.message and "journal" in problem.message


def test_non_utf8_file_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes("@book{k, author = {Åkerblom, Kristina}, title = {Tittel}, year = 2020}".encode("latin-1"))
    result = read_bib_file(path)
    assert result.works["k"].authors[0].family == "Åkerblom"
    assert [p.severity for p in result.problems] == ["warning"]


CORPUS_FILES = sorted(CORPUS.glob("*.bib"))


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus/bib is not beside the checkout")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_every_corpus_file_loads_or_reports_per_entry(path: Path) -> None:
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    result = read_bib_file(path)
    for problem in result.problems:
        assert problem.line is not None and problem.line >= 1, problem
    if "cryptobib" in path.name:  # only @string definitions
        assert not result.works
    else:
        assert result.works


def test_corpus_specifics() -> None:
    if not CORPUS.exists():
        pytest.skip("../shared/corpus/bib is not beside the checkout")
    xdata = read_bib_file(CORPUS / "biber-xdata.bib")
    assert any(p.line == 68 and "gxd1g" in p.message for p in xdata.problems)
    mendeley = read_bib_file(CORPUS / "mendeley-export-psychiatry-phd.bib")
    assert sum("no citation key" in p.message for p in mendeley.problems) >= 3
    names = read_bib_file(CORPUS / "biber-names.bib").works
    assert names["L10"].authors[0].suffix == "III"
    cryptobib_like = read_bib_file(CORPUS / "betterbiblatex-export-ntnu-masters.bib")
    assert not [p for p in cryptobib_like.problems if p.severity == "error"]


TEXT = (
    st.text(
        alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCXYZæøåÆØÅéüç0123456789 .,:;?!()'-")),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
    .filter(lambda s: "--" not in s and "''" not in s)  # TeX ligatures: "--" is an en dash in BibTeX, rightly
)
NAME = st.text(alphabet=st.sampled_from(list("abcdefghijklmnoprstuvyzæøåÅØÆé")), min_size=2, max_size=12).map(
    str.capitalize
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, families=st.lists(NAME, min_size=1, max_size=4), given_name=NAME, year=st.integers(1800, 2100))
def test_bib_write_read_round_trip(tmp_path: Path, title: str, families: list[str], given_name: str, year: int) -> None:
    author = " and ".join(f"{f}, {given_name}" for f in families)
    entry = Entry("article", "k1", [Field("author", author), Field("title", title), Field("year", str(year))])
    library = bibtexparser.Library([entry])
    path = tmp_path / "rt.bib"
    path.write_text(bibtexparser.write_string(library), encoding="utf-8")
    work = read_bib_file(path).works["k1"]
    assert work.title == title and work.year == year
    assert [p.family for p in work.authors] == families and {p.given for p in work.authors} == {given_name}
