"""Everything the map and the site pages show, read from the store in a few bulk queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from litgraph.model import Theme
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


def collect(graph: Graph, title: str) -> SiteData:
    works = graph.works()
    claims = graph.claims_where("?claim a lg:Claim .")
    for claim in claims:
        claim["source_citation"] = works.get(claim["source"], {}).get("citation", claim["source"])
        claim["reported_in_citation"] = works.get(claim["reported_in"] or "", {}).get("citation")
    rows = graph.select("SELECT ?a ?b WHERE { ?x cito:cites ?y . ?x dcterms:identifier ?a . ?y dcterms:identifier ?b }")
    cites = sorted({(r["a"], r["b"]) for r in rows})
    data = SiteData(
        title,
        graph.themes,
        theme_tree(graph),
        {k: sorted(v) for k, v in graph.lookup.children.items()},
        works,
        claims,
        cites,
        contested(graph),
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
    rows = graph.select(
        "SELECT ?a ?b WHERE { ?x lg:supports ?y . ?x dcterms:identifier ?a . ?y dcterms:identifier ?b }"
    )
    data.supports = sorted((r["a"], r["b"]) for r in rows)
    return data
