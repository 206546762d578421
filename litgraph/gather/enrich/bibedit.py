"""`litgraph enrich --apply`: write accepted proposals into the user's .bib files, and nothing else.

The file is never re-serialised. Each entry's text is located (bibtexparser's blocks, found in order in
the file), a new field goes in as one line after the entry's last field in the entry's own style
(indentation, `=` alignment, field-name case, trailing comma, line ending), and with --overwrite a value
is replaced in place. Every other byte of the file stays as it was: comments, @string, @preamble, the
order of entries, the encoding's BOM, every line ending (a new line ends as the entry's own lines do). A
value that cannot be the field's (values.py: `20} @misc{x,`, a line break...) is never written. Only the
.bib files the build reads are edited (never through a link out of the project). Before a file is replaced
(atomically, keeping its permissions) a timestamped copy is kept beside it, and the edited text is parsed
again to check that nothing else moved.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import bibtexparser
from bibtexparser.model import Block, Entry

from litgraph.errors import InputError, LitgraphError, NotFoundError
from litgraph.gather.enrich.project_files import own_file
from litgraph.gather.enrich.values import bibtex_value, implausible
from litgraph.model import Problem
from litgraph.plumbing.files import atomic_file
from litgraph.project import Project
from litgraph.s1_read.bibtex_values import top_level
from litgraph.s1_read.inputs import input_files, read_bytes
from litgraph.s1_read.proposals import Proposal, read_proposals, write_proposals
from litgraph.suggest import did_you_mean

BOM = "\ufeff"
# A proposed field counts as present when the entry has any of these names (biblatex aliases).
ALIASES = {
    "journal": ("journal", "journaltitle"),
    "year": ("year", "date"),
    "institution": ("institution", "school"),
    "number": ("number", "issue"),
}


class EditError(LitgraphError):
    """An entry cannot be edited safely (its text was not found where the parser put it)."""


@dataclass
class Edit:
    key: str
    field: str
    value: str
    replaced: str | None = None  # the raw value it replaced (--overwrite)


@dataclass
class ApplyReport:
    edits: list[Edit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "key: field: why", one line each
    refused: list[str] = field(default_factory=list)  # files that were not rewritten, and why
    files: list[Path] = field(default_factory=list)  # files rewritten (or, dry run, that would be)
    backups: list[Path] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # keys whose proposal is now wholly in the .bib


def _field_name(key: str) -> str:
    """The field's name without the comment lines bibtexparser keeps before it."""
    return key.splitlines()[-1].strip()


@dataclass
class _Span:
    name: str  # as written
    start: int  # where the name starts, in the entry's text
    value_start: int
    value_end: int


def _value_length(raw: str) -> int:
    """The length of a raw value without a `% comment` after it (bibtexparser keeps one in the value)."""
    for i, ch in top_level(raw):
        if ch == "%" and (i == 0 or raw[i - 1] != "\\"):
            return len(raw[:i].rstrip())
    return len(raw)


def _spans(entry: Entry) -> list[_Span]:
    """Where each field's name and value stand in the entry's text, found in order."""
    text, cursor, spans = entry.raw or "", 0, []
    for f in entry.fields:
        pattern = re.escape(f.key) + r"\s*=\s*(" + re.escape(str(f.value)) + ")"
        match = re.compile(pattern).search(text, cursor)
        if match is None:
            raise EditError(f"field {_field_name(f.key)!r} was not found in the text of {entry.key!r}")
        name = _field_name(f.key)
        value_end = match.start(1) + _value_length(str(f.value))
        spans.append(_Span(name, match.start() + f.key.rfind(name), match.start(1), value_end))
        cursor = match.end()
    return [s for s in spans if not s.name.startswith("%")]  # "% title = ..." is a comment to biber


def _line_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def _field_line(text: str, spans: list[_Span], name: str, value: str) -> str:
    """`name = value` as the entry's other fields are written: indentation, `=` alignment, name case."""
    own = [s for s in spans if not text[_line_start(text, s.start) : s.start].strip()]
    indent, before, after = "  ", " ", " "
    columns = {text.index("=", s.start + len(s.name)) - _line_start(text, s.start) for s in own}
    if own:
        last = own[-1]
        indent = text[_line_start(text, last.start) : last.start]
        between = text[last.start + len(last.name) : last.value_start]
        if "\n" not in between:
            before, _, after = between.partition("=")
    names = [s.name for s in spans]
    label = name.upper() if names and all(n.isupper() for n in names) else name
    if len(own) > 1 and len(columns) == 1:  # aligned: `author       = {...}`
        before = " " * max(1, columns.pop() - len(indent) - len(label))
    return f"{indent}{label}{before}={after}{value}"


def edit_entry(entry: Entry, adds: list[tuple[str, str]], replaces: dict[str, str], newline: str) -> str:
    """The entry's text with `adds` (name, BibTeX value) as new lines after its last field and the values
    of `replaces` (name as written -> BibTeX value) swapped in place; every other character kept."""
    text = entry.raw or ""
    spans = _spans(entry)
    if entry.fields and not spans:
        raise EditError("all its fields are commented out with %")
    operations: list[tuple[int, int, str]] = []  # (position, length removed, text inserted)
    for span in spans:
        if span.name in replaces:
            operations.append((span.value_start, span.value_end - span.value_start, replaces[span.name]))
    if adds:
        lines = [_field_line(text, spans, name, value) for name, value in adds]
        # after the last field's value; with no field yet, after `@type{key`
        end = spans[-1].value_end if spans else text.index(entry.key, len(entry.entry_type) + 2) + len(entry.key)
        comma = re.match(r"[ \t]*,", text[end:])
        cut = end + (comma.end() if comma else 0)
        line_rest = re.match(r"[ \t]*(%[^\r\n]*)?(?=\r?\n)", text[cut:])
        if line_rest:  # keep a comment at the end of the last field's line on that line
            cut += line_rest.end()
        if comma or not spans:
            block = "".join(f"{newline}{line}," for line in lines)
            if not spans:
                block = ("" if comma else ",") + block.rstrip(",")
                block += "" if re.match(r"\s*\n", text[cut:]) else newline
        else:
            block = "".join(f"{newline}{line}," for line in lines).rstrip(",")
            if cut != end:
                operations.append((end, 0, ","))
            else:
                block = "," + block
        operations.append((cut, 0, block))
    for position, length, insert in sorted(operations, key=lambda o: o[0], reverse=True):
        text = text[:position] + insert + text[position + length :]
    return text


def _entry_blocks(text: str) -> tuple[list[tuple[Block, int, int]], int]:
    """Every block bibtexparser finds, with where its text starts and ends in `text`; and how many failed."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    located, cursor = [], 0
    for block in library.blocks:
        raw = block.raw or ""
        start = text.find(raw, cursor)
        if start < 0:
            raise EditError("the parser's view of the file does not match its text")
        located.append((block, start, start + len(raw)))
        cursor = start + len(raw)
    return located, len(library.failed_blocks)


def _has(entry: Entry, name: str) -> str | None:
    """The name (as written) of the entry's field for `name` or one of its aliases, if any."""
    written = {_field_name(f.key).lower(): _field_name(f.key) for f in entry.fields}
    return next((written[n] for n in ALIASES.get(name, (name,)) if n in written), None)


def _plan(
    entry: Entry, proposal: Proposal, overwrite: bool, report: ApplyReport
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    adds: list[tuple[str, str]] = []
    replaces: dict[str, str] = {}
    for name, proposed in proposal.fields.items():
        value = bibtex_value(name, proposed.value)
        present = _has(entry, name)
        reason = implausible(name, proposed.value)
        if reason is not None:
            report.skipped.append(f"{entry.key}: {name}: not written: {reason}")
        elif name == "title" and proposed.replaces is not None and _has(entry, "subtitle"):
            report.skipped.append(f"{entry.key}: title: the entry splits it into title and subtitle; edit it by hand")
        elif present is None:
            adds.append((name, value))
            report.edits.append(Edit(entry.key, name, proposed.value))
        elif proposed.replaces is not None and overwrite:
            replaces[present] = value
            report.edits.append(Edit(entry.key, present, proposed.value, proposed.replaces))
        elif proposed.replaces is not None:
            report.skipped.append(f"{entry.key}: {present}: kept the .bib's value (--overwrite to replace it)")
        else:
            report.skipped.append(f"{entry.key}: {present}: the entry has one now; kept it")
    return adds, replaces


def _check(
    before: tuple[list[tuple[Block, int, int]], int],
    after: str,
    edited: dict[str, tuple[list[tuple[str, str]], dict[str, str]]],
) -> None:
    """The edited text parses to the same blocks, the untouched ones byte for byte, with the new values."""
    old, old_failed = before
    new, new_failed = _entry_blocks(after)
    if len(old) != len(new) or old_failed != new_failed:
        raise EditError("the edited file does not parse into the same entries")
    for (a, _, _), (b, _, _) in zip(old, new, strict=True):
        if isinstance(a, Entry) and isinstance(b, Entry) and a.key in edited:
            values = {_field_name(f.key).lower(): str(f.value)[: _value_length(str(f.value))] for f in b.fields}
            adds, replaces = edited[a.key]
            for name, value in [*adds, *replaces.items()]:
                if values.get(name.lower()) != value:
                    raise EditError(f"{a.key!r}: field {name!r} did not come out as written")
        elif a.raw != b.raw or type(a) is not type(b):
            raise EditError("a block that was not edited changed")


def _edit_file(
    text: str, proposals: dict[str, Proposal], overwrite: bool, report: ApplyReport
) -> tuple[str | None, set[str]]:
    """The file's new text (None when nothing changes) and the proposals' keys found in it."""
    newline = "\r\n" if "\r\n" in text else "\n"  # for an entry on one line; others end theirs as they do
    blocks, failed = _entry_blocks(text)
    pieces, cursor = [], 0
    found: set[str] = set()
    edited: dict[str, tuple[list[tuple[str, str]], dict[str, str]]] = {}
    for block, start, end in blocks:
        if not isinstance(block, Entry) or block.key not in proposals or block.key in found:
            continue
        found.add(block.key)
        adds, replaces = _plan(block, proposals[block.key], overwrite, report)
        if not adds and not replaces:
            continue
        try:
            pieces += [text[cursor:start], edit_entry(block, adds, replaces, _newline(block.raw or "", newline))]
        except EditError as exc:
            report.skipped.append(f"{block.key}: not edited: {exc}; add the fields by hand")
            report.edits = [e for e in report.edits if e.key != block.key]
            continue
        cursor = end
        edited[block.key] = (adds, replaces)
    if not edited:
        return None, found
    after = "".join([*pieces, text[cursor:]])
    _check((blocks, failed), after, edited)
    return after, found


def _newline(raw: str, default: str) -> str:
    """The line ending of an entry's own lines (`default` where it has one line)."""
    return "\r\n" if "\r\n" in raw else "\n" if "\n" in raw else default


def _entry_blocks_of(data: bytes) -> list[Block]:
    """The blocks of a file that is not UTF-8, only to see which keys it holds."""
    return list(bibtexparser.parse_string(data.decode("cp1252", errors="replace"), parse_stack=[]).blocks)


def _backup(path: Path, data: bytes) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    number = 1
    while target.exists():
        target, number = path.with_name(f"{path.name}.{stamp}-{number}.bak"), number + 1
    with atomic_file(target) as handle:
        handle.write(data)
    return target


def _replace(path: Path, original: bytes, text: str) -> None:
    """Write `text` over `path` atomically with its permissions, unless the file changed meanwhile."""
    if path.read_bytes() != original:
        raise EditError(f"{path} changed while litgraph was editing it; nothing was written to it")
    mode = path.stat().st_mode & 0o7777
    with atomic_file(path) as handle:
        os.fchmod(handle.fileno(), mode)
        handle.write(text.encode("utf-8"))


def _chosen(project: Project, keys: Iterable[str]) -> tuple[dict[str, Proposal], dict[str, Proposal]]:
    """Every proposal of the overlay, and the accepted ones with fields (of `keys`, or all)."""
    problems: list[Problem] = []
    proposals = read_proposals(project.proposals_file, problems)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    keys = list(keys)
    for key in keys:
        if key not in proposals:
            hint = did_you_mean(key, proposals)
            raise NotFoundError(
                f"no proposal for {key!r} in {project.relative(project.proposals_file)}" + (f"; {hint}" if hint else "")
            )
    chosen = {k: p for k, p in proposals.items() if p.status == "accepted" and p.fields and (not keys or k in keys)}
    return proposals, chosen


def _edit_files(
    project: Project, chosen: dict[str, Proposal], overwrite: bool, report: ApplyReport
) -> dict[Path, tuple[bytes, str]]:
    """The .bib files the build reads that change (path -> their bytes, their new text)."""
    changed: dict[Path, tuple[bytes, str]] = {}
    found: set[str] = set()
    for path in [f.path for f in input_files(project) if f.kind == "bib"]:
        remaining = {k: p for k, p in chosen.items() if k not in found}
        if not remaining:
            break
        original = read_bytes(project, path)  # (what the build would not read is not edited either)
        if isinstance(original, Problem):
            report.refused.append(f"{original}; it is not read, so not rewritten")
            continue
        try:
            text, in_file = _edit_file(original.decode("utf-8"), remaining, overwrite, report)
        except UnicodeDecodeError:
            in_file = set(remaining) & {e.key for e in _entry_blocks_of(original) if isinstance(e, Entry)}
            if in_file:
                report.refused.append(
                    f"{project.relative(path)}: not UTF-8, so it is not rewritten (save it as UTF-8, or add the "
                    f"fields of {', '.join(sorted(in_file))} by hand)"
                )
            found |= in_file
            continue
        except EditError as exc:
            report.refused.append(f"{project.relative(path)}: {exc}; it was not rewritten")
            report.edits = [e for e in report.edits if e.key not in remaining]
            found |= set(remaining)  # unknown which: none of them is reported missing
            continue
        found |= in_file
        if text is not None:
            changed[path] = (original, text)
    report.skipped += [f"{key}: not in the bibliography any more" for key in chosen if key not in found]
    return changed


def apply_proposals(
    project: Project, keys: Iterable[str] = (), overwrite: bool = False, dry_run: bool = False
) -> ApplyReport:
    """Write the accepted proposals (of `keys`, or all) into the .bib files; mark them applied."""
    proposals, chosen = _chosen(project, keys)
    report = ApplyReport()
    if not chosen:
        return report
    changed = _edit_files(project, chosen, overwrite, report)
    report.files = sorted(changed)
    edited = {e.key for e in report.edits}
    report.applied = sorted(k for k in edited if not any(s.startswith(f"{k}: ") for s in report.skipped))
    if dry_run:
        return report
    for path, (original, text) in changed.items():
        target = own_file(project, path).resolve()  # through a link inside the project, to its file
        try:
            report.backups.append(_backup(target, original))
            _replace(target, original, text)
        except OSError as exc:
            done = ", ".join(project.relative(p) for p in changed if p < path) or "no file"
            raise LitgraphError(
                f"cannot write {project.relative(path)}: {exc.strerror}; written before it: {done}"
            ) from None
    if report.applied:
        for key in report.applied:
            proposals[key].status = "applied"
        overlay = own_file(project, project.proposals_file)
        write_proposals(overlay, proposals.values(), _header(project.proposals_file))
    return report


def _header(path: Path) -> str:
    """The overlay's comment head as it is (the lines starting with #), so a rewrite keeps it."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines)
