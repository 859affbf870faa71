"""JSON export in networkx's node-link layout (with ``edges``), streamed.

``networkx.node_link_graph(json.load(f), edges="edges")`` reads it back into the same
MultiDiGraph: nodes keep their id, edges their source, target and key.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx
import orjson

from graph.exports.source import Source, as_source
from graph.store import records

__all__ = ["MEDIA_TYPE", "generate_node_link"]

MEDIA_TYPE = "application/json"
_BATCH = 512


def generate_node_link(graph: nx.MultiDiGraph | Source) -> Iterator[bytes]:
    """Yield the node-link JSON document for ``graph`` in chunks."""
    source = as_source(graph)
    head = {"directed": True, "multigraph": True, "graph": records.graph_attributes(source.graph)}
    yield orjson.dumps(head)[:-1] + b',"nodes":['
    yield from _array(orjson.dumps({"id": n, **d}) for n, d in source.entities())
    yield b'],"edges":['
    yield from _array(orjson.dumps({**d, "source": u, "target": v, "key": k}) for u, v, k, d in source.relations())
    yield b"]}"


def _array(items: Iterator[bytes]) -> Iterator[bytes]:
    """Comma-join JSON items, a batch at a time."""
    batch: list[bytes] = []
    separator = b""
    for item in items:
        batch.append(item)
        if len(batch) >= _BATCH:
            yield separator + b",".join(batch)
            batch, separator = [], b","
    if batch:
        yield separator + b",".join(batch)
