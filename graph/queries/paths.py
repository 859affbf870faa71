"""Paths between two entities, shortest first, each hop explained by its edge and evidence.

Enumeration is bounded three ways: by ``max_hops``, by ``limit`` paths, and by the time
budget. Distances to the target are computed first, breadth-first but only to half of
``max_hops`` (the "horizon"), so a hub near the target cannot make this step cover the
whole graph. The depth-first search from the source then steps only to nodes from which
the target is still reachable in the hops left: within the horizon that is known exactly,
beyond it a node outside the horizon is only allowed while more hops than the horizon
remain. Paths come out by increasing length.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict, cast

import networkx as nx

from graph.errors import BadQuery
from graph.limits import MAX_HOPS, MAX_PATHS, Deadline, check_range
from graph.queries.part import Part
from graph.queries.walk import check_direction, edge_filter, neighbour_ids
from graph.store import records
from graph.store.records import Direction, EdgeFilter

__all__ = ["ChainHop", "Hop", "PathAnswer", "PathResult", "PathsAnswer", "explain_hop", "find_paths"]

_REVERSED: dict[str, Direction] = {"out": "in", "in": "out", "both": "both"}

_From = TypedDict("_From", {"from": str})


class ChainHop(records.RelationRecord, _From):
    """One hop of a path or chain: its edge, read in path order (``from`` -> ``to``), explained."""

    to: str
    forward: bool
    explanation: str


class Hop(ChainHop):
    """A hop of a path, with the other edges between the same two entities."""

    parallel: list[records.RelationRecord]


class PathAnswer(TypedDict):
    length: int
    hops: list[Hop]


class PathsAnswer(TypedDict):
    """What ``/api/paths`` answers."""

    source: records.EntitySummary
    target: records.EntitySummary
    paths: list[PathAnswer]
    truncated: bool
    truncated_reason: str | None


@dataclass
class PathResult:
    """Paths as lists of hops, shortest first."""

    source: str
    target: str
    paths: list[list[Hop]] = field(default_factory=list)
    truncated: bool = False
    truncated_reason: str | None = None

    def answer(self, graph: nx.MultiDiGraph) -> PathsAnswer:
        return {
            "source": records.summary(graph, self.source),
            "target": records.summary(graph, self.target),
            "paths": [{"length": len(hops), "hops": hops} for hops in self.paths],
            "truncated": self.truncated,
            "truncated_reason": self.truncated_reason,
        }

    def part(self) -> Part:
        """The nodes and edges of the paths (with their parallel edges), in path order."""
        part = Part(truncated=self.truncated, truncated_reason=self.truncated_reason)
        edges: dict[records.EdgeKey, None] = {}
        for hops in self.paths:
            for position, hop in enumerate(hops):
                part.nodes.setdefault(hop["from"], position)
                part.nodes.setdefault(hop["to"], position + 1)
                for edge in (hop, *hop["parallel"]):
                    edges[(edge["source"], edge["target"], edge["key"])] = None
        part.edges = list(edges)
        return part


def find_paths(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    max_hops: int = 4,
    relations: Iterable[str] | None = None,
    as_of: date | None = None,
    direction: Direction = "both",
    limit: int = 10,
    derived: bool = False,
    deadline: Deadline | None = None,
) -> PathResult:
    """Up to ``limit`` simple paths from ``source`` to ``target`` of at most ``max_hops`` hops.

    With ``direction="out"`` every hop follows its edge's direction; with ``"both"`` (the
    default) hops may also go against it, and say so (``forward: false``). Derived edges
    (``based_in`` from a country field) are not followed unless ``derived`` is set or
    ``relations`` names them: "both are based in Russia" explains nothing, and a country
    with half a million such edges would make every pair of entities two hops apart.

    >>> from graph.store.build import load_graph
    >>> result = find_paths(load_graph(), "riamb", "shaheen-3", direction="out", limit=1)
    >>> for hop in result.paths[0]:
    ...     print(hop["explanation"])
    Beijing Research Institute of Automation for Machine-Building Industry supplied National Development Complex
    National Development Complex develops Shaheen-3
    """
    check_range("max_hops", max_hops, 1, MAX_HOPS)
    check_range("limit", limit, 1, MAX_PATHS)
    check_direction(direction)
    if source == target:
        raise BadQuery("source and target must differ")
    deadline = deadline or Deadline.unlimited()
    keep = edge_filter(relations, as_of, derived=derived or bool(relations))
    result = PathResult(source, target)
    horizon = (max_hops + 1) // 2
    to_target = _distances(graph, target, _REVERSED[direction], keep, horizon, deadline)
    search = _Search(graph, target, to_target, horizon, direction, keep, deadline)
    for node_path in search.simple_paths(source, max_hops):
        result.paths.append(_hops(graph, node_path, direction, keep))
        if len(result.paths) >= limit:
            result.truncated, result.truncated_reason = True, "limit"
            break
    if deadline.expired:
        result.truncated, result.truncated_reason = True, "time_budget"
    return result


def _distances(
    graph: nx.MultiDiGraph, start: str, direction: Direction, keep: EdgeFilter | None, horizon: int, deadline: Deadline
) -> dict[str, int]:
    """Hops to ``start`` from every node within ``horizon`` hops of it (walking edges the given way)."""
    distance = {start: 0}
    frontier = [start]
    for hops in range(1, horizon + 1):
        next_frontier = []
        for node in frontier:
            for other in neighbour_ids(graph, node, direction, keep):
                if other not in distance:
                    distance[other] = hops
                    next_frontier.append(other)
            if deadline.expired:
                return distance
        frontier = next_frontier
    return distance


@dataclass
class _Search:
    """Depth-first enumeration of simple paths to one target, pruned by distances to it."""

    graph: nx.MultiDiGraph
    target: str
    to_target: dict[str, int]
    horizon: int
    direction: Direction
    keep: EdgeFilter | None
    deadline: Deadline

    def simple_paths(self, source: str, max_hops: int) -> Iterator[list[str]]:
        """Node paths from ``source``, by increasing length up to ``max_hops``."""
        shortest = self.to_target.get(source, self.horizon + 1)
        for length in range(shortest, max_hops + 1):
            yield from self._paths_of_length(source, length)
            if self.deadline.expired:
                return

    def _paths_of_length(self, source: str, length: int) -> Iterator[list[str]]:
        path = [source]
        on_path = {source}
        stack = [iter(self._steps(source, length - 1))]
        while stack:
            if self.deadline.expired:
                return
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                on_path.discard(path.pop())
                continue
            left = length - len(path)  # hops left once at `step`
            if step == self.target:
                if left == 0:
                    yield [*path, step]
                continue
            if step in on_path or left == 0:
                continue
            path.append(step)
            on_path.add(step)
            stack.append(iter(self._steps(step, left - 1)))

    def _steps(self, node: str, budget: int) -> list[str]:
        """Distinct neighbours of ``node`` from which the target may be ``budget`` hops away or fewer."""
        to_target, horizon = self.to_target, self.horizon
        return list(
            dict.fromkeys(
                other
                for other in neighbour_ids(self.graph, node, self.direction, self.keep)
                if (to_target[other] <= budget if other in to_target else budget > horizon)
            )
        )


def _hops(graph: nx.MultiDiGraph, node_path: list[str], direction: Direction, keep: EdgeFilter | None) -> list[Hop]:
    hops = []
    for a, b in itertools.pairwise(node_path):
        found = records.relations_between(graph, a, b, direction, keep)
        u, v, k, d, forward = found[0]
        hop = cast(Hop, chain_hop(graph, u, v, k, d, forward))
        hop["parallel"] = [records.relation_record(pu, pv, pk, pd) for pu, pv, pk, pd, _ in found[1:]]
        hops.append(hop)
    return hops


def chain_hop(graph: nx.MultiDiGraph, u: str, v: str, key: str, attrs: records.Attrs, forward: bool) -> ChainHop:
    """The edge ``(u, v, key)`` as a hop walked from ``u`` to ``v`` (``forward``) or back."""
    a, b = (u, v) if forward else (v, u)
    hop = cast(ChainHop, records.relation_record(u, v, key, attrs))
    hop["from"], hop["to"], hop["forward"] = a, b, forward
    hop["explanation"] = explain_hop(graph, a, b, str(attrs.get("relation", "related")), forward)
    return hop


def explain_hop(graph: nx.MultiDiGraph, a: str, b: str, relation: str, forward: bool) -> str:
    """A sentence for one hop, read in the path's direction ("X supplied Y", "Y is supplied by X")."""
    verb = records.vocabulary(graph).relation_label(relation, forward)
    return f"{records.label(graph, a)} {verb} {records.label(graph, b)}"
