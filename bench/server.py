"""Benchmark: a synthetic project pushed to a local Oxigraph server, and questions asked of it next to the
same questions asked of the local store, in one run.

The project is the one bench/build.py generates (WORKS works, 3 claims each). Steps: the first build (not a
target, shown for scale); the full push; one claim's text edited, the rebuild, and the push after it (only
the changed parts travel); cold `sources` and `contested` (each a new `litgraph` process) on the local store
and on the server, with their ratio (server / local), after checking that both print the same JSON.

    python bench/server.py                 # 100,000 works (several minutes)
    python bench/server.py --works 10000

Targets at 100,000 works: full push <= 60 s, re-push after one claims edit <= 5 s, cold sources and
contested against the server <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import edit_claim_text, run
from synthetic import make_project

QUESTIONS = {"sources boundary-setting": ["sources", "boundary-setting"], "contested": ["contested"]}


def oxigraph() -> str:
    return shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def start_oxigraph(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """An Oxigraph server on a free loopback port, polled until it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([oxigraph(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.05)  # the next poll
    process.kill()
    raise SystemExit("the Oxigraph server did not answer within 60 s")


def answer(litgraph: list[str], words: list[str], root: Path, *more: str) -> bytes:
    done = subprocess.run([*litgraph, *words, "-p", str(root), "-f", "json", *more], capture_output=True, check=True)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--works", type=int, default=100_000)
    args = parser.parse_args()
    litgraph = [sys.executable, "-m", "litgraph"]
    with tempfile.TemporaryDirectory(prefix="litgraph-bench-server-") as tmp:
        root = make_project(Path(tmp) / "project", args.works)
        print(f"{args.works:,} works, {3 * args.works:,} claims", flush=True)
        rows: list[tuple[str, float | None, float]] = []
        rows.append(("first build (local)", None, run([*litgraph, "build", "-q", "-p", str(root)])[0]))
        server, url = start_oxigraph(Path(tmp) / "oxigraph")
        try:
            push = [*litgraph, "push", "-q", "-p", str(root), "--endpoint", url]
            loaded = run([oxigraph(), "load", "--lenient", "--location", str(Path(tmp) / "loaded"), "--file",
                          *map(str, sorted((root / ".litgraph" / "units").glob("*.nt")))])[0]  # fmt: skip
            rows.append(("full push (baseline: oxigraph load of the units)", loaded, run(push)[0]))
            edit_claim_text(root)
            rows.append(
                ("rebuild after one claims edit (local)", None, run([*litgraph, "build", "-q", "-p", str(root)])[0])
            )
            rows.append(("re-push after one claims edit", None, run(push)[0]))
            for name, words in QUESTIONS.items():
                if answer(litgraph, words, root) != answer(litgraph, words, root, "--endpoint", url):
                    raise SystemExit(f"{name}: the server's answer differs from the local store's")
                local = run([*litgraph, *words, "-p", str(root), "-f", "json"])[0]
                remote = run([*litgraph, *words, "-p", str(root), "-f", "json", "--endpoint", url])[0]
                rows.append((f"cold: {name} (baseline: the local store)", local, remote))
        finally:
            server.kill()
            server.wait()
        print(f"{'step':<52} {'baseline':>9} {'server':>9} {'ratio':>7}   (load average {os.getloadavg()[0]:.1f})")
        for step, local, remote in rows:
            if local is None:
                print(f"{step:<52} {'':>9} {remote:>8.2f}s")
            else:
                print(f"{step:<52} {local:>8.2f}s {remote:>8.2f}s {remote / local:>6.2f}x")


if __name__ == "__main__":
    main()
