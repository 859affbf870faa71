"""The neighbours of an in-memory graph's hubs by relation type, so a walk reads only those
joined by the relations it may take.

A walk that reached an authority by a designation may leave it only by a relation that is
not shared (see :mod:`graph.queries.walk`): its one ownership, not its 44,000 other
designations. Without an index that means reading the whole adjacency to find it, which
was most of what the slowest depth-2 views cost in memory (60-110 ms of them, at a million
entities). Here each hub's adjacency, on each side, is listed once with the positions of
the neighbours each relation type joins, so the connecting neighbours are a merge of a few
short arrays, in adjacency order (the order the walk and the PostgreSQL store use).

Built with the hub index (:class:`graph.store.hubs.HubIndex`, made or restored once per
immutable graph) and kept beside the graph, released with it; an adjacency not indexed is
read whole.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal

import networkx as nx
import numpy as np

__all__ = ["connecting_neighbours", "index_hubs"]

Way = Literal["out", "in"]


class _Side:
    """One hub's neighbours on one side, in adjacency order, and per relation type the
    positions of those it joins."""

    __slots__ = ("neighbours", "positions")

    def __init__(self, adjacency: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
        self.neighbours = list(adjacency)
        found: dict[Any, list[int]] = {}
        for position, keyed in enumerate(adjacency.values()):
            for relation in {data.get("relation") for data in keyed.values()}:
                found.setdefault(relation, []).append(position)
        self.positions = {relation: np.array(at, dtype=np.int32) for relation, at in found.items()}


_indexes: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[tuple[str, Way], _Side]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index_hubs(graph: nx.MultiDiGraph, hubs: Iterable[str]) -> None:
    """Index the adjacency of ``hubs`` (both sides) for :func:`connecting_neighbours`. The
    graph must not change afterwards: the index is not updated."""
    sides: tuple[tuple[Way, Any], ...] = (("out", graph._succ), ("in", graph._pred))
    index = {(hub, way): _Side(side[hub]) for hub in hubs for way, side in sides if side[hub]}
    with _lock:
        _indexes[graph] = index


def connecting_neighbours(graph: nx.MultiDiGraph, node: str, way: Way, excluded: Collection[Any]) -> list[str] | None:
    """The neighbours of ``node`` on one side joined by at least one relation type not in
    ``excluded``, in adjacency order; None when ``node``'s side is not indexed (read it)."""
    side = _indexes.get(graph, {}).get((node, way))
    if side is None:
        return None
    wanted = [at for relation, at in side.positions.items() if relation not in excluded]
    if not wanted:
        return []
    merged = wanted[0] if len(wanted) == 1 else np.unique(np.concatenate(wanted))
    neighbours = side.neighbours
    return [neighbours[i] for i in merged.tolist()]
