"""How well `litgraph extract` finds and resolves citations in the five texts (and in bench/extract_forms.txt,
written for the tests: ibid., several years, secondary citations, repeats, non-citations), against a hand-checked
gold file.

    python bench/extract_eval.py [--gold bench/extract_gold.tsv] [--seeds ../shared/seeds] [--errors]

Per citation occurrence: a resolved citation is right when the gold file has the same work for a citation
group (a bracket, or a narrative citation) that overlaps it. Precision = right / resolved; recall = gold
occurrences matched / gold occurrences. Throughput is measured over all five texts (best of 3 runs) and
printed next to a baseline run in the same command: reading the same text and scanning it once with a
bare year regex (the least any extractor must do), as a ratio.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from litgraph.api import works  # noqa: E402
from litgraph.gather.extract.extraction import Extractor, Found  # noqa: E402
from litgraph.project import open_project  # noqa: E402

TARGETS = {"precision": 0.98, "recall": 0.98, "MB/s": 1.0}
OWN_TEXTS = {"forms": REPO / "bench" / "extract_forms.txt"}  # written for the tests: always here


@dataclass(frozen=True)
class Gold:
    seed: str
    start: int
    end: int
    raw: str
    key: str


def read_gold(path: Path) -> list[Gold]:
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [Gold(r["seed"], int(r["start"]), int(r["end"]), r["raw"], r["key"]) for r in reader]


def seed_file(seeds: Path, prefix: str) -> Path:
    """The text a gold row's `seed` names: one of ../shared/seeds, or a text of the repo's own ("forms")."""
    if prefix in OWN_TEXTS:
        return OWN_TEXTS[prefix]
    (path,) = seeds.glob(f"{prefix}_*.txt")
    return path


def texts_at_hand(gold: list[Gold], seeds: Path) -> list[str]:
    """The gold's texts that are here: the repo's own always, the seeds where ../shared/seeds is beside it."""
    return sorted(p for p in {g.seed for g in gold} if p in OWN_TEXTS or seeds.is_dir())


@dataclass
class Score:
    resolved: int = 0
    right: int = 0
    gold: int = 0
    found: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.resolved if self.resolved else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0


def score(gold: list[Gold], found: list[Found], errors: list[str] | None = None) -> Score:
    """Precision and recall of resolved citations in one text against its gold rows (keys `?` not counted)."""
    result = Score()
    wanted = [g for g in gold if g.key != "?"]
    result.gold = len(wanted)
    matched: set[int] = set()
    for f in found:
        work = f.resolution.work
        if work is None:
            continue
        result.resolved += 1
        m = f.mention
        hit = next(
            (
                i
                for i, g in enumerate(wanted)
                if i not in matched and g.key == work.key and g.start < m.end and m.start < g.end
            ),
            None,
        )
        if hit is None:
            if errors is not None:
                errors.append(f"  wrong or extra: {' '.join(m.raw.split())!r} -> {work.key} (offset {m.start})")
            continue
        matched.add(hit)
        result.right += 1
    result.found = len(matched)
    if errors is not None:
        for i, g in enumerate(wanted):
            if i not in matched:
                near = [f for f in found if f.mention.start < g.end and g.start < f.mention.end]
                status = ", ".join(f"{f.resolution.status} {f.resolution.work.key if f.resolution.work else ''}"
                                   for f in near) or "not found"  # fmt: skip
                errors.append(f"  missed: {g.raw!r} = {g.key} ({status}; offset {g.start})")
    return result


def throughput(extractor: Extractor, texts: list[str]) -> tuple[float, float]:
    """MB/s of extraction and of the baseline (a bare year regex over the same text), best of 3 each."""
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    year = re.compile(r"\b(?:19|20)\d\d\b")

    def best(run: object) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            run()  # type: ignore[operator]
            times.append(time.perf_counter() - start)
        return size / min(times)

    return best(lambda: [extractor.extract_text(t) for t in texts]), best(
        lambda: [sum(1 for _ in year.finditer(t)) for t in texts]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=REPO / "bench" / "extract_gold.tsv")
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    parser.add_argument("--errors", action="store_true", help="list every wrong, extra and missed citation")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args()
    project = open_project(REPO)
    extractor = Extractor(works(project).values())
    gold = read_gold(args.gold)
    total = Score()
    print(f"{'text':<28} {'gold':>5} {'resolved':>9} {'right':>6} {'precision':>10} {'recall':>7}")
    for prefix in texts_at_hand(gold, args.seeds):
        path = seed_file(args.seeds, prefix)
        errors: list[str] = []
        s = score([g for g in gold if g.seed == prefix], extractor.extract(path), errors)
        print(f"{path.name:<28} {s.gold:>5} {s.resolved:>9} {s.right:>6} {s.precision:>10.3f} {s.recall:>7.3f}")
        if args.errors:
            print("\n".join(errors))
        for name in ("resolved", "right", "gold", "found"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
    row = f"{total.gold:>5} {total.resolved:>9} {total.right:>6} {total.precision:>10.3f} {total.recall:>7.3f}"
    print(f"{'all':<28} {row}")
    texts = [p.read_text(encoding="utf-8") for p in sorted(args.seeds.glob("*.txt"))] or [
        OWN_TEXTS["forms"].read_text(encoding="utf-8")
    ]
    speed, baseline = throughput(extractor, texts)
    print(
        f"throughput over the five texts: {speed:.2f} MB/s; baseline (year regex only) {baseline:.1f} MB/s; "
        f"extraction takes {baseline / speed:.0f}x the baseline's time"
    )
    met = total.precision >= TARGETS["precision"] and total.recall >= TARGETS["recall"] and speed >= TARGETS["MB/s"]
    print("targets (precision, recall >= 0.98; >= 1 MB/s):", "met" if met else "NOT met")
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
