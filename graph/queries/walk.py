"""Stepping through the graph: which edges a query follows, and the neighbours they lead to.

Shared by neighbourhoods and paths, so both follow the same edges for the same request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

import networkx as nx

from graph.errors import BadQuery
from graph.store import records
from graph.store.records import Direction, EdgeFilter

__all__ = ["check_direction", "edge_filter", "neighbour_ids", "neighbours_how"]


def check_direction(direction: str) -> Direction:
    if direction not in ("out", "in", "both"):
        raise BadQuery(f"direction must be out, in or both, not {direction!r}")
    return direction  # type: ignore[return-value]


def edge_filter(relations: Iterable[str] | None, as_of: date | None, derived: bool = True) -> EdgeFilter | None:
    """A predicate on edge attributes (the relation is one of ``relations``, counts on ``as_of``,
    and is not derived unless allowed), or None when every edge passes, so callers can skip
    the per-edge test."""
    wanted = frozenset(relations or ())
    if not wanted and as_of is None and derived:
        return None

    def keep(data: Mapping[str, Any]) -> bool:
        return (
            (not wanted or data.get("relation") in wanted)
            and (derived or not records.is_derived(data))
            and records.counts_on(data, as_of)
        )

    return keep


def neighbour_ids(graph: nx.MultiDiGraph, node: str, direction: Direction, keep: EdgeFilter | None) -> Iterator[str]:
    """The other ends of the passing edges around ``node`` (a node may repeat when ``direction`` is both)."""
    for side in records.sides(graph, direction):
        adjacency = side[node]
        if keep is None:
            yield from adjacency
        else:
            for other, keyed in adjacency.items():
                if any(keep(data) for data in keyed.values()):
                    yield other


def neighbours_how(
    graph: nx.MultiDiGraph, node: str, direction: Direction, keep: EdgeFilter | None
) -> Iterator[tuple[str, bool]]:
    """Like :func:`neighbour_ids`, with whether ``other`` is reached only by derived edges
    (``based_in`` from a country field): such a node is shown but not expanded further."""
    for side in records.sides(graph, direction):
        for other, keyed in side[node].items():
            if keep is None and len(keyed) == 1:  # the common case, without a list
                for data in keyed.values():
                    yield other, "derived" in data and bool(data["derived"])
                continue
            passing = [d for d in keyed.values() if keep is None or keep(d)]
            if passing:
                yield other, all(records.is_derived(d) for d in passing)
