"""Interrupted builds: stopped at any stage (Ctrl-C, SIGTERM, kill -9), a build leaves site/ and the store
as they were or as the build would leave them, never mixed; its worker processes end within a second;
queries never answer from a mixed state; the next build removes what it left and completes the work.

Every kind of process a large build starts (graph units, work pages, the SHACL check, the store's
compaction) is started here on a small project: the thresholds are lowered in the build's own process.
(bench/kill_loop.py stops builds at random moments instead of at each stage.)"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_rebuilds import _site, _store

# Every threshold at its least: all the worker processes a large build starts, started here.
PRELUDE = """
import litgraph.s3_graph.unit_files as unit_files, litgraph.s3_graph.units as units, litgraph.s3_graph.shapes as shapes
import litgraph.s6_render.work_pages as work_pages, litgraph.pipeline as pipeline
unit_files.WORKER_UNITS, units.PER_UNIT, shapes.BACKGROUND_BYTES = 1, 8, 1
work_pages.PAGES_PER_WORKER, pipeline.COMPACT_BESIDE = 1, 0
from litgraph.cli.main import main
main()
"""
BIB = "".join(f"@book{{w{i}, author = {{Berg, Ola{i} and Dahl, Kari}}, title = {{Work {i}}}, year = {2000 + i % 20}}}\n"
              for i in range(60))  # fmt: skip
CLAIMS = "claims:\n" + "".join(
    f"  - {{id: c{i}, source: w{i % 60}, reported_in: w{(i * 7) % 60}, text: Claim {i} says something., lang: en,"
    f" themes: [{'trust' if i % 2 else 'boundary-setting'}]{', disputes: [c' + str(i - 1) + ']' if i % 9 == 0 and i else ''}}}\n"
    for i in range(120)
)
STAGES = [
    "reading the claims",
    "building the graph units",
    "writing the store",
    "writing site/",
    "compacting the store",
]


def _build_command(root: Path) -> list[str]:
    return [sys.executable, "-c", PRELUDE, "build", "-p", str(root)]


def _build(root: Path) -> None:
    result = subprocess.run(_build_command(root), capture_output=True, text=True, timeout=180, cwd=root)
    assert result.returncode == 0, result.stderr


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*") if Path(f"/proc/{current}/task").exists() else []:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project built before an edit (`before`) and one built from nothing after it (`after`)."""
    from litgraph import init_project

    base = tmp_path_factory.mktemp("interrupts")
    before = base / "before"
    init_project(before)
    (before / "bibliography" / "example.bib").unlink()
    (before / "bibliography" / "claims" / "example.yaml").unlink()
    (before / "bibliography" / "refs.bib").write_text(BIB, encoding="utf-8")
    (before / "bibliography" / "claims" / "c.yaml").write_text(CLAIMS, encoding="utf-8")
    _build(before)
    after = base / "after"
    shutil.copytree(before, after, ignore=shutil.ignore_patterns(".litgraph", "site"))
    _edit(after)
    _build(after)
    return before, after


def _edit(root: Path) -> None:
    """An edit that reaches every stage: a claim's text, a claim added (with a new citation), a title."""
    claims = root / "bibliography" / "claims" / "c.yaml"
    text = claims.read_text(encoding="utf-8").replace("Claim 5 says something.", "Claim 5 says something else.")
    claims.write_text(text + "  - {id: added, source: w3, reported_in: w59, text: A claim added., lang: en, themes: [trust]}\n",
                      encoding="utf-8")  # fmt: skip
    bib = root / "bibliography" / "refs.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace("title = {Work 7}", "title = {Work seven}"), encoding="utf-8"
    )


def _stop_at(root: Path, stage: str, how: signal.Signals) -> tuple[int, set[int], str]:
    """Start a build, signal it once `stage` shows in its progress; its exit code and the processes it had."""
    process = subprocess.Popen(_build_command(root), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=root)
    assert process.stderr is not None
    shown, family = b"", set()
    while stage.encode() not in shown:
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:  # (the build ended before that stage: nothing left to stop)
            process.wait(timeout=60)
            return process.returncode, family, shown.decode(errors="replace")
        shown += chunk
        family |= _descendants(process.pid)
    family |= _descendants(process.pid)
    process.send_signal(how)
    rest = process.stderr.read()
    process.stderr.close()
    return process.wait(timeout=60), family, (shown + rest).decode(errors="replace")


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "sigterm", "kill-9"])
@pytest.mark.parametrize("stage", STAGES)
def test_a_build_stopped_at_any_stage_leaves_the_old_or_the_new_never_a_mix(states: tuple[Path, Path], tmp_path: Path,
                                                                             stage: str, how: signal.Signals) -> None:  # fmt: skip
    before, after = states
    root = tmp_path / "project"  # (built here: a state folder copied from elsewhere is set aside, as it should)
    shutil.copytree(before, root, symlinks=True, ignore=shutil.ignore_patterns(".litgraph", "site"))
    _build(root)
    _edit(root)
    old_site, new_site = _site(before), _site(after)
    old_store, new_store = _store(before), _store(after)
    code, family, shown = _stop_at(root, stage, how)
    assert code in (0, 130, -signal.SIGTERM, -signal.SIGKILL, 128 + signal.SIGTERM), shown
    deadline = time.monotonic() + 1.0
    while any(_alive(p) for p in family) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not [p for p in family if _alive(p)], "a worker outlived its build by more than a second"
    assert _site(root) in (old_site, new_site), "site/ is a mix of the old and the new"
    assert _store(root) in (old_store, new_store), "the store is a mix of the old and the new"
    # a question now answers from the new inputs (building first where the build did not finish)
    result = subprocess.run([sys.executable, "-c", PRELUDE, "claims", "--source", "w3", "-f", "json", "-p", str(root)],
                            capture_output=True, text=True, timeout=180, cwd=root)  # fmt: skip
    assert result.returncode == 0 and "A claim added." in result.stdout, result.stderr
    _build(root)
    assert _site(root) == new_site and _store(root) == new_store
    assert not list((root / ".litgraph" / "tmp").iterdir()), "leftovers of the stopped build remain"
    assert not (root / ".litgraph" / "building").exists()
