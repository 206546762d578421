"""W3C Web Annotations (JSON-LD): one per claim, an annotation of the work it was read in (or, where none
is named, the work whose finding it is), with a body per language of its text.

The target is that work with the claim's locator: a page (`s. 20`, `p. 3-9`, `sec. Teori; s. 125`) as a
FragmentSelector of RFC 3778 (PDF: `page=20`); a section has no standard selector a reader would resolve,
so the locator is kept as written too (`lg:locator`, as in the project's graph).
A claim's quote, where one is recorded, is a TextQuoteSelector beside it (`quote_selector`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from litgraph.model import Claim
from litgraph.namespaces import LG, annotation_iri, mint

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT = [ANNO_CONTEXT, {"lg": LG, "locator": "lg:locator", "dcterms": "http://purl.org/dc/terms/",
                          "isPartOf": {"@id": "dcterms:isPartOf", "@type": "@id"}}]  # fmt: skip
PDF_FRAGMENT = "http://tools.ietf.org/rfc/rfc3778"
_PAGE = re.compile(r"^(?:s|p|pp|side|sider|page|pages)\.?\s*(\d+)(?:\s*[-–]\s*\d+)?$", re.I)


def page_selector(locator: str | None) -> dict[str, str] | None:
    """The page of a locator (`s. 125`, or its page part: `sec. Teori; s. 125`) as an RFC 3778 fragment (its
    first page); None where it names no page."""
    for part in re.split(r"[;,]", locator or ""):
        found = _PAGE.match(part.strip())
        if found is not None:
            return {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": f"page={found.group(1)}"}
    return None


def quote_selector(quote: str | None) -> dict[str, str] | None:
    """Where a claim records the exact words (`quote`), the selector that finds them in the work."""
    return {"type": "TextQuoteSelector", "exact": quote} if quote else None


def annotation(claim: Claim, base_iri: str, created: str) -> dict[str, Any]:
    """A claim as a Web Annotation (JSON-LD, compacted with the annotation context)."""
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": mint(base_iri, "work", claim.reported_in or claim.source),
    }
    selectors = [s for s in (page_selector(claim.locator), quote_selector(getattr(claim, "quote", None))) if s]
    if selectors:
        target["selector"] = selectors[0] if len(selectors) == 1 else selectors
    if claim.locator:
        target["locator"] = claim.locator
    bodies = [{"type": "TextualBody", "value": text, "language": lang, "format": "text/plain", "purpose": "describing"}
              for lang, text in claim.texts.items()]  # fmt: skip
    return {
        "@context": CONTEXT, "id": annotation_iri(base_iri, claim.id), "type": "Annotation", "motivation": "describing",
        "created": created, "body": bodies[0] if len(bodies) == 1 else bodies, "target": target,
        "isPartOf": base_iri,
    }  # fmt: skip


def annotations_json(claims: Iterable[Claim], base_iri: str, created: Mapping[str, str]) -> str:
    """Every claim's annotation, as a JSON list (in id order)."""
    found = [annotation(c, base_iri, created[c.id]) for c in claims]
    return json.dumps(found, ensure_ascii=False, indent=2) + "\n"
