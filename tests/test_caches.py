"""Stage: the caches that let a rebuild redo only what changed (parsed inputs, SHACL pieces that passed)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import litgraph.shacl
import litgraph.workers
from litgraph import open_project
from litgraph.parsecache import ParseCache
from litgraph.project import build_graph
from litgraph.shacl import _chunks, check_shapes

from .conftest import MakeProject

BIB = """
@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review of peer support}, year = 2011}
@book{borg2017, author = {Borg, Marit}, title = {Recovery}, year = 2017}
"""
CLAIMS = """
claims:
  - id: repper2011-boundaries
    source: repper2011
    text: Closeness makes professional boundaries hard to keep.
    lang: en
    themes: [boundary-setting]
"""


pytestmark = pytest.mark.usefixtures("own_cache_key")


def test_a_file_is_parsed_again_only_when_its_bytes_change(tmp_path: Path) -> None:
    source = tmp_path / "refs.txt"
    source.write_text("one", encoding="utf-8")
    calls: list[str] = []

    def parse(path: Path) -> str:
        calls.append(path.read_text(encoding="utf-8"))
        return calls[-1].upper()

    cache = ParseCache(tmp_path / "parsed")
    assert cache.get(source, "test", parse) == "ONE"
    assert ParseCache(tmp_path / "parsed").get(source, "test", parse) == "ONE" and calls == ["one"]
    source.write_text("two", encoding="utf-8")
    assert ParseCache(tmp_path / "parsed").get(source, "test", parse) == "TWO" and calls == ["one", "two"]


class _Boom:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path("/").joinpath, ("pwned",))  # harmless here, but proves whether it would be called


def test_an_entry_written_by_someone_else_is_never_unpickled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "refs.txt"
    source.write_text("one", encoding="utf-8")
    cache = ParseCache(tmp_path / "parsed")
    cache.get(source, "test", lambda p: "ONE")
    (entry,) = (tmp_path / "parsed").glob("*.pickle")
    loaded: list[bytes] = []
    monkeypatch.setattr(pickle, "loads", lambda body: loaded.append(body))
    entry.write_bytes(b"\0" * 32 + pickle.dumps(_Boom()))  # a forged entry: no valid signature
    assert ParseCache(tmp_path / "parsed").get(source, "test", lambda p: "fresh") == "fresh"
    assert loaded == []


def test_a_rebuild_reads_claims_from_the_cache_and_sees_an_edit(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    project = open_project(root)
    build_graph(project)
    assert len(list((root / ".litgraph" / "parsed").glob("*.pickle"))) == 2
    claims = root / "bibliography" / "claims" / "c.yaml"
    claims.write_text(CLAIMS.replace("hard to keep", "hard to hold"), encoding="utf-8")
    loaded, _ = build_graph(project)
    assert loaded.data.claims["repper2011-boundaries"].text.endswith("hard to hold.")
    claims.unlink()
    build_graph(project)
    assert len(list((root / ".litgraph" / "parsed").glob("*.pickle"))) == 1  # the gone file's entry is pruned


def _graph(make_project: MakeProject) -> tuple[list[ox.Triple], Path, Path]:
    project = open_project(make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS}))
    _, triples = build_graph(project)
    return triples, project.ontology_file("shapes.ttl"), project.ontology_file("litgraph.ttl")


def test_pieces_that_passed_are_not_validated_again_but_a_new_fault_is_found(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    triples, shapes, vocabulary = _graph(make_project)
    cache = tmp_path / "passed.txt"
    assert check_shapes(triples, shapes, vocabulary, cache) == []
    assert cache.read_text(encoding="ascii").split()

    def must_not_run(*args: object) -> set[object]:
        raise AssertionError("a piece that passed was validated again")

    with monkeypatch.context() as patch:
        patch.setattr(litgraph.shacl, "_piece_violations", must_not_run)
        assert check_shapes(triples, shapes, vocabulary, cache) == []
    claim = next(t.subject for t in triples if t.subject.value.endswith("claim/repper2011-boundaries"))
    broken = [t for t in triples if not (t.subject == claim and t.predicate.value.endswith("/subject"))]
    messages = [str(v) for v in check_shapes(broken, shapes, vocabulary, cache)]
    assert any("at least one theme" in m for m in messages), messages
    assert [str(v) for v in check_shapes(broken, shapes, vocabulary, cache)] == messages  # failures never cached


def test_pieces_are_cut_by_content_so_an_edit_leaves_the_others_alone() -> None:
    triples = []
    for i in range(2000):
        subject = ox.NamedNode(f"https://example.org/claim/c{i}")
        triples += [ox.Triple(subject, ox.NamedNode(f"https://example.org/p{j}"), ox.Literal(str(j))) for j in range(5)]
    edited = list(triples)
    extra = ox.Triple(triples[3500].subject, ox.NamedNode("https://example.org/extra"), ox.Literal("x"))
    edited.insert(5 * 700 + 1, extra)

    def pieces(ts: list[ox.Triple]) -> list[frozenset[str]]:
        return [frozenset(map(str, piece)) for _, piece, _ in _chunks(ts, 400)]

    before, after = pieces(triples), pieces(edited)
    assert len(before) > 10
    assert len(set(before) - set(after)) == 1  # only the piece with the edited subject differs


def test_files_parsed_side_by_side_give_what_one_by_one_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import litgraph.parsecache
    from litgraph.claims import read_claim_file

    paths = []
    for i in range(3):
        paths.append(tmp_path / f"c{i}.yaml")
        paths[-1].write_text(CLAIMS.replace("repper2011-boundaries", f"claim-{i}"), encoding="utf-8")
    paths.append(tmp_path / "broken.yaml")
    paths[-1].write_text("claims:\n  - id: x\n    text: [unclosed\n", encoding="utf-8")
    one_by_one = [read_claim_file(p) for p in paths]
    monkeypatch.setattr(litgraph.parsecache, "PARALLEL_BYTES", 0)
    spawned: list[object] = []
    real_pool = litgraph.workers.ProcessPoolExecutor
    monkeypatch.setattr(litgraph.workers, "ProcessPoolExecutor", lambda **kw: spawned.append(kw) or real_pool(**kw))
    side_by_side = ParseCache(tmp_path / "parsed").get_many(paths, "claims", read_claim_file)
    assert spawned, "the files were not parsed in worker processes"
    assert [[c.id for c in claims] for claims, _ in side_by_side] == [["claim-0"], ["claim-1"], ["claim-2"], []]
    assert side_by_side == one_by_one  # problems (the broken file's, with its line) included
    assert side_by_side[3][1] and side_by_side[3][1][0].line is not None
    # the entries are the bytes the workers pickled: read back without parsing or spawning again
    spawned.clear()
    assert ParseCache(tmp_path / "parsed").get_many(paths, "claims", _never) == one_by_one
    assert not spawned


def _never(path: Path) -> object:
    raise AssertionError(f"{path} was parsed again")


def _store_quads(root: Path) -> set[str]:
    from litgraph.store import open_store

    store = open_store(open_project(root))
    quads = {str(q) for q in store}
    del store
    return quads


def test_a_rebuild_updates_the_store_in_place_to_what_a_cold_build_writes(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import litgraph.store
    from litgraph import build

    monkeypatch.setattr(litgraph.shacl, "CHUNK", 8)  # many pieces, so that an edit leaves most of them alone
    more = "".join(
        f"  - {{id: c{i}, source: borg2017, reported_in: repper2011, text: Claim {i}., lang: en, themes: [trust]}}\n"
        for i in range(12)
    )
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS + more})
    build(open_project(root))
    outcomes: list[bool] = []
    real = litgraph.store._update_in_place
    monkeypatch.setattr(litgraph.store, "_update_in_place", lambda *a: outcomes.append(real(*a)) or outcomes[-1])
    claims = root / "bibliography" / "claims" / "c.yaml"
    edited = (CLAIMS + more).replace("Claim 3.", "Claim three.").replace("  - {id: c7,", "  - {id: c7b,")
    claims.write_text(edited.replace("themes: [trust]}\n", "themes: [trust, stigma]}\n", 1), encoding="utf-8")
    bib = root / "bibliography" / "refs.bib"
    bib.write_text(BIB.replace("{Recovery}", "{Recovery in practice}"), encoding="utf-8")
    build(open_project(root))
    assert outcomes == [True]  # updated in place, not written anew
    updated = _store_quads(root)
    assert any("Claim three." in q for q in updated) and not any("claim/c7>" in q for q in updated)
    assert any("Recovery in practice" in q and "urn:litgraph:bibtex" in q for q in updated)
    shutil.rmtree(root / ".litgraph")
    build(open_project(root))
    assert updated == _store_quads(root)  # the same quads, in every graph, as a store written from scratch


def test_a_new_theme_hierarchy_rewrites_the_store(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    """The claims-on-themes index depends on the hierarchy, which no claim piece holds."""
    import shutil

    monkeypatch.setattr(litgraph.shacl, "CHUNK", 8)  # the claim in a piece of its own, untouched by the edit

    from litgraph import build
    from litgraph.queries import Graph, sources
    from litgraph.store import open_store

    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    build(open_project(root))
    themes = root / "ontology" / "themes.ttl"
    text = themes.read_text(encoding="utf-8")
    start = text.index("<theme/boundary-setting> a skos:Concept")
    end = text.index("skos:broader <theme/relationship> .", start)
    themes.write_text(text[:end] + "skos:broader <theme/stigma> ." + text[end + 35 :], encoding="utf-8")
    build(open_project(root))
    project = open_project(root)
    on_stigma = sources(Graph(open_store(project), project.base_iri), "stigma")
    assert [w["key"] for w in on_stigma["works"]] == ["repper2011"]  # boundary-setting is now under stigma
    updated = _store_quads(root)
    shutil.rmtree(root / ".litgraph")
    build(open_project(root))
    assert updated == _store_quads(root)


def _double(x: int) -> int:
    return 2 * x


def test_work_meant_for_workers_is_done_here_when_they_cannot_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """A program read from standard input cannot be imported by a spawned child: the pool breaks."""
    from concurrent.futures.process import BrokenProcessPool

    from litgraph.workers import parallel_map

    def broken(**kwargs: object) -> object:
        raise BrokenProcessPool("a child could not start")

    monkeypatch.setattr(litgraph.workers, "cores", lambda: 2)
    monkeypatch.setattr(litgraph.workers, "ProcessPoolExecutor", broken)
    assert parallel_map(_double, [1, 2, 3]) == [2, 4, 6]


def test_work_in_the_background_gives_its_result_or_error_and_can_be_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from litgraph.workers import Background, BackgroundMap

    assert Background(_double, 21).result() == 42
    assert BackgroundMap(_double, range(7), workers=2).result() == [0, 2, 4, 6, 8, 10, 12]  # in order
    assert Background(_double, 21).result() == Background(_double, 21).result()  # (a second call: the same)
    with pytest.raises(ValueError, match="invalid literal"):
        Background(int, "not a number").result()
    running = Background(time.sleep, 600)
    processes = list(running._map._pool._processes.values())  # type: ignore[union-attr]
    assert processes and all(p.is_alive() for p in processes)
    running.cancel()
    assert not any(p.is_alive() for p in processes)

    def broken(**kwargs: object) -> object:
        raise BrokenProcessPool("a child could not start")

    from concurrent.futures.process import BrokenProcessPool

    monkeypatch.setattr(litgraph.workers, "ProcessPoolExecutor", broken)
    assert Background(_double, 4).result() == 8  # done here, when asked for
    assert BackgroundMap(_double, [1, 2]).result() == [2, 4]


def test_a_program_read_from_standard_input_works_without_worker_noise() -> None:
    import subprocess
    import sys

    code = "from litgraph.workers import parallel_map\nprint(parallel_map(abs, [-1, -2, -3, -4]))\n"
    done = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "[1, 2, 3, 4]\n" and done.stderr == ""


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("ÅåØøÆæé\u0301\u0308ß½²İı -_.")))
def test_fold_is_the_character_by_character_definition(text: str) -> None:
    """fold runs on every work of the map's search index: its fast form must agree with the plain one."""
    import unicodedata

    from litgraph.suggest import fold

    plain = text.replace("ø", "o").replace("Ø", "o").replace("æ", "ae").replace("Æ", "ae")
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain.casefold()) if not unicodedata.combining(c))
    assert fold(text) == " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def test_a_build_runs_without_the_cycle_collector_and_turns_it_back_on(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import litgraph.project
    from litgraph.errors import InputError
    from litgraph.project import build

    seen: list[bool] = []
    real = litgraph.project.graph_units

    def spy(*args):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(litgraph.project, "graph_units", spy)
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    assert gc.isenabled()
    build(open_project(root))
    assert seen == [False] and gc.isenabled()
    (root / "bibliography" / "claims" / "c.yaml").write_text(CLAIMS.replace("repper2011\n", "nobody\n"), "utf-8")
    with pytest.raises(InputError):
        build(open_project(root))
    assert gc.isenabled()  # on again after a failed build too
    (root / "bibliography" / "claims" / "c.yaml").write_text(CLAIMS, "utf-8")
    gc.disable()
    try:
        build_graph(open_project(root))
        assert not gc.isenabled()  # a caller's own setting is left as it was
    finally:
        gc.enable()
