"""`litgraph zotero pull` against a stand-in of Zotero 7's local API (tests/zotero_server.py): a collection
becomes bibliography/zotero.bib and claim stubs from its PDF annotations; a second pull after hand edits
keeps them. The items are real works of the bundled dataset (titles, authors and years as its .bib has
them); the highlighted sentences, comments and page labels are written for these tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import yaml
from click.testing import CliRunner

from litgraph import build, load, open_project, zotero_pull
from litgraph.cli.main import main
from litgraph.gather.zotero.bibentries import latex, made_key
from litgraph.gather.zotero.client import ZoteroClient
from litgraph.gather.zotero.html_text import plain_text

from .conftest import MakeProject
from .zotero_server import Library, ZoteroStandIn

COLLECTION, OTHER = "QK7M3R2X", "B3NW8ZTA"
NAME = "Masteroppgave – erfaringskonsulenter"
BORG_QUOTE = "Deltakerne beskriver erfaringsmedarbeiderne som noen som har gått den samme veien."
REPPER_QUOTE = "Peer workers bring a kind of understanding that training alone does not give."


def _creator(first: str, last: str) -> dict[str, str]:
    return {"creatorType": "author", "firstName": first, "lastName": last}


def _annotation(key: str, parent: str, kind: str, page: str, text: str = "", comment: str = "",
                tags: tuple[str, ...] = (), colour: str = "#ffd400", sort: str = "00000|000000|00000") -> dict[str, Any]:  # fmt: skip
    data: dict[str, Any] = {
        "key": key, "parentItem": parent, "itemType": "annotation", "annotationType": kind,
        "annotationComment": comment, "annotationColor": colour, "annotationPageLabel": page,
        "annotationSortIndex": sort, "annotationPosition": json.dumps({"pageIndex": 3, "rects": [[98.1, 521.3, 490.6, 533.0]]}),
        "tags": [{"tag": t} for t in tags], "relations": {}, "dateAdded": "2026-11-02T09:14:11Z",
        "dateModified": "2026-11-02T09:14:11Z",
    }  # fmt: skip
    if kind in ("highlight", "underline"):
        data["annotationText"] = text
    return data


def _pdf(key: str, parent: str, name: str) -> dict[str, Any]:
    return {"key": key, "parentItem": parent, "itemType": "attachment", "linkMode": "imported_file",
            "title": "Full Text PDF", "contentType": "application/pdf", "filename": name, "tags": [], "relations": {}}  # fmt: skip


def library() -> Library:
    borg, hdir, repper, kilpatrick = "9KDRN2TX", "H6EQ4WZB", "R3PP7C2V", "K8LPT5MA"
    items = [
        {"key": borg, "itemType": "report", "collections": [COLLECTION], "date": "2017", "language": "nb",
         "title": "Brukeres erfaringer med hjelp og støtte fra erfaringsmedarbeidere innen psykisk helse og rus",
         "creators": [_creator("Marit", "Borg"), _creator("Tommy Lunde", "Sjåfjell"), _creator("Esther", "Ogundipe"),
                      _creator("Knut Ivar", "Bjørlykhaug")],
         "institution": "Høgskolen i Sørøst-Norge", "extra": "", "tags": [], "relations": {}},
        _pdf("A2BRG7PD", borg, "Borg mfl. 2017.pdf"),
        _annotation("N4XH2KQA", "A2BRG7PD", "highlight", "iv", BORG_QUOTE,
                    "<p>Brukerne verdsetter at erfaringsmedarbeideren <b>har vært der selv</b> &amp; forstår.</p>",
                    ("Erfaringskunnskap", "trust"), "#5fb236", "00003|000120|00210"),
        _annotation("T9MZ3RWE", "A2BRG7PD", "highlight", "30–31", "Relasjonen beskrives som mer likeverdig.", "",
                    ("Grensesetting",), sort="00029|000300|00100"),
        _annotation("F5GQ8JNC", "A2BRG7PD", "underline", "12", "Oppfølgingen var tilgjengelig også på kveldstid.",
                    "Tilgjengelighet utenfor kontortid.", ("tilgjengelighet",), sort="00011|000040|00300"),
        {"key": hdir, "itemType": "report", "collections": [COLLECTION], "date": "2014", "language": "no",
         "title": "Sammen om mestring – Veileder i lokalt psykisk helsearbeid og rusarbeid for voksne. Et verktøy "
                  "for kommuner og spesialisthelsetjenesten",
         "creators": [{"creatorType": "author", "name": "Helsedirektoratet"}], "reportNumber": "IS-2076",
         "institution": "Helsedirektoratet", "extra": "Citation Key: hdir2014sammen\ntex.type: veileder",
         "tags": [], "relations": {}},
        {"key": "M2NT6YHD", "parentItem": hdir, "itemType": "note", "note": "<p>Må lånes på biblioteket.</p>",
         "tags": [], "relations": {}},
        {"key": repper, "itemType": "journalArticle", "collections": [COLLECTION], "date": "2011", "language": "en",
         "citationKey": "repper2011", "title": "A review of the literature on peer support in mental health services",
         "creators": [_creator("Julie", "Repper"), _creator("Tim", "Carter")],
         "publicationTitle": "Journal of Mental Health", "volume": "20", "issue": "4", "pages": "392-411",
         "tags": [], "relations": {}},
        _pdf("P7RPR2LD", repper, "Repper and Carter 2011.pdf"),
        _annotation("H3KD9VPL", "P7RPR2LD", "highlight", "395", REPPER_QUOTE, "Peer workers <i>know</i> from inside.",
                    ("Boundary-setting",), "#ff6666"),
        {"key": kilpatrick, "itemType": "journalArticle", "collections": [COLLECTION], "date": "2017-05",
         "title": "Tokenistic or genuinely effective? Exploring the views of voluntary sector staff regarding the "
                  "emerging peer support worker role in mental health",
         "creators": [_creator("Emma", "Kilpatrick"), _creator("Sinead", "Keeney"), _creator("Claire Odile", "McCauley")],
         "publicationTitle": "Journal of Psychiatric and Mental Health Nursing", "pages": "503–512",
         "DOI": "10.1111/jpm.12391", "language": "en", "tags": [], "relations": {}},
        _pdf("J6KLP4TS", kilpatrick, "Kilpatrick et al. 2017.pdf"),
        _annotation("W2INK8QZ", "J6KLP4TS", "ink", "505"),
        _annotation("V5IMG3RB", "J6KLP4TS", "image", "506", comment="Figur 1"),
        _annotation("D8NOTE4X", "J6KLP4TS", "note", "507",
                    comment="Ansatte ser rollen som symbolsk.<script>alert('x')</script>", tags=("Tokenism and alibi",)),
        {"key": "S4NOTE7K", "itemType": "note", "collections": [COLLECTION], "note": "<p>Husk metodekapitlet</p>",
         "tags": [], "relations": {}},
        {"key": "G1LL2015", "itemType": "journalArticle", "collections": [OTHER], "date": "2015", "title": "Elsewhere",
         "creators": [_creator("Steve", "Gillard")], "tags": [], "relations": {}},
    ]  # fmt: skip
    collections = [{"key": COLLECTION, "name": NAME, "parentCollection": False, "relations": {}},
                   {"key": OTHER, "name": "Annet", "parentCollection": False, "relations": {}}]  # fmt: skip
    return Library(collections, items)


@pytest.fixture
def zotero_stand_in() -> Iterator[ZoteroStandIn]:
    with ZoteroStandIn(library()) as server:
        yield server


SETTINGS = '[project]\ntitle = "Oppgave"\nlang = "nb"\n\n[zotero.colours]\ngreen = "qualitative-study"\n'


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project({"litgraph.toml": SETTINGS})


def _pull(root: Path, server: ZoteroStandIn, collection: str = NAME, waits: list[float] | None = None) -> Any:
    client = ZoteroClient(server.api, 5.0, sleep=(waits.append if waits is not None else lambda s: None))
    return zotero_pull(open_project(root), collection, server.api, client=client)


def _stubs(root: Path) -> dict[str, dict[str, Any]]:
    document = yaml.safe_load((root / "bibliography/claims/zotero.yaml").read_text(encoding="utf-8"))
    return {s["id"]: s for s in document["claims"]}


def test_a_collection_becomes_a_bib_file_and_claim_stubs(project: Path, zotero_stand_in: ZoteroStandIn) -> None:
    server = zotero_stand_in
    server.throttle[f"/api/users/0/collections/{COLLECTION}/items/top"] = [429]
    server.backoff["/api/users/0/collections"] = "2"
    waits: list[float] = []
    report = _pull(project, server, NAME, waits)
    assert report.collection == NAME and report.items == 4
    top = [q for p, q in server.requests if p == f"/api/users/0/collections/{COLLECTION}/items/top"]
    assert [q["start"] for q in top] == ["0", "0", "2", "4"]  # a 429 (asked again), then pages of two (of 5)
    assert waits and 1.0 < waits[0] <= 2.0  # the Backoff header made the next request wait
    assert report.without_pdf == ["hdir2014sammen"] and dict(report.skipped) == {"image": 1, "ink": 1}

    library = bibtexparser.parse_string((project / "bibliography/zotero.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks
    entries = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert sorted(entries) == ["borg2017", "hdir2014sammen", "kilpatrick2017", "repper2011"]
    assert entries["borg2017"]["title"].startswith("Brukeres erfaringer med hjelp og støtte")
    assert "Sjåfjell, Tommy Lunde" in entries["borg2017"]["author"]
    assert (
        entries["hdir2014sammen"]["author"] == "{Helsedirektoratet}"
        and entries["hdir2014sammen"]["number"] == "IS-2076"
    )
    assert entries["kilpatrick2017"]["pages"] == "503--512" and entries["kilpatrick2017"]["doi"] == "10.1111/jpm.12391"
    assert entries["repper2011"]["journal"] == "Journal of Mental Health" and entries["repper2011"]["year"] == "2011"

    stubs = _stubs(project)
    highlight = stubs["borg2017-n4xh2kqa"]
    assert highlight == {"id": "borg2017-n4xh2kqa", "source": "borg2017", "locator": "s. iv", "quote": BORG_QUOTE,
                         "text": "Brukerne verdsetter at erfaringsmedarbeideren har vært der selv & forstår.",
                         "lang": "nb", "themes": ["experiential-knowledge", "trust"], "evidence": "qualitative-study"}  # fmt: skip
    assert stubs["borg2017-t9mz3rwe"]["todo"] is True and stubs["borg2017-t9mz3rwe"]["locator"] == "s. 30–31"
    assert stubs["borg2017-f5gq8jnc"]["todo"] is True and stubs["borg2017-f5gq8jnc"]["themes"] == []
    [unmatched] = report.unmatched
    assert unmatched.tag == "tilgjengelighet" and unmatched.annotation == "F5GQ8JNC" and unmatched.nearest
    note = stubs["kilpatrick2017-d8note4x"]
    assert note["text"] == "Ansatte ser rollen som symbolsk." and "quote" not in note and note["themes"] == ["tokenism"]
    assert stubs["repper2011-h3kd9vpl"]["themes"] == ["boundary-setting"]
    assert sorted(report.todo) == ["borg2017-f5gq8jnc", "borg2017-t9mz3rwe"]


def test_the_stubs_build_into_the_graph_but_those_to_do(project: Path, zotero_stand_in: ZoteroStandIn) -> None:
    _pull(project, zotero_stand_in)
    summary = build(open_project(project))
    todo = [str(w) for w in summary.warnings if "still to do" in str(w)]
    assert len(todo) == 2 and all("zotero.yaml:" in w for w in todo)
    claims = json.loads(CliRunner().invoke(main, ["claims", "-f", "json", "-p", str(project)]).stdout)
    by_id = {c["id"]: c for c in claims}
    assert sorted(by_id) == ["borg2017-n4xh2kqa", "kilpatrick2017-d8note4x", "repper2011-h3kd9vpl"]
    assert by_id["borg2017-n4xh2kqa"]["quote"] == BORG_QUOTE and by_id["borg2017-n4xh2kqa"]["locator"] == "s. iv"
    assert by_id["borg2017-n4xh2kqa"]["source_citation"] == "Borg et al. 2017"
    page = (project / "site/works/borg2017.html").read_text(encoding="utf-8")
    assert f'<blockquote class="quote">{BORG_QUOTE}</blockquote>' in page


def test_a_second_pull_keeps_what_was_edited_by_hand(project: Path, zotero_stand_in: ZoteroStandIn) -> None:
    server = zotero_stand_in
    _pull(project, server)
    path = project / "bibliography/claims/zotero.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("text: Brukerne verdsetter at erfaringsmedarbeideren har vært der selv & forstår.",
                        "text: Users value that the peer worker has been there.  # my words")  # fmt: skip
    text = text.replace("themes: [boundary-setting]", "themes: [boundary-setting, experiential-knowledge]")
    text = text.replace(
        "  - id: kilpatrick2017-d8note4x\n", "  # dropped: not a finding\n  - id: kilpatrick2017-d8note4x\n"
    )
    path.write_text(text, encoding="utf-8")
    edited = yaml.safe_load(text)
    edited["claims"] = [c for c in edited["claims"] if c["id"] != "kilpatrick2017-d8note4x"]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "- id: kilpatrick2017-d8note4x" in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - ")), len(lines))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")  # the user deletes a stub

    items = server.library.items
    borg = next(i for i in items if i["key"] == "N4XH2KQA")
    borg["annotationText"] = BORG_QUOTE.replace("den samme veien", "samme vei")
    repper = next(i for i in items if i["key"] == "H3KD9VPL")
    repper["annotationComment"] = "Peer workers know it <b>from the inside</b>."
    new = copy.deepcopy(repper) | {"key": "Q9NEW5TT", "annotationPageLabel": "398", "annotationComment": "",
                                   "annotationText": "Mutual support is at the heart of it."}  # fmt: skip
    items.append(new)
    items.remove(next(i for i in items if i["key"] == "T9MZ3RWE"))  # a highlight deleted in Zotero
    report = _pull(project, server)

    after = path.read_text(encoding="utf-8")
    assert "# my words" in after and "# dropped: not a finding" in after  # the user's comments stay
    stubs = _stubs(project)
    assert stubs["borg2017-n4xh2kqa"]["text"] == "Users value that the peer worker has been there."
    assert stubs["borg2017-n4xh2kqa"]["quote"] == borg["annotationText"]  # not edited by hand: Zotero's now
    assert report.merge.changed_highlights == ["borg2017-n4xh2kqa"]
    assert stubs["repper2011-h3kd9vpl"]["text"] == "Peer workers know it from the inside."
    assert stubs["repper2011-h3kd9vpl"]["themes"] == ["boundary-setting", "experiential-knowledge"]
    assert "kilpatrick2017-d8note4x" not in stubs and report.merge.deleted_by_user == ["kilpatrick2017-d8note4x"]
    assert stubs["repper2011-q9new5tt"]["todo"] is True and report.merge.added == ["repper2011-q9new5tt"]
    assert report.gone == ["borg2017-t9mz3rwe"] and "borg2017-t9mz3rwe" in stubs  # (kept: it is the user's file)
    assert sorted(report.todo) == ["borg2017-f5gq8jnc", "borg2017-t9mz3rwe", "repper2011-q9new5tt"]
    assert list(stubs)[:3] == [
        "borg2017-n4xh2kqa",
        "borg2017-f5gq8jnc",
        "borg2017-t9mz3rwe",
    ]  # the file's order kept, new ones after
    third = _pull(project, server)  # nothing changed since: nothing to do, the same bytes
    assert not third.merge.added and not third.merge.updated and path.read_text(encoding="utf-8") == after
    new["annotationComment"] = "<p>Gjensidighet er kjernen.</p>"  # a comment typed in Zotero later
    _pull(project, server)
    assert "    text: Gjensidighet er kjernen.\n    lang: nb\n" in path.read_text(encoding="utf-8")
    assert "todo" not in _stubs(project)["repper2011-q9new5tt"]  # (it has a text and a theme now)
    assert not load(open_project(project)).errors


@pytest.mark.parametrize("why", ["not running", "local API off"])
def test_zotero_not_answering_is_one_line_saying_how_to_allow_it(project: Path, zotero_stand_in: ZoteroStandIn,
                                                                 why: str) -> None:  # fmt: skip
    api = zotero_stand_in.api
    if why == "not running":
        zotero_stand_in.server.server_close()
        zotero_stand_in.server.shutdown()
    else:
        zotero_stand_in.enabled = False
    result = CliRunner().invoke(main, ["zotero", "pull", "-c", NAME, "--api", api, "-q", "-p", str(project)])
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert 'Settings → Advanced → "Allow other applications on this computer to communicate with Zotero"' in line
    assert not (project / "bibliography/zotero.bib").exists()


def test_the_command_takes_a_key_and_the_url_from_the_settings(project: Path, zotero_stand_in: ZoteroStandIn) -> None:
    settings = project / "litgraph.toml"
    settings.write_text(SETTINGS + f'\n[zotero]\nurl = "{zotero_stand_in.api}/"\ntimeout = 5\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["zotero", "pull", "--collection", COLLECTION, "-f", "json", "-p", str(project)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["items"] == 4 and report["skipped"] == {"image": 1, "ink": 1}
    assert report["files"] == [
        "bibliography/zotero.bib",
        "bibliography/claims/zotero.yaml",
        "bibliography/zotero-state.json",
    ]
    wrong = CliRunner().invoke(main, ["zotero", "pull", "-c", "Masteroppgave", "-p", str(project)])
    assert wrong.exit_code == 1 and f"did you mean '{NAME}'" in wrong.stderr


def test_better_bibtex_pull_export_gives_the_bib_and_the_keys(project: Path, zotero_stand_in: ZoteroStandIn) -> None:
    entries = {
        "borgBrukeresErfaringerMed2017": ("report", "Brukeres erfaringer med hjelp og støtte fra erfaringsmedarbeidere "
                                          "innen psykisk helse og rus", "Borg, Marit", "2017"),
        "hdir2014sammen": ("report", "Sammen om mestring – Veileder i lokalt psykisk helsearbeid og rusarbeid for "
                           "voksne. Et verktøy for kommuner og spesialisthelsetjenesten", "{Helsedirektoratet}", "2014"),
        "repper2011": ("article", "A review of the literature on peer support in mental health services", "Repper, Julie", "2011"),
        "kilpatrickTokenisticGenuinelyEffective2017": ("article", "Tokenistic or genuinely effective? Exploring the views "
            "of voluntary sector staff regarding the emerging peer support worker role in mental health", "Kilpatrick, Emma", "2017"),
    }  # fmt: skip
    zotero_stand_in.better_bibtex[COLLECTION] = "\n".join(
        f"@{kind}{{{key},\n  title = {{{title}}},\n  author = {{{author}}},\n  date = {{{year}}},\n}}\n"
        for key, (kind, title, author, year) in entries.items()
    )
    result = CliRunner().invoke(main, ["zotero", "pull", "-c", NAME, "--api", zotero_stand_in.api, "--bib",
                                       "better-bibtex", "-q", "-p", str(project)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "@report{borgBrukeresErfaringerMed2017," in (project / "bibliography/zotero.bib").read_text(encoding="utf-8")
    assert {s["source"] for s in _stubs(project).values()} == {
        "borgBrukeresErfaringerMed2017",
        "repper2011",
        "kilpatrickTokenisticGenuinelyEffective2017",
    }


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        pytest.param("<p>Én</p><p>to &amp; tre</p>", "Én\nto & tre", id="paragraphs and an entity"),
        pytest.param("a <b>fet</b><br/>b", "a fet\nb", id="a break"),
        pytest.param("x<script>alert(1)</script><style>p{}</style>y", "xy", id="script and style dropped"),
        pytest.param("AT&T < 5", "AT&T < 5", id="not markup"),
    ],
)
def test_rich_text_becomes_plain_text(markup: str, text: str) -> None:
    assert plain_text(markup) == text


def test_made_keys_keep_clear_of_taken_ones_and_latex_is_escaped() -> None:
    data = {"creators": [{"lastName": "Åkerblom"}], "date": "mars 2021"}
    assert made_key(data, set()) == "akerblom2021"
    assert made_key(data, {"akerblom2021", "akerbloma"}) == "akerblom2021a"
    assert made_key({"title": "Nasjonal veileder"}, set()) == "nasjonalnd"
    assert latex("50 % & {ubalansert") == r"50 \% \& ubalansert"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("claims:\n  - id: [unclosed\n", id="broken YAML"),
        pytest.param("just: a mapping\nclaims: 3\n", id="not a list"),
    ],
)
def test_a_stubs_file_that_cannot_be_merged_stops_the_pull_before_anything_is_written(
    project: Path, zotero_stand_in: ZoteroStandIn, text: str
) -> None:
    path = project / "bibliography/claims/zotero.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["zotero", "pull", "--api", zotero_stand_in.api, "-q", "-p", str(project)])
    assert (
        result.exit_code == 1
        and "bibliography/claims/zotero.yaml" in result.stderr
        and "Traceback" not in result.output
    )
    assert path.read_text(encoding="utf-8") == text and not (project / "bibliography/zotero.bib").exists()
    assert not zotero_stand_in.requests  # (checked before Zotero is asked)


def test_a_python_tag_in_the_stubs_file_is_kept_as_text_never_run(
    project: Path, zotero_stand_in: ZoteroStandIn
) -> None:
    path = project / "bibliography/claims/zotero.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = project / "owned"
    path.write_text(f"claims:\n  - !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["zotero", "pull", "--api", zotero_stand_in.api, "-q", "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert not marker.exists() and f"!!python/object/apply:os.system ['touch {marker}']" in path.read_text(
        encoding="utf-8"
    )
    assert len(_stubs_of_text(path.read_text(encoding="utf-8"))) == 5  # (the stubs added after it)


def _stubs_of_text(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("  - id: ")]


def test_a_zotero_that_hangs_is_given_up_after_the_timeout(project: Path, zotero_stand_in: ZoteroStandIn) -> None:
    from litgraph.gather.zotero.client import ZoteroError

    zotero_stand_in.hang.add("/api/users/0/collections")
    client = ZoteroClient(zotero_stand_in.api, 0.5)
    with pytest.raises(ZoteroError, match=r"Zotero did not answer within 0.5 s"):
        zotero_pull(open_project(project), NAME, zotero_stand_in.api, client=client)
    assert not (project / "bibliography/zotero.bib").exists()
