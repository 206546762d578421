"""Kill loop: a rebuild stopped at random moments leaves site/ and the store as they were or as the build
would leave them, never a mix; the next build completes the work.

On a synthetic project (WORKS works), an edit is made that reaches every stage (claims' text, a claim
added, a .bib title); then ROUNDS times, on a fresh copy of the project built there, a rebuild is started
and sent SIGINT, SIGTERM or SIGKILL after a random share of the time a whole rebuild takes. After each stop
it checks that site/ (every file's bytes) and the store (every quad, the build's id aside) are those of
before the edit or those a build from nothing of the edited inputs writes, that no process the build
started outlives it by more than a second, and that the next build gives the new state and leaves nothing
behind. It prints a line per round and a count of outcomes.

    python bench/kill_loop.py                 # 20 rounds, 3,000 works
    python bench/kill_loop.py --rounds 50 --works 20000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_project


def site_of(root: Path) -> dict[str, str]:
    site = root / "site"
    return {
        str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def store_of(root: Path) -> set[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(root / ".litgraph" / "store"))
    found = {str(q) for q in store if not q.predicate.value.endswith("buildId")}
    del store
    return found


def build(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "litgraph", "build", "-q", "-p", str(root)], check=True, cwd=root,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def edit(root: Path) -> None:
    claims = sorted((root / "bibliography" / "claims").glob("*.yaml"))[0]
    text = claims.read_text(encoding="utf-8")
    text = text.replace("text: ", "text: Edited. ", 5)
    start = text.index("  - id: ")
    first = text[start : text.index("  - id: ", start + 1)]
    claims.write_text(text + first.replace("  - id: ", "  - id: killloop-", 1), encoding="utf-8")
    bib = sorted((root / "bibliography").glob("*.bib"))[0]
    bib.write_text(bib.read_text(encoding="utf-8").replace("title = {", "title = {Edited: ", 1), encoding="utf-8")


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += list(children - found)
            found |= children
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def round_(built: Path, work: Path, rng: random.Random, seconds: float, old: tuple, new: tuple) -> str:  # type: ignore[type-arg]
    shutil.rmtree(work, ignore_errors=True)
    # built here (a state folder copied from elsewhere is set aside and built anew, as it should be)
    shutil.copytree(built, work, symlinks=True, ignore=shutil.ignore_patterns(".litgraph", "site"))
    build(work)
    edit(work)
    how = rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
    delay = rng.uniform(0, seconds)
    process = subprocess.Popen([sys.executable, "-m", "litgraph", "build", "-q", "-p", str(work)], cwd=work,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    family: set[int] = set()
    end = time.perf_counter() + delay
    while time.perf_counter() < end and process.poll() is None:
        family |= descendants(process.pid)
        time.sleep(0.01)
    family |= descendants(process.pid)
    process.send_signal(how)
    code = process.wait()
    time.sleep(1.0)
    survivors = [p for p in family if alive(p)]
    now = (site_of(work), store_of(work))
    state = "old" if now == old else "new" if now == new else "MIXED"
    build(work)
    completed = (site_of(work), store_of(work)) == new and not list((work / ".litgraph" / "tmp").iterdir())
    line = (f"{how.name:<8} after {delay:5.2f}s: exit {code}, {state}; workers left: {len(survivors)}; "
            f"next build {'completes' if completed else 'DOES NOT COMPLETE'}")  # fmt: skip
    print(line, flush=True)
    return state if not survivors and completed else "FAILED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--works", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    signal.signal(
        signal.SIGINT, signal.default_int_handler
    )  # (started in the background, SIGINT may be ignored: builds would inherit that)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="litgraph-kill-") as tmp:
        # (every copy is a folder named "project": the site's title defaults to the folder's name)
        built = make_project(Path(tmp) / "built" / "project", args.works)
        build(built)
        old = (site_of(built), store_of(built))
        fresh = Path(tmp) / "fresh" / "project"
        shutil.copytree(built, fresh, ignore=shutil.ignore_patterns(".litgraph", "site"))
        edit(fresh)
        build(fresh)
        new = (site_of(fresh), store_of(fresh))
        timing = Path(tmp) / "timing" / "project"
        shutil.copytree(built, timing, symlinks=True, ignore=shutil.ignore_patterns(".litgraph", "site"))
        build(timing)
        edit(timing)
        seconds = build(timing)
        print(f"{args.works:,} works; a rebuild after the edit takes {seconds:.2f}s; {args.rounds} rounds", flush=True)
        outcomes = [round_(built, Path(tmp) / "work" / "project", rng, seconds, old, new) for _ in range(args.rounds)]
        counts = {k: outcomes.count(k) for k in ("old", "new", "MIXED", "FAILED")}
        print("outcomes: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if counts["MIXED"] or counts["FAILED"]:
            sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
