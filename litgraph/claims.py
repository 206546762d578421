"""Read claims (bibliography/claims/*.yaml) and questions (bibliography/questions.yaml).

This stage checks each file on its own (keys, types, id syntax, duplicates); whether the works,
themes and other claims a claim names exist is checked against the whole project in `checks`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litgraph.model import Claim, Problem, Question
from litgraph.parsecache import NO_CACHE, ParseCache
from litgraph.suggest import did_you_mean
from litgraph.yamlfile import Located, load_yaml, load_yaml_text

CLAIM_KEYS = {
    "id", "source", "reported_in", "locator", "text", "lang", "themes", "evidence",
    "supports", "disputes", "question", "stance", "note",
}  # fmt: skip
REQUIRED = ("id", "source", "text", "themes")
QUESTION_KEYS = {"id", "text", "themes"}
STANCES = ("for", "against", "qualifies")
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
LANG_PATTERN = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*")


@dataclass
class ClaimsResult:
    claims: dict[str, Claim] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _items(path: Path, document: Any, top: str, problems: list[Problem]) -> list[Located]:
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


def _string_list(path: Path, item: Located, key: str, problems: list[Problem]) -> list[str]:
    value = item.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return [str(v) for v in value]
    problems.append(Problem(path, item.line_of(key), f"'{key}' must be a list of ids", f"write {key}: [a, b]"))
    return []


def _text(path: Path, item: Located, key: str, problems: list[Problem]) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    problems.append(Problem(path, item.line_of(key), f"'{key}' must be text", f"write {key}: some text"))
    return None


def _check_keys(path: Path, item: Located, allowed: set[str], problems: list[Problem]) -> None:
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


def _check_id(path: Path, item: Located, problems: list[Problem]) -> str | None:
    value = _text(path, item, "id", problems)
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


def read_claim_file(path: Path) -> tuple[list[Claim], list[Problem]]:
    problems: list[Problem] = []
    return _claims_of(path, load_yaml(path, problems), problems), problems


def _claims_of(path: Path, document: Any, problems: list[Problem]) -> list[Claim]:
    claims: list[Claim] = []
    for item in _items(path, document, "claims", problems):
        _check_keys(path, item, CLAIM_KEYS, problems)
        claim_id = _check_id(path, item, problems)
        missing = [k for k in REQUIRED if k != "id" and item.get(k) in (None, "", [])]
        for key in missing:
            problems.append(Problem(path, item.line, f"claim {claim_id or '?'} has no '{key}'", f"add {key}: ..."))
        if claim_id is None or missing:
            continue
        texts = _texts(path, item, problems)
        if not texts:
            continue
        lang, text = next(iter(texts.items()))
        stance = _text(path, item, "stance", problems)
        question = _text(path, item, "question", problems)
        if stance is not None and stance not in STANCES:
            problems.append(
                Problem(
                    path,
                    item.line_of("stance"),
                    f"stance {stance!r} is not one of {', '.join(STANCES)}",
                    did_you_mean(stance, STANCES),
                )
            )
        if (stance is None) != (question is None):
            problems.append(
                Problem(
                    path, item.line, f"claim {claim_id}: 'question' and 'stance' go together", "give both, or neither"
                )
            )
        claims.append(
            Claim(
                id=claim_id,
                source=_text(path, item, "source", problems) or "",
                text=text,
                lang=lang,
                texts=texts,
                note=_text(path, item, "note", problems),
                themes=_string_list(path, item, "themes", problems),
                path=path,
                line=item.line,
                reported_in=_text(path, item, "reported_in", problems),
                locator=_text(path, item, "locator", problems),
                evidence=_text(path, item, "evidence", problems),
                supports=_string_list(path, item, "supports", problems),
                disputes=_string_list(path, item, "disputes", problems),
                question=question,
                stance=stance,
                lines=dict(item.key_lines),
            )
        )
    return claims


def _texts(path: Path, item: Located, problems: list[Problem]) -> dict[str, str]:
    """A claim's text by language: `text: {en: ..., nb: ...}`, or `text: ...` with `lang: TAG`; English first."""
    value = item.get("text")
    if isinstance(value, dict):
        texts: dict[str, str] = {}
        for tag, text in value.items():
            if not LANG_PATTERN.fullmatch(str(tag)):
                problems.append(
                    Problem(path, item.line_of("text"), f"{tag!r} is not a BCP 47 language tag", "for example en or nb")
                )
            elif not isinstance(text, str) or not text.strip():
                problems.append(Problem(path, item.line_of("text"), f"the {tag} text must be text", f"{tag}: ..."))
            else:
                texts[str(tag)] = text.strip()
        if "lang" in item:
            problems.append(
                Problem(
                    path, item.line_of("lang"), "'lang' goes with a single text", "remove it: the mapping names them"
                )
            )
        return dict(sorted(texts.items(), key=lambda kv: (kv[0] != "en", kv[0])))
    text = _text(path, item, "text", problems)
    lang = _text(path, item, "lang", problems)
    if lang is None:
        problems.append(
            Problem(
                path,
                item.line,
                f"claim {item.get('id') or '?'} has no 'lang'",
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


_ITEM = re.compile(r"( *)- ")
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


def read_claim_items(path: Path, spans: list[tuple[int, str]]) -> tuple[list[Claim], list[Problem]]:
    """The claims of some of a file's items (see item_spans), read as they are read in the whole file:
    with the same lines and the same problems."""
    problems: list[Problem] = []
    claims: list[Claim] = []
    for line, chunk in spans:
        document = load_yaml_text(path, "\n" * (line - 2) + "claims:\n" + chunk, problems)
        claims += _claims_of(path, document, problems)
    return claims, problems


def read_questions(path: Path) -> tuple[list[Question], list[Problem]]:
    problems: list[Problem] = []
    questions: list[Question] = []
    if not path.exists():
        return questions, problems
    for item in _items(path, load_yaml(path, problems), "questions", problems):
        _check_keys(path, item, QUESTION_KEYS, problems)
        qid = _check_id(path, item, problems)
        text = item.get("text")
        texts: dict[str, str] = {}
        if isinstance(text, str):
            texts = {"en": text.strip()}
        elif isinstance(text, dict) and all(isinstance(v, str) for v in text.values()):
            texts = {str(k): v.strip() for k, v in text.items()}
        else:
            problems.append(
                Problem(path, item.line_of("text"), f"question {qid or '?'} needs text", "text: {en: ..., nb: ...}")
            )
        if qid and texts:
            questions.append(Question(qid, texts, _string_list(path, item, "themes", problems), path, item.line))
    return questions, problems


def read_claims(paths: Iterable[Path], questions_path: Path, cache: ParseCache = NO_CACHE) -> ClaimsResult:
    """All claim files and the questions; duplicate ids are reported with both places."""
    result = ClaimsResult()
    questions, problems = read_questions(questions_path)
    result.problems.extend(problems)
    for q in questions:
        if q.id in result.questions:
            result.problems.append(Problem(q.path, q.line, f"question id {q.id!r} is used twice", "rename one"))
        result.questions[q.id] = q
    paths = list(paths)
    for path, (claims, problems) in zip(paths, cache.get_many(paths, "claims", read_claim_file), strict=True):
        result.problems.extend(problems)
        for claim in claims:
            if claim.id in result.claims:
                first = result.claims[claim.id]
                result.problems.append(
                    Problem(
                        path,
                        claim.line,
                        f"claim id {claim.id!r} is also used at {first.path}:{first.line}",
                        "give each claim its own id",
                    )
                )
                continue
            result.claims[claim.id] = claim
    return result
