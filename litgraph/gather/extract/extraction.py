"""`litgraph extract`: read a document, find its citations, resolve them against the bibliography.

Composes `mentions` (finding) and `resolution` (matching); writes what the user asked for: the citation file
that `build` turns into cito:cites (`--as KEY`), and claim stubs to fill in (`--claims-stub FILE`).
"""

from __future__ import annotations

import bisect
import errno
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from litgraph.errors import LitgraphError
from litgraph.gather.extract.document import in_document
from litgraph.gather.extract.mentions import Mention, MentionFinder
from litgraph.gather.extract.resolution import Resolution, Resolver
from litgraph.model import Work
from litgraph.plumbing.files import atomic_file
from litgraph.s1_read.citations import not_cited, write_citations

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDFTOTEXT_TIMEOUT = 120  # seconds
CONTEXT_CHARS = 250  # how far back a citation's sentence may name the work it cites


class ExtractError(LitgraphError):
    """The document cannot be read (missing, unsupported, not text, no pdftotext)."""


@dataclass
class Found:
    """One citation in a document: what was written, where, and which work it is."""

    mention: Mention
    resolution: Resolution
    line: int
    reported_in: str | None = None  # a secondary citation: the key of the work it was read in

    def as_json(self) -> dict[str, Any]:
        m, r = self.mention, self.resolution
        return {
            "raw": m.raw,
            "start": m.start,
            "end": m.end,
            "line": self.line,
            "kind": m.kind,
            "authors": m.names if m.kind != "government" else [f"{m.series} {m.number}"],
            "et_al": m.et_al,
            "year": m.year,
            "locator": m.locator,
            "reported_in": self.reported_in,
            "status": r.status,
            "work": {"key": r.work.key, "family": r.work.family, "year": r.work.year, "reason": r.work.reason}
            if r.work
            else None,
            "candidates": [
                {"key": c.key, "family": c.family, "year": c.year, "reason": c.reason} for c in r.candidates
            ],
        }


def read_document(path: Path) -> str:
    """The text of a .txt/.md file, or of a PDF through pdftotext (poppler-utils)."""
    if not path.is_file():
        raise ExtractError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix not in TEXT_SUFFIXES:
        raise ExtractError(f"{path}: cannot read {suffix or 'files without an extension'}; give a .txt, .md or .pdf")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def _pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        raise ExtractError(
            f"{path}: reading a PDF needs pdftotext, which is not installed "
            "(Debian/Ubuntu: apt install poppler-utils; macOS: brew install poppler), or save the PDF as .txt"
        )
    try:
        done = subprocess.run(
            [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=PDFTOTEXT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ExtractError(f"{path}: pdftotext took longer than {PDFTOTEXT_TIMEOUT} s; is the PDF damaged?") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractError(f"{path}: pdftotext failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout.decode("utf-8", "replace")


def known_names(works: Iterable[Work]) -> list[str]:
    """Family and corporate names of the bibliography, so multi-word ones are recognised in running text."""
    names: set[str] = set()
    for work in works:
        names.update(p.family for p in (work.authors or work.editors))
        names.update(work.extra[k] for k in ("shortauthor",) if work.extra.get(k))
    return sorted(names)


class Extractor:
    """Finder and resolver for one bibliography; reuse it for many documents."""

    def __init__(self, works: Iterable[Work]):
        works = list(works)
        self.finder = MentionFinder(known_names(works))
        self.resolver = Resolver(works)

    def extract_text(self, text: str) -> list[Found]:
        newlines = [m.start() for m in re.finditer("\n", text)]
        found = [
            Found(m, self.resolver.resolve(m, _before(text, m.start)), bisect.bisect_left(newlines, m.start) + 1)
            for m in self.finder.find(text)
        ]
        return in_document(text, found)

    def extract(self, path: Path) -> list[Found]:
        return self.extract_text(read_document(path))


def _before(text: str, start: int) -> str:
    """The text just before a citation, in its paragraph, where a sentence may name the work it cites."""
    window = text[max(0, start - CONTEXT_CHARS) : start]
    paragraph = max(window.rfind("\n\n\n"), window.rfind("\n \n"))
    return window[paragraph + 1 :] if paragraph >= 0 else window


def resolved_keys(found: Iterable[Found]) -> list[str]:
    return sorted({f.resolution.work.key for f in found if f.resolution.work})


def unresolved_works(found: Iterable[Found]) -> list[dict[str, str]]:
    """The works cited that are not in the bibliography (unresolved, not ambiguous), each once, with what
    the text records of it: the authors (family names as written, "and others" for et al.), the year, and
    the citation as written (the first place)."""
    works: dict[tuple[str, str], dict[str, str]] = {}
    for f in found:
        m = f.mention
        if f.resolution.status != "unresolved" or m.kind == "government" or not m.names or not m.year:
            continue
        author = " and ".join([*m.names, *(["others"] if m.et_al else [])])
        works.setdefault(
            (author.casefold(), m.year), {"author": author, "year": m.year, "seen": " ".join(m.raw.split())}
        )
    return sorted(works.values(), key=lambda w: (w["author"].casefold(), w["year"]))


def write_cites(path: Path, citing: str, found: list[Found], document: Path) -> list[str]:
    """Record that `citing` cites every resolved work (the file `build` reads), and the works it cites that
    are not in the bibliography (`cites_outside`: `litgraph gaps` counts them); the keys written."""
    left_out = not_cited(path).get(citing, [])  # (recorded by hand: the text does not cite them)
    keys = [k for k in resolved_keys(found) if k != citing and k not in left_out]
    comment = f"Written by `litgraph extract {document.name} --as {citing}`; rerun to update."
    if left_out:
        comment += "\nnot_cites: found in the text, but not cited by it (kept out on every rerun)."
    outside = unresolved_works(found)
    if outside:
        comment += "\ncites_outside: cited in the text, not in the bibliography (as the text gives them)."
    try:
        write_citations(path, {citing: keys}, comment, {citing: left_out}, {citing: outside})
    except OSError as exc:
        hint = "; the key is too long for a file name: shorten it" if exc.errno == errno.ENAMETOOLONG else ""
        raise ExtractError(f"cannot write {path.name}: {exc.strerror or exc}{hint}") from None
    return keys


def write_claim_stubs(path: Path, found: list[Found], document: Path, reported_in: str | None) -> int:
    """YAML claim stubs, one per resolved work, with where each citation stands; the number written.

    The stubs are incomplete on purpose (no text, no themes): `validate` says what to fill in once they are
    moved into bibliography/claims/.
    """
    first: dict[str, Found] = {}
    places: dict[str, list[str]] = {}
    for f in found:
        if f.resolution.work:
            first.setdefault(f.resolution.work.key, f)
            places.setdefault(f.resolution.work.key, []).append(f"{document.name}:{f.line}")
    parts = [f"# Claim stubs for the works cited in {document.name}: fill in text and themes, then move them\n"
             "# into bibliography/claims/. Each comment says where the work is cited (file:line).\n"
             "claims:\n"]  # fmt: skip
    for key, f in first.items():
        read_in = f.reported_in or reported_in  # a secondary citation: read in the work it names
        item: dict[str, Any] = {"id": f"{key}-{(read_in or document.stem).lower()}", "source": key}
        if read_in:
            item["reported_in"] = read_in
        locator = f.mention.read_in.locator if f.reported_in and f.mention.read_in else f.mention.locator
        if locator:
            item["locator"] = f"p. {locator}"
        item.update({"text": "", "lang": "en", "themes": []})
        parts.append(f"  # cited at {', '.join(places[key][:5])}{' ...' if len(places[key]) > 5 else ''}\n")
        body = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, default_flow_style=False)
        parts.append("".join("  " + line + "\n" for line in body.splitlines()))
    try:
        with atomic_file(path, "w") as handle:
            handle.write("".join(parts))
    except OSError as exc:
        raise ExtractError(f"cannot write {path}: {exc.strerror or exc}; give another file") from None
    return len(first)
