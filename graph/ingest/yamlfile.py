"""Read a YAML data file together with the line of every value, for precise error messages.

The loader is PyYAML's safe loader with two YAML 1.1 surprises removed: ``no``/``yes``/
``on``/``off`` stay strings (``NO`` is Norway's country code) and dates stay strings (so an
impossible date is reported by validation instead of crashing the parser). Only ``true``
and ``false`` are booleans. Duplicate keys in a mapping, which PyYAML silently collapses,
are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import Problem

__all__ = ["LineMap", "YamlDocument", "format_path", "read_yaml"]

PathPart = str | int
LineMap = dict[tuple[PathPart, ...], int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader without the YAML 1.1 timestamp and yes/no/on/off booleans (libyaml's parser
    when PyYAML was built with it: about five times faster than the pure-Python one)."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class YamlDocument:
    """A parsed file: its data, the line of each value, and problems found while reading."""

    path: Path
    data: Any = None
    lines: LineMap = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """Line of the deepest known value along ``path`` (the entry itself if the field is missing)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def problem(self, path: tuple[Any, ...], message: str) -> Problem:
        """A problem located at ``path`` in this file."""
        return Problem(str(self.path), self.line_of(path), format_path(path), message)


def format_path(path: tuple[Any, ...]) -> str:
    """``("relations", 3, "date")`` -> ``relations[3].date``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(path: Path) -> YamlDocument:
    """Parse one YAML file; malformed YAML becomes a problem with its line, never an exception."""
    doc = YamlDocument(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        doc.problems.append(Problem(str(path), None, "", f"cannot read file: {err}"))
        return doc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _index(node, (), doc)
            doc.data = loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(err, "problem", None) or str(err)
        doc.problems.append(Problem(str(path), line, "", f"malformed YAML: {reason}"))
        doc.data = None
    finally:
        loader.dispose()
    return doc


def _index(node: yaml.Node, path: tuple[PathPart, ...], doc: YamlDocument) -> None:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                doc.problems.append(
                    Problem(
                        str(doc.path),
                        line,
                        format_path((*path, key)),
                        f"duplicate key {key!r} (first on line {seen[key]}); YAML would keep only the last",
                    )
                )
            seen[key] = line
            _index(value_node, (*path, key), doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), doc)
