"""Export formats: one module each, all streaming bytes from a graph."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import networkx as nx

from graph.exports import graphml, node_link

__all__ = ["EXPORT_FORMATS", "ExportFormat"]


@dataclass(frozen=True)
class ExportFormat:
    """A format: its writer, media type and file extension."""

    name: str
    write: Callable[[nx.MultiDiGraph], Iterator[bytes]]
    media_type: str
    extension: str


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "graphml": ExportFormat("graphml", graphml.generate_graphml, graphml.MEDIA_TYPE, "graphml"),
    "json": ExportFormat("json", node_link.generate_node_link, node_link.MEDIA_TYPE, "json"),
}
