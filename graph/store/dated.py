"""Every dated edge of a graph, sorted by when it began and by when it ended: built once per
graph, so a timeline or changes request reads only the dates it returns."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field

import networkx as nx

from graph.store import records
from graph.store.state import IndexState, NodeIds

__all__ = ["DatedIndex", "Row"]


Row = tuple[str, str, str, str, str]
"""``(date, relation, source, target, key)``: dates are as written (partial ones included)."""


@dataclass(frozen=True)
class DatedIndex:
    """Every edge with a beginning (``rows``) and every edge with an end (``ends``), sorted by that date."""

    rows: list[Row]
    ends: list[Row] = field(default_factory=list)

    @classmethod
    def of(cls, graph: nx.MultiDiGraph) -> DatedIndex:
        rows, ends = [], []
        for u, v, k, d in records.iter_relations(graph):
            when = records.when(d)
            if when:
                rows.append((when, d.get("relation", ""), u, v, k))
            if d.get("end"):
                ends.append((d["end"], d.get("relation", ""), u, v, k))
        rows.sort()
        ends.sort()
        return cls(rows, ends)

    def state(self) -> IndexState:
        """The rows as columns, for a snapshot (see :mod:`graph.store.state`)."""
        return {
            f"{name}_{column}": values
            for name, rows in (("began", self.rows), ("ended", self.ends))
            for column, values in zip(
                ("dates", "relations", "sources", "targets", "keys"),
                (
                    [r[0] for r in rows],
                    [r[1] for r in rows],
                    NodeIds(r[2] for r in rows),
                    NodeIds(r[3] for r in rows),
                    [r[4] for r in rows],
                ),
                strict=True,
            )
        }

    @classmethod
    def restore(cls, graph: nx.MultiDiGraph, state: IndexState) -> DatedIndex:
        columns = ("dates", "relations", "sources", "targets", "keys")
        began, ended = (list(zip(*(state[f"{name}_{c}"] for c in columns), strict=True)) for name in ("began", "ended"))
        return cls(began, ended)

    def between(self, start: str | None, end: str | None) -> list[Row]:
        """Rows that began from ``start`` to ``end`` (ISO prefixes, inclusive)."""
        return _between(self.rows, start, end)

    def ended_between(self, start: str | None, end: str | None) -> list[Row]:
        """Rows that ended from ``start`` to ``end`` (ISO prefixes, inclusive)."""
        return _between(self.ends, start, end)

    def days(self, start: str | None, end: str | None, relations: Collection[str]) -> list[tuple[str, int]]:
        """Each date relations of ``relations`` (any, if empty) began on, from ``start`` to
        ``end`` (ISO prefixes, inclusive), with how many, by date."""
        counted: dict[str, int] = {}
        for row in self.between(start, end):
            if not relations or row[1] in relations:
                counted[row[0]] = counted.get(row[0], 0) + 1
        return list(counted.items())

    def began_on(self, first: str, last: str, relations: Collection[str]) -> list[Row]:
        """Rows of ``relations`` (any, if empty) that began on a date from ``first`` to
        ``last`` (whole dates as written, inclusive): the rows of a page of :meth:`days`."""
        rows = self.rows
        chosen = rows[bisect_left(rows, (first,)) : bisect_left(rows, (last + "\x00",))]
        return chosen if not relations else [row for row in chosen if row[1] in relations]


def _between(rows: list[Row], start: str | None, end: str | None) -> list[Row]:
    low = bisect_left(rows, (start,)) if start else 0
    high = bisect_right(rows, (end + "\uffff",)) if end else len(rows)
    return rows[low:high]
