"""Where a project's files are, and its settings (litgraph.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from litgraph.errors import ProjectError

CONFIG_FILE = "litgraph.toml"
DEFAULT_BASE_IRI = "https://example.org/litgraph/"
CROSSREF_URL = "https://api.crossref.org"
OPENALEX_URL = "https://api.openalex.org"


def packaged_data() -> Path:
    """The folder of data files shipped inside the package (ontology, project template)."""
    return Path(str(resources.files("litgraph") / "data"))


@dataclass(frozen=True)
class EnrichSettings:
    """The [enrich] table: how `litgraph enrich` talks to Crossref and OpenAlex."""

    contact: str | None = None  # an e-mail address for the User-Agent (the APIs' "polite pool")
    crossref_url: str = CROSSREF_URL
    openalex_url: str = OPENALEX_URL
    timeout: float = 20.0  # seconds to wait for an answer
    requests_per_second: float = 5.0  # per API
    cache_days: float = 90.0  # how long a cached answer is reused


@dataclass(frozen=True)
class Project:
    """A litgraph project folder and its settings."""

    root: Path
    base_iri: str = DEFAULT_BASE_IRI
    title: str = "litgraph project"
    enrich: EnrichSettings = field(default_factory=EnrichSettings)

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

    @property
    def proposals_file(self) -> Path:
        """Fields `litgraph enrich` proposes for the .bib entries (reviewable; `build` uses them)."""
        return self.bibliography_dir / "enrich" / "proposals.yaml"

    def citation_files(self) -> list[Path]:
        return sorted([*self.citations_dir.glob("*.yaml"), *self.citations_dir.glob("*.yml")])

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
    enrich: dict[str, object] = {}
    if config_path.exists():
        try:
            document = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ProjectError(f"{config_path}: not valid TOML: {exc}") from None
        settings, enrich = document.get("project", {}), document.get("enrich", {})
    base = str(settings.get("base_iri", DEFAULT_BASE_IRI))
    if not base.startswith(("http://", "https://", "urn:")) or not base.endswith(("/", "#")):
        raise ProjectError(
            f"{config_path}: base_iri {base!r} must be an http(s) IRI ending in '/' or '#' "
            f"(for example {DEFAULT_BASE_IRI!r})"
        )
    return Project(
        root=folder,
        base_iri=base,
        title=str(settings.get("title", folder.name)),
        enrich=_enrich_settings(config_path, enrich),
    )


def _enrich_settings(config_path: Path, table: dict[str, object]) -> EnrichSettings:
    """The [enrich] table, checked: URLs are http(s), numbers are positive."""
    known = EnrichSettings.__dataclass_fields__
    for name in table:
        if name not in known:
            raise ProjectError(f"{config_path}: unknown setting {name!r} in [enrich] (known: {', '.join(known)})")
    values: dict[str, object] = {}
    for name in ("crossref_url", "openalex_url"):
        if name in table:
            url = str(table[name]).rstrip("/")
            if not url.startswith(("http://", "https://")):
                raise ProjectError(f"{config_path}: [enrich] {name} {url!r} must start with http:// or https://")
            values[name] = url
    for name in ("timeout", "requests_per_second", "cache_days"):
        if name in table:
            number = table[name]
            if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
                raise ProjectError(f"{config_path}: [enrich] {name} must be a positive number, not {number!r}")
            values[name] = float(number)
    if "contact" in table:
        values["contact"] = str(table["contact"]).strip() or None
    return EnrichSettings(**values)  # type: ignore[arg-type]
