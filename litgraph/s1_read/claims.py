"""Read claims files (bibliography/claims/*.yaml) item by item, and the questions file.

A claims file of the plain shape that `litgraph init` and editors write (a `claims:` list of `- ` items at
one indent, no anchors or aliases) is cut into its items, and each item is read on its own, with its lines
counted from the item's first line: a rebuild reads again only the items whose text changed, wherever they
moved (see s1_read/reading.py). Any other file is read whole. Each item is checked on its own here (keys,
types, id syntax); whether what it names exists is checked against the whole project in s2_check.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path
from typing import Any

from litgraph.model import Claim, Problem
from litgraph.s1_read.yamlfile import Located, load_yaml_text
from litgraph.suggest import did_you_mean

CLAIM_KEYS = {f.name for f in dataclasses.fields(Claim)} - {"texts", "path", "line", "lines"} | {"text", "lang", "todo"}
REQUIRED = ("id", "source", "text", "themes")
STANCES = ("for", "against", "qualifies")
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
LANG_PATTERN = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*")
HEAD = "claims:\n"
QUOTE_LIMIT = 1000  # characters: a quote is a few exact words (and copyright allows no more)


def items_of(path: Path, document: Any, top: str, problems: list[Problem]) -> list[Located]:
    if document is None:
        return []
    if not isinstance(document, Located) or top not in document:
        problems.append(
            Problem(
                path,
                1,
                f"expected a mapping with a '{top}:' list at the top",
                f"start the file with '{top}:' followed by '  - id: ...' items",
            )
        )
        return []
    items = document[top] or []
    if not isinstance(items, list):
        problems.append(Problem(path, document.line_of(top), f"'{top}' must be a list", "write '- id: ...' items"))
        return []
    good = []
    for i, item in enumerate(items, 1):
        if isinstance(item, Located):
            good.append(item)
        else:
            problems.append(
                Problem(
                    path,
                    document.line_of(top),
                    f"item {i} of '{top}' is not a mapping",
                    "each item needs 'key: value' lines",
                )
            )
    return good


def string_list(path: Path, item: Located, key: str, problems: list[Problem]) -> list[str]:
    value = item.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return [str(v) for v in value]
    problems.append(Problem(path, item.line_of(key), f"'{key}' must be a list of ids", f"write {key}: [a, b]"))
    return []


def text_of(path: Path, item: Located, key: str, problems: list[Problem]) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    problems.append(Problem(path, item.line_of(key), f"'{key}' must be text", f"write {key}: some text"))
    return None


def check_keys(path: Path, item: Located, allowed: set[str], problems: list[Problem]) -> None:
    for key in item:
        if key not in allowed:
            problems.append(
                Problem(
                    path,
                    item.line_of(key),
                    f"unknown key {key!r}",
                    did_you_mean(key, allowed) or f"valid keys: {', '.join(sorted(allowed))}",
                )
            )


def check_id(path: Path, item: Located, problems: list[Problem]) -> str | None:
    value = text_of(path, item, "id", problems)
    if value is None:
        problems.append(Problem(path, item.line, "missing 'id'", "add id: a-unique-id ([a-z0-9-]+)"))
        return None
    if not ID_PATTERN.fullmatch(value):
        fixed = "-".join(re.findall(r"[a-z0-9]+", value.lower()))
        problems.append(
            Problem(
                path,
                item.line_of("id"),
                f"id {value!r} may hold only a-z, 0-9 and '-'",
                f"for example {fixed!r}" if fixed else None,
            )
        )
        return None
    return value


def _claims_of(path: Path, document: Any, problems: list[Problem]) -> list[Claim]:
    claims: list[Claim] = []
    for item in items_of(path, document, "claims", problems):
        claim = _claim_of(path, item, problems)
        if claim is not None:
            claims.append(claim)
    return claims


def _claim_of(path: Path, item: Located, problems: list[Problem]) -> Claim | None:
    """The item as a claim, every problem of it found in one reading (a missing field hides none of the
    others). A claim with problems is still returned (its id "" where it has none, its id as written where
    that has the wrong form), so that stage 2 checks what it names and whether its id is used twice; its
    problems stop the build."""
    check_keys(path, item, CLAIM_KEYS, problems)
    claim_id = check_id(path, item, problems)
    if _to_do(path, item, claim_id, problems):
        return None
    written = item.get("id")
    raw_id = claim_id or (written.strip() if isinstance(written, str) and written.strip() else None)
    missing = [k for k in REQUIRED if k != "id" and item.get(k) in (None, "", [])]
    for key in missing:
        problems.append(Problem(path, item.line, f"claim {repr(raw_id) if raw_id else '?'} has no '{key}'", _ADD[key]))
    texts = _texts(path, item, problems) if "text" not in missing else {}
    lang = item.get("lang")
    if "text" in missing and isinstance(lang, str) and not LANG_PATTERN.fullmatch(lang):
        problems.append(
            Problem(path, item.line_of("lang"), f"lang {lang!r} is not a BCP 47 tag", "for example en or nb")
        )
    stance = text_of(path, item, "stance", problems)
    question = text_of(path, item, "question", problems)
    if stance is not None and stance not in STANCES:
        problems.append(
            Problem(
                path,
                item.line_of("stance"),
                f"stance {stance!r} is not one of {', '.join(STANCES)}",
                did_you_mean(stance, STANCES) or f"write stance: {' | '.join(STANCES)}",
            )
        )
    if (stance is None) != (question is None):
        given, other = ("stance", "question") if question is None else ("question", "stance")
        problems.append(
            Problem(
                path,
                item.line_of(given),
                f"claim {repr(raw_id) if raw_id else '?'}: '{given}' without '{other}' ('question' and 'stance' go together)",
                f"add {other}: ..., or remove {given}" if other == "question" else f"add stance: {' | '.join(STANCES)}",
            )
        )
    return Claim(
        id=raw_id or "",  # (no id: not a claim of the project, but what it names is still checked)
        source=text_of(path, item, "source", problems) or "",
        texts=texts,
        note=text_of(path, item, "note", problems),
        quote=_quote(path, item, raw_id or "?", problems),
        themes=string_list(path, item, "themes", problems),
        path=path,
        line=item.line,
        reported_in=text_of(path, item, "reported_in", problems),
        locator=text_of(path, item, "locator", problems),
        evidence=text_of(path, item, "evidence", problems),
        supports=string_list(path, item, "supports", problems),
        disputes=string_list(path, item, "disputes", problems),
        question=question,
        stance=stance if stance in STANCES else None,
        lines=dict(item.key_lines),
    )


_ADD = {
    "source": "add source: the BibTeX key of the work whose finding this is",
    "text": "add text: the claim in your own words (with lang: en), or text: {en: ..., nb: ...}",
    "themes": "add themes: [a-theme-id]; `litgraph themes` lists them",
}


def _to_do(path: Path, item: Located, claim_id: str | None, problems: list[Problem]) -> bool:
    """Whether the item is a stub still to be written (`todo: true`, as `litgraph zotero pull` marks a
    highlight without a comment): reported, and not built into the graph."""
    value = item.get("todo")
    if value is None or str(value).lower() == "false":
        return False
    if str(value).lower() != "true":
        problems.append(Problem(path, item.line_of("todo"), "'todo' must be true or false", "write todo: true"))
        return True
    problems.append(
        Problem(
            path,
            item.line_of("todo"),
            f"claim {claim_id or '?'} is a stub still to do: it is not built into the graph",
            "write its text (and lang), check its themes, then remove 'todo: true'",
            "warning",
        )
    )
    return True


def _quote(path: Path, item: Located, claim_id: str, problems: list[Problem]) -> str | None:
    """The claim's quote (the exact words): at most QUOTE_LIMIT characters, and with a locator."""
    quote = text_of(path, item, "quote", problems)
    if not quote:
        return None
    if len(quote) > QUOTE_LIMIT:
        problems.append(
            Problem(
                path,
                item.line_of("quote"),
                f"claim {claim_id}: the quote has {len(quote):,} characters (at most {QUOTE_LIMIT:,})",
                "quote the few words that carry the finding, and say the rest in the claim's text",
            )
        )
    if item.get("locator") in (None, ""):
        problems.append(
            Problem(
                path,
                item.line_of("quote"),
                f"claim {claim_id}: a quote without a locator",
                'add locator: the page it stands on (for example "s. 30")',
                "warning",
            )
        )
    return quote


def texts_by_language(path: Path, item: Located, value: dict[str, Any], problems: list[Problem]) -> dict[str, str]:
    """`text: {en: ..., nb: ...}`: each tag a BCP 47 language tag, each text text; English first."""
    texts: dict[str, str] = {}
    for tag, text in value.items():
        if not LANG_PATTERN.fullmatch(str(tag)):
            hint = "for example en or nb (a text with a comma in a {...} mapping needs quotes)"
            problems.append(Problem(path, item.line_of("text"), f"{tag!r} is not a BCP 47 language tag", hint))
        elif not isinstance(text, str) or not text.strip():
            problems.append(Problem(path, item.line_of("text"), f"the {tag} text must be text", f"{tag}: ..."))
        else:
            texts[str(tag)] = text.strip()
    return dict(sorted(texts.items(), key=lambda kv: (kv[0] != "en", kv[0])))


def _texts(path: Path, item: Located, problems: list[Problem]) -> dict[str, str]:
    """A claim's text by language: `text: {en: ..., nb: ...}`, or `text: ...` with `lang: TAG`; English first."""
    value = item.get("text")
    if isinstance(value, dict):
        texts = texts_by_language(path, item, value, problems)
        if "lang" in item:
            problems.append(
                Problem(
                    path, item.line_of("lang"), "'lang' goes with a single text", "remove it: the mapping names them"
                )
            )
        return texts
    text = text_of(path, item, "text", problems)
    lang = text_of(path, item, "lang", problems)
    if lang is None:
        problems.append(
            Problem(
                path,
                item.line,
                f"claim {repr(item.get('id')) if item.get('id') else '?'} has no 'lang'",
                "add lang: en, or write text: {en: ...}",
            )
        )
        return {}
    if not LANG_PATTERN.fullmatch(lang):
        problems.append(
            Problem(path, item.line_of("lang"), f"lang {lang!r} is not a BCP 47 tag", "for example en or nb")
        )
        return {}
    return {lang: text} if text else {}


_ALIAS_OR_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\]}]")
_AFTER_ALIAS_OR_ANCHOR = re.compile(r"[^\s,\]}]")


def _has_alias_or_anchor(text: str) -> bool:
    """_ALIAS_OR_ANCHOR.search(text), at a tenth of its cost on a file of 20,000 claims: str.find skips
    to each '&' and '*' (few, in claims), where the pattern tries every position of the file."""
    for mark in "&*":
        at = text.find(mark)
        while at >= 0:
            before = text[at - 1] if at else " "  # (the pattern's \s: str.isspace, both Py_UNICODE_ISSPACE)
            if (before.isspace() or before in "[{,:-") and _AFTER_ALIAS_OR_ANCHOR.match(text, at + 1):
                return True
            at = text.find(mark, at + 1)
    return False


def item_spans(text: str) -> list[tuple[int, str]] | None:
    """The items of a claims file as (first line, their text), when the file has the plain shape that
    `litgraph init` and editors write: comments or blank lines, 'claims:', then '- ' items at one indent,
    with no anchors or aliases (an item then reads the same alone as in its file). None otherwise."""
    if "\t" in text or "\r" in text or _has_alias_or_anchor(text):
        return None
    header = _HEADER.match(text)
    first = _FIRST_ITEM.search(text, header.end()) if header else None
    if header is None or first is None:
        return None
    body, indent = first.start(), len(first.group(1))
    if not _BLANK_OR_COMMENTS.fullmatch(text, header.end(), body):
        return None
    rest = "\n" + text[body:]  # (a line's start found by its newline: far faster than re.M's ^)
    starts = [m.start() for m in re.finditer(rf"\n {{{indent}}}- ", rest)]
    # every line at the items' indent or less that is not blank or a comment must start an item
    if len(re.findall(rf"\n {{0,{indent}}}[^ \n#]", rest)) != len(starts):
        return None
    spans, line = [], text.count("\n", 0, body) + 1
    bounds = [body + s for s in starts] + [len(text)]
    for begin, end in itertools.pairwise(bounds):
        spans.append((line, text[begin:end]))
        line += text.count("\n", begin, end)
    return spans


_BLANK_OR_COMMENTS = re.compile(r"(?:[ ]*(?:#[^\n]*)?\n)*")
_HEADER = re.compile(_BLANK_OR_COMMENTS.pattern + r"claims:[ ]*\n")
_FIRST_ITEM = re.compile(r"^( *)- ", re.M)


def read_claims_text(path: Path, text: str) -> tuple[list[Claim], list[Problem]]:
    """The claims of a whole file's text, with their lines in the file."""
    problems: list[Problem] = []
    return _claims_of(path, load_yaml_text(path, text, problems), problems), problems


def read_claim_item(path: Path, item: str) -> tuple[list[Claim], list[Problem]]:
    """The claims of one item (see item_spans), with lines counted from the item's first line (1): what
    read_claims_text gives for them, but for the lines (see shifted)."""
    problems: list[Problem] = []
    claims = _claims_of(path, load_yaml_text(path, HEAD + item, problems), problems)
    return [shifted(c, -1) for c in claims], [_shift(p, -1) for p in problems]


def shifted(claim: Claim, by: int) -> Claim:
    """The claim with every line moved by `by`."""
    return dataclasses.replace(claim, line=claim.line + by, lines={k: v + by for k, v in claim.lines.items()})


def _shift(problem: Problem, by: int) -> Problem:
    return dataclasses.replace(problem, line=problem.line + by) if problem.line else problem


def shifted_problem(problem: Problem, by: int) -> Problem:
    """A problem of an item (see read_claim_item) at its place in the file."""
    return _shift(problem, by)
