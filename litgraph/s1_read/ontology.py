"""Read the project's ontology files: the SKOS theme scheme and the controlled lists of the vocabulary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from litgraph.model import Problem, Theme
from litgraph.namespaces import DCTERMS, LG, RDF, SKOS

PARSE_BASE = "https://litgraph.invalid/project/"  # resolves the relative IRIs of themes.ttl
LANGUAGES = ("nb", "en")  # the languages every theme needs a label in, unless the project says otherwise


@dataclass
class OntologyResult:
    themes: dict[str, Theme] = field(default_factory=dict)
    scheme_title: dict[str, str] = field(default_factory=dict)
    evidence_types: dict[str, str] = field(default_factory=dict)  # notation -> English label
    evidence_iris: dict[str, str] = field(default_factory=dict)  # notation -> IRI
    individuals: list[ox.Triple] = field(default_factory=list)  # evidence types and stances, for the graph
    problems: list[Problem] = field(default_factory=list)


def parse_turtle(path: Path | str, data: bytes, problems: list[Problem]) -> list[ox.Triple]:
    """The triples of a Turtle file's bytes, or [] with a Problem that gives the line of the syntax error."""
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=PARSE_BASE)]
    except SyntaxError as exc:
        match = re.search(r"line (\d+)|(\d+):\d+", str(exc))
        line = int(next(g for g in match.groups() if g)) if match else None
        problems.append(Problem(path, line, f"not valid Turtle: {exc}", "fix the syntax; the file was not read"))
    return []


def _by_subject(triples: list[ox.Triple]) -> dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]]:
    subjects: dict[str, dict[str, list]] = {}  # type: ignore[type-arg]
    for t in triples:
        subjects.setdefault(str(t.subject), {}).setdefault(t.predicate.value, []).append(t.object)
    return subjects


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _langs(values: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {v.language or "": v.value for v in values if isinstance(v, ox.Literal)}


def read_themes(path: Path | str, data: bytes, languages: Sequence[str] = LANGUAGES) -> OntologyResult:
    """Theme objects keyed by notation; missing labels (in `languages`), unknown broader themes and cycles
    are Problems."""
    problems: list[Problem] = []
    triples = parse_turtle(path, data, problems)
    text = data.decode("utf-8", errors="replace") if triples else ""
    result = themes_of_triples(path, triples, text, languages)
    result.problems[:0] = problems
    return result


def themes_of_triples(
    path: Path | str, triples: list[ox.Triple], text: str, languages: Sequence[str]
) -> OntologyResult:
    """The themes of a SKOS scheme's triples (Turtle's, or those themes.yaml compiles to); `text`: the
    Turtle, to find a theme's line in."""
    result = OntologyResult()
    iri_to_id: dict[str, str] = {}
    concept = ox.NamedNode(SKOS + "Concept")
    for subject, props in _by_subject(triples).items():
        if SKOS + "ConceptScheme" in [str(getattr(v, "value", "")) for v in props.get(RDF + "type", [])]:
            result.scheme_title = _langs(props.get(DCTERMS + "title", []))
        if concept not in props.get(RDF + "type", []):
            continue
        theme = _theme(path, text, subject, props, result.problems, languages)
        if theme is None:
            continue
        iri_to_id[subject] = theme.id
        if theme.id in result.themes:
            result.problems.append(
                Problem(path, theme.line, f"theme id {theme.id!r} is used twice", "give each its own notation")
            )
        result.themes[theme.id] = theme
    for theme in result.themes.values():
        for iri in theme.broader:
            if iri not in iri_to_id:
                result.problems.append(Problem(path, theme.line, f"theme {theme.id!r} has skos:broader {iri}, which is not a theme of this scheme",
                                               "point it at a skos:Concept here"))  # fmt: skip
        theme.broader = sorted(iri_to_id[iri] for iri in theme.broader if iri in iri_to_id)
    _check_cycles(path, result)
    return result


def _theme(
    path: Path | str, text: str, subject: str, props: dict[str, list], problems: list[Problem], languages: Sequence[str]
) -> Theme | None:  # type: ignore[type-arg]
    """A skos:Concept as a Theme (its skos:broader still IRIs), or None where it has no one notation."""
    notations = [v.value for v in props.get(SKOS + "notation", []) if isinstance(v, ox.Literal)]
    local = subject.strip("<>").rstrip("/").rsplit("/", 1)[-1]
    line = _line_of(text, f'skos:notation "{notations[0]}"') if notations else _line_of(text, local)
    if len(notations) != 1:
        problems.append(
            Problem(
                path, line, f"theme {subject} needs exactly one skos:notation (its id)", f'add skos:notation "{local}"'
            )
        )
        return None
    labels = {k: v for k, v in _langs(props.get(SKOS + "prefLabel", [])).items() if k}
    alt: dict[str, list[str]] = {}
    for v in props.get(SKOS + "altLabel", []):
        if isinstance(v, ox.Literal):
            alt.setdefault(v.language or "", []).append(v.value)
    for lang in languages:
        if lang not in labels:
            problems.append(
                Problem(
                    path,
                    line,
                    f"theme {notations[0]!r} has no skos:prefLabel in {lang!r}",
                    f'add skos:prefLabel "..."@{lang}',
                )
            )
    return Theme(notations[0], labels, {k: sorted(v) for k, v in alt.items()}, _langs(props.get(SKOS + "definition", [])),
                 [str(b) for b in props.get(SKOS + "broader", [])], line,
                 sorted(v.value for v in props.get(SKOS + "hiddenLabel", []) if isinstance(v, ox.Literal)))  # fmt: skip


def _check_cycles(path: Path | str, result: OntologyResult) -> None:
    for theme in result.themes.values():
        seen, todo = set(), list(theme.broader)
        while todo:
            current = todo.pop()
            if current == theme.id:
                result.problems.append(
                    Problem(
                        path,
                        theme.line,
                        f"theme {theme.id!r} is its own broader theme through skos:broader",
                        "remove one skos:broader link of the loop",
                    )
                )
                break
            if current not in seen and current in result.themes:
                seen.add(current)
                todo.extend(result.themes[current].broader)


def read_evidence_types(path: Path | str, data: bytes, result: OntologyResult) -> None:
    """The controlled list of evidence types from the vocabulary file (lg:EvidenceType individuals)."""
    triples = parse_turtle(path, data, result.problems)
    subjects = _by_subject(triples)
    kinds = {ox.NamedNode(LG + "EvidenceType"), ox.NamedNode(LG + "Stance")}
    chosen = {s for s, props in subjects.items() if kinds & set(props.get(RDF + "type", []))}
    result.individuals = [t for t in triples if str(t.subject) in chosen]
    for subject, props in subjects.items():
        if ox.NamedNode(LG + "EvidenceType") in props.get(RDF + "type", []):
            labels = _langs(props.get(SKOS + "prefLabel", []))
            for notation in props.get(SKOS + "notation", []):
                result.evidence_types[notation.value] = labels.get("en", notation.value)
                result.evidence_iris[notation.value] = subject.strip("<>")


def read_ontology(themes: Path, vocabulary: Path) -> OntologyResult:
    """The theme scheme and the vocabulary's controlled lists, from their files."""
    result = read_themes(themes, themes.read_bytes())
    read_evidence_types(vocabulary, vocabulary.read_bytes(), result)
    return result
