"""GraphML export, streamed: valid against the GraphML XSD and readable by networkx and igraph.

Every attribute name is declared once with one type (see :mod:`graph.exports.flatten`),
no value is empty, and each edge's id and pair-local ``key`` are also written as plain
attributes (``edge_id``, ``key``), because igraph does not read GraphML edge ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx

from graph.exports.flatten import Scalar, column_types, flatten_attributes
from graph.exports.stream import chunked, iter_edges, xml_attr, xml_text

__all__ = ["FORMATTERS", "MEDIA_TYPE", "edge_row", "generate_graphml"]

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


def edge_row(key: object, data: dict[str, Any]) -> dict[str, Scalar]:
    """An edge's attributes; its id moves to ``edge_id`` since the element's ``id`` holds it
    and igraph, which ignores that, would clash with a data attribute named ``id``."""
    flat = flatten_attributes(data)
    if "id" in flat:
        flat["edge_id"] = flat.pop("id")
    flat.setdefault("key", str(key))
    return flat


def generate_graphml(graph: nx.MultiDiGraph) -> Iterator[bytes]:
    """Yield the GraphML document for ``graph`` as UTF-8 chunks (two passes: types, then data)."""
    node_types = column_types(flatten_attributes(d) for _, d in graph.nodes(data=True))
    edge_types = column_types(edge_row(k, d) for _, _, k, d in iter_edges(graph))
    return chunked(_pieces(graph, node_types, edge_types))


def _columns(prefix: str, types: dict[str, type]) -> dict[str, tuple[str, Callable[[Scalar], str]]]:
    """Per attribute: its opening ``<data>`` tag and its formatter."""
    return {name: (f'<data key="{prefix}{i}">', FORMATTERS[kind]) for i, (name, kind) in enumerate(types.items())}


def _pieces(graph: nx.MultiDiGraph, node_types: dict[str, type], edge_types: dict[str, type]) -> Iterator[str]:
    yield _HEADER
    for domain, prefix, types in (("node", "n", node_types), ("edge", "e", edge_types)):
        for i, (name, kind) in enumerate(types.items()):
            yield f'<key id="{prefix}{i}" for="{domain}" attr.name={xml_attr(name)} attr.type="{_TYPE_NAMES[kind]}"/>\n'
    yield f'<graph id={xml_attr(str(graph.graph.get("name") or "G"))} edgedefault="directed">\n'
    node_columns, edge_columns = _columns("n", node_types), _columns("e", edge_types)
    for node, data in graph.nodes(data=True):
        values = "".join(
            [f"{node_columns[a][0]}{node_columns[a][1](v)}</data>" for a, v in flatten_attributes(data).items()]
        )
        yield f"<node id={xml_attr(str(node))}>{values}</node>\n"
    for source, target, key, data in iter_edges(graph):
        edge_id = str(data.get("id") or f"{source}:{key}:{target}")
        values = "".join(
            [f"{edge_columns[a][0]}{edge_columns[a][1](v)}</data>" for a, v in edge_row(key, data).items()]
        )
        ends = f"source={xml_attr(str(source))} target={xml_attr(str(target))}"
        yield f"<edge id={xml_attr(edge_id)} {ends}>{values}</edge>\n"
    yield "</graph>\n</graphml>\n"
