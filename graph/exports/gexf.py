"""GEXF 1.3 export, streamed, styled so Gephi opens it readable: colours and sizes per kind,
sanction edges red and thick, contested and inferred claims fainter (inferred ones dotted),
labels on nodes and edges; dates as attributes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache

import networkx as nx

from graph.exports.flatten import Scalar, attribute_types
from graph.exports.graphml import FORMATTERS, element_data
from graph.exports.source import Source, as_source
from graph.exports.stream import chunked, xml_attr, xml_attr_value, xml_id
from graph.store import records

__all__ = ["MEDIA_TYPE", "generate_gexf"]

MEDIA_TYPE = "application/gexf+xml"
_TYPE_NAMES = {bool: "boolean", int: "long", float: "double", str: "string"}


@lru_cache(maxsize=256)
def _rgb(color: str) -> tuple[int, int, int]:
    """``"#dc2626"`` -> ``(220, 38, 38)``."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _edge_shape(status_dashes: list[int] | None, faint: bool) -> str:
    if status_dashes:
        return '<viz:shape value="dotted"/>'
    return '<viz:shape value="dashed"/>' if faint else ""


def _attr_string(value: Scalar) -> str:
    return xml_attr_value(value if type(value) is str else str(value))


_FORMATTERS: dict[type, Callable[[Scalar], str]] = {**FORMATTERS, str: _attr_string}


def _columns(types: dict[str, type]) -> dict[str, tuple[str, Callable[[Scalar], str]]]:
    """Per attribute: the start of its ``<attvalue>`` and its formatter."""
    return {name: (f'<attvalue for="{i}" value="', _FORMATTERS[kind]) for i, (name, kind) in enumerate(types.items())}


EDGE_RENAMES = {"id": "edge_id", "key": "edge_key"}  # networkx's GEXF reader reserves `key`
NODE_SKIP = frozenset({"label"})  # written as the node's own label


def generate_gexf(graph: nx.MultiDiGraph | Source) -> Iterator[bytes]:
    """Yield the GEXF 1.3 document for ``graph`` (read it with ``networkx.read_gexf(f, version="1.3")``)."""
    source = as_source(graph)
    node_types = attribute_types({k: v for k, v in d.items() if k not in NODE_SKIP} for _, d in source.entities())
    edge_types = {**attribute_types((d for *_, d in source.relations()), EDGE_RENAMES), "edge_key": str}
    return chunked(_pieces(source, node_types, edge_types))


def _pieces(source: Source, node_types: dict[str, type], edge_types: dict[str, type]) -> Iterator[str]:
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
    vocab = records.vocabulary(source.graph)
    yield "<nodes>\n"
    for node, data in source.entities():
        kind_style = vocab.kind_style(data.get("kind"))
        r, g, b = _rgb(kind_style.color)
        values = "".join(element_data(data, node_columns, '"/>', {}, NODE_SKIP))
        yield (
            f"<node id={xml_id(node)} label={xml_attr(str(data.get('label', node)))}>"
            f'<attvalues>{values}</attvalues><viz:color r="{r}" g="{g}" b="{b}"/>'
            f'<viz:size value="{kind_style.size}"/></node>\n'
        )
    yield "</nodes>\n<edges>\n"
    for u, v, key, attrs in source.relations():
        relation = str(attrs.get("relation", "related"))
        style = vocab.relation_style(relation)
        r, g, b = _rgb(style.color)
        status = attrs.get("status")
        # contested, attributed and inferred claims are fainter; inferred ones dotted (GEXF's viz:shape)
        alpha = ' a="0.45"' if vocab.faint(status) else ""
        shape = _edge_shape(vocab.status_dashes(status), vocab.faint(status))
        edge_id = records.relation_id(u, v, key, attrs)
        attvalues = element_data(attrs, edge_columns, '"/>', EDGE_RENAMES)
        if "key" not in attrs:
            attvalues.append(f'{edge_columns["edge_key"][0]}{xml_attr_value(str(key))}"/>')
        values = "".join(attvalues)
        yield (
            f"<edge id={xml_id(edge_id)} source={xml_id(u)} target={xml_id(v)} "
            f"label={xml_attr(relation)}><attvalues>{values}</attvalues>"
            f'<viz:color r="{r}" g="{g}" b="{b}"{alpha}/><viz:thickness value="{style.width}"/>{shape}</edge>\n'
        )
    yield "</edges>\n</graph>\n</gexf>\n"
