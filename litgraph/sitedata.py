"""Everything the map and the site pages show: from the inputs `build` has just loaded, or from the store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from litgraph.graph import citation_pairs, work_class
from litgraph.model import Dataset, Theme
from litgraph.queries import Graph, Row, contested, theme_tree


@dataclass
class SiteData:
    title: str
    themes: dict[str, Theme]
    tree: list[Row]  # theme_tree rows, in tree order
    children: dict[str, list[str]]
    works: dict[str, Row]
    claims: list[Row]
    cites: list[tuple[str, str]]
    groups: list[Row]  # contested questions and disputes
    supports: list[tuple[str, str]] = field(default_factory=list)
    claims_by_source: dict[str, list[Row]] = field(default_factory=dict)
    claims_by_reporter: dict[str, list[Row]] = field(default_factory=dict)
    claims_by_theme: dict[str, list[Row]] = field(default_factory=dict)
    cited_by: dict[str, list[str]] = field(default_factory=dict)
    cites_of: dict[str, list[str]] = field(default_factory=dict)

    def subtree(self, theme_id: str) -> list[str]:
        result, todo = [], [theme_id]
        while todo:
            current = todo.pop(0)
            result.append(current)
            todo.extend(self.children.get(current, []))
        return result


def _dataset_rows(data: Dataset) -> tuple[dict[str, Row], list[Row], list[tuple[str, str]], list[tuple[str, str]]]:
    """Works, claims, citations and supports as the store's queries give them, from the loaded inputs."""
    works: dict[str, Row] = {}
    for key in sorted(data.works):
        work = data.works[key]
        works[key] = {
            "key": key,
            "type": work_class(work.entry_type).rsplit("/", 1)[-1],
            "title": work.title,
            "year": work.year,
            "first_author": work.first_author_family,
            "doi": work.doi,
            "reference": work.reference,
            "citation": work.short_citation,
        }
    claims = [
        {
            "id": c.id,
            "text": c.text,
            "source": c.source,
            "reported_in": c.reported_in,
            "locator": c.locator,
            "evidence": c.evidence,
            "question": c.question if c.stance else None,
            "stance": c.stance if c.question else None,
            "themes": sorted(set(c.themes)),
        }
        for c in (data.claims[i] for i in sorted(data.claims))
    ]
    cites = citation_pairs(data)
    supports = sorted((c.id, other) for c in data.claims.values() for other in set(c.supports))
    return works, claims, cites, supports


def _store_rows(graph: Graph) -> tuple[dict[str, Row], list[Row], list[tuple[str, str]], list[tuple[str, str]]]:
    works = graph.works()
    claims = graph.claims_where("?claim a lg:Claim .")
    rows = graph.select("SELECT ?a ?b WHERE { ?x cito:cites ?y . ?x dcterms:identifier ?a . ?y dcterms:identifier ?b }")
    cites = sorted({(r["a"], r["b"]) for r in rows})
    rows = graph.select(
        "SELECT ?a ?b WHERE { ?x lg:supports ?y . ?x dcterms:identifier ?a . ?y dcterms:identifier ?b }"
    )
    return works, claims, cites, sorted((r["a"], r["b"]) for r in rows)


def collect(graph: Graph, title: str, loaded: Dataset | None = None) -> SiteData:
    """The site's data. `loaded`: the inputs this store was just built from (`build` has them in memory,
    and reading them back from the store would cost more than the rest of the site); otherwise the store's."""
    works, claims, cites, supports = _dataset_rows(loaded) if loaded is not None else _store_rows(graph)
    for claim in claims:
        claim["source_citation"] = works.get(claim["source"], {}).get("citation", claim["source"])
        claim["reported_in_citation"] = works.get(claim["reported_in"] or "", {}).get("citation")
        claim["source_reference"] = works.get(claim["source"], {}).get("reference")
    data = SiteData(
        title,
        graph.themes,
        theme_tree(graph),
        {k: sorted(v) for k, v in graph.lookup.children.items()},
        works,
        claims,
        cites,
        contested(graph, known={c["id"]: c for c in claims}),
    )
    by_source, by_reporter, by_theme = defaultdict(list), defaultdict(list), defaultdict(list)
    for claim in claims:
        by_source[claim["source"]].append(claim)
        if claim["reported_in"]:
            by_reporter[claim["reported_in"]].append(claim)
        for theme in claim["themes"]:
            by_theme[theme].append(claim)
    data.claims_by_source, data.claims_by_reporter, data.claims_by_theme = by_source, by_reporter, by_theme
    cited_by, cites_of = defaultdict(list), defaultdict(list)
    for citing, cited in cites:
        cited_by[cited].append(citing)
        cites_of[citing].append(cited)
    data.cited_by, data.cites_of = cited_by, cites_of
    data.supports = supports
    return data
