"""Every dated edge of a graph, sorted by date: built once per graph, so a timeline request
reads only the dates it returns."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import networkx as nx

from graph.store import records

__all__ = ["DatedIndex"]


@dataclass(frozen=True)
class DatedIndex:
    """Every dated edge as ``(date, relation, source, target, key)``, sorted."""

    rows: list[tuple[str, str, str, str, str]]

    @classmethod
    def of(cls, graph: nx.MultiDiGraph) -> DatedIndex:
        rows = []
        for u, v, k, d in records.iter_relations(graph):
            when = records.when(d)
            if when:
                rows.append((when, d.get("relation", ""), u, v, k))
        rows.sort()
        return cls(rows)

    def between(self, start: str | None, end: str | None) -> list[tuple[str, str, str, str, str]]:
        """Rows dated from ``start`` to ``end`` (ISO prefixes, inclusive)."""
        low = bisect_left(self.rows, (start,)) if start else 0
        high = bisect_right(self.rows, (end + "\uffff",)) if end else len(self.rows)
        return self.rows[low:high]
