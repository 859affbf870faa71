"""A networkx graph whose entities and adjacency are read from PostgreSQL as a query touches them.

The domain's queries read the graph through :mod:`graph.store.records`, which reads
networkx's three dicts (``_node``, ``_succ``, ``_pred``) as mappings. :class:`LazyGraph`
puts mappings there that fetch from one load's tables on first use and keep what they
fetched for the rest of the request, so every query runs unchanged and answers as on the
in-memory graph: adjacency comes back in the in-memory order (the load records each
edge's position on both sides), page by page, so a walk that stops early at a hub reads a
page, not the hub.

Round trips are what cost, so the graph reads in batches wherever a query says what comes
next (through :mod:`graph.store.records`): the first page of a whole level's adjacency
(:meth:`LazyGraph.gather`), the edges among a selection (:meth:`LazyGraph.edges_among`), a
list of pairs (:meth:`LazyGraph.gather_pairs`), only the connecting neighbours of an entity
a walk may not leave by a shared relation (:meth:`LazyGraph.connecting`), and for a path
search only the kinds of edges (relation type, derived) from the index of edge ends, not
their attributes (:meth:`LazyGraph.gather_kinds`, :meth:`LazyGraph.gather_pair_kinds`). Entities reached
are fetched thousands at a time when the first of them is asked for, and the row of one with
few out-edges lists them: the lookups from it need no statement (:meth:`LazyGraph.listed`). Intersecting two
neighbourhoods probes the bigger with the smaller's members, or lets the database join two
hubs. Every edge read from one end also answers lookups from the other end, absent ones
included. Whole-graph iteration (exports of everything) streams.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Collection, Iterable, Iterator, KeysView, Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import networkx as nx
import orjson

from graph.store import records
from graph.store.postgres import grouping
from graph.store.postgres.neighbours import HubNeighbours, NeighbourIds
from graph.store.records import Attrs, Direction, EdgeKind

if TYPE_CHECKING:
    from graph.limits import Deadline

__all__ = ["FIRST_PAGE", "LOAD_WHOLE", "LazyGraph", "Reader"]

Way = Literal["out", "in"]

#: Neighbours read with a node's first page (and by :meth:`LazyGraph.gather`).
FIRST_PAGE = 128
#: Largest page; pages double from the first up to it.
MAX_PAGE = 8_192
#: An adjacency up to this many neighbours is read whole when a neighbour is looked up in it.
LOAD_WHOLE = 1_024
#: Neighbours of a hub whose edge kinds are read per statement, when it has more than this
#: many and a query reads all of them (see :meth:`LazyGraph.kinds_around`).
KINDS_PAGE = 16_384
#: Entities fetched with their attributes in one statement when one is asked for without
#: warning (the one asked for, and others reached).
BATCH = 5_000


class _Unread(enum.Enum):
    """What :meth:`LazyGraph._known_pair` answers for a pair whose edges take a statement to know."""

    UNREAD = enum.auto()


_UNREAD = _Unread.UNREAD

_ENTITY = "n.id, n.attrs, n.out_n, n.in_n, n.outs, n.out_edges::text"  # out_edges as text: parsed when looked up
#: Per way: this end's column, the other end's, and this end's position column.
_COLUMNS = {"out": ("src", "dst", "out_pos"), "in": ("dst", "src", "in_pos")}
#: Per way: the other end's degrees, which every edge row carries (so a walk knows how many
#: neighbours the entities it reaches have without asking for them).
_FAR = {"out": ("dst_out_n", "dst_in_n"), "in": ("src_out_n", "src_in_n")}


def _kinds_by_neighbour(rows: Iterable[Sequence[Any]]) -> dict[str, list[EdgeKind]]:
    """Edge rows (the other end, its two degrees, relation, derived, confidence, ...) in
    adjacency order, as each neighbour with the kinds of its edges."""
    found: dict[str, list[EdgeKind]] = {}
    for row in rows:
        found.setdefault(row[0], []).append((row[3], row[4], row[5]))
    return found


def _far(way: Way, table: str = "") -> str:
    """The columns of the other end's degrees, for a statement reading edges on ``way``."""
    return ", ".join(f"{table}{column}" for column in _FAR[way])


class Reader(Protocol):
    """Runs statements against one load (``{s}`` in a statement stands for its schema)."""

    def rows(self, sql: str, params: Sequence[Any] = (), *, deadline: Deadline | None = None) -> list[tuple[Any, ...]]:
        """Rows of one statement; with ``deadline``, cancelled when it runs out (:class:`~graph.errors.OutOfTime`)."""
        ...

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]: ...


class _Entities(Mapping[str, Attrs]):
    """Entity id -> attributes, fetched on first use and kept; ``degrees`` beside them.

    Adjacency reads do not fetch the entities at their other ends (a hub's thousands would
    mostly go unread), but every edge row carries its ends' degrees, and what a walk asks of
    most entities it reaches is only that (a path search reads no attribute until it writes
    its answer). Attributes are fetched for the entities a query says it reads (:meth:`load`,
    through :func:`graph.store.records.fetch` and the other batch hooks), or, for one asked
    for without warning, with up to :data:`BATCH` of the others reached (``counted``).
    """

    def __init__(self, reader: Reader, count: int) -> None:
        self.reader, self.count = reader, count
        self.found: dict[str, Attrs | None] = {}
        self.degrees: dict[str, tuple[int, int] | None] = {}
        self.counted: dict[str, None] = {}
        """Reached (their degrees known), attributes not fetched yet."""
        self.outs: dict[str, list[str]] = {}
        """The targets of a fetched entity's out-edges in adjacency order, where its row lists
        them (at most :data:`~graph.store.postgres.load.OUTS_LISTED`)."""
        self.out_edges: dict[str, str] = {}
        """Those out-edges (per target, key -> attributes) as the row's JSON text, until a query
        first looks one up (see :meth:`LazyGraph.listed`), which parses and removes it: most
        never are."""

    def reached(self, rows: Iterable[Sequence[Any]], at: int) -> None:
        """Note the entities at the far end of edge rows, with their degrees (``row[at]`` and
        ``row[at + 1]``; every edge row carries them), as reached."""
        degrees, counted = self.degrees, self.counted
        for row in rows:
            node = row[0]
            if node not in degrees:
                degrees[node] = (row[at], row[at + 1])
                counted[node] = None

    def keep(
        self,
        node: str,
        attrs: Attrs,
        out_n: int,
        in_n: int,
        outs: list[str] | None = None,
        out_edges: str | None = None,
    ) -> None:
        if self.found.get(node) is None:
            self.found[node] = attrs
            self.degrees[node] = (out_n, in_n)
            if outs is not None and out_edges is not None:
                self.outs[node] = outs
                self.out_edges[node] = out_edges

    def load(self, nodes: Iterable[str], *, pad: bool = False) -> None:
        """Fetch the attributes of ``nodes`` not fetched yet (with ``pad``, and of reached
        ones up to :data:`BATCH`), in one statement."""
        found = self.found
        missing = [n for n in dict.fromkeys(nodes) if n not in found]
        if not missing:
            return
        counted = self.counted
        for node in missing:
            counted.pop(node, None)
        while pad and counted and len(missing) < BATCH:
            missing.append(counted.popitem()[0])  # the newest: popping the oldest is slow
        rows = self.reader.rows(f"SELECT {_ENTITY} FROM {{s}}.entities n WHERE n.id = ANY(%s)", [missing])
        for node, attrs, out_n, in_n, outs, out_edges in rows:
            self.keep(node, attrs, out_n, in_n, outs, out_edges)
        for node in missing:
            found.setdefault(node, None)
            self.degrees.setdefault(node, None)

    def know(self, nodes: Iterable[str]) -> None:
        """Fetch whether ``nodes`` exist and their degrees, without their attributes, in one
        statement (an index alone)."""
        degrees = self.degrees
        missing = [n for n in dict.fromkeys(nodes) if n not in degrees]
        if not missing:
            return
        rows = self.reader.rows("SELECT id, out_n, in_n FROM {s}.entities WHERE id = ANY(%s)", [missing])
        for node, out_n, in_n in rows:
            degrees[node] = (out_n, in_n)
            self.counted[node] = None
        for node in missing:
            if node not in degrees:
                degrees[node] = None
                self.found[node] = None

    def degree(self, node: str) -> tuple[int, int] | None:
        """``node``'s (out, in) neighbour counts, None when there is no such entity."""
        if node not in self.degrees:
            self.know([node])
        return self.degrees[node]

    def __getitem__(self, node: str) -> Attrs:
        if node not in self.found:
            self.load([node], pad=True)
        attrs = self.found[node]
        if attrs is None:
            raise KeyError(node)
        return attrs

    def __contains__(self, node: object) -> bool:
        return isinstance(node, str) and self.degree(node) is not None

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
        self.next = 0  # position of the first neighbour not read yet
        self.kinds: dict[str, list[EdgeKind]] | None = None
        """Every neighbour with the kinds of the edges joining it, in adjacency order, when
        read without attributes (see :meth:`LazyGraph.gather_kinds`)."""

    @property
    def complete(self) -> bool:
        return self.next >= self.size

    def take(self, rows: Sequence[tuple[Any, ...]], upto: int) -> None:
        """Add rows of positions ``self.next`` to ``upto - 1`` (other end, key, attributes,
        the other end's degrees)."""
        read = self.read
        mirror = self.graph.opposite(self.way).known
        for other, key, attrs, _, _ in rows:
            keyed = read.get(other)
            if keyed is None:
                keyed = read[other] = {}
                mirror.setdefault(other, {})[self.node] = keyed  # the same edges, seen from the other end
            keyed[key] = attrs
        self.graph.entities.reached(rows, 3)
        self.next = max(self.next, min(upto, self.size))

    def fetch(self, upto: int) -> None:
        mine, other, position = _COLUMNS[self.way]
        rows = self.graph.reader.rows(
            f"SELECT {other}, key, attrs, {_far(self.way)} FROM {{s}}.edges "
            f"WHERE {mine} = %s AND {position} >= %s AND {position} < %s ORDER BY {position}, key_pos",
            [self.node, self.next, upto],
        )
        self.take(rows, upto)

    def __iter__(self) -> Iterator[str]:
        if self.kinds is not None and not self.complete:  # every neighbour known, in order
            yield from self.kinds
            return
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

    def items(self) -> Iterator[tuple[str, Mapping[str, Attrs]]]:  # type: ignore[override]
        """Each neighbour with its edges, page by page as :meth:`__iter__` reads them: a walk
        steps through these, and a lookup of each through the mapping costs more than its step."""
        read = self.read
        for other in self:
            keyed = read.get(other)
            yield other, keyed if keyed is not None else self[other]

    def __len__(self) -> int:
        return self.size

    @property
    def known(self) -> dict[str, dict[str, Attrs] | None]:
        """Neighbour -> edges (None: none) learnt besides the pages read (see :meth:`LazyGraph.learn`)."""
        return self.graph.side(self.way).known.setdefault(self.node, {})

    def _lookup(self, other: str) -> dict[str, Attrs] | None:
        if other in self.read:
            return self.read[other]
        known = self.known
        if other in known:
            return known[other]
        if self.complete or (self.kinds is not None and other not in self.kinds):
            return None
        if self.graph.listed(self.node if self.way == "out" else other):  # the source's row lists its edges
            return known.get(other)
        mirror = self.graph.opposite(self.way).adjacency.get(other)
        if mirror is not None and mirror.complete:  # the other end's side, read whole, says it all
            return mirror.read.get(self.node)
        if self.size <= LOAD_WHOLE:
            self.fetch(self.size)
            return self.read.get(other)
        kept = self.graph.neighbours.peek(self.node, self.way) if self.graph.neighbours else None
        if kept is not None and other not in kept:
            self.graph.learn(self.way, self.node, other, None)
            return None
        mine, theirs, _ = _COLUMNS[self.way]
        rows = self.graph.reader.rows(
            f"SELECT key, attrs FROM {{s}}.edges WHERE {mine} = %s AND {theirs} = %s ORDER BY key_pos",
            [self.node, other],
        )
        keyed = dict(rows) or None
        self.graph.learn(self.way, self.node, other, keyed)
        return keyed

    def among(self, candidates: Iterable[str]) -> set[str]:
        """Which of ``candidates`` are neighbours: read from what is read, the rest found in a
        hub's neighbour ids the server keeps, or asked of the index of edge ends in one
        statement (a hub is not read whole to intersect it with a few entities). Those found
        absent are remembered; the edges of those found are read when a query goes on to look
        at them (see :meth:`LazyGraph.gather_pairs`)."""
        wanted = set(candidates)
        if self.kinds is not None and not self.complete:
            return wanted & self.kinds.keys()
        listed = self.graph.entities.outs.get(self.node) if self.way == "out" else None
        if listed is not None:  # its row, read, lists its targets
            return wanted.intersection(listed)
        if not self.complete and self.size <= min(LOAD_WHOLE, len(wanted) * 4):
            self.fetch(self.size)  # most of it is asked about: read it whole
        if self.complete:
            return wanted & self.read.keys()
        found = wanted & self.read.keys()
        known = self.known
        unknown = [c for c in wanted - found if c not in known]
        if unknown:
            present = self._present(unknown)
            absent = [c for c in unknown if c not in present]
            known.update(dict.fromkeys(absent))  # as LazyGraph.learn notes them, from both ends
            mirror, node = self.graph.opposite(self.way).known, self.node
            for c in absent:
                mirror.setdefault(c, {})[node] = None
            found |= present
        return found | {c for c in wanted - found if known.get(c) is not None}

    def _present(self, candidates: list[str]) -> set[str]:
        """Which of ``candidates`` are neighbours, for a side not read whole."""
        hub = self.graph.neighbours
        if hub is not None and self.size > LOAD_WHOLE:  # a hub: its ids read once per load, kept
            kept = hub.peek(self.node, self.way)
            if kept is None and len(candidates) >= self.size:  # more to ask about than to read
                kept = hub.of(self.node, self.way)
            if kept is not None:
                return kept.intersection(candidates)
            hub.later(self.node, self.way, self.size)  # asked about now, kept for the requests after
        mine, theirs, _ = _COLUMNS[self.way]
        # a join with the candidates, not "= ANY": a long array there is read element by element per row
        rows = self.graph.reader.rows(
            f"SELECT DISTINCT e.{theirs}, {_far(self.way, 'e.')} FROM unnest(%s::text[]) AS c(id) "
            f"JOIN {{s}}.edges e ON e.{theirs} = c.id AND e.{mine} = %s",
            [candidates, self.node],
        )
        self.graph.entities.reached(rows, 1)
        return {row[0] for row in rows}

    def common(self, other: _Adjacency) -> set[str]:
        """The neighbours this adjacency shares with ``other`` (both too big to read whole),
        found by the database from the indexes alone: the edges are read later, for the few
        a query goes on to look at (see :meth:`LazyGraph.gather_pairs`)."""
        hub, deadline = self.graph.neighbours, self.graph.deadline
        if hub is not None:  # both hubs: their ids read once and kept where they fit
            return set(hub.of(self.node, self.way, deadline) & hub.of(other.node, other.way, deadline))
        mine, theirs, _ = _COLUMNS[self.way]
        partner_mine, partner_theirs, _ = _COLUMNS[other.way]
        rows = self.graph.reader.rows(
            f"SELECT DISTINCT e.{theirs}, {_far(self.way, 'e.')} FROM {{s}}.edges e "
            f"WHERE e.{mine} = %s AND e.{theirs} IN (SELECT p.{partner_theirs} FROM {{s}}.edges p "
            f"WHERE p.{partner_mine} = %s)",
            [self.node, other.node],
        )
        self.graph.entities.reached(rows, 1)
        return {row[0] for row in rows}

    def keys(self) -> _Keys:
        return _Keys(self)

    def __getitem__(self, other: str) -> Mapping[str, Attrs]:
        found = self._lookup(other)
        if found is None:
            raise KeyError(other)
        return found

    def __contains__(self, other: object) -> bool:
        return isinstance(other, str) and self._lookup(other) is not None


def _keyed(rows: Sequence[tuple[Any, ...]]) -> dict[str, dict[str, Attrs]]:
    """Rows of (other end, key, attributes, ...) as other end -> key -> attributes, in order."""
    found: dict[str, dict[str, Attrs]] = {}
    for row in rows:
        found.setdefault(row[0], {})[row[1]] = row[2]
    return found


class _Keys(KeysView[str]):
    """An adjacency's neighbours as a set: intersecting it with another set asks the database
    about the smaller side's members instead of reading a hub whole."""

    _mapping: _Adjacency

    def __and__(self, other: Iterable[Any]) -> set[str]:
        if isinstance(other, _Keys):
            mine, theirs = self._mapping, other._mapping
            if min(len(mine), len(theirs)) > LOAD_WHOLE and not (mine.complete or theirs.complete):
                return mine.common(theirs)  # two hubs: intersected in the database
            if len(theirs) < len(mine):
                return mine.among(other)
            return theirs.among(self)
        return self._mapping.among(other)

    def __rand__(self, other: Iterable[Any]) -> set[str]:  # type: ignore[override]
        return self.__and__(other)


class _Side(Mapping[str, _Adjacency]):
    """Node -> its adjacency on one side; iterating it reads the whole graph (streamed)."""

    def __init__(self, graph: LazyGraph, way: Way) -> None:
        self.graph, self.way = graph, way
        self.adjacency: dict[str, _Adjacency] = {}
        self.known: dict[str, dict[str, dict[str, Attrs] | None]] = {}
        """Node -> neighbour -> edges on this side (None: none), learnt besides the node's own
        pages: from the neighbour's side, a probe, a pair or a selection read at once."""

    def __getitem__(self, node: str) -> _Adjacency:
        found = self.adjacency.get(node)
        if found is None:
            degrees = self.graph.entities.degree(node)
            if degrees is None:
                raise KeyError(node)
            out_n, in_n = degrees
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

    def __init__(
        self,
        reader: Reader,
        attributes: Mapping[str, Any],
        nodes: int,
        neighbours: HubNeighbours | None = None,
        hubs: Mapping[str, Mapping[tuple[str, Way], int]] | None = None,
    ) -> None:
        super().__init__()
        self.graph.update(attributes)
        self.reader = reader
        self.neighbours = neighbours
        """The biggest adjacencies' neighbour ids, kept across the requests of one load."""
        self.hubs = hubs or {}
        """The size of each (relation type, way) group of each hub, as the load's ``hub_items`` hold them."""
        self.deadline: Deadline | None = None
        """The time budget of the query reading this graph (see :func:`graph.store.records.bound`):
        a hub's ids read inline stop at it."""
        self.pair_kinds: dict[tuple[str, str], list[EdgeKind]] = {}
        """(source, target) -> the kinds of the edges from one to the other, read without attributes."""
        self.entities = _Entities(reader, nodes)
        self._node = self.entities
        # the sides (and their adjacencies) see the graph through a weak reference: no cycle,
        # so what a request read is freed as it ends, not by the collector's next full pass
        # over every request's leftovers (a 50 ms pause now and then in a 40 ms view)
        this = cast("LazyGraph", weakref.proxy(self))
        self._succ = self._adj = _Side(this, "out")
        self._pred = _Side(this, "in")

    def learn(self, way: Way, node: str, other: str, keyed: dict[str, Attrs] | None) -> None:
        """Remember every edge between ``node`` and ``other`` on ``node``'s ``way`` side (None:
        there is none), from both ends: a later lookup from either end needs no statement."""
        self.side(way).known.setdefault(node, {})[other] = keyed
        self.opposite(way).known.setdefault(other, {})[node] = keyed

    def listed(self, node: str) -> bool:
        """Whether every out-edge of ``node`` is known without a statement, from its row: an
        entity with few (see ``layout.sql``) lists them, and the first time a query looks one
        up they are parsed and each is learnt from both ends (:meth:`learn`). False for a hub,
        and for an entity whose row has not been read."""
        raw = self.entities.out_edges.pop(node, None)
        if raw is None:  # parsed already, or not listed
            return node in self.entities.outs
        known = self._succ.known.setdefault(node, {})
        for target, keyed in zip(self.entities.outs[node], orjson.loads(raw), strict=True):
            if target not in known:
                self.learn("out", node, target, keyed)
        return True

    def side(self, way: Way) -> _Side:
        return self._succ if way == "out" else self._pred

    def opposite(self, way: Way) -> _Side:
        return self._pred if way == "out" else self._succ

    def degree_of(self, node: str, direction: Direction) -> int:
        """``node``'s neighbours on the sides ``direction`` walks, counted (see
        :func:`graph.store.records.degree`): from its degrees, known as it was reached."""
        degrees = self.entities.degree(node)
        if degrees is None:
            raise KeyError(node)
        out_n, in_n = degrees
        return out_n if direction == "out" else in_n if direction == "in" else out_n + in_n

    def gather(self, nodes: Sequence[str], direction: Direction) -> None:
        """Read whether the entities ``nodes`` exist, their degrees, and the first page of
        their adjacency on the sides ``direction`` walks: both sides in one statement (a
        round trip fewer per level of a walk)."""
        self.entities.know(nodes)
        present = [node for node in dict.fromkeys(nodes) if node in self.entities]
        fresh: list[list[_Adjacency]] = []
        selects: list[str] = []
        params: list[Any] = []
        for way in ("out", "in") if direction == "both" else (direction,):
            side = self.side(way)
            adjacencies = [a for a in (side[node] for node in present) if a.next == 0 and a.size]
            if adjacencies:
                mine, other, position = _COLUMNS[way]
                selects.append(
                    f"SELECT {len(fresh)} AS side, {mine}, {other}, key, attrs, {_far(way)}, {position}, key_pos "
                    f"FROM {{s}}.edges WHERE {mine} = ANY(%s) AND {position} < %s"
                )
                params += [[a.node for a in adjacencies], FIRST_PAGE]
                fresh.append(adjacencies)
        if not fresh:
            return
        # by side, node, adjacency position, key
        rows = self.reader.rows(" UNION ALL ".join(selects) + " ORDER BY 1, 2, 8, 9", params)
        by_node: list[dict[str, list[tuple[Any, ...]]]] = [{} for _ in fresh]
        for row in rows:
            by_node[row[0]].setdefault(row[1], []).append(row[2:7])
        for found, adjacencies in zip(by_node, fresh, strict=True):
            for adjacency in adjacencies:
                adjacency.take(found.get(adjacency.node, []), FIRST_PAGE)

    def connecting(self, node: str, way: Way, shared: Collection[str]) -> Iterator[tuple[str, Mapping[str, Attrs]]]:
        """``node``'s neighbours on one side joined by a relation not in ``shared``, each with all
        its edges, in adjacency order (see :func:`graph.store.records.connecting`): of a hub
        whose groups say they are few, those alone (an authority's one ownership, not a scan
        of its 180,000 designations' index entries: 70-90 ms at 10M); else read page by page
        through the index, skipping the others without reading their attributes."""
        adjacency = (self._succ if way == "out" else self._pred)[node]
        if adjacency.complete:
            for other, keyed in adjacency.read.items():
                if any(data.get("relation") not in shared for data in keyed.values()):
                    yield other, keyed
            return
        mine, theirs, position = _COLUMNS[way]
        few = self._joined_few(node, way, shared)
        if few is not None:  # a hub whose groups say which few: those read alone
            if not few:
                return
            rows = self.reader.rows(
                f"SELECT {theirs}, key, attrs, {_far(way)}, {position} FROM {{s}}.edges "
                f"WHERE {mine} = %s AND {theirs} = ANY(%s) ORDER BY {position}, key_pos",
                [node, sorted(few)],
            )
            self.entities.reached(rows, 3)
            for other, keyed in _keyed(rows).items():
                self.learn(way, node, other, keyed)
                yield other, keyed
            return
        excluded = sorted(shared)
        start, page = 0, FIRST_PAGE
        while True:
            rows = self.reader.rows(
                f"SELECT e.{theirs}, e.key, e.attrs, {_far(way, 'e.')}, e.{position} "
                f"FROM {{s}}.edges e WHERE e.{mine} = %s "
                f"AND e.{position} IN (SELECT DISTINCT {position} FROM {{s}}.edges WHERE {mine} = %s "
                f"AND {position} >= %s AND NOT (relation = ANY(%s)) ORDER BY {position} LIMIT %s) "
                f"ORDER BY e.{position}, e.key_pos",
                [node, node, start, excluded, page],
            )
            found = _keyed(rows)
            if rows:
                start = rows[-1][5] + 1
            self.entities.reached(rows, 3)
            for other, keyed in found.items():
                self.learn(way, node, other, keyed)
                yield other, keyed
            if len(found) < page:
                return
            page = min(page * 2, MAX_PAGE)

    # ---- edge kinds, without attributes (see graph.store.records.kinds_around) ----

    def gather_kinds(self, nodes: Sequence[str], direction: Direction) -> None:
        """Read whether ``nodes`` exist, their degrees, and the kinds of all their edges on
        the sides ``direction`` walks, from the index of edge ends alone, in one statement
        per side; a hub's (more than :data:`LOAD_WHOLE` neighbours) are read when asked for."""
        self.entities.know(nodes)
        for way in ("out", "in") if direction == "both" else (direction,):
            side = self.side(way)
            fresh = [side[n] for n in dict.fromkeys(nodes) if n in self.entities]
            fresh = [a for a in fresh if a.size and not a.complete and a.kinds is None and a.size <= LOAD_WHOLE]
            if fresh:
                self._read_kinds(way, fresh)

    def _read_kinds(self, way: Way, adjacencies: Sequence[_Adjacency]) -> None:
        mine, theirs, position = _COLUMNS[way]
        rows = self.reader.rows(
            f"SELECT {theirs}, {_far(way)}, {mine}, relation, derived, confidence, {position}, key_pos "
            "FROM {s}.edges "
            f"WHERE {mine} = ANY(%s)",
            [[a.node for a in adjacencies]],
        )
        self.entities.reached(rows, 1)
        rows.sort(key=itemgetter(3, 7, 8))  # in adjacency order (sorted here: index only)
        by_node: dict[str, dict[str, list[EdgeKind]]] = {a.node: {} for a in adjacencies}
        for other, _, _, node, relation, derived, confidence, _, _ in rows:
            by_node[node].setdefault(other, []).append((relation, derived, confidence))
        for adjacency in adjacencies:
            adjacency.kinds = by_node[adjacency.node]

    def kinds_around(
        self, node: str, way: Way, relations: Collection[str] = (), derived: bool = True
    ) -> Iterator[tuple[str, list[EdgeKind]]]:
        """``node``'s neighbours on one side with the kinds of their passing edges (see
        :func:`graph.store.records.kinds_around`): from the attributes if read whole, else
        from the index of edge ends; of a hub (more than :data:`LOAD_WHOLE` neighbours), only
        the passing edges are read when some do not pass (a country's derived members stay in
        the database)."""
        adjacency = self.side(way)[node]
        found: Iterable[tuple[str, list[EdgeKind]]]
        if adjacency.complete:
            found = ((other, records.kinds_of(keyed)) for other, keyed in adjacency.read.items())
        elif adjacency.kinds is None and adjacency.size > LOAD_WHOLE and (relations or not derived):
            yield from self._passing_kinds(node, way, relations, derived)
            return
        elif adjacency.kinds is None and adjacency.size > KINDS_PAGE:
            yield from self._paged_kinds(node, way)
            return
        else:
            if adjacency.kinds is None:
                self._read_kinds(way, [adjacency])
            assert adjacency.kinds is not None
            found = adjacency.kinds.items()
        yield from records.passing_kinds(found, relations, derived)

    def _paged_kinds(self, node: str, way: Way) -> Iterator[tuple[str, list[EdgeKind]]]:
        """A big hub's neighbours on one side with the kinds of their edges, in adjacency
        order, :data:`KINDS_PAGE` neighbours per statement and not kept: a search that stops
        (its time budget, its size bound) has read a page, not a country's millions."""
        mine, theirs, position = _COLUMNS[way]
        size = self.side(way)[node].size
        for start in range(0, size, KINDS_PAGE):
            rows = self.reader.rows(
                f"SELECT {theirs}, {_far(way)}, relation, derived, confidence FROM {{s}}.edges WHERE {mine} = %s "
                f"AND {position} >= %s AND {position} < %s ORDER BY {position}, key_pos",
                [node, start, start + KINDS_PAGE],
            )
            self.entities.reached(rows, 1)
            yield from _kinds_by_neighbour(rows).items()

    def _passing_kinds(
        self, node: str, way: Way, relations: Collection[str], derived: bool
    ) -> Iterator[tuple[str, list[EdgeKind]]]:
        """A hub's neighbours on one side joined by passing edges (see :meth:`kinds_around`),
        with those edges' kinds, in adjacency order: the others filtered out by the database."""
        mine, theirs, position = _COLUMNS[way]
        conditions = [f"{mine} = %s"]
        params: list[Any] = [node]
        if relations:
            conditions.append("relation = ANY(%s)")
            params.append(sorted(relations))
        if not derived:
            conditions.append("NOT derived")
        rows = self.reader.rows(
            f"SELECT {theirs}, {_far(way)}, relation, derived, confidence, {position}, key_pos FROM {{s}}.edges "
            f"WHERE {' AND '.join(conditions)}",
            params,
        )
        self.entities.reached(rows, 1)
        rows.sort(key=itemgetter(6, 7))  # in adjacency order, sorted here: the index of edge ends alone is read
        yield from _kinds_by_neighbour(rows).items()

    def kinds_between(self, node: str, other: str, way: Way) -> list[EdgeKind]:
        """The kinds of the edges joining ``node`` to ``other`` on ``node``'s ``way`` side:
        from what is read (attributes, kinds, either end), else read for this pair alone."""
        pair = (node, other) if way == "out" else (other, node)
        found = self._known_kinds(*pair)
        if found is None:
            self.gather_pair_kinds([pair])
            found = self.pair_kinds[pair]
        return found

    def kinds_to(self, node: str, others: Sequence[str], way: Way) -> list[list[EdgeKind]]:
        """:meth:`kinds_between` ``node`` and each of ``others`` (see
        :func:`graph.store.records.kinds_to`): from ``node``'s side if its kinds or edges are
        read, else from the pairs' kinds, those not known yet read in one statement."""
        adjacency = self.side(way).adjacency.get(node)
        if adjacency is not None and adjacency.kinds is not None:
            kinds = adjacency.kinds
            return [kinds.get(other, []) for other in others]
        if adjacency is not None and adjacency.complete:
            read = adjacency.read
            return [records.kinds_of(read[other]) if other in read else [] for other in others]
        pairs = [(node, other) for other in others] if way == "out" else [(other, node) for other in others]
        known = self.pair_kinds
        if any(pair not in known for pair in pairs):
            self.gather_pair_kinds(pairs)
        return [known[pair] for pair in pairs]

    def gather_kinds_to(self, wanted: Sequence[tuple[str, Sequence[str], Way]]) -> None:
        """Read the kinds :meth:`kinds_to` will be asked for (node, others, way) and does not
        know, in one statement: none for a node whose side is read, and of a hub whose
        neighbour ids the server keeps, only the pairs among them (see :meth:`_ruled_out`)."""
        known = self.pair_kinds
        pairs: list[tuple[str, str]] = []
        for node, others, way in wanted:
            adjacency = self.side(way).adjacency.get(node)
            if adjacency is not None and (adjacency.kinds is not None or adjacency.complete):
                continue
            present = self._known_present(node, way, others)
            for other in others:
                pair = (node, other) if way == "out" else (other, node)
                if present is not None and other not in present:
                    known[pair] = []  # ruled out for all of a hub's at once, not pair by pair
                else:
                    pairs.append(pair)
        if pairs:
            self.gather_pair_kinds(pairs)

    def _known_kinds(self, source: str, target: str) -> list[EdgeKind] | None:
        """The kinds of the edges from ``source`` to ``target`` if known without a statement:
        from either end's kinds, the pair's, or edges read with their attributes."""
        found = self.pair_kinds.get((source, target))
        if found is not None:
            return found
        out = self._succ.adjacency.get(source)
        if out is not None and out.kinds is not None:
            return out.kinds.get(target, [])
        into = self._pred.adjacency.get(target)
        if into is not None and into.kinds is not None:
            return into.kinds.get(source, [])
        keyed = self._known_pair(source, target)
        return None if keyed is _UNREAD else records.kinds_of(keyed or {})

    def gather_pair_kinds(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Read the kinds of the edges from each pair's first entity to its second, from the
        index of edge ends alone, in one statement."""
        known = self.pair_kinds
        wanted: list[tuple[str, str]] = []
        for pair in dict.fromkeys(pairs):
            if pair not in known:
                found = self._known_kinds(*pair)
                if found is None:
                    wanted.append(pair)
                else:  # kept, for the lookup that follows: its first question
                    known[pair] = found
        for pair in self._ruled_out(wanted):
            known[pair] = []
        wanted = [pair for pair in wanted if pair not in known]
        if not wanted:
            return
        rows = self.reader.rows(
            "SELECT e.src, e.dst, e.relation, e.derived, e.confidence, e.key_pos "
            "FROM unnest(%s::text[], %s::text[]) AS p(s, d) "
            "JOIN {s}.edges e ON e.src = p.s AND e.dst = p.d",
            [[u for u, _ in wanted], [v for _, v in wanted]],
        )
        rows.sort(key=itemgetter(5))
        for pair in wanted:
            known[pair] = []
        for u, v, relation, derived, confidence, _ in rows:
            known[(u, v)].append((relation, derived, confidence))

    def _ruled_out(self, pairs: Sequence[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        """Those of ``pairs`` (source, target) no edge joins, as known without a statement:
        the source has no successor or the target no predecessor, or an end is a hub whose
        neighbour ids the server keeps and the other is not among them (a path search through
        a conglomerate asks of thousands of entities whether it owns them, and whether they
        own it)."""
        sources: dict[str, list[str]] = {}
        targets: dict[str, list[str]] = {}
        for u, v in pairs:
            sources.setdefault(u, []).append(v)
            targets.setdefault(v, []).append(u)
        sides: tuple[tuple[dict[str, list[str]], Way], ...] = ((sources, "out"), (targets, "in"))
        for ends, way in sides:
            for end, others in ends.items():
                present = self._known_present(end, way, others)
                if present is None:
                    continue
                for other in others:
                    if other not in present:
                        yield (end, other) if way == "out" else (other, end)

    def _known_present(self, node: str, way: Way, others: Sequence[str]) -> Collection[str] | None:
        """Those of ``others`` that may be ``node``'s neighbours on ``way``, as known without a
        statement: none when it has no neighbour that way, those among its ids when it is a
        hub whose ids the server keeps; None when that is not known."""
        counted = self.entities.degrees.get(node)
        if counted is None:
            return None
        size = counted[0 if way == "out" else 1]
        if size == 0:
            return ()
        near = self.neighbours.peek(node, way) if self.neighbours is not None and size > LOAD_WHOLE else None
        return None if near is None else near.intersection(others)

    def fetch(self, nodes: Sequence[str]) -> None:
        """Read the attributes of ``nodes`` in one statement (see :func:`graph.store.records.fetch`)."""
        self.entities.load(nodes)

    def labels(self, nodes: Sequence[str]) -> dict[str, str]:
        """The labels of ``nodes`` (see :func:`graph.store.records.labels`): of those whose
        attributes were read, from them; of the others, only the labels, in one statement.
        KeyError for an id that is no entity, as an in-memory graph answers."""
        found = self.entities.found
        labels: dict[str, str] = {}
        missing: list[str] = []
        for node in dict.fromkeys(nodes):
            attrs = found.get(node)
            if attrs is not None:
                labels[node] = str(attrs.get("label", node))
            else:
                missing.append(node)
        if missing:
            labels.update(self.reader.rows("SELECT id, label FROM {s}.entities WHERE id = ANY(%s)", [missing]))
            for node in missing:
                if node not in labels:
                    raise KeyError(node)
        return labels

    def joined_by(self, node: str, way: Way, others: Collection[str], shared: Collection[str]) -> set[str]:
        """Which of ``others`` are joined to ``node`` on one side by a relation not in
        ``shared`` (see :func:`graph.store.records.joined_by`), from the index of edge ends alone."""
        joined = self._joined_few(node, way, shared)
        if joined is not None:
            return joined.intersection(others)
        joined = self._joined_most(node, way, others, shared)
        if joined is not None:
            return joined
        mine, theirs, _ = _COLUMNS[way]
        rows = self.reader.rows(
            f"SELECT DISTINCT {theirs} FROM {{s}}.edges WHERE {mine} = %s "
            f"AND {theirs} IN (SELECT unnest(%s::text[])) AND NOT (relation = ANY(%s))",
            [node, list(others), sorted(shared)],
        )
        return {row[0] for row in rows}

    def _joined_few(self, node: str, way: Way, shared: Collection[str]) -> set[str] | None:
        """A hub's neighbours on one side joined by a relation not in ``shared``, when its
        groups say those are few: read from its groups (``hub_items``), not from its edges
        (an authority's one ownership beside its 44,000 designations). None otherwise."""
        groups = self.hubs.get(node)
        if groups is None:
            return None
        wanted = [relation for (relation, side), size in groups.items() if side == way and relation not in shared]
        if sum(groups[(relation, way)] for relation in wanted) > LOAD_WHOLE:
            return None
        if not wanted:
            return set()
        rows = self.reader.rows(
            "SELECT other FROM {s}.hub_items WHERE hub = %s AND relation = ANY(%s) AND way = %s", [node, wanted, way]
        )
        return {row[0] for row in rows}

    def _joined_most(self, node: str, way: Way, others: Collection[str], shared: Collection[str]) -> set[str] | None:
        """Which of ``others`` a hub whose relations on one side are mostly not in ``shared``
        is joined to by one that is not (a conglomerate's 21,000 ownerships beside one
        designation): its neighbour ids, kept by the server, less those its few shared
        relations alone join. None for another entity."""
        groups = self.hubs.get(node)
        if groups is None or self.neighbours is None:
            return None
        sizes = {relation: size for (relation, side), size in groups.items() if side == way}
        if sum(sizes.values()) > self.neighbours.budget:
            return None
        unwanted = [relation for relation in sizes if relation in shared]
        if sum(sizes[relation] for relation in unwanted) > LOAD_WHOLE:
            return None
        kept = self.neighbours.peek(node, way)
        if kept is None:  # asked of the database now (see joined_by), kept for the requests after
            self.neighbours.later(node, way, sum(sizes.values()))
            return None
        found = set(kept.intersection(others))
        if not unwanted or not found:
            return found
        rows = self.reader.rows(
            "SELECT other FROM {s}.hub_items WHERE hub = %s AND relation = ANY(%s) AND way = %s", [node, unwanted, way]
        )
        doubtful = found.intersection(row[0] for row in rows)
        if doubtful:  # joined by a shared relation: by another too?
            mine, theirs, _ = _COLUMNS[way]
            rows = self.reader.rows(
                f"SELECT DISTINCT {theirs} FROM {{s}}.edges WHERE {mine} = %s AND {theirs} = ANY(%s) "
                "AND NOT (relation = ANY(%s))",
                [node, sorted(doubtful), sorted(shared)],
            )
            found -= doubtful - {row[0] for row in rows}
        return found

    def gather_pairs(self, pairs: Sequence[tuple[str, str]], *, attributes: bool = True) -> None:
        """Read every edge from each pair's first entity to its second, and both entities (or
        without ``attributes`` only whether they exist and their degrees), in two statements
        (a hub's page of relations, say), for the lookups that follow: the edges of a source
        whose row, read, lists them (see :meth:`listed`) need none."""
        ends = [end for pair in pairs for end in pair]
        if attributes:
            self.entities.load(ends)
        else:
            self.entities.know(ends)
        self._read_pairs([(u, v) for u, v in dict.fromkeys(pairs) if self._known_pair(u, v) is _UNREAD])

    def _read_pairs(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Read every edge from each pair's first entity to its second in one statement, and
        learn them (and the pairs no edge joins) from both ends."""
        if not pairs:
            return
        rows = self.reader.rows(
            "SELECT e.src, e.dst, e.key, e.attrs FROM unnest(%s::text[], %s::text[]) AS p(s, d) "
            "JOIN {s}.edges e ON e.src = p.s AND e.dst = p.d ORDER BY e.src, e.dst, e.key_pos",
            [[u for u, _ in pairs], [v for _, v in pairs]],
        )
        found: dict[tuple[str, str], dict[str, Attrs]] = {pair: {} for pair in pairs}
        for u, v, key, attrs in rows:
            found[(u, v)][key] = attrs
        for (u, v), keyed in found.items():  # found absent too: remembered
            self.learn("out", u, v, keyed or None)

    def edges_among(self, nodes: Collection[str]) -> list[tuple[str, str, str, Attrs]]:
        """Every edge from one of ``nodes`` to another, in the order the in-memory graph's
        adjacency gives them source by source. Which pairs are joined comes, for most sources,
        from the targets their rows list (read with their attributes: no statement); for a
        source with more, from the index of edge ends; for a hub, from its kept neighbour ids
        or by probing its pairs with the others. The edges of the pairs the walk has not read
        already (most of a neighbourhood's were) come from the rows that list them, and the
        others' (a hub's, a source with many) are read in one more statement."""
        if not nodes:
            return []
        ordered = list(dict.fromkeys(nodes))
        self.entities.load(ordered)
        order = {node: i for i, node in enumerate(ordered)}
        size, degrees, outs = len(order), self.entities.degrees, self.entities.outs
        present = [node for node in ordered if degrees.get(node) is not None]
        # each source's targets among the nodes, in the order records.edges_among reads them:
        # adjacency order, or for a source with more neighbours than there are nodes, theirs
        targets: dict[str, list[str]] = {}
        scanned: list[str] = []
        candidates: NeighbourIds | None = None
        for u in present:
            if self._kept_out(u, size):
                # a hub's edges to the others are probed pair by pair, not found by scanning
                # its tens of thousands of edges in the index
                candidates = candidates or NeighbourIds.of(present)
                targets[u] = list(self._among_successors(u, present, candidates))
            elif u in outs:
                targets[u] = [v for v in outs[u] if v in order]
            else:
                scanned.append(u)
        if scanned:
            rows = self.reader.rows(
                "SELECT DISTINCT src, dst, out_pos FROM {s}.edges "
                "WHERE src = ANY(%s) AND dst IN (SELECT unnest(%s::text[]))",
                [scanned, present],
            )
            rows.sort(key=itemgetter(2))
            for u, v, _ in rows:
                targets.setdefault(u, []).append(v)
        found: list[tuple[str, str, dict[str, Attrs] | _Unread | None]] = []
        unread: list[tuple[str, str]] = []
        for u in present:
            joined = targets.get(u)
            if not joined:
                continue
            if (degrees[u] or (0, 0))[0] > size:
                joined.sort(key=order.__getitem__)
            for v in joined:
                keyed = self._known_pair(u, v)
                if keyed is _UNREAD:
                    unread.append((u, v))
                found.append((u, v, keyed))
        self._read_pairs(unread)
        edges: list[tuple[str, str, str, Attrs]] = []
        for u, v, keyed in found:
            if keyed is _UNREAD:
                keyed = self._succ.known[u][v]  # learnt by _read_pairs, none included
            if keyed:
                edges += [(u, v, key, attrs) for key, attrs in keyed.items()]
        return edges

    def _among_successors(self, hub: str, nodes: list[str], candidates: NeighbourIds) -> Collection[str]:
        """Those of ``nodes`` (``candidates``: the same, encoded once for every hub) that may
        be ``hub``'s successors: from its ids if the server keeps them, else all (each pair
        then probed in the index: a few hundred probes cost a millisecond, reading an
        authority's 180,000 ids at 10M half a second), its ids read in the background for
        the requests after."""
        assert self.neighbours is not None
        kept = self.neighbours.peek(hub, "out")
        if kept is not None:
            return kept.intersection(candidates)
        counted = self.entities.degrees[hub]  # a hub (see _kept_out): its degrees are known
        assert counted is not None
        self.neighbours.later(hub, "out", counted[0])
        return nodes

    def _kept_out(self, node: str, size: int) -> bool:
        """Whether ``node``'s edges to ``size`` entities are better found pair by pair (see
        :meth:`_among_successors`) than by scanning its successors: a hub with more of them
        than those entities and than :data:`LOAD_WHOLE`."""
        degrees = self.entities.degrees.get(node)
        return self.neighbours is not None and degrees is not None and degrees[0] > max(LOAD_WHOLE, size)

    def _known_pair(self, u: str, v: str) -> dict[str, Attrs] | _Unread | None:
        """The edges from ``u`` to ``v`` (None: there is none) when known without a statement:
        read from either end, one end's side read whole, or ``u``'s row listing them (parsed
        now, see :meth:`listed`); else :data:`_UNREAD`."""
        out = self._succ.adjacency.get(u)
        if out is not None:
            keyed = out.read.get(v)
            if keyed is not None:
                return keyed
        known = self._succ.known.get(u)  # a page read from v's side is noted here too
        if known is not None and v in known:
            return known[v]
        if out is not None and out.complete:
            return None
        into = self._pred.adjacency.get(v)
        if into is not None and into.complete:
            return None  # had u been among v's predecessors, it would be noted in known
        if self.listed(u):  # every edge from u learnt: none to v, if not noted now
            return self._succ.known.get(u, {}).get(v)
        return _UNREAD

    # ---- relations of a few types reaching many entities (see graph.store.records.relations_into) ----

    def relations_into(self, nodes: Sequence[str], relations: Collection[str]) -> list[tuple[str, str, str, Attrs]]:
        """The edges of ``relations`` reaching each of ``nodes``, node by node in ``nodes``
        order, each node's in adjacency order: from what is read for a side read whole, none
        for a hub whose groups have none of ``relations``, for the others in one statement
        filtered by the database (a country's derived members are not read)."""
        listed = list(dict.fromkeys(nodes))
        self.entities.know(listed)
        present = [node for node in listed if node in self.entities]
        whole = {node: adjacency for node in present if (adjacency := self._pred[node]).complete}
        # a hub's groups (every relation type it has, with their sizes) say when it has none of these
        unread = [node for node in present if node not in whole and self._may_reach(node, relations)]
        by_node: dict[str, list[tuple[str, str, str, Attrs]]] = {}
        if unread and relations:
            rows = self.reader.rows(
                "SELECT src, src_out_n, src_in_n, dst, key, attrs FROM {s}.edges "
                "WHERE dst = ANY(%s) AND relation = ANY(%s) ORDER BY dst, in_pos, key_pos",
                [unread, sorted(relations)],
            )
            self.entities.reached(rows, 1)
            for u, _, _, v, key, attrs in rows:
                by_node.setdefault(v, []).append((u, v, key, attrs))
        found: list[tuple[str, str, str, Attrs]] = []
        for node in present:
            read = whole.get(node)
            if read is None:
                found += by_node.get(node, [])
                continue
            for u, keyed in read.read.items():
                found += [(u, node, key, data) for key, data in keyed.items() if data.get("relation") in relations]
        return found

    def _may_reach(self, node: str, relations: Collection[str]) -> bool:
        """Whether edges of ``relations`` may reach ``node``: not when it is a hub none of whose
        groups (``hub_items``, one per relation type and way it has) is of them."""
        groups = self.hubs.get(node)
        return groups is None or any((relation, "in") in groups for relation in relations)

    # ---- big relations counted in the database, not read (see graph.store.postgres.grouping) ----
    relation_sizes = grouping.relation_sizes
    tally = grouping.tally
    members_page = grouping.members_page
    member_edges = grouping.member_edges
