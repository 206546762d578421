"""`litgraph extract` is safe with anything: a hostile `--as` key or a file in the way never makes it write
outside bibliography/citations/, and `--claims-stub` never replaces a file without `--force`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from litgraph.cli.main import main

from .conftest import MakeProject

LONG = "k" * 240  # a key litgraph reads (its page's name fits), but `extracted-KEY.yaml` is too long a name
BIB = f"""\
@article{{repper2011, author = {{Repper, Julie and Carter, Tim}}, title = {{A review}}, year = {{2011}}}}
@misc{{../../etc/x, author = {{Me, Myself}}, title = {{Climbing out}}, year = {{2024}}}}
@misc{{a/b, author = {{Me, Myself}}, title = {{A slash}}, year = {{2024}}}}
@misc{{.., author = {{Me, Myself}}, title = {{Dots}}, year = {{2024}}}}
@misc{{..draft, author = {{Me, Myself}}, title = {{Dots first}}, year = {{2024}}}}
@misc{{draft:2024@home, author = {{Me, Myself}}, title = {{Odd characters}}, year = {{2024}}}}
@misc{{{LONG}, author = {{Me, Myself}}, title = {{Long}}, year = {{2024}}}}
"""
DRAFT = "Peer workers (Repper & Carter, 2011) help.\n"


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    root = make_project({"bibliography/refs.bib": BIB})
    (root / "draft.md").write_text(DRAFT, encoding="utf-8")
    return root


def extract(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["extract", str(root / "draft.md"), "-p", str(root), *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (links as where they point), but the build's state, by path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if ".litgraph" in path.parts or "user-cache" in path.parts:
            continue
        found[str(path.relative_to(folder))] = os.readlink(path).encode() if path.is_symlink() else (
            path.read_bytes() if path.is_file() else b"<folder>")  # fmt: skip
    return found


def written_outside_citations(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    return sorted(n for n in changed if not n.startswith("project/bibliography/citations"))


@pytest.mark.parametrize(
    ("key", "written"),
    [
        pytest.param("../../etc/x", None, id="climbs-out"),
        pytest.param("a/b", None, id="slash"),
        pytest.param("..", None, id="dot-dot"),
        pytest.param("/etc/passwd", None, id="absolute"),
        pytest.param("..draft", "extracted-..draft.yaml", id="dots-in-a-key"),
        pytest.param("draft:2024@home", "extracted-draft%3A2024%40home.yaml", id="odd-characters-escaped"),
        pytest.param(LONG, None, id="name-too-long"),
    ],
)
def test_as_key_never_writes_outside_citations(project: Path, key: str, written: str | None) -> None:
    before = snapshot(project.parent)
    result = extract(project, "--as", key)
    after = snapshot(project.parent)
    assert "Traceback" not in result.output and "Internal error" not in result.output
    assert written_outside_citations(before, after) == []
    citations = project / "bibliography" / "citations"
    if written is None:
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
        assert not citations.exists() or not any(citations.iterdir())
    else:
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in citations.iterdir()) == [written]


def test_a_long_key_says_why_it_cannot_be_written(project: Path) -> None:
    result = extract(project, "--as", LONG)
    assert result.exit_code == 1 and "too long" in result.stderr.lower()


@pytest.mark.parametrize("link", ["folder", "file"])
def test_citations_that_lead_out_of_the_project_are_refused(project: Path, tmp_path: Path, link: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    victim = outside / "extracted-repper2011.yaml"
    victim.write_text("mine\n", encoding="utf-8")
    citations = project / "bibliography" / "citations"
    if link == "folder":
        citations.symlink_to(outside, target_is_directory=True)
    else:
        citations.mkdir()
        (citations / "extracted-repper2011.yaml").symlink_to(victim)
    result = extract(project, "--as", "repper2011")
    assert result.exit_code == 1 and "Traceback" not in result.output and "Internal error" not in result.output
    assert "out of the project" in result.stderr
    assert victim.read_text(encoding="utf-8") == "mine\n" and sorted(p.name for p in outside.iterdir()) == [victim.name]


@pytest.mark.parametrize("kind", ["file", "link-out", "dangling-link"])
def test_claims_stub_never_replaces_a_file_without_force(project: Path, tmp_path: Path, kind: str) -> None:
    stub = project / "stubs.yaml"
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(b"someone else's\r\n")
    if kind == "file":
        stub.write_bytes(b"claims: [mine]\r\n")
    elif kind == "link-out":
        stub.symlink_to(outside)
    else:
        stub.symlink_to(tmp_path / "nowhere.yaml")
    before = snapshot(tmp_path)
    refused = extract(project, "--claims-stub", str(stub))
    assert refused.exit_code == 1 and "exists" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.output and snapshot(tmp_path) == before
    forced = extract(project, "--claims-stub", str(stub), "--force")
    assert forced.exit_code == 0, forced.output
    assert not stub.is_symlink() and "source: repper2011" in stub.read_text(encoding="utf-8")
    assert outside.read_bytes() == b"someone else's\r\n" and not (tmp_path / "nowhere.yaml").exists()


def test_claims_stub_in_a_missing_folder_is_a_message(project: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    result = extract(project, "--claims-stub", str(tmp_path / "a-file" / "stubs.yaml"))
    assert result.exit_code == 1 and "Traceback" not in result.output and "Internal error" not in result.output
    assert "stubs.yaml" in result.stderr
