"""Field values of a BibTeX entry: @string macros and `#` concatenation, LaTeX to Unicode, names.

bibtexparser's splitter gives raw values; these functions finish them. LaTeX decoding and name
splitting reuse bibtexparser's and pylatexenc's code but run only where a value needs them, since
they are many times slower than the bare parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from litgraph.model import Person

MONTHS = {
    "jan": "1", "feb": "2", "mar": "3", "apr": "4", "may": "5", "jun": "6",
    "jul": "7", "aug": "8", "sep": "9", "oct": "10", "nov": "11", "dec": "12",
}  # fmt: skip


class UnresolvedValue(Exception):
    """A value that cannot be resolved (an undefined @string macro, unbalanced quotes, a value that
    expands beyond the limit); `hint` says what to do."""

    def __init__(self, message: str, hint: str = "define it with @string{name = {...}} or put the value in braces"):
        super().__init__(message)
        self.hint = hint


def top_level(raw: str) -> Iterator[tuple[int, str]]:
    """Each character of a raw BibTeX value that stands outside braces and quotes, with its index."""
    depth, quoted = 0, False
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif depth == 0 and not quoted:
            yield i, ch


def _split_concatenation(raw: str) -> list[str]:
    """Split `a # "b" # {c}` on the `#` outside braces and quotes."""
    parts, start, end = [], 0, len(raw)
    for i, ch in top_level(raw):
        if ch == "#":
            parts.append(raw[start:i])
            start = i + 1
        elif ch == "%":
            end = i  # a trailing comment after the value
            break
    parts.append(raw[start:end])
    return [p.strip() for p in parts]


def resolve(raw: str, strings: dict[str, str], limit: int = 1_000_000) -> str:
    """The value of a raw field: macros expanded (case-insensitive), pieces joined, enclosure removed;
    UnresolvedValue when it would be longer than `limit` characters (a chain of @strings that double at
    each step reaches gigabytes in forty steps)."""
    if raw[:1] == "{" and raw[-1:] == "}" and "#" not in raw and "%" not in raw:
        return raw[1:-1]
    pieces: list[str] = []
    size = 0
    for part in _split_concatenation(raw):
        piece = _piece(part, strings)
        size += len(piece)
        if size > limit:
            raise UnresolvedValue(
                f"expands to more than {limit:,} characters",
                "shorten the @string chain, or raise string_bytes under [limits] in litgraph.toml",
            )
        pieces.append(piece)
    return "".join(pieces)


def _piece(part: str, strings: dict[str, str]) -> str:
    """One part of a `#` concatenation: a braced or quoted text, a number, a macro or a month."""
    if len(part) >= 2 and ((part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')):
        return part[1:-1]
    if part.isdigit():
        return part
    if part.lower() in strings:
        return strings[part.lower()]
    if (part.lower()[:3] in MONTHS and len(part) in (3, 4)) or part.lower() in _LONG_MONTHS:
        return MONTHS[part.lower()[:3]]
    if not part:
        raise UnresolvedValue("empty part in a '#' concatenation")
    raise UnresolvedValue(f"undefined @string macro {part!r}")


_LONG_MONTHS = {
    "january", "february", "march", "april", "june", "july", "august",
    "september", "october", "november", "december",
}  # fmt: skip


@lru_cache(maxsize=1)
def _decoder() -> LatexNodes2Text:
    db = get_default_latex_context_db()
    db.add_context_category("litgraph", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")])
    return LatexNodes2Text(latex_context=db, math_mode="verbatim", keep_braced_groups=False)


_NEEDS_DECODING = re.compile(r"[\\$%]")
_SPACES = re.compile(r"\s+")


def to_text(value: str) -> str:
    """LaTeX to plain Unicode: {\\o} -> ø, \\"{o} -> ö, {NOU} -> NOU, ~ -> space, -- -> –."""
    if _NEEDS_DECODING.search(value):
        value = _decoder().latex_to_text(value)
    else:
        value = value.replace("{", "").replace("}", "").replace("~", "\u00a0")
    value = value.replace("---", "\u2014").replace("--", "\u2013")
    return _SPACES.sub(" ", value).strip()


def _is_corporate(name: str) -> bool:
    """A name wholly inside one brace group: {{World Health Organization}} after enclosure removal."""
    name = name.strip()
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(name):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and i < len(name) - 1:
            return False
    return True


def people(value: str) -> tuple[list[Person], bool]:
    """The persons of an author/editor field, and whether it ended in "and others"."""
    result: list[Person] = []
    more = False
    for name in split_multiple_persons_names(value):
        if name.strip().lower() == "others":
            more = True
            continue
        if _is_corporate(name):
            result.append(Person(family=to_text(name[1:-1]), corporate=True))
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        result.append(
            Person(
                family=to_text(" ".join(parts.last)),
                given=to_text(" ".join(parts.first)),
                von=to_text(" ".join(parts.von)),
                suffix=to_text(" ".join(parts.jr)),
            )
        )
    return [p for p in result if p.family], more


def braces_paired(text: str) -> str:
    """`text` as a BibTeX value can hold it: its braces kept where they pair up, else all taken out."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    return text if depth == 0 else text.replace("{", "").replace("}", "")
