"""The main commands' output, exactly: what a person sees (table, md) and what a script reads (csv, json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from litgraph.cli.main import main

BIB = """@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review of the literature on peer
  support in mental health services}, journal = {Journal of Mental Health}, volume = {20}, number = {4},
  pages = {392--411}, year = 2011, doi = {10.3109/09638237.2011.583947}}
@report{akerblom2021, author = {{\\AA}kerblom, Kristina Bakke and Hammer, Anne Eriksen}, title = {Nasjonale
  f{\\o}ringer for erfaringskonsulenter}, year = 2021}
@article{kilpatrick2017, author = {Kilpatrick, Emma and Keeney, Sinead and McCauley, Claire-Odile},
  title = {Tokenistic or genuinely effective?}, year = 2017}
"""
CLAIMS = """claims:
  - id: repper-boundaries
    source: repper2011
    reported_in: akerblom2021
    locator: s. 20
    text:
      en: Closeness makes professional boundaries hard to keep.
      nb: Nærhet gjør faglige grenser vanskelige å holde.
    themes: [boundary-setting]
    evidence: literature-review
  - id: kilpatrick-symbolic
    source: kilpatrick2017
    reported_in: akerblom2021
    text:
      en: Staff saw peer roles as symbolic.
      nb: Ansatte så på rollene som symbolske.
    themes: [tokenism, boundary-setting]
    disputes: [repper-boundaries]
    note: The report sets the one against the other.
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from litgraph import build, init_project, open_project

    root = tmp_path_factory.mktemp("output") / "project"
    init_project(root)
    (root / "bibliography" / "example.bib").write_text(BIB, encoding="utf-8")
    (root / "bibliography" / "claims" / "example.yaml").write_text(CLAIMS, encoding="utf-8")
    build(open_project(root))
    return root


def _run(project: Path, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "-p", str(project)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_sources_as_markdown(project: Path) -> None:
    assert _run(project, "sources", "boundary-setting", "-f", "md") == (
        "| Work | Claim | Read in |\n"
        "|---|---|---|\n"
        "| Kilpatrick et al. 2017 | Staff saw peer roles as symbolic. | Åkerblom & Hammer 2021 |\n"
        "| Repper & Carter 2011 | Closeness makes professional boundaries hard to keep. | Åkerblom & Hammer 2021, s. 20 |\n"
    )


def test_sources_in_norwegian_as_csv(project: Path) -> None:
    """A theme by its nb label; the claims in nb (--lang)."""
    assert _run(project, "sources", "grensesetting", "--lang", "nb", "-f", "csv") == (
        "key,year,title,claim_id,claim,where,themes\n"
        "kilpatrick2017,2017,Tokenistic or genuinely effective?,kilpatrick-symbolic,Ansatte så på rollene som symbolske.,"
        'Åkerblom & Hammer 2021,"boundary-setting, tokenism"\n'
        "repper2011,2011,A review of the literature on peer support in mental health services,repper-boundaries,"
        'Nærhet gjør faglige grenser vanskelige å holde.,"Åkerblom & Hammer 2021, s. 20",boundary-setting\n'
    )


def test_contested_as_a_table(project: Path) -> None:
    assert _run(project, "contested") == (
        "1. Disputed claims  [2 sources]\n"
        "   side 1:\n"
        "Source                  Claim                             Evidence; read in     \n"
        "Kilpatrick et al. 2017  Staff saw peer roles as           Åkerblom & Hammer 2021\n"
        "                        symbolic.                                               \n"
        "   side 2:\n"
        "Source                Claim                        Evidence; read in            \n"
        "Repper & Carter 2011  Closeness makes              literature-review, Åkerblom &\n"
        "                      professional boundaries      Hammer 2021, s. 20           \n"
        "                      hard to keep.                                             \n"
        "\n"
    )


def test_contested_in_norwegian(project: Path) -> None:
    assert _run(project, "contested", "--lang", "nb") == (
        "1. Omstridte påstander  [2 kilder]\n"
        "   side 1:\n"
        "Kilde                   Påstand                           Evidens; lest i       \n"
        "Kilpatrick et al. 2017  Ansatte så på rollene som         Åkerblom & Hammer 2021\n"
        "                        symbolske.                                              \n"
        "   side 2:\n"
        "Kilde                 Påstand                      Evidens; lest i              \n"
        "Repper & Carter 2011  Nærhet gjør faglige grenser  literature-review, Åkerblom &\n"
        "                      vanskelige å holde.          Hammer 2021, s. 20           \n"
        "\n"
    )


def test_claims_as_csv(project: Path) -> None:
    assert _run(project, "claims", "--source", "kilpatrick2017", "-f", "csv") == (
        "id,source,reported_in,locator,text,themes,evidence\n"
        'kilpatrick-symbolic,kilpatrick2017,akerblom2021,,Staff saw peer roles as symbolic.,"boundary-setting, tokenism",\n'
    )


def test_claims_as_json_carry_both_languages_and_the_note(project: Path) -> None:
    (claim,) = json.loads(_run(project, "claims", "--source", "kilpatrick2017", "-f", "json"))
    assert claim["texts"] == {"en": "Staff saw peer roles as symbolic.", "nb": "Ansatte så på rollene som symbolske."}
    assert claim["note"] == "The report sets the one against the other." and claim["lang"] == "en"


def test_reading_list_as_markdown(project: Path) -> None:
    assert _run(project, "reading-list", "boundary-setting", "--max", "2", "-f", "md") == (
        "# Reading list: boundary-setting\n\n"
        "Themes: boundary-setting\n\n"
        "1. Repper, J. & Carter, T. (2011). A review of the literature on peer support in mental health services. "
        "Journal of Mental Health, 20(4), 392–411. https://doi.org/10.3109/09638237.2011.583947\n"
        "   *Why:* 1 claim on boundary-setting; cited by 1 work in the graph; one side of a dispute between claims (side 2).\n"
        "   *Read for:* Closeness makes professional boundaries hard to keep. (Åkerblom & Hammer 2021, s. 20)\n\n"
        "2. Kilpatrick, E., Keeney, S., & McCauley, C. O. (2017). Tokenistic or genuinely effective?\n"
        "   *Why:* 1 claim on boundary-setting; cited by 1 work in the graph; one side of a dispute between claims (side 1); "
        "recent work.\n"
        "   *Read for:* Staff saw peer roles as symbolic. (Åkerblom & Hammer 2021)\n"
    )


def test_validate_says_what_it_checked(project: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "-p", str(project)])
    assert result.exit_code == 0
    assert result.stdout == "ok: 3 works, 2 claims, 40 themes, 0 questions; the graph conforms to the SHACL shapes\n"
