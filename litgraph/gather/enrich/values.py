"""Whether a value can be a bibliography field's (checked before it is proposed, and again before it is
written into a .bib), and how it is written there.

An index's answer can carry anything (`20} @misc{injected, title={x}`, line breaks, a megabyte of text),
and the proposals file is edited by hand; BibTeX has no quoting that makes every text safe. So numbering
(volume, number, pages) is letters, digits and the punctuation of ranges and supplements; a DOI, an ISBN
and a year have their own forms; text fields hold any printable text of a sensible length that does not
look like the start of an entry. What fails says why, in words.
"""

from __future__ import annotations

import re
import unicodedata

from litgraph.s1_read.bibtex_values import braces_paired

_NUMBERING = {"volume": 30, "number": 30, "pages": 40}
_LENGTHS = {"doi": 300, "isbn": 40, "year": 4, "title": 2000, "author": 50_000}
_TEXT_LENGTH = 500  # journal, booktitle, publisher, institution
_NUMBERING_CHARS = re.compile(r"[\w .,:;/()+\u2010-\u2015-]+")
_DOI = re.compile(r"10\.[\d.]+/[^\s{}\"\\%]+")
_ISBN = re.compile(r"[0-9Xx][0-9Xx -]{8,38}")
_YEAR = re.compile(r"\d{4}")
_ENTRY_START = re.compile(r"@\s*\w+\s*[{(]")
_VERBATIM = {"doi", "url", "isbn"}
_LATEX_SPECIAL = re.compile(r"(?<!\\)([&%$#_])")


def _control(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def implausible(name: str, value: str) -> str | None:
    """Why `value` cannot be the value of the field `name` (None when it can): one line, with the value."""
    if not value.strip():
        return f"{name} is empty"
    if _control(value):
        return f"{name} {_shown(value)} has a line break or another control character"
    if name in _NUMBERING:
        odd = next((ch for ch in value if not _NUMBERING_CHARS.fullmatch(ch) or ch == "_"), None)
        if odd is not None:
            return f"{name} {_shown(value)} has {odd!r}, which a {name} never holds"
    forms = {"doi": (_DOI, "a DOI (10.NNNN/…)"), "isbn": (_ISBN, "an ISBN"), "year": (_YEAR, "a year")}
    if name in forms and not forms[name][0].fullmatch(value):
        return f"{name} {_shown(value)} is not {forms[name][1]}"
    if _ENTRY_START.search(value):
        return f"{name} {_shown(value)} looks like the start of a BibTeX entry"
    longest = _NUMBERING.get(name) or _LENGTHS.get(name) or _TEXT_LENGTH
    if len(value) > longest:
        return f"{name} {_shown(value)} is {len(value):,} characters long (at most {longest})"
    return None


def bibtex_value(name: str, text: str) -> str:
    """A plain-text value as a braced BibTeX value: LaTeX specials escaped, dashes as -- and ---."""
    if name == "author":
        text = text.replace("&", r"\&")
    elif name not in _VERBATIM:
        text = _LATEX_SPECIAL.sub(r"\\\1", text)
    if name not in _VERBATIM:
        text = text.replace("\u2014", "---").replace("\u2013", "--")
    return "{" + braces_paired(text) + "}"
