"""What an export writer reads: entities, relations, and the graph their file describes.

A writer passes over its source more than once (the attribute types first, then the rows),
so a source gives fresh iterators on every call. A whole graph is its own source
(:class:`GraphSource`); a part of the graph whose groups stand for thousands of entities
streams those from where they are stored, page by page, rather than copying them into a
graph of its own first (:class:`graph.exports.part_source.PartSource`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

import networkx as nx

from graph.store import records
from graph.store.records import Attrs

__all__ = ["GraphSource", "Relation", "Source", "as_source"]

Relation = tuple[str, str, str, Mapping[str, Any]]
"""A relation as ``(source, target, key, attributes)``."""


@runtime_checkable
class Source(Protocol):
    """Entities and relations in the order a file lists them."""

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The graph whose name, vocabulary and graph attributes the file carries."""
        ...

    def entities(self) -> Iterator[tuple[str, Attrs]]:
        """Every entity with its attributes."""
        ...

    def relations(self) -> Iterator[Relation]:
        """Every relation as ``(source, target, key, attributes)``."""
        ...

    def entity(self, node: str) -> Attrs:
        """The attributes of an end of the relation being written (the FtM writer reads its schema)."""
        ...


class GraphSource:
    """A graph as a source: its entities and relations in adjacency order."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph

    @property
    def graph(self) -> nx.MultiDiGraph:
        return self._graph

    def entities(self) -> Iterator[tuple[str, Attrs]]:
        return iter(records.entities(self._graph).items())

    def relations(self) -> Iterator[Relation]:
        return records.iter_relations(self._graph)

    def entity(self, node: str) -> Attrs:
        return records.entity_attrs(self._graph, node)


def as_source(what: nx.MultiDiGraph | Source) -> Source:
    """``what`` as a source (a graph is wrapped)."""
    return GraphSource(what) if isinstance(what, nx.Graph) else what
