"""k-hop neighbourhoods around one or more centres, filtered, as-of, bounded in size and time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import networkx as nx

from graph.asof import edge_counts_on
from graph.errors import BadQuery
from graph.limits import MAX_CENTERS, MAX_DEPTH, MAX_NODES, Deadline, check_range

__all__ = [
    "Direction",
    "Selection",
    "edge_filter",
    "edges_between",
    "neighbour_ids",
    "selection_graph",
    "subgraph",
]

Direction = Literal["out", "in", "both"]
EdgeFilter = Callable[[dict[str, Any]], bool]


@dataclass
class Selection:
    """A part of the graph: nodes with their distance from the nearest centre, and edge keys."""

    nodes: dict[str, int] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    truncated: bool = False
    truncated_reason: str | None = None

    def to_json(self, graph: nx.MultiDiGraph) -> dict[str, Any]:
        """Node-link form: nodes with attributes and ``distance``, edges with every attribute.

        Imported (FtM) records carry their provenance as attributes (``datasets``,
        ``source_url``, ``ftm_file``, ``ftm_line``); the citation built from them is added
        where records are shown one at a time (entity detail, paths, the explorer), not
        here, where it would cost more than the whole query.
        """
        node_data, succ = graph._node, graph._succ  # direct reads: the public views cost ~10x more here
        nodes = []
        for node, distance in self.nodes.items():
            record = node_data[node].copy()  # dict.copy is the fastest way to a fresh dict
            record["id"] = node
            record["distance"] = distance
            nodes.append(record)
        edges = []
        for u, v, k in self.edges:
            record = succ[u][v][k].copy()
            record["source"], record["target"], record["key"] = u, v, k
            edges.append(record)
        return {"nodes": nodes, "edges": edges, "truncated": self.truncated, "truncated_reason": self.truncated_reason}


def edge_filter(relations: Iterable[str] | None, as_of: date | None, derived: bool = True) -> EdgeFilter | None:
    """A predicate on edge attributes (the relation is one of ``relations``, counts on ``as_of``,
    and is not ``derived`` unless allowed), or None when every edge passes, so callers can skip
    the per-edge test."""
    wanted = frozenset(relations or ())
    if not wanted and as_of is None and derived:
        return None

    def keep(data: dict[str, Any]) -> bool:
        return (
            (not wanted or data.get("relation") in wanted)
            and (derived or not data.get("derived"))
            and edge_counts_on(data, as_of)
        )

    return keep


def _sides(graph: nx.MultiDiGraph, direction: Direction) -> tuple[dict[str, Any], ...]:
    """The adjacency dicts to walk for ``direction``: successors, predecessors or both."""
    if direction == "both":
        return (graph._succ, graph._pred)
    return (graph._succ,) if direction == "out" else (graph._pred,)


def neighbour_ids(graph: nx.MultiDiGraph, node: str, direction: Direction, keep: EdgeFilter | None) -> Iterator[str]:
    """The other ends of the passing edges around ``node`` (a node may repeat when ``direction`` is both)."""
    sides = _sides(graph, direction)
    for side in sides:
        adjacency = side[node]
        if keep is None:
            yield from adjacency
        else:
            for other, keyed in adjacency.items():
                if any(keep(data) for data in keyed.values()):
                    yield other


def _neighbours_how(
    graph: nx.MultiDiGraph, node: str, direction: Direction, keep: EdgeFilter | None
) -> Iterator[tuple[str, bool]]:
    """Like :func:`neighbour_ids`, with whether ``other`` is reached only by derived edges
    (``based_in`` from a country field): such a node is shown but not expanded further."""
    sides = _sides(graph, direction)
    for side in sides:
        for other, keyed in side[node].items():
            if keep is None and len(keyed) == 1:  # the common case, without a list
                for data in keyed.values():
                    yield other, "derived" in data and bool(data["derived"])
                continue
            passing = [d for d in keyed.values() if keep is None or keep(d)]
            if passing:
                yield other, all(d.get("derived") for d in passing)


def edges_between(
    graph: nx.MultiDiGraph, a: str, b: str, direction: Direction, keep: EdgeFilter | None
) -> list[tuple[str, str, str, dict[str, Any], bool]]:
    """Passing edges between ``a`` and ``b`` as (u, v, key, attributes, forward?), forward ones first."""
    found = []
    if direction in ("out", "both"):
        found += [(a, b, k, d, True) for k, d in graph._succ[a].get(b, {}).items() if keep is None or keep(d)]
    if direction in ("in", "both"):
        found += [(b, a, k, d, False) for k, d in graph._pred[a].get(b, {}).items() if keep is None or keep(d)]
    return found


def subgraph(
    graph: nx.MultiDiGraph,
    centers: Sequence[str],
    *,
    depth: int = 1,
    direction: Direction = "both",
    kinds: Iterable[str] | None = None,
    relations: Iterable[str] | None = None,
    as_of: date | None = None,
    max_nodes: int = 500,
    expand: Sequence[str] = (),
    deadline: Deadline | None = None,
) -> Selection:
    """Everything within ``depth`` hops of the centres, nearest first.

    Breadth-first from all centres at once, so when ``max_nodes`` cuts, the nodes kept are
    the ones nearest a centre. A node reached only by derived edges (a country, through the
    ``based_in`` edges made from country fields) is kept but not expanded: centre on it to
    see its members, which would otherwise fill every depth-2 view with unrelated entities.
    ``kinds`` limits which nodes are reached (centres are always kept); ``relations`` and
    ``as_of`` limit which edges are followed and returned. Edges are every passing edge
    between kept nodes. Stops early, marked ``truncated``, when
    ``max_nodes`` or the time budget is reached. ``expand`` lists nodes whose direct
    neighbours are added after that (as an explorer does when a node is expanded).

    >>> from graph.build import load_graph
    >>> sel = subgraph(load_graph(), ["xian-longde"], depth=1, relations=["sanctioned"])
    >>> sorted(sel.nodes), len(sel.edges)
    (['us-state-dept', 'xian-longde'], 2)
    """
    if not centers:
        raise BadQuery("give at least one centre")
    check_range("number of centres", len(centers), 1, MAX_CENTERS)
    check_range("depth", depth, 0, MAX_DEPTH)
    check_range("max_nodes", max_nodes, 1, MAX_NODES)
    check_range("number of expanded nodes", len(expand), 0, MAX_CENTERS)
    if direction not in ("out", "in", "both"):
        raise BadQuery(f"direction must be out, in or both, not {direction!r}")
    deadline = deadline or Deadline.unlimited()
    keep = edge_filter(relations, as_of)
    wanted_kinds = frozenset(kinds or ())
    selection = Selection()
    for center in dict.fromkeys(centers):
        if len(selection.nodes) >= max_nodes:
            return _cut(selection, "max_nodes")
        selection.nodes[center] = 0

    def admit(other: str, distance: int) -> str | None:
        """Add ``other`` unless kept already or of an unwanted kind; the reason to stop, if any."""
        if other in selection.nodes or (wanted_kinds and graph.nodes[other].get("kind") not in wanted_kinds):
            return None
        if len(selection.nodes) >= max_nodes:
            return "max_nodes"
        selection.nodes[other] = distance
        return None

    def stop(reason: str) -> Selection:
        _collect_edges(graph, selection, keep, deadline)
        return _cut(selection, reason)

    frontier = list(selection.nodes)
    steps = 0
    for distance in range(1, depth + 1):
        next_frontier = []
        for node in frontier:
            for other, derived in _neighbours_how(graph, node, direction, keep):
                steps += 1
                if steps % 1024 == 0 and deadline.expired:
                    return stop("time_budget")
                if other in selection.nodes:
                    continue
                if reason := admit(other, distance):
                    return stop(reason)
                if other in selection.nodes and not derived:  # admitted, and reached by a real relation
                    next_frontier.append(other)
        frontier = next_frontier
    for node in dict.fromkeys(expand):
        selection.nodes.setdefault(node, depth + 1)
        for other in neighbour_ids(graph, node, direction, keep):
            steps += 1
            if steps % 1024 == 0 and deadline.expired:
                return stop("time_budget")
            if reason := admit(other, selection.nodes[node] + 1):
                return stop(reason)
    _collect_edges(graph, selection, keep, deadline)
    if deadline.expired:
        return _cut(selection, "time_budget")
    return selection


def _cut(selection: Selection, reason: str) -> Selection:
    selection.truncated = True
    selection.truncated_reason = reason
    return selection


def _collect_edges(graph: nx.MultiDiGraph, selection: Selection, keep: EdgeFilter | None, deadline: Deadline) -> None:
    """Every passing edge between selected nodes, probing from whichever side is smaller."""
    kept = selection.nodes
    size = len(kept)
    edges = selection.edges
    append = edges.append
    succ = graph._succ
    for count, u in enumerate(kept, 1):
        adjacency = succ[u]
        if adjacency:
            # plain loops rather than comprehensions: most nodes have one or two neighbours here,
            # and at a million nodes this loop is a third of a subgraph query
            for v in adjacency if len(adjacency) <= size else [v for v in kept if v in adjacency]:
                if v in kept:
                    for key, data in adjacency[v].items():
                        if keep is None or keep(data):
                            append((u, v, key))
        if count % 256 == 0 and deadline.expired:
            return


def selection_graph(graph: nx.MultiDiGraph, selection: Selection) -> nx.MultiDiGraph:
    """The selection as a graph of its own, for exports (attribute dicts copied shallowly: values are shared)."""
    view = nx.MultiDiGraph(**graph.graph)
    view.add_nodes_from((n, graph.nodes[n]) for n in selection.nodes)
    view.add_edges_from((u, v, k, graph._succ[u][v][k]) for u, v, k in selection.edges)
    return view
