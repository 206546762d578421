"""Stage: queries on the local store (sources, contested, reading lists, claims, raw SPARQL)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner

from litgraph import build, claims, contested, open_project, reading_list, sources, themes
from litgraph.ask import up_to_date
from litgraph.cli.main import main
from litgraph.errors import NotFoundError
from litgraph.project import Project

from .conftest import MakeProject

BIB = """
@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review of peer support}, year = 2011}
@article{kilpatrick2017, author = {Kilpatrick, Emma and Keeney, Sinead and McCauley, Claire-Odile},
  title = {Tokenistic or genuinely effective?}, year = 2017}
@article{bassuk2016, author = {Bassuk, Ellen L. and Hanson, Justine and others}, title = {Peer-delivered recovery},
  year = 2016}
@report{akerblom2021, author = {{\\AA}kerblom, Kristina Bakke and Hammer, Anne Eriksen},
  title = {Nasjonale f{\\o}ringer}, year = 2021}
@article{hammer2020, author = {Hammer, Anne Eriksen}, title = {Gissel}, year = 2020}
"""
CLAIMS = """
claims:
  - id: repper-boundaries
    source: repper2011
    reported_in: akerblom2021
    locator: sec. Relasjonen
    text: Closeness makes it hard to keep professional boundaries.
    lang: en
    themes: [boundary-setting]
    evidence: literature-review
  - id: kilpatrick-symbolic
    source: kilpatrick2017
    reported_in: akerblom2021
    locator: s. 3
    text: Staff saw peer roles as symbolic.
    lang: en
    themes: [tokenism]
    evidence: qualitative-study
    question: peer-work-makes-a-difference
    stance: against
  - id: bassuk-important
    source: bassuk2016
    reported_in: akerblom2021
    locator: s. 4
    text: Service users find peer workers important.
    lang: en
    themes: [outcomes]
    evidence: systematic-review
    question: peer-work-makes-a-difference
    stance: for
    disputes: [kilpatrick-symbolic]
  - id: akerblom-participation
    source: akerblom2021
    locator: sec. Brukermedvirkning
    text: Hiring peers is presented as user participation at the system level.
    lang: en
    themes: [participation-system]
    evidence: policy-document
  - id: hammer-alibi
    source: hammer2020
    reported_in: akerblom2021
    text: Peers risk becoming an alibi for user participation.
    lang: en
    themes: [tokenism, participation-system]
    evidence: expert-opinion
    disputes: [akerblom-participation]
"""
QUESTIONS = """
questions:
  - id: peer-work-makes-a-difference
    text: {en: Peer workers make a real difference., nb: Erfaringskonsulenter utgjør en forskjell.}
    themes: [outcomes]
"""

FILES = {"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS, "bibliography/questions.yaml": QUESTIONS}


@pytest.fixture
def graph(make_project: MakeProject) -> Project:
    """A built project (its store answers the questions)."""
    project = open_project(make_project(FILES))
    build(project)
    return project


def test_sources_by_label_with_narrower_themes(graph: Project) -> None:
    result = sources(graph, "Grensesetting")
    assert result.theme == "boundary-setting"
    [work] = result.works
    assert work.key == "repper2011" and work.citation == "Repper & Carter 2011"
    assert work.claims[0].locator == "sec. Relasjonen"
    assert work.claims[0].reported_in_citation == "Åkerblom & Hammer 2021"
    broad = sources(graph, "user participation")  # en label of a top theme: narrower themes included
    assert {w.key for w in broad.works} == {"kilpatrick2017", "hammer2020", "akerblom2021"}
    assert sources(graph, "user-participation", exact=True).works == []


def test_unknown_theme_suggests(graph: Project) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'boundary-setting'"):
        sources(graph, "boundary-seting")


def test_contested_groups_question_sides_and_disputes(graph: Project) -> None:
    groups = contested(graph)
    question = next(g for g in groups if g.kind == "question")
    assert question.id == "peer-work-makes-a-difference" and question.sources == 2
    sides = {s.stance: [c.source for c in s.claims] for s in question.sides}
    assert sides == {"for": ["bassuk2016"], "against": ["kilpatrick2017"]}
    disputes = [g for g in groups if g.kind == "dispute"]
    pairs = [{c.id for s in g.sides for c in s.claims} for g in disputes]
    assert {"hammer-alibi", "akerblom-participation"} in pairs
    for group in disputes:
        assert len(group.sides) == 2  # each side on its own
    only_tokenism = contested(graph, "tokenism")
    assert only_tokenism and all(any("tokenism" in c.themes for s in g.sides for c in s.claims) for g in only_tokenism)


def test_claims_filters(graph: Project) -> None:
    assert [c.id for c in claims(graph, reported_in="akerblom2021", theme="tokenism")] == [
        "hammer-alibi",
        "kilpatrick-symbolic",
    ]
    assert [c.id for c in claims(graph, source="hammer2020")] == ["hammer-alibi"]
    with pytest.raises(NotFoundError, match="did you mean 'hammer2020'"):
        claims(graph, source="hamer2020")


def test_theme_tree_counts(graph: Project) -> None:
    rows = {r.id: r for r in themes(graph)}
    assert rows["user-participation"].claims_with_narrower == 3
    assert rows["tokenism"].depth == 1 and rows["tokenism"].broader == "user-participation"


def test_reading_list_takes_both_sides_and_gives_reasons(graph: Project) -> None:
    result = reading_list(graph, ["user-participation"], limit=3)
    keys = [i.key for i in result.items]
    assert {"hammer2020", "akerblom2021"} <= set(keys)  # both sides of the dispute on the theme
    assert all(i.reason for i in result.items)
    assert [i.position for i in result.items] == list(range(1, len(keys) + 1))


@pytest.mark.parametrize(
    "evil",
    [
        pytest.param('boundary-setting" } ; DROP ALL ; #', id="drop"),
        pytest.param("} UNION { ?s ?p ?o }", id="union"),
        pytest.param("'\"{}<>\\\\", id="quotes-and-braces"),
    ],
)
def test_injection_attempts_are_ordinary_not_found_errors(graph: Project, evil: str) -> None:
    with pytest.raises(NotFoundError):
        sources(graph, evil)
    with pytest.raises(NotFoundError):
        claims(graph, source=evil)
    assert sources(graph, "boundary-setting").works  # the store is intact


def test_cli_injection_and_read_only_query(make_project: MakeProject) -> None:
    root = make_project(FILES)
    runner = CliRunner()
    result = runner.invoke(main, ["claims", "-p", str(root), "--source", 'x" } ; DROP ALL ; #'])
    assert result.exit_code == 1 and "no work with the key" in result.stderr
    result = runner.invoke(main, ["query", "-p", str(root), "DROP ALL"])
    assert result.exit_code == 1 and "not valid SPARQL" in result.stderr
    result = runner.invoke(
        main, ["query", "-p", str(root), "SELECT (COUNT(*) AS ?n) WHERE { ?c a lg:Claim }", "-f", "json"]
    )
    assert json.loads(result.stdout)["rows"] == [{"n": "5"}]
    # the store's index (named graphs beside the graph) is not part of the graph a query sees
    for hidden in ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT * WHERE { ?s lg:row ?o }"):
        result = runner.invoke(main, ["query", "-p", str(root), hidden, "-f", "json"])
        assert result.exit_code == 0 and json.loads(result.stdout)["rows"] == [], result.output


def test_stale_store_is_rebuilt_never_answered_from(make_project: MakeProject) -> None:
    root = make_project(FILES)
    project = open_project(root)
    build(project)
    assert up_to_date(project)
    claims_file = root / "bibliography" / "claims" / "c.yaml"
    time.sleep(0.01)
    claims_file.write_text(claims_file.read_text().replace("Staff saw peer roles as symbolic.", "Staff doubted it."))
    os.utime(claims_file, None)
    assert not up_to_date(project)
    runner = CliRunner()
    result = runner.invoke(main, ["claims", "-p", str(root), "--source", "kilpatrick2017", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["text"] == "Staff doubted it."


def test_bibtex_output_parses(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project(FILES)
    runner = CliRunner()
    result = runner.invoke(main, ["reading-list", "user-participation", "-p", str(root), "-f", "bibtex"])
    assert result.exit_code == 0, result.stderr
    library = bibtexparser.parse_string(result.stdout)
    assert not library.failed_blocks and {e.key for e in library.entries} >= {"hammer2020", "akerblom2021"}
    result = runner.invoke(main, ["reading-list", "user-participation", "-p", str(root), "-f", "md"])
    assert result.stdout.startswith("# Reading list: user-participation") and "*Why:*" in result.stdout


def test_table_output_fits_80_columns(make_project: MakeProject) -> None:
    root = make_project(FILES)
    runner = CliRunner()
    for args in (["sources", "tokenism"], ["contested"], ["themes"], ["claims"], ["reading-list", "tokenism"]):
        result = runner.invoke(main, [*args, "-p", str(root)])
        assert result.exit_code == 0, (args, result.stderr)
        assert max(len(line) for line in result.stdout.splitlines()) <= 80, args


def test_table_output_shows_text_as_written(make_project: MakeProject) -> None:
    """Square brackets and colons in a claim are text, not rich markup or emoji codes: "[bold]" and
    ":memo:" are shown as written, and a stray "[/i]" does not end the command."""
    claims = CLAIMS.replace(
        "text: Closeness makes it hard to keep professional boundaries.",
        "text: '[bold]Closeness[/bold] [/i] :memo: makes it hard to keep professional boundaries.'",
    )
    assert claims != CLAIMS
    root = make_project({**FILES, "bibliography/claims/c.yaml": claims})
    for args, shown in (
        (["sources", "boundary-setting"], ("[bold]Closeness[/bold]", "[/i]", ":memo:")),
        (["claims", "--source", "repper2011"], ("[bold]Closeness[/bold]", "[/i]", ":memo:")),
    ):
        result = CliRunner().invoke(main, [*args, "-p", str(root)])
        assert result.exit_code == 0, result.output
        assert all(text in result.stdout for text in shown), result.stdout


TRIANGLE = """
claims:
  - {id: a-says, source: repper2011, text: A., lang: en, themes: [trust], disputes: [b-says]}
  - {id: b-says, source: kilpatrick2017, text: B., lang: en, themes: [trust], disputes: [c-says]}
  - {id: c-says, source: bassuk2016, text: C., lang: en, themes: [trust], disputes: [a-says]}
  - {id: d-says, source: hammer2020, text: D., lang: en, themes: [tokenism], disputes: [e-says]}
  - {id: e-says, source: akerblom2021, text: E., lang: en, themes: [tokenism]}
"""


def test_disputes_that_form_an_odd_cycle_stay_one_group(make_project: MakeProject) -> None:
    """A triangle of disputes has no two sides: it is one group with all three claims; a pair has two sides."""
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/t.yaml": TRIANGLE})
    project = open_project(root)
    build(project)
    groups = {g.id: g for g in contested(project)}
    triangle = groups["a-says+b-says+c-says"]
    assert [(s.stance, [c.id for c in s.claims]) for s in triangle.sides] == [
        ("side 1", ["a-says", "b-says", "c-says"])
    ]
    cycle = [("a-says", "b-says"), ("b-says", "c-says"), ("c-says", "a-says")]
    assert [tuple(pair) for pair in triangle.links or []] == cycle
    pair = groups["d-says+e-says"]
    assert [[c.id for c in s.claims] for s in pair.sides] == [["d-says"], ["e-says"]]


def test_a_state_of_an_older_format_is_rebuilt_not_read(make_project: MakeProject, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from litgraph.plumbing import statedb

    project = open_project(make_project(FILES))
    build(project)
    assert up_to_date(project)
    monkeypatch.setattr(statedb, "STATE_VERSION", statedb.STATE_VERSION + 1)
    assert not up_to_date(project)  # the next query builds first
    assert [c.id for c in claims(project, source="hammer2020")] == ["hammer-alibi"]
    assert up_to_date(project)


def test_a_query_on_a_fresh_store_loads_no_parser(make_project: MakeProject) -> None:
    """Answering from the store needs neither the BibTeX nor the YAML parser nor the extractor: a query
    command does not import them (a tenth of a second of each new process)."""
    import subprocess
    import sys

    root = make_project(FILES)
    build(open_project(root))
    script = (
        "import sys, contextlib, io\n"
        "from litgraph.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['contested', '-p', {str(root)!r}], standalone_mode=False)\n"
        "print(' '.join(sorted(m for m in ('bibtexparser', 'yaml', 'jinja2', 'litgraph.gather.extract.extraction',"
        " 'litgraph.pipeline', 'litgraph.s1_read.bibtex') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", done.stdout
