"""A part of the graph a query chose: nodes with their distance from where it started, and edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

import networkx as nx

from graph.store import records

__all__ = ["Part", "PartAnswer", "PartNode"]


class PartNode(records.EntityRecord):
    """An entity of a part, with its hops from the nearest centre (or along the path)."""

    distance: int


class PartAnswer(TypedDict):
    """A part in node-link form: what ``/api/subgraph`` answers."""

    nodes: list[PartNode]
    edges: list[records.RelationRecord]
    truncated: bool
    truncated_reason: str | None


@dataclass
class Part:
    """Nodes with their distance from the nearest centre, and the keys of the edges between them."""

    nodes: dict[str, int] = field(default_factory=dict)
    edges: list[records.EdgeKey] = field(default_factory=list)
    truncated: bool = False
    truncated_reason: str | None = None

    def cut(self, reason: str) -> Part:
        """Mark the part as cut short (``max_nodes``, ``time_budget``, ``limit``...)."""
        self.truncated = True
        self.truncated_reason = reason
        return self

    def to_json(self, graph: nx.MultiDiGraph) -> PartAnswer:
        """Node-link form: nodes with attributes and ``distance``, edges with every attribute.

        Imported (FtM) records carry their provenance as attributes (``datasets``,
        ``source_url``, ``ftm_file``, ``ftm_line``); the citation built from them is added
        where records are shown one at a time (entity detail, paths, the explorer), not
        here, where it would cost more than the whole query.
        """
        entities = records.entities(graph)
        nodes = []
        for node, distance in self.nodes.items():
            record = entities[node].copy()  # dict.copy is the fastest way to a fresh dict
            record["id"] = node
            record["distance"] = distance
            nodes.append(record)
        succ = records.successors(graph)
        edges = []
        for u, v, k in self.edges:
            record = dict(succ[u][v][k])
            record["source"], record["target"], record["key"] = u, v, k
            if "id" not in record:  # imported edges do not store theirs
                record["id"] = records.edge_id(u, v, k)
            edges.append(record)
        return {
            "nodes": nodes,  # type: ignore[typeddict-item]
            "edges": edges,  # type: ignore[typeddict-item]
            "truncated": self.truncated,
            "truncated_reason": self.truncated_reason,
        }

    def as_graph(self, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
        """The part as a graph of its own, for exports (attribute dicts shared, not copied: never edit them)."""
        view = records.new_graph(records.vocabulary(graph))
        view.graph.update({k: v for k, v in graph.graph.items() if k not in view.graph})
        entities = records.entities(graph)
        for node in self.nodes:
            records.add_entity(view, node, entities[node])
        for u, v, k in self.edges:
            records.add_relation(view, u, v, k, records.relation_attrs(graph, u, v, k))
        return view
