"""litgraph: research literature as a knowledge graph of works, claims and themes.

The public API; everything else is internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

from litgraph.config import Project, open_project
from litgraph.errors import GraphError, InputError, LitgraphError, NotFoundError, ProjectError
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
    """`enrich` and `EnrichOptions` load the HTTP stack (requests, requests-cache) only when first used."""
    if name in ("enrich", "EnrichOptions"):
        from litgraph import enrichment

        return getattr(enrichment, name)
    raise AttributeError(f"module 'litgraph' has no attribute {name!r}")
