"""PDF annotations (Web API v3 `data` of itemType "annotation") as claim stubs.

A highlight or underline gives `quote` (its text) and `locator` ("s. " + its page label); its comment (rich
text, made plain) gives `text`; a note or text annotation gives `text` only; ink and image annotations
hold no words and are skipped (and counted). Tags name themes (ids, or nb/en labels and their variants);
a colour may mean an evidence type or a side on a question (`[zotero.colours]`). A stub without a text or
a theme is marked `todo: true`: the build reports it and leaves it out until it is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litgraph.errors import ProjectError
from litgraph.gather.zotero.html_text import plain_text
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.suggest import did_you_mean, fold

WORDS = ("highlight", "underline")  # annotations of the PDF's own words
COMMENTS = ("note", "text")  # a comment on a page, without its words
SKIPPED = ("ink", "image")
STANCES = ("for", "against", "qualifies")
# the colours of Zotero 7's highlight palette, by name
COLOUR_NAMES = {"yellow": "#ffd400", "red": "#ff6666", "green": "#5fb236", "blue": "#2ea8e5",
                "purple": "#a28ae5", "magenta": "#e56eee", "orange": "#f19837", "gray": "#aaaaaa",
                "grey": "#aaaaaa"}  # fmt: skip
FIELDS = ("id", "source", "locator", "quote", "text", "lang", "themes", "evidence", "question", "stance", "todo")


@dataclass
class Unmatched:
    """A tag that names no theme, on which annotation, and the nearest theme."""

    tag: str
    annotation: str
    nearest: str | None


@dataclass
class Meanings:
    """What the project knows that a stub names: themes, evidence types, and what colours mean."""

    themes: ThemeLookup
    evidence: set[str]
    colours: dict[str, dict[str, str]] = field(default_factory=dict)  # "#ffd400" -> {"evidence": ...}
    lang: str = "en"


def colour_meanings(settings: Mapping[str, str | Mapping[str, str]], evidence: set[str]) -> dict[str, dict[str, str]]:
    """[zotero.colours] checked: each colour a name of Zotero's palette or #rrggbb; each meaning an evidence
    type, or a table of evidence / stance and question. ProjectError naming the nearest valid value."""
    meanings: dict[str, dict[str, str]] = {}
    for colour, meaning in settings.items():
        hexa = COLOUR_NAMES.get(colour.strip().lower(), colour.strip().lower())
        if not re.fullmatch(r"#[0-9a-f]{6}", hexa):
            raise ProjectError(f"litgraph.toml: [zotero.colours] {colour!r} is not a colour; write #rrggbb or one of "
                               f"{', '.join(sorted(COLOUR_NAMES))}")  # fmt: skip
        parts = dict(meaning) if isinstance(meaning, Mapping) else {"evidence": meaning}
        unknown = set(parts) - {"evidence", "stance", "question"}
        if unknown:
            raise ProjectError(f"litgraph.toml: [zotero.colours] {colour}: unknown {sorted(unknown)[0]!r} "
                               "(known: evidence, stance, question)")  # fmt: skip
        if "evidence" in parts and parts["evidence"] not in evidence:
            hint = did_you_mean(parts["evidence"], evidence) or f"known: {', '.join(sorted(evidence))}"
            raise ProjectError(
                f"litgraph.toml: [zotero.colours] {colour}: {parts['evidence']!r} is not an evidence type ({hint})"
            )
        if ("stance" in parts) != ("question" in parts) or parts.get("stance", "for") not in STANCES:
            raise ProjectError(f"litgraph.toml: [zotero.colours] {colour}: a stance ({', '.join(STANCES)}) goes "
                               'with a question: { stance = "against", question = "its-id" }')  # fmt: skip
        meanings[hexa] = parts
    return meanings


def claim_id(citation_key: str, annotation_key: str) -> str:
    """The stub's id: the work's key and the annotation's, as an id may be written ("akerblom2021-x7hk2p4q")."""
    stem = "-".join(fold(citation_key).split()) or "zotero"
    return f"{stem}-{annotation_key.lower()}"


def locator(page_label: str) -> str | None:
    """ "s. " and the page label as Zotero shows it ("iv", "30–31")."""
    label = " ".join(page_label.split())
    return f"s. {label}" if label else None


def stub_of(
    data: Mapping[str, Any], citation_key: str, meanings: Meanings, unmatched: list[Unmatched]
) -> dict[str, Any]:
    """The claim stub of one annotation (of the kinds in WORDS or COMMENTS), its fields in FIELDS' order."""
    key = str(data.get("key") or "")
    kind = str(data.get("annotationType") or "")
    themes: list[str] = []
    for tag in data.get("tags") or []:
        name = str(tag.get("tag") if isinstance(tag, dict) else tag).strip()
        found = meanings.themes.resolve(name) if name else None
        if found and found not in themes:
            themes.append(found)
        elif name and not found:
            unmatched.append(Unmatched(name, key, next(iter(meanings.themes.suggestions(name)), None)))
    text = plain_text(str(data.get("annotationComment") or ""))
    quote = " ".join(str(data.get("annotationText") or "").split()) if kind in WORDS else ""
    colour = meanings.colours.get(str(data.get("annotationColor") or "").lower(), {})
    stub: dict[str, Any] = {
        "id": claim_id(citation_key, key),
        "source": citation_key,
        "locator": locator(str(data.get("annotationPageLabel") or "")),
        "quote": quote or None,
        "text": text or None,
        "lang": meanings.lang,
        "themes": themes,
        "evidence": colour.get("evidence"),
        "question": colour.get("question"),
        "stance": colour.get("stance"),
        "todo": True if not (text and themes) else None,
    }
    return {k: v for k, v in stub.items() if v is not None}
