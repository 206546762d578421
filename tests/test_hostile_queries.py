"""Runaway queries: `litgraph query` has a time limit, a row limit, a nesting limit checked before parsing,
no SERVICE unless asked for, and stops at Ctrl-C; each a message, never a hang or a crash."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BIB = "".join(f"@book{{w{i}, author = {{Berg, Ola{i}}}, title = {{Work {i}}}, year = 2020}}\n" for i in range(30))
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from litgraph import build, init_project, open_project

    root = tmp_path_factory.mktemp("queries") / "project"
    init_project(root)
    (root / "bibliography" / "claims" / "example.yaml").unlink()
    (root / "bibliography" / "example.bib").write_text(BIB, encoding="utf-8")
    (root / "litgraph.toml").write_text("[limits]\nquery_seconds = 2\nquery_rows = 10\n", encoding="utf-8")
    build(open_project(root))
    return root


def _query(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "litgraph", "query", *args, "-p", str(root)], capture_output=True,
                            text=True, timeout=timeout, cwd=root)  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_a_query_that_runs_too_long_is_stopped_at_the_time_limit(project: Path) -> None:
    started = time.monotonic()
    result = _query(project, CARTESIAN)
    assert result.returncode == 1
    assert "did not finish in 2 s (query_seconds under [limits])" in result.stderr
    assert time.monotonic() - started < 30


def test_rows_beyond_the_limit_are_cut_and_said(project: Path) -> None:
    result = _query(project, "SELECT ?w WHERE { ?w a ?type }", "-f", "json")
    assert result.returncode == 0
    assert "cut at the row limit (query_rows under [limits])" in result.stderr
    assert '"truncated": true' in result.stdout


def test_deep_nesting_is_refused_before_the_parser_sees_it(project: Path) -> None:
    deep = "SELECT * WHERE { " + "(" * 5000 + "1" + ")" * 5000 + " }"
    result = _query(project, deep)
    assert result.returncode == 1 and "nests 5001 brackets deep; at most 200 are taken" in result.stderr


def test_service_is_refused_unless_asked_for(project: Path) -> None:
    result = _query(project, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert (
        result.returncode == 1
        and "asks another server (SERVICE)" in result.stderr
        and "--allow-service" in result.stderr
    )
    commented = "SELECT * WHERE { ?s ?p ?o } LIMIT 1  # SERVICE in a comment is no call"
    assert _query(project, commented).returncode == 0


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_an_allowed_service_that_never_answers_is_stopped_at_the_time_limit(project: Path, silent_server: str) -> None:
    result = _query(project, f"SELECT * WHERE {{ SERVICE <{silent_server}> {{ ?s ?p ?o }} }}", "--allow-service")
    assert result.returncode == 1
    assert "did not finish in 2 s" in result.stderr or "the query failed" in result.stderr


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_stops_a_running_query_and_its_process(project: Path) -> None:
    settings = project / "litgraph.toml"
    before = settings.read_text(encoding="utf-8")
    settings.write_text("[limits]\nquery_seconds = 600\n", encoding="utf-8")
    try:
        process = subprocess.Popen([sys.executable, "-m", "litgraph", "query", CARTESIAN, "-p", str(project)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=project)  # fmt: skip
        deadline = time.monotonic() + 60
        engine: list[int] = []
        while not engine and time.monotonic() < deadline:  # wait for the query's own process to be running
            engine = [
                c
                for c in _children(process.pid)
                if "multiprocessing" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")
            ]
            time.sleep(0.05)
        assert engine, "the query's process never started"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
        assert process.returncode == 130 and "Traceback" not in stderr
        deadline = time.monotonic() + 2
        while any(_alive(c) for c in engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(c) for c in engine), "the query's process outlived the command"
    finally:
        settings.write_text(before, encoding="utf-8")
        os.sync()
