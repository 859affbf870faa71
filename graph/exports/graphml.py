"""GraphML export, streamed: valid against the GraphML XSD and readable by networkx and igraph.

Every attribute name is declared once with one type (see :mod:`graph.exports.flatten`),
no value is empty, and each edge's id and pair-local ``key`` are also written as plain
attributes (``edge_id``, ``key``), because igraph does not read GraphML edge ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from graph.exports.flatten import Scalar, column_types, flatten_attributes

__all__ = ["MEDIA_TYPE", "generate_graphml"]

MEDIA_TYPE = "application/graphml+xml"
_BATCH = 512  # elements per chunk yielded
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TYPE_NAMES = {bool: "boolean", int: "long", float: "double", str: "string"}
_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def _text(value: str) -> str:
    return escape(_XML_INVALID.sub("\ufffd", value))


def _attr(value: str) -> str:
    return quoteattr(_XML_INVALID.sub("\ufffd", value))


def _format(value: Scalar, kind: type) -> str:
    if kind is bool:
        return "true" if value else "false"
    if kind is str:
        return _text(str(value))
    return repr(value) if isinstance(value, float) else str(value)


def _edge_row(key: object, data: dict[str, object]) -> dict[str, Scalar]:
    """An edge's attributes; its id moves to ``edge_id`` since the element's ``id`` holds it
    and igraph, which ignores that, would clash with a data attribute named ``id``."""
    flat = flatten_attributes(data)
    if "id" in flat:
        flat["edge_id"] = flat.pop("id")
    flat.setdefault("key", str(key))
    return flat


def generate_graphml(graph: nx.MultiDiGraph) -> Iterator[bytes]:
    """Yield the GraphML document for ``graph`` as UTF-8 chunks of a few hundred elements."""
    node_types = column_types(flatten_attributes(d) for _, d in graph.nodes(data=True))
    edge_types = column_types(_edge_row(k, d) for _, _, k, d in graph.edges(keys=True, data=True))
    node_keys = {name: f"n{i}" for i, name in enumerate(node_types)}
    edge_keys = {name: f"e{i}" for i, name in enumerate(edge_types)}

    parts = [_HEADER]
    for domain, types, ids in (("node", node_types, node_keys), ("edge", edge_types, edge_keys)):
        for name, kind in types.items():
            parts.append(
                f'<key id="{ids[name]}" for="{domain}" attr.name={_attr(name)} attr.type="{_TYPE_NAMES[kind]}"/>\n'
            )
    name = str(graph.graph.get("name") or "G")
    parts.append(f'<graph id={_attr(name)} edgedefault="directed">\n')
    size = 0

    for node, data in graph.nodes(data=True):
        parts.append(f"<node id={_attr(str(node))}>")
        for attr, value in flatten_attributes(data).items():
            parts.append(f'<data key="{node_keys[attr]}">{_format(value, node_types[attr])}</data>')
        parts.append("</node>\n")
        size += 1
        if size >= _BATCH:
            yield "".join(parts).encode()
            parts, size = [], 0
    for source, target, key, data in graph.edges(keys=True, data=True):
        edge_id = str(data.get("id") or f"{source}:{key}:{target}")
        parts.append(f"<edge id={_attr(edge_id)} source={_attr(str(source))} target={_attr(str(target))}>")
        for attr, value in _edge_row(key, data).items():
            parts.append(f'<data key="{edge_keys[attr]}">{_format(value, edge_types[attr])}</data>')
        parts.append("</edge>\n")
        size += 1
        if size >= _BATCH:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("</graph>\n</graphml>\n")
    yield "".join(parts).encode()
