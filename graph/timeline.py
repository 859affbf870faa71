"""Dated relations grouped by date; same-day actions of one actor form a round.

The dated edges are indexed once per graph (:class:`DatedIndex`, sorted by date), so a
request reads only the dates it returns. Answers are bounded: at most ``limit`` dates per
page, and at most ``per_round`` targets listed per round (the round's ``count`` is exact).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.entity_detail import edge_record
from graph.limits import MAX_PAGE, check_range
from graph.search import entity_summary

__all__ = ["DatedIndex", "timeline"]

#: Targets listed per round; a round with more says how many in ``count``.
PER_ROUND = 50


@dataclass(frozen=True)
class DatedIndex:
    """Every dated edge as ``(date, relation, source, target, key)``, sorted."""

    rows: list[tuple[str, str, str, str, str]]

    @classmethod
    def of(cls, graph: nx.MultiDiGraph) -> DatedIndex:
        rows = []
        for u, adjacency in graph._succ.items():
            for v, keys in adjacency.items():
                for k, d in keys.items():
                    when = d.get("date") or d.get("start")
                    if when:
                        rows.append((when, d.get("relation", ""), u, v, k))
        rows.sort()
        return cls(rows)

    def between(self, start: str | None, end: str | None) -> list[tuple[str, str, str, str, str]]:
        """Rows dated from ``start`` to ``end`` (ISO prefixes, inclusive)."""
        low = bisect_left(self.rows, (start,)) if start else 0
        high = bisect_right(self.rows, (end + "\uffff",)) if end else len(self.rows)
        return self.rows[low:high]


def timeline(
    graph: nx.MultiDiGraph,
    *,
    relations: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    limit: int = MAX_PAGE,
    offset: int = 0,
    summary: bool = False,
    index: DatedIndex | None = None,
) -> dict[str, Any]:
    """Dated edges grouped by date (oldest first), then into rounds by (relation, actor).

    A round is, e.g., every ``sanctioned`` edge the State Department issued on 2024-09-12.
    ``start``/``end`` (ISO date prefixes, inclusive) bound the dates; ``limit``/``offset``
    page through them. With ``summary``, dates carry only their counts (what a time bar needs).

    >>> from graph.build import load_graph
    >>> days = timeline(load_graph(), relations=["sanctioned"])["dates"]
    >>> [(r["actor"]["id"], r["count"]) for d in days if d["date"] == "2024-09-12" for r in d["rounds"]]
    [('us-state-dept', 6)]
    """
    check_range("limit", limit, 1, 100_000)
    check_range("offset", offset, 0, 10**9)
    if not summary:
        limit = min(limit, MAX_PAGE)  # full rounds are heavier: the answer says the limit it applied
    wanted = frozenset(relations or ())
    rows = (index or DatedIndex.of(graph)).between(start, end)
    by_date: dict[str, list[tuple[str, str, str, str, str]]] = {}
    for row in rows:
        if not wanted or row[1] in wanted:
            by_date.setdefault(row[0], []).append(row)
    days = list(by_date)
    page = days[offset : offset + limit]
    result: dict[str, Any] = {
        "total": sum(len(by_date[d]) for d in days),
        "total_dates": len(days),
        "limit": limit,
        "offset": offset,
        "truncated": offset + limit < len(days),
    }
    if summary:
        result["dates"] = [{"date": d, "count": len(by_date[d]), "rounds": []} for d in page]
        return result
    vocabulary = graph.graph.get("relation_types", {})
    dates = []
    for when in page:
        groups: dict[tuple[str, str], list[tuple[str, str, str, str, str]]] = {}
        for row in by_date[when]:
            groups.setdefault((row[1], row[2]), []).append(row)
        rounds = []
        for (relation, actor), edges in sorted(groups.items()):
            edges.sort(key=lambda e: str(graph.nodes[e[3]].get("label", e[3])))
            shown = edges[:PER_ROUND]
            rounds.append(
                {
                    "relation": relation,
                    "label": vocabulary.get(relation, {}).get("label", relation),
                    "actor": entity_summary(graph, actor),
                    "count": len(edges),
                    "targets": [entity_summary(graph, v) for _, _, _, v, _ in shown],
                    "edges": [edge_record(u, v, k, graph._succ[u][v][k]) for _, _, u, v, k in shown],
                }
            )
        dates.append({"date": when, "count": len(by_date[when]), "rounds": rounds})
    result["dates"] = dates
    return result
