"""The neighbours of a load's biggest adjacencies, kept across requests.

A path search near an authority or a conglomerate intersects that hub's tens of thousands
of neighbours with the entities it has reached, request after request. Asking the database
which of 3,000 candidates are among them costs a statement of 10-20 ms each time; reading
the hub's neighbour ids once from the index of edge ends (an index-only scan) and keeping
them makes every later intersection, and every "is this one a neighbour?" that finds none,
a set operation in the server. What is kept is bounded (:data:`BUDGET` ids over all hubs,
the least recently used dropped first), so a server's memory does not grow with the graph;
a new load starts with nothing kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from graph.store.postgres.lazy import Reader

__all__ = ["BUDGET", "HubNeighbours"]

#: Neighbour ids kept over all hubs (about 40 MB).
BUDGET = 500_000

_ENDS = {"out": ("src", "dst"), "in": ("dst", "src")}


class HubNeighbours:
    """Hub -> its neighbour ids on one side, read whole once and shared by every request of
    one load (thread-safe: requests run in threads)."""

    def __init__(self, reader: Reader, budget: int = BUDGET) -> None:
        self.reader, self.budget = reader, budget
        self.kept: OrderedDict[tuple[str, str], frozenset[str]] = OrderedDict()
        self.size = 0
        self._lock = threading.Lock()

    def peek(self, node: str, way: Literal["out", "in"]) -> frozenset[str] | None:
        """``node``'s neighbours on ``way`` if they are kept (no statement)."""
        with self._lock:
            found = self.kept.get((node, way))
            if found is not None:
                self.kept.move_to_end((node, way))
            return found

    def of(self, node: str, way: Literal["out", "in"]) -> frozenset[str]:
        """``node``'s neighbours on ``way``, read from the index and kept when not kept yet."""
        found = self.peek(node, way)
        if found is not None:
            return found
        mine, theirs = _ENDS[way]
        rows = self.reader.rows(f"SELECT DISTINCT {theirs} FROM {{s}}.edges WHERE {mine} = %s", [node])
        found = frozenset(row[0] for row in rows)
        if len(found) <= self.budget:
            with self._lock:
                if (node, way) not in self.kept:
                    self.kept[(node, way)] = found
                    self.size += len(found)
                while self.size > self.budget:
                    _, dropped = self.kept.popitem(last=False)
                    self.size -= len(dropped)
        return found
