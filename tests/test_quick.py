"""Quick builds (quick.py, quick_claims.py): an edit to claims' wording, or claims added, removed or
re-themed where nothing else moves, is patched into the last build's outputs, which are then the bytes,
store and pages a build from nothing gives; any other edit is a whole build."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import litgraph.project
from litgraph import build, open_project
from litgraph.store import is_fresh, open_store

REPO = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("own_cache_key")


@pytest.fixture
def whole_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry per whole (not quick) build of the project under test (not of its copies)."""
    calls: list[str] = []
    real = litgraph.project._build

    def spy(project, progress):  # type: ignore[no-untyped-def]
        if project.root.name == "project":
            calls.append("whole")
        return real(project, progress)

    monkeypatch.setattr(litgraph.project, "_build", spy)
    return calls


def _bundled(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("bibliography", "ontology"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "litgraph.toml", root / "litgraph.toml")
    return root


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _same_as_from_nothing(root: Path, tmp_path: Path) -> None:
    """Every file of site/ and every quad of the store equal those of a copy built from nothing."""
    fresh = tmp_path / "from-nothing"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".litgraph", "site"))
    build(open_project(fresh), quick=False)
    ours, theirs = _files(root / "site"), _files(fresh / "site")
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name
    assert set(open_store(open_project(root))) == set(open_store(open_project(fresh)))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _claim_field(path: Path, claim_id: str, field: str) -> str:
    """The raw value of a field of a claim, as it is written in the file."""
    text = path.read_text(encoding="utf-8")
    item = re.search(rf"- id: {re.escape(claim_id)}\n(?:(?!  - ).*\n)*", text)
    assert item is not None
    value = re.search(rf"^    {field}: (.*)$", item.group(0), re.M)
    assert value is not None
    return value.group(1)


def test_a_claims_wording_is_patched_in_and_the_outputs_equal_a_whole_build(
    tmp_path: Path, whole_builds: list[str]
) -> None:
    root = _bundled(tmp_path)
    build(open_project(root))
    assert whole_builds == ["whole"]
    claims = root / "bibliography/claims/seed002.yaml"
    text = claims.read_text(encoding="utf-8")
    # a claim on boundary-setting that is part of a dispute: its work page, theme pages, contested.html and
    # the map all show it
    disputed = re.findall(r"- id: (\S+)\n(?:(?!  - ).*\n)*?    disputes:", text)
    assert disputed
    target = disputed[0]
    old_text = _claim_field(claims, target, "text")
    _edit(claims, f"    text: {old_text}", "    text: Reworded <em>& checked</em> in a quick build.\n    # a comment\n")
    summary = build(open_project(root))
    assert whole_builds == ["whole"]  # patched, not built whole
    assert "quick build" in summary.seconds
    assert is_fresh(open_project(root))
    page = (root / "site/contested.html").read_text(encoding="utf-8")
    assert "Reworded &lt;em&gt;&amp; checked&lt;/em&gt; in a quick build." in page
    assert "Reworded \\u003cem\\u003e\\u0026 checked" in (root / "site/index.html").read_text(encoding="utf-8")
    _same_as_from_nothing(root, tmp_path)
    # a second edit on top of the first (the records a quick build leaves serve the next), and a locator
    _edit(claims, "in a quick build.", "in a second quick build.")
    locator = re.search(r"    locator: (.*)\n", claims.read_text(encoding="utf-8"))
    assert locator is not None
    _edit(claims, locator.group(0), '    locator: "s. 999"\n')
    build(open_project(root))
    assert whole_builds == ["whole"]
    _same_as_from_nothing(root, tmp_path)


@pytest.mark.parametrize(
    "edit",
    [
        ("themes: [", "themes: [trust, "),  # other themes: counts and rankings change
        (
            "  - id: ",
            "  - id: new-claim\n    source: repper2011\n    text: New.\n    lang: en\n    themes: [trust]\n  - id: ",
        ),
        ("    text: ", "    text: &shared "),  # an anchor: items cannot be read one by one
    ],
    ids=["themes", "new claim", "anchor"],
)
def test_any_other_edit_is_a_whole_build(
    tmp_path: Path, whole_builds: list[str], edit: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """...which reads the edited file from what the quick build's attempt read item by item, where it could
    (the file is not parsed whole again), and gives what a build from nothing gives."""
    import litgraph.claims

    root = _bundled(tmp_path)
    build(open_project(root))
    _edit(root / "bibliography/claims/seed002.yaml", *edit)
    parsed_whole: list[str] = []
    real = litgraph.claims.read_claim_file

    def spy(path: Path):  # type: ignore[no-untyped-def]
        parsed_whole.append(path.name)
        return real(path)

    monkeypatch.setattr(litgraph.claims, "read_claim_file", spy)
    build(open_project(root))
    assert whole_builds == ["whole", "whole"]
    assert parsed_whole == (["seed002.yaml"] if "&shared" in edit[1] else [])
    _same_as_from_nothing(root, tmp_path)


def test_after_a_whole_build_a_wording_edit_in_any_file_is_quick_again(tmp_path: Path, whole_builds: list[str]) -> None:
    # the whole build keeps the records of the files it did not see change, and makes the changed one's anew
    root = _bundled(tmp_path)
    build(open_project(root))
    edited, other = root / "bibliography/claims/seed002.yaml", root / "bibliography/claims/seed000.yaml"
    _edit(edited, "themes: [", "themes: [trust, ")
    build(open_project(root))
    assert whole_builds == ["whole", "whole"]
    for path in (other, edited):
        first = re.findall(r"- id: (\S+)", path.read_text(encoding="utf-8"))[0]
        _edit(path, f"    text: {_claim_field(path, first, 'text')}", "    text: Reworded after a whole build.")
        assert "quick build" in build(open_project(root)).seconds
    assert whole_builds == ["whole", "whole"]
    _same_as_from_nothing(root, tmp_path)


def test_a_bib_edit_an_error_or_a_page_removed_by_hand_is_a_whole_build(
    tmp_path: Path, whole_builds: list[str]
) -> None:
    root = _bundled(tmp_path)
    build(open_project(root))
    claims = root / "bibliography/claims/seed002.yaml"
    first = _claim_field(claims, re.findall(r"- id: (\S+)", claims.read_text(encoding="utf-8"))[0], "text")
    bib = next((root / "bibliography").glob("*.bib"))
    bib.write_text(bib.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _edit(claims, first, first + " Edited.")
    build(open_project(root))
    assert whole_builds == ["whole", "whole"]  # a .bib file changed too
    _edit(claims, "    lang: en", "    lang: 'e n'")  # an error: the whole build reports it
    with pytest.raises(litgraph.errors.InputError):
        build(open_project(root))
    assert whole_builds == ["whole", "whole", "whole"]
    _edit(claims, "    lang: 'e n'", "    lang: en")
    build(open_project(root))
    page = next((root / "site/works").iterdir())
    os.unlink(page)
    _edit(claims, first + " Edited.", first)
    build(open_project(root))
    assert whole_builds[-1] == "whole" and len(whole_builds) == 5
    assert page.is_file()
    _same_as_from_nothing(root, tmp_path)


def test_a_claims_files_items_read_one_by_one_are_the_file_read_whole(tmp_path: Path) -> None:
    from litgraph.claims import item_spans, read_claim_file, read_claim_items

    files = sorted((REPO / "bibliography/claims").glob("*.yaml"))
    assert files
    for path in files:
        spans = item_spans(path.read_text(encoding="utf-8"))
        assert spans is not None, path
        assert read_claim_items(path, spans) == read_claim_file(path), path  # claims, lines and problems
    odd = tmp_path / "odd.yaml"
    for text in (
        "claims:\n  - id: a\n    text: &t x\n  - id: b\n    text: *t\n",  # an alias: items depend on each other
        "claims: [{id: a}]\n",  # not a block of items
        "claims:\n  - id: a\nquestions: []\n",  # something after the items
        "claims:\nother: 1\n  - id: a\n",  # or before them
        "claims:\n\t- id: a\n",
    ):
        assert item_spans(text) is None, text
    item = "    source: w\n    text: x\n    lang: en\n    themes: [trust]\n"
    odd.write_text(f"# notes\nclaims:\n  - id: a\n{item}\n  # between\n  - id: b\n{item}", encoding="utf-8")
    spans = item_spans(odd.read_text(encoding="utf-8"))
    assert spans is not None and [line for line, _ in spans] == [3, 10]
    (second,), problems = read_claim_items(odd, spans[1:])  # read alone, it stands where it stands in the file
    assert not problems and second == read_claim_file(odd)[0][1] and second.line_of("themes") == 14


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="&*[]{},:- \t\n\xa0\u2028#x", max_size=40))
def test_anchors_and_aliases_are_found_as_the_pattern_finds_them(text: str) -> None:
    """item_spans finds anchors and aliases by str.find (fast on large files): where the pattern would."""
    from litgraph.claims import _ALIAS_OR_ANCHOR, _has_alias_or_anchor

    assert _has_alias_or_anchor(text) == bool(_ALIAS_OR_ANCHOR.search(text))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["  - id: a", "  - id: b", "    text: x", "  # c", "", "x: 1", " - id: c", "   - d"]),
        max_size=8,
    )
)
def test_items_are_split_where_their_lines_begin(lines: list[str]) -> None:
    """item_spans' items, found by newlines (fast on large files): where re.M's ^ finds them. Each line at
    the items' indent that begins with '- ' begins one; any other line at that indent or less (not blank
    or a comment) means the file has none."""
    import itertools

    from litgraph.claims import item_spans

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
    if lines[:1] == ["  - id: a"] and all(line.startswith("  ") or not line.strip() for line in lines):
        assert expected is not None  # (the plain shape has its items)


def test_a_claim_added_to_a_file_changes_one_of_its_units() -> None:
    from litgraph.graph import claim_parts
    from litgraph.model import Claim

    def claims(ids: list[str]) -> list[Claim]:
        return [Claim(i, "w", "t", "en", ["trust"], Path("c.yaml"), 1) for i in sorted(ids)]

    ids = [f"claim-{n:05d}" for n in range(5000)]
    before = [[c.id for c in part] for part in claim_parts(claims(ids))]
    after = [[c.id for c in part] for part in claim_parts(claims([*ids, "claim-02500x"]))]
    assert 5 < len(before) < 60  # about 256 claims a unit
    assert len([p for p in after if p not in before]) == 1


def _plain_item(path: Path) -> str:
    """The first claim of a file that takes no part in disputes, questions or supports, as written."""
    items = re.split(r"(?m)^(?=  - id: )", path.read_text(encoding="utf-8"))[1:]
    return next(i for i in items if not re.search(r"(?m)^    (disputes|supports|question|stance):", i))


def test_claims_added_removed_or_rethemed_are_patched_in_and_equal_a_whole_build(
    tmp_path: Path, whole_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the map's claims folded into their works (as in any project of thousands of works), a claim
    added, given fewer or new themes, moved to a work with no claims yet, or removed is a quick build too:
    counts, rankings, theme and work pages, works.html, and the map's sizes, edges and places come out as
    a build from nothing makes them. So does a citation the graph did not have (the claim read in one work
    about another), coming and going: the citing work's unit, citing counts, PageRank, both works' pages."""
    import litgraph.mapview
    from litgraph import load

    monkeypatch.setattr(litgraph.mapview, "CLAIM_LIMIT", 100)  # the bundled map folded, as at 100k works
    monkeypatch.setattr(litgraph.mapview, "SPRING_LIMIT", 10)  # and not relaxed as a whole, as at 100k
    root = _bundled(tmp_path)
    build(open_project(root))
    data = load(open_project(root)).data
    unclaimed = sorted(set(data.works) - {c.source for c in data.claims.values()})[0]
    from litgraph.graph import citation_pairs

    cited_or_citing = {k for pair in citation_pairs(data) for k in pair}
    # a work with no claims and no citations: a node of its own on the map, placed below the circle
    loose = sorted(set(data.works) - {c.source for c in data.claims.values()} - cited_or_citing)[0]
    path = root / "bibliography/claims/seed002.yaml"
    item = _plain_item(path)
    first_id = re.match(r"  - id: (\S+)", item).group(1)  # type: ignore[union-attr]
    themes = re.search(r"(?m)^    themes: \[(.*)\]$", item).group(1)  # type: ignore[union-attr]
    source = re.search(r"(?m)^    source: (\S+)$", item).group(1)  # type: ignore[union-attr]
    added = item.replace(f"  - id: {first_id}", "  - id: quick-added-claim", 1).replace("text: ", "text: Added. ", 1)
    other = next(t for t in ("trust", "stigma", "tokenism") if t not in themes)
    unread = re.sub(r"(?m)^    reported_in: .*\n", "", added)  # (a claim read in a work cites its source)
    text = path.read_text(encoding="utf-8")
    read_in_loose = re.sub(r"(?m)^    reported_in: .*$", f"    reported_in: {loose}", added)
    steps = [
        ("added", text + added),
        ("fewer themes", text + added.replace(f"themes: [{themes}]", f"themes: [{themes.split(', ')[0]}]")),
        ("a theme new to its work", text + added.replace(f"themes: [{themes}]", f"themes: [{themes}, {other}]")),
        ("a work's first claim", text + unread.replace(f"source: {source}", f"source: {unclaimed}")),
        ("a new citation", text + added.replace(f"source: {source}", f"source: {unclaimed}")),
        ("a citation gone", text + unread.replace(f"source: {source}", f"source: {unclaimed}")),
        ("a new citation, again", text + added.replace(f"source: {source}", f"source: {unclaimed}")),
        ("removed", text),
        ("a loose work's first citation", text + read_in_loose),  # (it had no edge: its place on the map moves)
        ("removed, with that citation", text),
    ]
    citations = {}
    for what, content in steps:
        path.write_text(content, encoding="utf-8")
        summary = build(open_project(root))
        assert "quick build" in summary.seconds, what
        assert summary.claims == 322 + (not what.startswith("removed")), what
        citations[what] = summary.citations
        _same_as_from_nothing(root, tmp_path)
    assert whole_builds == ["whole"]
    assert citations["a new citation"] == citations["a citation gone"] + 1 == citations["removed"] + 1
    assert citations["a new citation, again"] == citations["a new citation"]
    assert citations["a loose work's first citation"] == citations["removed, with that citation"] + 1
    # a citation a citation file gives too stays when the claim that gave it goes
    reporter = re.search(r"(?m)^    reported_in: (\S+)$", added).group(1)  # type: ignore[union-attr]
    listed = root / "bibliography/citations/listed.yaml"
    listed.parent.mkdir(exist_ok=True)
    listed.write_text(f"citations:\n  - citing: {reporter}\n    cites: [{unclaimed}]\n", encoding="utf-8")
    build(open_project(root))  # (a whole build: a citation file is no claims file)
    for what, content in (("cited by a file too", text + added.replace(f"source: {source}", f"source: {unclaimed}")),
                          ("the claim gone, the file's citation kept", text)):  # fmt: skip
        path.write_text(content, encoding="utf-8")
        summary = build(open_project(root))
        assert "quick build" in summary.seconds, what
        assert summary.citations == citations["removed"] + 1, what
        _same_as_from_nothing(root, tmp_path)
    assert whole_builds == ["whole"] * 2


def _items(path: Path) -> list[str]:
    return re.split(r"(?m)^(?=  - id: )", path.read_text(encoding="utf-8"))[1:]


def _with_field(item: str, field: str, value: str) -> str:
    """The item with `field: value` (replacing that field, if it has it)."""
    if re.search(rf"(?m)^    {field}: ", item):
        return re.sub(rf"(?m)^    {field}: .*$", f"    {field}: {value}", item, count=1)
    return item.rstrip("\n") + f"\n    {field}: {value}\n"


def test_disputes_questions_and_supports_are_patched_in_and_equal_a_whole_build(
    tmp_path: Path, whole_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dispute made, one that joins two groups, one undone; a stance taken on a question, and changed; a
    support; a claim that disputes another removed: each a quick build whose store, contested.html, theme
    pages and map are what a build from nothing makes. A link to a claim that is not there, or the removal
    of a claim others dispute, is a whole build (which reports or handles it)."""
    import litgraph.mapview
    from litgraph import load
    from litgraph.errors import InputError

    monkeypatch.setattr(litgraph.mapview, "CLAIM_LIMIT", 100)  # the bundled map folded, as at 100k works
    monkeypatch.setattr(litgraph.mapview, "SPRING_LIMIT", 10)
    root = _bundled(tmp_path)
    build(open_project(root))
    data = load(open_project(root)).data
    path = root / "bibliography/claims/seed002.yaml"
    text = path.read_text(encoding="utf-8")
    items = _items(path)
    plain = [i for i in items if not re.search(r"(?m)^    (disputes|supports|question|stance):", i)]
    ids = [re.match(r"  - id: (\S+)", i).group(1) for i in plain]  # type: ignore[union-attr]
    disputed = {o for c in data.claims.values() for o in c.disputes}
    pairs = Counter((c.source, c.reported_in) for c in data.claims.values())
    # a: one whose removal leaves every citation (another claim from its work is read where it was read)
    a = next(i for i, c in zip(plain, ids, strict=True) if pairs[data.claims[c].source, data.claims[c].reported_in] > 1)
    b, target = [i for i in plain if i != a][:2]  # b: takes stances; target: is disputed
    target_id = re.match(r"  - id: (\S+)", target).group(1)  # type: ignore[union-attr]
    # a claim elsewhere that is in a dispute group already (not in this file)
    grouped = sorted(c.id for c in data.claims.values() if c.disputes and str(c.path) != str(path))[0]
    question = next(c for c in data.claims.values() if c.question and c.stance and str(c.path) != str(path))
    other_stance = next(s for s in ("for", "against", "qualifies") if s != question.stance)
    disputes_before = sum(len(c.disputes) for c in data.claims.values())

    def with_items(*replaced: tuple[str, str]) -> str:
        content = text
        for old, new in replaced:
            content = content.replace(old, new, 1)
        return content

    made = _with_field(a, "disputes", f"[{target_id}]")
    joined = _with_field(a, "disputes", f"[{target_id}, {grouped}]")
    on_question = _with_field(b, "question", question.question or "")
    steps = [
        ("a dispute made", with_items((a, made)), 1),
        ("two groups joined", with_items((a, joined)), 2),
        ("undone", text, 0),
        ("a stance taken", with_items((b, _with_field(on_question, "stance", other_stance))), 0),
        ("and changed", with_items((b, _with_field(on_question, "stance", question.stance or ""))), 0),
        ("a support", with_items((a, _with_field(a, "supports", f"[{grouped}]"))), 0),
        ("a dispute made again", with_items((a, made)), 1),
        ("the claim that disputes removed", with_items((a, "")), 0),
    ]
    assert target_id not in disputed
    for what, content, links in steps:
        path.write_text(content, encoding="utf-8")
        summary = build(open_project(root))
        assert "quick build" in summary.seconds, what
        assert summary.disputes == disputes_before + links, what
        _same_as_from_nothing(root, tmp_path)
    assert whole_builds == ["whole"]
    page = (root / "site/contested.html").read_text(encoding="utf-8")
    assert page.count('<section class="contested">') == len(contested_of(root))
    # a dispute of a claim no file has: the whole build reports it; removing a claim others dispute: whole
    path.write_text(with_items((a, _with_field(a, "disputes", "[no-such-claim]"))), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        build(open_project(root))
    assert any("unknown claim 'no-such-claim'" in p.message for p in raised.value.problems)
    path.write_text(with_items((a, made)), encoding="utf-8")
    build(open_project(root))
    path.write_text(with_items((a, made), (target, "")), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        build(open_project(root))
    assert any(f"unknown claim {target_id!r}" in p.message for p in raised.value.problems)
    assert len(whole_builds) == 4


def contested_of(root: Path) -> list[object]:
    from litgraph.queries import Graph, contested

    project = open_project(root)
    return contested(Graph(open_store(project), project.base_iri))


PAIRS = st.sets(st.tuples(st.sampled_from(["a1", "a2", "a3", "w:b"]), st.sampled_from(["b1", "b2", "b3"])), max_size=9)


@settings(max_examples=300, deadline=None)
@given(PAIRS, PAIRS, PAIRS, st.integers(0, 2))
def test_citations_spliced_into_the_maps_edges_are_the_edges_map_data_makes(
    cites: set[tuple[str, str]], added: set[tuple[str, str]], removed: set[tuple[str, str]], themes: int
) -> None:
    """The map's citation edges, found by a binary search over their JSON and spliced as bytes, come out
    as map_data would write them: the citations first, in pair order, then the other edges."""
    import orjson

    from litgraph.mapview import EDGES
    from litgraph.quick_claims import Change, _splice_citations

    others = [{"from": "w:x", "to": "t:trust", "kind": "theme", **EDGES["theme"]}] * themes

    def edges(pairs: set[tuple[str, str]]) -> bytes:
        made = [{"from": "w:" + a, "to": "w:" + b, "kind": "cites", **EDGES["cites"]} for a, b in sorted(pairs)]
        return orjson.dumps(made + others)

    change = Change({}, {}, {})
    change.cites_added, change.cites_removed = added - cites, removed & cites
    assert _splice_citations(edges(cites), change) == edges((cites | added) - (removed & cites))
