"""Themes without Turtle: ontology/themes.yaml, compiled to the same SKOS as themes.ttl, checked line by
line; `languages` in litgraph.toml; `litgraph init --themes`; `litgraph themes add`."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import graph_diff, isomorphic

from litgraph import build, open_project
from litgraph.cli import themes as themes_cli
from litgraph.cli.main import main
from litgraph.errors import ProjectError
from litgraph.gather.themes_file import add_theme, yaml_of_turtle
from litgraph.s1_read.ontology import PARSE_BASE, read_themes
from litgraph.s1_read.themes_yaml import compile_themes_yaml, read_themes_yaml

from .conftest import REPO, MakeProject, dedent
from .test_rebuilds import FILES, _edit, same_as_from_nothing

BUNDLED = REPO / "ontology" / "themes.ttl"


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _problems(text: str, languages: tuple[str, ...] = ("nb", "en")) -> list[str]:
    return [str(p) for p in compile_themes_yaml("themes.yaml", dedent(text), languages)[2]]


def test_the_bundled_scheme_as_yaml_compiles_to_an_isomorphic_skos_graph() -> None:
    data = BUNDLED.read_bytes()
    text = yaml_of_turtle(BUNDLED, data)
    triples, _, problems = compile_themes_yaml("themes.yaml", text, ("nb", "en"))
    assert problems == []
    turtle = rdflib.Graph().parse(data=data, format="turtle", publicID=PARSE_BASE)
    compiled = rdflib.Graph().parse(
        data="".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples), format="nt"
    )
    _, only_turtle, only_yaml = graph_diff(turtle, compiled)
    assert isomorphic(turtle, compiled), (sorted(only_turtle)[:5], sorted(only_yaml)[:5])
    assert len(turtle) > 500  # (the whole scheme: 40 themes with labels, synonyms, definitions)
    # and the themes the build reads from each are the same, but for the lines they stand on
    from_turtle = read_themes(BUNDLED, data).themes
    from_yaml = read_themes_yaml("themes.yaml", text.encode(), text, ("nb", "en")).themes
    strip = lambda themes: {k: {**vars(t), "line": None} for k, t in themes.items()}  # noqa: E731
    assert strip(from_turtle) == strip(from_yaml) and len(from_yaml) == 40
    assert from_yaml["boundary-setting"].line == text[: text.index("- id: boundary-setting")].count("\n") + 1


THEMES = """
# my themes (a comment that must survive an edit)
themes:
  - id: caregiving
    label: {en: Caregiving, nb: Omsorg}
  - id: respite
    label: {en: Respite care}
    broader: [caregivin]
  - id: caregiving
    label: {en: Again}
  - id: a
    label: {en: A, nb: A}
    broader: [b]
    colour: red
  - id: b
    label: {en: B, nb: B}
    broader: [a]
  - id: Bad Id
    label: Caregiving
"""


@pytest.mark.parametrize(
    ("expected"),
    [
        pytest.param("themes.yaml:6: error: theme 'respite' has no label in 'nb' (add nb: ... under label", id="missing-nb"),
        pytest.param("themes.yaml:7: error: theme 'respite': broader 'caregivin' is not a theme of this file (did you mean 'caregiving'?)", id="unknown-broader"),
        pytest.param("themes.yaml:8: error: theme id 'caregiving' is also used at line 3", id="duplicate-id"),
        pytest.param("themes.yaml:12: error: theme 'a' is its own broader theme", id="cycle-a"),
        pytest.param("themes.yaml:16: error: theme 'b' is its own broader theme", id="cycle-b"),
        pytest.param("themes.yaml:13: error: unknown key 'colour'", id="unknown-key"),
        pytest.param("themes.yaml:18: error: 'label' must map languages to text (write label: {en: ..., nb: ...})", id="label-not-a-mapping"),
        pytest.param("themes.yaml:17: error: theme id 'Bad Id' must be a-z, 0-9 and '-' (for example id: bad-id)", id="bad-id"),
    ],
)  # fmt: skip
def test_every_problem_of_a_themes_file_with_its_line(expected: str) -> None:
    problems = _problems(THEMES)
    assert any(p.startswith(expected) for p in problems), problems


def test_nb_labels_are_optional_when_the_project_says_so() -> None:
    assert [p for p in _problems(THEMES, ("en",)) if "no label" in p] == [
        "themes.yaml:18: error: theme 'Bad Id' has no label in 'en' (add en: ... under label (or leave 'en' out of languages in litgraph.toml))"
    ]  # (its label is not a mapping of languages)
    assert any("theme 'respite' has no label in 'nb'" in p for p in _problems(THEMES, ("nb", "en")))


def test_yaml_is_read_safely() -> None:
    problems = _problems("themes:\n  - id: x\n    label: !!python/object/apply:os.system [echo hi]\n")
    assert any("themes.yaml:3" in p and "refused" in p for p in problems), problems


def test_a_project_with_three_english_themes_in_yaml_builds_and_answers_sources(tmp_path: Path) -> None:
    """Done when: a new project with its own three themes, English labels only, builds and answers."""
    root = tmp_path / "carers"
    code, output = _run("init", str(root), "--themes", "empty")
    assert (
        code == 0 and (root / "ontology" / "themes.yaml").exists() and not (root / "ontology" / "themes.ttl").exists()
    )
    (root / "litgraph.toml").write_text('[project]\ntitle = "Carers"\nlanguages = ["en"]\n', encoding="utf-8")
    assert _run("themes", "add", "caregiving", "--en", "Caregiving", "-p", str(root)) == (
        0, "added theme 'caregiving' to ontology/themes.yaml\n")  # fmt: skip
    assert _run("themes", "add", "respite", "--en", "Respite care", "--broader", "caregiving", "-p", str(root))[0] == 0
    assert _run("themes", "add", "burden", "--en", "Carer burden", "-p", str(root))[0] == 0
    (root / "bibliography" / "claims" / "mine.yaml").write_text(dedent("""
        claims:
          - id: repper-breaks
            source: repper2011
            locator: "p. 400"
            text: Short breaks from caring lighten the load.
            lang: en
            themes: [respite care, burden]
        """), encoding="utf-8")  # fmt: skip
    code, output = _run("build", "-q", "-p", str(root))
    assert code == 0, output
    assert "3 themes" in output
    code, output = _run("sources", "caregiving", "-p", str(root), "--format", "json")
    import json

    found = json.loads(output)
    assert code == 0 and found["themes"] == ["caregiving", "respite"]
    assert [w["key"] for w in found["works"]] == ["repper2011"]
    assert found["works"][0]["claims"][0]["text"] == "Short breaks from caring lighten the load."
    code, output = _run("themes", "-p", str(root), "--format", "json")
    assert [t["id"] for t in json.loads(output)] == ["burden", "caregiving", "respite"]


def test_without_languages_an_english_only_theme_is_an_error_with_its_line(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _run("init", str(root), "--themes", "empty")
    (root / "ontology" / "themes.yaml").write_text("themes:\n  - id: caregiving\n    label: {en: Caregiving}\n")
    code, output = _run("validate", "-p", str(root))
    assert code == 1 and "ontology/themes.yaml:3: error: theme 'caregiving' has no label in 'nb'" in output


def test_languages_must_be_a_list_of_tags(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _run("init", str(root), "--themes", "empty")
    (root / "litgraph.toml").write_text('[project]\nlanguages = "en"\n', encoding="utf-8")
    code, output = _run("validate", "-p", str(root))
    assert code == 1 and "languages must be a list of language tags" in output and "Traceback" not in output


def test_themes_add_keeps_comments_and_order_and_refuses_what_would_break(make_project: MakeProject) -> None:
    root = make_project(
        {"ontology/themes.yaml": "# mine, keep me\nthemes:\n  - id: b  # second letter\n    label: {nb: B, en: B}\n"}
    )
    (root / "ontology" / "themes.ttl").unlink()
    project = open_project(root)
    add_theme(project, "a", {"nb": "A", "en": "A"}, ["b"])
    text = (root / "ontology" / "themes.yaml").read_text(encoding="utf-8")
    assert text.startswith("# mine, keep me\nthemes:\n  - id: b  # second letter\n")
    assert text.index("id: b") < text.index("id: a") and "broader: [b]" in text
    before = text
    with pytest.raises(ProjectError, match=r"theme 'a' is already in ontology/themes.yaml:5"):
        add_theme(project, "a", {"nb": "A", "en": "A"}, [])
    with pytest.raises(
        ProjectError, match=r"--broader 'bb' is not a theme of ontology/themes.yaml; did you mean 'b'\?"
    ):
        add_theme(project, "c", {"nb": "C", "en": "C"}, ["bb"])
    with pytest.raises(ProjectError, match=r"needs a label in nb .*add --nb LABEL"):
        add_theme(project, "c", {"en": "C"}, [])
    with pytest.raises(ProjectError, match=r"the en label 'b' already names theme 'b'"):
        add_theme(project, "c", {"nb": "C", "en": "b"}, [])
    assert (root / "ontology" / "themes.yaml").read_text(encoding="utf-8") == before
    code, output = _run("themes", "add", "Bad Id", "--en", "x", "--nb", "y", "-p", str(root))
    assert code == 1 and "may hold only a-z, 0-9 and '-' (for example 'bad-id')" in output


def test_themes_add_on_a_turtle_scheme_gives_the_turtle_to_paste_and_writes_nothing(make_project: MakeProject) -> None:
    root = make_project()
    turtle = (root / "ontology" / "themes.ttl").read_bytes()
    code, output = _run("themes", "add", "caregiving", "--en", "Caregiving", "--nb", "Omsorg", "-p", str(root))
    assert code == 1 and "ontology/themes.ttl (Turtle), which litgraph does not rewrite" in output
    assert "<theme/caregiving> a skos:Concept ;" in output and '"Omsorg"@nb , "Caregiving"@en' in output
    assert (root / "ontology" / "themes.ttl").read_bytes() == turtle and not (
        root / "ontology" / "themes.yaml"
    ).exists()


def test_themes_add_where_the_project_uses_the_bundled_scheme_makes_themes_yaml(make_project: MakeProject) -> None:
    root = make_project()
    (root / "ontology" / "themes.ttl").unlink()  # (the packaged scheme is then read)
    code, output = _run("themes", "add", "caregiving", "--en", "Caregiving", "--nb", "Omsorg", "-p", str(root))
    assert code == 0 and "made from the bundled theme scheme" in output
    themes = read_themes_yaml("t", b"", (root / "ontology" / "themes.yaml").read_text(), ("nb", "en")).themes
    assert len(themes) == 41 and themes["caregiving"].labels == {"nb": "Omsorg", "en": "Caregiving"}


def test_init_asks_at_a_terminal_and_says_what_it_chose_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _run("init", str(tmp_path / "quiet"))
    assert code == 0 and "themes: peer-support (the bundled scheme" in output
    assert "id: boundary-setting" in (tmp_path / "quiet" / "ontology" / "themes.yaml").read_text(encoding="utf-8")
    monkeypatch.setattr(themes_cli, "_at_a_terminal", lambda: True)
    code, output = _run("init", str(tmp_path / "asked"), input="empty\n")
    assert code == 0 and "Start from the bundled peer-support theme scheme" in output
    assert "themes: []" in (tmp_path / "asked" / "ontology" / "themes.yaml").read_text(encoding="utf-8")
    assert _run("validate", "-p", str(tmp_path / "asked"))[0] == 0


def test_the_claims_file_init_writes_shows_every_field(tmp_path: Path) -> None:
    from litgraph.s1_read.claims import CLAIM_KEYS, read_claims_text

    _run("init", str(tmp_path / "p"), "--themes", "peer-support")
    text = (tmp_path / "p" / "bibliography" / "claims" / "example.yaml").read_text(encoding="utf-8")
    for key in CLAIM_KEYS:
        assert f"#    {key}: " in text or f"#    # {key}: " in text or f"#  - {key}: " in text, key
    # the commented example, uncommented, is a claim with every field, read without a problem of its own
    example = [
        line[2:] for line in text.splitlines() if line.startswith(("#  - ", "#    ")) and "# text: {" not in line
    ]
    claims, problems = read_claims_text(Path("c.yaml"), "claims:\n" + "\n".join(example) + "\n")
    assert [
        p.message for p in problems if "'quote'" not in p.message
    ] == []  # (quote: the field of issue 24's other half)
    assert claims[0].stance == "against" and claims[0].reported_in == "seed2020" and claims[0].note


def test_themes_yaml_edits_rebuild_to_what_a_build_from_nothing_writes(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project(FILES)
    yaml_path, turtle_path = root / "ontology" / "themes.yaml", root / "ontology" / "themes.ttl"
    yaml_path.write_text(yaml_of_turtle(turtle_path, turtle_path.read_bytes()), encoding="utf-8")
    build(open_project(root))
    edits = {
        "label": lambda: _edit(yaml_path, "{nb: Grensesetting,", "{nb: Grensesetjing,"),
        "theme added": lambda: add_theme(open_project(root), "caregiving", {"nb": "Omsorg", "en": "Caregiving"}, ["relationship"]),
        "broader": lambda: _edit(yaml_path, "broader: [relationship]\n", "broader: [services]\n"),
        "synonym": lambda: _edit(yaml_path, "en: [boundaries", "en: [limits, boundaries"),
        "English only": lambda: (
            _edit(root / "litgraph.toml", 'languages = ["nb", "en"]', 'languages = ["en"]'),
            add_theme(open_project(root), "respite", {"en": "Respite care"}, ["caregiving"]),
        ),
        "back to Turtle": yaml_path.unlink,
        "Turtle to YAML": lambda: yaml_path.write_text(yaml_of_turtle(turtle_path, turtle_path.read_bytes()), encoding="utf-8"),
    }  # fmt: skip
    for name, edit in edits.items():
        edit()
        try:
            same_as_from_nothing(root, tmp_path)
        except AssertionError as exc:
            raise AssertionError(f"after the edit '{name}': {exc}") from None
    summary = build(open_project(root))
    assert [str(w) for w in summary.warnings if "themes.ttl" in str(w)] == [
        "ontology/themes.ttl: warning: not read: ontology/themes.yaml holds the theme scheme (remove one of the two (themes.yaml wins while both are there))"
    ]


def test_docs_claims_names_every_field_and_every_evidence_type() -> None:
    from litgraph.s1_read.claims import CLAIM_KEYS
    from litgraph.s1_read.ontology import read_ontology

    doc = (REPO / "docs" / "claims.md").read_text(encoding="utf-8")
    for key in CLAIM_KEYS:
        assert f"| `{key}` |" in doc, key
    evidence = read_ontology(BUNDLED, REPO / "ontology" / "litgraph.ttl").evidence_types
    for notation, label in evidence.items():
        assert f"| `{notation}` | {label} |" in doc, notation


def test_themes_add_refuses_a_file_it_cannot_read_or_one_outside_the_project(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project({"ontology/themes.yaml": "themes:\n  - id: a\n    label: {nb: A, en: A\n"})
    broken = (root / "ontology" / "themes.yaml").read_bytes()
    code, output = _run("themes", "add", "b", "--en", "B", "--nb", "B", "-p", str(root))
    assert code == 1 and "ontology/themes.yaml:" in output and "not valid YAML" in output and "Traceback" not in output
    assert (root / "ontology" / "themes.yaml").read_bytes() == broken
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("themes: []\n", encoding="utf-8")
    (root / "ontology" / "themes.yaml").unlink()
    (root / "ontology" / "themes.yaml").symlink_to(outside)
    code, output = _run("themes", "add", "b", "--en", "B", "--nb", "B", "-p", str(root))
    assert code == 1 and "leads out of the project" in output and outside.read_text() == "themes: []\n"
