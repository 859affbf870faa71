"""A networkx graph whose entities and adjacency are read from PostgreSQL as a query touches them.

The domain's queries read the graph through :mod:`graph.store.records`, which reads
networkx's three dicts (``_node``, ``_succ``, ``_pred``) as mappings. :class:`LazyGraph`
puts mappings there that fetch from one load's tables on first use and keep what they
fetched for the rest of the request, so every query runs unchanged and answers as on the
in-memory graph: adjacency comes back in the in-memory order (the load records each
edge's position on both sides), page by page, so a walk that stops early at a hub reads a
page, not the hub.

Round trips are what cost, so reads are batched where the queries go level by level:
:meth:`LazyGraph.gather` fetches the first page of many nodes' adjacency in one statement
(with the entities at the other ends), and :meth:`LazyGraph.edges_among` answers "every
edge between these entities" in one. Whole-graph iteration (exports of everything) streams.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol

import networkx as nx

from graph.store.records import Attrs, Direction

__all__ = ["FIRST_PAGE", "LOAD_WHOLE", "LazyGraph", "Reader"]

Way = Literal["out", "in"]

#: Neighbours read with a node's first page (and by :meth:`LazyGraph.gather`).
FIRST_PAGE = 128
#: Largest page; pages double from the first up to it.
MAX_PAGE = 8_192
#: An adjacency up to this many neighbours is read whole when a neighbour is looked up in it.
LOAD_WHOLE = 4_096

_ENTITY = "n.id, n.attrs, n.out_n, n.in_n"
#: Per way: this end's column, the other end's, and this end's position column.
_COLUMNS = {"out": ("src", "dst", "out_pos"), "in": ("dst", "src", "in_pos")}


class Reader(Protocol):
    """Runs statements against one load (``{s}`` in a statement stands for its schema)."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]: ...


class _Entities(Mapping[str, Attrs]):
    """Entity id -> attributes, fetched on first use and kept; ``degrees`` beside them."""

    def __init__(self, reader: Reader, count: int) -> None:
        self.reader, self.count = reader, count
        self.found: dict[str, Attrs | None] = {}
        self.degrees: dict[str, tuple[int, int]] = {}

    def keep(self, node: str, attrs: Attrs, out_n: int, in_n: int) -> None:
        if node not in self.found or self.found[node] is None:
            self.found[node] = attrs
            self.degrees[node] = (out_n, in_n)

    def load(self, nodes: Sequence[str]) -> None:
        """Fetch the entities of ``nodes`` not fetched yet, in one statement."""
        missing = [n for n in dict.fromkeys(nodes) if n not in self.found]
        if not missing:
            return
        for node, attrs, out_n, in_n in self.reader.rows(f"SELECT {_ENTITY} FROM {{s}}.entities n WHERE n.id = ANY(%s)",
                                                         [missing]):  # fmt: skip
            self.keep(node, attrs, out_n, in_n)
        for node in missing:
            self.found.setdefault(node, None)

    def __getitem__(self, node: str) -> Attrs:
        if node not in self.found:
            self.load([node])
        attrs = self.found[node]
        if attrs is None:
            raise KeyError(node)
        return attrs

    def __contains__(self, node: object) -> bool:
        if not isinstance(node, str):
            return False
        if node not in self.found:
            self.load([node])
        return self.found[node] is not None

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        for (node,) in self.reader.stream("SELECT id FROM {s}.entities ORDER BY pos"):
            yield node

    def items(self) -> Iterator[tuple[str, Attrs]]:  # type: ignore[override]
        """Every entity in the in-memory graph's order, streamed (not kept)."""
        yield from self.reader.stream("SELECT id, attrs FROM {s}.entities ORDER BY pos")

    def values(self) -> Iterator[Attrs]:  # type: ignore[override]
        for _, attrs in self.items():
            yield attrs


class _Adjacency(Mapping[str, Mapping[str, Attrs]]):
    """One node's neighbours on one side (neighbour -> key -> attributes), read page by page
    in the in-memory order; a lookup before the end is read fetches the whole adjacency when
    small, else just that neighbour."""

    def __init__(self, graph: LazyGraph, node: str, way: Way, size: int) -> None:
        self.graph, self.node, self.way, self.size = graph, node, way, size
        self.read: dict[str, dict[str, Attrs]] = {}
        self.probed: dict[str, dict[str, Attrs] | None] = {}
        self.next = 0  # position of the first neighbour not read yet

    @property
    def complete(self) -> bool:
        return self.next >= self.size

    def take(self, rows: Sequence[tuple[Any, ...]], upto: int) -> None:
        """Add rows of positions ``self.next`` to ``upto - 1`` (other, key, attrs, entity columns...)."""
        entities = self.graph.entities
        for other, key, attrs, node, node_attrs, out_n, in_n in rows:
            self.read.setdefault(other, {})[key] = attrs
            entities.keep(node, node_attrs, out_n, in_n)
        self.next = max(self.next, min(upto, self.size))

    def fetch(self, upto: int) -> None:
        mine, other, position = _COLUMNS[self.way]
        rows = self.graph.reader.rows(
            f"SELECT e.{other}, e.key, e.attrs, {_ENTITY} FROM {{s}}.edges e JOIN {{s}}.entities n ON n.id = e.{other} "
            f"WHERE e.{mine} = %s AND e.{position} >= %s AND e.{position} < %s ORDER BY e.{position}, e.key_pos",
            [self.node, self.next, upto],
        )
        self.take(rows, upto)

    def __iter__(self) -> Iterator[str]:
        at = 0
        page = FIRST_PAGE
        while True:
            known = list(self.read)
            yield from known[at:]
            at = len(known)
            if self.complete:
                return
            self.fetch(self.next + page)
            page = min(page * 2, MAX_PAGE)

    def __len__(self) -> int:
        return self.size

    def _lookup(self, other: str) -> dict[str, Attrs] | None:
        if other in self.read:
            return self.read[other]
        if self.complete:
            return None
        if self.size <= LOAD_WHOLE:
            self.fetch(self.size)
            return self.read.get(other)
        if other not in self.probed:
            mine, theirs, _ = _COLUMNS[self.way]
            rows = self.graph.reader.rows(
                f"SELECT key, attrs FROM {{s}}.edges WHERE {mine} = %s AND {theirs} = %s ORDER BY key_pos",
                [self.node, other],
            )
            self.probed[other] = dict(rows) or None
        return self.probed[other]

    def __getitem__(self, other: str) -> Mapping[str, Attrs]:
        found = self._lookup(other)
        if found is None:
            raise KeyError(other)
        return found

    def __contains__(self, other: object) -> bool:
        return isinstance(other, str) and self._lookup(other) is not None


class _Side(Mapping[str, _Adjacency]):
    """Node -> its adjacency on one side; iterating it reads the whole graph (streamed)."""

    def __init__(self, graph: LazyGraph, way: Way) -> None:
        self.graph, self.way = graph, way
        self.adjacency: dict[str, _Adjacency] = {}

    def __getitem__(self, node: str) -> _Adjacency:
        found = self.adjacency.get(node)
        if found is None:
            if node not in self.graph.entities:
                raise KeyError(node)
            out_n, in_n = self.graph.entities.degrees[node]
            found = self.adjacency[node] = _Adjacency(self.graph, node, self.way, out_n if self.way == "out" else in_n)
        return found

    def __contains__(self, node: object) -> bool:
        return node in self.graph.entities

    def __len__(self) -> int:
        return len(self.graph.entities)

    def __iter__(self) -> Iterator[str]:
        return iter(self.graph.entities)

    def items(self) -> Iterator[tuple[str, dict[str, dict[str, Attrs]]]]:  # type: ignore[override]
        """Every node's adjacency on this side, in the in-memory order, streamed from two
        ordered scans (entities, and edges by node) merged."""
        mine, other, position = _COLUMNS[self.way]
        edges = self.graph.reader.stream(
            f"SELECT n.id, e.{other}, e.key, e.attrs FROM {{s}}.edges e JOIN {{s}}.entities n ON n.id = e.{mine} "
            f"ORDER BY n.pos, e.{position}, e.key_pos"
        )
        pending = next(edges, None)
        for node in self.graph.entities:
            adjacency: dict[str, dict[str, Attrs]] = {}
            while pending is not None and pending[0] == node:
                adjacency.setdefault(pending[1], {})[pending[2]] = pending[3]
                pending = next(edges, None)
            yield node, adjacency

    def values(self) -> Iterator[dict[str, dict[str, Attrs]]]:  # type: ignore[override]
        for _, adjacency in self.items():
            yield adjacency


class LazyGraph(nx.MultiDiGraph):  # type: ignore[misc]
    """One request's view of one load: a MultiDiGraph whose dicts read the database lazily."""

    def __init__(self, reader: Reader, attributes: Mapping[str, Any], nodes: int) -> None:
        super().__init__()
        self.graph.update(attributes)
        self.reader = reader
        self.entities = _Entities(reader, nodes)
        self._node = self.entities
        self._succ = self._adj = _Side(self, "out")
        self._pred = _Side(self, "in")

    def gather(self, nodes: Sequence[str], direction: Direction) -> None:
        """Read the first page of the adjacency of ``nodes`` (on the sides ``direction`` walks)
        in one statement per side, with the entities at the other ends."""
        self.entities.load(nodes)
        for way in ("out", "in") if direction == "both" else (direction,):
            side: _Side = self._succ if way == "out" else self._pred
            fresh = [side[n] for n in dict.fromkeys(nodes) if n in self.entities]
            fresh = [a for a in fresh if a.next == 0 and a.size]
            if not fresh:
                continue
            mine, other, position = _COLUMNS[way]
            rows = self.reader.rows(
                f"SELECT e.{mine}, e.{other}, e.key, e.attrs, {_ENTITY} FROM {{s}}.edges e "
                f"JOIN {{s}}.entities n ON n.id = e.{other} WHERE e.{mine} = ANY(%s) AND e.{position} < %s "
                f"ORDER BY e.{mine}, e.{position}, e.key_pos",
                [[a.node for a in fresh], FIRST_PAGE],
            )
            by_node: dict[str, list[tuple[Any, ...]]] = {}
            for row in rows:
                by_node.setdefault(row[0], []).append(row[1:])
            for adjacency in fresh:
                adjacency.take(by_node.get(adjacency.node, []), FIRST_PAGE)

    def edges_among(self, nodes: Collection[str]) -> list[tuple[str, str, str, Attrs]]:
        """Every edge from one of ``nodes`` to another, in the order the in-memory graph's
        adjacency gives them source by source (one statement)."""
        if not nodes:
            return []
        self.entities.load(list(nodes))
        order = {node: i for i, node in enumerate(nodes)}
        rows = self.reader.rows(
            "SELECT src, dst, key, attrs, out_pos, key_pos FROM {s}.edges WHERE src = ANY(%s) AND dst = ANY(%s)",
            [list(nodes), list(nodes)],
        )
        size, degrees = len(order), self.entities.degrees
        # as records.edges_among reads them: by adjacency position, or for a source with more
        # neighbours than there are nodes (looked up one by one) in the nodes' order
        rows.sort(key=lambda row: (order[row[0]], order[row[1]] if degrees[row[0]][0] > size else row[4], row[5]))
        return [(u, v, key, attrs) for u, v, key, attrs, _, _ in rows]
