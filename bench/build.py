"""Benchmark: `litgraph build` on synthetic projects of 1k, 10k and 100k works (3 claims each).

Prints, per size, the build's wall time and peak memory (a fresh `litgraph build` process) next to a
bare bibtexparser parse of the same .bib files (also a fresh process), and their ratio.

    python bench/build.py                   # 1k, 10k, 100k (the last takes several minutes)
    python bench/build.py --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_project

BARE_PARSE = """
import sys, bibtexparser
for path in sys.argv[1:]:
    bibtexparser.parse_string(open(path, encoding="utf-8").read())
"""


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated numbers of works")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'works':>8} {'claims':>8} {'bare parse':>11} {'build':>9} {'ratio':>6} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory(prefix="litgraph-bench-") as tmp:
        for size in sizes:
            root = make_project(Path(tmp) / f"p{size}", size)
            bibs = sorted(str(p) for p in (root / "bibliography").glob("*.bib"))
            bare, _ = run([sys.executable, "-c", BARE_PARSE, *bibs])
            build, peak = run([sys.executable, "-m", "litgraph", "build", "--quiet", "--project", str(root)])
            print(
                f"{size:>8,} {size * 3:>8,} {bare:>10.1f}s {build:>8.1f}s {build / bare:>5.1f}x {peak:>9,.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
