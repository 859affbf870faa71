"""Counts that describe a graph at a glance."""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

__all__ = ["graph_stats"]


def graph_stats(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Nodes and edges in total, by kind, by relation type and by status, plus the date span.

    >>> from graph.build import load_graph
    >>> graph_stats(load_graph())["relations"]["sanctioned"] >= 30
    True
    """
    kinds = Counter(d.get("kind", "unknown") for _, d in graph.nodes(data=True))
    relations: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    dates: list[str] = []
    for _, _, d in graph.edges(data=True):
        relations[d.get("relation", "unknown")] += 1
        statuses[d.get("status", "unknown")] += 1
        when = d.get("date") or d.get("start")
        if when:
            dates.append(when)
    return {
        "nodes": graph.number_of_nodes(),
        "edges": sum(relations.values()),
        "kinds": dict(kinds.most_common()),
        "relations": dict(relations.most_common()),
        "statuses": dict(statuses.most_common()),
        "first_date": min(dates) if dates else None,
        "last_date": max(dates) if dates else None,
    }
