"""The bundled bibliography keeps its curation rules: languages, dates, confirmed fields, provenance, titles.

Each test reads the project through the public API (or the .bib files with bibtexparser) and names the
entries it expects, so that a regression in the data fails here with the key in the message.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import bibtexparser
import pytest
import yaml

from litgraph import load, open_project

REPO = Path(__file__).resolve().parent.parent
FACTS = REPO.parent / "shared" / "reference-facts.tsv"
BIB_FILES = sorted((REPO / "bibliography").glob("*.bib"))

# Works in English: their titles are English, or reference-facts.tsv gives an English title.
ENGLISH = {
    "austin2014", "barbour1999", "bassuk2016", "beehler2014", "bellamy2017", "borkman1976", "cabassa2017",
    "coatsworthpuspoky2006", "cyr2016", "davidson2012", "devries2016", "doughty2011", "finlay2011",
    "firmin2018", "gagne2018", "gidugu2015", "gillard2014", "gillard2015", "gillard2017", "gonzales2015",
    "grey2016", "hsieh2005", "ibrahim2019", "ilo2011", "kilpatrick2017", "leamy2011", "mead2001",
    "mulvale2019", "myrick2016", "rebeirogruhl2015", "repper2011", "repper2012", "resnick2008",
    "scaccia2015", "sells2006", "sledge2011", "sue2007", "trachtenberg2013", "unitednations2019",
    "vandewalle2016", "walker2013", "watson2017", "windrum2016",
}  # fmt: skip
# Works in Norwegian (bokmål or nynorsk): the title, or the text itself, is Norwegian.
NORWEGIAN = {
    "aarre2010", "akerblom2020", "akerblom2021", "askheim2007", "borg2013", "borg2017", "helsedirektoratet2014",
    "helseogomsorgsdepartementet2015", "helseogomsorgstjenesteloven2011", "hoiseth2016", "karlsson2017",
    "meldst11_2015", "meldst28_2015", "meldst30_2019", "meldst38_2020", "nou2018_2",
    "pasientogbrukerrettighetsloven1999", "prop15s_2015", "radetforpsykiskhelse2008",
    "spesialisthelsetjenesteloven1999", "tjora2021", "uprgamleoslo2016", "vederhus2008", "weber2016",
}  # fmt: skip
# Published online in one year and in print in another: (the year the texts cite, the other year).
ONLINE_FIRST = {
    "watson2017": (2017, 2019),
    "firmin2018": (2018, 2019),
    "ibrahim2019": (2019, 2020),
    "rebeirogruhl2015": (2015, 2016),
    "gillard2015": (2015, 2014),
}
# The DOIs partial entries may carry, each from reference-facts.tsv (checked there against its record).
CONFIRMED_PARTIAL_DOIS = {"repper2012": "10.1108/17556221211236475", "walker2013": "10.1037/h0094744"}
# A candidate's fields that were copied as facts before, and must not come back.
REJECTED_CANDIDATE_FIELDS = {
    "chinman2010": {"doi": "10.2975/33.4.2010.269.277", "pages": "269--277", "volume": "33"},
    "bramness2022": {"title": "Rusmiddellidelser i Norge"},
    "helsedirektoratet2022": {"title": "Brukermedvirkning"},
    "helseogomsorgsdepartementet2022": {"title": "Kommunalt rusarbeid"},
}
GENERIC_NOTES = {"Bibliographic fields partially checked.", "Checked against a public record (see provenance)."}
# Words a specific doubt names: the field in question.
FIELD_WORDS = re.compile(
    r"\b(title|author|editor|year|date|journal|volume|issue|pages?|DOI|publisher|edition|series)s?\b", re.I
)
UNDATED_MARKERS = {"n.d.", "nd", "n. d.", "no date"}


@pytest.fixture(scope="module")
def works(bundled_copy: Path) -> dict:
    loaded = load(open_project(bundled_copy))  # (a copy: no test writes into the repository)
    assert not loaded.errors, [str(p) for p in loaded.errors]
    return loaded.data.works


@pytest.fixture(scope="module")
def entries() -> dict[str, dict[str, str]]:
    """Every entry of the .bib files as its fields (names lowercased), read with bibtexparser."""
    found: dict[str, dict[str, str]] = {}
    for path in BIB_FILES:
        library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
        assert not library.failed_blocks, path.name
        for entry in library.entries:
            found[entry.key] = {f.key.lower(): str(f.value) for f in entry.fields}
    return found


def _facts() -> dict[str, dict[str, str]]:
    with FACTS.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: row for row in csv.DictReader(handle, delimiter="\t")}


def test_english_works_are_tagged_english(works: dict) -> None:
    wrong = {key: works[key].language for key in sorted(ENGLISH) if works[key].language != "en"}
    assert not wrong, f"English works with another language: {wrong}"


def test_norwegian_works_are_tagged_norwegian(works: dict) -> None:
    wrong = {key: works[key].language for key in sorted(NORWEGIAN) if works[key].language not in {"no", "nb", "nn"}}
    assert not wrong, f"Norwegian works with another language: {wrong}"


def test_no_work_with_an_english_title_is_tagged_norwegian(works: dict) -> None:
    english_words = re.compile(r"\b(the|of|and|in|for|with|peer|support|mental|health)\b", re.I)
    norwegian_words = re.compile(r"\b(og|i|for|av|med|til|erfarings\w*|psykisk|helse\w*)\b", re.I)
    for key, work in works.items():
        title = work.title or ""
        if work.language in {"no", "nb", "nn"} and title:
            english = len(english_words.findall(title))
            norwegian = len(norwegian_words.findall(title))
            assert not (english >= 3 and norwegian <= 1), f"{key}: {title!r} looks English but is {work.language}"


@pytest.mark.skipif(not FACTS.exists(), reason="../shared/reference-facts.tsv is not beside the checkout")
def test_the_english_list_covers_every_english_title_in_the_facts(works: dict) -> None:
    english_title = re.compile(r"^[A-Za-z0-9 ,:;?'’().&=-]+$")
    for key, row in _facts().items():
        title = row["title"]
        if key in REJECTED_CANDIDATE_FIELDS:
            continue  # its title in the facts is a candidate's, which the bibliography does not take
        if title and english_title.match(title) and re.search(r"\b(the|of|and|in)\b", title, re.I):
            assert key in ENGLISH, f"{key}: English title {title!r} in reference-facts.tsv, not in ENGLISH"


def test_no_year_is_n_d(entries: dict[str, dict[str, str]]) -> None:
    for key, fields in entries.items():
        for name in ("year", "date", "altyear"):
            value = fields.get(name, "").strip().lower()
            assert value not in UNDATED_MARKERS, f"{key}: {name} = {{{value}}}"
    for path in BIB_FILES:
        assert not re.search(r"\b(year|date)\s*=\s*[{\"]\s*n\.\s?d\.?\s*[}\"]", path.read_text(encoding="utf-8"), re.I)


def test_undated_works_stay_undated_and_say_why(works: dict) -> None:
    undated = {key for key, work in works.items() if work.undated}
    assert undated == {"arbeidstilsynet_ud", "erfaringssentrum_ud", "factgamleoslo_ud", "who_icd10"}
    for key in undated:
        assert works[key].year is None
        assert "undated" in (works[key].note or ""), f"{key}: the note does not explain the missing year"


def test_online_first_works_keep_the_cited_year_and_record_the_other(works: dict) -> None:
    for key, (cited, other) in ONLINE_FIRST.items():
        assert (works[key].year, works[key].other_year) == (cited, other), key


def test_partial_entries_carry_only_confirmed_fields(works: dict, entries: dict[str, dict[str, str]]) -> None:
    partial = {key for key, work in works.items() if work.confidence == "partial"}
    assert len(partial) >= 10
    for key in sorted(partial):
        work = works[key]
        assert work.provenance, f"{key}: a partial entry names the record its fields were checked against"
        note = work.note or ""
        assert note and note not in GENERIC_NOTES, f"{key}: the note must name the doubt, not say {note!r}"
        assert FIELD_WORDS.search(note), f"{key}: the note does not say which field is in doubt: {note!r}"
        if work.doi:
            assert CONFIRMED_PARTIAL_DOIS.get(key) == work.doi, f"{key}: DOI {work.doi} is not a confirmed one"
    for key, fields in REJECTED_CANDIDATE_FIELDS.items():
        for name, value in fields.items():
            assert entries.get(key, {}).get(name) != value, f"{key}: the candidate's {name} {value!r} is back"


@pytest.mark.skipif(not FACTS.exists(), reason="../shared/reference-facts.tsv is not beside the checkout")
def test_every_doi_of_a_partial_entry_is_in_the_facts(works: dict) -> None:
    facts = _facts()
    for key, work in works.items():
        if work.confidence == "partial" and work.doi:
            assert facts[key]["doi"] == work.doi, key


def test_no_generic_note_is_left_on_an_entry_that_is_not_verified(works: dict) -> None:
    for key, work in works.items():
        if work.confidence != "verified":
            assert work.note not in GENERIC_NOTES, f"{key}: {work.note!r}"


def test_every_provenance_is_a_web_address(works: dict) -> None:
    for key, work in works.items():
        if work.provenance is not None:
            assert re.fullmatch(r"https?://\S+", work.provenance), f"{key}: provenance {work.provenance!r}"
        if work.confidence == "verified":
            assert work.provenance, f"{key}: verified, but against which record?"


def test_every_work_without_a_title_says_why(works: dict) -> None:
    for key, work in works.items():
        if not work.title:
            assert work.untitled_reason and len(work.untitled_reason) > 10, key
        else:
            assert not work.untitled_reason, f"{key}: has both a title and an untitled reason"


def test_titles_verified_in_this_round(works: dict) -> None:
    assert works["arbeidstilsynet_ud"].title == "Frivillig arbeid"
    assert works["arbeidstilsynet_ud"].provenance.startswith("https://www.arbeidstilsynet.no/")
    assert works["who_icd10"].title.startswith("International statistical classification of diseases")


def test_helseomsorg21_is_one_work(works: dict, bundled_copy: Path) -> None:
    """Seed 001 (as the ministry 2016) and seed 002 (as 2015) cite one HelseOmsorg21 document: one entry."""
    assert "helseogomsorgsdepartementet2016" not in works
    assert "HelseOmsorg21" in (works["helseogomsorgsdepartementet2015"].title or "")
    assert "Prop. 15 S" in (works["prop15s_2015"].title or "")
    claims = load(open_project(bundled_copy)).data.claims
    assert claims["hod2016-ho21-foundation-s1"].source == "helseogomsorgsdepartementet2015"
    assert "2016" in (claims["hod2016-ho21-foundation-s1"].note or "")


def test_the_citations_the_texts_make_have_edges(bundled_copy: Path) -> None:
    cites = {(c.citing, c.cited) for c in load(open_project(bundled_copy)).data.citations}
    expected = {
        ("anon2023", "helseogomsorgstjenesteloven2011"),
        ("anon2023", "pasientogbrukerrettighetsloven1999"),
        ("anon2023", "spesialisthelsetjenesteloven1999"),
        ("akerblom2020", "erfaringskompetanse2016"),
        ("akerblom2020", "who_icd10"),
        ("akerblom2020", "hoie2016"),
        ("akerblom2020", "helseogomsorgsdepartementet2015"),
        ("akerblom2020", "ilo2011"),
        ("akerblom2020", "arbeidstilsynet_ud"),
        ("uprgamleoslo2016", "factgamleoslo_ud"),
        ("repper2011", "carter2000"),
        ("repper2011", "mead2003"),
    }
    assert expected <= cites, sorted(expected - cites)


def test_the_gamle_oslo_report_does_not_cite_what_it_only_quotes() -> None:
    for path in (REPO / "bibliography" / "citations").glob("*.yaml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["citations"]:
            if item["citing"] == "uprgamleoslo2016":
                assert not {"carter2000", "mead2003"} & set(item["cites"]), path.name
