"""The claim stubs file (bibliography/claims/zotero.yaml): new stubs added, earlier ones brought up to date
by annotation key without undoing what the user wrote in the file.

The file is read and written by ruamel.yaml's round-trip mode, so the user's comments, order, quoting and
own keys stay as they were; it constructs no Python object from a tag (what is not a plain mapping, list
or scalar is kept as it stands). Each field of a stub is merged three ways: the value the last pull wrote
(kept in the pull's state), the value in the file now, and the value Zotero gives now. Where the file
still holds what the last pull wrote, Zotero's value replaces it; where the user changed it, theirs stays
(and a highlight changed in Zotero since is reported). A stub the user deleted is not added again.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from litgraph.gather.zotero.annotations import FIELDS
from litgraph.gather.zotero.client import ZoteroError

HEADER = """Claim stubs from your Zotero highlights, written by `litgraph zotero pull`.
Edit them freely: a later pull updates a stub only where you left it as the pull wrote it.
A stub with `todo: true` is not built yet: write its text (your words), check its themes, then remove
the todo line. `quote` is the highlighted text, `locator` its page."""
MERGED = FIELDS[1:]  # (id is the stub's name)


@dataclass
class Merge:
    """What a pull did to the stubs file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stubs where the user's edits were kept over Zotero's
    changed_highlights: list[str] = field(default_factory=list)  # ids whose highlighted text changed in Zotero
    deleted_by_user: list[str] = field(default_factory=list)
    written: dict[str, dict[str, Any]] = field(default_factory=dict)  # annotation key -> the stub as pulled


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # a quote stays on its line
    yaml.preserve_quotes = True
    return yaml


def load(path: Path, shown: str) -> CommentedMap:
    """The stubs file as ruamel's round-trip data (a new one when there is none); ZoteroError naming the
    line when it is not a claims file."""
    if not path.exists():
        document = CommentedMap(claims=CommentedSeq())
        document.yaml_set_start_comment(HEADER)
        return document
    try:
        document = _yaml().load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark is not None else shown
        raise ZoteroError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc}); fix it and pull "
                          "again (nothing was written)") from None  # fmt: skip
    if document is None:
        document = CommentedMap(claims=CommentedSeq())
    if not isinstance(document, CommentedMap) or not isinstance(document.get("claims") or CommentedSeq(), list):
        raise ZoteroError(f"{shown}: expected a 'claims:' list at the top; fix it and pull again (nothing was written)")
    if not document.get("claims"):  # (`claims:` with nothing under it)
        document["claims"] = CommentedSeq()
    return document


def dump(document: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [str(v) for v in value]
    return None if value is None else (value if isinstance(value, bool) else str(value))


def _yaml_value(value: Any) -> Any:
    if isinstance(value, list):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        return seq
    return value


def _stub(values: Mapping[str, Any]) -> CommentedMap:
    return CommentedMap((k, _yaml_value(v)) for k, v in values.items())


def merge(document: CommentedMap, stubs: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]]) -> Merge:
    """Bring the file's stubs up to date with `stubs` (by annotation key), given what the last pull wrote
    (`before`, by annotation key)."""
    found = Merge()
    items: CommentedSeq = document["claims"]
    by_id = {str(item.get("id")): item for item in items if isinstance(item, dict)}
    for key, ours in stubs.items():
        base = before.get(key)
        claim_id = str(base["id"]) if base else ours["id"]
        theirs = by_id.get(claim_id)
        found.written[key] = {**ours, "id": claim_id}
        if theirs is None:
            if base is None:
                items.append(_stub(ours))
                found.added.append(claim_id)
            else:
                found.deleted_by_user.append(claim_id)
            continue
        if base is None:  # a stub of this name the last pull did not record: the file's is the user's
            found.kept.append(claim_id)
            continue
        _merge_one(theirs, base, ours, found)
    return found


def _merge_one(theirs: dict[str, Any], base: dict[str, Any], ours: dict[str, Any], found: Merge) -> None:
    claim_id = str(theirs.get("id"))
    changed = kept = False
    for name in MERGED:
        now, was, new = _plain(theirs.get(name)), base.get(name), ours.get(name)
        if name == "quote" and new != was:
            found.changed_highlights.append(claim_id)
        if new == was:
            continue
        if now == was:
            _set(theirs, name, new)
            changed = True
        else:
            kept = True
    if changed:
        found.updated.append(claim_id)
    if kept:
        found.kept.append(claim_id)


def _set(item: Any, name: str, value: Any) -> None:
    """Set (or, with None, remove) a field of a stub, a new field in the place FIELDS gives it."""
    if value is None:
        item.pop(name, None)
        return
    if name in item:
        item[name] = _yaml_value(value)
        return
    order = list(FIELDS)
    at = len(item)
    for i, existing in enumerate(item):
        if existing in order and order.index(existing) > order.index(name):
            at = i
            break
    item.insert(at, name, _yaml_value(value))
