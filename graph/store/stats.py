"""Counts that describe a graph at a glance (computed once per store: the graph never changes)."""

from __future__ import annotations

from collections import Counter
from typing import TypedDict

import networkx as nx

from graph.store import records

__all__ = ["GraphStats", "graph_stats"]


class GraphStats(TypedDict):
    nodes: int
    edges: int
    kinds: dict[str, int]
    relations: dict[str, int]
    statuses: dict[str, int]
    first_date: str | None
    last_date: str | None


def graph_stats(graph: nx.MultiDiGraph) -> GraphStats:
    """Nodes and edges in total, by kind, by relation type and by status, plus the date span.

    >>> from graph.store.build import load_graph
    >>> graph_stats(load_graph())["relations"]["sanctioned"] >= 30
    True
    """
    kinds = Counter(d.get("kind", "unknown") for d in records.entities(graph).values())
    relations: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    first: str | None = None
    last: str | None = None
    for _, _, _, d in records.iter_relations(graph):
        relations[d.get("relation", "unknown")] += 1
        statuses[d.get("status", "unknown")] += 1
        when = records.when(d)
        if when:
            first = when if first is None or when < first else first
            last = when if last is None or when > last else last
    return {
        "nodes": len(graph),
        "edges": sum(relations.values()),
        "kinds": dict(kinds.most_common()),
        "relations": dict(relations.most_common()),
        "statuses": dict(statuses.most_common()),
        "first_date": first,
        "last_date": last,
    }
