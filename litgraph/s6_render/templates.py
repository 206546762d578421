"""The site's templates (jinja2, autoescaping on: every input string is escaped for HTML text and
attributes), and what a page's digest stands for besides its data: litgraph and the templates themselves.

Pages that gather many things (works.html, contested.html) are rendered in pieces: each item by the same
macro the whole page would loop over, put together between the page's head and tail, so that an edit
renders only its pieces and the bytes are those of the page rendered whole.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from litgraph.namespaces import escaped, page
from litgraph.s6_render.charts import sides_chart
from litgraph.version import __version__

MARKER = "\0pieces\0"


@functools.cache
def environment() -> Environment:
    """The templates' environment, one per process (it compiles each template once)."""
    env = Environment(
        loader=PackageLoader("litgraph.s6_render", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["urlkey"] = lambda value: escaped(str(value))  # a key in a link's fragment (#work=KEY)
    env.filters["work_page"] = lambda key: page("work", str(key))  # a page's link from the site's root
    env.filters["theme_page"] = lambda key: page("theme", str(key))
    env.filters["urlpath"] = lambda value: quote(str(value), safe="/:;()._-")
    env.globals["sides_chart"] = sides_chart  # (the SVG bar of a contested question's sides)
    return env


def source(name: str) -> str:
    env = environment()
    return env.loader.get_source(env, name)[0]  # type: ignore[union-attr]


@functools.cache
def salt(title: str) -> str:
    """What every page is made with besides its data: litgraph, the site's title and every template."""
    env = environment()
    return hashlib.sha256(
        json.dumps([__version__, title, [source(n) for n in sorted(env.list_templates())]]).encode()
    ).hexdigest()


def render(template: str, name: str, title: str, context: dict[str, Any]) -> str:
    """A page: `template` with `context`, for the page `name` (its depth sets the links' root)."""
    return environment().get_template(template).render(site_title=title, root="../" * name.count("/"), **context)


def head_and_tail(template: str, name: str, title: str, context: dict[str, Any]) -> tuple[bytes, bytes]:
    """A page that holds pieces, before and after them (its template takes them as `pieces`)."""
    page = render(template, name, title, {**context, "pieces": MARKER}).encode("utf-8")
    head, tail = page.split(MARKER.encode("utf-8"))
    return head, tail


def render_piece(template: str, **context: Any) -> bytes:
    """One piece of a page: a template of the piece alone, with its context (UTF-8)."""
    return environment().get_template(template).render(**context).encode("utf-8")
