"""A big relation's members counted in the database: how a lazy graph groups a hub.

A neighbourhood groups an entity's neighbours through one relation and direction when
there are many (see :mod:`graph.queries.groups`). Read through the lazy graph's mappings,
that means every member's edge and entity: 255,000 of them for a country's ``based_in``,
seconds of statements. Here the database answers the hooks of :mod:`graph.store.records`
(:func:`~graph.store.records.relation_sizes`, :func:`~graph.store.records.tally`,
:func:`~graph.store.records.members_page`) exactly as reading the members would:

* a member is a neighbour with at least one passing edge of the relation (its type, and
  in force on the as-of day as :func:`graph.store.records.counts_on` judges it, partial
  dates included); its *first* passing edge (in key order) gives its year and programme;
* members come in adjacency order (the load's ``out_pos``/``in_pos``), so the facet is
  chosen on the same first members as in memory, read with a ``LIMIT``;
* the facets' values are :func:`graph.queries.groups.facet_value`'s (the entities table's
  ``kind`` and ``country`` columns are the loader's ``str(kind or "unknown")`` and
  ``str(country or "none")``).

Counting every member by a facet joins each to its entity (a second at 255,000, 3-4 s for
a country's 2.5 million at 10M): those counts do not depend on the view (the members drawn
individually are subtracted in Python), and a load never changes. So with no kinds they
are counted by the load itself (see :mod:`graph.store.postgres.hub_counts`): every member
by facet (``hub_counts``), and the days members come into force and leave by facet value
(``hub_days``), summed up to an as-of day. Every count a server makes is kept per load
(:data:`KEPT` of them): a hub's second grouped view costs a few milliseconds. A count that
outlasts a view's time budget (with kinds, a country's members are counted in a statement)
goes on in the background, for the next view, while the view answers cut at its budget
(see :func:`_keep`).

On an as-of day, who is in force is otherwise read from the hub index's days (``hub_items``,
see :mod:`graph.store.hubs`: every side counted here is a hub's, :data:`SMALL` being above
``HUB_DEGREE``) rather than by parsing every edge's dates.

Sides of at most :data:`SMALL` neighbours are left to the generic reading (the hooks answer
None): a page or two of adjacency costs less than the statements here.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from concurrent.futures import Future, wait
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from graph.errors import OutOfTime
from graph.limits import Deadline
from graph.store.hubs import HUB_DEGREE
from graph.store.postgres.hub_counts import EVERY_MEMBER
from graph.store.records import MemberEdge, MemberRow, Tally

if TYPE_CHECKING:
    from graph.store.postgres.lazy import LazyGraph, Reader

__all__ = ["BACKGROUND", "KEPT", "SMALL", "member_edges", "members_page", "relation_sizes", "tally", "wait_for_counts"]

Way = Literal["out", "in"]

#: A side with at most this many neighbours is read as it is (``lazy.LOAD_WHOLE``: read whole on a lookup).
SMALL = 4_096
assert SMALL > HUB_DEGREE, "a side counted here must be a hub's, whose days hub_items holds"
#: Counts and first members kept per load: this many answers at most, holding this many
#: values (members' rows, counts' values) at most between them, the oldest dropped first,
#: so a server's memory stays bounded however many hubs are viewed (a member's row is kept
#: in about 36 bytes, see :class:`_Rows`: 200,000 of them take about 7 MB).
KEPT = 1_024
KEPT_ROWS = 200_000
#: Members read beyond the first ones a view asks for, for the next view of the hub drawing more.
_MARGIN = 1_000
#: Per way: this end's column, the other end's, and the other end's position in this end's adjacency.
_COLUMNS = {"out": ("src", "dst", "out_pos"), "in": ("dst", "src", "in_pos")}


def _attrs(edge: str) -> str:
    """The attributes grouping reads of the edge ``edge`` (as ``a``), parsed once (``json ->>``
    would parse the text once per use)."""
    return (
        """CROSS JOIN LATERAL (SELECT COALESCE(NULLIF(r.date, ''), NULLIF(r.start, '')), r."end", r.program """
        f"""FROM json_to_record({edge}.attrs) AS r("date" text, "start" text, "end" text, "program" text)) """
        "a(began, ended, program)"
    )


#: Each facet's value for a member ``f`` (its first passing edge) of entity ``n`` (see ``facet_value``).
_FACET = {
    "kind": "n.kind",
    "country": "n.country",
    "year": "COALESCE(left(a.began, 4), 'undated')",
    "program": "COALESCE(NULLIF(a.program, ''), 'none')",
}

#: Counts made in the background at once per process, past a query's budget (see :func:`_keep`).
BACKGROUND = 2
#: Seconds a count made in the background may take (its statement's timeout, longer than a
#: request's): a country's 2.5 million members at 10M take 3-4 s, more on a busy database.
COUNT_SECONDS = 60.0

_kept: weakref.WeakKeyDictionary[Reader, dict[Hashable, Any]] = weakref.WeakKeyDictionary()
_counting: dict[tuple[Reader, Hashable], Future[Any]] = {}
_keeping = threading.Lock()


def counted_here(graph: LazyGraph, node: str, way: Way) -> bool:
    """Whether ``node``'s side ``way`` is big enough to be counted in the database."""
    counted = graph.entities.degrees.get(node) if node in graph.entities else None
    return counted is not None and counted[0 if way == "out" else 1] > SMALL


def relation_sizes(
    graph: LazyGraph,
    node: str,
    way: Way,
    relations: Collection[str],
    as_of: date | None,
    kinds: Collection[str],
    cap: int,
) -> list[tuple[str, int]] | None:
    """How many members each relation type of ``node``'s side ``way`` has (by an edge of
    ``relations`` in force ``as_of``), counted up to ``cap``, in the order their first passing
    edges come in the adjacency. With ``kinds``, those reaching the cap are counted again
    among members of these kinds (the others, read one by one anyway, are filtered then)."""
    if not counted_here(graph, node, way):
        return None
    rows = _keep(graph.reader, ("sizes", node, way, frozenset(relations), as_of),
                 lambda deadline: _sizes(graph, node, way, relations, as_of, deadline),
                 deadline=graph.deadline)  # fmt: skip
    sizes = [(str(relation), min(int(count), cap)) for relation, count, _ in sorted(rows, key=lambda row: row[2])]
    if kinds:  # a relation's members of these kinds, counted until there are more than the cap
        sizes = [
            (relation, _kinds_up_to(graph, node, way, relation, as_of, kinds, cap) if size == cap else size)
            for relation, size in sizes
        ]
    return sizes


#: A hub side's ``hub_days`` changes of one facet up to a day (hub, way, facet, day): their
#: sums per value are the members in force that day (see :mod:`graph.store.postgres.hub_counts`).
_IN_FORCE = (
    "FROM {s}.hub_days h CROSS JOIN LATERAL unnest(h.days, h.changes) AS t(day, change) "
    "WHERE h.hub = %s AND h.way = %s AND h.facet = %s AND t.day <= %s"
)


def _sizes(
    graph: LazyGraph, node: str, way: Way, relations: Collection[str], as_of: date | None, deadline: Deadline | None
) -> list[tuple[Any, ...]]:
    """Each relation type with how many members it has and the position of its first passing
    edge, as the load counted them (``hub_counts``; on an as-of day, the changes of ``hub_days``
    summed up to it, and only each relation's first edges are parsed, in order, until one
    counts on that day)."""
    mine, _, position = _COLUMNS[way]
    if as_of is None:  # counted by the load
        chosen = "AND relation = ANY(%s)" if relations else ""
        return graph.reader.rows(
            f"SELECT relation, members, ARRAY[first_pos, first_key_pos] FROM {{s}}.hub_counts "
            f"WHERE hub = %s AND way = %s {chosen}",
            [node, way, *([sorted(relations)] if relations else [])],
            deadline=deadline,
        )
    where, params = _passing(mine, node, (), as_of)
    chosen = "AND h.relation = ANY(%s)" if relations else ""
    return graph.reader.rows(
        f"WITH counted AS (SELECT h.relation, sum(t.change) AS n {_IN_FORCE} {chosen} GROUP BY h.relation "
        "HAVING sum(t.change) > 0) "
        f"SELECT c.relation, c.n, (SELECT ARRAY[e.{position}, e.key_pos] FROM {{s}}.edges e {_attrs('e')} "
        f"WHERE {where} AND e.relation = c.relation ORDER BY e.{position}, e.key_pos LIMIT 1) FROM counted c",
        [node, way, EVERY_MEMBER, as_of.toordinal(), *([sorted(relations)] if relations else []), *params],
        deadline=deadline,
    )


def _kinds_up_to(
    graph: LazyGraph, node: str, way: Way, relation: str, as_of: date | None, kinds: Collection[str], cap: int
) -> int:
    """How many members of ``kinds`` one relation has, counted up to ``cap`` (read in order, so it stops there)."""
    members, params = _members(node, way, relation, as_of, kinds)
    return int(
        _keep(
            graph.reader, ("kinds up to", node, way, relation, as_of, frozenset(kinds), cap),
            lambda deadline: graph.reader.rows(
                f"SELECT count(*) FROM ({members} LIMIT %s) m", [*params, cap], deadline=deadline
            )[0][0],
            deadline=graph.deadline,
        )
    )  # fmt: skip


def tally(
    graph: LazyGraph,
    node: str,
    way: Way,
    relation: str,
    as_of: date | None,
    kinds: Collection[str],
    drawn: Collection[str],
    sample: int,
) -> Tally | None:
    """The members of one relation of ``node`` (in force ``as_of``, of ``kinds``), those in
    ``drawn`` apart, for grouping (see :class:`~graph.store.records.Tally`): the drawn ones
    are read, and the first ``sample`` others (once per load); the others are counted by the
    facet asked for (once per load too)."""
    if not counted_here(graph, node, way):
        return None
    among, params = _members(node, way, relation, as_of, kinds, among=list(drawn))
    shown = graph.reader.rows(among, params) if drawn else []
    head, whole = _head(graph, node, way, relation, as_of, kinds, sample + len(shown)) if sample else ([], False)
    # rows: id, position, then the facets' values in FACET order
    column = {facet: 2 + i for i, facet in enumerate(_FACET)}
    apart = {row[0] for row in shown}
    firsts = [row for row in head if row[0] not in apart][:sample]
    samples = {facet: list(Counter(row[at] for row in firsts).items()) for facet, at in column.items()}

    def value(row: tuple[Any, ...], facet: str | None) -> str:
        return str(row[column[facet]]) if facet else ""

    def counts(facet: str | None) -> dict[str, int]:
        if whole:
            return dict(Counter(value(row, facet) for row in head if row[0] not in apart))
        every = _keep(
            graph.reader, ("counts", node, way, relation, as_of, frozenset(kinds), facet),
            lambda deadline: _counts(graph, node, way, relation, as_of, kinds, facet, deadline),
            deadline=graph.deadline,
        )  # fmt: skip
        left = Counter(every)
        left.subtract(value(row, facet) for row in shown)
        return {found: count for found, count in left.items() if count > 0}

    return Tally(len(shown), samples, counts)


def _head(
    graph: LazyGraph, node: str, way: Way, relation: str, as_of: date | None, kinds: Collection[str], limit: int
) -> tuple[list[tuple[Any, ...]], bool]:
    """The first ``limit`` members (every one, and True, when there are no more), kept per
    load: a hub's views draw a few hundred entities more or fewer, and read the same first
    few thousand members (a few more are read than asked for, for the next view). Read within
    the query's budget (its statement cancelled past it, :class:`~graph.errors.OutOfTime`): on
    pages not read yet since a load, a conglomerate's first members took 1-4 s at 10M."""
    key = ("head", node, way, relation, as_of, frozenset(kinds))
    with _keeping:
        kept = _kept.setdefault(graph.reader, {}).get(key)
    if kept is None or (not kept[1] and len(kept[0]) < limit):
        wanted = limit + _MARGIN
        members, params = _members(node, way, relation, as_of, kinds, limit=wanted)
        rows = graph.reader.rows(f"{members} LIMIT %s", [*params, wanted], deadline=graph.deadline)
        kept = (_Rows(rows), len(rows) < wanted)
        _put(graph.reader, key, kept)
    head, whole = kept
    return (head.first(None), True) if whole else (head.first(limit), False)


class _Rows:
    """Members' rows (id, position, then the facets' values in :data:`_FACET` order) kept
    between requests in about 36 bytes each instead of about 400 as tuples of Python objects:
    the ids as one array of UTF-8 byte strings, the positions as integers, and each facet's
    values as codes into the few values it takes. :meth:`first` gives the rows back as read."""

    __slots__ = ("codes", "ids", "positions", "values")

    def __init__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.ids = np.array([row[0].encode() for row in rows], dtype=np.bytes_)
        self.positions = np.array([row[1] for row in rows], dtype=np.int64)
        coded: list[dict[Any, int]] = [{} for _ in _FACET]
        codes = [
            [column.setdefault(value, len(column)) for column, value in zip(coded, row[2:], strict=True)]
            for row in rows
        ]
        self.codes = np.array(codes, dtype=np.uint32).reshape(len(rows), len(_FACET))
        self.values = [list(column) for column in coded]

    def __len__(self) -> int:
        return len(self.ids)

    def first(self, limit: int | None) -> list[tuple[Any, ...]]:
        """The first ``limit`` rows (all of them with None), as the statement gave them."""
        ids = [node.decode() for node in self.ids[:limit].tolist()]
        columns = [[values[code] for code in self.codes[:limit, i].tolist()] for i, values in enumerate(self.values)]
        return list(zip(ids, self.positions[:limit].tolist(), *columns, strict=True))


def _counts(
    graph: LazyGraph,
    node: str,
    way: Way,
    relation: str,
    as_of: date | None,
    kinds: Collection[str],
    facet: str | None,
    deadline: Deadline | None,
) -> dict[str, int]:
    """Every member by ``facet`` (None: how many, as ``""``): with no kinds, as the load
    counted them; else in one statement, joined to the entities to filter on their kinds."""
    if not kinds:
        return _counted_by_load(graph, node, way, relation, as_of, facet, deadline)
    if facet in ("year", "program") or as_of is not None:  # from the hub index: no attribute parsed
        first, params = _firsts(node, way, relation, as_of)
    else:
        mine, other, _ = _COLUMNS[way]
        where, params = _passing(mine, node, [relation], None)
        first = f"SELECT DISTINCT e.{other} AS id FROM {{s}}.edges e WHERE {where}"
    value = f"f.{facet}" if facet in ("year", "program") else _FACET[facet] if facet else "''"
    kind_ok, kind_params = _kind_ok(kinds)
    rows = graph.reader.rows(
        f"SELECT {value}, count(*) FROM ({first}) f JOIN {{s}}.entities n ON n.id = f.id WHERE {kind_ok} GROUP BY 1",
        [*params, *kind_params],
        deadline=deadline,
    )
    return {str(found): int(count) for found, count in rows}


def _counted_by_load(
    graph: LazyGraph,
    node: str,
    way: Way,
    relation: str,
    as_of: date | None,
    facet: str | None,
    deadline: Deadline | None,
) -> dict[str, int]:
    """Every member by ``facet`` (None: how many, as ``""``) as the load counted them (see
    :mod:`graph.store.postgres.hub_counts`): all of them, or those in force ``as_of``."""
    if as_of is None:
        [(members, facets)] = graph.reader.rows(
            "SELECT members, facets FROM {s}.hub_counts WHERE hub = %s AND way = %s AND relation = %s",
            [node, way, relation],
            deadline=deadline,
        )
        return {"": int(members)} if facet is None else {str(value): int(n) for value, n in facets[facet].items()}
    value = "h.value" if facet else "''"  # all members: the kinds' changes summed
    rows = graph.reader.rows(
        f"SELECT {value}, sum(t.change) {_IN_FORCE} AND h.relation = %s GROUP BY 1 HAVING sum(t.change) > 0",
        [node, way, facet or EVERY_MEMBER, as_of.toordinal(), relation],
        deadline=deadline,
    )
    return {str(value): int(count) for value, count in rows}


def members_page(
    graph: LazyGraph,
    node: str,
    way: Way,
    relation: str,
    as_of: date | None,
    kinds: Collection[str],
    values: Mapping[str, str],
    q: str,
    offset: int,
    limit: int,
    *,
    deadline: Deadline | None = None,
) -> tuple[list[MemberRow], list[tuple[str, str]], int] | None:
    """The members of one relation of ``node`` (in force ``as_of``, of ``kinds``) with these
    facet ``values``, for a page sorted by folded label then id, in one statement (see
    :func:`graph.store.records.members_page`): the database folds only ASCII labels as
    Python does (``lower`` under the "C" collation), so those are counted and paged there,
    and the others come as rows for Python to fold. With ``deadline``, the statement is
    cancelled when it runs out (:class:`~graph.errors.OutOfTime`).

    What costs is per member (a country has 255,000 at 1M entities): each member's first
    passing edge comes from the hub index with its year and programme (see :func:`_firsts`),
    joined to its entity, whose ``kind``, ``country`` and ``label`` columns filter it; no
    attributes are parsed, of entities or of edges (the whole country: 1.2 s; a word found
    in 19,000 of its members: 0.65 s, against 3.5 when both were parsed).
    """
    if not counted_here(graph, node, way):
        return None
    first, params = _firsts(node, way, relation, as_of)
    kind_ok, kind_params = _kind_ok(kinds)
    filters = [f"n.{facet} = %s" for facet in values if facet in ("kind", "country")]
    filters += [f"f.{facet} = %s" for facet in values if facet in ("year", "program")]
    ascii_ = "octet_length(n.label) = length(n.label)"
    if q:  # no word: no label folded (an entity's label is not even read but for the page)
        filters.append(f"(NOT {ascii_} OR strpos(lower(n.label), %s) > 0)")
    rows = graph.reader.rows(
        f"WITH k AS MATERIALIZED (SELECT f.id, f.year, f.program, n.label, n.kind, n.country, {ascii_} AS ascii "
        f"FROM ({first}) f JOIN {{s}}.entities n ON n.id = f.id WHERE {' AND '.join([kind_ok, *filters])}), "
        "others AS (SELECT count(*) AS n FROM k WHERE NOT k.ascii) "
        "(SELECT 'other', k.id, k.label, k.kind, k.country, k.year, k.program, 1 FROM k WHERE NOT k.ascii) "
        "UNION ALL (SELECT 'ascii', NULL, NULL, k.kind, k.country, k.year, k.program, count(*) FROM k "
        "WHERE k.ascii GROUP BY k.kind, k.country, k.year, k.program) "
        "UNION ALL (SELECT 'start', NULL, NULL, '', '', '', '', greatest(0, %s - n) FROM others) "
        "UNION ALL (SELECT 'page', k.id, k.label, '', '', '', '', 0 FROM k WHERE k.ascii "
        "ORDER BY lower(k.label), k.id OFFSET greatest(0, %s - (SELECT n FROM others)) "
        "LIMIT least(%s, (SELECT n FROM others)) + %s)",
        [*params, *kind_params, *(values[f] for f in values if f in ("kind", "country")),
         *(values[f] for f in values if f in ("year", "program")), *([q] if q else []), offset, offset, offset, limit],
        deadline=deadline,
    )  # fmt: skip
    found = [MemberRow(*row[1:]) for row in rows if row[0] in ("other", "ascii")]
    window = [(row[1], row[2]) for row in rows if row[0] == "page"]
    start = next(int(row[7]) for row in rows if row[0] == "start")
    return found, window, start


def member_edges(
    graph: LazyGraph,
    node: str,
    way: Way,
    relation: str,
    as_of: date | None,
    kinds: Collection[str],
    *,
    after: int | None = None,
    among: list[str] | None = None,
    limit: int | None = None,
) -> tuple[list[MemberEdge], int | None] | None:
    """The members of one relation of ``node`` (in force ``as_of``, of ``kinds``) after
    position ``after`` (the first ``limit``: a page, read from the index of edge ends in
    order) or among ``among``, each with the first passing edge that reaches it and its
    attributes (see :func:`graph.store.records.member_edges`): what an export of a grouped
    view writes, a page at a time, instead of reading the hub's whole adjacency."""
    if not counted_here(graph, node, way):
        return None
    mine, other, position = _COLUMNS[way]
    where, params = _passing(mine, node, [relation], as_of)
    source = "{s}.edges e"
    if among is not None:
        source = f"(SELECT DISTINCT unnest(%s::text[]) AS id) d JOIN {{s}}.edges e ON e.{other} = d.id"
        params = [among, *params]
    if after is not None:
        where += f" AND e.{position} > %s"
        params.append(after)
    first = (
        f"SELECT DISTINCT ON (e.{position}) e.{other} AS id, e.{position} AS pos, e.key, e.attrs "
        f"FROM {source} {_attrs('e') if as_of else ''} WHERE {where} ORDER BY e.{position}, e.key_pos"
    )
    if limit is not None:
        first += " LIMIT %s"
        params.append(limit)
    kind_ok, kind_params = _kind_ok(kinds)
    # every edge's ends are entities (the load checks it); the outer join keeps a page's
    # length the statement's, which says whether another page follows
    rows = graph.reader.rows(
        f"SELECT f.id, f.pos, f.key, f.attrs, n.attrs, {kind_ok} FROM ({first}) f "
        "LEFT JOIN {s}.entities n ON n.id = f.id ORDER BY f.pos",
        [*kind_params, *params],
    )
    found = [MemberEdge(*row[:5]) for row in rows if row[4] is not None and row[5]]
    return found, (rows[-1][1] if limit is not None and len(rows) == limit else None)


def _members(
    node: str,
    way: Way,
    relation: str,
    as_of: date | None,
    kinds: Collection[str],
    *,
    among: list[str] | None = None,
    limit: int | None = None,
) -> tuple[str, list[Any]]:
    """A statement of the members (``among`` these only, if given; the first ``limit``) in
    adjacency order: each once, its id, position and facet values (the year and programme of
    the first passing edge that reaches it); and its parameters. Without an as-of day the
    edges are read in the index's order, and only the first of each member is parsed: the
    first few thousand of 255,000 cost milliseconds."""
    mine, other, position = _COLUMNS[way]
    where, params = _passing(mine, node, [relation], as_of)
    source = "{s}.edges e"
    if among is not None:
        source = f"(SELECT DISTINCT unnest(%s::text[]) AS id) d JOIN {{s}}.edges e ON e.{other} = d.id"
        params = [among, *params]
    first = (
        f"SELECT DISTINCT ON (e.{position}) e.{other} AS id, e.{position} AS pos, e.attrs "
        f"FROM {source} {_attrs('e') if as_of else ''} WHERE {where} ORDER BY e.{position}, e.key_pos"
    )
    if limit is not None and not kinds:  # every member read is kept: read no more
        first += " LIMIT %s"
        params.append(limit)
    kind_ok, kind_params = _kind_ok(kinds)
    facets = ", ".join(f"{sql} AS {facet}" for facet, sql in _FACET.items())
    sql = (
        f"SELECT f.id, f.pos, {facets} FROM ({first}) f {_attrs('f')} "
        f"JOIN {{s}}.entities n ON n.id = f.id WHERE {kind_ok} ORDER BY f.pos"
    )
    return sql, [*params, *kind_params]


def _firsts(node: str, way: Way, relation: str, as_of: date | None) -> tuple[str, list[Any]]:
    """A statement of the members of one relation of a hub's side (in force ``as_of``), each
    once with the year and programme of its first passing edge (its least ``key_pos``), from
    the hub index alone (``hub_items``: its days say who is in force, as :func:`_passing`
    would, and it holds each relation's facets): no edge's attributes are parsed, which
    for a country's 255,000 members took seconds; and its parameters."""
    params: list[Any] = [node, relation, way]
    if as_of is None:  # each member's first edge, marked by the load: nothing to sort
        return (
            "SELECT h.other AS id, h.year, h.program FROM {s}.hub_items h "
            "WHERE h.hub = %s AND h.relation = %s AND h.way = %s AND h.first"
        ), params
    return (
        "SELECT DISTINCT ON (h.other) h.other AS id, h.year, h.program FROM {s}.hub_items h "
        "WHERE h.hub = %s AND h.relation = %s AND h.way = %s AND h.start_day <= %s AND %s < h.end_day "
        "ORDER BY h.other, h.key_pos"
    ), [*params, as_of.toordinal(), as_of.toordinal()]


def _passing(mine: str, node: str, relations: Collection[str], as_of: date | None) -> tuple[str, list[Any]]:
    """The condition on an edge ``e`` (with its attributes ``a``) of ``node`` that passes the
    relation types (all, if none) and counts on ``as_of``; and its parameters."""
    where, params = f"e.{mine} = %s", list[Any]([node])
    if relations:
        where += " AND e.relation = ANY(%s)"
        params.append(sorted(relations))
    if as_of is not None:
        began, began_params = _reached("a.began", as_of)
        ended, ended_params = _reached("a.ended", as_of)
        where += f" AND (a.began IS NULL OR {began}) AND (a.ended IS NULL OR NOT {ended})"
        params += began_params + ended_params
    return where, params


def _reached(column: str, on: date) -> tuple[str, list[Any]]:
    """Whether the partial date in ``column`` has certainly come by ``on``: the last day it may
    mean is on or before it (:func:`graph.model.dates.latest`), compared as ISO text."""
    day = on.isoformat()
    month_ends, year_ends = (on + timedelta(days=1)).month != on.month, (on.month, on.day) == (12, 31)
    sql = (
        f"(CASE length({column}) WHEN 10 THEN {column} <= %s::text "
        f"WHEN 7 THEN {column} < %s::text OR ({column} = %s::text AND %s::boolean) "
        f"ELSE {column} < %s::text OR ({column} = %s::text AND %s::boolean) END)"
    )
    return sql, [day, day[:7], day[:7], month_ends, day[:4], day[:4], year_ends]


def _kind_ok(kinds: Collection[str]) -> tuple[str, list[Any]]:
    """The condition that the entity ``n`` is of ``kinds`` (any, if none), as Python reads its
    attribute: the column says "unknown" for an entity without a kind, too."""
    if not kinds:
        return "true", []
    return "n.kind = ANY(%s) AND (n.kind <> 'unknown' OR n.attrs->>'kind' = 'unknown')", [sorted(kinds)]


def _keep(
    reader: Reader, key: Hashable, compute: Callable[[Deadline | None], Any], *, deadline: Deadline | None
) -> Any:
    """``compute(deadline)``, kept for the load ``reader`` reads under ``key`` (a load never
    changes), within :data:`KEPT` and :data:`KEPT_ROWS`.

    A query has a time budget (``deadline``, see :func:`graph.store.records.bound`; None: none)
    and a count may take longer: a country's 2.5 million members at 10M take 3-4 s. So a
    count not kept yet is made on a thread of its own (in :data:`COUNT_SECONDS` at most) and
    waited for until the deadline. Past it the query is told
    (:class:`~graph.errors.OutOfTime`: it answers cut) while the count goes on, kept for the
    next view. Queries asking at once wait for the same count. At most :data:`BACKGROUND`
    counts run so at a time per process; past that, a query counts itself, its statement
    cancelled at its deadline, so that a busy server does not pile statements on the database."""
    with _keeping:
        kept = _kept.setdefault(reader, {})
        if key in kept:
            return kept[key]
        if deadline is None:
            running = None
        elif (running := _counting.get((reader, key))) is None and len(_counting) < BACKGROUND:
            running = _counting[(reader, key)] = Future()
            threading.Thread(target=_count, args=(reader, key, compute, running), name="linkscope-count",
                             daemon=True).start()  # fmt: skip
    if running is None:
        value = compute(deadline)
        _put(reader, key, value)
        return value
    assert deadline is not None
    left = deadline.left
    try:
        return running.result(timeout=None if left == float("inf") else max(0.0, left))
    except TimeoutError:
        raise OutOfTime("the time budget ran out counting a hub's members (counted on, for the next view)") from None


def wait_for_counts(timeout: float | None = None) -> None:
    """Wait until the counts going on in the background (see :func:`_keep`) have ended, their
    errors ignored: what a benchmark measures next is a server with its counts kept."""
    with _keeping:
        running = list(_counting.values())
    wait(running, timeout=timeout)


def _count(reader: Reader, key: Hashable, compute: Callable[[Deadline | None], Any], running: Future[Any]) -> None:
    """Make one count for :func:`_keep` in the background: kept once made, given to those
    waiting for it (its error too, none kept), and no longer running either way."""
    try:
        value = compute(Deadline(COUNT_SECONDS))
    except BaseException as error:  # the waiters' to raise
        running.set_exception(error)
    else:
        _put(reader, key, value)
        running.set_result(value)
    finally:
        with _keeping:
            _counting.pop((reader, key), None)


def _put(reader: Reader, key: Hashable, value: Any) -> None:
    """Keep ``value`` for the load ``reader`` reads under ``key``, instead of what was; the
    oldest dropped first beyond :data:`KEPT` answers or :data:`KEPT_ROWS` values."""
    with _keeping:
        kept = _kept.setdefault(reader, {})
        kept.pop(key, None)
        kept[key] = value
        while len(kept) > KEPT or (len(kept) > 1 and sum(map(_size, kept.values())) > KEPT_ROWS):
            del kept[next(iter(kept))]


def _size(value: Any) -> int:
    """How many values a kept answer holds: a head's rows (``(rows, whole)``), a count's
    values, or one."""
    if isinstance(value, tuple) and value and isinstance(value[0], _Rows):
        return len(value[0])
    return len(value) if isinstance(value, (dict, list)) else 1
