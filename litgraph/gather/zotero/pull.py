"""`litgraph zotero pull`: a Zotero collection (through the local API) -> bibliography/zotero.bib and claim
stubs from its PDF annotations in bibliography/claims/zotero.yaml.

What a pull must remember to give the same answer twice (the keys it made for items without a Better
BibTeX key, and each stub as it last wrote it) is kept in bibliography/zotero-state.json, beside the files
it made: it is part of the project (not of the deletable .litgraph/ folder). Every file is written whole
or not at all, the .bib first, then the stubs, then the state.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litgraph.errors import NotFoundError
from litgraph.gather.zotero import stubs as stubs_file
from litgraph.gather.zotero.annotations import COMMENTS, SKIPPED, WORDS, Meanings, Unmatched, stub_of
from litgraph.gather.zotero.bibentries import bibtex, entry_of, made_key, own_key, year_of
from litgraph.gather.zotero.client import ZoteroClient, ZoteroError
from litgraph.gather.zotero.html_text import plain_text
from litgraph.plumbing.files import atomic_file
from litgraph.suggest import did_you_mean, fold

BIB_FILE = "zotero.bib"
CLAIMS_FILE = "zotero.yaml"
STATE_FILE = "zotero-state.json"
BETTER_BIBTEX = "better-bibtex"


@dataclass(frozen=True)
class PullOptions:
    api: str
    timeout: float
    collection: str | None = None  # a name or a key; None: the whole library
    bib: str = "litgraph"  # or BETTER_BIBTEX: the .bib from Better BibTeX's pull export


@dataclass
class PullReport:
    """What a pull read and wrote, and what the user should look at."""

    collection: str | None = None
    items: int = 0
    entries: int = 0
    annotations: int = 0
    files: list[Path] = field(default_factory=list)
    merge: stubs_file.Merge = field(default_factory=stubs_file.Merge)
    todo: list[str] = field(default_factory=list)  # stub ids marked todo
    unmatched: list[Unmatched] = field(default_factory=list)
    without_pdf: list[str] = field(default_factory=list)  # citation keys
    skipped: Counter[str] = field(default_factory=Counter)  # annotation kind -> count (ink, image)
    taken_elsewhere: list[str] = field(default_factory=list)  # Better BibTeX keys another .bib file has too
    gone: list[str] = field(default_factory=list)  # stubs whose annotation is no longer in Zotero (kept)
    requests: int = 0


@dataclass
class _Item:
    data: dict[str, Any]
    key: str  # the citation key
    annotations: list[dict[str, Any]] = field(default_factory=list)


def collection_key(client: ZoteroClient, wanted: str) -> tuple[str, str]:
    """(key, name) of the collection `wanted` names (its key, or its name, any case); NotFoundError with the
    nearest names, or when two collections have the name."""
    found = [c["data"] for c in client.collections()]
    by_key = [c for c in found if str(c.get("key")) == wanted]
    named = by_key or [c for c in found if str(c.get("name", "")).casefold() == wanted.casefold()]
    if len(named) == 1:
        return str(named[0]["key"]), str(named[0].get("name", ""))
    if named:
        keys = ", ".join(f"{c['key']} ({c.get('name')})" for c in named)
        raise NotFoundError(f"{len(named)} collections are called {wanted!r}: {keys}; give its key with --collection")
    names = [str(c.get("name", "")) for c in found]
    raise NotFoundError(
        f"Zotero has no collection {wanted!r}; {did_you_mean(wanted, names) or 'collections: ' + ', '.join(sorted(names))}"
    )


def _read_items(client: ZoteroClient, collection: str | None, keys: dict[str, str], taken: set[str],
                report: PullReport, progress: Callable[[str], None]) -> list[_Item]:  # fmt: skip
    """The collection's items with their citation keys and their PDFs' annotations."""
    tops = [
        o["data"]
        for o in client.top_items(collection)
        if o["data"].get("itemType") not in ("attachment", "note", "annotation")
    ]
    items: list[_Item] = []
    for data in tops:  # Better BibTeX's keys first: a key litgraph makes must not take one of them
        own = own_key(data)
        if own:
            items.append(_Item(data, own))
            taken.add(own)
    for data in tops:
        if not own_key(data):
            key = keys.get(str(data.get("key")))
            key = key if key and key not in taken else made_key(data, taken)
            taken.add(key)
            items.append(_Item(data, key))
    items.sort(key=lambda i: i.key)
    for n, item in enumerate(items):
        if n % 10 == 0:
            progress(f"reading Zotero: items {n + 1}-{min(n + 10, len(items))} of {len(items)} and their annotations")
        pdfs = [c["data"] for c in client.children(str(item.data.get("key")))
                if c["data"].get("itemType") == "attachment" and c["data"].get("contentType") == "application/pdf"]  # fmt: skip
        if not pdfs:
            report.without_pdf.append(item.key)
        for pdf in pdfs:
            found = [
                c["data"] for c in client.children(str(pdf.get("key"))) if c["data"].get("itemType") == "annotation"
            ]
            item.annotations += sorted(found, key=lambda a: (str(a.get("annotationSortIndex", "")), str(a.get("key"))))
    return items


def _stubs(items: list[_Item], meanings: Meanings, report: PullReport) -> dict[str, dict[str, Any]]:
    stubs: dict[str, dict[str, Any]] = {}
    for item in items:
        for data in item.annotations:
            kind = str(data.get("annotationType") or "")
            report.annotations += 1
            if kind in SKIPPED or kind not in (*WORDS, *COMMENTS):
                report.skipped[kind or "unknown"] += 1
                continue
            stub = stub_of(data, item.key, meanings, report.unmatched)
            if kind in WORDS and "quote" not in stub and "text" not in stub:
                report.skipped["empty"] += 1
                continue
            stubs[str(data.get("key"))] = stub
    return stubs


def _read_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"items": {}, "stubs": {}}
    except (OSError, ValueError) as exc:
        raise ZoteroError(f"{path}: cannot be read ({exc}); delete it to start the pull's record anew") from None
    if (
        not isinstance(state, dict)
        or not isinstance(state.get("items"), dict)
        or not isinstance(state.get("stubs"), dict)
    ):
        raise ZoteroError(f"{path}: not a record of litgraph zotero pull; delete it to start the record anew")
    return state


def _write(path: Path, text: str) -> None:
    with atomic_file(path, "w") as handle:
        handle.write(text)


def pull(bibliography: Path, options: PullOptions, meanings: Meanings, other_keys: set[str],
         progress: Callable[[str], None], client: ZoteroClient | None = None) -> PullReport:  # fmt: skip
    """Read the collection and write the .bib, the stubs and the record of the pull (see the module)."""
    state_path, claims_path = bibliography / STATE_FILE, bibliography / "claims" / CLAIMS_FILE
    state = _read_state(state_path)
    document = stubs_file.load(claims_path, f"{bibliography.name}/claims/{CLAIMS_FILE}")  # (broken: stop now)
    client = client or ZoteroClient(options.api, options.timeout)
    report = PullReport()
    try:
        key = None
        if options.collection:
            key, report.collection = collection_key(client, options.collection)
        taken = set(other_keys)
        items = _read_items(client, key, {str(k): str(v) for k, v in state["items"].items()}, taken, report, progress)
        report.taken_elsewhere = sorted(i.key for i in items if i.key in other_keys)
        bib_text = _bib_text(client, items, key, options)
        report.requests = client.requests
    finally:
        client.close()
    report.items = report.entries = len(items)
    stubs = _stubs(items, meanings, report)
    report.merge = stubs_file.merge(document, stubs, state["stubs"])
    in_file = {str(i.get("id")): i for i in document["claims"] if isinstance(i, dict)}
    report.todo = [i for i, item in in_file.items() if item.get("todo") is True]
    pulled = {i.key for i in items}
    report.gone = sorted(str(s["id"]) for k, s in state["stubs"].items()
                         if k not in stubs and s.get("source") in pulled and str(s["id"]) in in_file)  # fmt: skip
    _write(bibliography / BIB_FILE, bib_text)
    _write(claims_path, stubs_file.dump(document))
    state["items"] = {**state["items"], **{str(i.data.get("key")): i.key for i in items}}
    state["stubs"] = {**state["stubs"], **report.merge.written}
    _write(state_path, json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    report.files = [bibliography / BIB_FILE, claims_path, state_path]
    return report


def _bib_text(client: ZoteroClient, items: list[_Item], collection: str | None, options: PullOptions) -> str:
    source = f"collection {collection}" if collection else "the whole library"
    if options.bib != BETTER_BIBTEX:
        header = f"The items of Zotero's {source}, written by `litgraph zotero pull` (a later pull writes it again)."
        return bibtex([entry_of(i.data, i.key) for i in items], header)
    if not collection:
        raise ZoteroError("Better BibTeX's pull export is of a collection: give --collection")
    root = options.api.rstrip("/").removesuffix("/api")
    text = client.text(f"{root}/better-bibtex/collection?/0/{collection}.biblatex")
    _keys_in_export(text, items)
    header = f"Better BibTeX's export of Zotero's {source}, fetched by `litgraph zotero pull`.\n"
    return "".join(f"% {line}\n" for line in header.splitlines()) + "\n" + text


def _keys_in_export(text: str, items: list[_Item]) -> None:
    """Give each item the key Better BibTeX's export has for it: its own where the item shows it, else the
    entry of the same title (and year); ZoteroError naming the items the export has no entry for."""
    import bibtexparser

    entries = bibtexparser.parse_string(text).entries
    keys = {e.key for e in entries}
    by_title: dict[tuple[str, str], str] = {}
    for entry in entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        year = year_of({"date": fields.get("date") or fields.get("year") or ""}) or ""
        by_title.setdefault((fold(fields.get("title", "")), year), entry.key)
    missing = []
    for item in items:
        if item.key in keys:
            continue
        title = fold(plain_text(str(item.data.get("title") or "")))
        found = by_title.get((title, year_of(item.data) or ""))
        if found is None:
            missing.append(item.key)
        else:
            item.key = found
    if missing:
        raise ZoteroError(
            f"Better BibTeX's export has no entry for {', '.join(missing)}; nothing was written "
            "(pull without --bib better-bibtex to write the .bib from Zotero's items)"
        )
