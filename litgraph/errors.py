"""The small exception tree for what stops a command (bad input is data: see model.Problem)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litgraph.model import Problem


class LitgraphError(Exception):
    """Base of every error litgraph raises on purpose; the CLI prints it as one message, exit 1."""


class InputError(LitgraphError):
    """The project's input files have problems; `problems` lists every one."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        errors = sum(1 for p in self.problems if p.severity == "error")
        super().__init__(f"{errors} problem{'s' if errors != 1 else ''} in the input files")


class ProjectError(LitgraphError):
    """The folder is not a usable project (missing folder, unreadable config...)."""


class NotFoundError(LitgraphError):
    """Something the user named (a theme, a key) does not exist; the message names near matches."""


class GraphError(LitgraphError):
    """The built graph breaks the project's SHACL shapes (a bug or an ontology change)."""
