"""Stage 1: the input files into the state's tables, reading again only what changed."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litgraph import InputError, build, load, open_project, validate
from litgraph.pipeline import TABLES, read_and_check
from litgraph.plumbing import statedb
from litgraph.s1_read import parsing, reading
from litgraph.s1_read.changes import clear_pending
from litgraph.s1_read.claims import item_spans, read_claim_item, read_claims_text, shifted

from .conftest import REPO, MakeProject

BIB = "@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review}, year = 2011}\n"
ITEM = "  - id: {id}\n    source: repper2011\n    text: {text}\n    lang: en\n    themes: [trust]\n"


def _claims(*texts: str) -> str:
    return "claims:\n" + "".join(ITEM.format(id=f"c{i}", text=t) for i, t in enumerate(texts))


def _state(root: Path) -> sqlite3.Connection:
    return statedb.open_state(root / "state.sqlite", TABLES)


def test_a_files_items_read_one_by_one_are_the_file_read_whole() -> None:
    files = sorted((REPO / "bibliography/claims").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        spans = item_spans(text)
        assert spans is not None, path
        whole, problems = read_claims_text(path, text)
        one_by_one = [shifted(c, line - 1) for line, chunk in spans for c in read_claim_item(path, chunk)[0]]
        assert one_by_one == whole and not problems, path  # the same claims, at the same lines
    for text in (
        "claims:\n  - id: a\n    text: &t x\n  - id: b\n    text: *t\n",  # an alias: items depend on each other
        "claims: [{id: a}]\n",  # not a block of items
        "claims:\n  - id: a\nquestions: []\n",  # something after the items
        "claims:\nother: 1\n  - id: a\n",  # or before them
        "claims:\n\t- id: a\n",
    ):
        assert item_spans(text) is None, text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="&*[]{},:- \t\n\xa0\u2028#x", max_size=40))
def test_anchors_and_aliases_are_found_as_the_pattern_finds_them(text: str) -> None:
    """item_spans finds anchors and aliases by str.find (fast on large files): where the pattern would."""
    from litgraph.s1_read.claims import _ALIAS_OR_ANCHOR, _has_alias_or_anchor

    assert _has_alias_or_anchor(text) == bool(_ALIAS_OR_ANCHOR.search(text))


LINES = ["  - id: a", "  - id: b", "    text: x", "  # c", "", "x: 1", " - id: c", "   - d"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=8))
def test_items_are_split_where_their_lines_begin(lines: list[str]) -> None:
    """item_spans' items, found by newlines: where re.M's ^ finds them. Each line at the items' indent that
    begins with '- ' begins one; any other line at that indent or less (not blank or a comment) means the
    file has none."""
    import itertools

    text = "claims:\n" + "".join(line + "\n" for line in lines)
    first = re.compile(r"^( *)- ", re.M).search(text, len("claims:\n"))
    expected = None
    if first is not None and re.fullmatch(r"(?:[ ]*(?:#[^\n]*)?\n)*", text[len("claims:\n") : first.start()]):
        body, indent = first.start(), len(first.group(1))
        starts = [m.start() for m in re.finditer(rf"^ {{{indent}}}- ", text[body:], re.M)]
        if len(re.findall(rf"^ {{0,{indent}}}[^ \n#]", text[body:], re.M)) == len(starts):
            bounds = [body + s for s in starts] + [len(text)]
            expected = [(text.count("\n", 0, b) + 1, text[b:e]) for b, e in itertools.pairwise(bounds)]
    assert item_spans(text) == expected


def test_a_file_is_read_again_only_when_its_bytes_change_and_an_item_only_when_its_text_does(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": _claims("One.", "Two.", "Three.")})
    project = open_project(root)
    db = _state(root)
    files: list[str] = []
    real_file = reading.parse_claims
    monkeypatch.setattr(
        reading, "parse_claims", lambda name, text, known=None: files.append(name) or real_file(name, text, known)
    )
    items: list[str] = []
    real_item = parsing.read_claim_item
    monkeypatch.setattr(parsing, "read_claim_item", lambda path, item: items.append(item) or real_item(path, item))
    first, _ = read_and_check(project, db)
    assert first.everything and len(files) == 1 and items == []  # (read whole: one parse for all)
    clear_pending(db)  # (as a build that went through does)
    path = root / "bibliography/claims/c.yaml"
    path.touch()  # the same bytes, another time: not parsed again
    changes, _ = read_and_check(project, db)
    assert len(files) == 1 and changes.nothing
    path.write_text(_claims("One.", "Two, edited over\n      two lines.", "Three."), encoding="utf-8")
    changes, _ = read_and_check(project, db)
    assert len(files) == 2 and len(items) == 1 and "two lines" in items[-1]  # the edited item alone
    assert list(changes.claims) == ["c1"] and changes.files == {"bibliography/claims/c.yaml"}
    before, after = changes.claims["c1"]
    assert before is not None and after is not None and after.text == "Two, edited over two lines."
    db.close()
    third = load(project).data.claims["c2"]
    assert third.line == 13 and third.line_of("themes") == 17  # moved down a line: its lines follow it


def test_what_changed_is_kept_until_a_build_goes_through(make_project: MakeProject) -> None:
    """An edit read by `validate`, or by a build that stops on an input error, is still carried through by
    the next build that goes through."""
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": _claims("One.", "Two.")})
    build(open_project(root))
    path = root / "bibliography/claims/c.yaml"
    path.write_text(_claims("One.", "Two, edited."), encoding="utf-8")
    assert not validate(open_project(root)).errors  # reads the edit, builds nothing
    path.write_text(_claims("One.", "Two, edited.") + "  - id: bad\n", encoding="utf-8")
    with pytest.raises(InputError):
        build(open_project(root))
    path.write_text(_claims("One.", "Two, edited."), encoding="utf-8")  # fixed: the edit is as read before
    build(open_project(root))
    assert "Two, edited." in (root / "site/works/repper2011.html").read_text(encoding="utf-8")


def test_files_parsed_side_by_side_give_what_one_by_one_gives(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litgraph.plumbing import workers

    files = {f"bibliography/part{i}.bib": BIB.replace("repper2011", f"w{i}") for i in range(3)}
    for i in range(3):
        claims = _claims("One.", "Two.").replace("id: c", f"id: f{i}-c").replace("repper2011", f"w{i}")
        files[f"bibliography/claims/c{i}.yaml"] = claims
    root = make_project(files)
    one_by_one = load(open_project(root)).data
    (root / ".litgraph" / "state.sqlite").unlink()
    monkeypatch.setattr(reading, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    spawned: list[object] = []
    real = workers.ProcessPoolExecutor
    monkeypatch.setattr(workers, "ProcessPoolExecutor", lambda **kw: spawned.append(kw) or real(**kw))
    side_by_side = load(open_project(root)).data
    assert spawned and side_by_side == one_by_one and len(one_by_one.claims) == 6


def test_items_of_a_file_read_whole_are_the_items_read_one_by_one(tmp_path: Path) -> None:
    """A file read for the first time is parsed whole and cut into its items; each item, claim, line and
    problem is what reading that item alone gives (what a later edit of it does)."""
    from litgraph.s1_read.parsing import parse_claims

    text = "# notes\nclaims:\n" + ITEM.format(id="a", text="One.") + "  - id: b\n    source: x\n    colour: blue\n"
    text += ITEM.format(id="Bad_Id", text="Two.") + ITEM.format(id="c", text="Three, over\n      two lines.")
    whole = parse_claims("c.yaml", text)
    fake = {"never": whole.items[0]}  # (one known item of four: read item by item)
    one_by_one = parse_claims("c.yaml", text, {**fake, **{i.digest: i for i in whole.items[:2]}})
    assert whole.items == one_by_one.items and not whole.whole
    # (an item with problems keeps its claim where it has an id, so that stage 2 still checks what it names)
    assert [i.claim_id for i in whole.items] == ["a", "b", "Bad_Id", "c"]
    assert whole.items[1].problems and whole.items[1].problems[0][1] == 3  # 'colour', on the item's third line
