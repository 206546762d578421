"""Stage: the graph kept in units (graphunits.py): a rebuild builds only the units whose inputs changed, and
gives the bytes, store and pages that a build from nothing gives."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

import litgraph.project
from litgraph import build, open_project
from litgraph.graph import Unit
from litgraph.store import is_fresh, open_store

from .conftest import MakeProject

BIB_A = """
@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review of peer support}, year = 2011}
@book{borg2017, author = {Borg, Marit}, title = {Recovery}, year = 2017}
"""
BIB_B = """
@article{kilpatrick2017, author = {Kilpatrick, Emily and others}, title = {Peer support in practice}, year = 2017}
"""
NEW_WORK = "@report{nn2024, author = {Nordmann, Kari}, title = {Likepersoner}, year = 2024}\n"
CLAIMS_A = """
claims:
  - id: repper2011-boundaries
    source: repper2011
    reported_in: borg2017
    text: Closeness makes professional boundaries hard to keep.
    lang: en
    themes: [boundary-setting]
"""
CLAIMS_B = """
claims:
  - id: kilpatrick2017-roles
    source: kilpatrick2017
    text: Role clarity came first in the services studied.
    lang: en
    themes: [role-clarity]
    disputes: [repper2011-boundaries]
"""


pytestmark = pytest.mark.usefixtures("own_cache_key")


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the units each build makes (rather than keeps)."""
    names: list[str] = []
    real = litgraph.project.graph_units

    def spy(*args):  # type: ignore[no-untyped-def]
        def watched(unit: Unit):  # type: ignore[no-untyped-def]
            names.append(unit.name.split("/")[-1].split(" ")[0] if "/" in unit.name else unit.name)  # file names
            return unit.make()

        return [dataclasses.replace(u, make=lambda u=u: watched(u)) for u in real(*args)]

    monkeypatch.setattr(litgraph.project, "graph_units", spy)
    return names


def _project(make_project: MakeProject) -> Path:
    return make_project(
        {
            "bibliography/a.bib": BIB_A,
            "bibliography/b.bib": BIB_B,
            "bibliography/claims/a.yaml": CLAIMS_A,
            "bibliography/claims/b.yaml": CLAIMS_B,
        }
    )


def _built(make_project: MakeProject, made: list[str]) -> tuple[Path, Path]:
    """A project built once, and its units folder; `made` emptied."""
    root = _project(make_project)
    build(open_project(root))
    made.clear()
    return root, root / ".litgraph/units"


def _same_as_from_nothing(root: Path, tmp_path: Path) -> None:
    """The project's outputs equal those of a copy built without .litgraph and site/."""
    fresh = tmp_path / "from-nothing"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".litgraph", "site"))
    build(open_project(fresh))
    for name in ("graph.ttl", "graph.jsonld", "index.html", "contested.html", "works/repper2011.html"):
        assert (root / "site" / name).read_bytes() == (fresh / "site" / name).read_bytes(), name
    assert set(open_store(open_project(root))) == set(open_store(open_project(fresh)))


def test_a_rebuild_builds_only_what_an_edit_touched(make_project: MakeProject, made: list[str], tmp_path: Path) -> None:
    root = _project(make_project)
    build(open_project(root))
    assert sorted(made) == ["a.bib", "a.yaml", "agents", "b.bib", "b.yaml", "ontology", "questions"]
    made.clear()
    build(open_project(root))
    assert made == []  # nothing changed: every unit kept
    claims = root / "bibliography/claims/b.yaml"
    claims.write_text(CLAIMS_B.replace("came first", "came first, by far,"), encoding="utf-8")
    build(open_project(root), quick=False)  # (quick builds patch a claim's wording: see test_quick.py)
    assert made == ["b.yaml"]
    assert "came first, by far," in (root / "site/graph.ttl").read_text(encoding="utf-8")
    _same_as_from_nothing(root, tmp_path)
    claims.write_text(CLAIMS_B.replace("[role-clarity]", "[role-clarity, trust]"), encoding="utf-8")
    build(open_project(root))  # the store's rankings and counts change with a claim's themes
    _same_as_from_nothing(root, tmp_path)
    made.clear()
    (root / "bibliography/a.bib").write_text(BIB_A.replace("Recovery", "Recovery again"), encoding="utf-8")
    build(open_project(root))
    assert sorted(made) == ["a.bib", "agents"]  # the claims point at the same kinds of thing as before
    _same_as_from_nothing(root, tmp_path)
    made.clear()
    (root / "bibliography/b.bib").write_text(BIB_B + NEW_WORK, encoding="utf-8")
    build(open_project(root))
    assert sorted(made) == ["agents", "b.bib"]  # a new work: no claims file is built again
    _same_as_from_nothing(root, tmp_path)
    made.clear()
    (root / "bibliography/b.bib").write_text(BIB_B.replace("@article", "@book") + NEW_WORK, encoding="utf-8")
    build(open_project(root))
    assert sorted(made) == ["agents", "b.bib", "b.yaml"]  # a work's class changed: the claims on it are checked again
    _same_as_from_nothing(root, tmp_path)


def test_a_claim_moved_between_files_or_a_file_removed_leaves_no_trace(
    make_project: MakeProject, made: list[str], tmp_path: Path
) -> None:
    root, units = _built(make_project, made)
    before = {p.name for p in units.iterdir()}
    moved = CLAIMS_A.rstrip("\n") + CLAIMS_B.split("claims:", 1)[1]
    (root / "bibliography/claims/a.yaml").write_text(moved, encoding="utf-8")
    (root / "bibliography/claims/b.yaml").unlink()
    build(open_project(root))
    assert made == ["a.yaml"]
    _same_as_from_nothing(root, tmp_path)
    after = {p.name for p in units.iterdir()}
    assert len(after) == len(before) - 6  # b.yaml's record and five files gone, a.yaml's replaced
    assert not any(".tmp" in name for name in after)


def test_a_unit_whose_files_are_damaged_or_missing_is_built_again(
    make_project: MakeProject, made: list[str], tmp_path: Path
) -> None:
    root, units = _built(make_project, made)
    for path in units.glob("*.ttl"):
        if "came first in the services" in path.read_text(encoding="utf-8"):
            path.unlink()
    for path in units.glob("*.json"):
        if '"name":"agents"' in path.read_text(encoding="utf-8"):
            path.write_text('{"format": "1", "name": "agents", "digest": 7}', encoding="utf-8")  # not ours
    build(open_project(root))
    assert sorted(made) == ["agents", "b.yaml"]
    _same_as_from_nothing(root, tmp_path)


def test_a_claims_unit_stands_for_every_field_of_its_claims_but_where_they_stand() -> None:
    """Its inputs list the claim's fields one by one: a field added to Claim must be listed there (or
    named here as one that no triple reads)."""
    from dataclasses import fields, replace

    from litgraph.graph import graph_units
    from litgraph.model import Claim, Dataset, Work

    where = {"path", "line", "lines"}
    claim = Claim("c1", "w1", "Text.", "en", ["trust"], Path("c.yaml"), 3, reported_in="w2", locator="p. 4")

    def inputs(claim: Claim) -> bytes:
        works = {k: Work(k, "article", Path("r.bib"), 1) for k in ("w1", "w2")}
        data = Dataset(works=works, claims={claim.id: claim})
        (unit,) = [u for u in graph_units(data, "https://example.org/", {}) if u.name.startswith("claims ")]
        return unit.inputs()

    before = inputs(claim)
    for field in fields(Claim):
        value = getattr(claim, field.name)
        other = value + "x" if isinstance(value, str) else [*value, "x"] if isinstance(value, list) else "x"
        if field.name == "line":
            other = value + 1
        changed = inputs(replace(claim, **{field.name: other}))
        assert (changed == before) == (field.name in where), field.name


def test_units_store_and_pages_received_with_a_project_folder_are_not_trusted(
    make_project: MakeProject, made: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, units = _built(make_project, made)
    for path in units.glob("*.ttl"):
        with path.open("a", encoding="utf-8") as handle:
            handle.write('<urn:x:injected> <urn:x:says> "INJECTED" .\n')
    page = (root / "site/works/repper2011.html").stat().st_ino
    assert is_fresh(open_project(root))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))  # another key: another user's build
    assert not is_fresh(open_project(root))  # the store's state: not this user's, so no answer from it
    build(open_project(root))
    assert sorted(made) == ["a.bib", "a.yaml", "agents", "b.bib", "b.yaml", "ontology", "questions"]
    assert "INJECTED" not in (root / "site/graph.ttl").read_text(encoding="utf-8")
    assert (root / "site/works/repper2011.html").stat().st_ino != page  # the received pages: rendered again


def test_a_project_whose_state_cannot_be_written_still_validates_and_build_says_why(
    make_project: MakeProject,
) -> None:
    from click.testing import CliRunner

    from litgraph.cli import main

    root = _project(make_project)
    (root / ".litgraph").mkdir(exist_ok=True)
    (root / ".litgraph/units").write_text("a file where the units folder should be", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["validate", "-p", str(root)]).exit_code == 0
    exported = runner.invoke(main, ["export", "-p", str(root), "-f", "nt"])
    assert exported.exit_code == 0 and "Role clarity came first" in exported.output
    built = runner.invoke(main, ["build", "-p", str(root)])
    assert built.exit_code == 1 and "Traceback" not in built.output and "bug" not in built.output
    assert "cannot write the build's files" in built.output and ".litgraph/ and site/ must be writable" in built.output
    assert not (root / "site").exists()


def test_a_first_build_has_the_stores_index_made_beside_it_and_the_same_store(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build of a large project has what the store holds besides the graph (BibTeX, claims on
    themes, the views) made by a process of its own, from the inputs it reads itself: the same store."""
    import litgraph.store
    from litgraph.store import input_stats

    root = _project(make_project)
    build(open_project(root))
    made_here = set(open_store(open_project(root)))
    shutil.rmtree(root / ".litgraph")
    shutil.rmtree(root / "site")
    (root / ".litgraph").mkdir()
    (root / ".litgraph/index.tmp-1.nq").write_text("left by a build that was killed", encoding="utf-8")
    monkeypatch.setattr(litgraph.project, "INDEX_BESIDE", 0)  # (every project: the test's is small)

    def not_here(*args: object) -> None:
        raise AssertionError("the index was made in the build's own process")

    real = litgraph.store.index_quads
    monkeypatch.setattr(litgraph.store, "index_quads", not_here)  # (the worker process imports its own)
    build(open_project(root))
    assert set(open_store(open_project(root))) == made_here
    assert not list((root / ".litgraph").glob("index.tmp-*"))  # its file is gone once the store is written
    # inputs that are not the bytes the build read: the worker makes nothing (the build makes it itself)
    monkeypatch.setattr(litgraph.store, "index_quads", real)
    project = open_project(root)
    stats = input_stats(project)
    path = root / ".litgraph" / "index.nq"
    assert litgraph.project._prepared_index(project, stats, path) is not None and path.stat().st_size > 0
    stats[next(iter(stats))][0] += 1
    assert litgraph.project._prepared_index(project, stats, root / ".litgraph" / "other.nq") is None


STRICT_SHAPE = """
lgs:EveryClaimLocated a sh:NodeShape ;
    sh:targetClass lg:Claim ;
    sh:property [ sh:path lg:locator ; sh:minCount 1 ; sh:message "test: every claim has a locator" ] .
"""


def test_a_graph_checked_while_the_store_is_written_changes_nothing_when_it_breaks_the_shapes(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A whole build checks its graph against the shapes in a process of its own while it writes the units'
    files and a new store beside the old one; violations still stop it before the store, site/ or the
    units' records change."""
    import litgraph.shacl
    from litgraph.errors import GraphError

    checks: list[object] = []

    class Watched(litgraph.shacl.Background):  # type: ignore[misc,name-defined]
        def __init__(self, *args: object) -> None:
            super().__init__(*args)
            checks.append(self)

    monkeypatch.setattr(litgraph.shacl, "BACKGROUND_SIZE", 0)  # (every graph: the bundled size is too small)
    monkeypatch.setattr(litgraph.shacl, "Background", Watched)
    root = _project(make_project)
    stages: list[str] = []
    build(open_project(root), stages.append)
    assert len(checks) == 1
    assert "writing the units' Turtle and JSON-LD while they are checked" in stages
    assert stages.index("waiting for the SHACL check") < len(stages) - 2  # (then the store is swapped in)

    def state() -> dict[str, object]:
        files = [p for p in (root / ".litgraph").rglob("*") if p.is_file() and "parsed" not in p.parts]
        return {
            **{str(p.relative_to(root)): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()},
            **{str(p.relative_to(root)): p.stat().st_mtime_ns for p in files if p.suffix != ".lock"},
        }

    before = state()
    shapes = root / "ontology/shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + STRICT_SHAPE, encoding="utf-8")
    with pytest.raises(GraphError, match="test: every claim has a locator"):
        build(open_project(root))
    assert len(checks) == 2  # checked in the background: a whole build, every unit built anew
    after = state()
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert changed <= {".litgraph/shacl-passed.txt"}  # (the pieces that passed: kept for the next check)
    assert before.keys() - after.keys() <= {".litgraph/quick.pickle"}  # (no quick build after a failed one)
    added = after.keys() - before.keys()  # the new units' files, without the records that would make them count
    assert added and all(k.startswith(".litgraph/units/") and not k.endswith(".json") for k in added)
    assert not list((root / ".litgraph").glob("store.tmp-*"))
    assert not is_fresh(open_project(root))  # the old store is there, never taken for the new inputs
    shapes.write_text(shapes.read_text(encoding="utf-8").replace(STRICT_SHAPE, ""), encoding="utf-8")
    build(open_project(root))
    assert is_fresh(open_project(root)) and (root / "site/works/repper2011.html").is_file()
    # what such a build recorded (units, pieces that passed, the store's pieces) is what later builds start
    # from: a quick one after an edit gives what a build from nothing gives
    claims = root / "bibliography/claims/a.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("hard to keep", "hard to hold"), encoding="utf-8")
    build(open_project(root))
    assert "hard to hold" in (root / "site/graph.ttl").read_text(encoding="utf-8")
    _same_as_from_nothing(root, tmp_path)


def test_a_second_build_of_a_project_waits_for_the_first(make_project: MakeProject) -> None:
    """Two builds of one project at once would write the same records and pages: the second waits."""
    import threading

    from filelock import FileLock

    root = _project(make_project)
    (root / ".litgraph").mkdir()
    held = FileLock(str(root / ".litgraph/build.lock"))
    held.acquire()  # as a build in another process holds it
    messages: list[str] = []
    done = threading.Event()

    def second() -> None:
        build(open_project(root), messages.append)
        done.set()

    thread = threading.Thread(target=second)
    thread.start()
    try:
        assert not done.wait(1.0)  # it waits, having said so, and has written nothing
        assert messages == ["waiting for another build of this project to finish"]
        assert not (root / "site").exists()
    finally:
        held.release()
        thread.join(120)
    assert done.is_set() and (root / "site/graph.ttl").is_file()
