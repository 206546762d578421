"""The SHACL shapes as a project applies them: a theme needs a prefLabel in each of the project's languages
(`languages` in litgraph.toml, by default nb and en), not in nb and en whatever the project says.

shapes.ttl states the rule for nb and en (a property shape on skos:prefLabel with a qualified value shape
`sh:languageIn ( "nb" )`); for a project with other languages, the shapes of the languages it does not have
are detached from their node shape, and one is added for each language it has that shapes.ttl does not.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from litgraph.namespaces import RDF, SKOS

SH = "http://www.w3.org/ns/shacl#"
DEFAULT = ("nb", "en")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _list(store: ox.Store, head: ox.NamedNode | ox.BlankNode) -> list[str]:
    found = []
    while head != _n(RDF + "nil"):
        first = next(store.quads_for_pattern(head, _n(RDF + "first"), None), None)
        rest = next(store.quads_for_pattern(head, _n(RDF + "rest"), None), None)
        if first is None or rest is None:
            break
        found.append(str(getattr(first.object, "value", "")))
        head = rest.object  # type: ignore[assignment]
    return found


def _label_languages(store: ox.Store, prop: ox.NamedNode | ox.BlankNode) -> list[str]:
    """The languages a property shape on skos:prefLabel requires a label in (via sh:qualifiedValueShape)."""
    if next(store.quads_for_pattern(prop, _n(SH + "path"), _n(SKOS + "prefLabel")), None) is None:
        return []
    found = []
    for q in store.quads_for_pattern(prop, _n(SH + "qualifiedValueShape"), None):
        for lq in store.quads_for_pattern(q.object, _n(SH + "languageIn"), None):  # type: ignore[arg-type]
            found += _list(store, lq.object)  # type: ignore[arg-type]
    return found


def shapes_for_languages(shapes_text: str, languages: Sequence[str]) -> str:
    """The shapes' Turtle with the theme label rule for `languages` (the text itself when they are nb and en)."""
    if sorted(languages) == sorted(DEFAULT):
        return shapes_text
    store = ox.Store()
    try:
        store.load(shapes_text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    except SyntaxError:
        return shapes_text  # (the check reports the file's syntax error)
    covered: set[str] = set()
    theme_shape = None
    for quad in list(store.quads_for_pattern(None, _n(SH + "property"), None)):
        langs = _label_languages(store, quad.object)  # type: ignore[arg-type]
        if not langs:
            continue
        theme_shape = quad.subject
        if set(langs) <= set(languages):
            covered.update(langs)
        else:
            store.remove(quad)
    for i, lang in enumerate(lang for lang in languages if lang not in covered):
        if theme_shape is None:
            break
        prop, value, cell = ox.BlankNode(f"lang{i}"), ox.BlankNode(f"lang{i}v"), ox.BlankNode(f"lang{i}l")
        for s, p, o in ((theme_shape, SH + "property", prop), (prop, SH + "path", _n(SKOS + "prefLabel")),
                        (prop, SH + "qualifiedValueShape", value), (value, SH + "languageIn", cell),
                        (cell, RDF + "first", ox.Literal(lang)), (cell, RDF + "rest", _n(RDF + "nil")),
                        (prop, SH + "qualifiedMinCount", ox.Literal("1", datatype=_n("http://www.w3.org/2001/XMLSchema#integer"))),
                        (prop, SH + "message", ox.Literal(f"a theme has a prefLabel in {lang!r} (languages in litgraph.toml)"))):  # fmt: skip
            store.add(ox.Quad(s, _n(p), o))  # type: ignore[arg-type]
    return store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()).decode("utf-8")  # type: ignore[union-attr]
