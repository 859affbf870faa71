"""Dated relations grouped by date; same-day actions of one actor form a round."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.entity_detail import edge_record
from graph.search import entity_summary

__all__ = ["timeline"]


def timeline(
    graph: nx.MultiDiGraph,
    *,
    relations: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> dict[str, Any]:
    """Dated edges grouped by date (oldest first), then into rounds by (relation, actor).

    A round is, e.g., every ``sanctioned`` edge the State Department issued on 2024-09-12.
    ``start``/``end`` (ISO date prefixes, inclusive) bound the dates returned.

    >>> from graph.build import load_graph
    >>> days = timeline(load_graph(), relations=["sanctioned"])["dates"]
    >>> [(r["actor"]["id"], r["count"]) for d in days if d["date"] == "2024-09-12" for r in d["rounds"]]
    [('us-state-dept', 6)]
    """
    wanted = frozenset(relations or ())
    by_date: dict[str, dict[tuple[str, str], list[tuple[str, str, str, dict[str, Any]]]]] = {}
    for u, v, k, d in graph.edges(keys=True, data=True):
        when = d.get("date") or d.get("start")
        if not when or (wanted and d.get("relation") not in wanted):
            continue
        if (start and when < start) or (end and when[: len(end)] > end):
            continue
        by_date.setdefault(when, {}).setdefault((d.get("relation", ""), u), []).append((u, v, k, d))
    vocabulary = graph.graph.get("relation_types", {})
    dates = []
    for when in sorted(by_date):
        rounds = []
        for (relation, actor), edges in sorted(by_date[when].items()):
            edges.sort(key=lambda e: str(graph.nodes[e[1]].get("label", e[1])))
            rounds.append(
                {
                    "relation": relation,
                    "label": vocabulary.get(relation, {}).get("label", relation),
                    "actor": entity_summary(graph, actor),
                    "count": len(edges),
                    "targets": [entity_summary(graph, v) for _, v, _, _ in edges],
                    "edges": [edge_record(*e) for e in edges],
                }
            )
        dates.append({"date": when, "count": sum(r["count"] for r in rounds), "rounds": rounds})
    return {"dates": dates, "total": sum(d["count"] for d in dates)}
