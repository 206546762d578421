"""Questions users ask of a built graph, answered from the local store with SPARQL.

User-supplied values reach SPARQL only as substitutions (pre-bound variables), never as query text.
Results are plain dicts, ready for the CLI's formatters and documented as the JSON output.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
import pyoxigraph as ox

from litgraph.errors import NotFoundError
from litgraph.lookup import ThemeLookup
from litgraph.model import Theme
from litgraph.namespaces import DCTERMS, LG, PREFIXES, SKOS, mint, unmint
from litgraph.suggest import did_you_mean

Row = dict[str, Any]
V = ox.Variable
PREFIX = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

INDEX = ox.NamedNode("urn:litgraph:index")  # store.INDEX_GRAPH (not imported: queries need not load store.py)
IDENTIFIER, NOTATION = ox.NamedNode(DCTERMS + "identifier"), ox.NamedNode(SKOS + "notation")
CITATION, REFERENCE = ox.NamedNode(LG + "citation"), ox.NamedNode(DCTERMS + "bibliographicCitation")
SUBJECT, SOURCE = ox.NamedNode(DCTERMS + "subject"), ox.NamedNode(DCTERMS + "source")
ON_THEME = ox.NamedNode(LG + "onTheme")  # in INDEX: a claim's themes, broader ones included
FEW_CHUNKS = 8  # up to this many chunks of the contested ranking are read one look-up each, more in one pass
FEW_GROUPS = 500  # up to this many contested groups are read one look-up each, more in one pass
BULK_KEYS = 5000  # above this many keys (or claims), one query for all and a filter beats one query each
CLAIM_FIELDS = """
  ?claim dcterms:identifier ?id ; lg:statement ?text ; dcterms:source ?work .
  ?work dcterms:identifier ?source .
  OPTIONAL { ?claim lg:locator ?locator }
  OPTIONAL { ?claim lg:reportedIn ?rep . ?rep dcterms:identifier ?reported_in }
  OPTIONAL { ?claim lg:evidence ?ev . ?ev skos:notation ?evidence }
  OPTIONAL { ?claim lg:onQuestion ?q . ?q dcterms:identifier ?question .
             ?claim lg:stance ?st . ?st skos:notation ?stance }
"""
CLAIM_ROW_FIELDS = ("id", "text", "source", "reported_in", "locator", "evidence", "question", "stance", "themes",
                    "source_citation", "reported_in_citation", "source_reference")  # fmt: skip
SOURCES_CLAIM_FIELDS = [f for f in CLAIM_ROW_FIELDS if f not in ("source_citation", "source_reference")]
WORK_FIELDS = """
  ?work dcterms:identifier ?key ; a ?class .
  OPTIONAL { ?work dcterms:title ?title }
  OPTIONAL { ?work dcterms:issued ?year }
  OPTIONAL { ?work dcterms:bibliographicCitation ?reference }
  OPTIONAL { ?work bibo:doi ?doi }
  OPTIONAL { ?work bibo:authorList|bibo:editorList ?list . ?list rdf:first ?a1 .
             OPTIONAL { ?a1 foaf:familyName ?f1 } OPTIONAL { ?a1 foaf:name ?n1 }
             OPTIONAL { ?list rdf:rest/rdf:first ?a2 .
                        OPTIONAL { ?a2 foaf:familyName ?f2 } OPTIONAL { ?a2 foaf:name ?n2 } }
             OPTIONAL { ?list rdf:rest/rdf:rest/rdf:first ?a3 } }
  OPTIONAL { ?work lg:moreAuthors ?more }
  OPTIONAL { ?work dcterms:type ?kind }
"""


def _value(term: Any) -> Any:
    return None if term is None else term.value


class Graph:
    """Read access to one project's store, with the theme scheme loaded for lookups."""

    def __init__(self, store: ox.Store, base_iri: str, themes: dict[str, Theme] | None = None):
        """`themes`: the scheme as another Graph of the same build loaded it (read once per process)."""
        self.store, self.base = store, base_iri
        self.themes = themes if themes is not None else self._load_themes()
        self.lookup = ThemeLookup(self.themes)

    def select(self, query: str, **bindings: ox.NamedNode | ox.Literal) -> list[Row]:
        result = self.store.query(PREFIX + query, substitutions={V(k): v for k, v in bindings.items()})
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        return [{n: _value(solution[n]) for n in names} for solution in result]  # type: ignore[union-attr]

    def iri(self, kind: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(mint(self.base, kind, local))

    def _load_themes(self) -> dict[str, Theme]:
        themes: dict[str, Theme] = {}
        rows = self.select("""SELECT ?id ?label ?kind ?broader WHERE {
            ?t a skos:Concept ; skos:notation ?id ; skos:inScheme ?s . ?s a skos:ConceptScheme .
            FILTER NOT EXISTS { ?t a lg:EvidenceType }
            OPTIONAL { { ?t skos:prefLabel ?label BIND("pref" AS ?kind) }
                       UNION { ?t skos:altLabel ?label BIND("alt" AS ?kind) }
                       UNION { ?t skos:definition ?label BIND("def" AS ?kind) } }
            OPTIONAL { ?t skos:broader/skos:notation ?broader } }""")
        langs = self.select("""SELECT ?id ?label (LANG(?label) AS ?lang) ?kind WHERE {
            ?t a skos:Concept ; skos:notation ?id .
            { ?t skos:prefLabel ?label BIND("pref" AS ?kind) } UNION { ?t skos:altLabel ?label BIND("alt" AS ?kind) }
            UNION { ?t skos:definition ?label BIND("def" AS ?kind) } }""")
        for row in rows:
            theme = themes.setdefault(row["id"], Theme(row["id"], {}))
            if row["broader"] and row["broader"] not in theme.broader:
                theme.broader.append(row["broader"])
        for row in langs:
            if row["id"] not in themes:
                continue
            theme = themes[row["id"]]
            if row["kind"] == "pref":
                theme.labels[row["lang"]] = row["label"]
            elif row["kind"] == "alt":
                theme.alt_labels.setdefault(row["lang"], []).append(row["label"])
            else:
                theme.definitions[row["lang"]] = row["label"]
        return themes

    # -- lookups ----------------------------------------------------------------------------------
    def theme(self, name: str) -> str:
        """The id of the theme `name` (id, nb/en label or synonym); NotFoundError with near matches."""
        theme_id = self.lookup.resolve(name)
        if theme_id is None:
            near = self.lookup.suggestions(name)
            hint = "did you mean " + " or ".join(f"'{n}'" for n in near) + "?" if near else "see `litgraph themes`"
            raise NotFoundError(f"no theme {name!r}; {hint}")
        return theme_id

    def work_key(self, key: str) -> str:
        """`key` if a work has it; NotFoundError naming the nearest keys."""
        known = "SELECT ?key WHERE { ?w dcterms:identifier ?key ; dcterms:bibliographicCitation ?c }"
        if self.select(known + " LIMIT 1", key=ox.Literal(key)):
            return key
        keys = [r["key"] for r in self.select(known)]
        raise NotFoundError(f"no work with the key {key!r}; {did_you_mean(key, keys) or 'check the spelling'}")

    # -- building blocks ----------------------------------------------------------------------------
    def claims_where(self, pattern: str, **bindings: ox.NamedNode | ox.Literal) -> list[Row]:
        """Claims matching a graph pattern on ?claim, each with its fields and a list of theme ids."""
        bound = " ".join(f"?{name}" for name in bindings if name != "claim")  # substituted variables must be projected
        rows = self.select(
            f"SELECT DISTINCT ?claim ?id ?text ?source ?reported_in ?locator ?evidence ?question ?stance {bound} "
            f"WHERE {{ {pattern} {CLAIM_FIELDS} }}",
            **bindings,
        )
        themes = self.select(
            f"SELECT DISTINCT ?claim ?theme {bound} WHERE {{ {pattern} ?claim dcterms:subject/skos:notation ?theme }}",
            **bindings,
        )
        by_claim: dict[str, list[str]] = defaultdict(list)
        for row in themes:
            by_claim[row["claim"]].append(row["theme"])
        for row in rows:
            row["themes"] = sorted(by_claim.get(row["claim"], []))
            for name in ("claim", *bindings):
                row.pop(name, None)
        return sorted(rows, key=lambda r: r["id"])

    def claim_rows(self, ids: list[str]) -> dict[str, Row]:
        """The claims `ids` with CLAIM_ROW_FIELDS, their works' citations included, read by index look-ups
        (a few hundred claims: no query to parse and plan per claim). A claim not found: id and no themes."""
        default, index = ox.DefaultGraph(), INDEX
        known: dict[tuple[ox.NamedNode, ox.NamedNode, Any], str | None] = {}

        def first(node: Any, predicate: ox.NamedNode, graph: Any = default) -> str | None:
            if (node, predicate, graph) not in known:
                found = next(self.store.quads_for_pattern(node, predicate, None, graph), None)
                known[node, predicate, graph] = None if found is None else found.object.value  # type: ignore[union-attr]
            return known[node, predicate, graph]

        claims: dict[str, Row] = {}
        for claim_id in ids:
            values: dict[str, Any] = {}  # predicate IRI -> its first object (a claim has one of each but themes)
            themes: list[str | None] = []
            for quad in self.store.quads_for_pattern(self.iri("claim", claim_id), None, None, default):
                if quad.predicate == SUBJECT:
                    themes.append(first(quad.object, NOTATION))
                values.setdefault(quad.predicate.value, quad.object)
            work, reporter = values.get(DCTERMS + "source"), values.get(LG + "reportedIn")
            question, stance = values.get(LG + "onQuestion"), values.get(LG + "stance")
            evidence, on_question = values.get(LG + "evidence"), question is not None and stance is not None
            source = first(work, IDENTIFIER) if work is not None else None
            if LG + "statement" not in values or IDENTIFIER.value not in values or source is None:  # as CLAIM_FIELDS
                claims[claim_id] = {"id": claim_id, "themes": []}
                continue
            reported_in = first(reporter, IDENTIFIER) if reporter is not None else None
            claims[claim_id] = {
                "id": values[IDENTIFIER.value].value,
                "text": values[LG + "statement"].value,
                "source": source,
                "reported_in": reported_in,
                "locator": values[LG + "locator"].value if LG + "locator" in values else None,
                "evidence": first(evidence, NOTATION) if evidence is not None else None,
                "question": first(question, IDENTIFIER) if on_question else None,
                "stance": first(stance, NOTATION) if on_question else None,
                "themes": sorted({t for t in themes if t is not None}),
                "source_citation": first(work, CITATION, index),
                "reported_in_citation": first(reporter, CITATION, index) if reported_in is not None else None,
                "source_reference": first(work, REFERENCE),
            }
        return claims

    def works(self, keys: list[str] | None = None) -> dict[str, Row]:
        """Display fields of the works with these keys (bound one by one), or of every work (one query)."""
        if keys is not None and len(keys) > BULK_KEYS:  # many keys: one query for all is faster than many
            wanted = set(keys)
            return {k: v for k, v in self.works().items() if k in wanted}
        if keys is None:
            rows = self.select(f"SELECT * WHERE {{ ?work dcterms:bibliographicCitation ?c . {WORK_FIELDS} }}")
        else:
            rows = []
            for key in keys:
                rows += self.select(
                    f"SELECT * WHERE {{ ?work dcterms:identifier ?key . {WORK_FIELDS} }}", key=ox.Literal(key)
                )
        grouped: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            grouped[row["key"]].append(row)
        return {key: _work_row(key, group) for key, group in grouped.items()}

    def ranking(self, theme_id: str, limit: int | None = None) -> tuple[list[tuple[str, int, int]], int]:
        """The works on a theme (narrower themes included) as (key, claims on it, citing works), most claims
        first, then most cited, then key, as `build` sorted them (store.py); and how many there are."""
        view = self.select(
            "SELECT ?root ?ranking WHERE { GRAPH <urn:litgraph:index> { ?root lg:ranking ?ranking } }",
            root=self.iri("theme", theme_id),
        )
        lines = view[0]["ranking"].split("\n") if view else []
        rows = []
        for line in lines[: limit or None]:
            key, claims, cited = line.split("\t")
            rows.append((key, int(claims), int(cited)))
        return rows, len(lines)

    def citations(self, keys: list[str]) -> dict[str, Row]:
        """{"citation": short, "reference": full} of the works with these keys: two fields, read cheaply."""
        query = (
            "SELECT ?key ?citation ?reference WHERE { ?w dcterms:identifier ?key . "
            "GRAPH <urn:litgraph:index> { ?w lg:citation ?citation } "
            "OPTIONAL { ?w dcterms:bibliographicCitation ?reference } }"
        )
        rows = [r for key in keys for r in self.select(query, key=ox.Literal(key))]
        return {r["key"]: {"citation": r["citation"], "reference": r["reference"]} for r in rows}

    def cited_by_counts(self) -> dict[str, int]:
        rows = self.select(
            "SELECT ?key (COUNT(DISTINCT ?citing) AS ?n) WHERE { ?citing cito:cites ?w . "
            "?w dcterms:identifier ?key } GROUP BY ?key"
        )
        return {r["key"]: int(r["n"]) for r in rows}

    def bibtex(self, keys: list[str]) -> str:
        """The .bib entries of these works as the user wrote them, in the given order."""
        entries = []
        for key in keys:
            rows = self.select(
                "SELECT ?w ?raw WHERE { GRAPH <urn:litgraph:bibtex> { ?w lg:bibtex ?raw } }", w=self.iri("work", key)
            )
            if rows:
                entries.append(rows[0]["raw"].strip())
        return "\n\n".join(entries) + "\n"


def _work_row(key: str, rows: list[Row]) -> Row:
    row = {name: next((r[name] for r in rows if r.get(name) is not None), None) for name in rows[0]}
    classes = sorted({r["class"].rsplit("/", 1)[-1] for r in rows if r["class"]} - {"Document"})
    year = int(str(row["year"])) if row.get("year") else None
    return {
        "key": key,
        "type": classes[0] if classes else "Document",
        "title": row.get("title"),
        "year": year,
        "first_author": row.get("f1") or row.get("n1"),
        "doi": row.get("doi"),
        "reference": row.get("reference"),
        "citation": _short(row, year),
    }


def _short(row: Row, year: int | None) -> str:
    """ "Repper & Carter 2011", "Gillard et al. 2015", "Helsedirektoratet 2014"."""
    first, second = row.get("f1") or row.get("n1"), row.get("f2") or row.get("n2")
    if not first:
        names = row.get("title") or row.get("kind") or row["key"]  # anonymous: "Bacheloroppgave 2023"
    elif row.get("a3") or (row.get("more") and second):
        names = f"{first} et al."
    elif second:
        names = f"{first} & {second}"
    else:
        names = f"{first}{' et al.' if row.get('more') else ''}"
    return f"{names} {year or 'n.d.'}"


@dataclass
class Side:
    stance: str
    claims: list[Row]


def theme_tree(graph: Graph) -> list[Row]:
    """Every theme in tree order with its depth, and the claims and works on it (narrower themes included),
    as counted by `build` in the store's index."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in graph.select(
        "SELECT ?id ?name ?n WHERE { ?t skos:notation ?id . GRAPH <urn:litgraph:index> { ?t ?p ?n } "
        "VALUES (?p ?name) { (lg:claimCount 'claims') (lg:claimCountWithNarrower 'claims_with_narrower') "
        "(lg:workCountWithNarrower 'works_with_narrower') } }"
    ):
        counts[row["id"]][row["name"]] = int(row["n"])
    result = []
    todo = [(root, 0) for root in reversed(graph.lookup.roots())]  # depth first, in tree order (a loop: a
    while todo:  # recursive closure would hold the graph, and so the store, in a cycle until a collection)
        theme_id, depth = todo.pop()
        theme = graph.themes[theme_id]
        result.append(
            {
                "id": theme_id,
                "depth": depth,
                "label_en": theme.labels.get("en"),
                "label_nb": theme.labels.get("nb"),
                "claims": counts[theme_id].get("claims", 0),
                "claims_with_narrower": counts[theme_id].get("claims_with_narrower", 0),
                "works_with_narrower": counts[theme_id].get("works_with_narrower", 0),
                "broader": theme.broader[0] if theme.broader else None,
            }
        )
        todo.extend((child, depth + 1) for child in reversed(sorted(graph.lookup.children.get(theme_id, []))))
    return result


THEME_PATTERN = "GRAPH <urn:litgraph:index> { ?claim lg:onTheme ?root }"  # narrower themes included
EXACT_PATTERN = "?claim dcterms:subject ?root ."


def sources(graph: Graph, theme: str, exact: bool = False, limit: int | None = None) -> Row:
    """Works with claims on a theme (and its narrower themes unless `exact`), most relevant first:
    most claims on the theme, then most cited within the graph, then newest.

    Works are ranked in one aggregate query; claims and details are fetched for the shown works only.
    """
    theme_id = graph.theme(theme)
    pattern = EXACT_PATTERN if exact else THEME_PATTERN
    root = graph.iri("theme", theme_id)
    tail = " ORDER BY DESC(?n) DESC(?cited) ?key" + (f" LIMIT {int(limit)}" if limit else "")
    if exact:
        ranked = graph.select(
            "SELECT ?w ?key ?n ?root (COUNT(?citing) AS ?cited) WHERE { "
            f"{{ SELECT ?w ?root (COUNT(?claim) AS ?n) WHERE {{ {pattern} ?claim dcterms:source ?w }} "
            "GROUP BY ?w ?root } ?w dcterms:identifier ?key . OPTIONAL { ?citing cito:cites ?w } } "
            "GROUP BY ?w ?key ?n ?root" + tail,
            root=root,
        )
        total = graph.select(
            f"SELECT ?root (COUNT(DISTINCT ?w) AS ?n) WHERE {{ {pattern} ?claim dcterms:source ?w }} GROUP BY ?root",
            root=root,
        )
    else:  # sorted once per build (store.py): one literal to read, not the theme's works to sort
        lines, n_works = graph.ranking(theme_id, limit)
        ranked = [{"w": graph.iri("work", key).value, "key": key, "n": n, "cited": cited} for key, n, cited in lines]
        total = [{"n": n_works}]
    shown = ranked
    info = graph.works([r["key"] for r in shown])
    works = []
    on, where = (SUBJECT, ox.DefaultGraph()) if exact else (ON_THEME, INDEX)
    for row in shown:  # each shown work's claims on the theme: index look-ups, a few per claim
        ids = []
        for quad in graph.store.quads_for_pattern(None, SOURCE, ox.NamedNode(row["w"]), ox.DefaultGraph()):
            minted = unmint(graph.base, quad.subject.value) if isinstance(quad.subject, ox.NamedNode) else None
            on_theme = next(graph.store.quads_for_pattern(quad.subject, on, root, where), None)
            if minted and minted[0] == "claim" and on_theme is not None:
                ids.append(minted[1])
        found = graph.claim_rows(sorted(ids))
        claims_on = [{f: r[f] for f in SOURCES_CLAIM_FIELDS} for r in found.values() if "text" in r]
        works.append({**info[row["key"]], "cited_by": int(row["cited"]), "claims": claims_on})
    return {
        "theme": theme_id,
        "themes": [theme_id] if exact else graph.lookup.with_narrower(theme_id),
        "total_works": int(total[0]["n"]) if total else 0,
        "works": works,
    }


def claims(
    graph: Graph,
    source: str | None = None,
    theme: str | None = None,
    reported_in: str | None = None,
    exact: bool = False,
) -> list[Row]:
    """Claims filtered by source work, theme (with narrower unless `exact`) and reporting work."""
    pattern, bindings = "?claim a lg:Claim .", {}
    if source:
        pattern += " ?claim dcterms:source ?s ."
        bindings["s"] = graph.iri("work", graph.work_key(source))
    if reported_in:
        pattern += " ?claim lg:reportedIn ?r ."
        bindings["r"] = graph.iri("work", graph.work_key(reported_in))
    if theme:
        pattern += " " + (EXACT_PATTERN if exact else THEME_PATTERN)
        bindings["root"] = graph.iri("theme", graph.theme(theme))
    rows = graph.claims_where(pattern, **bindings)
    info = graph.works(sorted({r["source"] for r in rows} | {r["reported_in"] for r in rows if r["reported_in"]}))
    for row in rows:
        row["source_citation"] = info.get(row["source"], {}).get("citation")
        row["reported_in_citation"] = info.get(row["reported_in"] or "", {}).get("citation")
    return rows


def _contested_groups(
    graph: Graph, theme_id: str | None, limit: int | None, with_rows: bool = True
) -> tuple[list[Row], dict[str, Row]]:
    """The ranked groups (all, or those touching `theme_id`), the first `limit`, and (`with_rows`) their
    claims' rows: only the ranking's chunks that name them are read, and only their groups
    (store.contested_quads)."""
    from litgraph.store import (
        CLAIM_ROWS,
        CONTESTED,
        CONTESTED_CHUNK,
        GROUP,
        RANKING_CHUNK,
        RANKS,
        entry_key,
        group_node,
    )

    store, index = graph.store, INDEX
    ranks: list[int] | None = None
    if theme_id is not None:
        found = next(store.quads_for_pattern(graph.iri("theme", theme_id), RANKS, None, index), None)
        ranks = [int(r) for r in found.object.value.split()] if found is not None else []  # type: ignore[union-attr]
        ranks = ranks[:limit] if limit else ranks
    elif limit:
        ranks = list(range(limit))
    numbers = sorted({r // CONTESTED_CHUNK for r in ranks}) if ranks is not None else None
    ranking: dict[int, list[list[Any]]] = {}
    if numbers is not None and len(numbers) <= FEW_CHUNKS:  # a few chunks: one look-up each
        for number in numbers:
            node = ox.NamedNode(f"{CONTESTED}{number}")
            for chunk in store.quads_for_pattern(node, RANKING_CHUNK, None, index):
                ranking[number] = orjson.loads(chunk.object.value)  # type: ignore[union-attr]
    else:  # many or all: every chunk
        for chunk in store.quads_for_pattern(None, RANKING_CHUNK, None, index):
            ranking[int(chunk.subject.value[len(CONTESTED) :])] = orjson.loads(chunk.object.value)  # type: ignore[union-attr]
    if ranks is None:
        entries = [e for n in sorted(ranking) for e in ranking[n]]
    else:  # each rank's entry (ranks past the last group have none)
        places = [divmod(r, CONTESTED_CHUNK) for r in ranks]
        entries = [ranking[n][i] for n, i in places if n in ranking and i < len(ranking[n])]
    keys = [entry_key(e) for e in entries]
    wanted = (GROUP, CLAIM_ROWS) if with_rows else (GROUP,)
    groups: dict[str, Row] = {}
    rows: dict[str, Row] = {}

    def take(key: str, quad: ox.Quad) -> None:
        if quad.predicate == GROUP:
            groups[key] = orjson.loads(quad.object.value)  # type: ignore[union-attr]
        elif quad.predicate in wanted:
            rows.update(orjson.loads(quad.object.value))  # type: ignore[union-attr]

    if len(keys) <= FEW_GROUPS:  # a listing's first groups: each read by its node
        for key in keys:
            for quad in store.quads_for_pattern(group_node(key), None, None, index):
                take(key, quad)
    else:  # many: every group, in one pass
        named = {group_node(k).value: k for k in keys}
        for predicate in wanted:
            for quad in store.quads_for_pattern(None, predicate, None, index):
                if quad.subject.value in named:  # type: ignore[union-attr]
                    take(named[quad.subject.value], quad)  # type: ignore[union-attr]
    return [groups[k] for k in keys if k in groups], rows


def contested(
    graph: Graph, theme: str | None = None, limit: int | None = None, known: dict[str, Row] | None = None
) -> list[Row]:
    """Contested questions and disputes, each with its sides, most sources taking part first.

    The groups are formed and ranked once per build (contestation.py, kept in the store's index graph,
    each group with its claims' rows); here they are filtered by theme and cut to `limit`.
    `known`: claim rows by id, when the caller has read every claim already (the site build)."""
    from litgraph.contestation import members

    candidates, rows = _contested_groups(graph, graph.theme(theme) if theme else None, limit, known is None)
    if known is not None:
        rows = {c: known.get(c, {"id": c, "themes": []}) for c in members(candidates)}
    return shown_groups(graph, candidates, rows)


def shown_groups(graph: Graph, groups: list[Row], rows: dict[str, Row]) -> list[Row]:
    """Ranked groups as `contested` shows them: with their questions' texts and their claims' rows."""
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    if any(g["kind"] == "question" for g in groups):
        for row in graph.select(
            "SELECT ?id ?text (LANG(?text) AS ?lang) WHERE { ?q a lg:Question ; "
            "dcterms:identifier ?id ; lg:statement ?text }"
        ):
            texts[row["id"]][row["lang"]] = row["text"]
    return [
        {
            "kind": group["kind"],
            "id": group["id"],
            "text": texts.get(group["id"], {}) if group["kind"] == "question" else {},
            "sources": group["sources"],
            **({"links": group["links"]} if group["kind"] == "dispute" else {}),
            "sides": [
                {"stance": stance, "claims": [dict(rows.get(c) or {"id": c, "themes": []}) for c in ids]}
                for stance, ids in group["sides"]
            ],
        }
        for group in groups
    ]


def run_query(store: ox.Store, sparql: str) -> Row:
    """A raw SPARQL query (read-only: the store is opened read-only and updates are not accepted)."""
    try:
        result = store.query(sparql, prefixes=dict(PREFIXES))
    except SyntaxError as exc:
        raise NotFoundError(f"the query is not valid SPARQL 1.1 (updates are not run): {exc}") from None
    if isinstance(result, bool | ox.QueryBoolean):
        return {"type": "ask", "boolean": bool(result)}
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return {"type": "select", "variables": names, "rows": [{n: _value(s[n]) for n in names} for s in result]}
    triples = list(result)
    return {"type": "graph", "triples": [[str(t.subject), str(t.predicate), str(t.object)] for t in triples]}


__all__ = ["Graph", "claims", "contested", "run_query", "sources", "theme_tree", "unmint"]
