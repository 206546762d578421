"""A project folder: where its files are, and its settings (litgraph.toml), checked."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from litgraph.errors import ProjectError
from litgraph.plumbing.files import folder_mode

CONFIG_FILE = "litgraph.toml"
DEFAULT_BASE_IRI = "https://example.org/litgraph/"
CROSSREF_URL = "https://api.crossref.org"
OPENALEX_URL = "https://api.openalex.org"
ZOTERO_URL = "http://localhost:23119/api"  # Zotero 7's local API (read-only, the Web API v3 shapes)
_IRI = re.compile(r"(https?://[^\s<>\"{}|\\^`]+|urn:[a-z0-9][a-z0-9-]*:[^\s<>\"{}|\\^`]+)[/#]")
LANGS = ("en", "nb")
THEME_LANGUAGES = ("nb", "en")
_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def packaged_data() -> Path:
    """The folder of data files shipped inside the package (ontology, project template)."""
    return Path(str(resources.files("litgraph") / "data"))


@dataclass(frozen=True)
class EnrichSettings:
    """[enrich]: how `litgraph enrich` talks to Crossref and OpenAlex."""

    contact: str | None = None  # an e-mail address for the User-Agent (the APIs' "polite pool")
    crossref_url: str = CROSSREF_URL
    openalex_url: str = OPENALEX_URL
    timeout: float = 20.0  # seconds to wait for a byte of an answer
    deadline: float = 60.0  # seconds one request may take in all, however slowly it drips
    max_response_bytes: int = 10_000_000  # a larger answer is refused, not read whole
    requests_per_second: float = 5.0  # per API
    cache_days: float = 90.0  # how long a cached answer is reused


@dataclass(frozen=True)
class ZoteroSettings:
    """[zotero]: where `litgraph zotero pull` reads the library, and what highlight colours mean."""

    url: str = ZOTERO_URL
    timeout: float = 10.0  # seconds to wait for each answer of the local API
    colours: dict[str, str | dict[str, str]] = field(default_factory=dict)  # [zotero.colours]: colour -> meaning


@dataclass(frozen=True)
class Limits:
    """[limits]: what a build and a query may take; each, when exceeded, is a clear error."""

    input_bytes: int = 200_000_000  # one input file (a .bib, a claims file...)
    string_bytes: int = 1_000_000  # one BibTeX value once its @string macros are expanded
    query_seconds: float = 30.0  # `litgraph query`: wall-clock time
    query_rows: int = 100_000  # `litgraph query`: rows (or triples) returned
    query_depth: int = 200  # `litgraph query`: nesting of brackets and braces


@dataclass(frozen=True)
class ServerSettings:
    """[server]: the SPARQL server `litgraph push` sends to and `--endpoint` asks (credentials: never here)."""

    endpoint: str | None = None  # the server's base URL (LITGRAPH_ENDPOINT or --endpoint take precedence)
    query_url: str | None = None  # each protocol URL, where probing the base URL does not find it
    update_url: str | None = None
    store_url: str | None = None
    timeout: float = 60.0  # seconds to wait for a byte of an answer


@dataclass(frozen=True)
class Project:
    """A litgraph project folder and its settings."""

    root: Path
    base_iri: str = DEFAULT_BASE_IRI
    title: str = "litgraph project"
    lang: str = "en"  # the language claims are shown in where they have it (en or nb)
    languages: tuple[str, ...] = THEME_LANGUAGES  # every theme needs a label in each of these
    enrich: EnrichSettings = field(default_factory=EnrichSettings)
    limits: Limits = field(default_factory=Limits)
    zotero: ZoteroSettings = field(default_factory=ZoteroSettings)
    server: ServerSettings = field(default_factory=ServerSettings)

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
    def proposals_file(self) -> Path:
        """Fields `litgraph enrich` proposes for the .bib entries (reviewable; `build` uses them)."""
        return self.bibliography_dir / "enrich" / "proposals.yaml"

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
        return own if own.exists() or own.is_symlink() else packaged_data() / "ontology" / name

    def relative(self, path: Path | str) -> str:
        """`path` as the user would type it from the project folder."""
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return str(path)


def open_project(root: Path | str = ".") -> Project:
    """Read the project at `root`; ProjectError (one message naming the file and what to do) when it is
    not one, or its settings are not valid."""
    folder = Path(root).resolve()
    if not folder.is_dir():
        raise ProjectError(f"{root}: no such folder (create a project with `litgraph init {root}`)")
    if not (folder / "bibliography").is_dir():
        raise ProjectError(
            f"{folder}: not a litgraph project (no bibliography/ folder); "
            f"create one with `litgraph init DIR` or pass --project DIR"
        )
    document = _settings_file(folder / CONFIG_FILE)
    known = ("project", "enrich", "limits", "zotero", "server")
    tables = {name: _table(folder / CONFIG_FILE, document, name) for name in known}
    unknown = sorted(set(document) - set(tables))
    if unknown:
        raise ProjectError(f"{folder / CONFIG_FILE}: unknown table [{unknown[0]}] (known: {', '.join(known)})")
    settings = tables["project"]
    _known(folder / CONFIG_FILE, "project", settings, {"title", "base_iri", "lang", "languages"})
    base = str(settings.get("base_iri", DEFAULT_BASE_IRI))
    if not _IRI.fullmatch(base):
        raise ProjectError(
            f"{folder / CONFIG_FILE}: base_iri {base!r} must be an http(s) or urn: IRI ending in '/' or '#', "
            f"without spaces, quotes or <>{{}}|\\^` (for example {DEFAULT_BASE_IRI!r})"
        )
    lang = str(settings.get("lang", "en"))
    if lang not in LANGS:
        raise ProjectError(f"{folder / CONFIG_FILE}: lang {lang!r} must be one of {', '.join(LANGS)}")
    return Project(
        root=folder,
        base_iri=base,
        title=str(settings.get("title", folder.name)),
        lang=lang,
        languages=_languages(folder / CONFIG_FILE, settings.get("languages", list(THEME_LANGUAGES))),
        enrich=_enrich_settings(folder / CONFIG_FILE, tables["enrich"]),
        limits=_limits(folder / CONFIG_FILE, tables["limits"]),
        zotero=_zotero_settings(folder / CONFIG_FILE, tables["zotero"]),
        server=_server_settings(folder / CONFIG_FILE, tables["server"]),
    )


def _languages(path: Path, value: object) -> tuple[str, ...]:
    """[project] languages: the languages every theme needs a label in (["en"]: English labels only)."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and _TAG.fullmatch(v) for v in value):
        raise ProjectError(
            f'{path}: [project] languages must be a list of language tags, such as ["nb", "en"] or ["en"], not {value!r}'
        )
    return tuple(dict.fromkeys(value))


def _settings_file(path: Path) -> dict[str, Any]:
    if not path.exists() and not path.is_symlink():
        return {}
    if not path.is_file():
        raise ProjectError(f"{path}: is not a file (a folder or a broken link?); litgraph.toml holds the settings")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ProjectError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read: {exc.strerror}") from None


def _table(path: Path, document: dict[str, Any], name: str) -> dict[str, Any]:
    value = document.get(name, {})
    if not isinstance(value, dict):
        raise ProjectError(f"{path}: `{name}` must be a table ([{name}] with settings under it), not {value!r}")
    return value


def _known(path: Path, table: str, values: dict[str, Any], known: set[str]) -> None:
    for name in values:
        if name not in known:
            raise ProjectError(f"{path}: unknown setting {name!r} in [{table}] (known: {', '.join(sorted(known))})")


def _number(path: Path, table: str, name: str, value: object, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ProjectError(f"{path}: [{table}] {name} must be a positive number, not {value!r}")
    return kind(value)


def _server_settings(path: Path, table: dict[str, Any]) -> ServerSettings:
    """[server], checked: URLs are http(s), the timeout is positive."""
    _known(path, "server", table, {f.name for f in fields(ServerSettings)})
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name == "timeout":
            values[name] = _number(path, "server", name, value, float)
        elif not str(value).startswith(("http://", "https://")):
            raise ProjectError(f"{path}: [server] {name} {value!r} must start with http:// or https://")
        else:
            values[name] = str(value).rstrip("/")
    return ServerSettings(**values)


def _enrich_settings(path: Path, table: dict[str, Any]) -> EnrichSettings:
    """[enrich], checked: URLs are http(s), numbers are positive."""
    known = {f.name: f for f in fields(EnrichSettings)}
    _known(path, "enrich", table, set(known))
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name.endswith("_url"):
            url = str(value).rstrip("/")
            if not url.startswith(("http://", "https://")):
                raise ProjectError(f"{path}: [enrich] {name} {url!r} must start with http:// or https://")
            values[name] = url
        elif name == "contact":
            values[name] = str(value).strip() or None
        else:
            values[name] = _number(path, "enrich", name, value, int if name == "max_response_bytes" else float)
    return EnrichSettings(**values)


def _limits(path: Path, table: dict[str, Any]) -> Limits:
    known = {f.name: f for f in fields(Limits)}
    _known(path, "limits", table, set(known))
    return Limits(
        **{n: _number(path, "limits", n, v, float if n.endswith("seconds") else int) for n, v in table.items()}
    )


def _zotero_settings(path: Path, table: dict[str, Any]) -> ZoteroSettings:
    """[zotero], checked: the URL is http(s), the timeout positive, each colour's meaning a text or a table of
    texts (what it names is checked when `litgraph zotero pull` reads the project's vocabulary)."""
    _known(path, "zotero", table, {"url", "timeout", "colours"})
    url = str(table.get("url", ZOTERO_URL)).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ProjectError(
            f"{path}: [zotero] url {url!r} must start with http:// or https:// (for example {ZOTERO_URL})"
        )
    colours = table.get("colours", {})
    if not isinstance(colours, dict):
        raise ProjectError(f"{path}: [zotero.colours] must be a table of colour = meaning")
    for colour, meaning in colours.items():
        texts = meaning.values() if isinstance(meaning, dict) else [meaning]
        if not all(isinstance(t, str) for t in texts):
            raise ProjectError(f"{path}: [zotero.colours] {colour} must be an evidence type, or a table such as "
                               '{ stance = "against", question = "an-id" }, not ' + repr(meaning))  # fmt: skip
    timeout = _number(path, "zotero", "timeout", table["timeout"], float) if "timeout" in table else 10.0
    return ZoteroSettings(url=url, timeout=timeout, colours=dict(colours))


def init_project(target: Path, files: Mapping[str, str | None] | None = None) -> list[Path]:
    """Create a project in `target` (a new or empty folder) from the packaged template and theme scheme;
    never touches an existing file. `files`: paths in the project to write with other text than the
    template's (None: left out). Returns the files written."""
    target = Path(target)
    if os.path.lexists(target) and (not target.is_dir() or target.is_symlink() or any(target.iterdir())):
        raise ProjectError(f"{target} already exists and is not an empty folder; choose a new folder name")
    data = packaged_data()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
        try:
            shutil.copytree(data / "template", staging, dirs_exist_ok=True)
            shutil.copytree(data / "ontology", staging / "ontology")
            for name, text in (files or {}).items():
                (staging / name).unlink(missing_ok=True)
                if text is not None:
                    (staging / name).parent.mkdir(parents=True, exist_ok=True)
                    (staging / name).write_text(text, encoding="utf-8")
            os.chmod(staging, folder_mode())
            if target.exists():
                target.rmdir()
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as exc:
        raise ProjectError(f"cannot create {target}: {exc.strerror or exc}; choose a folder you can write to") from None
    return sorted(p for p in target.rglob("*") if p.is_file())
