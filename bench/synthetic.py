"""Synthetic litgraph projects of any size, for the benchmarks (deterministic for a given seed)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from litgraph.project import packaged_data

FAMILY = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Åkerblom",
    "Sjåfjell",
    "Bjørlykhaug",
    "Repper",
    "Carter",
    "Davidson",
    "Gillard",
    "Borg",
    "Karlsson",
    "Ødegård",
    "Ness",
    "Mead",
    "Walker",
    "Bryant",
    "Ibrahim",
]
GIVEN = ["Anne", "Knut", "Marit", "Bengt", "Julie", "Tim", "Steve", "Larry", "Kristina", "Øystein", "Åse"]
WORDS = [
    "peer",
    "support",
    "recovery",
    "mental",
    "health",
    "services",
    "experiential",
    "knowledge",
    "role",
    "participation",
    "user",
    "boundaries",
    "trust",
    "stigma",
    "implementation",
    "erfaring",
    "kompetanse",
]
THEMES = [
    "boundary-setting",
    "trust",
    "friendship-like-role",
    "tokenism",
    "role-clarity",
    "burnout-relapse",
    "experiential-knowledge",
    "participation-system",
    "recovery-orientation",
    "staff-attitudes",
]
EVIDENCE = ["qualitative-study", "survey", "systematic-review", "policy-document", "expert-opinion"]
PER_BIB_FILE = 10_000
PER_CLAIM_FILE = 20_000


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 10))).capitalize()


def bib_entry(rng: random.Random, index: int) -> str:
    authors = " and ".join(f"{rng.choice(FAMILY)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 4)))
    kind = rng.choice(["article", "article", "book", "report"])
    container = f"  journal = {{Journal of {rng.choice(WORDS).capitalize()} Studies}},\n" if kind == "article" else ""
    return (
        f"@{kind}{{w{index},\n  author = {{{authors}}},\n  title = {{{_title(rng)}}},\n{container}"
        f"  year = {{{rng.randint(1970, 2024)}}},\n  volume = {{{rng.randint(1, 60)}}},\n"
        f"  pages = {{{(p := rng.randint(1, 400))}--{p + rng.randint(5, 30)}}},\n}}\n\n"
    )


def claim_entry(rng: random.Random, index: int, works: int, claims: int) -> str:
    source = rng.randrange(works)
    themes = ", ".join(sorted(set(rng.sample(THEMES, rng.randint(1, 3)))))
    lines = [
        f"  - id: c{index}",
        f"    source: w{source}",
        f"    reported_in: w{rng.randrange(works)}",
        f'    locator: "s. {rng.randint(1, 300)}"',
        f"    text: {_title(rng)}.",
        "    lang: en",
        f"    themes: [{themes}]",
        f"    evidence: {rng.choice(EVIDENCE)}",
    ]
    if index % 10 == 0 and index > 0:
        lines.append(f"    disputes: [c{rng.randrange(index)}]")
    return "\n".join(lines) + "\n"


def make_project(root: Path, works: int, claims_per_work: int = 3, seed: int = 1) -> Path:
    """Write a project with `works` works and `claims_per_work` claims each under `root`."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "bibliography" / "claims").mkdir(parents=True)
    shutil.copytree(packaged_data() / "ontology", root / "ontology")
    (root / "litgraph.toml").write_text('[project]\nbase_iri = "https://example.org/bench/"\n', encoding="utf-8")
    for start in range(0, works, PER_BIB_FILE):
        text = "".join(bib_entry(rng, i) for i in range(start, min(works, start + PER_BIB_FILE)))
        (root / "bibliography" / f"part{start // PER_BIB_FILE:03d}.bib").write_text(text, encoding="utf-8")
    total = works * claims_per_work
    for start in range(0, total, PER_CLAIM_FILE):
        body = "".join(claim_entry(rng, i, works, total) for i in range(start, min(total, start + PER_CLAIM_FILE)))
        (root / "bibliography" / "claims" / f"part{start // PER_CLAIM_FILE:03d}.yaml").write_text(
            "claims:\n" + body, encoding="utf-8"
        )
    return root
