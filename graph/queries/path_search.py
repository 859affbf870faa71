"""Enumerating the simple paths between two entities, one length at a time, meeting in the middle.

Each end grows its own layers of *half paths*: every simple walk of k hops from that end
that respects the walk rule (:func:`graph.queries.walk.passes`). A path of L hops is a half
path of ``a`` hops from the source and one of ``b`` hops from the target, joined across a
gap of ``g = L - a - b`` hops:

- ``g = 0``: the two halves end at the same entity;
- ``g = 1``: an edge joins their ends (looked up, never walked);
- ``g = 2``: an entity adjacent to both ends joins them, found by reading the smaller of
  the two ends' neighbourhoods and looking the other end up.

Every split finds every path of its length exactly once, so the search is free to choose
the cheapest: it estimates what each possible join would read and what growing either
side by one layer would read, and does the cheapest. A hub next to one end (a holding
company owning forty thousand firms, an authority with tens of thousands of designations)
is then looked up from the other side instead of being walked through, and an empty layer
proves there is no longer path at all.

The answers are exactly the simple paths a depth-first search from the source finds under
the same rule (the tests compare them); only the work differs. Bounded by the time budget
and by :data:`MAX_HALF_PATHS` half paths held at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import networkx as nx

from graph.errors import OutOfTime
from graph.limits import Deadline
from graph.queries.walk import (
    Via,
    kind_step_between,
    kind_steps,
    kind_steps_to,
    neighbour_steps,
    passes,
    step_between,
    undated,
)
from graph.store import records
from graph.store.records import Direction, EdgeFilter

__all__ = ["MAX_HALF_PATHS", "PathSearch"]

_REVERSED: dict[Direction, Direction] = {"out": "in", "in": "out", "both": "both"}

#: Half paths held by one search; past it the search stops, marked truncated.
MAX_HALF_PATHS = 2_000_000
#: Pairs of ends a two-hop join would compare beyond which it is not considered.
_MAX_PAIRS = 100_000
#: A join is preferred to growing a side unless growing costs less than this share of it:
#: a grown layer is reused by longer lengths, but the default four hops rarely need it.
_GROWTH_PREMIUM = 2
#: How much faster a set intersection (C) reads entries than a Python loop does.
_C_SPEEDUP = 30
#: Middle entities whose steps are read at once (a database-backed graph reads them in one
#: statement): two authorities share thousands of designated entities, and a search that
#: has its candidates after the first few hundred reads no more.
_MIDDLES_READ = 512
#: Above this many middle entities a search in connections mode first asks which are joined
#: to either end by a relation that is not shared (see ``_connecting_middles``).
_FEW_MIDDLES = 128
#: Ends (or pairs of ends) a join goes through between two checks of the time budget.
_ENDS_AT_ONCE = 256
#: Neighbours of the ends a search reads at once (see ``PathSearch.read_ahead``), by their
#: edges' kinds; by their attributes (a search with an as-of day), this many times fewer.
_READ_AHEAD = 16_384
_ATTRIBUTES_WEIGH = 8
_UNBOUNDED = 1 << 30
#: Steps between two entities a search keeps worked out (then it starts again): a bound on
#: what a search near a hub holds, a few megabytes.
_STEPS_KEPT = 65_536


@dataclass(frozen=True, slots=True)
class _Half:
    """A simple walk from one end: its entities from the end onwards, and the flags of its last step."""

    nodes: tuple[str, ...]
    last: int


class _Side:
    """The layers of half paths from one end (layer k: every half path of k hops), with what
    each layer's ends are and what growing it would cost, worked out once."""

    def __init__(
        self, graph: nx.MultiDiGraph, start: str, other_end: str, direction: Direction, search: PathSearch
    ) -> None:
        self.graph, self.other_end, self.direction, self.search = graph, other_end, direction, search
        self.adjacency = records.sides(graph, direction)
        self.layers: list[list[_Half]] = []
        self.ends: list[dict[str, list[_Half]]] = []
        self._degrees: dict[str, int] = {}
        self._add([_Half((start,), 0)])

    @property
    def depth(self) -> int:
        return len(self.layers) - 1

    def degree(self, node: str) -> int:
        found = self._degrees.get(node)
        if found is None:
            found = self._degrees[node] = records.degree(self.graph, node, self.direction)
        return found

    def _add(self, layer: list[_Half]) -> None:
        ends: dict[str, list[_Half]] = {}
        for half in layer:
            ends.setdefault(half.nodes[-1], []).append(half)
        self.layers.append(layer)
        self.ends.append(ends)
        self.cost = sum(self.degree(end) * len(halves) for end, halves in ends.items() if end != self.other_end)
        """What growing the last layer would make: a half path per neighbour of each half's end."""

    def grow(self, via: Via) -> str | None:
        """Add the next layer; or say what stopped it (``time_budget``, ``max_nodes``)."""
        search = self.search
        layer: list[_Half] = []
        ends = self.ends[-1]
        # an end at the other end is not grown: a longer path cannot pass through it
        growing = (end for end in ends if end != self.other_end)
        for seen, end in enumerate(search.read_ahead(growing, self), 1):
            halves = ends[end]
            steps = search.steps(end, self.direction)
            if steps is None:
                return "time_budget"
            for half in halves:
                interior = len(half.nodes) > 1
                for other, flags in steps.items():
                    if other not in half.nodes and (not interior or passes(half.last, flags, via)):
                        layer.append(_Half((*half.nodes, other), flags))
            if seen % 64 == 0 and search.deadline.expired:
                return "time_budget"
            if search.held + len(layer) > MAX_HALF_PATHS:
                return "max_nodes"
        search.held += len(layer)
        self._add(layer)
        return None


@dataclass(frozen=True)
class _Join:
    cost: float
    a: int
    b: int
    gap: int


class PathSearch:
    """Simple paths from ``source`` to ``target``, by increasing length (ask for 1, 2, 3...)."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        source: str,
        target: str,
        *,
        direction: Direction,
        keep: EdgeFilter | None,
        shared: frozenset[str],
        via: Via,
        deadline: Deadline,
    ) -> None:
        self.graph, self.direction = graph, direction
        self.keep, self.shared, self.via, self.deadline = keep, shared, via, deadline
        records.bound(graph, deadline)
        self.rule = keep if undated(keep) else None
        self.by_kind = undated(keep)
        """Whether the search steps by the edges' kinds alone (no as-of filter): a database
        then reads no edge's attributes until the answer is written."""
        self.held = 0
        self.stopped: str | None = None
        """What stopped the search before it was done (``time_budget``, ``max_nodes``), if anything."""
        self._steps: dict[tuple[str, str], int | None] = {}
        self._bound = _UNBOUNDED  # no path has this many hops or more
        self._asked = 0
        this = cast("PathSearch", weakref.proxy(self))  # no cycle: freed as the search ends, not by the collector
        self._heads = _Side(graph, source, target, direction, this)
        self._tails = _Side(graph, target, source, _REVERSED[direction], this)

    @property
    def exhausted(self) -> bool:
        """True once no path can be longer than the last length asked for."""
        return self._bound <= self._asked + 1

    def paths_of_length(self, length: int) -> Iterator[list[str]]:
        """Every simple path of exactly ``length`` hops (lengths asked in increasing order)."""
        self._asked = length
        while not self.stopped and length < self._bound:
            join = self._cheapest_join(length)
            growable = [side for side in (self._heads, self._tails) if side.cost > 0]
            grower = min(growable, key=lambda side: side.cost, default=None)
            if join is not None and (grower is None or join.cost <= _GROWTH_PREMIUM * grower.cost):
                yield from self._join(join)
                return
            if grower is None:
                return
            self.stopped = grower.grow(self.via)
            if not self.stopped:
                self._bound = min(self._bound, self._longest_after(grower))

    @staticmethod
    def _longest_after(side: _Side) -> int:
        """A bound on path lengths from a side's layers: a path of L hops has a half of every
        length up to L on each side, so an empty layer k (or one that cannot grow) bounds L."""
        if not side.layers[-1]:
            return side.depth
        return side.depth + 1 if side.cost == 0 else _UNBOUNDED

    # ---- planning ------------------------------------------------------------------------

    def _cheapest_join(self, length: int) -> _Join | None:
        """The join of existing layers that reads the least to find every path of ``length``."""
        best: _Join | None = None
        for a in range(min(self._heads.depth, length) + 1):
            for gap in (0, 1, 2):
                b = length - a - gap
                if b < 0 or b > self._tails.depth:
                    continue
                cost = self._join_cost(a, b, gap)
                if best is None or cost < best.cost:
                    best = _Join(cost, a, b, gap)
        return best

    def _join_cost(self, a: int, b: int, gap: int) -> float:
        """Python steps a join would take; set intersections run in C, :data:`_C_SPEEDUP` times faster."""
        heads, tails = self._heads.ends[a], self._tails.ends[b]
        base = len(self._heads.layers[a]) + len(self._tails.layers[b])
        if gap == 0:
            return base
        if gap == 1:
            return base + sum(min(self._heads.degree(x), len(tails)) for x in heads) / _C_SPEEDUP + len(heads)
        if len(heads) * len(tails) > _MAX_PAIRS:
            return float("inf")
        reading = sum(min(self._heads.degree(x), self._tails.degree(y)) for x in heads for y in tails)
        return base + reading / _C_SPEEDUP + len(heads) * len(tails)

    # ---- joining ----------------------------------------------------------------------

    def _join(self, join: _Join) -> Iterator[list[str]]:
        heads, tails = self._heads.ends[join.a], self._tails.ends[join.b]
        pairs = {0: self._meet, 1: self._bridge_edge, 2: self._bridge_entity}[join.gap](heads, tails)
        for count, (head, middle, tail) in enumerate(pairs, 1):
            yield [*head.nodes, *middle, *reversed(tail.nodes)]
            if count % 256 == 0 and self.deadline.expired:
                self.stopped = "time_budget"
                return

    def _meet(self, heads: dict[str, list[_Half]], tails: dict[str, list[_Half]]) -> Iterator[_Triple]:
        """Halves ending at the same entity (the tail's copy of it is dropped)."""
        for seen, (end, with_head) in enumerate(heads.items(), 1):
            if seen % _ENDS_AT_ONCE == 0 and self.deadline.expired:
                self.stopped = "time_budget"
                return
            for tail in tails.get(end, ()):
                trimmed = _Half(tail.nodes[:-1], tail.last)
                for head in with_head:
                    inside = len(head.nodes) > 1 and len(tail.nodes) > 1  # the meeting entity is not an end
                    if (not inside or self._keeps_rule(head.last, tail.last)) and _apart(
                        head.nodes[:-1], trimmed.nodes
                    ):
                        yield head, (), trimmed

    def _bridge_edge(self, heads: dict[str, list[_Half]], tails: dict[str, list[_Half]]) -> Iterator[_Triple]:
        """Halves whose ends one edge joins (the ends' neighbours intersected with the tails' ends,
        in C); the steps of many ends' joined ones are read at once (see :meth:`_batches`)."""
        found = (
            (x, _common(tuple(side[x] for side in self._heads.adjacency), (tails,)))
            for x in self.read_ahead(heads, self._heads)
        )
        for batch in self._batches(found):
            self._gather_pairs(pair for x, joined in batch for y in joined for pair in ((x, y), (y, x)))
            for x, joined in batch:
                for y in joined:
                    flags = self._step(x, y)
                    if flags is None:
                        continue
                    for head in heads[x]:
                        for tail in tails[y]:
                            if self._at_ends(head, flags, flags, tail) and _apart(head.nodes, tail.nodes):
                                yield head, (), tail

    def _bridge_entity(self, heads: dict[str, list[_Half]], tails: dict[str, list[_Half]]) -> Iterator[_Triple]:
        """Halves whose ends are both adjacent to one more entity, read from the smaller
        neighbourhood; the steps through the middle entities of many pairs of ends are read
        at once (see :meth:`_batches`)."""
        found = (
            (x, y, self._middle_entities(x, y))
            for x in self.read_ahead(heads, self._heads)
            for y in self.read_ahead(tails, self._tails)
            if x != y
        )
        for batch in self._batches(found):
            self._gather_middles((x, y, middles[:_MIDDLES_READ]) for x, y, middles in batch)
            for x, y, middles in batch:
                if self.stopped:
                    return
                for z, into, out in self._middles(x, y, middles):
                    if not passes(into, out, self.via):
                        continue
                    for head in heads[x]:
                        for tail in tails[y]:
                            if (
                                self._at_ends(head, into, out, tail)
                                and z not in head.nodes
                                and z not in tail.nodes
                                and _apart(head.nodes, tail.nodes)
                            ):
                                yield head, (z,), tail

    def _batches(self, found: Iterable[_Found]) -> Iterator[list[_Found]]:
        """Ends (or pairs of ends) with the entities found for each, in order, in batches of
        about :data:`_MIDDLES_READ` such entities (counting at most that many of each), the ones
        with none left out: a database reads a batch's steps in one statement, not one per end,
        and the time budget is checked as they are found (a hub's thousands of ends may find
        none)."""
        batch: list[_Found] = []
        size = 0
        for seen, entry in enumerate(found, 1):
            if seen % _ENDS_AT_ONCE == 0 and self.deadline.expired:
                self.stopped = "time_budget"
                return
            if not entry[-1]:
                continue
            batch.append(entry)
            size += min(len(entry[-1]), _MIDDLES_READ)
            if size >= _MIDDLES_READ:
                yield batch
                if self.deadline.expired:
                    self.stopped = "time_budget"
                    return
                batch, size = [], 0
        if batch:
            yield batch

    def _middle_entities(self, x: str, y: str) -> list[str]:
        """Entities adjacent to both ``x`` and ``y`` (the two neighbourhoods intersected in C,
        so a hub at either end costs little), in id order; in connections mode only those a
        connecting path can pass when they are many (see :meth:`_connecting_middles`)."""
        if self.stopped:
            return []
        near_x = tuple(side[x] for side in self._heads.adjacency)
        near_y = tuple(side[y] for side in self._tails.adjacency)
        try:
            middles = _common(near_x, near_y)
        except OutOfTime:  # two hubs' neighbours, read inline, past the budget
            self.stopped = "time_budget"
            return []
        if len(middles) > _FEW_MIDDLES and self.via == "connections":
            middles = self._connecting_middles(x, y, middles)
        return middles

    def _gather_middles(self, found: Iterable[tuple[str, str, list[str]]]) -> None:
        """Say that the steps from each ``x`` to its middle entities and from them to ``y`` are read next."""
        if self.by_kind:
            heads, tails = records.ways(self._heads.direction), records.ways(self._tails.direction)
            records.gather_kinds_to(
                self.graph,
                (
                    (end, middles, way)
                    for x, y, middles in found
                    for end, ways in ((x, heads), (y, tails))
                    for way in ways
                ),
            )
            return
        self._gather_pairs(
            pair for x, y, middles in found for z in middles for pair in ((x, z), (z, x), (z, y), (y, z))
        )

    def _middles(self, x: str, y: str, middles: list[str]) -> Iterator[tuple[str, int, int]]:
        """Of ``middles`` (see :meth:`_middle_entities`), those ``z`` with a step x -> z and a step
        z -> y (path direction), with both steps' flags; the steps of all but the first
        :data:`_MIDDLES_READ` are read as the search gets to them."""
        for start in range(0, len(middles), _MIDDLES_READ):
            some = middles[start : start + _MIDDLES_READ]
            if start:
                if self.deadline.expired:
                    self.stopped = "time_budget"
                    return
                self._gather_middles([(x, y, some)])
            for z, leaving, arriving in zip(
                some, self._steps_to(x, some, self._heads), self._steps_to(y, some, self._tails), strict=True
            ):
                if leaving is not None and arriving is not None and z not in (x, y):
                    yield z, leaving, arriving

    def _connecting_middles(self, x: str, y: str, middles: list[str]) -> list[str]:
        """Of ``middles`` (in their order), those joined to ``x`` or to ``y`` by a relation
        that is not shared: through any other, a path would pass from a shared relation to a
        shared one, which only ``via="shared"`` allows. Two authorities share thousands of
        entities both sanctioned, joined to neither by anything else: this asks which are
        joined otherwise (an index lookup for a database) before stepping through any."""
        joined: set[str] = set()
        for end, direction in ((x, self._heads.direction), (y, self._tails.direction)):
            for way in records.ways(direction):
                joined |= records.joined_by(self.graph, end, way, middles, self.shared)
        return [z for z in middles if z in joined]

    # ---- small checks ---------------------------------------------------------------------

    # ---- reading: by the edges' kinds when the rule allows, else by their attributes ----------

    def read_ahead(self, nodes: Iterable[str], side: _Side) -> Iterator[str]:
        """``nodes`` (ends of ``side``) one by one, their neighbourhoods read (a database reads
        them in one statement) a batch ahead: batches of about :data:`_READ_AHEAD` neighbours (fewer with
        their attributes), so no one statement reads a hub's thousands of ends at once, past
        the time budget."""
        batch: list[str] = []
        size = 0
        most = _READ_AHEAD if self.by_kind else _READ_AHEAD // _ATTRIBUTES_WEIGH
        for node in nodes:
            batch.append(node)
            size += side.degree(node)
            if size >= most:
                self.gather(batch, side.direction)
                yield from batch
                batch, size = [], 0
        if batch:
            self.gather(batch, side.direction)
            yield from batch

    def gather(self, nodes: list[str], direction: Direction) -> None:
        (records.gather_kinds if self.by_kind else records.gather)(self.graph, nodes, direction)

    def _gather_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        if self.by_kind:
            records.gather_pair_kinds(self.graph, pairs)
        else:
            records.gather_pairs(self.graph, pairs, attributes=False)

    def steps(self, node: str, direction: Direction) -> dict[str, int] | None:
        """``node``'s steps (see :func:`graph.queries.walk.neighbour_steps`); None past the time budget."""
        if self.by_kind:
            return kind_steps(self.graph, node, direction, self.rule, self.shared, self.deadline)
        return neighbour_steps(self.graph, node, direction, self.keep, self.shared, self.deadline)

    def _steps_to(self, end: str, others: list[str], side: _Side) -> list[int | None]:
        """The flags of the steps between ``side``'s ``end`` and each of ``others`` (None: no
        step), in their order: by the edges' kinds, for all of them at once (a middle entity
        is stepped to from both ends, hundreds per pair of ends); else pair by pair. A step's
        flags are those of the edges joining the two, from whichever end they are read."""
        if self.by_kind:
            return kind_steps_to(self.graph, end, others, side.direction, self.rule, self.shared)
        if side is self._heads:
            return [self._step(end, other) for other in others]
        return [self._step(other, end) for other in others]

    def _step(self, u: str, v: str) -> int | None:
        """The flags of the step from ``u`` to ``v``, or None: a pair worked out once (up to
        :data:`_STEPS_KEPT` kept), as an end is joined to the same middle entities for every
        end of the other side."""
        pair = (u, v)
        if pair in self._steps:
            return self._steps[pair]
        if self.by_kind:
            found = kind_step_between(self.graph, u, v, self.direction, self.rule, self.shared)
        else:
            found = step_between(self.graph, u, v, self.direction, self.keep, self.shared)
        if len(self._steps) >= _STEPS_KEPT:
            self._steps.clear()
        self._steps[pair] = found
        return found

    def _keeps_rule(self, arrived: int, leaving: int) -> bool:
        return passes(arrived, leaving, self.via)

    def _at_ends(self, head: _Half, into: int, out: int, tail: _Half) -> bool:
        """The rule where the bridge leaves the head's end and reaches the tail's end (ends excepted)."""
        return (len(head.nodes) == 1 or passes(head.last, into, self.via)) and (
            len(tail.nodes) == 1 or passes(out, tail.last, self.via)
        )


_Triple = tuple[_Half, tuple[str, ...], _Half]
#: An end (with its halves) or a pair of ends, and the entities found for it (see ``PathSearch._batches``).
_Found = tuple[Any, ...]


def _common(first: tuple[Mapping[str, Any], ...], second: tuple[Mapping[str, Any], ...]) -> list[str]:
    """Keys of one of ``first`` that are keys of one of ``second`` (key views intersect in C,
    reading the smaller of each pair), in id order: a set's order depends on how it was
    built and on the hash seed, and a search capped at its candidates must find the same
    ones whatever stores the graph and whatever the process."""
    found: set[str] = set()
    for a in first:
        for b in second:
            found |= a.keys() & b.keys()
    return sorted(found)


def _apart(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    return not set(first).intersection(second)
