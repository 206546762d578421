"""Stage: claims and questions YAML -> Claims, and the project-wide cross-checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from litgraph import load, open_project
from litgraph.model import Problem

from .conftest import MakeProject

BIB = """
@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review}, year = {2011}}
@article{kilpatrick2017, author = {Kilpatrick, Emma and Keeney, Sinead and McCauley, Claire-Odile},
  title = {Tokenistic or genuinely effective?}, year = {2017}}
"""


def claims_file(*items: str) -> str:
    return "claims:\n" + "".join(items)


GOOD = """\
  - id: repper2011-boundaries
    source: repper2011
    text: Peer workers find it hard to keep the friend and the professional role apart.
    lang: en
    themes: [boundary-setting]
    evidence: literature-review
"""


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in load(open_project(root)).problems]


def test_good_claims_load_and_labels_resolve_to_ids(make_project: MakeProject) -> None:
    root = make_project(
        {
            "bibliography/refs.bib": BIB,
            "bibliography/claims/a.yaml": claims_file(
                GOOD,
                "  - id: k-symbolic\n    source: kilpatrick2017\n    reported_in: repper2011\n    locator: s. 20\n"
                "    text: Staff saw the roles as symbolic.\n    lang: en\n    themes: [Grensesetting, alibi]\n"
                "    disputes: [repper2011-boundaries]\n",
            ),
        }
    )
    loaded = load(open_project(root))
    assert not loaded.problems
    claim = loaded.data.claims["k-symbolic"]
    assert claim.themes == ["boundary-setting", "tokenism"]
    assert claim.disputes == ["repper2011-boundaries"] and claim.locator == "s. 20"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param(
            GOOD.replace("source: repper2011", "source: reper2011"),
            ["a.yaml:3:", "reper2011", "'repper2011'"],
            id="unknown-key",
        ),
        pytest.param(
            GOOD.replace("[boundary-setting]", "[boundary-seting]"),
            ["a.yaml:6:", "'boundary-setting'"],
            id="unknown-theme",
        ),
        pytest.param(
            GOOD.replace("evidence: literature-review", "evidence: literature-reviw"),
            ["a.yaml:7:", "'literature-review'"],
            id="unknown-evidence",
        ),
        pytest.param(
            GOOD + "    disputes: [repper2011-boundary]\n",
            ["a.yaml:8:", "unknown claim", "'repper2011-boundaries'"],
            id="dangling-dispute",
        ),
        pytest.param(
            GOOD + "    supports: [repper2011-boundaries]\n", ["a.yaml:8:", "the claim itself"], id="self-reference"
        ),
        pytest.param(GOOD + "    colour: blue\n", ["a.yaml:8:", "unknown key 'colour'"], id="unknown-field"),
        pytest.param(GOOD + "    sources: x\n", ["a.yaml:8:", "did you mean 'source'"], id="misspelt-field"),
        pytest.param(
            GOOD.replace("id: repper2011-boundaries", "id: Repper_2011"),
            ["a.yaml:2:", "'repper-2011'"],
            id="bad-id-syntax",
        ),
        pytest.param(
            GOOD + "    question: nope\n    stance: for\n", ["a.yaml:8:", "unknown question"], id="unknown-question"
        ),
        pytest.param(GOOD + "    stance: maybe\n", ["a.yaml:8:", "stance 'maybe'"], id="bad-stance"),
        pytest.param(GOOD.replace("    lang: en\n", ""), ["a.yaml:2:", "has no 'lang'"], id="missing-lang"),
        pytest.param(GOOD + "    lang: en\n", ["a.yaml:8:", "appears twice"], id="duplicate-yaml-key"),
        pytest.param(
            GOOD.replace("    lang: en\n", "")
            .replace("text: ", "text:\n      en: ")
            .replace("    themes", "      xx_1: y\n    themes"),
            ["a.yaml:4:", "'xx_1' is not a BCP 47"],
            id="bad-language-in-texts",
        ),
    ],
)
def test_bad_claims_are_reported_with_file_line_and_nearest_value(
    make_project: MakeProject, item: str, expected: list[str]
) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/a.yaml": claims_file(item)})
    problems = problems_of(root)
    assert any(all(e in p for e in expected) for p in problems), problems


def test_duplicate_ids_across_files_name_both_places(make_project: MakeProject) -> None:
    root = make_project(
        {
            "bibliography/refs.bib": BIB,
            "bibliography/claims/a.yaml": claims_file(GOOD),
            "bibliography/claims/b.yaml": claims_file(GOOD),
        }
    )
    [problem] = problems_of(root)
    assert problem.startswith("bibliography/claims/b.yaml:2:") and "bibliography/claims/a.yaml:2" in problem


def test_python_object_tag_is_refused_safely(make_project: MakeProject, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = f"claims:\n  - !!python/object/apply:os.system ['touch {marker}']\n"
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/a.yaml": evil})
    problems = problems_of(root)
    assert not marker.exists()
    assert any("a.yaml:2:" in p and "refused" in p for p in problems), problems


def test_yaml_reader_keeps_lines_aliases_and_refuses_recursion(tmp_path: Path) -> None:
    from litgraph.s1_read.yamlfile import load_yaml_text

    problems: list[Problem] = []
    text = "claims:\n  - id: a\n    themes: &t [trust, 2]\n    lang: no\n\n  - id: b\n    themes: *t\n"
    document = load_yaml_text(tmp_path / "a.yaml", text, problems)
    first, second = document["claims"]
    assert not problems and first["themes"] == ["trust", "2"] and first["lang"] == "no"  # strings, untyped
    assert second["themes"] is first["themes"]  # an alias is the anchored value
    assert (first.line, first.key_lines, second.line_of("themes")) == (2, {"id": 2, "themes": 3, "lang": 4}, 7)
    assert load_yaml_text(tmp_path / "b.yaml", "a: &x [1, *x]\n", problems) is None
    assert problems and problems[0].line == 1 and "recursive" in problems[0].message
    problems.clear()
    assert load_yaml_text(tmp_path / "c.yaml", "a: 1\nb:\n  - !!python/name:os.system x\n", problems) is None
    assert problems[0].line == 3 and "refused" in problems[0].message


def test_yaml_syntax_error_gives_line(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/a.yaml": "claims:\n  - id: x\n   bad: [\n"})
    problems = problems_of(root)
    assert any("a.yaml:" in p and "not valid YAML" in p for p in problems), problems


def test_all_problems_are_reported_at_once(make_project: MakeProject) -> None:
    items = GOOD.replace("source: repper2011", "source: nobody") + GOOD.replace(
        "repper2011-boundaries", "second"
    ).replace("[boundary-setting]", "[nothing-like-it]")
    root = make_project(
        {
            "bibliography/refs.bib": BIB + "@book{notitle, year = 2000}\n",
            "bibliography/claims/a.yaml": claims_file(items),
        }
    )
    problems = problems_of(root)
    assert len(problems) == 3, problems
    assert any("notitle" in p and "no title" in p for p in problems)


def test_questions_file_is_checked(make_project: MakeProject) -> None:
    root = make_project(
        {
            "bibliography/refs.bib": BIB,
            "bibliography/questions.yaml": (
                'questions:\n  - id: q1\n    text: {en: "Is it so?"}\n    themes: [no-such-theme]\n    extra: 1\n'
            ),
        }
    )
    problems = problems_of(root)
    assert any("unknown theme 'no-such-theme'" in p for p in problems)
    assert any("questions.yaml:5:" in p and "unknown key 'extra'" in p for p in problems)


def test_a_claim_in_two_languages_loads_with_both_texts_and_a_note(make_project: MakeProject) -> None:
    item = (
        GOOD.replace("    lang: en\n", "")
        .replace(
            "    text: ",
            "    text:\n      nb: Likepersoner strever med å holde venn og fagperson fra hverandre.\n      en: ",
        )
        .replace("    themes", "    note: Seed 002 sets this against Kilpatrick 2017.\n    themes")
    )
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/a.yaml": claims_file(item)})
    loaded = load(open_project(root))
    assert not loaded.errors, loaded.problems
    claim = loaded.data.claims["repper2011-boundaries"]
    assert list(claim.texts) == ["en", "nb"] and claim.lang == "en" and claim.text.startswith("Peer workers")
    assert claim.texts["nb"].startswith("Likepersoner") and claim.note == "Seed 002 sets this against Kilpatrick 2017."


def test_a_question_text_split_by_an_unquoted_comma_is_an_input_problem(make_project: MakeProject) -> None:
    """`{en: A real, lasting difference.}` is YAML for two keys: the second is no language tag (a build once
    ended in an internal error on it)."""
    questions = (
        "questions:\n  - id: q\n    text: {en: Peers make a real, lasting difference.}\n    themes: [outcomes]\n"
    )
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/questions.yaml": questions})
    [problem] = [str(p) for p in load(open_project(root)).errors]
    assert "questions.yaml:3:" in problem and "'lasting difference.' is not a BCP 47 language tag" in problem
