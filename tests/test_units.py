"""Stage 3: the graph in units, each built, checked and loaded again only when what it is made from changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litgraph import build, open_project
from litgraph.plumbing.chunks import cut
from litgraph.s3_graph import unit_files

from .conftest import MakeProject

BIB = "".join(
    f"@book{{w{i}, author = {{Hansen, Anne and Berg, Ola{i}}}, title = {{Work {i}}}, year = 2020}}\n" for i in range(40)
)
CLAIMS = "claims:\n" + "".join(
    f"  - {{id: c{i}, source: w{i % 40}, reported_in: w{(i + 1) % 40}, text: Claim {i}., lang: en, themes: [trust]}}\n"
    for i in range(60)
)


@pytest.fixture
def built(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """A project in small units (8 members each, about), built; the names of the units each build makes."""
    import litgraph.s3_graph.units as units

    monkeypatch.setattr(units, "PER_UNIT", 8)
    made: list[str] = []
    real = unit_files.write_unit
    monkeypatch.setattr(
        unit_files, "write_unit", lambda folder, unit, *a: made.append(unit.name) or real(folder, unit, *a)
    )
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    build(open_project(root))
    return root, made


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=6), unique=True, max_size=60), st.text(min_size=1, max_size=6))
def test_cuts_are_made_by_content_so_a_new_key_changes_one_piece(keys: list[str], new: str) -> None:
    keys = sorted(keys)
    before = cut(keys, 4)
    assert [k for piece in before for k in piece] == keys
    after = cut(sorted({*keys, new}), 4)
    changed = [p for p in after if p not in before]
    assert len(changed) <= (1 if new not in keys else 0) or (len(changed) == 2 and len(after) == len(before) + 1)


def test_a_rebuild_builds_only_the_units_an_edit_touched(built: tuple[Path, list[str]]) -> None:
    root, made = built
    kinds = {name.split(" ")[0] for name in made}
    assert kinds == {"ontology", "works", "agents", "questions", "claims"} and len(made) > 12
    made.clear()
    claims = root / "bibliography/claims/c.yaml"
    claims.write_text(claims.read_text().replace("text: Claim 17.", "text: Claim seventeen."), encoding="utf-8")
    build(open_project(root))
    assert len(made) == 1 and made[0].startswith("claims ")  # the unit of claim 17, no other
    made.clear()
    bib = root / "bibliography/refs.bib"
    bib.write_text(bib.read_text().replace("title = {Work 5}", "title = {Work five}"), encoding="utf-8")
    build(open_project(root))
    assert [n.split(" ")[0] for n in made] == ["works"]  # the people are as they were
    made.clear()
    bib.write_text(bib.read_text().replace("Berg, Ola5", "Berg, Olav"), encoding="utf-8")
    build(open_project(root))
    assert sorted(n.split(" ")[0] for n in made) in (["agents", "works"], ["agents", "agents", "works"])
    made.clear()
    build(open_project(root))
    assert made == []  # nothing changed: nothing built


def test_a_unit_whose_files_are_missing_or_damaged_is_built_again(built: tuple[Path, list[str]]) -> None:
    root, made = built
    folder = root / ".litgraph/units"
    victim = sorted(folder.glob("*.ttl"))[3]
    victim.unlink()
    made.clear()
    build(open_project(root))
    assert len(made) == 1 and victim.is_file()


def test_the_units_files_of_a_graph_that_is_gone_are_removed(built: tuple[Path, list[str]]) -> None:
    root, _ = built
    before = {p.name for p in (root / ".litgraph/units").iterdir()}
    claims = root / "bibliography/claims/c.yaml"
    claims.write_text(claims.read_text().replace("text: Claim 3.", "text: Claim three."), encoding="utf-8")
    build(open_project(root))
    after = {p.name for p in (root / ".litgraph/units").iterdir()}
    assert len(after - before) == 3 and len(before - after) == 3  # one unit's nt, ttl and jsonld replaced


def test_no_triple_is_in_two_units(bundled: tuple[Path, object]) -> None:
    """The store holds the units' triples together and takes a unit's out again by its file: that is right
    only while each triple belongs to one unit (each is about one of the unit's own members)."""
    root, _ = bundled
    seen: dict[str, str] = {}
    files = sorted((root / ".litgraph/units").glob("*.nt"))
    assert len(files) > 5
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            assert line not in seen, f"{line} is in {seen[line]} and {path.name}"
            seen[line] = path.name
    assert len(seen) > 5000
