"""Read ontology/themes.yaml: the theme scheme for those who do not write RDF, compiled to the same SKOS.

    title: {nb: Temaer, en: Themes}          # optional: the scheme's dcterms:title
    themes:
      - id: boundary-setting                 # skos:notation, [a-z0-9-]+, unique
        label: {nb: Grensesetting, en: Boundary setting}     # skos:prefLabel, one per language
        alt_labels: {nb: [grenser], en: [boundaries]}        # optional: skos:altLabel (synonyms)
        hidden_labels: {nb: [grensesettning]}                # optional: skos:hiddenLabel (misspellings)
        definition: {en: Where a peer worker draws the line.}  # optional: skos:definition
        broader: [relationship]              # optional: skos:broader, theme ids of this file
        related: [role-clarity]              # optional: skos:related

The file is checked here, every problem with its line (an unknown broader or related theme with the nearest
id, a duplicate id, a cycle of broader themes, a label missing in a language the project requires), then
compiled to the SKOS triples themes.ttl would hold, and read by the same code as themes.ttl.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from litgraph.model import Problem
from litgraph.namespaces import DCTERMS, RDF, SKOS
from litgraph.s1_read.ontology import PARSE_BASE, OntologyResult, themes_of_triples
from litgraph.s1_read.yamlfile import Located, load_yaml_text
from litgraph.suggest import did_you_mean

ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TAG_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
THEME_KEYS = ("id", "label", "alt_labels", "hidden_labels", "definition", "broader", "related")
SCHEME = PARSE_BASE + "themes"


def theme_iri(theme_id: str) -> str:
    """The IRI a theme has when its scheme is read (themes.ttl's <theme/ID>, resolved as it is)."""
    return PARSE_BASE + "theme/" + theme_id


class _Reader:
    """One themes.yaml: its problems and its triples, made as it is read."""

    def __init__(self, path: Path | str, languages: Sequence[str]):
        self.path, self.languages = path, languages
        self.problems: list[Problem] = []
        self.triples: list[ox.Triple] = []
        self.lines: dict[str, int] = {}  # theme id -> the line of its item

    def bad(self, line: int | None, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, line, message, hint))

    def add(self, subject: str, predicate: str, value: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), value))

    def texts(self, item: Located, key: str, many: bool) -> dict[str, list[str]]:
        """`key: {lang: text}` (or `{lang: [text, ...]}` where `many`) as lists of texts by language."""
        value = item.get(key)
        example = f"{key}: {{en: [..., ...]}}" if many else f"{key}: {{en: ..., nb: ...}}"
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.bad(item.line_of(key), f"'{key}' must map languages to text", f"write {example}")
            return {}
        found: dict[str, list[str]] = {}
        for tag, text in value.items():
            texts = text if many and isinstance(text, list) else [text]
            if not TAG_PATTERN.fullmatch(str(tag)):
                self.bad(
                    item.line_of(key), f"{tag!r} in '{key}' is not a language tag", f"for example en or nb: {example}"
                )
            elif not all(isinstance(t, str) and t.strip() for t in texts):
                self.bad(item.line_of(key), f"the {tag} text of '{key}' must be text", f"write {example}")
            else:
                found[str(tag)] = [t.strip() for t in texts]
        return found

    def ids(self, item: Located, key: str) -> list[str]:
        value = item.get(key)
        if value is None:
            return []
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            self.bad(item.line_of(key), f"'{key}' must be a list of theme ids", f"write {key}: [a-theme-id]")
            return []
        return values


def _items(reader: _Reader, document: Any) -> list[Located]:
    if document is None:
        return []
    if not isinstance(document, Located) or not isinstance(document.get("themes", []), list):
        reader.bad(
            1, "expected a mapping with a 'themes:' list at the top", "start with 'themes:' and '  - id: ...' items"
        )
        return []
    for key in document:
        if key not in ("title", "themes"):
            reader.bad(
                document.line_of(key),
                f"unknown key {key!r} at the top",
                did_you_mean(key, ("title", "themes")) or "the top holds title: and themes:",
            )
    items = document.get("themes") or []
    for i, item in enumerate(items, 1):
        if not isinstance(item, Located):
            reader.bad(document.line_of("themes"), f"theme {i} is not a mapping", "each theme needs 'key: value' lines")
    return [item for item in items if isinstance(item, Located)]


def _theme(reader: _Reader, item: Located) -> tuple[str, Located] | None:
    """Check one theme's own fields and add its labels' triples; its id and item, or None."""
    for key in item:
        if key not in THEME_KEYS:
            reader.bad(
                item.line_of(key),
                f"unknown key {key!r}",
                did_you_mean(key, THEME_KEYS) or f"valid keys: {', '.join(THEME_KEYS)}",
            )
    theme_id = item.get("id")
    labels = {tag: texts[0] for tag, texts in reader.texts(item, "label", many=False).items()}
    for lang in reader.languages:
        if lang not in labels:
            reader.bad(item.line_of("label"), f"theme {theme_id or '?'!r} has no label in {lang!r}",
                       f"add {lang}: ... under label (or leave {lang!r} out of languages in litgraph.toml)")  # fmt: skip
    if not isinstance(theme_id, str) or not ID_PATTERN.fullmatch(theme_id):
        fixed = "-".join(re.findall(r"[a-z0-9]+", str(theme_id or "").lower()))
        reader.bad(item.line_of("id"), f"theme id {theme_id!r} must be a-z, 0-9 and '-'" if theme_id else "a theme has no 'id'",
                   f"for example id: {fixed or 'boundary-setting'}")  # fmt: skip
        return None
    if theme_id in reader.lines:
        reader.bad(
            item.line_of("id"),
            f"theme id {theme_id!r} is also used at line {reader.lines[theme_id]}",
            "give each theme its own id",
        )
        return None
    reader.lines[theme_id] = item.line
    node = theme_iri(theme_id)
    reader.add(node, RDF + "type", ox.NamedNode(SKOS + "Concept"))
    reader.add(node, SKOS + "inScheme", ox.NamedNode(SCHEME))
    reader.add(node, SKOS + "notation", ox.Literal(theme_id))
    for key, predicate in (("label", "prefLabel"), ("alt_labels", "altLabel"), ("hidden_labels", "hiddenLabel"), ("definition", "definition")):  # fmt: skip
        values = (
            reader.texts(item, key, many=key.endswith("labels"))
            if key != "label"
            else {t: [v] for t, v in labels.items()}
        )
        for tag, texts in values.items():
            for text in texts:
                reader.add(node, SKOS + predicate, ox.Literal(text, language=tag))
    return theme_id, item


def _links(reader: _Reader, themes: list[tuple[str, Located]]) -> dict[str, list[str]]:
    """broader and related, each to a theme of the file (else the nearest id); broader by theme."""
    known = [theme_id for theme_id, _ in themes]
    broader: dict[str, list[str]] = {}
    for theme_id, item in themes:
        for key in ("broader", "related"):
            for other in reader.ids(item, key):
                if other not in reader.lines:
                    near = did_you_mean(other, known) or "no theme id of this file is close"
                    reader.bad(
                        item.line_of(key), f"theme {theme_id!r}: {key} {other!r} is not a theme of this file", near
                    )
                elif other == theme_id:
                    reader.bad(item.line_of(key), f"theme {theme_id!r} names itself as {key}", f"remove it from {key}")
                else:
                    reader.add(theme_iri(theme_id), SKOS + key, ox.NamedNode(theme_iri(other)))
                    if key == "broader":
                        broader.setdefault(theme_id, []).append(other)
    return broader


def _cycles(reader: _Reader, themes: list[tuple[str, Located]], broader: dict[str, list[str]]) -> None:
    for theme_id, item in themes:
        seen, todo = set(), list(broader.get(theme_id, []))
        while todo:
            current = todo.pop()
            if current == theme_id:
                reader.bad(item.line_of("broader"), f"theme {theme_id!r} is its own broader theme through 'broader'",
                           "remove one 'broader' link of the loop")  # fmt: skip
                break
            if current not in seen:
                seen.add(current)
                todo.extend(broader.get(current, []))


def compile_themes_yaml(
    path: Path | str, text: str, languages: Sequence[str]
) -> tuple[list[ox.Triple], dict[str, int], list[Problem]]:
    """The SKOS triples of a themes.yaml text (IRIs as themes.ttl's resolve), each theme's line, and every
    problem of the file."""
    reader = _Reader(path, languages)
    document = load_yaml_text(Path(path), text, reader.problems)
    themes = [found for item in _items(reader, document) if (found := _theme(reader, item)) is not None]
    broader = _links(reader, themes)
    _cycles(reader, themes, broader)
    reader.add(SCHEME, RDF + "type", ox.NamedNode(SKOS + "ConceptScheme"))
    title = reader.texts(document, "title", many=False) if isinstance(document, Located) else {}
    for tag, texts in title.items():
        reader.add(SCHEME, DCTERMS + "title", ox.Literal(texts[0], language=tag))
    for theme_id, _ in themes:
        if theme_id not in broader:
            reader.add(SCHEME, SKOS + "hasTopConcept", ox.NamedNode(theme_iri(theme_id)))
            reader.add(theme_iri(theme_id), SKOS + "topConceptOf", ox.NamedNode(SCHEME))
    return reader.triples, reader.lines, reader.problems


def read_themes_yaml(path: Path | str, data: bytes, text: str | None, languages: Sequence[str]) -> OntologyResult:
    """The themes of a themes.yaml (`text`: its decoded text, None where it could not be decoded), read
    from the SKOS it compiles to, as themes.ttl's are; its problems with their lines in the YAML."""
    if text is None:
        return OntologyResult()
    triples, lines, problems = compile_themes_yaml(path, text, languages)
    result = themes_of_triples(path, triples, "", ())  # (the YAML's own checks found what these would, by line)
    result.problems = problems
    for theme in result.themes.values():
        theme.line = lines.get(theme.id)
    return result
