"""k-hop neighbourhoods around one or more centres, filtered, as-of, bounded in size and time."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

import networkx as nx

from graph.errors import BadQuery, OutOfTime
from graph.limits import MAX_CENTERS, MAX_DEPTH, MAX_EXPANSIONS, MAX_NODES, Deadline, check_range
from graph.queries.groups import Bucket, Counted, Way, group_relation, neighbour_buckets
from graph.queries.part import Part
from graph.queries.walk import (
    DERIVED,
    SHARED,
    Via,
    check_direction,
    check_via,
    edge_filter,
    passes,
    step_between,
    steps_from,
)
from graph.store import records
from graph.store.records import Direction, EdgeFilter

__all__ = ["subgraph"]

_WAYS: dict[str, tuple[Way, ...]] = {"out": ("out",), "in": ("in",), "both": ("out", "in")}


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
    expand_page: int | None = None,
    include: Sequence[str] = (),
    via: Via = "connections",
    group: int | None = None,
    deadline: Deadline | None = None,
) -> Part:
    """Everything within ``depth`` hops of the centres, nearest first.

    Breadth-first from all centres at once, so when ``max_nodes`` cuts, the nodes kept are
    the ones nearest a centre. A node reached only by derived edges (a country, through the
    ``based_in`` edges made from country fields) is kept but not expanded: centre on it to
    see its members, which would otherwise fill every depth-2 view with unrelated entities.
    A node reached only by shared relations (designated by the centre's authority) is
    expanded only by its connecting ones, as paths do (see :mod:`graph.queries.walk`): the
    other firms the same authority designated are not the centre's neighbourhood. With
    ``via="shared"`` they are.
    ``kinds`` limits which nodes are reached (centres are always kept); ``relations`` and
    ``as_of`` limit which edges are followed and returned. Edges are every passing edge
    between kept nodes. Stops early, marked ``truncated``, when
    ``max_nodes`` or the time budget is reached. ``expand`` lists nodes whose direct
    neighbours are added after that (as an explorer does when a node is expanded): all of
    them, or with ``expand_page`` the first ``expand_page`` for each time a node is listed
    (a node listed twice is expanded by two pages, as the explorer's "expand again" does).
    With ``group`` (a threshold, e.g. :data:`~graph.queries.groups.GROUP_THRESHOLD`), an
    expanded node's neighbours through one relation and direction that number more than it
    are not added one by one but summarised as groups (see :mod:`graph.queries.groups`);
    a neighbour also reached another way is still added, and counted as shown. ``include``
    lists entities added as they are, after the rest and not expanded (an explorer pulling a
    member out of a group).

    >>> from graph.store.build import load_graph
    >>> part = subgraph(load_graph(), ["xian-longde"], depth=1, relations=["sanctioned"])
    >>> sorted(part.nodes), len(part.edges)
    (['us-state-dept', 'xian-longde'], 2)
    """
    if not centers:
        raise BadQuery("give at least one centre")
    check_range("number of centres", len(centers), 1, MAX_CENTERS)
    check_range("depth", depth, 0, MAX_DEPTH)
    check_range("max_nodes", max_nodes, 1, MAX_NODES)
    expansions = Counter(expand)
    check_range("number of expanded nodes", len(expansions), 0, MAX_CENTERS)
    check_range("number of expansion pages", len(expand), 0, MAX_EXPANSIONS)
    check_range("number of included entities", len(include), 0, MAX_EXPANSIONS)
    check_direction(direction)
    check_via(via)
    deadline = deadline or Deadline.unlimited()
    records.bound(graph, deadline)
    keep = edge_filter(relations, as_of)
    wanted_kinds = frozenset(kinds or ())
    entities = records.entities(graph)
    part = Part()
    for center in dict.fromkeys(centers):
        if len(part.nodes) >= max_nodes:
            return part.cut("max_nodes")
        part.nodes[center] = 0

    def admit(other: str, distance: int) -> str | None:
        """Add ``other`` unless kept already or of an unwanted kind; the reason to stop, if any."""
        if other in part.nodes or (wanted_kinds and entities[other].get("kind") not in wanted_kinds):
            return None
        if len(part.nodes) >= max_nodes:
            return "max_nodes"
        part.nodes[other] = distance
        return None

    buckets: dict[tuple[str, str, Way], Bucket] = {}
    relation_types = frozenset(relations or ())

    def walk_from(node: str, connecting: bool = False) -> Iterator[tuple[str, int]]:
        """The steps the walk takes from ``node`` one by one: all of them, or with grouping
        those to neighbours outside its big relations (whose members go to ``buckets``).
        ``connecting``: the walk may only leave by a connecting relation (it arrived by a
        shared one), so neighbours joined by shared relations alone need not be read."""
        if group is None or sum(len(side[node]) for side in records.sides(graph, direction)) <= group:
            return steps_from(graph, node, direction, keep, shared, connecting)  # too few neighbours for any group
        # a group holds only what the view may reach
        by = neighbour_buckets(graph, node, _WAYS[direction], relation_types, as_of, wanted_kinds, group)
        big = [bucket for bucket, members in by.items() if len(members) > group]
        if not big:
            return steps_from(graph, node, direction, keep, shared, connecting)
        for relation, way in big:
            buckets[(node, relation, way)] = by[(relation, way)]
        individually = dict.fromkeys(
            m
            for bucket, members in by.items()
            if bucket not in big and not isinstance(members, Counted)
            for m in members
        )
        found = ((other, step_between(graph, node, other, direction, keep, shared)) for other in individually)
        return ((other, step) for other, step in found if step is not None)

    def finish(reason: str | None = None) -> Part:
        _collect_edges(graph, part, keep, deadline)
        for (node, relation, way), members in buckets.items():
            # a relation not counted when the budget runs out is left out, and the answer says it is cut
            counted = None if deadline.expired else group_relation(
                graph, node, relation, way, members, part.nodes, as_of=as_of, kinds=wanted_kinds, deadline=deadline
            )  # fmt: skip
            if counted is None:
                reason = "time_budget"
                break
            summary, groups, rest = counted
            part.groups += groups
            part.hidden.append((node, way, rest))
            part.grouped.append(summary)
        if reason is None and deadline.expired:
            reason = "time_budget"
        return part.cut(reason) if reason else part

    shared = records.vocabulary(graph).shared_relations
    frontier = dict.fromkeys(part.nodes, 0)  # node -> flags of the steps that reached it
    steps = 0
    for distance in range(1, depth + 1):
        reached: dict[str, int] = {}
        records.gather(graph, frontier, direction)
        for node, arrived in frontier.items():
            try:
                leaving = walk_from(node, connecting=bool(arrived & SHARED) and via != "shared")
            except OutOfTime:  # a hub's relations counted past the budget (the store counts on, for the next view)
                return finish("time_budget")
            for other, step in leaving:
                steps += 1
                if steps % 1024 == 0 and deadline.expired:
                    return finish("time_budget")
                if not passes(arrived, step, via):
                    continue
                if other in reached:
                    reached[other] &= step
                    continue
                if other in part.nodes:
                    continue
                if reason := admit(other, distance):
                    return finish(reason)
                if other in part.nodes:
                    reached[other] = step
        frontier = {node: step for node, step in reached.items() if not step & DERIVED}
    for node, pages in expansions.items():
        part.nodes.setdefault(node, depth + 1)
        try:
            around = _distinct(other for other, _ in walk_from(node))
        except OutOfTime:
            return finish("time_budget")
        for other in around if expand_page is None else itertools.islice(around, pages * expand_page):
            steps += 1
            if steps % 1024 == 0 and deadline.expired:
                return finish("time_budget")
            if reason := admit(other, part.nodes[node] + 1):
                return finish(reason)
    for node in include:
        if node not in part.nodes:
            if len(part.nodes) >= max_nodes:
                return finish("max_nodes")
            part.nodes[node] = depth + 1
    return finish()


def _distinct(ids: Iterable[str]) -> Iterator[str]:
    """``ids`` without repeats, lazily (a hub's expansion stops reading at its page)."""
    seen: set[str] = set()
    for other in ids:
        if other not in seen:
            seen.add(other)
            yield other


def _collect_edges(graph: nx.MultiDiGraph, part: Part, keep: EdgeFilter | None, deadline: Deadline) -> None:
    """Every passing edge between selected nodes (see :func:`graph.store.records.edges_among`)."""
    append, read = part.edges.append, part.edge_attrs
    for count, (u, v, key, data) in enumerate(records.edges_among(graph, part.nodes), 1):
        if keep is None or keep(data):
            append((u, v, key))
            read[(u, v, key)] = data
        if count % 1024 == 0 and deadline.expired:
            return
