"""Format listings for people (table, md) and scripts (json, csv). The CLI's only formatting code."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

LISTING_FORMATS = ("table", "json", "csv", "md")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    max_width: int | None = None
    ratio: int | None = None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _shallow(value: Any) -> Any:
    """orjson's hook for what it does not encode itself: typed results (their `json()` where they have one)."""
    if hasattr(value, "json") and callable(value.json):
        return value.json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"{type(value).__name__} is not JSON")


def as_json(data: Any) -> str:
    """`data` as indented UTF-8 JSON (orjson: 60,000 claims in a fraction of a second)."""
    options = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(data, default=_shallow, option=options).decode("utf-8") + "\n"


def as_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c.key)) for c in columns])
    return buffer.getvalue()


def as_markdown(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(c.title for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(esc(_cell(row.get(c.key))) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def as_table(rows: Sequence[dict[str, Any]], columns: Sequence[Column], width: int = 80) -> str:
    """A table that wraps to `width` columns (80 unless the terminal is wider)."""
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold", expand=False)
    for column in columns:
        table.add_column(column.title, max_width=column.max_width, ratio=column.ratio, overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(row.get(c.key))) for c in columns))  # as written: "[b]" is not markup
    console = Console(
        width=width, file=io.StringIO(), highlight=False, markup=False, emoji=False, color_system=None, soft_wrap=False
    )
    console.print(table)
    return console.file.getvalue()  # type: ignore[attr-defined]


def render(rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: str, document: Any = None) -> str:
    """`rows` in `fmt`; json prints `document` when given (the documented JSON shape), else the rows."""
    if fmt == "json":
        return as_json(rows if document is None else document)
    if fmt == "csv":
        return as_csv(rows, columns)
    if fmt == "md":
        return as_markdown(rows, columns)
    return as_table(rows, columns)
