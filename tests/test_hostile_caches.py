"""A project received from someone else, a home without a usable key, a link in place of the state folder:
nothing in .litgraph/ can run code or is trusted when it is not the user's own; builds take turns; worker processes
end with their build."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

import litgraph.plumbing.workers
from litgraph import build, open_project, sources
from litgraph.ask import up_to_date
from litgraph.plumbing.trust import KEY_BYTES, is_owned, key_file, user_key

from .conftest import MakeProject

BIB = "@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review}, year = 2011}\n"
CLAIMS = (
    "claims:\n  - {id: a, source: repper2011, text: Closeness blurs roles., lang: en, themes: [boundary-setting]}\n"
)
FILES = {"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS}


def test_the_state_holds_nothing_that_can_run_code(make_project: MakeProject) -> None:
    """No pickle anywhere in .litgraph/: SQLite, JSON, N-Triples, Turtle, JSON-LD, RocksDB's files."""
    root = make_project(FILES)
    build(open_project(root))
    for path in (root / ".litgraph").rglob("*"):
        if path.is_file():
            head = path.read_bytes()[:2]
            assert head not in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"), path  # pickle protocols 2-5


def test_a_state_folder_received_with_a_project_is_set_aside_and_built_anew(
    make_project: MakeProject, tmp_path: Path, own_cache_key: None
) -> None:
    """A colleague's .litgraph (copied, unpacked, cloned) is not this user's: nothing in it is read."""
    root = make_project(FILES)
    build(open_project(root))
    received = tmp_path / "received"
    shutil.copytree(root, received)  # (a copy: another folder identity, the same owner token)
    assert not is_owned(received / ".litgraph", user_key() or b"")
    (received / ".litgraph" / "state.sqlite").write_bytes(b"SQLite format 3\x00 crafted to crash a reader")
    summary = build(open_project(received))
    assert any("not made by your litgraph" in n for n in summary.notes)
    assert is_owned(received / ".litgraph", user_key() or b"")
    assert [w.key for w in sources(open_project(received), "boundary-setting").works] == ["repper2011"]


@pytest.mark.parametrize(
    "home",
    [
        pytest.param("unwritable", id="read-only-home"),
        pytest.param("missing", id="no-home"),
        pytest.param("empty-key", id="empty-key-file"),
    ],
)
def test_without_a_usable_key_nothing_is_trusted_and_the_project_still_builds(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: str
) -> None:
    root = make_project(FILES)
    cache = tmp_path / "cache"
    if home == "unwritable":
        cache = Path("/proc/self/no-such-cache")  # (a file system no one writes to, root included)
    elif home == "empty-key":
        (cache / "litgraph").mkdir(parents=True)
        (cache / "litgraph" / "cache-key").write_bytes(b"")  # left by a full disk on a first run
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache if home != "missing" else tmp_path / "nowhere" / "x"))
    if home == "missing":
        (tmp_path / "nowhere").write_text("a file where a folder should be", encoding="utf-8")
    key = user_key()
    if home == "empty-key":
        assert key is not None and len(key) == KEY_BYTES  # an empty key is replaced, never used
        assert key_file().read_bytes() == key
        return
    assert key is None
    summary = build(open_project(root))
    assert any("caching is off" in n for n in summary.notes)
    assert (root / "site" / "graph.ttl").is_file() and not (root / ".litgraph").exists()
    assert [w.key for w in sources(open_project(root), "boundary-setting").works] == ["repper2011"]
    assert not up_to_date(open_project(root))  # (nothing kept: every command builds anew)


def test_a_link_in_place_of_the_state_folder_is_removed_not_followed(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project(FILES)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("mine", encoding="utf-8")
    (root / ".litgraph").symlink_to(elsewhere)
    build(open_project(root))
    assert (root / ".litgraph").is_dir() and not (root / ".litgraph").is_symlink()
    assert [p.name for p in elsewhere.iterdir()] == ["precious.txt"]


def test_a_second_build_of_a_project_waits_for_the_first(make_project: MakeProject) -> None:
    """Two builds of one project at once would write the same state and outputs: the second waits."""
    from litgraph.plumbing.lock import project_lock
    from litgraph.plumbing.statefolder import prepare

    root = make_project(FILES)
    state = prepare(root)
    messages: list[str] = []
    done = threading.Event()

    def second() -> None:
        build(open_project(root), messages.append)
        done.set()

    with project_lock(state.path, exclusive=True):  # as a build in another process holds it
        thread = threading.Thread(target=second)
        thread.start()
        assert not done.wait(1.0)  # it waits, having said so, and has written nothing
        assert messages == ["waiting for another build of this project"]
        assert not (root / "site").exists()
    thread.join(120)
    assert done.is_set() and (root / "site/graph.ttl").is_file()


def _double(x: int) -> int:
    return 2 * x


def test_work_meant_for_workers_is_done_here_when_they_cannot_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """A program read from standard input cannot be imported by a spawned child: the pool breaks."""
    from concurrent.futures.process import BrokenProcessPool

    from litgraph.plumbing.workers import parallel_map

    def broken(**kwargs: object) -> object:
        raise BrokenProcessPool("a child could not start")

    monkeypatch.setattr(litgraph.plumbing.workers, "cores", lambda: 2)
    monkeypatch.setattr(litgraph.plumbing.workers, "ProcessPoolExecutor", broken)
    assert parallel_map(_double, [1, 2, 3]) == [2, 4, 6]


def test_work_in_the_background_gives_its_result_or_error_and_can_be_stopped() -> None:
    import time

    from litgraph.plumbing.workers import Background, BackgroundMap

    assert Background(_double, 21).result() == 42
    assert BackgroundMap(_double, range(7), workers=2).result() == [0, 2, 4, 6, 8, 10, 12]  # in order
    with pytest.raises(ValueError, match="invalid literal"):
        Background(int, "not a number").result()
    running = Background(time.sleep, 600)
    processes = list(running._map._pool._processes.values())  # type: ignore[union-attr]
    assert processes and all(p.is_alive() for p in processes)
    running.cancel()
    assert not any(p.is_alive() for p in processes)


def test_a_program_read_from_standard_input_works_without_worker_noise() -> None:
    import subprocess
    import sys

    code = "from litgraph.plumbing.workers import parallel_map\nprint(parallel_map(abs, [-1, -2, -3, -4]))\n"
    done = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "[1, 2, 3, 4]\n" and done.stderr == ""


def test_a_build_runs_without_the_cycle_collector_and_turns_it_back_on(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import litgraph.pipeline

    seen: list[bool] = []
    real = litgraph.pipeline.build_in
    monkeypatch.setattr(litgraph.pipeline, "build_in", lambda *a: seen.append(gc.isenabled()) or real(*a))
    assert gc.isenabled()
    build(open_project(make_project(FILES)))
    assert seen == [False] and gc.isenabled()
