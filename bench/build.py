"""Benchmark: builds, rebuilds after each kind of edit, and cold questions, on a synthetic project; this
litgraph against a baseline in the same run.

The project (WORKS works, 3 claims each, in 10 .bib and 15 claims files) is generated here. Each version
gets its own copy of it and runs every step as a new `litgraph` process; the table gives both times and
their ratio (this one / the baseline: below 1 is faster). The baseline is another litgraph (`--baseline`:
a Python that has it installed, e.g. a virtual environment made from an older checkout) or, without one, a
bare bibtexparser parse of the same .bib files (for the first build only).

    python bench/build.py                                    # 100,000 works (about 10 minutes)
    python bench/build.py --works 10000 --baseline ../old/.venv/bin/python
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_project

BARE_PARSE = """
import sys, bibtexparser
for path in sys.argv[1:]:
    bibtexparser.parse_string(open(path, encoding="utf-8").read())
"""

# (sources and contested list everything unless told: the first 50, as a table shows, is what both versions
# are asked; `sources boundary-setting --limit 0` gives the whole listing, 45,000 works at 100,000)
QUESTIONS = {
    "sources boundary-setting": ["sources", "boundary-setting", "--limit", "50"],
    "sources boundary-setting --limit 0": ["sources", "boundary-setting", "--limit", "0"],
    "claims --theme trust": ["claims", "--theme", "trust"],
    "contested": ["contested", "--limit", "50"],
    "themes": ["themes"],
    "reading-list": ["reading-list", "user-participation", "--max", "8"],
}


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of a child process (which must succeed)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        # (from the temporary folder: `python -m litgraph` would import a litgraph/ in the working folder)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, cwd=tempfile.gettempdir())
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024


def _claims_file(root: Path) -> Path:
    found = sorted((root / "bibliography" / "claims").glob("*.yaml"))
    return found[min(3, len(found) - 1)]


def _first_claim(text: str) -> str:
    start = text.index("  - id: ")
    return text[start : text.index("  - id: ", start + 1)]


def edit_claim_text(root: Path) -> None:
    path = _claims_file(root)
    path.write_text(path.read_text(encoding="utf-8").replace("text: ", "text: Edited. ", 1), encoding="utf-8")


def add_claim(root: Path) -> None:
    path = _claims_file(root)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + _first_claim(text).replace("  - id: ", "  - id: bench-added-", 1), encoding="utf-8")


def add_citation(root: Path) -> None:
    """A claim read in a work that did not cite its source yet: the citation network gains an edge."""
    path = _claims_file(root)
    text = path.read_text(encoding="utf-8")
    first = _first_claim(text)
    source = re.search(r"source: (\S+)", first).group(1)  # type: ignore[union-attr]
    new = re.sub(r"reported_in: \S+", f"reported_in: {'w1' if source != 'w1' else 'w2'}", first)
    path.write_text(text + new.replace("  - id: ", "  - id: bench-cited-", 1), encoding="utf-8")


def add_dispute(root: Path) -> None:
    path = _claims_file(root)
    text = path.read_text(encoding="utf-8")
    second = text.index("  - id: ", text.index("  - id: ") + 1)
    end = text.index("  - id: ", second + 1)
    third = text[end + len("  - id: ") : text.index("\n", end)]
    path.write_text(text[:end] + f"    disputes: [{third}]\n" + text[end:], encoding="utf-8")


def edit_bib_title(root: Path) -> None:
    found = sorted((root / "bibliography").glob("*.bib"))
    path = found[min(4, len(found) - 1)]
    path.write_text(path.read_text(encoding="utf-8").replace("title = {", "title = {Edited: ", 1), encoding="utf-8")


def edit_theme_label(root: Path) -> None:
    path = root / "ontology" / "themes.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'"Trust"@en', '"Trust and confidence"@en', text, count=1), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "nothing changed": lambda root: None,
    "a claim's text edited": edit_claim_text,
    "a claim added": add_claim,
    "a claim giving a new citation": add_citation,
    "a dispute added": add_dispute,
    "a .bib entry's title edited": edit_bib_title,
    "a theme's label edited": edit_theme_label,
}


def steps(python: str, root: Path) -> dict[str, float]:
    """Every step's wall seconds (and the first build's peak MiB) for the litgraph of `python`."""
    litgraph = [python, "-m", "litgraph"]
    found: dict[str, float] = {}
    found["first build"], found["first build: peak MiB"] = run([*litgraph, "build", "-q", "-p", str(root)])
    for name, words in QUESTIONS.items():
        found[f"cold: {name}"], _ = run([*litgraph, *words, "-p", str(root), "-f", "json"])
    for name, edit in EDITS.items():
        edit(root)
        try:
            found[f"rebuild: {name}"], _ = run([*litgraph, "build", "-q", "-p", str(root)])
        except SystemExit as failed:  # (reported, and left out of the table)
            print(f"{python}: rebuild after {name}: {failed}", file=sys.stderr)
            found[f"rebuild: {name}"] = float("nan")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--baseline", help="a Python with the litgraph to compare against installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="litgraph-bench-") as tmp:
        made = make_project(Path(tmp) / "made", args.works)
        print(f"{args.works:,} works, {3 * args.works:,} claims", flush=True)
        results = {}
        for label, python in (("baseline", args.baseline), ("this", sys.executable)):
            if python is None:
                bibs = sorted(str(p) for p in (made / "bibliography").glob("*.bib"))
                results[label] = {"first build": run([sys.executable, "-c", BARE_PARSE, *bibs])[0]}
                continue
            root = Path(tmp) / label
            shutil.copytree(made, root)
            results[label] = steps(python, root)
            shutil.rmtree(root)
        base, this = results["baseline"], results["this"]
        name = "baseline" if args.baseline else "bare parse"
        print(f"{'step':<40} {name:>11} {'this':>9} {'ratio':>7}")
        for step, value in this.items():
            if step in base:
                unit = "" if "MiB" in step else "s"
                print(f"{step:<40} {base[step]:>10.2f}{unit:1} {value:>8.2f}{unit:1} {value / base[step]:>6.2f}x")
            else:
                print(f"{step:<40} {'':>11} {value:>8.2f}s")


if __name__ == "__main__":
    main()
