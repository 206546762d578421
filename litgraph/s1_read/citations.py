"""Read and write citation files (bibliography/citations/*.yaml): who cites whom, as BibTeX keys.

`litgraph extract --as KEY` and `litgraph enrich --citations` write them; `build` turns each link into
`cito:cites`. The format, one item per citing work:

    citations:
      - citing: karlsson2017
        cites: [borg2013, repper2011]

Whether the keys exist is checked against the whole project in s2_check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from litgraph.model import Citation, Problem
from litgraph.plumbing.files import atomic_file
from litgraph.s1_read.yamlfile import Located, load_yaml_text

ITEM_KEYS = {
    "citing",
    "cites",
    "not_cites",
    "cites_outside",
}  # not_cites: what `extract --as` finds but the text does not cite
# cites_outside: works the citing work cites that are not in the bibliography, with what the citation data
# records of each (never more): `litgraph gaps` counts them; build makes no triples of them
OUTSIDE_FIELDS = {"author": str, "year": str, "title": str, "doi": str, "openalex": str, "seen": str}


@dataclass
class CitationsResult:
    citations: list[Citation] = field(default_factory=list)
    where: dict[Citation, tuple[Path, int]] = field(default_factory=dict)  # first place each link is written
    outside: list[tuple[str, dict[str, str], int]] = field(default_factory=list)  # (citing, fields, line)
    problems: list[Problem] = field(default_factory=list)


def _item(path: Path, item: Located, result: CitationsResult) -> None:
    for key in sorted(set(item) - ITEM_KEYS):
        result.problems.append(
            Problem(
                path,
                item.line_of(key),
                f"unknown key {key!r} in a citation item",
                "use 'citing', 'cites' and 'not_cites'",
            )
        )
    citing, cites = item.get("citing"), item.get("cites")
    if not isinstance(citing, str) or not citing:
        result.problems.append(Problem(path, item.line, "a citation item needs 'citing: KEY'", "name the citing work"))
        return
    not_cites = item.get("not_cites", [])
    if not isinstance(not_cites, list) or not all(isinstance(c, str) for c in not_cites):
        result.problems.append(Problem(path, item.line_of("not_cites"), f"'not_cites' of {citing!r} must be a list of keys",
                                       "not_cites: [key1, key2]"))  # fmt: skip
    _outside(path, item, citing, result)
    if cites is None and ("not_cites" in item or "cites_outside" in item):
        return  # (only what extract must leave out, or works outside the bibliography)
    if isinstance(cites, str):
        cites = [cites]
    if not isinstance(cites, list) or not all(isinstance(c, str) for c in cites):
        result.problems.append(
            Problem(path, item.line_of("cites"), f"'cites' of {citing!r} must be a list of keys", "cites: [key1, key2]")
        )
        return
    for cited in cites:
        if cited == citing:
            result.problems.append(
                Problem(path, item.line_of("cites"), f"{citing!r} cites itself", "remove it from 'cites'")
            )
            continue
        link = Citation(citing, cited)
        if link not in result.where:
            result.where[link] = (path, item.line_of("cites"))
            result.citations.append(link)


def _outside(path: Path, item: Located, citing: str, result: CitationsResult) -> None:
    """The `cites_outside` list of an item: mappings of OUTSIDE_FIELDS (text or numbers), one per work."""
    found = item.get("cites_outside")
    if found is None:
        return
    hint = "cites_outside: [{author: Repper and Carter, year: 2011}, {openalex: W2041}]"
    if not isinstance(found, list):
        result.problems.append(
            Problem(path, item.line_of("cites_outside"), f"'cites_outside' of {citing!r} must be a list", hint)
        )
        return
    for entry in found:
        line = entry.line if isinstance(entry, Located) else item.line_of("cites_outside")
        if not isinstance(entry, dict) or not entry:
            result.problems.append(Problem(path, line, "each item of 'cites_outside' must be a mapping", hint))
            continue
        unknown = sorted(str(k) for k in entry if k not in OUTSIDE_FIELDS)
        if unknown:
            result.problems.append(Problem(path, line, f"unknown field {unknown[0]!r} in 'cites_outside'",
                                           f"use {', '.join(sorted(OUTSIDE_FIELDS))}"))  # fmt: skip
            continue
        values = {str(k): str(v) for k, v in entry.items() if isinstance(v, str | int) and str(v).strip()}
        if values:
            result.outside.append((citing, dict(sorted(values.items())), line))


def read_citations_text(path: Path, text: str) -> CitationsResult:
    """Every link in one citation file's text, in order; problems collected, never raised."""
    result = CitationsResult()
    document = load_yaml_text(path, text, result.problems)
    if document is None:
        return result
    items = document.get("citations") if isinstance(document, Located) else None
    if not isinstance(items, list):
        result.problems.append(
            Problem(path, 1, "expected a 'citations:' list at the top", "citations:\n  - citing: KEY\n    cites: [KEY]")
        )
        return result
    for item in items:
        if isinstance(item, Located):
            _item(path, item, result)
        else:
            result.problems.append(
                Problem(path, None, "each citation item must be a mapping", "  - citing: KEY\n    cites: [KEY]")
            )
    return result


def not_cited(path: Path) -> dict[str, list[str]]:
    """The `not_cites` lists of a citation file (citing key -> keys), where it exists and reads."""
    if not path.is_file():
        return {}
    result = CitationsResult()
    document = load_yaml_text(path, path.read_text(encoding="utf-8", errors="replace"), result.problems)
    items = document.get("citations") if isinstance(document, Located) else None
    found: dict[str, list[str]] = {}
    for item in items if isinstance(items, list) else []:
        if (
            isinstance(item, Located)
            and isinstance(item.get("citing"), str)
            and isinstance(item.get("not_cites"), list)
        ):
            found.setdefault(item["citing"], []).extend(str(k) for k in item["not_cites"])
    return found


def write_citations(
    path: Path,
    cites: dict[str, list[str]],
    comment: str,
    not_cites: dict[str, list[str]] | None = None,
    outside: dict[str, list[dict[str, str]]] | None = None,
) -> None:
    """Write (atomically) a citation file with one item per citing work, keys sorted; `comment` heads it;
    `not_cites`: what each citing work is recorded not to cite (kept in its item); `outside`: the works
    each cites that are not in the bibliography (OUTSIDE_FIELDS each)."""
    items: list[dict[str, object]] = []
    for citing in sorted(set(cites) | set(outside or {})):
        cited = cites.get(citing, [])
        item: dict[str, object] = {"citing": citing, "cites": sorted(set(cited))}
        if (not_cites or {}).get(citing):
            item["not_cites"] = sorted(set((not_cites or {})[citing]))
        if (outside or {}).get(citing):
            item["cites_outside"] = (outside or {})[citing]
        if cited or "not_cites" in item or "cites_outside" in item:
            items.append(item)
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    body = yaml.safe_dump({"citations": items}, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
    with atomic_file(path, "w") as handle:
        handle.write(header + body)
