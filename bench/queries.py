"""Benchmark: cold queries from the local store against the naive way, on a synthetic project.

For each question (sources, contested, reading-list) it prints the wall time of a new `litgraph`
process answering from the store, next to the naive way in one process: parse every .bib and .yaml,
build an in-memory rdflib graph, run the same SPARQL. Also the time of a rebuild after one claims file
is edited (each a quick build, patched into the last one's outputs): one claim's text, a claim added, a
claim added that gives the citation network a new citation (read in a work that did not cite its source),
a dispute made between two claims.

    python bench/queries.py                  # 100,000 works, 300,000 claims (long: the naive way is slow)
    python bench/queries.py --works 10000
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_project

NAIVE = """
import sys, time, rdflib
from litgraph import open_project, load
from litgraph.graph import build_triples
from litgraph.rdfio import serialize
import litgraph.project
from litgraph.parsecache import ParseCache
litgraph.project.ParseCache = lambda folder: ParseCache(None)  # the naive way parses every file: no cache
start = time.perf_counter()
project = open_project(sys.argv[1])
loaded = load(project)
triples = build_triples(loaded.data, project.base_iri, loaded.data.evidence_iris)
graph = rdflib.Graph()
graph.parse(data=serialize(triples, "nt", "").decode(), format="nt")
theme = rdflib.URIRef(project.base_iri + "theme/boundary-setting")
query = '''PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?w (COUNT(?c) AS ?n) WHERE { ?c dcterms:subject/skos:broader* ?root ; dcterms:source ?w }
GROUP BY ?w ORDER BY DESC(?n) LIMIT 50'''
rows = list(graph.query(query, initBindings={"root": theme}))
print(time.perf_counter() - start)
"""

QUESTIONS = {
    "sources": ["sources", "boundary-setting"],
    "contested": ["contested"],
    "reading-list": ["reading-list", "user-participation", "--max", "8"],
}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--works", type=int, default=100_000)
    args = parser.parse_args()
    litgraph = [sys.executable, "-m", "litgraph"]
    with tempfile.TemporaryDirectory(prefix="litgraph-bench-") as tmp:
        root = make_project(Path(tmp) / "p", args.works)
        print(f"{args.works:,} works, {3 * args.works:,} claims", flush=True)
        build = timed([*litgraph, "build", "-q", "-p", str(root)])
        print(f"full build: {build:.1f}s", flush=True)
        out = subprocess.run([sys.executable, "-c", NAIVE, str(root)], check=True, capture_output=True, text=True)
        naive = float(out.stdout.strip())
        # each question in a new process: first right after the naive way has filled the memory (the page
        # cache emptied of the store and of Python's own files: the disk's speed shows), then again
        print(f"{'question':<14} {'store (cold)':>13} {'again':>7} {'naive':>9} {'speed-up':>9}")
        for name, words in QUESTIONS.items():
            cold = timed([*litgraph, *words, "-p", str(root), "-f", "json"])
            again = timed([*litgraph, *words, "-p", str(root), "-f", "json"])
            print(f"{name:<14} {cold:>12.2f}s {again:>6.2f}s {naive:>8.1f}s {naive / cold:>8.0f}x", flush=True)
        claims = sorted((root / "bibliography" / "claims").glob("*.yaml"))[0]
        text = claims.read_text(encoding="utf-8")  # one claim's text edited, as a user would
        claims.write_text(text.replace("text: ", "text: Edited. ", 1), encoding="utf-8")
        rebuild = timed([*litgraph, "build", "-q", "-p", str(root)])
        print(f"rebuild after editing one claim's text: {rebuild:.1f}s ({rebuild / build:.2f} of a full build)")
        text = claims.read_text(encoding="utf-8")  # one claim added: a copy of the first under a new id
        first = text[text.index("  - id: ") : text.index("  - id: ", text.index("  - id: ") + 1)]
        claims.write_text(text + first.replace("  - id: ", "  - id: bench-added-", 1), encoding="utf-8")
        rebuild = timed([*litgraph, "build", "-q", "-p", str(root)])
        print(f"rebuild after adding a claim:           {rebuild:.1f}s ({rebuild / build:.2f} of a full build)")
        text = claims.read_text(encoding="utf-8")  # a claim read in a work that did not cite its source yet
        cited = {(m[0], m[1]) for m in re.findall(r"source: (\S+)\n    reported_in: (\S+)", text)}
        source = re.search(r"source: (\S+)", first).group(1)  # type: ignore[union-attr]
        reporter = next(f"w{i}" for i in range(args.works) if (source, f"w{i}") not in cited and f"w{i}" != source)
        new = re.sub(
            r"reported_in: \S+", f"reported_in: {reporter}", first.replace("  - id: ", "  - id: bench-cited-", 1)
        )
        claims.write_text(text + new, encoding="utf-8")
        rebuild = timed([*litgraph, "build", "-q", "-p", str(root)])
        print(f"rebuild after a new citation:           {rebuild:.1f}s ({rebuild / build:.2f} of a full build)")
        text = claims.read_text(encoding="utf-8")  # a dispute made: the second claim disputes the third
        second = text.index("  - id: ", text.index("  - id: ") + 1)
        end = text.index("  - id: ", second + 1)
        third = text[end + len("  - id: ") : text.index("\n", end)]
        claims.write_text(text[:end] + f"    disputes: [{third}]\n" + text[end:], encoding="utf-8")
        rebuild = timed([*litgraph, "build", "-q", "-p", str(root)])
        print(f"rebuild after adding a dispute:         {rebuild:.1f}s ({rebuild / build:.2f} of a full build)")


if __name__ == "__main__":
    main()
