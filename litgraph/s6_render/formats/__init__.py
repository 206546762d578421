"""Reference and claim formats, one module per format: clean BibTeX / biblatex (bibtex), CSL-JSON (csl),
RIS (ris), nanopublications (nanopub) and Web Annotations (annotations). Each takes plain data (stored
BibTeX entries, claim rows) and returns the text to write; nothing here reads the store or writes a file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litgraph.s6_render.formats.bibtex import Reference

REFERENCE_FORMATS = ("bibtex", "bibtex-classic", "csl-json", "ris")
CLAIM_FORMATS = ("nanopub", "annotations")


def references_text(fmt: str, references: Sequence[Reference], keep_fields: Iterable[str] = ()) -> str:
    """`references` in a reference format (REFERENCE_FORMATS): the text of the file (each format's module,
    and its parser, loaded only when asked for)."""
    if fmt == "csl-json":
        import json

        from litgraph.s6_render.formats.csl import csl_items

        return json.dumps(csl_items(references), ensure_ascii=False, indent=2) + "\n"
    if fmt == "ris":
        from litgraph.s6_render.formats.ris import ris_text

        return ris_text(references)
    from litgraph.s6_render.formats.bibtex import clean_bib

    if fmt == "bibtex":
        return clean_bib(references, "biblatex", keep_fields)
    if fmt == "bibtex-classic":
        return clean_bib(references, "bibtex", keep_fields)
    raise ValueError(f"unknown reference format {fmt!r}")
