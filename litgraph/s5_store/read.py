"""Stage 5, reading: look-ups in the local store (read-only) that every query is made of.

Values a user typed reach the store only as terms of a look-up (or bound variables of a query), never as
query text. The rows come back as the one shape each thing has (s4_analyse.rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import orjson
import pyoxigraph as ox

from litgraph.errors import NotFoundError
from litgraph.model import Question, Theme
from litgraph.namespaces import DCTERMS, LG, SKOS, lg, mint, unmint
from litgraph.s1_read.tables import claim_from
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.s4_analyse.rankings import RankedWork, ranking_of
from litgraph.s4_analyse.rows import ClaimRow, WorkRow, claim_row, work_row_of
from litgraph.s5_store.graphs import group_node, importance_chunk
from litgraph.s5_store.write import read_manifest
from litgraph.suggest import did_you_mean

SOURCE, SUBJECT = ox.NamedNode(DCTERMS + "source"), ox.NamedNode(DCTERMS + "subject")
REPORTED_IN, IDENTIFIER = ox.NamedNode(LG + "reportedIn"), ox.NamedNode(DCTERMS + "identifier")
TYPE, CONCEPT = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(SKOS + "Concept")
DEFAULT = ox.DefaultGraph()
ROW, RECORD = ox.NamedNode(lg("row")), ox.NamedNode(lg("claimRecord"))


def _one(store: ox.Store | QuadSource, s: ox.NamedNode | None, p: ox.NamedNode, o: object = None) -> ox.Quad | None:
    return next(store.quads_for_pattern(s, p, o, None), None)  # type: ignore[arg-type]


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term's value: the build writes IRIs, blank nodes and literals, never a quoted triple."""
    return cast(ox.NamedNode | ox.BlankNode | ox.Literal, term).value


class QuadSource(Protocol):
    """What the reader asks of a store: the local one (pyoxigraph), or a SPARQL server's (remote_store)."""

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]: ...


@dataclass
class StoreReader:
    """The project's store (or the graph pushed to a server), open read-only, with its theme scheme loaded."""

    store: ox.Store | QuadSource
    base: str
    lang: str = "en"
    path: Path = Path()

    def __post_init__(self) -> None:
        self.themes = self._themes()
        self.lookup = ThemeLookup(self.themes)
        self._works: dict[str, WorkRow] = {}

    @classmethod
    def open(cls, folder: Path, base: str, lang: str = "en") -> StoreReader:
        return cls(ox.Store.read_only(str(folder)), base, lang, folder)

    def build_id(self) -> str | None:
        return read_manifest(self.store, self.base)[1]  # type: ignore[arg-type]

    def prefetch(self, patterns: list[tuple[object, object, object]], graph: object = None) -> None:
        """Look-ups about to be made, asked at once where the store is a server (a local one needs not)."""
        fetch = getattr(self.store, "prefetch", None)
        if fetch is not None and patterns:
            fetch(patterns, graph)

    def _themes(self) -> dict[str, Theme]:
        props: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = {}
        concepts = list(self.store.quads_for_pattern(None, TYPE, CONCEPT, DEFAULT))
        self.prefetch([(c.subject, None, None) for c in concepts], DEFAULT)
        for concept in concepts:
            for quad in self.store.quads_for_pattern(concept.subject, None, None, DEFAULT):
                props.setdefault(quad.subject.value, {}).setdefault(quad.predicate.value, []).append(quad.object)  # type: ignore[union-attr, arg-type]
        notation = {s: v[SKOS + "notation"][0].value for s, v in props.items() if SKOS + "notation" in v
                    and ox.NamedNode(SKOS + "Concept") in v.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [])}  # fmt: skip
        themes = {}
        for subject, theme_id in notation.items():
            p = props[subject]

            def langs(name: str, p: dict[str, list[ox.NamedNode | ox.Literal]] = p) -> dict[str, str]:
                return {v.language or "": v.value for v in p.get(SKOS + name, []) if isinstance(v, ox.Literal)}

            alt: dict[str, list[str]] = {}
            for v in p.get(SKOS + "altLabel", []):
                alt.setdefault(v.language or "", []).append(v.value)  # type: ignore[union-attr]
            themes[theme_id] = Theme(
                theme_id, {k: v for k, v in langs("prefLabel").items() if k}, {k: sorted(v) for k, v in alt.items()},
                langs("definition"), sorted(notation[b.value] for b in p.get(SKOS + "broader", []) if b.value in notation),
                None, sorted(v.value for v in p.get(SKOS + "hiddenLabel", [])),
            )  # fmt: skip
        return dict(sorted(themes.items()))

    # -- names ------------------------------------------------------------------------------------------
    def theme(self, name: str) -> str:
        """The id of the theme `name` (id, nb/en label or synonym); NotFoundError with near matches."""
        theme_id = self.lookup.resolve(name)
        if theme_id is None:
            raise NotFoundError(f"no theme {name!r}; {self.lookup.hint(name)}")
        return theme_id

    def work_key(self, key: str) -> str:
        """`key` if a work has it; NotFoundError naming the nearest keys."""
        if self.works([key]):
            return key
        keys = [self._local(q.subject) for q in self.store.quads_for_pattern(None, ROW, None, None)]
        raise NotFoundError(f"no work with the key {key!r}; {did_you_mean(key, keys) or 'check the spelling'}")

    def node(self, kind: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(mint(self.base, kind, local))

    def _local(self, node: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
        """The local name of an IRI minted with the base (what the build writes as these subjects)."""
        return cast(tuple[str, str], unmint(self.base, _value(node)))[1]

    # -- rows -------------------------------------------------------------------------------------------
    def works(self, keys: Iterable[str]) -> dict[str, WorkRow]:
        """The rows of the works with these keys (those that exist), in the order given."""
        keys = list(dict.fromkeys(keys))
        self.prefetch([(self.node("work", k), ROW, None) for k in keys if k not in self._works])
        for key in keys:
            if key not in self._works:
                quad = _one(self.store, self.node("work", key), ROW)
                if quad is not None:
                    self._works[key] = work_row_of(_value(quad.object))
        return {k: self._works[k] for k in keys if k in self._works}

    def all_work_keys(self) -> list[str]:
        return sorted(self._local(q.subject) for q in self.store.quads_for_pattern(None, ROW, None, None))

    def all_claim_ids(self) -> list[str]:
        return sorted(self._local(q.subject) for q in self.store.quads_for_pattern(None, RECORD, None, None))

    def claims(self, ids: Iterable[str]) -> dict[str, ClaimRow]:
        """The rows of the claims with these ids (those that exist), in the order given."""
        found = {}
        ids = list(dict.fromkeys(ids))
        self.prefetch([(self.node("claim", i), RECORD, None) for i in ids])
        for claim_id in ids:
            quad = _one(self.store, self.node("claim", claim_id), RECORD)
            if quad is not None:
                found[claim_id] = claim_from(_value(quad.object), "", 0)
        works = self.works({k for c in found.values() for k in (c.source, c.reported_in) if k})
        return {i: claim_row(c, works, self.lang) for i, c in found.items()}

    def prefetch_claims_of(
        self, predicate: ox.NamedNode, work_keys: list[str], theme_id: str | None = None, exact: bool = False
    ) -> None:
        """On a server: the look-ups of `claim_ids` for these works, of `on_theme` for their claims, and of
        the rows of those on the theme (of all: None), asked at once (a local store answers each at once)."""
        if getattr(self.store, "prefetch", None) is None:
            return
        self.prefetch([(None, predicate, self.node("work", k)) for k in work_keys])
        ids = sorted({i for k in work_keys for i in self.claim_ids(predicate, k)})
        self.prefetch([(self.node("claim", i), SUBJECT, None) for i in ids])
        self.claims([i for i in ids if theme_id is None or self.on_theme(i, theme_id, exact)])

    def claim_ids(self, predicate: ox.NamedNode, work_key: str) -> list[str]:
        """The claims whose `predicate` (dcterms:source or lg:reportedIn) is the work, sorted."""
        found = []
        for quad in self.store.quads_for_pattern(None, predicate, self.node("work", work_key), None):
            minted = unmint(self.base, _value(quad.subject))
            if minted and minted[0] == "claim":
                found.append(minted[1])
        return sorted(set(found))

    def _subtree(self, theme_id: str, exact: bool) -> list[ox.NamedNode]:
        return [self.node("theme", t) for t in ([theme_id] if exact else self.lookup.with_narrower(theme_id))]

    def on_theme(self, claim_id: str, theme_id: str, exact: bool = False) -> bool:
        """Whether the claim is on the theme (or a narrower one, unless `exact`)."""
        subjects = {q.object for q in self.store.quads_for_pattern(self.node("claim", claim_id), SUBJECT, None, None)}
        return any(theme in subjects for theme in self._subtree(theme_id, exact))

    def claims_on(self, theme_id: str, exact: bool = False) -> list[str]:
        """The claims on the theme (or a narrower one, unless `exact`), sorted."""
        found = set()
        for theme in self._subtree(theme_id, exact):
            for quad in self.store.quads_for_pattern(None, SUBJECT, theme, DEFAULT):
                minted = unmint(self.base, _value(quad.subject))
                if minted and minted[0] == "claim":
                    found.add(minted[1])
        return sorted(found)

    # -- the index ---------------------------------------------------------------------------------------
    def ranking(self, theme_id: str, limit: int | None = None) -> tuple[list[RankedWork], int]:
        quad = _one(self.store, self.node("theme", theme_id), ox.NamedNode(lg("ranking")))
        lines = _value(quad.object) if quad is not None else ""
        return ranking_of(lines, limit), (lines.count("\n") + 1 if lines else 0)

    def counts(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for name in ("claimCount", "claimCountWithNarrower", "workCountWithNarrower"):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(lg(name)), None, None):
                theme = unmint(self.base, _value(quad.subject))
                if theme:
                    found.setdefault(theme[1], {})[name] = int(_value(quad.object))
        return found

    def group_ranks(self, theme_id: str | None) -> list[int] | None:
        """The ranks of the contested groups on a theme (None for all groups)."""
        if theme_id is None:
            return None
        quad = _one(self.store, self.node("theme", theme_id), ox.NamedNode(lg("groupRanks")))
        return orjson.loads(_value(quad.object)) if quad is not None else []

    def group_keys(self) -> list[str]:
        quad = _one(self.store, None, ox.NamedNode(lg("groupRanking")))
        return orjson.loads(_value(quad.object)) if quad is not None else []

    def groups(self, keys: list[str]) -> list[dict[str, object]]:
        self.prefetch([(ox.NamedNode(group_node(self.base, k)), ox.NamedNode(lg("group")), None) for k in keys])
        found = []
        for key in keys:
            quad = _one(self.store, ox.NamedNode(group_node(self.base, key)), ox.NamedNode(lg("group")))
            if quad is not None:
                found.append(orjson.loads(_value(quad.object)))
        return found

    def importance(self, keys: Iterable[str]) -> dict[str, float]:
        """0..1: each work's PageRank relative to the highest, as the build worked it out (0: never cited)."""
        wanted: dict[str, set[str]] = {}
        for key in keys:
            wanted.setdefault(importance_chunk(self.base, key), set()).add(key)
        found: dict[str, float] = {}
        self.prefetch([(ox.NamedNode(chunk), ox.NamedNode(lg("importance")), None) for chunk in sorted(wanted)])
        for chunk, chunk_keys in sorted(wanted.items()):
            quad = _one(self.store, ox.NamedNode(chunk), ox.NamedNode(lg("importance")))
            for line in _value(quad.object).split("\n") if quad is not None else ():
                key, figure = line.split("\t")
                if key in chunk_keys:
                    found[key] = float(figure)
        return {k: found.get(k, 0.0) for ks in wanted.values() for k in ks}

    def stances_taken(self) -> dict[str, list[str]]:
        """Each question's stances that claims take (for, against, qualifies), sorted."""
        found: dict[str, set[str]] = {q: set() for q in self.questions()}
        on, stance = ox.NamedNode(LG + "onQuestion"), ox.NamedNode(LG + "stance")
        for question in found:
            for quad in self.store.quads_for_pattern(None, on, self.node("question", question), DEFAULT):
                taken = _one(self.store, quad.subject, stance)  # type: ignore[arg-type]
                if taken is not None:
                    found[question].add(_value(taken.object).rsplit("#", 1)[-1])
        return {q: sorted(s) for q, s in found.items()}

    def questions(self) -> dict[str, Question]:
        texts: dict[str, dict[str, str]] = {}
        for question in self.store.quads_for_pattern(None, TYPE, ox.NamedNode(LG + "Question"), DEFAULT):
            minted = unmint(self.base, _value(question.subject))
            for quad in self.store.quads_for_pattern(question.subject, ox.NamedNode(LG + "statement"), None, DEFAULT):
                if minted:
                    texts.setdefault(minted[1], {})[quad.object.language or ""] = quad.object.value  # type: ignore[union-attr]
        return {q: Question(q, t, [], Path(""), 0) for q, t in sorted(texts.items())}

    def bibtex(self, keys: Iterable[str]) -> list[str]:
        """The .bib entries of these works as their files have them, in the order given."""
        keys = list(keys)
        self.prefetch([(self.node("work", k), ox.NamedNode(lg("bibtex")), None) for k in keys])
        found = []
        for key in keys:
            quad = _one(self.store, self.node("work", key), ox.NamedNode(lg("bibtex")))
            if quad is not None:
                found.append(_value(quad.object))
        return found
