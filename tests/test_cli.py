"""The command line, as a user meets it: exit codes, messages, files written or left alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import rdflib
from click.testing import CliRunner

from litgraph.cli.main import main

from .conftest import MakeProject

BIB = "@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review}, year = 2011}\n"
CLAIMS = """
claims:
  - id: repper2011-boundaries
    source: repper2011
    text: Keeping the friend and the professional role apart is hard.
    lang: en
    themes: [grensesetting]
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("litgraph, version ")
    code, out, _ = run("-h")
    assert code == 0 and "build" in out and "validate" in out


def test_usage_error_exits_2() -> None:
    code, _, err = run("build", "--no-such-option")
    assert code == 2 and "No such option" in err


def test_build_writes_graph_and_summary(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    code, out, err = run("build", "--project", str(root))
    assert code == 0, err
    assert "1 works, 1 claims, 40 themes" in out and "wrote site/graph.ttl, site/graph.jsonld" in out
    # progress goes to stderr: each stage named before it runs, its time after it
    stages = [line.strip().partition(" … ")[0] for line in err.splitlines() if " … " in line]
    assert stages[:4] == [
        "reading the ontology",
        "reading the bibliography",
        "reading the claims",
        "checking references",
    ]
    assert stages[4:6] == ["building the graph units whose inputs changed", "analysing while the graph units are built"]
    assert stages[6] == "checking 5 of 5 graph units against the SHACL shapes"
    assert stages[7:] == ["writing the store", "writing site/"]
    assert all(re.search(r" … \d+\.\ds$", line) for line in err.splitlines() if " … " in line)
    assert len(rdflib.Graph().parse(root / "site" / "graph.ttl")) > 500


def test_failed_build_lists_every_problem_and_leaves_site_alone(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    assert run("build", "-q", "-p", str(root))[0] == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / "bibliography" / "claims" / "c.yaml").write_text(
        CLAIMS.replace("grensesetting", "grensesettin").replace("source: repper2011", "source: repper2012")
    )
    code, out, err = run("build", "-q", "-p", str(root))
    assert code == 1
    assert "bibliography/claims/c.yaml:4: error: claim 'repper2011-boundaries': unknown BibTeX key 'repper2012'" in err
    assert "did you mean 'repper2011'?" in err
    assert "bibliography/claims/c.yaml:7:" in err and "did you mean 'boundary-setting'" in err
    assert "Traceback" not in out + err and "nothing was written" in err
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
    assert not list(root.glob(".site*"))  # no half-written leftovers


def test_validate_ok_and_json(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    code, out, _ = run("validate", "-p", str(root))
    assert code == 0 and out.startswith("ok: 1 works, 1 claims")
    (root / "bibliography" / "more.bib").write_text("@book{x, title = {T}}\n@book{repper2011, title={D}, year=1999}\n")
    code, out, _ = run("validate", "-p", str(root), "--format", "json")
    assert code == 1

    problems = json.loads(out)
    assert {(p["file"], p["line"]) for p in problems} == {("bibliography/more.bib", 1), ("bibliography/refs.bib", 1)}
    assert all(p["message"] and p["severity"] == "error" for p in problems)


def test_not_a_project(tmp_path: Path) -> None:
    code, _, err = run("build", "-p", str(tmp_path))
    assert code == 1 and "not a litgraph project" in err and "litgraph init" in err


def test_init_creates_a_project_that_builds(tmp_path: Path) -> None:
    target = tmp_path / "thesis"
    code, out, _ = run("init", str(target))
    assert code == 0 and "thesis/bibliography/example.bib" in out
    assert (target / "ontology" / "themes.yaml").exists() and not (target / "ontology" / "themes.ttl").exists()
    assert run("build", "-q", "-p", str(target))[0] == 0


def test_init_never_touches_an_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, _, err = run("init", str(target))
    assert code == 1 and "already exists" in err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_export_formats(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    graphs = []
    for fmt, parser in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        out_file = tmp_path / f"g.{fmt}"
        code, _, err = run("export", "-p", str(root), "--format", fmt, "-o", str(out_file))
        assert code == 0 and str(out_file) in err
        graphs.append(rdflib.Graph().parse(out_file, format=parser))
    assert len(graphs[0]) == len(graphs[1]) == len(graphs[2]) > 500
    code, out, _ = run("export", "-p", str(root))
    assert code == 0 and "@prefix bibo:" in out
