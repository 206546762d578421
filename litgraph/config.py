"""Where a project's files are, and its settings (litgraph.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from litgraph.errors import ProjectError

CONFIG_FILE = "litgraph.toml"
DEFAULT_BASE_IRI = "https://example.org/litgraph/"


def packaged_data() -> Path:
    """The folder of data files shipped inside the package (ontology, project template)."""
    return Path(str(resources.files("litgraph") / "data"))


@dataclass(frozen=True)
class Project:
    """A litgraph project folder and its settings."""

    root: Path
    base_iri: str = DEFAULT_BASE_IRI
    title: str = "litgraph project"

    @property
    def bibliography_dir(self) -> Path:
        return self.root / "bibliography"

    @property
    def claims_dir(self) -> Path:
        return self.bibliography_dir / "claims"

    @property
    def questions_file(self) -> Path:
        return self.bibliography_dir / "questions.yaml"

    @property
    def citations_dir(self) -> Path:
        return self.bibliography_dir / "citations"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def state_dir(self) -> Path:
        """Caches and the local store: never edited by hand, safe to delete."""
        return self.root / ".litgraph"

    def ontology_file(self, name: str) -> Path:
        """The project's ontology file, or the packaged one where the project has none."""
        own = self.ontology_dir / name
        return own if own.exists() else packaged_data() / "ontology" / name

    def bib_files(self) -> list[Path]:
        return sorted(self.bibliography_dir.glob("*.bib"))

    def claim_files(self) -> list[Path]:
        return sorted([*self.claims_dir.glob("*.yaml"), *self.claims_dir.glob("*.yml")])

    def relative(self, path: Path) -> str:
        """`path` as the user would type it from the project folder."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def open_project(root: Path | str = ".") -> Project:
    """Read the project at `root`; raise ProjectError when it is not one."""
    folder = Path(root).resolve()
    if not folder.is_dir():
        raise ProjectError(f"{root}: no such folder (create a project with `litgraph init {root}`)")
    if not (folder / "bibliography").is_dir():
        raise ProjectError(
            f"{folder}: not a litgraph project (no bibliography/ folder); "
            f"create one with `litgraph init DIR` or pass --project DIR"
        )
    config_path = folder / CONFIG_FILE
    settings: dict[str, object] = {}
    if config_path.exists():
        try:
            settings = tomllib.loads(config_path.read_text(encoding="utf-8")).get("project", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ProjectError(f"{config_path}: not valid TOML: {exc}") from None
    base = str(settings.get("base_iri", DEFAULT_BASE_IRI))
    if not base.startswith(("http://", "https://", "urn:")) or not base.endswith(("/", "#")):
        raise ProjectError(
            f"{config_path}: base_iri {base!r} must be an http(s) IRI ending in '/' or '#' "
            f"(for example {DEFAULT_BASE_IRI!r})"
        )
    return Project(root=folder, base_iri=base, title=str(settings.get("title", folder.name)))
