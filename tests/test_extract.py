"""Finding and resolving in-text citations: every form and non-form, on passages written for these tests."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import rdflib
import yaml
from click.testing import CliRunner

from litgraph import open_project
from litgraph.api import works as read_works
from litgraph.cli.main import main
from litgraph.gather.extract.extraction import Extractor, Found, unresolved_works
from litgraph.s1_read.bibtex import read_bib_file

from .conftest import REPO, SEEDS, MakeProject, dedent

BIB = dedent(
    r"""
    @article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review}, year = {2011}}
    @report{borg2013, author = {Borg, Marit and Karlsson, Bengt and Stenhammer, Anne}, title = {R}, year = {2013}}
    @report{borg2017, author = {Borg, Marit and Sj{\aa}fjell, Tommy and Ogundipe, Esther and Bj{\o}rlykhaug, Knut},
            title = {Focus groups}, year = {2017}}
    @article{davidson2012, author = {Davidson, Larry and Bellamy, Chyrell and Guy, Kimberly and Miller, Rebecca},
             title = {Peer support}, year = {2012}}
    @article{davidson2005, author = {Davidson, Larry}, title = {Recovery}, year = {2005}}
    @article{borkman1976, author = {Borkman, Thomasina}, title = {Experiential knowledge}, year = {1976}}
    @book{finlay2011, author = {Finlay, Linda}, title = {Phenomenology}, year = {2011}}
    @article{finlay2012, author = {Finlay, Linda}, title = {Unfolding}, year = {2012}}
    @article{berg2012a, author = {Berg, Ola}, title = {First}, year = {2012}}
    @article{berg2012b, author = {Berg, Ola}, title = {Second}, year = {2012}}
    @report{hdir2014, author = {{Helsedirektoratet}}, title = {Guidelines}, year = {2014}}
    @report{rph2008, author = {{R{\aa}det for psykisk helse}}, title = {Med livet som kompetanse}, year = {2008}}
    @report{hod2015, author = {{Helse- og omsorgsdepartementet}}, title = {HelseOmsorg21}, year = {2015}}
    @report{hod2009, author = {{Helse- og omsorgsdepartementet}}, title = {Samhandlingsreformen}, year = {2009}}
    @report{meld11, author = {{Helse- og omsorgsdepartementet}},
            title = {Meld. St. 11 (2015--2016) Nasjonal helse- og sykehusplan}, type = {Meld. St.},
            number = {11 (2015--2016)}, year = {2015}}
    @report{nou2018, author = {{Kompetansebehovsutvalget}}, title = {Fremtidige kompetansebehov}, type = {NOU},
            number = {2018: 2}, year = {2018}}
    @report{prop15, author = {{Helse- og omsorgsdepartementet}}, title = {Prop. 15 S (2015--2016) Opptrappingsplanen},
            type = {Prop.}, number = {15}, year = {2015}}
    @misc{akerblom2021, author = {{\AA}kerblom, Kristina and Hammer, Anne}, title = {Nasjonale f{\o}ringer},
          year = {2021}}
    @article{rebeiro2015, author = {Rebeiro Gruhl, Katherine and LaCarte, Stephanie and Calixte, Sharon},
             title = {Authentic peer support work}, year = {2015}}
    @article{vandewalle2016, author = {Vandewalle, Jan and Debyser, Bart and Beeckman, Dimitri}, title = {P},
             year = {2016}}
    @article{watson2019, author = {Watson, Emma}, title = {The mechanisms}, year = {2019}}
    @article{smitha2010, author = {Smith, Anna}, title = {One}, year = {2010}}
    @article{smithb2010, author = {Smith, Bob}, title = {Another}, year = {2010}}
    @misc{kvamme2014, author = {Kvamme and Ekberg and {Stalsberg Mydland}}, title = {U}, year = {2014}}
    @article{weber2016, author = {Weber, Max and Jensen, Jens}, title = {Co-creation}, year = {2016}}
    @report{napha2023, author = {{Nasjonalt kompetansesenter for psykisk helsearbeid (NAPHA)}}, title = {Om},
            year = {2023}}
    """
)


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> Extractor:
    path = tmp_path_factory.mktemp("bib") / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    result = read_bib_file(path)
    assert result.problems == []
    return Extractor(result.works.values())


def _resolved(found: list[Found]) -> list[str | None]:
    return [f.resolution.work.key if f.resolution.work else None for f in found]


FORMS = [
    pytest.param("Dette viser Repper og Carter (2011) tydelig.", ["repper2011"], id="narrative-og"),
    pytest.param("som beskrevet (Repper & Carter, 2011).", ["repper2011"], id="parenthetical-ampersand"),
    pytest.param("as shown (Repper and Carter 2011).", ["repper2011"], id="parenthetical-and-no-comma"),
    pytest.param("(Borg m. fl., 2013)", ["borg2013"], id="m-space-fl"),
    pytest.param("(Borg m.fl., 2013)", ["borg2013"], id="m-fl"),
    pytest.param("(Borg mfl. 2013)", ["borg2013"], id="mfl"),
    pytest.param("Davidson et al. (2012) fant", ["davidson2012"], id="et-al-narrative"),
    pytest.param("Borg, Karlsson, og Stenhammer (2013)", ["borg2013"], id="comma-before-og"),
    pytest.param("(Kvamme, Ekberg & Stalsberg Mydland, 2014)", ["kvamme2014"], id="two-word-name-in-brackets"),
    pytest.param("(Borg, 2013; Davidson et al., 2012)", ["borg2013", "davidson2012"], id="semicolon-list"),
    pytest.param("(Repper & Carter 2011, Davidson 2005)", ["repper2011", "davidson2005"], id="comma-list"),
    pytest.param("(Berg 2012a, 2012b)", ["berg2012a", "berg2012b"], id="year-suffixes"),
    pytest.param("(Finlay, 2011; 2012)", ["finlay2011", "finlay2012"], id="same-author-two-years"),
    pytest.param("(jf. Helsedirektoratet, 2014)", ["hdir2014"], id="prefix-jf-corporate"),
    pytest.param("(se for eksempel Borg m.fl., 2017)", ["borg2017"], id="prefix-se-for-eksempel"),
    pytest.param("(e.g. Davidson, 2005)", ["davidson2005"], id="prefix-eg"),
    pytest.param("(se Repper & Carter, 2011)", ["repper2011"], id="prefix-se"),
    pytest.param("Borkmans (1976) begrep om erfaringskunnskap", ["borkman1976"], id="genitive"),
    pytest.param("Thomasina Borkman (1976) skrev", ["borkman1976"], id="given-name-before"),
    pytest.param("(Rådet for psykisk helse, 2008)", ["rph2008"], id="corporate-lowercase-words"),
    pytest.param("(Helse- og omsorgsdepartementet, 2009)", ["hod2009"], id="corporate-hyphen-og"),
    pytest.param("i Meld. St. 11 (2015–2016) står", ["meld11"], id="meld-st"),
    pytest.param("(St. Meld 11, 2015-2016, s. 30)", ["meld11"], id="st-meld-reversed"),
    pytest.param("Stortingsmelding 11 (2015–2016)", ["meld11"], id="stortingsmelding"),
    pytest.param("NOU 2018:2 om kompetanse", ["nou2018"], id="nou"),
    pytest.param("NOU 2018: 2", ["nou2018"], id="nou-space"),
    pytest.param("I Prop. 15 S (2015–2016) heter det", ["prop15"], id="prop"),
    pytest.param("(Borg, Sjafjell, Ogundipe & Bjarlykhaug, 2017)", ["borg2017"], id="ocr-names"),
    pytest.param("Akerblom og Hammer (2021)", ["akerblom2021"], id="ocr-a-ring"),
    pytest.param("Davidsson (2005) hevder", ["davidson2005"], id="spelling-davidsson"),
    pytest.param("Rebeiro Gruhl m.fl. (2015)", ["rebeiro2015"], id="two-word-family-name"),
    pytest.param("Rebeiro et al. (2015)", ["rebeiro2015"], id="first-word-of-family-name"),
    pytest.param("NAPHA (2023) skriver", ["napha2023"], id="corporate-abbreviation"),
    pytest.param("Repper og\nCarter (2011)", ["repper2011"], id="broken-across-lines"),
    pytest.param("(Borg, Sjåfjell, Ogundipe & Bjør-\nlykhaug, 2017)", ["borg2017"], id="hyphenated-across-lines"),
    pytest.param("Repper & Carter, 2011) og (Borg,\n2013)", ["borg2013"], id="year-on-next-line"),
]


@pytest.mark.parametrize(("text", "keys"), FORMS)
def test_citation_forms_are_found_and_resolved(extractor: Extractor, text: str, keys: list[str]) -> None:
    found = extractor.extract_text(text)
    assert _resolved(found) == keys
    assert all(f.resolution.status == "resolved" for f in found)


LOCATORS = [
    pytest.param("(Repper & Carter, 2011, s. 30)", "30", id="s-dot"),
    pytest.param("(Watson, 2019, p. 12)", "12", id="p-dot"),
    pytest.param("(Vandewalle m. fl., 2016:235)", "235", id="colon"),
    pytest.param("Watson (2019: 4)", "4", id="colon-space-narrative"),
    pytest.param("(Repper & Carter, 2011, s. 393–394)", "393–394", id="range"),
    pytest.param("(Borg m.fl., 2013. s. 4)", "4", id="full-stop-s"),
]


@pytest.mark.parametrize(("text", "locator"), LOCATORS)
def test_locators(extractor: Extractor, text: str, locator: str) -> None:
    (found,) = extractor.extract_text(text)
    assert found.mention.locator == locator
    assert found.resolution.status == "resolved"


NOT_CITATIONS = [
    pytest.param("(Intervju 4 A, s. 11)", id="interview"),
    pytest.param("(Intervju 2, 2016)", id="interview-with-year"),
    pytest.param("I 2014 ble det ansatt flere.", id="bare-year"),
    pytest.param("(fra 2014)", id="year-after-preposition"),
    pytest.param("(Dette skjedde i 2014)", id="sentence-with-year"),
    pytest.param("diagnosen F10 i ICD-10 brukes", id="icd-10"),
    pytest.param("møtet var kl. 14.30 (ca. 20 minutter)", id="time-of-day"),
    pytest.param("se tabell 2 og figur 3 (N = 42)", id="tables-and-figures"),
    pytest.param("perioden (2015–2016) var", id="bare-year-range"),
]


@pytest.mark.parametrize("text", NOT_CITATIONS)
def test_non_citations_are_not_found(extractor: Extractor, text: str) -> None:
    assert extractor.extract_text(text) == []


def test_offsets_point_at_the_raw_text(extractor: Extractor) -> None:
    text = "Innledning.\nSom Repper og\nCarter (2011) viser, og (jf. Borg m.fl., 2013, s. 5)."
    found = extractor.extract_text(text)
    assert [f.mention.raw for f in found] == ["Repper og\nCarter (2011)", "Borg m.fl., 2013, s. 5"]
    for f in found:
        assert text[f.mention.start : f.mention.end] == f.mention.raw
    assert [f.line for f in found] == [2, 3]


def test_two_works_that_fit_are_ambiguous_never_a_silent_choice(extractor: Extractor) -> None:
    (found,) = extractor.extract_text("(Smith, 2010)")
    assert found.resolution.status == "ambiguous"
    assert found.resolution.work is None
    assert {c.key for c in found.resolution.candidates} == {"smitha2010", "smithb2010"}


def test_a_ministry_and_year_also_fit_its_papers_of_that_session(extractor: Extractor) -> None:
    (found,) = extractor.extract_text("(Helse- og omsorgsdepartementet, 2016)")
    assert found.resolution.status == "ambiguous"
    assert {c.key for c in found.resolution.candidates} == {"meld11", "prop15"}


def test_a_year_off_by_one_is_only_a_candidate(extractor: Extractor) -> None:
    (found,) = extractor.extract_text("Repper og Carter (2012)")
    assert found.resolution.status == "unresolved"
    assert [(c.key, c.reason) for c in found.resolution.candidates] == [("repper2011", "year off by one")]


def test_author_count_decides_between_works_of_one_author_and_year(extractor: Extractor) -> None:
    # Davidson 2012 has four authors: "Davidson (2012)" alone names one, so nothing fits exactly
    assert _resolved(extractor.extract_text("(Davidson m.fl., 2012)")) == ["davidson2012"]
    single = extractor.extract_text("(Davidson, 2005)")
    assert _resolved(single) == ["davidson2005"]


def test_the_same_authors_in_another_order_resolve_with_that_reason(extractor: Extractor) -> None:
    (found,) = extractor.extract_text("(Jensen & Weber, 2016)")
    assert found.resolution.status == "resolved"
    assert found.resolution.work is not None
    assert (found.resolution.work.key, found.resolution.work.reason) == (
        "weber2016",
        "the same authors in another order",
    )


def test_a_tie_is_broken_only_by_a_work_named_just_before(extractor: Extractor) -> None:
    named = "I Prop. 15 S (2015–2016) heter det at brukere skal bli hørt (Helse- og omsorgsdepartementet, 2016)."
    paper, found = extractor.extract_text(named)
    assert paper.mention.kind == "government"
    assert found.resolution.work is not None and found.resolution.work.key == "prop15"
    assert "named just before" in found.resolution.work.reason
    (plain,) = extractor.extract_text("Brukere skal bli hørt (Helse- og omsorgsdepartementet, 2016).")
    assert plain.resolution.status == "ambiguous"
    far = "I Prop. 15 S (2015–2016) heter det noe.\n\n\n" + "Et nytt avsnitt om noe annet. " * 10
    _, distant = extractor.extract_text(far + "(Helse- og omsorgsdepartementet, 2016)")
    assert distant.resolution.status == "ambiguous"


def test_a_government_paper_inside_a_bracket_leaves_the_bracket_whole(extractor: Extractor) -> None:
    found = extractor.extract_text("(Berg, 2012a, s.11; Meld. St. 11 2016–2019). Videre")
    assert [(f.mention.kind, f.resolution.work.key if f.resolution.work else None) for f in found] == [
        ("parenthetical", "berg2012a"),
        ("government", "meld11"),
    ]


def test_unknown_work_is_unresolved(extractor: Extractor) -> None:
    (found,) = extractor.extract_text("(Statens helsetilsyn, 2004)")
    assert (found.resolution.status, found.mention.names, found.mention.year) == (
        "unresolved",
        ["Statens helsetilsyn"],
        "2004",
    )


# --- the command ----------------------------------------------------------------------------------------


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    root = make_project(
        {"bibliography/refs.bib": BIB + "@misc{mydraft, author = {Me, Myself}, title = {Draft}, year = {2024}}\n"}
    )
    (root / "draft.md").write_text(
        "# Draft\n\nPeer workers (Repper & Carter, 2011, s. 393) and Borg m.fl. (2013).\n"
        "(Smith, 2010) (Nobody, 1999)\n",
        encoding="utf-8",
    )
    return root


def test_extract_json_shape(project: Path) -> None:
    result = CliRunner().invoke(main, ["extract", str(project / "draft.md"), "-p", str(project), "-f", "json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert [i["status"] for i in items] == ["resolved", "resolved", "ambiguous", "unresolved"]
    first = items[0]
    assert first == {
        "raw": "Repper & Carter, 2011, s. 393",
        "start": first["start"],
        "end": first["start"] + len("Repper & Carter, 2011, s. 393"),
        "line": 3,
        "kind": "parenthetical",
        "authors": ["Repper", "Carter"],
        "et_al": False,
        "year": "2011",
        "locator": "393",
        "reported_in": None,
        "status": "resolved",
        "work": {"key": "repper2011", "family": "Repper", "year": 2011, "reason": "family name and year"},
        "candidates": [],
    }
    assert items[1]["et_al"] is True and items[1]["kind"] == "narrative"
    assert items[2]["work"] is None and {c["key"] for c in items[2]["candidates"]} == {"smitha2010", "smithb2010"}
    assert items[3]["work"] is None and items[3]["candidates"] == []
    assert "4 citations in draft.md: 2 resolved, 1 ambiguous, 1 unresolved" in result.stderr


def test_extract_as_records_citations_that_build_turns_into_cito_cites(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(project / "draft.md"), "-p", str(project), "--as", "mydraft"])
    assert result.exit_code == 0, result.output
    written = project / "bibliography" / "citations" / "extracted-mydraft.yaml"
    assert "mydraft cites 2 works" in result.stderr
    assert "cites: [borg2013, repper2011]" in written.read_text(encoding="utf-8")
    assert runner.invoke(main, ["build", "-q", "-p", str(project)]).exit_code == 0
    graph = rdflib.Graph().parse(project / "site" / "graph.ttl")
    base = open_project(project).base_iri
    cites = rdflib.URIRef("http://purl.org/spar/cito/cites")
    cited = {str(o).removeprefix(base + "work/") for o in graph.objects(rdflib.URIRef(base + "work/mydraft"), cites)}
    assert cited == {"borg2013", "repper2011"}


def test_extract_claims_stub(project: Path, tmp_path: Path) -> None:
    stub = tmp_path / "stubs.yaml"
    args = ["extract", str(project / "draft.md"), "-p", str(project), "--as", "mydraft", "--claims-stub", str(stub)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = stub.read_text(encoding="utf-8")
    assert "# cited at draft.md:3" in text
    assert "source: repper2011" in text and "reported_in: mydraft" in text and "locator: p. 393" in text
    assert "source: smitha2010" not in text  # ambiguous citations get no stub


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["extract", "missing.txt"], "missing.txt: no such file", id="missing-file"),
        pytest.param(["extract", "refs.docx"], "give a .txt, .md or .pdf", id="unsupported"),
        pytest.param(["extract", "draft.md", "--as", "mydraf"], "did you mean 'mydraft'", id="unknown-as-key"),
        pytest.param(["extract", "latin1.txt"], "not UTF-8 text", id="not-utf8"),
        pytest.param(["extract", "draft.md", "--as", "zzz"], "add an entry for the document", id="as-key-far-off"),
        pytest.param(["extract", "plain.txt"], "0 citations in plain.txt", id="no-citations"),
    ],
)
def test_extract_bad_input(project: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "refs.docx").write_bytes(b"PK")
    (project / "latin1.txt").write_bytes("Bjørlykhaug (2017)".encode("latin-1"))
    (project / "plain.txt").write_text("Ingen referanser her, bare et årstall: 2014.\n", encoding="utf-8")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""
    assert not (project / "bibliography" / "citations").exists()


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII) in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed (.ci/run installs it)")
def test_extract_reads_a_pdf(project: Path) -> None:
    pdf = project / "paper.pdf"
    pdf.write_bytes(_pdf("As Repper and Carter (2011) show, peers help."))
    result = CliRunner().invoke(main, ["extract", str(pdf), "-p", str(project), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [i["work"]["key"] for i in json.loads(result.stdout)] == ["repper2011"]


def test_extract_pdf_without_pdftotext_says_what_to_install(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = project / "paper.pdf"
    pdf.write_bytes(_pdf("Repper and Carter (2011)"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(main, ["extract", str(pdf), "-p", str(project)])
    assert result.exit_code == 1
    assert "needs pdftotext" in result.stderr and "poppler-utils" in result.stderr


# --- the five texts ---------------------------------------------------------------------------------------


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the repo")
def test_the_bundled_citation_files_match_a_fresh_extraction(bundled_copy: Path) -> None:
    """bibliography/citations/extracted-*.yaml is what `extract --as` gives today on each text."""
    project = open_project(bundled_copy)
    works = read_works(project)
    extractor = Extractor(works.values())
    for key, work in sorted(works.items()):
        seed = work.extra.get("seedfile")
        if not seed:
            continue
        committed = yaml.safe_load((project.citations_dir / f"extracted-{key}.yaml").read_text(encoding="utf-8"))
        found = extractor.extract(SEEDS / seed)
        (item,) = committed["citations"]
        left_out = set(item.get("not_cites", []))  # (recorded by hand; a rerun keeps them out)
        fresh = sorted({f.resolution.work.key for f in found if f.resolution.work} - {key} - left_out)
        outside = unresolved_works(found)  # (not in the bibliography: `litgraph gaps` counts them)
        assert item == {"citing": key, "cites": fresh, **({"not_cites": sorted(left_out)} if left_out else {}),
                        **({"cites_outside": outside} if outside else {})}, f"rerun litgraph extract --as {key}"  # fmt: skip
        assert len(fresh) >= 4  # (seed 004 cites few works of its own)
    karlsson = yaml.safe_load((project.citations_dir / "extracted-karlsson2017.yaml").read_text(encoding="utf-8"))
    assert {"repper2011", "gidugu2015", "kvamme2014", "sells2006"} <= set(karlsson["citations"][0]["cites"])


def test_precision_and_recall_against_the_gold_file(bundled_copy: Path) -> None:
    """bench/extract_eval.py's scores on the hand-checked gold file stay at or above the targets (0.98): on
    the repo's own text of the forms of issue 24 always, and on the seeds where ../shared/seeds is here."""
    sys.path.insert(0, str(REPO / "bench"))
    from extract_eval import TARGETS, read_gold, score, seed_file, texts_at_hand

    gold = read_gold(REPO / "bench" / "extract_gold.tsv")
    assert len({g.seed for g in gold}) >= 2 and len(gold) >= 100
    assert len([g for g in gold if g.seed == "forms" and g.key != "?"]) >= 25
    extractor = Extractor(read_works(open_project(bundled_copy)).values())
    resolved = right = wanted = found = 0
    texts = texts_at_hand(gold, SEEDS)
    assert "forms" in texts and (len(texts) >= 4 or not SEEDS.exists())
    for prefix in texts:
        s = score([g for g in gold if g.seed == prefix], extractor.extract(seed_file(SEEDS, prefix)))
        assert s.precision >= TARGETS["precision"] and s.recall >= TARGETS["recall"], (prefix, s)
        resolved, right, wanted, found = resolved + s.resolved, right + s.right, wanted + s.gold, found + s.found
    assert TARGETS["precision"] == TARGETS["recall"] == 0.98
    assert right / resolved >= 0.98, f"precision {right / resolved:.3f}"
    assert found / wanted >= 0.98, f"recall {found / wanted:.3f}"


def test_the_public_api_extracts_and_loads_the_http_stack_only_for_enrich(bundled_copy: Path) -> None:
    import subprocess

    code = (
        "import sys, litgraph\n"
        "assert 'requests' not in sys.modules and 'networkx' not in sys.modules\n"
        "works = litgraph.load(litgraph.open_project(sys.argv[1])).data.works.values()\n"
        "found = litgraph.Extractor(works).extract_text('Som Repper og Carter (2011) viser.')\n"
        "assert [f.resolution.work.key for f in found] == ['repper2011'], found\n"
        "assert litgraph.EnrichOptions and 'requests_cache' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(bundled_copy)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the repo")
def test_a_rerun_keeps_out_what_the_file_records_the_text_does_not_cite(bundled_copy: Path, tmp_path: Path) -> None:
    """Seed 004 meets carter2000 and mead2003 only inside a quotation: its citation file says `not_cites`,
    and `extract --as` rewriting the file keeps them out (and the list)."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(bundled_copy, root, ignore=shutil.ignore_patterns(".litgraph", "site"))
    path = root / "bibliography" / "citations" / "extracted-uprgamleoslo2016.yaml"
    before = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = CliRunner().invoke(
        main, ["extract", str(SEEDS / "004_b9a369959e562838.txt"), "--as", "uprgamleoslo2016", "-p", str(root)]
    )
    assert result.exit_code == 0, result.output
    after = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert after == before
    assert after["citations"][0]["not_cites"] == ["carter2000", "mead2003"]
    assert not {"carter2000", "mead2003"} & set(after["citations"][0]["cites"])
