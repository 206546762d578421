"""ontology/themes.yaml as litgraph writes it: made from a Turtle scheme (`litgraph init`), and a theme
appended to it (`litgraph themes add`) without loss.

An append is a round trip through ruamel.yaml, which keeps the user's comments, order and quoting; the text
it gives is compiled again (s1_read/themes_yaml.py) and written (atomically) only where it holds the new
theme and no problem the file did not have before.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from litgraph.errors import InputError, ProjectError
from litgraph.model import Problem
from litgraph.namespaces import DCTERMS, RDF, SKOS
from litgraph.plumbing.files import OutsideError, atomic_file, inside
from litgraph.project import Project, packaged_data
from litgraph.s1_read.ontology import parse_turtle
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.s1_read.themes_yaml import ID_PATTERN, compile_themes_yaml, read_themes_yaml
from litgraph.suggest import did_you_mean

HEADER = """\
# The themes of this project: what its literature is about. Claims name them by id (or by any label).
# Each theme: id (a-z, 0-9, '-'), label in each language the project has (languages in litgraph.toml,
# by default nb and en), and optionally alt_labels (synonyms), hidden_labels (misspellings a search should
# still find), definition, broader (the ids of wider themes) and related. Add one with
#   litgraph themes add ID --en LABEL [--nb LABEL] [--broader ID]
# litgraph compiles this file to a SKOS concept scheme (the same as an ontology/themes.ttl would give).
"""
EMPTY = (
    HEADER
    + """\
#
# An example (remove the '# ' before each line to use it):
#  - id: boundary-setting
#    label: {nb: Grensesetting, en: Boundary setting}
#    alt_labels: {en: [boundaries, professional boundaries]}
#    definition: {en: Where a peer worker draws the line between friend and professional.}
#    broader: [relationship]
themes: []
"""
)


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quoting kept
    yaml.width = 4096  # (a definition stays on its line)
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _flow(value: dict[str, Any] | list[Any]) -> CommentedMap | CommentedSeq:
    made = CommentedMap(value) if isinstance(value, dict) else CommentedSeq(value)
    made.fa.set_flow_style()
    return made


def _texts(values: list[Any], many: bool) -> dict[str, Any]:
    found: dict[str, list[str]] = {}
    for v in values:
        if isinstance(v, ox.Literal):
            found.setdefault(v.language or "en", []).append(v.value)
    return {tag: (_flow(sorted(texts)) if many else texts[0]) for tag, texts in found.items()}


def _item(props: dict[str, list[Any]], local: dict[str, str]) -> CommentedMap:
    notation = next(v.value for v in props[SKOS + "notation"])
    item = CommentedMap(id=notation, label=_flow(_texts(props.get(SKOS + "prefLabel", []), many=False)))
    for key, predicate in (("alt_labels", "altLabel"), ("hidden_labels", "hiddenLabel")):
        if props.get(SKOS + predicate):
            item[key] = CommentedMap(_texts(props[SKOS + predicate], many=True))
    if props.get(SKOS + "definition"):
        item["definition"] = CommentedMap(_texts(props[SKOS + "definition"], many=False))
    for key in ("broader", "related"):
        ids = [local[str(v)] for v in props.get(SKOS + key, []) if str(v) in local]
        if ids:
            item[key] = _flow(ids)
    return item


def yaml_of_turtle(path: Path | str, data: bytes) -> str:
    """A themes.yaml text that compiles to the SKOS of a themes.ttl (its themes in the file's order)."""
    problems: list[Problem] = []
    triples = parse_turtle(path, data, problems)
    if problems:
        raise InputError(problems)
    subjects: dict[str, dict[str, list[Any]]] = {}
    for t in triples:
        subjects.setdefault(str(t.subject), {}).setdefault(t.predicate.value, []).append(t.object)
    concepts = {s: p for s, p in subjects.items() if ox.NamedNode(SKOS + "Concept") in p.get(RDF + "type", [])}
    local = {s: next(v.value for v in p[SKOS + "notation"]) for s, p in concepts.items() if p.get(SKOS + "notation")}
    document = CommentedMap()
    for props in subjects.values():
        if ox.NamedNode(SKOS + "ConceptScheme") in props.get(RDF + "type", []) and props.get(DCTERMS + "title"):
            document["title"] = _flow(_texts(props[DCTERMS + "title"], many=False))
    document["themes"] = CommentedSeq([_item(props, local) for s, props in concepts.items() if s in local])
    out = io.StringIO()
    _yaml().dump(document, out)
    return HEADER + out.getvalue()


@dataclass
class Added:
    """What `litgraph themes add` did."""

    path: Path
    theme_id: str
    created: bool  # the file was made (from the bundled scheme the project used until now)


def _turtle_snippet(theme_id: str, labels: dict[str, str], broader: Sequence[str]) -> str:
    quoted = " , ".join(f'"{v}"@{k}' for k, v in labels.items())
    lines = [f"<theme/{theme_id}> a skos:Concept ;", "    skos:inScheme <themes> ;", f'    skos:notation "{theme_id}" ;',
             f"    skos:prefLabel {quoted} ;"]  # fmt: skip
    lines += [f"    skos:broader <theme/{b}> ;" for b in broader] or ["    skos:topConceptOf <themes> ;"]
    return "\n".join(lines)[:-2] + " ."


def _check_new(project: Project, theme_id: str, labels: dict[str, str], broader: Sequence[str], known: dict[str, int], path: Path) -> None:  # fmt: skip
    if not ID_PATTERN.fullmatch(theme_id):
        fixed = "-".join(theme_id.lower().replace("_", " ").split()) or "boundary-setting"
        raise ProjectError(f"theme id {theme_id!r} may hold only a-z, 0-9 and '-' (for example {fixed!r})")
    if theme_id in known:
        raise ProjectError(
            f"theme {theme_id!r} is already in {project.relative(path)}:{known[theme_id]}; choose another id"
        )
    for parent in broader:
        if parent not in known:
            near = did_you_mean(parent, known) or "`litgraph themes` lists the ids"
            raise ProjectError(f"--broader {parent!r} is not a theme of {project.relative(path)}; {near}")
    missing = [lang for lang in project.languages if lang not in labels]
    if missing:
        options = " ".join(f"--{m} LABEL" if m in ("nb", "en") else f"--label {m}=LABEL" for m in missing)
        raise ProjectError(
            f"this project needs a label in {', '.join(missing)} for every theme (languages in litgraph.toml): add {options}"
        )


def _check_labels(labels: dict[str, str], text: str, path: Path) -> None:
    """No label of the new theme may name a theme already there (a claim naming it would mean that one)."""
    lookup = ThemeLookup(read_themes_yaml(path, b"", text, ()).themes)
    for lang, label in labels.items():
        taken = lookup.resolve(label)
        if taken is not None:
            raise ProjectError(
                f"the {lang} label {label!r} already names theme {taken!r}; give the new theme another label"
            )


def add_theme(project: Project, theme_id: str, labels: dict[str, str], broader: Sequence[str] = ()) -> Added:
    """Append a theme to ontology/themes.yaml, keeping every comment and the order of the file. A project
    whose scheme is its own themes.ttl is not rewritten (ProjectError with the Turtle to paste in); one that
    uses the bundled scheme gets a themes.yaml made from it, with the new theme."""
    path = project.ontology_dir / "themes.yaml"
    own_turtle = project.ontology_dir / "themes.ttl"
    created = not os.path.lexists(path)
    if created and os.path.lexists(own_turtle):
        raise ProjectError(
            f"this project's themes are in {project.relative(own_turtle)} (Turtle), which litgraph does not rewrite; "
            f"add these lines to it:\n\n{_turtle_snippet(theme_id, labels, broader)}\n"
        )
    try:
        inside(project.root, "ontology", "themes.yaml")
    except OutsideError:
        raise ProjectError(
            f"{project.relative(path)} leads out of the project (a link?); nothing was written"
        ) from None
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ProjectError(f"{project.relative(path)} is a link or not a file; nothing was written")
    text = (
        yaml_of_turtle(own_turtle, (packaged_data() / "ontology" / "themes.ttl").read_bytes())
        if created
        else path.read_text(encoding="utf-8")
    )
    _, known, before = compile_themes_yaml(path, text, project.languages)
    unreadable = [p for p in before if p.message.startswith(("not valid YAML", "refused", "nested too deeply"))]
    if unreadable:
        raise ProjectError(
            f"{project.relative(path)}:{unreadable[0].line}: {unreadable[0].message}; fix it, then add the theme"
        )
    _check_new(project, theme_id, labels, broader, known, path)
    _check_labels(labels, text, path)
    yaml = _yaml()
    try:
        document = yaml.load(text)
    except YAMLError as exc:  # (what PyYAML read, ruamel.yaml may still refuse: say so, write nothing)
        raise ProjectError(f"{project.relative(path)} cannot be edited safely ({exc}); nothing was written") from None
    themes = document.get("themes") if isinstance(document, dict) else None
    if not isinstance(themes, list):
        raise ProjectError(f"{project.relative(path)} has no 'themes:' list at the top; fix it, then add the theme")
    if not themes:
        document["themes"] = themes = CommentedSeq()
    item = CommentedMap(id=theme_id, label=_flow(dict(labels)))
    if broader:
        item["broader"] = _flow(list(broader))
    themes.append(item)
    out = io.StringIO()
    yaml.dump(document, out)
    _, now, after = compile_themes_yaml(path, out.getvalue(), project.languages)
    if theme_id not in now or len(after) > len(before):
        raise ProjectError(
            f"adding {theme_id!r} would make {project.relative(path)} invalid; nothing was written"
        )  # (a bug if seen)
    with atomic_file(path, "w") as handle:
        handle.write(out.getvalue())
    return Added(path, theme_id, created)
