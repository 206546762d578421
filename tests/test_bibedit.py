"""`litgraph enrich --apply`: fields go into the user's .bib, and every other byte stays where it was."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import yaml
from click.testing import CliRunner

from litgraph.api import load
from litgraph.cli.main import main
from litgraph.gather.enrich.bibedit import apply_proposals, bibtex_value, edit_entry
from litgraph.namespaces import key_refusal
from litgraph.project import open_project
from litgraph.s1_read.bibtex import read_bib_file

from .conftest import CORPUS, MakeProject, dedent

CORPUS_FILES = sorted(CORPUS.glob("*.bib")) if CORPUS.is_dir() else []


def entry(text: str) -> Any:
    library = bibtexparser.parse_string(text, parse_stack=[])
    assert not library.failed_blocks
    return library.entries[0]


def overlay(root: Path, proposals: dict[str, Any]) -> Path:
    path = open_project(root).proposals_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# made by the test\n" + yaml.safe_dump({"proposals": proposals}, allow_unicode=True, sort_keys=False), "utf-8"
    )
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["enrich", *args])
    return result.exit_code, result.stdout, result.stderr


# --- one entry, in the entry's own style ---------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "@article{a,\n  author = {A},\n  year = {2000}\n}",
            "@article{a,\n  author = {A},\n  year = {2000},\n  doi = {10.1/x}\n}",
            id="no-trailing-comma",
        ),
        pytest.param(
            "@article{a,\n  author = {A},\n  year = {2000},\n}",
            "@article{a,\n  author = {A},\n  year = {2000},\n  doi = {10.1/x},\n}",
            id="trailing-comma",
        ),
        pytest.param(
            "@article{a,\n  author       = {A},\n  year         = {2000},\n}",
            "@article{a,\n  author       = {A},\n  year         = {2000},\n  doi          = {10.1/x},\n}",
            id="aligned-better-bibtex",
        ),
        pytest.param(
            "@ARTICLE{a,\n\tAUTHOR={A},\n\tYEAR={2000}}",
            "@ARTICLE{a,\n\tAUTHOR={A},\n\tYEAR={2000},\n\tDOI={10.1/x}}",
            id="tabs-upper-case-closing-on-the-line",
        ),
        pytest.param(
            "@article{a,\r\n  author = {A},\r\n  year = {2000}\r\n}",
            "@article{a,\r\n  author = {A},\r\n  year = {2000},\r\n  doi = {10.1/x}\r\n}",
            id="crlf",
        ),
        pytest.param(
            "@article{a,\n  author = {A},\n  year = {2000} % checked\n}",
            "@article{a,\n  author = {A},\n  year = {2000}, % checked\n  doi = {10.1/x}\n}",
            id="comment-after-the-last-value",
        ),
        pytest.param("@misc{a}", "@misc{a,\n  doi = {10.1/x}\n}", id="no-field"),
        pytest.param("@book(a, title={T})", "@book(a, title={T},\n  doi = {10.1/x})", id="parentheses-one-line"),
    ],
)
def test_a_field_goes_in_as_the_entry_writes_its_fields(before: str, after: str) -> None:
    newline = "\r\n" if "\r\n" in before else "\n"
    edited = edit_entry(entry(before), [("doi", "{10.1/x}")], {}, newline)
    assert edited == after
    assert {f.key.splitlines()[-1].strip().lower(): f.value for f in entry(edited).fields}["doi"] == "{10.1/x}"


def test_replace_keeps_everything_around_the_value() -> None:
    before = '@article{a,\n  TITLE = "Cut" # " short",  % from the cover\n  year = 2000\n}'
    edited = edit_entry(entry(before), [("pages", "{1--2}")], {"TITLE": "{Cut short, in full}"}, "\n")
    assert (
        edited == "@article{a,\n  TITLE = {Cut short, in full},  % from the cover\n  year = 2000,\n  pages = {1--2}\n}"
    )


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        pytest.param("title", "Health & care: 50% of_all #1", r"{Health \& care: 50\% of\_all \#1}", id="specials"),
        pytest.param("pages", "392–411", "{392--411}", id="en-dash"),
        pytest.param("title", "Sælør — erfaring", "{Sælør --- erfaring}", id="unicode-em-dash"),
        pytest.param("doi", "10.1002/(SICI)1097_x", "{10.1002/(SICI)1097_x}", id="doi-verbatim"),
        pytest.param("title", "A {broken title", "{A broken title}", id="unbalanced-braces"),
        pytest.param("author", "{Helse & omsorg} and Borg, Marit", r"{{Helse \& omsorg} and Borg, Marit}", id="author"),
    ],
)
def test_bibtex_value(name: str, text: str, value: str) -> None:
    assert bibtex_value(name, text) == value


# --- the command ---------------------------------------------------------------------------------

BIB = """\
% Exported by hand. Keep this comment.
@string{jmh = {Journal of Mental Health}}

@article{repper2011,
  author = {Repper, Julie and Carter, Tim},
  title = {A review of the literature on peer support},
  journal = jmh,
  year = {2011}
}

@comment{jabref-meta: databaseType:biblatex;}

@book{borg2013,
  author    = {Borg, Marit and Karlsson, Bengt},
  title     = {Recovery},
  year      = 2013,
}
"""
PROPOSALS = {
    "repper2011": {
        "status": "accepted",
        "source": "crossref",
        "candidate": "10.5555/repper.carter.2011",
        "score": 1.0,
        "fields": {"doi": "10.5555/repper.carter.2011", "volume": "20", "pages": "392–411"},
    },
    "borg2013": {
        "status": "accepted",
        "source": "crossref",
        "candidate": "10.1/b",
        "score": 0.9,
        "fields": {
            "publisher": "Universitetsforlaget & co",
            "title": {"value": "Recovery: tradisjoner, fornyelser og praksiser", "replaces": "Recovery"},
        },
    },
}


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    root = make_project({"bibliography/refs.bib": BIB})
    overlay(root, PROPOSALS)
    return root


def test_apply_writes_fields_keeps_a_backup_and_marks_them_applied(project: Path) -> None:
    bib = project / "bibliography" / "refs.bib"
    bib.chmod(0o640)
    code, out, err = run("-p", str(project), "--apply")
    assert code == 0, err
    after = bib.read_text(encoding="utf-8")
    assert after == BIB.replace(
        "  year = {2011}\n}",
        "  year = {2011},\n  doi = {10.5555/repper.carter.2011},\n  volume = {20},\n  pages = {392--411}\n}",
    ).replace("  year      = 2013,\n}", "  year      = 2013,\n  publisher = {Universitetsforlaget \\& co},\n}")
    assert "borg2013: title: kept the .bib's value (--overwrite to replace it)" in out
    assert "repper2011: wrote pages = 392–411" in out
    backups = list(bib.parent.glob("refs.bib.*.bak"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == BIB
    assert stat.S_IMODE(bib.stat().st_mode) == 0o640
    assert f"wrote 4 field(s) into bibliography/refs.bib; backup: bibliography/{backups[0].name}" in err
    text = open_project(project).proposals_file.read_text(encoding="utf-8")
    assert text.startswith("# made by the test\n")
    assert yaml.safe_load(text)["proposals"]["repper2011"]["status"] == "applied"
    assert yaml.safe_load(text)["proposals"]["borg2013"]["status"] == "accepted"  # its title is still proposed
    works = load(open_project(project)).data.works
    assert works["repper2011"].pages == "392–411" and works["borg2013"].publisher == "Universitetsforlaget & co"
    assert works["borg2013"].title == "Recovery: tradisjoner, fornyelser og praksiser"  # from the overlay
    code, out, err = run("-p", str(project), "--apply")
    assert code == 0 and "borg2013: title: kept" in out and "wrote 0 field(s)" in err


def test_apply_with_overwrite_replaces_in_place(project: Path) -> None:
    code, _, err = run("-p", str(project), "--apply", "--overwrite", "-k", "borg2013")
    assert code == 0, err
    text = (project / "bibliography" / "refs.bib").read_text(encoding="utf-8")
    assert "  title     = {Recovery: tradisjoner, fornyelser og praksiser},\n" in text
    assert "@article{repper2011,\n  author = {Repper, Julie and Carter, Tim}," in text and "392" not in text


def test_dry_run_writes_nothing(project: Path) -> None:
    overlay_before = open_project(project).proposals_file.read_bytes()
    code, out, err = run("-p", str(project), "--apply", "--dry-run", "-f", "json")
    assert code == 0, err
    assert (project / "bibliography" / "refs.bib").read_text(encoding="utf-8") == BIB
    assert not list((project / "bibliography").glob("*.bak"))
    assert open_project(project).proposals_file.read_bytes() == overlay_before
    assert '"dry_run": true' in out and '"field": "volume"' in out


def test_a_field_the_user_added_since_is_kept(project: Path) -> None:
    bib = project / "bibliography" / "refs.bib"
    bib.write_text(BIB.replace("  year = {2011}\n", "  year = {2011},\n  volume = {21}\n"), encoding="utf-8")
    code, out, _ = run("-p", str(project), "--apply", "-k", "repper2011")
    assert code == 0 and "repper2011: volume: the entry has one now; kept it" in out
    assert "volume = {21}" in bib.read_text(encoding="utf-8") and "volume = {20}" not in bib.read_text()


def test_a_file_that_is_not_utf8_is_not_rewritten(make_project: MakeProject) -> None:
    root = make_project()
    bib = root / "bibliography" / "latin1.bib"
    bib.write_bytes("@article{saelor2014, author = {Sælør, Knut}, title = {Håp}, year = 2014}\n".encode("cp1252"))
    overlay(root, {"saelor2014": {"status": "accepted", "fields": {"doi": "10.1/s"}}})
    before = bib.read_bytes()
    code, _, err = run("-p", str(root), "--apply")
    assert code == 1 and "latin1.bib: not UTF-8, so it is not rewritten" in err
    assert bib.read_bytes() == before and not list(bib.parent.glob("*.bak"))


def test_nothing_to_apply(make_project: MakeProject) -> None:
    root = make_project()
    code, _, err = run("-p", str(root), "--apply")
    assert code == 0 and "nothing to apply" in err
    code, _, err = run("-p", str(root), "--apply", "--citations")
    assert code == 2 and "--apply writes the proposals already made" in err


# --- round trip on real-world files --------------------------------------------------------------


def _pieces(text: str) -> tuple[list[str], dict[str, str]]:
    """The text between blocks, and each entry's text by key: the file is these, interleaved."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    gaps, raws, cursor = [], {}, 0
    for block in library.blocks:
        raw = block.raw or ""
        start = text.index(raw, cursor)
        gaps.append(text[cursor:start])
        if isinstance(block, bibtexparser.model.Entry):
            raws[block.key] = raw
        cursor = start + len(raw)
    gaps.append(text[cursor:])
    return gaps, raws


def _only_inserted(before: str, after: str) -> bool:
    """`before` is `after` with some characters removed (a subsequence), i.e. the edit only inserted."""
    remaining = iter(after)
    return all(ch in remaining for ch in before)


def _lacks_doi(entry: Any) -> bool:
    """(enrich proposes only for works litgraph reads: never for a key it refuses)"""
    return not any(f.key.lower() == "doi" for f in entry.fields) and key_refusal(entry.key) is None


@pytest.mark.parametrize("source", CORPUS_FILES, ids=lambda p: p.name)
def test_apply_round_trip_on_the_shared_corpus(source: Path, make_project: MakeProject) -> None:
    root = make_project()
    bib = root / "bibliography" / source.name
    original = source.read_bytes()  # read where it is; the copy lives in the test's temporary project
    bib.write_bytes(original)
    try:
        before = original.decode("utf-8")
    except UnicodeDecodeError:
        before = None
    library = bibtexparser.parse_string(before or original.decode("cp1252"), parse_stack=[])
    lacking = [e for e in library.entries if _lacks_doi(e)]
    chosen = lacking[:: max(1, len(lacking) // 25)]
    proposals: dict[str, Any] = {
        e.key: {"status": "accepted", "fields": {"doi": f"10.9999/litgraph.{i}"}} for i, e in enumerate(chosen)
    }
    titled = next(
        (e for e in chosen if {"title"} & {f.key.lower() for f in e.fields} and "subtitle" not in (e.raw or "")), None
    )
    if titled:
        proposals[titled.key]["fields"]["title"] = {"value": "Ærlig talt: 50% & mer_", "replaces": "old"}
    overlay(root, proposals)
    report = apply_proposals(open_project(root), overwrite=True)
    if before is None:
        assert report.refused and bib.read_bytes() == original and not report.backups
        return
    assert not report.refused, report.refused
    assert all("all its fields are commented out with %" in line for line in report.skipped), report.skipped
    after = bib.read_bytes().decode("utf-8")
    if not chosen:
        assert after == before and not report.backups
        return
    assert report.backups[0].read_bytes() == original
    old_gaps, old_raws = _pieces(before)
    new_gaps, new_raws = _pieces(after)
    assert new_gaps == old_gaps  # comments, @string, @preamble, blank lines: byte for byte
    assert list(new_raws) == list(old_raws)  # the same entries in the same order
    edited = {e.key for e in report.edits}
    assert edited == set(proposals) - {line.split(":")[0] for line in report.skipped}
    for key, raw in old_raws.items():
        if key not in edited:
            assert new_raws[key] == raw  # untouched entries: byte for byte
        elif titled is None or key != titled.key:
            assert _only_inserted(raw, new_raws[key])
    if "\r\n" in before:  # CRLF files stay CRLF
        assert len(re.findall(r"(?<!\r)\n", after)) == len(re.findall(r"(?<!\r)\n", before))
    values = {
        e.key: {f.key.splitlines()[-1].strip().lower(): f.value for f in e.fields}
        for e in bibtexparser.parse_string(after, parse_stack=[]).entries
    }
    for i, entry_ in enumerate(chosen):
        if entry_.key in edited:
            assert values[entry_.key]["doi"] == f"{{10.9999/litgraph.{i}}}"
    if titled and titled.key in edited:
        assert values[titled.key]["title"] == r"{Ærlig talt: 50\% \& mer\_}"
    if len(original) < 100_000:  # litgraph's own reader agrees (it decodes LaTeX: slow on the big files)
        works = read_bib_file(bib).works
        assert all((works[k].doi or "").startswith("10.9999/litgraph.") for k in edited)
        if titled and titled.key in edited:
            assert works[titled.key].title == "Ærlig talt: 50% & mer_"


def test_the_round_trip_has_files_to_read() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/bib is not beside the repository")
    assert len(CORPUS_FILES) >= 10


def test_overlay_example_in_the_docstring_is_readable(tmp_path: Path) -> None:
    from litgraph.s1_read.proposals import __doc__ as doc
    from litgraph.s1_read.proposals import read_proposals

    block = doc.split("The format:\n\n", 1)[1].split("\n\n", 1)[0]
    example = "\n".join(line[4:] for line in block.splitlines())
    example = example.replace("candidates: [...]", "candidates: []")
    path = tmp_path / "proposals.yaml"
    path.write_text(dedent(example), encoding="utf-8")
    problems: list[Any] = []
    found = read_proposals(path, problems)
    assert not problems and found["repper2011"].fields["title"].replaces == "Cut title"
