"""GraphML export, streamed: valid against the GraphML XSD and readable by networkx and igraph.

Every attribute name is declared once with one type (see :mod:`graph.exports.flatten`),
no value is empty, and each edge's id and pair-local ``key`` are also written as plain
attributes (``edge_id``, ``key``), because igraph does not read GraphML edge ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import networkx as nx

from graph.exports.flatten import SCALARS, Scalar, attribute_types, flatten_value
from graph.exports.source import Source, as_source
from graph.exports.stream import chunked, xml_attr, xml_id, xml_text
from graph.store import records

__all__ = ["EDGE_RENAMES", "FORMATTERS", "MEDIA_TYPE", "element_data", "generate_graphml"]

MEDIA_TYPE = "application/graphml+xml"
_TYPE_NAMES = {bool: "boolean", int: "long", float: "double", str: "string"}
_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def _boolean(value: Scalar) -> str:
    return "true" if value else "false"


def _string(value: Scalar) -> str:
    return xml_text(value if type(value) is str else str(value))


#: How a value of a column of each type is written (numbers as Python prints them).
FORMATTERS: dict[type, Callable[[Scalar], str]] = {bool: _boolean, int: str, float: repr, str: _string}


EDGE_RENAMES = {"id": "edge_id"}


def element_data(
    attrs: Mapping[str, Any],
    columns: dict[str, tuple[str, Callable[[Scalar], str]]],
    close: str,
    renames: dict[str, str],
    skip: frozenset[str] = frozenset(),
) -> list[str]:
    """The typed, escaped values of one element, each wrapped in its column's tags."""
    out: list[str] = []
    for name, value in attrs.items():
        if name in skip:
            continue
        if type(value) not in SCALARS:
            value = flatten_value(name, value)
            if value is None:
                continue
        opening, fmt = columns[renames.get(name, name)]
        out.append(f"{opening}{fmt(value)}{close}")
    return out


def generate_graphml(graph: nx.MultiDiGraph | Source) -> Iterator[bytes]:
    """Yield the GraphML document for ``graph`` as UTF-8 chunks (two passes: types, then data)."""
    source = as_source(graph)
    node_types = attribute_types(d for _, d in source.entities())
    edge_types = {**attribute_types((d for *_, d in source.relations()), EDGE_RENAMES), "key": str}
    return chunked(_pieces(source, node_types, edge_types))


def _columns(prefix: str, types: dict[str, type]) -> dict[str, tuple[str, Callable[[Scalar], str]]]:
    """Per attribute: its opening ``<data>`` tag and its formatter."""
    return {name: (f'<data key="{prefix}{i}">', FORMATTERS[kind]) for i, (name, kind) in enumerate(types.items())}


def _pieces(source: Source, node_types: dict[str, type], edge_types: dict[str, type]) -> Iterator[str]:
    yield _HEADER
    for domain, prefix, types in (("node", "n", node_types), ("edge", "e", edge_types)):
        for i, (name, kind) in enumerate(types.items()):
            yield f'<key id="{prefix}{i}" for="{domain}" attr.name={xml_attr(name)} attr.type="{_TYPE_NAMES[kind]}"/>\n'
    yield f'<graph id={xml_attr(str(source.graph.graph.get("name") or "G"))} edgedefault="directed">\n'
    node_columns, edge_columns = _columns("n", node_types), _columns("e", edge_types)
    key_tag = edge_columns["key"][0]
    for node, data in source.entities():
        yield f"<node id={xml_id(node)}>{''.join(element_data(data, node_columns, '</data>', {}))}</node>\n"
    for u, v, key, attrs in source.relations():
        edge_id = records.relation_id(u, v, key, attrs)
        parts = element_data(attrs, edge_columns, "</data>", EDGE_RENAMES)
        if "key" not in attrs:
            parts.append(f"{key_tag}{xml_text(str(key))}</data>")
        yield f"<edge id={xml_id(edge_id)} source={xml_id(u)} target={xml_id(v)}>{''.join(parts)}</edge>\n"
    yield "</graph>\n</graphml>\n"
