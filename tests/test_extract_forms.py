"""The sharper citation reader: ibid., several years or works in one narrative citation, secondary citations
("sitert i", "cited in"), en-dash page ranges, repeats; and what must stay unresolved. Passages written for
these tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from litgraph.gather.extract.extraction import Extractor, Found, write_claim_stubs
from litgraph.s1_read.bibtex import read_bib_text

from .conftest import dedent

BIB = dedent(
    r"""
    @article{askheim2009, author = {Askheim, Ole Petter}, title = {Brukermedvirkning}, year = {2009}}
    @book{askheim2016, author = {Askheim, Ole Petter}, title = {Fra normalisering}, year = {2016}}
    @report{gillard2014, author = {Gillard, Steve and Edwards, C. and Gibson, S.}, title = {New ways}, year = {2014}}
    @article{gillard2015, author = {Gillard, Steve and Holley, J. and Gibson, S.}, title = {Introducing}, year = {2015},
             altyear = {2014}}
    @article{gillard2017, author = {Gillard, Steve and Foster, R. and Gibson, S.}, title = {Describing}, year = {2017}}
    @article{borkman1976, author = {Borkman, Thomasina}, title = {Experiential knowledge}, year = {1976}}
    @book{karlsson2021, author = {Karlsson, Bengt}, title = {Erfaringskunnskap}, year = {2021}}
    @article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review}, year = {2011}}
    @article{mead2003, author = {Mead, Shery}, title = {Defining peer support}, year = {2003}}
    @article{smitha2010, author = {Smith, Anna}, title = {Samhandlingsreformen i praksis}, year = {2010}}
    @article{smithb2010, author = {Smith, Bob}, title = {Another}, year = {2010}}
    """
)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(read_bib_text(Path("refs.bib"), BIB, 1_000_000).works.values())


def _seen(found: list[Found]) -> list[tuple[str, str, str | None, str | None]]:
    """(raw, key or status, locator, reported_in) of each citation found."""
    return [
        (" ".join(f.mention.raw.split()), f.resolution.work.key if f.resolution.work else f.resolution.status,
         f.mention.locator, f.reported_in)
        for f in found
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Askheim (2009; 2016) viser dette.", [("Askheim (2009; 2016)", "askheim2009", None, None),
                     ("Askheim (2009; 2016)", "askheim2016", None, None)], id="narrative-years-semicolon"),
        pytest.param("Askheim (2009, s. 12; 2016, s. 40–41) viser.", [("Askheim (2009, s. 12; 2016, s. 40–41)", "askheim2009", "12", None),
                     ("Askheim (2009, s. 12; 2016, s. 40–41)", "askheim2016", "40–41", None)], id="narrative-years-with-pages"),
        pytest.param("Gillard mfl. (2014, 2015, 2017) fant.", [("Gillard mfl. (2014, 2015, 2017)", k, None, None)
                     for k in ("gillard2014", "gillard2015", "gillard2017")], id="narrative-three-years-one-of-them-online-earlier"),
        pytest.param("Erfaring (Borkman, 1976, sitert i Karlsson, 2021).", [("Borkman, 1976", "borkman1976", None, "karlsson2021"),
                     ("Karlsson, 2021", "karlsson2021", None, None)], id="secondary-sitert-i"),
        pytest.param("Borkman (1976, gjengitt i Karlsson, 2021, s. 14) skiller.", [
                     ("Borkman (1976, gjengitt i Karlsson, 2021, s. 14)", "borkman1976", None, "karlsson2021"),
                     ("Karlsson, 2021, s. 14", "karlsson2021", "14", None)], id="secondary-narrative"),
        pytest.param("Knowledge (Borkman 1976, as cited in Karlsson 2021, pp. 3–4).", [
                     ("Borkman 1976", "borkman1976", None, "karlsson2021"),
                     ("Karlsson 2021, pp. 3–4", "karlsson2021", "3–4", None)], id="secondary-as-cited-in"),
        pytest.param("Dette (Borkman, 1976, i Karlsson, 2021).", [("Borkman, 1976", "borkman1976", None, "karlsson2021"),
                     ("Karlsson, 2021", "karlsson2021", None, None)], id="secondary-bare-i"),
        pytest.param("Repper og Carter (2011, s. 392–395) viser.", [("Repper og Carter (2011, s. 392–395)", "repper2011", "392–395", None)],
                     id="en-dash-range-narrative"),
        pytest.param("Feltet (Repper & Carter, 2011, s. 30 – 31).", [("Repper & Carter, 2011, s. 30 – 31", "repper2011", "30–31", None)],
                     id="en-dash-range-spaced"),
        pytest.param("Mead (2003) sier det. Igjen (ibid.) og (ibid., s. 12) og (Ibid) og (ibid. s. 30–31).", [
                     ("Mead (2003)", "mead2003", None, None), ("(ibid.)", "mead2003", None, None),
                     ("(ibid., s. 12)", "mead2003", "12", None), ("(Ibid)", "mead2003", None, None),
                     ("(ibid. s. 30–31)", "mead2003", "30–31", None)], id="ibid-forms"),
        pytest.param("Erfaring (Borkman, 1976, sitert i Karlsson, 2021). Igjen (ibid., s. 7).", [
                     ("Borkman, 1976", "borkman1976", None, "karlsson2021"), ("Karlsson, 2021", "karlsson2021", None, None),
                     ("(ibid., s. 7)", "karlsson2021", "7", None)], id="ibid-after-secondary-is-the-work-read"),
        pytest.param("Begge (Mead, 2003; Askheim, 2009). Så (ibid.).", [("Mead, 2003", "mead2003", None, None),
                     ("Askheim, 2009", "askheim2009", None, None), ("(ibid.)", "ambiguous", None, None)], id="ibid-after-two-works-ambiguous"),
        pytest.param("Først (ibid.) uten noe før.", [("(ibid.)", "unresolved", None, None)], id="ibid-with-nothing-before"),
        pytest.param("Om samhandlingsreformen i praksis (Smith, 2010). Mye senere.\n\n\n" + "Tekst uten titler. " * 20 +
                     "Igjen (Smith, 2010).", [("Smith, 2010", "smitha2010", None, None), ("Smith, 2010", "smitha2010", None, None)],
                     id="repeat-resolves-as-the-first"),
        pytest.param("Uten tittel (Smith, 2010).", [("Smith, 2010", "ambiguous", None, None)], id="alone-it-stays-ambiguous"),
    ],
)  # fmt: skip
def test_forms(extractor: Extractor, text: str, expected: list[tuple[str, str, str | None, str | None]]) -> None:
    assert _seen(extractor.extract_text(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I 2019 deltok 42 personer (n = 42).", id="sample-size"),
        pytest.param("Utvalget (N = 120, 2018) var lite.", id="sample-size-and-year"),
        pytest.param("Tabell 2 (2019) viser det.", id="table"),
        pytest.param("Som en sa det (Intervju 3, 2019).", id="interview"),
        pytest.param("Som en annen sa (Informant 7, 2021).", id="informant"),
        pytest.param("Se figuren (Figur 1) og (se tabell 4).", id="figure-and-table"),
        pytest.param("Fra i fjor (2020) til i år, og i perioden 2015–2017.", id="bare-years"),
        pytest.param("Vi spurte i 2016 (s. 12).", id="page-only"),
    ],
)
def test_what_is_not_a_citation_stays_unresolved(extractor: Extractor, text: str) -> None:
    assert [f for f in extractor.extract_text(text) if f.resolution.work is not None] == []


def test_a_secondary_citation_is_reported_in_the_work_it_was_read_in_in_json_and_stubs(
    extractor: Extractor, tmp_path: Path
) -> None:
    found = extractor.extract_text("Erfaring (Borkman, 1976, sitert i Karlsson, 2021, s. 14).")
    first = found[0].as_json()
    assert first["work"]["key"] == "borkman1976" and first["reported_in"] == "karlsson2021"
    assert found[1].as_json()["reported_in"] is None
    stubs = tmp_path / "stubs.yaml"
    write_claim_stubs(stubs, found, Path("draft.md"), "mydraft")
    items = {i["source"]: i for i in yaml.safe_load(stubs.read_text(encoding="utf-8"))["claims"]}
    assert items["borkman1976"]["reported_in"] == "karlsson2021" and items["borkman1976"]["locator"] == "p. 14"
    assert items["karlsson2021"]["reported_in"] == "mydraft"
