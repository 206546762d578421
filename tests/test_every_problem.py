"""`litgraph validate` reports every problem of a claims file in one run: a missing field hides none of the
others (a claim missing `lang` still has its duplicate id, its unknown theme and its lone `stance` found),
each with file:line, what is wrong and the nearest valid value; theme hints come from labels in either
language, not only from ids."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from litgraph.cli.main import main
from litgraph.model import Theme
from litgraph.s1_read.theme_names import ThemeLookup

from .conftest import MakeProject

BIB = """
@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review}, year = {2011}}
@article{kilpatrick2017, author = {Kilpatrick, Emma}, title = {Tokenistic or genuinely effective?}, year = {2017}}
"""
QUESTIONS = """
questions:
  - id: peer-role-symbolic
    text: {en: Are peer roles mostly symbolic?}
    themes: [tokenism]
"""
# Each claim has several problems that interact; line numbers are those of this file as written.
CLAIMS = """
claims:
  - id: shared-id
    source: repper2011
    text: A claim with no lang, whose id is used again below.
    themes: [grense setjing]
    stance: against
  - id: shared-id
    source: kilpatrik2017
    text: A second claim with the same id, and an unknown source.
    lang: en
    themes: [boundary-setting]
    question: peer-role-symbolc
    stance: maybe
  - id: Third Claim
    source: repper2011
    text: A claim with an id of the wrong form, an unknown evidence type and a misspelt key.
    lang: english
    themes: [tokenism, brukarmedverknad]
    evidense: litterature-review
  - source: repper2011
    lang: en
    themes: [tokenism, brukar-medverknad]
  - id: too-many
    source: repper2011
    text: Six themes.
    lang: en
    themes: [boundary-setting, tokenism, trust, stigma, role-clarity, likepersonsarbeid]
"""
EXPECTED = [
    ("c.yaml:2:", "claim 'shared-id' has no 'lang'", "add lang: en"),
    ("c.yaml:5:", "unknown theme 'grense setjing'", "did you mean 'boundary-setting' (Grensesetting)?"),
    ("c.yaml:6:", "'stance' without 'question'", "add question: ..."),
    ("c.yaml:7:", "claim id 'shared-id' is also used at bibliography/claims/c.yaml:2", "give each claim its own id"),
    ("c.yaml:8:", "unknown BibTeX key 'kilpatrik2017' in 'source'", "did you mean 'kilpatrick2017'?"),
    ("c.yaml:12:", "unknown question 'peer-role-symbolc'", "did you mean 'peer-role-symbolic'?"),
    ("c.yaml:13:", "stance 'maybe' is not one of for, against, qualifies", "stance: for | against | qualifies"),
    ("c.yaml:14:", "id 'Third Claim' may hold only a-z, 0-9 and '-'", "for example 'third-claim'"),
    ("c.yaml:17:", "lang 'english' is not a BCP 47 tag", "for example en or nb"),
    ("c.yaml:19:", "unknown key 'evidense'", "did you mean 'evidence'?"),
    ("c.yaml:20:", "missing 'id'", "add id:"),
    ("c.yaml:20:", "claim ? has no 'text'", "add text:"),
    ("c.yaml:18:", "unknown theme 'brukarmedverknad'", "'user-participation' (Brukermedvirkning)"),
    ("c.yaml:22:", "claim with no id (line 20): unknown theme 'brukar-medverknad'", "'user-participation'"),
    ("c.yaml:27:", "claim 'too-many': has 6 themes", "give 1 to 5 themes"),
]


def _validate(root: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", "--project", str(root), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output  # (stdout and stderr, as a terminal shows them)


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "bibliography/claims/c.yaml:" in line]


def _project(make_project: MakeProject) -> Path:
    return make_project(
        {"bibliography/refs.bib": BIB, "bibliography/questions.yaml": QUESTIONS, "bibliography/claims/c.yaml": CLAIMS}
    )


def test_every_problem_of_a_claims_file_in_one_run(make_project: MakeProject) -> None:
    root = _project(make_project)
    code, output = _validate(root)
    assert code == 1
    assert "Traceback" not in output
    lines = _lines(output)
    for where, what, hint in EXPECTED:
        assert any(where in line and what in line and hint in line for line in lines), (where, what, hint, lines)
    # the themes named on the wrong claims are still resolved: no problem for 'tokenism' or 'boundary-setting'
    assert not any("'tokenism'" in line or "unknown theme 'boundary-setting'" in line for line in lines)
    assert f"{len(lines)} problems found" in output, output


def test_every_problem_found_again_when_one_item_is_edited(make_project: MakeProject) -> None:
    """A rebuild reads again only the item that changed: the others' problems are kept, not lost."""
    root = _project(make_project)
    first = _lines(_validate(root)[1])
    path = root / "bibliography" / "claims" / "c.yaml"
    path.write_text(path.read_text().replace("Six themes.", "Six themes, still."), encoding="utf-8")
    code, output = _validate(root)
    assert code == 1 and _lines(output) == first


def test_json_listing_has_every_problem_with_line_and_hint(make_project: MakeProject) -> None:
    import json

    code, output = _validate(_project(make_project), "--format", "json")
    rows = [r for r in json.loads(output[: output.rindex("]") + 1]) if r["file"] == "bibliography/claims/c.yaml"]
    assert code == 1
    assert {(r["line"], r["message"].split(":")[-1].strip()) for r in rows} >= {(2, "claim 'shared-id' has no 'lang'")}
    assert all(r["line"] and r["hint"] for r in rows), rows
    assert len(rows) == len(EXPECTED)


def test_theme_hints_come_from_labels_in_either_language() -> None:
    themes = {
        "boundary-setting": Theme("boundary-setting", {"nb": "Grensesetting", "en": "Boundary setting"}),
        "loyalty-dilemma": Theme(
            "loyalty-dilemma", {"nb": "Lojalitetsdilemma", "en": "Loyalty dilemma"}, {"nb": ["lojalitetskonflikt"]}
        ),
        "tokenism": Theme("tokenism", {"en": "Tokenism"}, {"en": ["alibi participation"]}),
    }
    lookup = ThemeLookup(themes)
    assert lookup.hint("grense-setjing") == "did you mean 'boundary-setting' (Grensesetting)?"
    assert lookup.hint("lojalitetskonflikter") == "did you mean 'loyalty-dilemma' (lojalitetskonflikt)?"
    assert lookup.hint("boundry setting") == "did you mean 'boundary-setting'?"
    assert lookup.hint("alibi-participasjon") == "did you mean 'tokenism' (alibi participation)?"
    assert lookup.hint("tokenismm") == "did you mean 'tokenism'?"
    assert lookup.hint("qqqq") == "no theme is close; see `litgraph themes`"
