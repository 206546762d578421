"""Every listing is complete, or cut where the user said, with the cut said on stderr; an empty answer in JSON
is an empty list (exit 0); an unknown theme or key is an error (exit 1)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from litgraph.cli.main import main


def _run(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def root(bundled) -> str:  # type: ignore[no-untyped-def]
    return str(bundled[0])


def test_sources_in_every_format_are_all_the_works_unless_cut(root: str) -> None:
    whole = json.loads(_run("sources", "services", "-p", root, "-f", "json").stdout)
    total = whole["total_works"]
    assert total > 50 and len(whole["works"]) == total  # (more than a table shows, all of them here)
    keys = {w["key"] for w in whole["works"]}
    bib = _run("sources", "services", "-p", root, "-f", "bibtex")
    assert set(re.findall(r"^@\w+\{([^,]+),", bib.stdout, re.M)) == keys and bib.stderr == ""
    csv = _run("sources", "services", "-p", root, "-f", "csv")
    assert {line.split(",")[0] for line in csv.stdout.splitlines()[1:]} == keys
    md = _run("sources", "services", "-p", root, "-f", "md").stdout
    rows = md.count("\n|") - 1  # (the header, its rule, and a row per claim)
    assert sum(len(w["claims"]) for w in whole["works"]) == rows
    cut = _run("sources", "services", "-p", root, "-f", "bibtex", "--limit", "5")
    assert len(re.findall(r"^@", cut.stdout, re.M)) == 5
    assert f"{total - 5} more works (cut at 5" in cut.stderr
    table = _run("sources", "services", "-p", root)
    assert f"{total - 50} more works (cut at 50" in table.stderr


def test_contested_is_complete_unless_cut(root: str) -> None:
    groups = json.loads(_run("contested", "-p", root, "-f", "json").stdout)
    assert len(groups) > 2
    cut = _run("contested", "-p", root, "-f", "json", "--limit", "2")
    assert [g["id"] for g in json.loads(cut.stdout)] == [g["id"] for g in groups[:2]]
    assert "cut at 2" in cut.stderr
    assert "cut at" not in _run("contested", "-p", root, "-f", "json").stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["contested", "--theme", "cost-effectiveness"], id="contested"),
        pytest.param(["claims", "--source", "aarre2010", "--theme", "tokenism"], id="claims"),
        pytest.param(["query", "SELECT ?s WHERE { ?s a <urn:nothing> }"], id="query"),
    ],
)
def test_an_empty_answer_in_json_is_an_empty_list_and_exit_0(root: str, args: list[str]) -> None:
    result = _run(*args, "-p", root, "-f", "json")
    found = json.loads(result.stdout)
    assert found == [] or found.get("rows") == [] or found.get("results", {}).get("bindings") == []


def test_an_empty_listing_of_a_known_theme_is_empty_and_an_unknown_theme_an_error(root: str) -> None:
    found = json.loads(_run("sources", "cost-effectiveness", "--exact", "-p", root, "-f", "json").stdout)
    assert found["works"] and found["theme"] == "cost-effectiveness"
    _run("sources", "no-such-theme", "-p", root, "-f", "json", code=1)
    _run("claims", "--source", "nosuch", "-p", root, "-f", "json", code=1)
