"""Stepping through the graph: which edges a query follows, and the neighbours they lead to.

Shared by neighbourhoods and paths, so both follow the same edges for the same request and
apply the same rule: an entity reached only by *shared* relations (``paths: shared`` in the
vocabulary: designated by the same authority, based in the same country) is not passed
through by another shared relation, unless a query asks for ``via="shared"``.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeGuard

import networkx as nx

from graph.errors import BadQuery
from graph.limits import Deadline
from graph.store import records
from graph.store.records import Direction, EdgeFilter

__all__ = [
    "DERIVED",
    "SHARED",
    "EdgeRule",
    "Via",
    "check_direction",
    "check_via",
    "edge_filter",
    "kind_step_between",
    "kind_steps",
    "kind_steps_to",
    "neighbour_ids",
    "neighbour_steps",
    "passes",
    "step_between",
    "steps_from",
    "undated",
]

Via = Literal["connections", "shared"]
"""Whether a walk may pass through an entity by two shared relations (``shared``) or not."""

#: Flags of a step (see :func:`neighbour_steps`): every passing edge of it is derived / shared.
DERIVED = 1
SHARED = 2
_BOTH = DERIVED | SHARED
#: Steps read between two checks of a time budget.
_STEPS_AT_ONCE = 4_096


def check_direction(direction: str) -> Direction:
    if direction not in ("out", "in", "both"):
        raise BadQuery(f"direction must be out, in or both, not {direction!r}")
    return direction  # type: ignore[return-value]


def check_via(via: str) -> Via:
    if via not in ("connections", "shared"):
        raise BadQuery(f"via must be connections or shared, not {via!r}")
    return via  # type: ignore[return-value]


def passes(arrived: int, step: int, via: Via) -> bool:
    """Whether a walk that reached a node by a step with flags ``arrived`` may leave it by one
    with flags ``step``: not from shared to shared, unless ``via`` is shared."""
    return not (arrived & step & SHARED) or via == "shared"


@dataclass(frozen=True, slots=True)
class EdgeRule:
    """Which edges a walk follows: of ``relations`` (any, if empty), derived ones only if
    ``derived``, and counting on ``as_of`` (every day, if None). Called with an edge's
    attributes; an undated rule also decides from an edge's kind alone (see :meth:`takes`)."""

    relations: frozenset[str]
    as_of: date | None
    derived: bool

    def __call__(self, data: Mapping[str, Any]) -> bool:
        return (
            (not self.relations or data.get("relation") in self.relations)
            and (self.derived or not records.is_derived(data))
            and records.counts_on(data, self.as_of)
        )

    def takes(self, relation: Any, derived: bool) -> bool:
        """Whether an edge of this kind passes an undated rule (``as_of`` is None)."""
        return (not self.relations or relation in self.relations) and (self.derived or not derived)


def edge_filter(relations: Iterable[str] | None, as_of: date | None, derived: bool = True) -> EdgeRule | None:
    """A predicate on edge attributes (the relation is one of ``relations``, counts on ``as_of``,
    and is not derived unless allowed), or None when every edge passes, so callers can skip
    the per-edge test."""
    wanted = frozenset(relations or ())
    if not wanted and as_of is None and derived:
        return None
    return EdgeRule(wanted, as_of, derived)


def undated(keep: EdgeFilter | None) -> TypeGuard[EdgeRule | None]:
    """Whether ``keep`` decides from an edge's kind alone (see :func:`kind_steps`)."""
    return keep is None or (isinstance(keep, EdgeRule) and keep.as_of is None)


def _kind_flags(kinds: Iterable[records.EdgeKind], keep: EdgeRule | None, shared: Container[str]) -> int | None:
    """The flags every passing edge of ``kinds`` has in common (as :func:`steps_from` gives
    them), or None when none passes; ``keep`` must be :func:`undated`."""
    found: int | None = None
    for relation, derived, _ in kinds:
        if keep is None or keep.takes(relation, derived):
            flags = (DERIVED if derived else 0) | (SHARED if relation in shared else 0)
            found = flags if found is None else found & flags
    return found


def kind_steps(
    graph: nx.MultiDiGraph,
    node: str,
    direction: Direction,
    keep: EdgeRule | None,
    shared: Collection[str],
    deadline: Deadline | None = None,
) -> dict[str, int] | None:
    """:func:`neighbour_steps` read from the edges' kinds (see :func:`graph.store.records.kinds_around`)
    for an :func:`undated` rule: the same answer, without the edges' attributes."""
    found: dict[str, int] = {}
    for way in records.ways(direction):
        passing = records.kinds_around(
            graph, node, way, relations=keep.relations if keep else (), derived=keep.derived if keep else True
        )
        for count, (other, kinds) in enumerate(passing, 1):
            flags = _kind_flags(kinds, keep, shared)
            if flags is not None:
                found[other] = found.get(other, _BOTH) & flags
            if count % _STEPS_AT_ONCE == 0 and deadline is not None and deadline.expired:
                return None
    return found


def kind_step_between(
    graph: nx.MultiDiGraph, u: str, v: str, direction: Direction, keep: EdgeRule | None, shared: Container[str]
) -> int | None:
    """:func:`step_between` read from the edges' kinds, for an :func:`undated` rule."""
    return _kind_flags(
        (kind for way in records.ways(direction) for kind in records.kinds_between(graph, u, v, way)), keep, shared
    )


def kind_steps_to(
    graph: nx.MultiDiGraph,
    node: str,
    others: Sequence[str],
    direction: Direction,
    keep: EdgeRule | None,
    shared: Container[str],
) -> list[int | None]:
    """:func:`kind_step_between` ``node`` and each of ``others``, in their order, from the
    kinds of all of them read at once (see :func:`graph.store.records.kinds_to`). A step's
    flags are those of the edges joining the two, whichever end it is read from."""
    per_way = [records.kinds_to(graph, node, others, way) for way in records.ways(direction)]
    if len(per_way) == 1:
        return [_kind_flags(kinds, keep, shared) for kinds in per_way[0]]
    return [_kind_flags(out + into, keep, shared) for out, into in zip(*per_way, strict=True)]


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


def steps_from(
    graph: nx.MultiDiGraph,
    node: str,
    direction: Direction,
    keep: EdgeFilter | None,
    shared: Collection[str],
    connecting: bool = False,
) -> Iterator[tuple[str, int]]:
    """The other ends of the passing edges around ``node``, lazily, each with the flags every
    passing edge on that side has in common: :data:`DERIVED` (``based_in`` made from a
    country field: such a node is shown but not expanded) and :data:`SHARED` (a relation
    type in ``shared``). With ``direction="both"`` a neighbour on both sides comes twice;
    the step is what both have in common (see :func:`neighbour_steps`). Lazy, so a walk
    that stops at a size bound does not read all of a hub's neighbours. With ``connecting``,
    only the neighbours joined by at least one relation not in ``shared`` (the only steps a
    walk that arrived by a shared relation may take; see :func:`graph.store.records.connecting`)."""
    for way in records.ways(direction):
        for other, keyed in (
            records.connecting(graph, node, way, shared) if connecting else records.adjacency(graph, node, way).items()
        ):
            flags = _BOTH
            passing = False
            for data in keyed.values():
                if keep is None or keep(data):
                    passing = True
                    relation: Any = data.get("relation")
                    flags &= (DERIVED if data.get("derived") else 0) | (SHARED if relation in shared else 0)
            if passing:
                yield other, flags


def step_between(
    graph: nx.MultiDiGraph, u: str, v: str, direction: Direction, keep: EdgeFilter | None, shared: Container[str]
) -> int | None:
    """The flags of the step from ``u`` to ``v`` (as :func:`neighbour_steps` gives them), or None
    when no passing edge joins them that way: a lookup, whatever the two entities' degrees."""
    found: int | None = None
    for side in records.sides(graph, direction):
        keyed = side[u].get(v)
        if not keyed:
            continue
        for data in keyed.values():
            if keep is None or keep(data):
                relation: Any = data.get("relation")
                flags = (DERIVED if data.get("derived") else 0) | (SHARED if relation in shared else 0)
                found = flags if found is None else found & flags
    return found


def neighbour_steps(
    graph: nx.MultiDiGraph,
    node: str,
    direction: Direction,
    keep: EdgeFilter | None,
    shared: Collection[str],
    deadline: Deadline | None = None,
) -> dict[str, int] | None:
    """Each neighbour of ``node`` once, with the flags of every passing edge between the two:
    one connecting edge is enough to make the step a connection. None when ``deadline``
    expires first (a hub's hundred thousand neighbours, read with their attributes)."""
    found: dict[str, int] = {}
    for count, (other, flags) in enumerate(steps_from(graph, node, direction, keep, shared), 1):
        found[other] = found.get(other, _BOTH) & flags
        if count % _STEPS_AT_ONCE == 0 and deadline is not None and deadline.expired:
            return None
    return found
