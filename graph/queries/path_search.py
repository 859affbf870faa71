"""Enumerating the simple paths from one entity to another, one length at a time, under the walk rules.

Distances to the target are computed first, breadth-first but only to half of ``max_hops``
(the "horizon"), so a hub near the target cannot make this step cover the whole graph. The
depth-first search from the source then steps only to nodes from which the target is still
reachable in the hops left: within the horizon that is known exactly, beyond it a node
outside the horizon is only allowed while more hops than the horizon remain. The distances
ignore the shared-relation rule, so they never exceed the real ones and the pruning stays
exact; the rule itself is applied as the search steps (see :func:`graph.queries.walk.passes`).
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from graph.limits import Deadline
from graph.queries.walk import Via, neighbour_ids, neighbour_steps, passes
from graph.store.records import Direction, EdgeFilter

__all__ = ["PathSearch"]

_REVERSED: dict[Direction, Direction] = {"out": "in", "in": "out", "both": "both"}


class PathSearch:
    """Simple paths to one ``target`` of at most ``max_hops`` hops, over the edges ``keep`` passes."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        target: str,
        *,
        max_hops: int,
        direction: Direction,
        keep: EdgeFilter | None,
        shared: frozenset[str],
        deadline: Deadline,
    ) -> None:
        self.graph, self.target, self.direction, self.keep = graph, target, direction, keep
        self.shared, self.deadline = shared, deadline
        self.horizon = (max_hops + 1) // 2
        self.to_target = self._distances()

    def shortest_possible(self, source: str) -> int:
        """A lower bound on the hops from ``source`` to the target (exact within the horizon)."""
        return self.to_target.get(source, self.horizon + 1)

    def paths_of_length(self, source: str, length: int, via: Via) -> Iterator[list[str]]:
        """Node paths from ``source`` to the target of exactly ``length`` hops, in no useful order."""
        target, deadline = self.target, self.deadline
        path = [source]
        arrived = [0]  # flags of the step that reached each node of the path (the source: none)
        on_path = {source}
        stack = [iter(self._steps(source, length - 1))]
        while stack:
            if deadline.expired:
                return
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
                on_path.discard(path.pop())
                arrived.pop()
                continue
            step, flags = item
            if not passes(arrived[-1], flags, via):
                continue
            left = length - len(path)  # hops left once at `step`
            if step == target:
                if left == 0:
                    yield [*path, step]
                continue
            if step in on_path or left == 0:
                continue
            path.append(step)
            arrived.append(flags)
            on_path.add(step)
            stack.append(iter(self._steps(step, left - 1)))

    def _steps(self, node: str, budget: int) -> list[tuple[str, int]]:
        """Neighbours of ``node`` (with their step flags) from which the target may be ``budget`` hops away or fewer."""
        to_target, horizon = self.to_target, self.horizon
        return [
            (other, flags)
            for other, flags in neighbour_steps(self.graph, node, self.direction, self.keep, self.shared).items()
            if (to_target[other] <= budget if other in to_target else budget > horizon)
        ]

    def _distances(self) -> dict[str, int]:
        """Hops to the target from every node within the horizon (walking edges against the search's way)."""
        distance = {self.target: 0}
        frontier = [self.target]
        way = _REVERSED[self.direction]
        for hops in range(1, self.horizon + 1):
            next_frontier = []
            for node in frontier:
                for other in neighbour_ids(self.graph, node, way, self.keep):
                    if other not in distance:
                        distance[other] = hops
                        next_frontier.append(other)
                if self.deadline.expired:
                    return distance
            frontier = next_frontier
        return distance
