"""Which files are a project's inputs, and reading them safely.

An input is read only when it is a regular file inside the project (a link is followed only where it stays
inside), no larger than the limit; a link out of the project, a folder or special file (FIFO, device)
named like an input, a broken link, a loop of links or a file name that is not UTF-8 become a Problem
with the file's name, and the build goes on to report the rest. Text is UTF-8, or UTF-16/32 where a
byte-order mark says so.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from litgraph.model import Problem
from litgraph.project import Project, packaged_data

KINDS = ("bib", "claims", "questions", "citations", "proposals", "themes", "vocabulary", "shapes")

TEMPLATES = Path(__file__).resolve().parent.parent / "s6_render" / "templates"  # (what pages are made with)


@dataclass(frozen=True)
class InputFile:
    """One input file: what it holds (`kind`, one of KINDS) and where it is."""

    kind: str
    path: Path
    name: str  # as the user would type it from the project folder (what the state and messages use)


def _listed(folder: Path, *patterns: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted({p for pattern in patterns for p in folder.glob(pattern)})


def input_files(project: Project) -> list[InputFile]:
    """Every input of the project, in the order the build reads them (files that are not there are left
    out, except the ontology's, which fall back to the packaged ones)."""
    paths = [("themes", themes_file(project))]
    paths += [
        (kind, project.ontology_file(name)) for kind, name in (("vocabulary", "litgraph.ttl"), ("shapes", "shapes.ttl"))
    ]
    paths += [("bib", p) for p in _listed(project.bibliography_dir, "*.bib")]
    paths += [("claims", p) for p in _listed(project.claims_dir, "*.yaml", "*.yml")]
    paths += [("citations", p) for p in _listed(project.citations_dir, "*.yaml", "*.yml")]
    for kind, path in (("questions", project.questions_file), ("proposals", project.proposals_file)):
        if os.path.lexists(path):
            paths.append((kind, path))
    return [InputFile(kind, path, printable_name(project.relative(path))) for kind, path in paths]


def themes_file(project: Project) -> Path:
    """The theme scheme: ontology/themes.yaml where the project has one (it wins over a themes.ttl beside
    it, which is then not read), else ontology/themes.ttl, else the packaged one."""
    own = project.ontology_dir / "themes.yaml"
    return own if os.path.lexists(own) else project.ontology_file("themes.ttl")


def printable_name(name: str) -> str:
    """A file name as text that can be stored and printed: bytes that are not UTF-8 shown as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")


@dataclass(frozen=True)
class Stat:
    """What tells whether a file changed without reading it."""

    size: int
    mtime_ns: int
    inode: int


def identity(path: Path) -> Stat | None:
    """The file's size, time and inode (following a link), or None where it cannot be had."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return Stat(info.st_size, info.st_mtime_ns, info.st_ino)


def _refusal(project: Project, path: Path) -> str | None:
    """Why `path` must not be read, or None."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not UTF-8 text; rename the file"
    ours = packaged_data().resolve()
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "is a link to a file that does not exist; remove the link or restore the file"
    except (RuntimeError, OSError) as exc:  # a loop of links (RuntimeError before Python 3.13)
        return f"cannot be followed ({getattr(exc, 'strerror', None) or exc}); remove the link"
    root = project.root.resolve()
    if not (target.is_relative_to(root) or target.is_relative_to(ours)):
        return f"is a link to {target}, outside the project; copy the file into the project instead"
    mode = os.stat(target).st_mode
    if stat.S_ISDIR(mode):
        return "is a folder, not a file; rename it (only files are read)"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device); only files are read"
    return None


def read_bytes(project: Project, path: Path) -> bytes | Problem:
    """The file's bytes, or a Problem saying why it was not read (never a hang or a crash)."""
    refused = _refusal(project, path)
    if refused is not None:
        return Problem(printable_name(project.relative(path)), None, refused)
    limit = project.limits.input_bytes
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_size > limit or not stat.S_ISREG(info.st_mode):
                return _too_large(project, path, limit)
            data = handle.read(info.st_size + 1)  # (a file that grows meanwhile: read to its size and a byte)
            if len(data) > info.st_size:
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        return Problem(printable_name(project.relative(path)), None, f"cannot be read: {exc.strerror or exc}")
    if len(data) > limit:
        return _too_large(project, path, limit)
    return data


def _too_large(project: Project, path: Path, limit: int) -> Problem:
    return Problem(
        printable_name(project.relative(path)),
        None,
        f"is larger than {limit:,} bytes, the limit for one input file",
        "split it, or raise input_bytes under [limits] in litgraph.toml",
    )


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def decode(data: bytes, where: Path | str, fallback: str | None = None) -> tuple[str | None, list[Problem]]:
    """Text of an input file: by its byte-order mark (UTF-8, -16 or -32), else UTF-8; `fallback` (an
    encoding) for files that are neither, with a warning; None with a Problem where it cannot be read."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), []
            except UnicodeDecodeError as exc:
                return None, [Problem(where, None, f"not valid {encoding.upper()} ({exc.reason})", "save it as UTF-8")]
    if data[:200].count(b"\0") > min(10, len(data[:200]) // 4):  # (NUL is valid UTF-8: text never holds it)
        hint = "it looks like UTF-16 or UTF-32 without a byte-order mark; save it as UTF-8"
        return None, [Problem(where, None, "not UTF-8 text", hint)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if fallback is None:
            return None, [Problem(where, line, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8")]
        warning = Problem(
            where,
            line,
            f"file is not UTF-8; read it as {fallback}",
            "re-export the file as UTF-8 to be sure accented names are right",
            "warning",
        )
        return data.decode(fallback, errors="replace"), [warning]


def input_stamp(project: Project) -> list[list[object]]:
    """What tells whether any input changed since (without reading one): each input file's name, size,
    time and inode, the settings file's, litgraph's version and its page templates'."""
    from litgraph.version import UNITS_FORMAT, __version__

    found: list[list[object]] = [[__version__, UNITS_FORMAT]]
    for path in sorted(TEMPLATES.iterdir()) if TEMPLATES.is_dir() else []:  # (new templates: new pages)
        info = identity(path)
        found.append([f"template {path.name}", *((info.size, info.mtime_ns, info.inode) if info else (None,))])
    for f in [*input_files(project), InputFile("settings", project.root / "litgraph.toml", "litgraph.toml")]:
        info = identity(f.path)
        found.append([f.name, *((info.size, info.mtime_ns, info.inode) if info else (None,))])
    return found
