"""GEXF 1.3 export, streamed, styled so Gephi opens it readable: colours and sizes per kind,
sanction edges red and thick, labels on nodes and edges; dates as attributes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import networkx as nx

from graph.exports.flatten import Scalar, column_types, flatten_attributes
from graph.exports.graphml import FORMATTERS, edge_row
from graph.exports.stream import chunked, iter_edges, xml_attr, xml_attr_value
from graph.palette import DEFAULT_KIND_STYLE, DEFAULT_RELATION_STYLE, KIND_STYLES, RELATION_STYLES, hex_to_rgb

__all__ = ["MEDIA_TYPE", "generate_gexf"]

MEDIA_TYPE = "application/gexf+xml"
_TYPE_NAMES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _attr_string(value: Scalar) -> str:
    return xml_attr_value(value if type(value) is str else str(value))


_FORMATTERS: dict[type, Callable[[Scalar], str]] = {**FORMATTERS, str: _attr_string}


def _columns(types: dict[str, type]) -> dict[str, tuple[str, Callable[[Scalar], str]]]:
    """Per attribute: the start of its ``<attvalue>`` and its formatter."""
    return {name: (f'<attvalue for="{i}" value="', _FORMATTERS[kind]) for i, (name, kind) in enumerate(types.items())}


def _edge_row(key: object, data: dict[str, Any]) -> dict[str, Any]:
    """GraphML's edge row, with the key as ``edge_key``: networkx's GEXF reader reserves ``key``."""
    flat = edge_row(key, data)
    flat["edge_key"] = flat.pop("key")
    return flat


def _node_row(data: dict[str, Any]) -> dict[str, Any]:
    flat = flatten_attributes(data)
    flat.pop("label", None)  # the node's own label attribute
    return flat


def generate_gexf(graph: nx.MultiDiGraph) -> Iterator[bytes]:
    """Yield the GEXF 1.3 document for ``graph`` (read it with ``networkx.read_gexf(f, version="1.3")``)."""
    node_types = column_types(_node_row(d) for _, d in graph.nodes(data=True))
    edge_types = column_types(_edge_row(k, d) for _, _, k, d in iter_edges(graph))
    return chunked(_pieces(graph, node_types, edge_types))


def _pieces(graph: nx.MultiDiGraph, node_types: dict[str, type], edge_types: dict[str, type]) -> Iterator[str]:
    node_columns, edge_columns = _columns(node_types), _columns(edge_types)
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
        f'<meta lastmodifieddate="{date.today().isoformat()}"><creator>Linkscope</creator>'
        "<description>Suppliers, programmes and sanctions, with their evidence</description></meta>\n"
        '<graph defaultedgetype="directed" mode="static">\n'
    )
    for cls, types in (("node", node_types), ("edge", edge_types)):
        yield f'<attributes class="{cls}">\n'
        for i, (name, kind) in enumerate(types.items()):
            yield f'<attribute id="{i}" title={xml_attr(name)} type="{_TYPE_NAMES[kind]}"/>\n'
        yield "</attributes>\n"
    yield "<nodes>\n"
    for node, data in graph.nodes(data=True):
        style = KIND_STYLES.get(str(data.get("kind")), DEFAULT_KIND_STYLE)
        r, g, b = hex_to_rgb(str(style["color"]))
        values = "".join([f'{node_columns[a][0]}{node_columns[a][1](v)}"/>' for a, v in _node_row(data).items()])
        yield (
            f"<node id={xml_attr(str(node))} label={xml_attr(str(data.get('label', node)))}>"
            f'<attvalues>{values}</attvalues><viz:color r="{r}" g="{g}" b="{b}"/>'
            f'<viz:size value="{style["size"]}"/></node>\n'
        )
    yield "</nodes>\n<edges>\n"
    for source, target, key, data in iter_edges(graph):
        relation = str(data.get("relation", "related"))
        style = RELATION_STYLES.get(relation, DEFAULT_RELATION_STYLE)
        r, g, b = hex_to_rgb(str(style["color"]))
        edge_id = str(data.get("id") or f"{source}:{key}:{target}")
        values = "".join([f'{edge_columns[a][0]}{edge_columns[a][1](v)}"/>' for a, v in _edge_row(key, data).items()])
        yield (
            f"<edge id={xml_attr(edge_id)} source={xml_attr(str(source))} target={xml_attr(str(target))} "
            f"label={xml_attr(relation)}><attvalues>{values}</attvalues>"
            f'<viz:color r="{r}" g="{g}" b="{b}"/><viz:thickness value="{style["width"]}"/></edge>\n'
        )
    yield "</edges>\n</graph>\n</gexf>\n"
