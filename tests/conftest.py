"""Shared fixtures: paths, small projects written on the fly, and the bundled dataset built once."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from litgraph import build, init_project, open_project
from litgraph.api import BuildSummary

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "bib"
SEEDS = SHARED / "seeds"


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


MakeProject = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """A fresh project from `litgraph init`, with the given files (name -> text) written over it."""

    def make(files: dict[str, str] | None = None, keep_example: bool = False, name: str = "project") -> Path:
        root = tmp_path / name
        init_project(root)
        if not keep_example:
            (root / "bibliography" / "example.bib").unlink()
            (root / "bibliography" / "claims" / "example.yaml").unlink()
        for name, text in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dedent(text), encoding="utf-8")
        return root

    return make


@pytest.fixture(scope="session")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's own project (the bundled dataset), so tests never write into the repo."""
    root = tmp_path_factory.mktemp("bundled") / "project"
    root.mkdir()
    for name in ("bibliography", "ontology"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "litgraph.toml", root / "litgraph.toml")
    return root


@pytest.fixture(scope="session")
def bundled(bundled_copy: Path) -> tuple[Path, BuildSummary]:
    """The bundled dataset, built once per test session."""
    return bundled_copy, build(open_project(bundled_copy))


@pytest.fixture
def own_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user key of the test's own (parse cache, units, store and pages are signed with it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()
