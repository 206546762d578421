"""What every command shares: options, progress messages, and turning errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from litgraph.errors import InputError, LitgraphError

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def err(message: str) -> None:
    click.echo(message, err=True)


def print_problems(problems: list[Any]) -> None:
    for problem in problems:
        err(str(problem))


def handle_errors(func: F) -> F:
    """Library errors become messages on stderr and exit 1; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            print_problems(exc.problems)
            err(f"Error: {exc}; nothing was written.")
            sys.exit(1)
        except LitgraphError as exc:
            err(f"Error: {exc}")
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the command stopped, and left the project as it was
            err("Interrupted: nothing was changed.")
            sys.exit(130)
        except BrokenPipeError:  # `litgraph ... | head`: the reader left; stop quietly, as the docs advise
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:  # a bug: one line for the user, the traceback on request
            if os.environ.get("LITGRAPH_DEBUG"):
                raise
            err(f"Internal error: {type(exc).__name__}: {exc}")
            err("This is a bug in litgraph; run again with LITGRAPH_DEBUG=1 for the traceback and report it.")
            sys.exit(70)

    return wrapper  # type: ignore[return-value]


def project_option(func: F) -> F:
    return click.option(
        "--project",
        "-p",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="The project folder.",
    )(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No progress messages.")(func)


def format_option(*formats: str, default: str = "table") -> Callable[[F], F]:
    def decorator(func: F) -> F:
        return click.option(
            "--format",
            "-f",
            "fmt",
            type=click.Choice(formats),
            default=default,
            show_default=True,
            help="Output format: table for people, json for scripts.",
        )(func)

    return decorator


class Progress:
    """Stage messages on stderr with the time each took."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.stage: str | None = None
        self.started = time.perf_counter()

    def __call__(self, stage: str) -> None:
        self.done()
        self.stage, self.started = stage, time.perf_counter()
        if not self.quiet:
            click.echo(f"  {stage} …", err=True, nl=False)

    def done(self) -> None:
        if self.stage and not self.quiet:
            click.echo(f" {time.perf_counter() - self.started:.1f}s", err=True)
        self.stage = None


@contextlib.contextmanager
def progress_shown(quiet: bool = False) -> Iterator[Progress]:
    """Stage messages for the time of a library call (the last one closed when it returns)."""
    progress = Progress(quiet)
    try:
        yield progress
    finally:
        progress.done()
