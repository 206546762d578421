"""Safe YAML with line numbers: every mapping remembers where it and each of its keys stand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from litgraph.model import Problem


class Located(dict[str, Any]):
    """A YAML mapping with `line` (1-based) and `key_lines` (key -> line)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# The base loader: every scalar stays a string (no implicit typing, so `lang: no` is "no", not False) and no
# tag constructs an object. libyaml's parser where it is installed: ~10x faster than the pure-Python one.
_BASE = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map", "int", "float", "bool", "null")}


_DEFAULT_TAGS = {
    yaml.ScalarNode: yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
    yaml.SequenceNode: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
}


class _LineLoader(_BASE):  # type: ignore[misc, valid-type]
    """A safe loader (plain mappings, lists and strings only) that keeps marks and reports duplicate keys.

    The parser and composer are libyaml's; what PyYAML does in Python per node is cut to the least: the
    resolver gives every untagged node its default tag (what BaseResolver does, with no implicit or path
    resolvers, by a longer way), and the document is made by one recursive walk rather than by
    BaseConstructor's generic machinery (at 300,000 claims those two were half the time of reading)."""

    duplicate_keys: list[tuple[str, int]]

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[kind]

    def construct_document(self, node: yaml.Node) -> Any:
        made: dict[int, Any] = {}  # an anchored node's value, so that each alias gives the same object
        making: set[int] = set()

        def value(node: yaml.Node) -> Any:
            if node.tag not in _PLAIN_TAGS:  # e.g. !!python/object: refused, never constructed
                raise yaml.constructor.ConstructorError(
                    None, None, f"the tag {node.tag!r} is not allowed", node.start_mark
                )
            if isinstance(node, yaml.ScalarNode):
                return node.value
            key = id(node)
            if key in made:
                return made[key]
            if key in making:
                raise yaml.constructor.ConstructorError(
                    None, None, "found unconstructable recursive node", node.start_mark
                )
            making.add(key)
            if isinstance(node, yaml.SequenceNode):
                result: Any = [value(child) for child in node.value]
            else:
                result = Located()
                result.line = node.start_mark.line + 1
                lines: dict[str, int] = {}
                result.key_lines = lines
                for key_node, value_node in node.value:
                    name = value(key_node)
                    if not isinstance(name, str):
                        name = str(name)
                    line = key_node.start_mark.line + 1
                    if name in result:
                        self.duplicate_keys.append((name, line))
                    result[name] = value(value_node)
                    lines[name] = line
            making.discard(key)
            made[key] = result
            return result

        return value(node)


def load_yaml_text(path: Path, text: str, problems: list[Problem]) -> Any:
    """The document in `text` (read from `path`), or None with a Problem when it cannot be read safely."""
    loader = _LineLoader(text)
    loader.duplicate_keys = []
    try:
        document = loader.get_single_data()
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        problems.append(
            Problem(
                path,
                mark.line + 1 if mark else None,
                f"refused: {exc.problem}" if exc.problem else "refused YAML construct",
                "only plain YAML is read: mappings, lists, strings and numbers; remove the tag",
            )
        )
        return None
    except RecursionError:
        problems.append(Problem(path, None, "nested too deeply to be read", "claims need two or three levels"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        problems.append(
            Problem(
                path,
                mark.line + 1 if mark else None,
                f"not valid YAML: {problem}",
                "check indentation, colons and quotes near this line",
            )
        )
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicate_keys:
        problems.append(Problem(path, line, f"the key {key!r} appears twice in one mapping", "keep one of them"))
    return document
