"""`litgraph enrich` is safe with anything an API (or a hand-edited overlay) sends: a server that drips, one
that sends without end, values made to break out of a .bib entry; a rerun that finds less never undoes a
reviewed proposal; `--apply` keeps every line ending; `--offline` sends nothing.

Local stand-ins only (tests/scholarly_server.py); every name but the loopback's fails to resolve.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from click.testing import CliRunner

from litgraph.cli.main import main
from litgraph.project import open_project
from litgraph.s1_read.proposals import read_proposals

from . import scholarly_server
from .conftest import MakeProject
from .scholarly_server import (
    Reply,
    ScholarlyServer,
    crossref_list,
    crossref_message,
    crossref_work,
    openalex_work,
)

DOI = "10.5555/repper.carter.2011"
TITLE = "A review of the literature on peer support in mental health services"
BIB = f"""\
@article{{repper2011,
  author = {{Repper, Julie and Carter, Tim}},
  title = {{{TITLE}}},
  year = {{2011}},
  doi = {{{DOI}}}
}}
"""
REPPER = crossref_message(
    DOI, TITLE, [("Julie", "Repper"), ("Tim", "Carter")], 2011, "Journal of Mental Health", volume="20", issue="4",
    page="392-411",
)  # fmt: skip
WORK = f"/crossref/works/{DOI}"
no_internet = scholarly_server.no_internet  # (the fixture, for the tests that read its attempts)


@pytest.fixture(autouse=True)
def offline_but_loopback(no_internet: list[str]) -> list[str]:
    return no_internet


@pytest.fixture
def server() -> Iterator[ScholarlyServer]:
    with ScholarlyServer() as running:
        yield running


def settings(server: ScholarlyServer, **enrich: Any) -> str:
    values = {"crossref_url": f"{server.url}/crossref", "openalex_url": f"{server.url}/openalex", "timeout": 2.0,
              "requests_per_second": 1000, **enrich}  # fmt: skip
    return "[enrich]\n" + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in values.items())


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["enrich", *args])
    return result.exit_code, result.stdout, result.stderr


def proposals(root: Path) -> dict[str, Any]:
    problems: list[Any] = []
    found = read_proposals(open_project(root).proposals_file, problems)
    assert not problems
    return found


def overlay(root: Path, entries: dict[str, Any]) -> Path:
    path = open_project(root).proposals_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# reviewed\n" + yaml.safe_dump({"proposals": entries}, sort_keys=False), encoding="utf-8")
    return path


def cache_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / ".litgraph").glob("enrich-cache.sqlite*"))


# --- a server that drips, or never stops -------------------------------------------------------------


@pytest.mark.parametrize("headers", [pytest.param(False, id="body"), pytest.param(True, id="headers-too")])
def test_a_dripping_server_is_given_the_deadline_and_no_more(
    make_project: MakeProject, server: ScholarlyServer, headers: bool
) -> None:
    """One byte a second never lets a read time out (timeout 2 s); the deadline (1.5 s) ends the request."""
    root = make_project({"bibliography/refs.bib": BIB, "litgraph.toml": settings(server, deadline=1.5)})
    server.reply(WORK, Reply(crossref_work(REPPER), drip=1.0, drip_headers=headers))
    started = time.monotonic()
    code, out, err = run("-p", str(root), "-k", "repper2011", "--source", "crossref")
    assert time.monotonic() - started < 5
    assert code == 1 and out == "" and "Traceback" not in err
    host = server.url.split("//")[1]
    expected = f"repper2011: crossref: {host} did not send its whole answer within 1.5 s (deadline under [enrich]"
    assert [line for line in err.splitlines() if line.startswith("repper2011:")] == [expected + " in litgraph.toml)"]
    assert "0 accepted, 0 ambiguous, 0 none, 1 failed" in err
    assert len(server.asked(WORK)) == 1 and not open_project(root).proposals_file.exists()


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(crossref_work(REPPER), padding=400_000_000), id="declared-400MB"),
        pytest.param(Reply(crossref_work(REPPER), padding=400_000_000, declare_length=False), id="streamed-400MB"),
        pytest.param(
            Reply(crossref_work(REPPER), padding=400_000_000, declare_length=False, gzip=True), id="gzip-bomb"
        ),
    ],
)
def test_a_huge_answer_is_refused_not_read_whole_nor_cached(
    make_project: MakeProject, server: ScholarlyServer, reply: Reply
) -> None:
    """The answer is valid JSON (padded with spaces), so only its size can refuse it: the client reads no more
    than the limit (and a chunk), keeps none of it, and hangs up."""
    small_inputs = "[limits]\ninput_bytes = 1000000\n"  # (stage 1 sets aside room for the largest input it takes)
    root = make_project({"bibliography/refs.bib": BIB, "litgraph.toml": settings(server, max_response_bytes=100_000)
                         + small_inputs})  # fmt: skip
    server.reply(WORK, reply)
    tracemalloc.start()
    try:
        code, _, err = run("-p", str(root), "-k", "repper2011", "--source", "crossref")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1 and "Traceback" not in err
    host = server.url.split("//")[1]
    refused = f"repper2011: crossref: {host} sent an answer larger than 100,000 bytes; refused (max_response_bytes"
    assert any(line.startswith(refused) for line in err.splitlines()), err
    assert peak < 40_000_000, f"{peak:,} bytes at the peak"
    assert server.sent < 64_000_000  # it hung up long before the end
    assert cache_bytes(root) < 1_000_000 and not open_project(root).proposals_file.exists()
    run("-p", str(root), "-k", "repper2011", "--source", "crossref")
    assert len(server.asked(WORK)) == 2  # not cached: asked again


def test_no_request_is_sent_without_a_timeout(tmp_path: Path, server: ScholarlyServer) -> None:
    from litgraph.gather.enrich.transport import Limits, SessionSettings, open_session

    server.reply("/crossref/works/slow", Reply({"message": {}}, delay=3))
    limits = Limits(timeout=0.5, deadline=60, max_bytes=1000)
    session = open_session(SessionSettings((f"{server.url}/crossref",), "test", limits, 1000, tmp_path / "c.sqlite", 1))
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        session.get(f"{server.url}/crossref/works/slow")  # (no timeout given: the session's own)
    assert time.monotonic() - started < 2.5
    session.close()


# --- a rerun that finds less --------------------------------------------------------------------------

HOSTILE = crossref_message(
    DOI, TITLE, [("Julie", "Repper"), ("Tim", "Carter")], 2011, "Journal @misc{injected3, title={x}}",
    volume="{20} @misc{injected, title={x}}", issue="4} @misc{injected2,", page="1-" + "9" * 300,
)  # fmt: skip
REVIEWED = {
    "status": "accepted", "source": "crossref", "candidate": DOI, "score": 1.0,
    "fields": {"volume": "20", "number": "4", "pages": "392–411"}, "date": "2026-01-02",
}  # fmt: skip
NOTHING = [(WORK, Reply({}, status=404)), ("/crossref/works", Reply(crossref_list([])))]
TWINS = [  # the DOI unknown, and two equally good candidates by search
    (WORK, Reply({}, status=404)),
    ("/crossref/works", Reply(crossref_list([dict(REPPER, DOI="10.1/a"), dict(REPPER, DOI="10.1/b")]))),
]


@pytest.mark.parametrize(
    ("status", "answers", "found"),
    [
        pytest.param("accepted", NOTHING, "no match", id="accepted-then-nothing"),
        pytest.param("applied", NOTHING, "no match", id="applied-then-nothing"),
        pytest.param("accepted", TWINS, "no single match", id="accepted-then-ambiguous"),
        pytest.param(
            "accepted",
            [(WORK, Reply(crossref_work(dict(REPPER, volume=None))))],
            "the same work without volume",
            id="accepted-then-fewer-fields",
        ),
        pytest.param(
            "accepted",
            [(WORK, Reply(crossref_work(dict(REPPER, DOI="10.1/other"))))],
            "another work (crossref 10.1/other)",
            id="accepted-then-another-work",
        ),
        pytest.param(
            "accepted",
            [(WORK, Reply(crossref_work(HOSTILE)))],
            "the same work without number, pages, volume",
            id="accepted-then-implausible-values",
        ),
    ],
)
def test_a_rerun_that_finds_less_keeps_the_reviewed_proposal(
    make_project: MakeProject, server: ScholarlyServer, status: str, answers: list[tuple[str, Reply]], found: str
) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "litgraph.toml": settings(server)})
    path = overlay(root, {"repper2011": {**REVIEWED, "status": status}})
    before = path.read_bytes()
    for route, reply in answers:
        server.reply(route, reply)
    code, _, err = run("-p", str(root), "-k", "repper2011", "--source", "crossref")
    assert code == 0, err
    assert path.read_bytes() == before
    assert f"repper2011: kept its {status} proposal (crossref {DOI}): this run found {found}" in err
    assert "--replace to record that instead" in err


def test_replace_records_what_the_rerun_found(make_project: MakeProject, server: ScholarlyServer) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "litgraph.toml": settings(server)})
    overlay(root, {"repper2011": REVIEWED})
    for route, reply in NOTHING:
        server.reply(route, reply)
    code, _, err = run("-p", str(root), "-k", "repper2011", "--source", "crossref", "--replace")
    assert code == 0, err
    assert proposals(root)["repper2011"].status == "none" and "kept its" not in err
    code, _, err = run("-p", str(root), "--apply", "--replace")
    assert code == 2 and "--replace is for lookups" in err


def test_a_rerun_that_finds_as_much_replaces_the_proposal(make_project: MakeProject, server: ScholarlyServer) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "litgraph.toml": settings(server)})
    overlay(root, {"repper2011": {**REVIEWED, "fields": {"volume": "19"}}})
    server.reply(WORK, Reply(crossref_work(REPPER)))
    assert run("-p", str(root), "-k", "repper2011", "--source", "crossref")[0] == 0
    assert proposals(root)["repper2011"].fields["volume"].value == "20"


# --- values made to break out of an entry ----------------------------------------------------------


def test_implausible_values_of_an_answer_are_left_out_and_said(
    make_project: MakeProject, server: ScholarlyServer
) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "litgraph.toml": settings(server)})
    server.reply(WORK, Reply(crossref_work(HOSTILE)))
    code, _, err = run("-p", str(root), "-k", "repper2011", "--source", "crossref")
    assert code == 0, err
    proposal = proposals(root)["repper2011"]
    assert proposal.status == "accepted" and proposal.fields == {}
    [line] = [line for line in err.splitlines() if line.startswith("repper2011:")]
    assert "crossref volume '{20} @misc{injected, title={x}}' has '{', which a volume never holds: left out" in line
    assert "crossref number '4} @misc{injected2,' has '}', which a number never holds: left out" in line
    assert "crossref pages '1–9999" in line and "is 302 characters long (at most 40): left out" in line
    assert "crossref journal 'Journal @misc{injected3, title={x}}' looks like the start of a BibTeX entry" in line
    assert "left out" in (proposal.note or "")
    bib = root / "bibliography" / "refs.bib"
    before = bib.read_bytes()
    code, _, err = run("-p", str(root), "--apply")
    assert bib.read_bytes() == before and b"injected" not in bib.read_bytes()


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        pytest.param("volume", "{20} @misc{injected, title={x}}", "has '{'", id="volume-balanced-braces"),
        pytest.param("volume", "20} @misc{injected, title={x}", "has '}'", id="volume-closing-brace"),
        pytest.param("number", "4\n@misc{injected, title={y}}", "line break", id="number-newline"),
        pytest.param("pages", "12@34", "has '@'", id="pages-at"),
        pytest.param("pages", "1" * 41, "41 characters long (at most 40)", id="pages-absurd-length"),
        pytest.param("doi", "10.1/x} @misc{injected, title={x}", "is not a DOI", id="doi-breaks-out"),
        pytest.param("title", "T} @misc{injected, title={x}", "start of a BibTeX entry", id="title-entry"),
        pytest.param("journal", "J\u2028@misc{injected", "line break", id="journal-line-separator"),
        pytest.param("title", "T" * 2001, "2,001 characters long", id="title-absurd-length"),
    ],
)
def test_apply_never_writes_an_implausible_value(make_project: MakeProject, name: str, value: str, reason: str) -> None:
    root = make_project({"bibliography/refs.bib": BIB.replace(f"  doi = {{{DOI}}}\n", "")})
    fields = {name: value, "publisher": "Good Press"} if name != "doi" else {name: value, "volume": "20"}
    overlay(root, {"repper2011": {"status": "accepted", "fields": fields}})
    bib = root / "bibliography" / "refs.bib"
    code, out, err = run("-p", str(root), "--apply")
    assert code == 0, err
    text = bib.read_text(encoding="utf-8")
    assert "injected" not in text and value not in text
    assert ("publisher = {Good Press}" if name != "doi" else "volume = {20}") in text
    assert f"repper2011: {name}: not written: {name} " in out and reason in out
    assert proposals(root)["repper2011"].status == "accepted"  # not wholly applied: stays to review


# --- line endings -----------------------------------------------------------------------------------

CRLF = (
    "% kept\r\n@article{a,\r\n  author = {A, B},\r\n  year = {2000} % checked\r\n}\r\n\r\n"
    "@article{b,\r\n  author = {C, D}, % also checked\r\n  year = {2001},\r\n}\r\n"
)
MIXED = (
    "@article{a,\n  author = {A, B},\n  year = {2000} % checked\n}\n\n"
    "@article{b,\r\n  author = {C, D},\r\n  year = {2001}\r\n}\r\n"
)


def test_a_comment_after_the_last_value_keeps_its_crlf() -> None:
    import bibtexparser

    from litgraph.gather.enrich.bibedit import edit_entry

    [entry] = bibtexparser.parse_string("@article{a,\r\n  year = {2000} % checked\r\n}", parse_stack=[]).entries
    edited = edit_entry(entry, [("doi", "{10.1/x}")], {}, "\r\n")
    assert edited == "@article{a,\r\n  year = {2000}, % checked\r\n  doi = {10.1/x}\r\n}"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            CRLF,
            CRLF.replace("{2000} % checked\r\n", "{2000}, % checked\r\n  doi = {10.1/a}\r\n").replace(
                "{2001},\r\n", "{2001},\r\n  doi = {10.1/b},\r\n"
            ),
            id="crlf-with-comments",
        ),
        pytest.param(
            MIXED,
            MIXED.replace("{2000} % checked\n", "{2000}, % checked\n  doi = {10.1/a}\n").replace(
                "{2001}\r\n", "{2001},\r\n  doi = {10.1/b}\r\n"
            ),
            id="each-entry-its-own",
        ),
    ],
)
def test_apply_keeps_every_line_ending(make_project: MakeProject, before: str, after: str) -> None:
    root = make_project()
    bib = root / "bibliography" / "refs.bib"
    bib.write_bytes(before.encode("utf-8"))
    overlay(root, {k: {"status": "accepted", "fields": {"doi": f"10.1/{k}"}} for k in ("a", "b")})
    code, _, err = run("-p", str(root), "--apply")
    assert code == 0, err
    written = bib.read_bytes().decode("utf-8")
    assert written == after
    if "\n" not in before.replace("\r\n", ""):
        assert "\r\r" not in written and written.count("\n") == written.count("\r\n")


# --- offline ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [pytest.param([], id="lookups"), pytest.param(["--citations"], id="citations")])
def test_offline_sends_nothing(
    make_project: MakeProject, server: ScholarlyServer, no_internet: list[str], args: list[str]
) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "litgraph.toml": settings(server)})
    code, _, err = run("-p", str(root), "--offline", *args)
    assert code == 1 and "not in the cache (--offline sends nothing" in err
    assert server.requests == [] and no_internet == []


# --- links out of the project -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "args"),
    [
        pytest.param("enrich", ["-k", "repper2011", "--source", "crossref"], id="proposals"),
        pytest.param("citations", ["--citations"], id="citations"),
    ],
)
def test_nothing_is_written_through_a_link_out_of_the_project(
    make_project: MakeProject, server: ScholarlyServer, tmp_path: Path, folder: str, args: list[str]
) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "litgraph.toml": settings(server)})
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "bibliography" / folder).symlink_to(outside, target_is_directory=True)
    server.reply(WORK, Reply(crossref_work(REPPER)))
    server.reply(f"/openalex/works/doi:{DOI}", Reply(openalex_work("W1", TITLE, ["Julie Repper"], 2011, DOI)))
    code, _, err = run("-p", str(root), *args)
    assert code == 1 and "Traceback" not in err and "Internal error" not in err
    assert f"bibliography/{folder}/" in err and "leads out of the project" in err
    assert list(outside.iterdir()) == []
