"""litgraph: research literature as a knowledge graph of works, claims and themes.

The public API is this module's `__all__`: one function per command (each returns typed data), the data
classes they return, and the errors they raise. Everything under the stage folders (s1_read ... s6_render),
plumbing/, extract/, enrich/ and cli/ is internal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litgraph.errors import GraphError, InputError, LitgraphError, NotFoundError, ProjectError
from litgraph.version import __version__

# Each public name is imported from its module when first used: a query then loads only what it needs.
_LAZY = {
    "Project": "project", "open_project": "project", "init_project": "project",
    "build": "api", "load": "api", "validate": "api", "sources": "ask", "contested": "ask",
    "reading_list": "ask", "claims": "ask", "themes": "ask", "query": "ask", "export": "api", "extract": "api",
    "bibtex": "ask", "BuildSummary": "api", "LoadResult": "api", "Validation": "api", "Extraction": "api",
    "Claim": "model", "Citation": "model", "Dataset": "model", "Person": "model", "Problem": "model",
    "Question": "model", "Theme": "model", "Work": "model",
    "ClaimRow": "s4_analyse.rows", "WorkRow": "s4_analyse.rows", "ContestedGroup": "s4_analyse.contested",
    "ReadingList": "s4_analyse.reading_list", "Sources": "s5_store.queries", "ThemeRow": "s5_store.queries",
    "QueryResult": "s5_store.sparql", "Extractor": "gather.extract.extraction", "Found": "gather.extract.extraction",
    "read_document": "gather.extract.extraction", "enrich": "api", "EnrichOptions": "gather.enrich.enrichment",
    "zotero_pull": "api", "PullReport": "gather.zotero.pull",
}  # fmt: skip

if TYPE_CHECKING:
    from litgraph.api import (
        BuildSummary,
        Extraction,
        LoadResult,
        Validation,
        build,
        enrich,
        export,
        extract,
        load,
        validate,
        zotero_pull,
    )
    from litgraph.ask import bibtex, claims, contested, query, reading_list, sources, themes
    from litgraph.gather.enrich.enrichment import EnrichOptions
    from litgraph.gather.extract.extraction import Extractor, Found, read_document
    from litgraph.gather.zotero.pull import PullReport
    from litgraph.model import Citation, Claim, Dataset, Person, Problem, Question, Theme, Work
    from litgraph.project import Project, init_project, open_project
    from litgraph.s4_analyse.contested import ContestedGroup
    from litgraph.s4_analyse.reading_list import ReadingList
    from litgraph.s4_analyse.rows import ClaimRow, WorkRow
    from litgraph.s5_store.queries import Sources, ThemeRow
    from litgraph.s5_store.sparql import QueryResult

__all__ = [
    "BuildSummary",
    "Citation",
    "Claim",
    "ClaimRow",
    "ContestedGroup",
    "Dataset",
    "EnrichOptions",
    "Extraction",
    "Extractor",
    "Found",
    "GraphError",
    "InputError",
    "LitgraphError",
    "LoadResult",
    "NotFoundError",
    "Person",
    "Problem",
    "Project",
    "ProjectError",
    "PullReport",
    "QueryResult",
    "Question",
    "ReadingList",
    "Sources",
    "Theme",
    "ThemeRow",
    "Validation",
    "Work",
    "WorkRow",
    "__version__",
    "bibtex",
    "build",
    "claims",
    "contested",
    "enrich",
    "export",
    "extract",
    "init_project",
    "load",
    "open_project",
    "query",
    "read_document",
    "reading_list",
    "sources",
    "themes",
    "validate",
    "zotero_pull",
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"litgraph.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'litgraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
