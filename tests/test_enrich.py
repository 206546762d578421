"""`litgraph enrich` against local stand-ins for Crossref and OpenAlex: never the internet.

Every test here runs with name resolution refused for any host but the loopback (the `no_internet`
fixture), so a request that tried to leave the machine would fail the test instead.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from litgraph.api import load
from litgraph.ask import gaps
from litgraph.cli.main import main
from litgraph.errors import ProjectError
from litgraph.gather.enrich.matching import classify, score, title_similarity
from litgraph.gather.enrich.scholarly import ClientSettings
from litgraph.gather.enrich.scholarly_records import Candidate
from litgraph.gather.enrich.transport import Pacer
from litgraph.model import Person, Work
from litgraph.project import open_project
from litgraph.s1_read.proposals import merge_proposals, read_proposals

from . import scholarly_server
from .conftest import MakeProject, dedent
from .scholarly_server import (
    Reply,
    ScholarlyServer,
    crossref_list,
    crossref_message,
    crossref_work,
    openalex_list,
    openalex_work,
)

BIB = """\
% My thesis sources: exported by hand
@string{jmh = {Journal of Mental Health}}

@article{repper2011,
  author = {Repper, Julie and Carter, Tim},
  title = {A review of the literature on peer support in mental health services},
  journal = jmh,
  year = {2011},
  doi = {10.5555/repper.carter.2011}
}

@article{davidson2012,
  author = {Davidson, Larry and Bellamy, Chyrell and Guy, Kimberly and Miller, Rebecca},
  title = {Peer support among persons with severe mental illnesses: a review of evidence and experience},
  year = {2012}
}

@book{borg2013,
  author    = {Borg, Marit and Karlsson, Bengt},
  title     = {Recovery: tradisjoner, fornyelser og praksiser},
  year      = 2013
}
"""
REPPER_DOI = "10.5555/repper.carter.2011"
DAVIDSON_DOI = "10.1016/j.wpsyc.2012.05.009"
REPPER = crossref_message(
    REPPER_DOI,
    "A review of the literature on peer support in mental health services",
    [("Julie", "Repper"), ("Tim", "Carter")],
    2011,
    "Journal of Mental Health",
    volume="20",
    issue="4",
    page="392-411",
)
DAVIDSON = crossref_message(
    DAVIDSON_DOI,
    "Peer support among persons with severe mental illnesses: a review of evidence and experience",
    [("Larry", "Davidson"), ("Chyrell", "Bellamy"), ("Kimberly", "Guy"), ("Rebecca", "Miller")],
    2012,
    "World Psychiatry",
    volume="11",
    issue="2",
    page="123-128",
)
NEAR = crossref_message(  # same first author, near title, another year: a near miss
    "10.1093/clipsy.6.2.165",
    "Peer support among individuals with severe mental illness: a review of the evidence",
    [("Larry", "Davidson"), ("Matthew", "Chinman")],
    2011,
    "Clinical Psychology: Science and Practice",
)
OTHER = crossref_message("10.1000/other", "Nursing home staffing levels", [("Ann", "Other")], 1998, "Nursing")


no_internet = scholarly_server.no_internet  # (the fixture, for the tests that read its attempts)


@pytest.fixture(autouse=True)
def offline_but_loopback(no_internet: list[str]) -> list[str]:
    """Every test here runs without the internet (see `no_internet`)."""
    return no_internet


@pytest.fixture
def server() -> Iterator[ScholarlyServer]:
    with ScholarlyServer() as running:
        yield running


def config(crossref: str, openalex: str, timeout: float = 2.0) -> str:
    return dedent(f"""
        [enrich]
        contact = "thesis@example.org"
        crossref_url = "{crossref}"
        openalex_url = "{openalex}"
        timeout = {timeout}
        requests_per_second = 1000
    """)


@pytest.fixture
def project(make_project: MakeProject, server: ScholarlyServer) -> Path:
    return make_project(
        {
            "bibliography/refs.bib": BIB,
            "litgraph.toml": config(f"{server.url}/crossref", f"{server.url}/openalex"),
        }
    )


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["enrich", *args])
    return result.exit_code, result.stdout, result.stderr


def proposals(root: Path) -> dict[str, Any]:
    problems: list[Any] = []
    found = read_proposals(open_project(root).proposals_file, problems)
    assert not problems
    return {key: p for key, p in found.items()}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the cases of the issue, each through the CLI ------------------------------------------------


def test_doi_hit_proposes_only_the_missing_fields(project: Path, server: ScholarlyServer) -> None:
    server.reply(f"/crossref/works/{REPPER_DOI}", Reply(crossref_work(REPPER)))
    before = (project / "bibliography" / "refs.bib").read_bytes()
    code, out, err = run("-p", str(project), "--keys", "repper2011", "--source", "crossref")
    assert code == 0, err
    assert "repper2011" in out and "accepted" in out
    proposal = proposals(project)["repper2011"]
    assert proposal.status == "accepted" and proposal.source == "crossref" and proposal.candidate == REPPER_DOI
    assert {n: f.value for n, f in proposal.fields.items()} == {"volume": "20", "number": "4", "pages": "392–411"}
    assert (project / "bibliography" / "refs.bib").read_bytes() == before  # never touched without --apply
    asked = server.asked(f"/crossref/works/{REPPER_DOI}")
    assert len(asked) == 1 and "mailto:thesis@example.org" in asked[0].headers["User-Agent"]
    assert "1 accepted, 0 ambiguous, 0 none, 0 failed" in err


def test_search_accepts_the_good_candidate_and_lists_the_near_one(project: Path, server: ScholarlyServer) -> None:
    server.reply("/crossref/works", Reply(crossref_list([NEAR, DAVIDSON, OTHER])))
    code, out, err = run("-p", str(project), "-k", "davidson2012", "--source", "crossref", "-f", "json")
    assert code == 0, err
    work = json.loads(out)["works"][0]
    assert work["status"] == "accepted" and work["candidate"] == DAVIDSON_DOI and work["score"] >= 0.85
    assert work["fields"]["doi"] == DAVIDSON_DOI and work["fields"]["journal"] == "World Psychiatry"
    assert [c["candidate"] for c in work["candidates"]] == ["10.1093/clipsy.6.2.165"]  # the near miss, not OTHER
    query = server.asked("/crossref/works")[0].query
    assert query["query.author"] == "Davidson Bellamy Guy"
    assert query["filter"] == "from-pub-date:2011,until-pub-date:2013"
    assert "severe mental illnesses" in query["query.bibliographic"]
    saved = proposals(project)["davidson2012"]
    assert saved.candidates[0]["candidate"] == "10.1093/clipsy.6.2.165"


def test_two_close_candidates_are_ambiguous_until_the_person_chooses(project: Path, server: ScholarlyServer) -> None:
    twin = dict(
        DAVIDSON, DOI="10.1016/j.twin.2012.1", title=["Peer support among persons with severe mental illnesses"]
    )
    server.reply("/crossref/works", Reply(crossref_list([DAVIDSON, twin])))
    code, out, err = run("-p", str(project), "-k", "davidson2012", "--source", "crossref")
    assert code == 0, err
    assert proposals(project)["davidson2012"].status == "ambiguous"
    assert "davidson2012" in out and "ambiguous" in out
    best = f"best crossref {DAVIDSON_DOI} (score 1.00)"
    assert f"davidson2012: ambiguous, {best}; choose with --accept davidson2012=CANDIDATE" in err
    assert {c["candidate"] for c in proposals(project)["davidson2012"].candidates} == {DAVIDSON_DOI, twin["DOI"]}
    server.reply(f"/crossref/works/{twin['DOI']}", Reply(crossref_work(twin)))
    code, _, err = run("-p", str(project), "--accept", f"davidson2012={twin['DOI']}", "--source", "crossref")
    assert code == 0, err
    chosen = proposals(project)["davidson2012"]
    assert chosen.status == "accepted" and chosen.fields["doi"].value == twin["DOI"]
    assert chosen.note == f"chosen by hand: {twin['DOI']}"


def test_no_match(project: Path, server: ScholarlyServer) -> None:
    server.reply("/crossref/works", Reply(crossref_list([OTHER])))
    server.reply("/openalex/works", Reply(openalex_list([])))
    code, out, err = run("-p", str(project), "-k", "borg2013")
    assert code == 0, err
    assert "borg2013" in out and "none" in out and "0 accepted, 0 ambiguous, 1 none" in err
    assert proposals(project)["borg2013"].status == "none" and not proposals(project)["borg2013"].fields
    # the search for a book without DOI: title words, authors and a year window, in both indexes
    assert server.asked("/openalex/works")[0].query["filter"] == "publication_year:2012-2014"


def test_429_then_success_waits_as_asked(project: Path, server: ScholarlyServer) -> None:
    server.reply(
        f"/crossref/works/{REPPER_DOI}",
        Reply({"message": "slow down"}, status=429, headers={"Retry-After": "1"}),
        Reply(crossref_work(REPPER)),
    )
    code, _, err = run("-p", str(project), "-k", "repper2011", "--source", "crossref")
    assert code == 0, err
    first, second = server.asked(f"/crossref/works/{REPPER_DOI}")
    assert second.at - first.at >= 0.9  # Retry-After honoured
    assert proposals(project)["repper2011"].status == "accepted"


def test_a_retry_after_of_an_hour_is_not_waited_for(project: Path, server: ScholarlyServer) -> None:
    server.reply(f"/crossref/works/{REPPER_DOI}", Reply({}, status=429, headers={"Retry-After": "3600"}))
    started = time.monotonic()
    code, _, err = run("-p", str(project), "-k", "repper2011", "--source", "crossref")
    assert time.monotonic() - started < 10 and code == 1
    assert f"repper2011: crossref: rate limited by {server.url.split('//')[1]}" in err and "wait 3600 s" in err
    assert len(server.asked(f"/crossref/works/{REPPER_DOI}")) == 1
    assert not open_project(project).proposals_file.exists()


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        pytest.param(Reply(crossref_work(REPPER), delay=3), "did not answer within 0.5 s", id="timeout"),
        pytest.param(Reply('{"message": {"DOI": "10.3'), "sent malformed JSON", id="malformed-json"),
        pytest.param(
            Reply("<html><body><h1>Login</h1></body></html>", headers={"Content-Type": "text/html"}),
            "sent an HTML page, not JSON",
            id="html-error-page",
        ),
        pytest.param(Reply({"status": "ok"}), "unexpected answer (no 'message' object)", id="wrong-shape"),
    ],
)
def test_faults_end_with_a_clear_message_and_nothing_written(
    make_project: MakeProject, server: ScholarlyServer, reply: Reply, message: str
) -> None:
    root = make_project(
        {
            "bibliography/refs.bib": BIB,
            "litgraph.toml": config(f"{server.url}/crossref", f"{server.url}/openalex", timeout=0.5),
        }
    )
    server.reply(f"/crossref/works/{REPPER_DOI}", reply)
    before = (root / "bibliography" / "refs.bib").read_bytes()
    code, _, err = run("-p", str(root), "-k", "repper2011", "--source", "crossref")
    assert code == 1
    assert any(line.startswith("repper2011: crossref: ") and message in line for line in err.splitlines())
    assert "Traceback" not in err
    assert "Error: no work could be looked up; nothing was written." in err
    assert not open_project(root).proposals_file.exists()
    assert (root / "bibliography" / "refs.bib").read_bytes() == before
    if reply.delay:  # a hung server is asked once, not again and again
        assert len(server.asked(f"/crossref/works/{REPPER_DOI}")) == 1
    else:  # a bad answer is not cached: the next run asks again
        run("-p", str(root), "-k", "repper2011", "--source", "crossref")
        assert len(server.asked(f"/crossref/works/{REPPER_DOI}")) == 2


def test_one_failure_among_successes_exits_0_and_keeps_the_rest(project: Path, server: ScholarlyServer) -> None:
    server.reply(f"/crossref/works/{REPPER_DOI}", Reply("<html>Bad gateway</html>"))
    server.reply("/crossref/works", Reply(crossref_list([DAVIDSON])))
    code, _, err = run("-p", str(project), "-k", "repper2011,davidson2012", "--source", "crossref")
    assert code == 0
    assert f"repper2011: crossref: {server.url.split('//')[1]} sent an HTML page" in err
    assert set(proposals(project)) == {"davidson2012"}  # the failed one is asked again next time


def test_rerun_sends_nothing_and_offline_uses_the_cache(project: Path, server: ScholarlyServer) -> None:
    server.reply(f"/crossref/works/{REPPER_DOI}", Reply(crossref_work(REPPER)))
    server.reply(f"/openalex/works/doi:{REPPER_DOI}", Reply(openalex_work("W1", REPPER["title"][0], [], 2011)))
    server.reply("/crossref/works", Reply(crossref_list([DAVIDSON])))
    server.reply("/openalex/works", Reply(openalex_list([])))
    assert run("-p", str(project), "-q")[0] == 0
    first = json.loads(run("-p", str(project), "-q", "-k", "repper2011,davidson2012,borg2013", "-f", "json")[1])
    asked = len(server.requests)
    again = json.loads(run("-p", str(project), "-q", "-k", "repper2011,davidson2012,borg2013", "-f", "json")[1])
    assert len(server.requests) == asked and again["sent"] == 0
    assert again["works"] == first["works"]
    code, out, _ = run("-p", str(project), "-q", "-k", "repper2011,davidson2012,borg2013", "-f", "json", "--offline")
    assert code == 0 and json.loads(out)["works"] == first["works"] and len(server.requests) == asked


def test_offline_with_an_empty_cache_sends_nothing(make_project: MakeProject, no_internet: list[str]) -> None:
    port = closed_port()
    root = make_project(
        {"bibliography/refs.bib": BIB, "litgraph.toml": config(f"http://127.0.0.1:{port}", "https://api.openalex.org")}
    )
    code, _, err = run("-p", str(root), "--offline")
    assert code == 1
    for key in ("repper2011", "davidson2012", "borg2013"):
        assert f"{key}: crossref: not in the cache (--offline sends nothing" in err
    assert no_internet == []  # not even a name was looked up
    assert not open_project(root).proposals_file.exists()


def test_no_network_dns_failure_and_a_refused_port(make_project: MakeProject, no_internet: list[str]) -> None:
    port = closed_port()
    fourth = "@article{fourth2020, author = {Fourth, Fay}, title = {A fourth work on peer support}, year = 2020}\n"
    root = make_project(
        {
            "bibliography/refs.bib": BIB + fourth,
            "litgraph.toml": config("https://api.crossref.invalid", f"http://127.0.0.1:{port}/openalex"),
        }
    )
    code, out, err = run("-p", str(root), "-q")
    assert code == 1 and "Traceback" not in err and out == ""
    lines = [
        line
        for line in err.splitlines()
        if line.split(":")[0] in ("repper2011", "davidson2012", "borg2013", "fourth2020")
    ]
    assert len(lines) == 4  # one line per work
    assert "crossref: cannot resolve api.crossref.invalid (no network, or a DNS failure)" in lines[0]
    assert f"openalex: 127.0.0.1:{port} refused the connection (is the URL right?)" in lines[0]
    not_asked = "not asked (it failed 3 times in a row)"
    assert lines[3] == f"fourth2020: crossref: {not_asked}; openalex: {not_asked}"  # the breaker spares dead APIs
    assert no_internet == ["api.crossref.invalid"] * 6  # 3 requests, each retried once, then no more
    assert "0 accepted, 0 ambiguous, 0 none, 4 failed; 6 request(s) sent" in err
    assert not open_project(root).proposals_file.exists()


def test_environment_urls_take_precedence(
    make_project: MakeProject, server: ScholarlyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {"bibliography/refs.bib": BIB, "litgraph.toml": config("https://x.invalid", "https://y.invalid")}
    )
    monkeypatch.setenv("LITGRAPH_CROSSREF_URL", f"{server.url}/crossref/")
    monkeypatch.setenv("LITGRAPH_CONTACT", "other@example.org")
    server.reply(f"/crossref/works/{REPPER_DOI}", Reply(crossref_work(REPPER)))
    code, _, err = run("-p", str(root), "-k", "repper2011", "--source", "crossref")
    assert code == 0, err
    assert "mailto:other@example.org" in server.requests[0].headers["User-Agent"]


def test_bad_enrich_settings_are_refused(make_project: MakeProject) -> None:
    root = make_project({"litgraph.toml": "[enrich]\ncrossref_url = 'ftp://mirror'\n"})
    with pytest.raises(ProjectError, match="crossref_url 'ftp://mirror' must start with http"):
        open_project(root)
    (root / "litgraph.toml").write_text("[enrich]\ntimeout = -1\n")
    with pytest.raises(ProjectError, match="timeout must be a positive number"):
        open_project(root)
    (root / "litgraph.toml").write_text("[enrich]\ncontatc = 'x'\n")
    with pytest.raises(ProjectError, match="unknown setting 'contatc'"):
        open_project(root)


def test_unknown_key_and_bad_accept_are_usage_errors(project: Path) -> None:
    code, _, err = run("-p", str(project), "-k", "reper2011")
    assert code == 1 and "no entry with the key 'reper2011'" in err and "repper2011" in err
    code, _, err = run("-p", str(project), "--accept", "repper2011")
    assert code == 2 and "KEY=DOI" in err


# --- the overlay: build uses it, a broken one is reported ----------------------------------------


def test_build_fills_missing_fields_from_accepted_proposals(project: Path, server: ScholarlyServer) -> None:
    server.reply(f"/crossref/works/{REPPER_DOI}", Reply(crossref_work(REPPER)))
    server.reply("/crossref/works", Reply(crossref_list([DAVIDSON])))
    assert run("-p", str(project), "-q", "--source", "crossref")[0] == 0
    works = load(open_project(project)).data.works
    assert works["repper2011"].volume == "20" and works["repper2011"].issue == "4"
    assert works["repper2011"].container == "Journal of Mental Health"  # the .bib's own value stays
    assert works["davidson2012"].doi == DAVIDSON_DOI and works["davidson2012"].container == "World Psychiatry"
    result = CliRunner().invoke(main, ["build", "-q", "-p", str(project)])
    assert result.exit_code == 0, result.stderr
    turtle = (project / "site" / "graph.ttl").read_text(encoding="utf-8")
    assert DAVIDSON_DOI in turtle and "World Psychiatry" in turtle


def test_overwrite_proposes_values_that_differ_and_says_what_they_replace(
    project: Path, server: ScholarlyServer
) -> None:
    bib = project / "bibliography" / "refs.bib"
    bib.write_text(BIB.replace("peer support in mental health services}", "peer support}"), encoding="utf-8")
    server.reply(f"/crossref/works/{REPPER_DOI}", Reply(crossref_work(REPPER)))
    assert run("-p", str(project), "-q", "-k", "repper2011", "--source", "crossref")[0] == 0
    assert "title" not in proposals(project)["repper2011"].fields  # yours is kept without --overwrite
    code, out, err = run("-p", str(project), "-q", "-k", "repper2011", "--source", "crossref", "--overwrite")
    assert code == 0, err
    title = proposals(project)["repper2011"].fields["title"]
    assert (title.value, title.replaces) == (REPPER["title"][0], "A review of the literature on peer support")
    assert "title (replaces)" in out
    assert load(open_project(project)).data.works["repper2011"].title == REPPER["title"][0]


def test_a_changed_overlay_makes_the_store_stale(project: Path, server: ScholarlyServer) -> None:
    from litgraph.s1_read.inputs import input_stamp

    before = input_stamp(open_project(project))
    server.reply(f"/crossref/works/{REPPER_DOI}", Reply(crossref_work(REPPER)))
    assert run("-p", str(project), "-q", "-k", "repper2011", "--source", "crossref")[0] == 0
    assert input_stamp(open_project(project)) != before


def test_merge_replaces_only_what_was_proposed_with_overwrite(tmp_path: Path) -> None:
    overlay = tmp_path / "proposals.yaml"
    overlay.write_text(
        dedent("""
        proposals:
          a:
            status: accepted
            fields:
              title: Ignored, the entry has one
              volume: "7"
              pages: {value: 1–20, replaces: 1-2}
          b:
            status: ambiguous
            fields: {doi: 10.1/never}
          gone:
            status: accepted
            fields: {doi: 10.1/x}
        """),
        encoding="utf-8",
    )
    works = {
        "a": Work("a", "article", tmp_path, 1, title="Own title", pages="1-2"),
        "b": Work("b", "article", tmp_path, 5),
    }
    problems: list[Any] = []
    problems += merge_proposals(works, read_proposals(overlay, problems), overlay)
    assert works["a"].title == "Own title" and works["a"].volume == "7" and works["a"].pages == "1–20"
    assert works["b"].doi is None
    assert [(p.severity, p.message) for p in problems] == [
        ("warning", "a proposal for 'gone', which is not in the bibliography")
    ]


def test_a_broken_overlay_is_reported_and_never_written_over(project: Path) -> None:
    overlay = open_project(project).proposals_file
    overlay.parent.mkdir(parents=True)
    overlay.write_text("proposals:\n  repper2011:\n    status: acepted\n", encoding="utf-8")
    code, _, err = run("-p", str(project), "-k", "repper2011")
    assert code == 1 and "status 'acepted' of 'repper2011' is not one of" in err
    assert overlay.read_text(encoding="utf-8").endswith("status: acepted\n")
    validate = CliRunner().invoke(main, ["validate", "-p", str(project)])
    assert validate.exit_code == 1 and "proposals.yaml:3" in validate.stderr


# --- citations -----------------------------------------------------------------------------------


def test_citations_between_works_of_the_project(project: Path, server: ScholarlyServer) -> None:
    server.reply(
        f"/openalex/works/doi:{REPPER_DOI}",
        Reply(
            openalex_work("W2001", REPPER["title"][0], ["Julie Repper"], 2011, REPPER_DOI, references=["W3002", "W9"])
        ),
    )
    server.reply(
        f"/openalex/works/doi:{DAVIDSON_DOI}",
        Reply(
            openalex_work("W3002", DAVIDSON["title"][0], ["Larry Davidson"], 2012, DAVIDSON_DOI, references=["W2001"])
        ),
    )
    server.reply("/crossref/works", Reply(crossref_list([DAVIDSON])))
    server.reply("/openalex/works", Reply(openalex_list([])))
    assert run("-p", str(project), "-q", "-k", "davidson2012")[0] == 0  # its DOI comes from the proposal
    code, out, err = run("-p", str(project), "--citations", "-f", "json", "-q")
    assert code == 0, err
    document = json.loads(out)
    assert document["cites"] == {"davidson2012": ["repper2011"], "repper2011": ["davidson2012"]}
    assert document["outside"] == {"repper2011": [{"openalex": "W9"}]}
    assert document["without_id"] == ["borg2013"] and document["written"] == "bibliography/citations/openalex.yaml"
    written = (project / "bibliography" / "citations" / "openalex.yaml").read_text(encoding="utf-8")
    assert written.startswith("# Written by `litgraph enrich --citations`")
    assert "cites_outside:\n  - {openalex: W9}" in written  # (W9: a reference outside the project)
    [outside] = gaps(open_project(project), ["cited-not-in-bibliography"], min_cited=1)
    assert (outside.subject, outside.works) == ("openalex:W9", ["repper2011"])
    assert [(c.citing, c.cited) for c in load(open_project(project)).data.citations] == [
        ("davidson2012", "repper2011"),
        ("repper2011", "davidson2012"),
    ]


# --- the pieces ----------------------------------------------------------------------------------


def work(**fields: Any) -> Work:
    base: dict[str, Any] = {"key": "k", "entry_type": "article", "path": Path("x.bib"), "line": 1}
    return Work(**{**base, **fields})


def candidate(**fields: Any) -> Candidate:
    return Candidate(**{"source": "crossref", "id": "10.1/x", "doi": "10.1/x", **fields})


@pytest.mark.parametrize(
    ("mine", "theirs", "low", "high"),
    [
        pytest.param("Peer support in mental health", "Peer support in mental health", 1.0, 1.0, id="same"),
        pytest.param(
            "Peer support in mental health", "Peer support in mental health: a review", 0.85, 0.95, id="cut-short"
        ),
        pytest.param("Grensesetting i miljøterapi", "Grensesetting i miljoterapi", 1.0, 1.0, id="diacritics"),
        pytest.param("Recovery", "Recovery and social work practice", 0.0, 0.5, id="one-word-is-no-evidence"),
        pytest.param("Peer support in mental health", "Nursing home staffing", 0.0, 0.4, id="different"),
    ],
)
def test_title_similarity(mine: str, theirs: str, low: float, high: float) -> None:
    assert low <= title_similarity(mine, theirs) <= high


def test_score_folds_names_and_allows_a_year_either_side() -> None:
    mine = work(title="Erfaringskompetanse i psykisk helsearbeid", year=2015, authors=[Person("Sælør", "Knut Tore")])
    exact = score(
        mine, candidate(title=mine.title, year=2015, authors=(Person("Saelor", "K. T."),), kind="journal-article")
    )
    assert exact.score == 1.0 and exact.parts["authors"] == 1.0
    online_first = score(
        mine, candidate(title=mine.title, year=2014, authors=(Person("Saelor"),), kind="journal-article")
    )
    assert 0.85 <= online_first.score < 1.0 and online_first.parts["year"] == 0.6
    book = score(mine, candidate(title=mine.title, year=2015, authors=(Person("Saelor"),), kind="book"))
    assert book.parts["type"] == 0.0 and book.score < exact.score


def test_classify_needs_a_margin_and_a_threshold() -> None:
    mine = work(title="Peer support in mental health services", year=2011, authors=[Person("Repper")])
    good = score(mine, candidate(title=mine.title, year=2011, authors=(Person("Repper"),)))
    twin = score(mine, candidate(id="10.1/y", doi="10.1/y", title=mine.title, year=2011, authors=(Person("Repper"),)))
    weak = score(
        mine, candidate(id="10.1/z", doi="10.1/z", title="Peer support", year=2011, authors=(Person("Repper"),))
    )
    assert classify([good])[0] == "accepted"
    assert classify([good, twin])[0] == "ambiguous"
    assert classify([weak])[0] == "ambiguous" and classify([weak], by_doi=True)[0] == "accepted"
    assert classify([]) == ("none", [])


def test_pacer_spaces_requests() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(4, clock=lambda: now[0], sleep=sleep)
    pacer.wait()
    pacer.wait()
    now[0] += 1.0
    pacer.wait()
    assert slept == [0.25]


def test_settings_default_to_the_public_apis(make_project: MakeProject) -> None:
    settings = ClientSettings.for_project(open_project(make_project()), environ={})
    assert (settings.crossref_url, settings.openalex_url) == ("https://api.crossref.org", "https://api.openalex.org")
    assert settings.user_agent.startswith("litgraph/") and "mailto" not in settings.user_agent
    assert settings.cache_path.name == "enrich-cache.sqlite" and settings.cache_path.parent.name == ".litgraph"
