"""Reference files as users take them: .bib files that biber (biblatex's data model) and bibtex (plain.bst)
read without complaint, with bibliographic fields only, for the bundled dataset and for Better BibTeX
exports (../shared/corpus/bib)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from litgraph import build, open_project
from litgraph.cli.main import main
from litgraph.s6_render.formats.bibtex import BIBLATEX_ALIASES, data_model, parsed

from .conftest import CORPUS, MakeProject

BBT_EXPORTS = ["betterbibtex-export-aging-health.bib", "betterbiblatex-export-ntnu-masters.bib"]
LEAKS = ("file", "abstract", "keywords", "annote", "annotation", "timestamp", "date-added", "date-modified",
         "confidence", "provenance", "seedfile", "untitled", "undated")  # fmt: skip


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _fields(bib: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for block in re.split(r"\n(?=@)", bib.strip()):
        entry = parsed(block)
        assert entry is not None, block
        found[entry.key] = {f.key for f in entry.fields}
    return found


def _biber(bib: Path) -> list[str]:
    """biber's warnings on `bib` against biblatex's data model."""
    done = subprocess.run(["biber", "--tool", "--validate-datamodel", "--output-file", str(bib.with_suffix(".out")),
                           str(bib)], capture_output=True, text=True, check=False, cwd=bib.parent)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if line.startswith(("WARN", "ERROR"))]


def _bibtex_plain(bib: Path) -> str:
    """bibtex's output on every entry of `bib` with the standard style plain.bst."""
    aux = bib.with_suffix(".aux")
    aux.write_text(f"\\citation{{*}}\n\\bibstyle{{plain}}\n\\bibdata{{{bib.stem}}}\n", encoding="utf-8")
    done = subprocess.run(["bibtex", aux.stem], capture_output=True, text=True, check=False, cwd=bib.parent)
    assert done.returncode == 0 and bib.with_suffix(".bbl").stat().st_size > 0, done.stdout
    return done.stdout


def _input_has(texts: dict[str, str], key: str, field: str) -> bool:
    """Whether the input entry of `key` has `field` (under its name or a classic alias of it)."""
    entry = parsed(texts[key])
    assert entry is not None
    names = {f.key for f in entry.fields if str(f.value).strip()}
    return field in names or any(BIBLATEX_ALIASES.get(n) == field for n in names)


@pytest.fixture(scope="module")
def input_entries(bundled) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from litgraph.ask import reading

    root, _ = bundled
    with reading(open_project(root)) as reader:
        keys = reader.all_work_keys()
        return {k: reader.bibtex([k])[0] for k in keys}


def test_the_allow_list_is_biblatex_data_model_as_the_installed_biber_has_it() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    from biblatex_fields import conf_path
    from biblatex_fields import data_model as derived

    made = derived(conf_path())
    assert made["fields"] == data_model()["fields"] and made["mandatory"] == data_model()["mandatory"]
    assert "journaltitle" in made["fields"]["article"] and "file" not in made["fields"]["article"]  # type: ignore[index]


def test_every_bundled_reading_list_gives_biber_no_warning(bundled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The reading list (8 items) of every theme of the bundled dataset as a .bib: biber finds nothing to warn
    about against biblatex's data model (no field or type outside it, nothing mandatory missing)."""
    root, _ = bundled
    themes = [t["id"] for t in json.loads(_run("themes", "-p", str(root), "-f", "json"))]
    assert len(themes) == 40
    together = []  # (one biber run for all: each list's keys prefixed with its theme, so none is a duplicate)
    for theme in themes:
        text = _run("reading-list", theme, "-p", str(root), "-f", "bibtex")
        fields = _fields(text)
        assert fields and all(not (f & set(LEAKS)) and "note" not in f for f in fields.values()), theme
        assert all({"addendum", "title"} <= f for f in fields.values())  # (the reason; only works one can find)
        together.append(re.sub(r"^(@\w+\{)", rf"\g<1>{theme}--", text, flags=re.M))
    bib = tmp_path / "reading-lists.bib"
    bib.write_text("\n".join(together), encoding="utf-8")
    assert len(_fields(bib.read_text(encoding="utf-8"))) > 200
    assert _biber(bib) == []


def test_the_whole_bundled_bibliography_warns_only_of_titles_it_does_not_have(bundled, input_entries: dict[str, str],
                                                                               tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    """Every work as a .bib: what biber still names is a mandatory field of a work whose title the dataset does
    not know (known only from how a text cites it), which no type without a title can hold; none is made up."""
    root, _ = bundled
    bib = tmp_path / "all.bib"
    _run("export", "-p", str(root), "-f", "bibtex", "-o", str(bib))
    warned = set()
    for warning in _biber(bib):
        found = re.search(r"Entry '([^']+)' .*Missing mandatory field '(\w+)'", warning)
        assert found is not None, warning
        warned.add(found.group(1))
    untitled = {k for k in input_entries if not _input_has(input_entries, k, "title")}
    assert warned == untitled and 0 < len(untitled) < len(input_entries) / 2


def test_reasons_go_to_addendum_and_the_handout(bundled) -> None:  # type: ignore[no-untyped-def]
    root, _ = bundled
    items = json.loads(_run("reading-list", "user-participation", "-p", str(root), "-f", "json"))["items"]
    bib = _run("reading-list", "user-participation", "-p", str(root), "-f", "bibtex")
    handout = _run("reading-list", "user-participation", "-p", str(root), "-f", "md")
    for item in items:
        entry = next(b for b in re.split(r"\n(?=@)", bib) if re.match(rf"@\w+\{{{re.escape(item['key'])},", b))
        assert f"addendum = {{{item['reason']}}}" in entry
        assert item["reason"] in handout
    classic = _run("reading-list", "user-participation", "-p", str(root), "-f", "bibtex-classic")
    assert f"note = {{{items[0]['reason']}}}" in classic


def test_keep_fields_keeps_what_the_user_names(bundled) -> None:  # type: ignore[no-untyped-def]
    root, _ = bundled
    plain = _fields(_run("export", "-p", str(root), "-f", "bibtex"))
    kept = _fields(_run("export", "-p", str(root), "-f", "bibtex", "--keep-fields", "note,confidence"))
    assert not any("confidence" in f for f in plain.values())
    assert kept["aarre2010"] >= {"note", "confidence"} and "provenance" not in kept["aarre2010"]


def test_the_whole_bundled_bibliography_runs_clean_through_bibtex_plain(bundled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, _ = bundled
    bib = tmp_path / "refs.bib"
    _run("export", "-p", str(root), "-f", "bibtex-classic", "-o", str(bib))
    out = _bibtex_plain(bib)
    assert "Warning" not in out and "error" not in out.lower(), out
    bbl = bib.with_suffix(".bbl").read_text(encoding="utf-8")
    assert "Repper" in bbl and "Journal of Mental Health" in bbl


def _dated(bib: str) -> str:
    """The export with `undated = {...}` in each entry that has no date (litgraph asks why a work has none)."""
    blocks = re.split(r"\n(?=@)", bib)
    return "\n".join(
        re.sub(r"^(@\w+\{[^,\n]+,)", r"\1\n  undated = {the export gives none},", b, count=1)
        if b.startswith("@") and not re.search(r"^\s*(date|year)\s*=", b, re.M | re.I)
        else b
        for b in blocks
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/bib is not beside the repository")
@pytest.mark.parametrize("name", BBT_EXPORTS)
def test_a_better_bibtex_export_leaks_no_abstract_file_or_keywords(make_project: MakeProject, tmp_path: Path,
                                                                    name: str) -> None:  # fmt: skip
    root = make_project()
    source = (CORPUS / name).read_text(encoding="utf-8")
    (root / "bibliography" / name).write_text(_dated(source), encoding="utf-8")
    build(open_project(root))
    assert re.search(r"^\s*(file|abstract|keywords)\s*=", source, re.M | re.I)  # (the export has them)
    for fmt in ("bibtex", "bibtex-classic"):
        bib = tmp_path / f"{fmt}.bib"
        _run("export", "-p", str(root), "-f", fmt, "-o", str(bib))
        fields = _fields(bib.read_text(encoding="utf-8"))
        assert len(fields) == source.count("\n@") + source.startswith("@") - len(
            re.findall(r"\n@(comment|string|preamble)", source, re.I)
        )
        assert all(not (f & set(LEAKS)) for f in fields.values()), fields
        if fmt == "bibtex":  # (what is left: the export's own ISSN typo, which is bibliographic and kept)
            assert [w for w in _biber(bib) if "Invalid ISSN" not in w] == []
        else:
            out = _bibtex_plain(bib)
            assert "Warning" not in out, out
