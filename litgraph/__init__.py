"""litgraph: research literature as a knowledge graph of works, claims and themes.

The public API; everything else is internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from litgraph.errors import GraphError, InputError, LitgraphError, NotFoundError, ProjectError

# The public API, each name imported from its module when first used: a query command then loads only the
# modules it needs (no BibTeX parser, YAML or extraction), a tenth of a second less per command.
_LAZY = {
    "Project": "config", "open_project": "config", "Extractor": "extraction", "Found": "extraction",
    "read_document": "extraction", "Citation": "model", "Claim": "model", "Dataset": "model", "Person": "model",
    "Problem": "model", "Question": "model", "Theme": "model", "Work": "model", "BuildSummary": "project",
    "LoadResult": "project", "build": "project", "build_graph": "project", "load": "project",
    "init_project": "scaffold", "enrich": "enrichment", "EnrichOptions": "enrichment",
}  # fmt: skip

if TYPE_CHECKING:
    from litgraph.config import Project, open_project
    from litgraph.enrichment import EnrichOptions, enrich
    from litgraph.extraction import Extractor, Found, read_document
    from litgraph.model import Citation, Claim, Dataset, Person, Problem, Question, Theme, Work
    from litgraph.project import BuildSummary, LoadResult, build, build_graph, load
    from litgraph.scaffold import init_project

__all__ = [
    "BuildSummary", "Citation", "Claim", "Dataset", "EnrichOptions", "Extractor", "Found", "GraphError",
    "InputError", "LitgraphError", "LoadResult", "NotFoundError", "Person", "Problem", "Project", "ProjectError",
    "Question", "Theme", "Work", "__version__", "build", "build_graph", "enrich", "init_project", "load",
    "open_project", "read_document",
]  # fmt: skip


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"litgraph.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'litgraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
