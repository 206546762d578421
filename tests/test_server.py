"""`litgraph push` and `--endpoint`, against real SPARQL engines (Oxigraph server, Apache Jena Fuseki)
started on loopback ports: the bundled dataset pushed, every question answered by the server as by the
local store (the same JSON, byte for byte), only what changed sent again, what is gone deleted, and the
failures a user meets (wrong password, no server, an HTML page, an answer cut short, a busy server, the
server stopped half-way through a push) each one clear line, exit 1, and repaired by the next push."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result

from litgraph import build, open_project
from litgraph.cli.main import main
from litgraph.s5_store.remote import Server
from tests.conftest import REPO
from tests.sparql_servers import FUSEKI_JAR, Engine, Proxy, free_port

QUESTIONS = [
    ["sources", "boundary-setting"],
    ["sources", "grensesetting", "--exact", "--lang", "nb"],
    ["contested"],
    ["contested", "--theme", "role-clarity"],
    ["reading-list", "boundary-setting", "user-participation", "--max", "8"],
    ["claims", "--source", "repper2011"],
    ["claims", "--theme", "boundary-setting", "--exact"],
    ["themes"],
    ["query", "SELECT ?c ?text WHERE { ?c a lg:Claim ; lg:statement ?text } ORDER BY ?c ?text LIMIT 50"],
    ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
    ["query", "ASK { ?w a bibo:Book }"],
]


@pytest.fixture(autouse=True)
def _no_server_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LITGRAPH_ENDPOINT", "LITGRAPH_USER", "LITGRAPH_PASSWORD", "LITGRAPH_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module", params=["oxigraph", "fuseki"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "fuseki" and not (shutil.which("java") and FUSEKI_JAR.is_file()):
        pytest.skip(f"Apache Jena Fuseki: no jar at {FUSEKI_JAR} (.ci/run fetches it; or set LITGRAPH_FUSEKI_JAR)")
    found = Engine(request.param, tmp_path_factory.mktemp(request.param))
    found.start()
    yield found
    found.stop()


@pytest.fixture(scope="module")
def project(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled dataset, built, for this engine's tests (they change it)."""
    root = tmp_path_factory.mktemp(f"project-{engine.name}") / "project"
    root.mkdir()
    for name in ("bibliography", "ontology"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "litgraph.toml", root / "litgraph.toml")
    build(open_project(root))
    return root


def cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def pushed(project: Path, url: str, *more: str) -> dict[str, object]:
    result = cli("push", "-p", project, "--endpoint", url, "-f", "json", *more)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def same_answers(project: Path, url: str, questions: list[list[str]] = QUESTIONS) -> None:
    for question in questions:
        local = cli(*question, "-p", project, "-f", "json")
        remote = cli(*question, "-p", project, "-f", "json", "--endpoint", url)
        assert local.exit_code == 0 and remote.exit_code == 0, (question, local.stderr, remote.stderr)
        assert remote.stdout == local.stdout, question
        assert remote.stdout not in ("[]\n", "") and '"rows": []' not in remote.stdout, question  # an answer


def local_graphs(project: Path) -> int:
    from litgraph.ask import fresh
    from litgraph.s5_store.write import read_manifest

    with fresh(open_project(project)) as found:
        return len(read_manifest(found.reader.store, found.reader.base)[0])  # type: ignore[arg-type]


def server_graphs(url: str) -> list[str]:
    from litgraph.s5_store.remote_store import RemoteStore

    return RemoteStore(Server(url), "https://w3id.org/litgraph/peer-support/").graphs()


def test_push_then_the_same_answers(engine: Engine, project: Path) -> None:
    report = pushed(project, engine.url)
    total = local_graphs(project)
    assert len(report["sent"]) == total and report["deleted"] == [] and report["unchanged"] == 0  # type: ignore[arg-type]
    assert any("/graph/claims/bibliography/claims/seed001.yaml/" in iri for iri in report["sent"])  # type: ignore[union-attr]
    same_answers(project, engine.url)
    construct = ["query", "CONSTRUCT { ?q ?p ?o } WHERE { ?q a lg:Question ; ?p ?o }", "-p", project, "-f", "json"]
    triples = [sorted(json.loads(cli(*construct, *e).stdout)["triples"]) for e in ((), ("--endpoint", engine.url))]
    assert triples[0] == triples[1] and len(triples[0]) > 8  # (a graph's triples come in no set order)
    sources = json.loads(
        cli("sources", "boundary-setting", "-p", project, "-f", "json", "--endpoint", engine.url).stdout
    )
    assert "repper2011" in [w["key"] for w in sources["works"]]  # Repper & Carter 2011 is among the sources
    table = [cli("contested", "-p", project, *e).stdout for e in ((), ("--endpoint", engine.url))]
    assert table[0] == table[1] and "Disputed claims" in table[0]
    again = pushed(project, engine.url)
    assert again["sent"] == [] and again["unchanged"] == total


def test_read_only_and_the_graph_only(engine: Engine, project: Path) -> None:
    pushed(project, engine.url)
    result = cli("query", "-p", project, "--endpoint", engine.url, "DROP ALL")
    assert result.exit_code == 1 and "not valid SPARQL" in result.stderr
    for hidden in ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT * WHERE { ?s lg:row ?o }"):
        result = cli("query", "-p", project, "--endpoint", engine.url, hidden, "-f", "json")
        assert result.exit_code == 0 and json.loads(result.stdout)["rows"] == [], result.output
    evil = 'x" } ; DROP ALL ; #'
    result = cli("claims", "-p", project, "--endpoint", engine.url, "--source", evil)
    assert result.exit_code == 1 and "no work with the key" in result.stderr
    same_answers(project, engine.url, [["themes"]])  # the server's graph is intact


def test_a_claims_edit_sends_only_its_unit(engine: Engine, project: Path) -> None:
    pushed(project, engine.url)
    claims = project / "bibliography" / "claims" / "karlsson2017.yaml"
    old = "Service users report positive experiences of help from peer workers."
    claims.write_text(
        claims.read_text(encoding="utf-8").replace(old, "Service users say peer workers helped."), encoding="utf-8"
    )
    planned = pushed(project, engine.url, "--dry-run")
    question = ["claims", "--source", "helsedirektoratet2011"]
    before = cli(*question, "-p", project, "-f", "json", "--endpoint", engine.url).stdout
    assert old in before  # a dry run sends nothing
    report = pushed(project, engine.url)
    assert report["sent"] == planned["sent"] and report["deleted"] == []
    units = [iri for iri in report["sent"] if "/graph/index/" not in iri]  # type: ignore[union-attr]
    assert units and all("/graph/claims/bibliography/claims/karlsson2017.yaml/" in iri for iri in units), units
    assert len(report["sent"]) < local_graphs(project) / 10  # type: ignore[arg-type]
    same_answers(project, engine.url, [question, ["sources", "outcomes"], ["contested"]])
    assert (
        "Service users say peer workers helped."
        in cli(*question, "-p", project, "-f", "json", "--endpoint", engine.url).stdout
    )


def test_a_removed_bib_file_takes_its_graph(engine: Engine, project: Path) -> None:
    extra = project / "bibliography" / "extra.bib"
    extra.write_text(
        "@misc{pushtest2024,\n  author = {Tester, Ada},\n  title = {A placeholder entry of the push test},\n  year = {2024}\n}\n"
    )
    report = pushed(project, engine.url)
    added = [iri for iri in report["sent"] if "extra.bib" in iri]  # type: ignore[union-attr]
    assert added and set(added) <= set(server_graphs(engine.url))
    extra.unlink()
    report = pushed(project, engine.url)
    assert set(added) <= set(report["deleted"]) and report["sent"] != []  # type: ignore[arg-type]
    assert not [iri for iri in server_graphs(engine.url) if "extra.bib" in iri]
    for form in ("bibtex", "nt"):
        local = cli("export", "-p", project, "-f", form)
        remote = cli("export", "-p", project, "-f", form, "--endpoint", engine.url)
        assert remote.exit_code == 0, remote.stderr
        if form == "bibtex":
            assert remote.stdout == local.stdout and "pushtest2024" not in remote.stdout
        else:
            import rdflib.compare

            graphs = [rdflib.Graph().parse(data=r.stdout, format="nt") for r in (local, remote)]
            assert rdflib.compare.isomorphic(*graphs)


def test_credentials_and_what_goes_wrong(engine: Engine, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pushed(project, engine.url)
    guarded = Proxy(engine.url, "auth")
    try:
        monkeypatch.setenv("LITGRAPH_USER", "reader")
        monkeypatch.setenv("LITGRAPH_PASSWORD", "wrong-horse")
        result = cli("themes", "-p", project, "--endpoint", guarded.url)
        assert result.exit_code == 1 and "wrong-horse" not in result.output
        assert result.stderr.strip().splitlines() == [
            f"Error: the SPARQL server at {guarded.url} refused the user and password in LITGRAPH_USER/LITGRAPH_PASSWORD (401 Unauthorized)"
        ]
        monkeypatch.setenv("LITGRAPH_PASSWORD", "secret")
        same_answers(project, guarded.url, [["themes"], ["contested"]])
        monkeypatch.setenv("LITGRAPH_TOKEN", "not-the-token")
        result = cli("push", "-p", project, "--endpoint", guarded.url)
        assert (
            result.exit_code == 1
            and "refused the token in LITGRAPH_TOKEN" in result.stderr
            and "not-the-token" not in result.output
        )
    finally:
        guarded.close()
    for mode, message in (("html", "answered an HTML page"), ("cut", "ended half-way (the connection was cut)")):
        faulty = Proxy(engine.url, mode)
        try:
            result = cli("sources", "boundary-setting", "-p", project, "--endpoint", faulty.url)
            assert result.exit_code == 1 and message in result.stderr and len(result.stderr.splitlines()) == 1, (
                result.stderr
            )
        finally:
            faulty.close()
    nobody = f"http://127.0.0.1:{free_port()}"
    result = cli("push", "-p", project, "--endpoint", nobody)
    assert result.exit_code == 1 and f"cannot reach the SPARQL server at {nobody}: connection refused" in result.stderr


def test_a_busy_server_is_asked_again(engine: Engine, project: Path) -> None:
    pushed(project, engine.url)
    busy = Proxy(engine.url, "busy", busy=2)
    try:
        same_answers(project, busy.url, [["themes"]])
        assert busy.requests > 2  # the two 429 answers were retried
    finally:
        busy.close()
    patient = Proxy(engine.url, "busy", busy=1000, retry_after=3600)
    try:
        result = cli("themes", "-p", project, "--endpoint", patient.url)
        assert result.exit_code == 1 and result.stderr.strip().splitlines() == [
            "Error: the server is busy and asks to wait 3600 s (Retry-After); try again later"
        ]
        assert patient.requests == 1  # not asked again for an hour
    finally:
        patient.close()


def test_a_push_stopped_half_way_is_finished_by_the_next(
    engine: Engine, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = Server(engine.url)
    requests.post(server.endpoints().update, data={"update": "DROP ALL"}, timeout=30).raise_for_status()
    monkeypatch.setattr("litgraph.s5_store.push.BATCH_BYTES", 200_000)  # (bulk loads: several requests)
    real, writes = Server.request, []

    def write_then_stop(self: Server, method: str, url: str, **kwargs: object) -> requests.Response:
        if method in ("PUT", "POST") and self._endpoints is not None and url == self._endpoints.store:
            writes.append(url)
            if len(writes) == 5:
                engine.stop()  # the server goes away in the middle of the push
        return real(self, method, url, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Server, "request", write_then_stop)
    result = cli("push", "-p", project, "--endpoint", engine.url, "--quiet")
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot reach the SPARQL server" in result.stderr and "push again to send the rest" in result.stderr
    monkeypatch.setattr(Server, "request", real)
    engine.start()
    report = pushed(project, engine.url)
    assert report["sent"] != []
    same_answers(project, engine.url)
    assert pushed(project, engine.url)["sent"] == []


def test_the_readme_sample_query_answers(engine: Engine, project: Path) -> None:
    """The README's "query it with any SPARQL client" example, as written, on the pushed graph."""
    pushed(project, engine.url)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Sharing a graph with a team") :]
    query = section[section.index("--data-urlencode 'query=") + len("--data-urlencode 'query=") :]
    query = query[: query.index("'\n```")]
    answer = requests.post(
        Server(engine.url).endpoints().query, data={"query": query}, headers={"Accept": "text/csv"}, timeout=30
    )
    lines = answer.text.strip().splitlines()
    assert answer.status_code == 200 and lines[0].strip() == "claim,statement" and len(lines) == 6, answer.text
    assert "/claim/" in lines[1]
