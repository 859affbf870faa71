"""Big neighbourhoods as groups: many neighbours through one relation become a few counted groups.

An authority with 26,007 designations, centred in a view, is a ring of dots with no labels
and an arbitrary cut. Instead, when one entity's neighbours through one relation type in one
direction number more than a threshold, a neighbourhood shows them as *groups*, split by the
facet that tells them apart best (kind, country, year of the relation, programme): "1,240
sanctioned by HM Treasury · RU". Counts are exact: the neighbours shown individually (those
in the view for another reason) plus the groups' counts are all of them, and every group
says how to list its members (:func:`group_members`, ``GET /api/groups/members``).

A graph read from a database counts a big relation's members there instead of reading
them (the hooks :func:`graph.store.records.relation_sizes`, :func:`~graph.store.records.tally`
and :func:`~graph.store.records.members_page`): the facet is still chosen here, on the same
first members, the members drawn individually are subtracted here, and the members behind
the groups are read only when an export writes them. The answers are the same either way.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypedDict

import networkx as nx

from graph.errors import BadQuery, OutOfTime
from graph.limits import MAX_PAGE, Deadline, check_range
from graph.queries.walk import edge_filter
from graph.store import records
from graph.store.records import Attrs, EdgeFilter, EntitySummary

__all__ = [
    "FACETS",
    "GROUP_THRESHOLD",
    "MEMBERS_PAGE",
    "Counted",
    "Facet",
    "Group",
    "GroupedRelation",
    "Member",
    "MembersPage",
    "Reached",
    "facet_value",
    "group_members",
    "group_relation",
    "member_pages",
    "members_among",
    "neighbour_buckets",
    "neighbour_groups",
    "recount",
    "split",
]

#: Above this many neighbours through one relation and direction, a view groups them.
GROUP_THRESHOLD = 30
#: A facet splits a group only into at most this many parts (more would not be read).
MAX_PARTS = 12
#: A members page counts at most this many values of each facet.
MAX_FACET_VALUES = 20
#: The facet is chosen on this many members (then every member is counted): 255,000 at once is slow.
_SAMPLE = 5_000
#: What a group can be split by: the neighbour's kind or country, the relation's year or programme.
FACETS = ("kind", "country", "year", "program")

Way = Literal["out", "in"]
Facet = Literal["kind", "country", "year", "program"]


def facet_value(entity: Mapping[str, Any], relation: Mapping[str, Any], facet: str) -> str:
    """The value of ``facet`` for a neighbour (its attributes) reached by a relation (its attributes)."""
    if facet == "kind":
        return str(entity.get("kind") or "unknown")
    if facet == "country":
        return str(entity.get("country") or "none")
    if facet == "year":
        return records.relation_facets(relation)[0]
    if facet == "program":
        return records.relation_facets(relation)[1]
    raise BadQuery(f"facet must be one of {', '.join(FACETS)}, not {facet!r}")


Reached = tuple[str, Mapping[str, Any]]
"""The key and attributes of the first passing edge that reaches a neighbour."""


def neighbour_groups(
    graph: nx.MultiDiGraph, node: str, ways: tuple[Way, ...], keep: EdgeFilter | None
) -> dict[tuple[str, Way], dict[str, Reached]]:
    """Per (relation, way): each neighbour of ``node`` with the first passing edge that reaches it."""
    found: dict[tuple[str, Way], dict[str, Reached]] = {}
    for way in ways:
        side = records.successors(graph) if way == "out" else records.predecessors(graph)
        for other, keyed in side[node].items():
            for key, data in keyed.items():
                if keep is None or keep(data):
                    found.setdefault((str(data.get("relation")), way), {}).setdefault(other, (key, data))
    return found


@dataclass(frozen=True)
class Counted:
    """A relation's members as the database counted them (see :func:`graph.store.records.relation_sizes`):
    more than a threshold, not who (they are counted by facet when the groups are made)."""

    size: int

    def __len__(self) -> int:
        return self.size


Bucket = Mapping[str, Reached] | Counted
"""One relation's members on one side: each with the edge that reaches it, or just counted."""


def neighbour_buckets(
    graph: nx.MultiDiGraph,
    node: str,
    ways: tuple[Way, ...],
    relations: Collection[str],
    as_of: date | None,
    kinds: Collection[str],
    threshold: int,
) -> dict[tuple[str, Way], Bucket]:
    """:func:`neighbour_groups` with the edge filter of ``relations`` and ``as_of``, keeping
    members of ``kinds`` only (all if empty): where the graph is stored in a database, the
    relations with more than ``threshold`` members are only counted there (:class:`Counted`)
    and only the other relations' neighbours are read."""
    keep = edge_filter(relations, as_of)
    found: dict[tuple[str, Way], Bucket] = {}
    for way in ways:
        sizes = records.relation_sizes(graph, node, way, relations, as_of, kinds, threshold + 1)
        read: dict[tuple[str, Way], Bucket]
        if sizes is None:
            read = dict[tuple[str, Way], Bucket](neighbour_groups(graph, node, (way,), keep))
        else:
            big = {relation for relation, size in sizes if size > threshold}
            read = _read_except(graph, node, way, keep, big)
            read.update({(relation, way): Counted(size) for relation, size in sizes if relation in big})
            read = {(relation, way): read.get((relation, way), {}) for relation, _ in sizes}  # the adjacency's order
        for bucket, members in read.items():
            found[bucket] = _of_kinds(graph, members, kinds) if kinds and isinstance(members, dict) else members
    return found


def _read_except(
    graph: nx.MultiDiGraph, node: str, way: Way, keep: EdgeFilter | None, big: Collection[str]
) -> dict[tuple[str, Way], Bucket]:
    """:func:`neighbour_groups` on one side for the relations not in ``big``, reading only the
    neighbours one of those joins (see :func:`graph.store.records.connecting`)."""
    found: dict[tuple[str, Way], Bucket] = {}
    for other, keyed in records.connecting(graph, node, way, big):
        for key, data in keyed.items():
            relation = str(data.get("relation"))
            if relation not in big and (keep is None or keep(data)):
                members = found.setdefault((relation, way), {})
                assert isinstance(members, dict)
                members.setdefault(other, (key, data))
    return found


def _relation_members(
    graph: nx.MultiDiGraph, of: str, relation: str, way: Way, as_of: date | None, kinds: Collection[str]
) -> Mapping[str, Reached]:
    """The members of one relation of ``of`` on one side (in force ``as_of``; of ``kinds``, if
    any), each with the first passing edge that reaches it, read one by one."""
    members = neighbour_groups(graph, of, (way,), edge_filter([relation], as_of)).get((relation, way), {})
    return _of_kinds(graph, members, kinds) if kinds else members


def _of_kinds(graph: nx.MultiDiGraph, members: Mapping[str, Reached], kinds: Collection[str]) -> dict[str, Reached]:
    entities = records.entities(graph)
    wanted = frozenset(kinds)
    return {m: reached for m, reached in members.items() if entities[m].get("kind") in wanted}


#: Members read in one statement (or looked up at once) when an export writes them.
MEMBERS_PAGE = 2_000

Member = tuple[str, Reached, Attrs]
"""A member with the edge that reaches it and its own attributes, as an export writes it."""


class _MembersApart(Mapping[str, Reached]):
    """The members of a relation counted where the graph is stored, those drawn individually
    apart: read only when asked for (by an export writing a grouped view's entities), page by
    page in adjacency order (:meth:`pages`), or looked up (:meth:`among`). Read as a mapping,
    all of them at once."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        of: str,
        relation: str,
        way: Way,
        as_of: date | None,
        kinds: Collection[str],
        drawn: Collection[str],
    ) -> None:
        self._graph, self._of, self._relation, self._way = graph, of, relation, way
        self._as_of, self._kinds, self._apart = as_of, frozenset(kinds), frozenset(drawn)
        self._found: Mapping[str, Reached] | None = None

    def _members(self) -> Mapping[str, Reached]:
        if self._found is None:
            members = _relation_members(self._graph, self._of, self._relation, self._way, self._as_of, self._kinds)
            self._found = {m: reached for m, reached in members.items() if m not in self._apart}
        return self._found

    def __getitem__(self, member: str) -> Reached:
        return self._members()[member]

    def __iter__(self) -> Iterator[str]:
        return iter(self._members())

    def __len__(self) -> int:
        return len(self._members())

    def _read(self, after: int | None, among: list[str] | None) -> tuple[list[records.MemberEdge], int | None] | None:
        return records.member_edges(
            self._graph, self._of, self._way, self._relation, self._as_of, self._kinds,
            after=after, among=among, limit=MEMBERS_PAGE if among is None else None,
        )  # fmt: skip

    def pages(self) -> Iterator[list[Member]]:
        """The members in adjacency order, :data:`MEMBERS_PAGE` at a time, each read with the
        first passing edge that reaches it and its attributes (none of them kept)."""
        after: int | None = -1
        while after is not None:
            read = self._read(after, None)
            if read is None:  # not counted where stored after all: read as a mapping
                yield from _mapping_pages(self._graph, self)
                return
            rows, after = read
            page: list[Member] = [
                (row.id, (row.key, row.attrs), row.entity) for row in rows if row.id not in self._apart
            ]
            if page:
                yield page

    def among(self, nodes: list[str]) -> dict[str, Reached]:
        """Those of ``nodes`` that are members, each with the edge that reaches it."""
        read = self._read(None, nodes)
        if read is None:
            return {m: self[m] for m in nodes if m in self}
        return {row.id: (row.key, row.attrs) for row in read[0] if row.id not in self._apart}


def member_pages(graph: nx.MultiDiGraph, members: Mapping[str, Reached]) -> Iterator[list[Member]]:
    """A grouped relation's members (see :func:`group_relation`) in their order, a page at a
    time, with their attributes: where the graph is stored, read page by page and not kept."""
    if isinstance(members, _MembersApart):
        return members.pages()
    return _mapping_pages(graph, members)


def members_among(members: Mapping[str, Reached], nodes: list[str]) -> dict[str, Reached]:
    """Those of ``nodes`` in a grouped relation's ``members``, each with the edge that reaches it."""
    if isinstance(members, _MembersApart):
        return members.among(nodes)
    return {m: members[m] for m in nodes if m in members}


def _mapping_pages(graph: nx.MultiDiGraph, members: Mapping[str, Reached]) -> Iterator[list[Member]]:
    entities = records.entities(graph)
    items = iter(members.items())
    while page := list(itertools.islice(items, MEMBERS_PAGE)):
        records.fetch(graph, (m for m, _ in page))
        yield [(m, reached, entities[m]) for m, reached in page]


@dataclass(frozen=True)
class Group:
    """Some of one entity's neighbours through one relation and direction, of one facet value
    (``facet`` None: all of them)."""

    of: str
    relation: str
    way: Way
    facet: str | None
    value: str | None
    count: int

    @property
    def id(self) -> str:
        part = f":{self.facet}={self.value}" if self.facet is not None else ""
        return f"group:{self.of}:{self.relation}:{self.way}{part}"

    @property
    def ends(self) -> tuple[str, str]:
        """Source and target of the edge that joins the entity to the group, as the relation reads."""
        return (self.of, self.id) if self.way == "out" else (self.id, self.of)

    def members_query(self) -> dict[str, str]:
        """The parameters of ``GET /api/groups/members`` that list this group's members."""
        query = {"of": self.of, "relation": self.relation, "direction": self.way}
        if self.facet is not None and self.value is not None:
            query.update(facet=self.facet, value=self.value)
        return query


class GroupedRelation(TypedDict):
    """One entity's neighbours through one relation and direction, as a view shows them."""

    of: str
    relation: str
    direction: Way
    total: int
    """Every neighbour through this relation and direction (as of the view's date)."""
    shown: int
    """Those drawn individually (in the view for another reason)."""
    grouped: int
    """Those in the groups: ``shown + grouped == total``."""
    facet: str | None


def split(
    graph: nx.MultiDiGraph, of: str, relation: str, way: Way, members: Mapping[str, Reached]
) -> tuple[str | None, list[Group]]:
    """``members`` as groups by the facet that tells them apart best: of the facets with 2 to
    :data:`MAX_PARTS` values, the one whose split is most even (highest entropy; judged on
    the first 5,000 members of a bigger group, then every member counted); one group of all
    when none has. Largest groups first."""
    entities = records.entities(graph)
    sample = members if len(members) <= _SAMPLE else dict(itertools.islice(members.items(), _SAMPLE))
    samples = {facet: _facet_counts(entities, sample, facet) for facet in FACETS}
    facet = _telling(samples)
    if facet is None:
        return None, [Group(of, relation, way, None, None, len(members))]
    counts = samples[facet] if sample is members else _facet_counts(entities, members, facet)  # exact counts of all
    return facet, _groups(of, relation, way, facet, counts)


def _telling(samples: Mapping[str, Mapping[str, int]]) -> str | None:
    """Of the facets whose sample has 2 to :data:`MAX_PARTS` values, the one whose split is most
    even (highest entropy; the first of equals), or None. The counts are summed in their order:
    a tie is broken by the same last bits whatever counted them."""
    best: tuple[float, str] | None = None
    for facet, counts in samples.items():
        if not 2 <= len(counts) <= MAX_PARTS:
            continue
        total = sum(counts.values())
        entropy = -sum(c / total * math.log(c / total) for c in counts.values())
        if best is None or entropy > best[0]:
            best = (entropy, facet)
    return None if best is None else best[1]


def _groups(of: str, relation: str, way: Way, facet: str, counts: Mapping[str, int]) -> list[Group]:
    """One group per value of ``facet`` (none for a value no member has), largest first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Group(of, relation, way, facet, value, count) for value, count in ordered if count]


def group_relation(
    graph: nx.MultiDiGraph,
    of: str,
    relation: str,
    way: Way,
    members: Bucket,
    drawn: Collection[str],
    *,
    as_of: date | None,
    kinds: Collection[str],
    deadline: Deadline | None = None,
) -> tuple[GroupedRelation, list[Group], Mapping[str, Reached]] | None:
    """The groups of one big relation of a view, those in ``drawn`` apart (shown as themselves):
    its counts, its groups (see :func:`split`), and the members in them with the edge that
    reaches each (counted members: read only if asked for). ``as_of`` and ``kinds`` are the
    ones ``members`` were found with. None when ``deadline`` expires between the statements
    that count counted members, or during one (the store keeps counting, for the next view)."""
    if isinstance(members, Counted):
        try:
            tally = records.tally(graph, of, way, relation, as_of, kinds, drawn, _SAMPLE)
            assert tally is not None, "a relation counted where it is stored is tallied there"
            if deadline is not None and deadline.expired:
                return None
            facet = _telling({f: dict(tally.sample.get(f, [])) for f in FACETS})
            counts = tally.counts(facet)
        except OutOfTime:
            return None
        rest: Mapping[str, Reached] = _MembersApart(graph, of, relation, way, as_of, kinds, drawn)
        grouped = sum(counts.values())
        total = grouped + tally.shown
        if facet is None:
            groups = [Group(of, relation, way, None, None, grouped)] if grouped else []
        else:
            groups = _groups(of, relation, way, facet, counts)
    else:
        rest = {m: reached for m, reached in members.items() if m not in drawn}
        total, grouped = len(members), len(rest)
        facet, groups = split(graph, of, relation, way, rest) if rest else (None, [])
    summary: GroupedRelation = {"of": of, "relation": relation, "direction": way, "total": total,
                                "shown": total - grouped, "grouped": grouped, "facet": facet}  # fmt: skip
    return summary, groups, rest


def _facet_counts(
    entities: Mapping[str, Mapping[str, Any]], members: Mapping[str, Reached], facet: str
) -> Counter[str]:
    """How many members have each value of ``facet``: :func:`facet_value` for all of them,
    written out per facet so that a 255,000-member group is counted in tens of milliseconds."""
    if facet == "kind":
        return Counter(str(entities[m].get("kind") or "unknown") for m in members)
    if facet == "country":
        return Counter(str(entities[m].get("country") or "none") for m in members)
    if facet == "program":
        return Counter(str(data.get("program") or "none") for _, data in members.values())
    return Counter(
        (str(day)[:4] if (day := data.get("date") or data.get("start")) else "undated") for _, data in members.values()
    )


class MembersPage(TypedDict):
    """A page of a group's members, by label."""

    of: str
    relation: str
    direction: Way
    facet: str | None
    value: str | None
    narrow: dict[str, str]
    q: str
    kinds: list[str]
    total: int
    offset: int
    limit: int
    results: list[EntitySummary]
    facets: dict[str, dict[str, int]]
    """For every facet, how many of the matching members have each value (the commonest first)."""
    truncated: bool
    truncated_reason: str | None
    """``time_budget``: the members could not be counted within the query's time budget, and
    none are given (``total`` 0, no facet values): narrow the search down and ask again."""


def group_members(
    graph: nx.MultiDiGraph,
    of: str,
    relation: str,
    direction: str,
    *,
    facet: str | None = None,
    value: str | None = None,
    narrow: Mapping[str, str] | None = None,
    q: str = "",
    kinds: Collection[str] = (),
    as_of: date | None = None,
    offset: int = 0,
    limit: int = 50,
    deadline: Deadline | None = None,
) -> MembersPage:
    """The members of a group, by label: ``narrow`` keeps those with these facet values too (a
    group split by another facet), ``q`` those whose label contains it (case-insensitive),
    ``kinds`` (when given) those of these kinds (what a view with some kinds unticked counts).
    With the exact ``total`` of those that match, and how they split by every facet; or, when
    ``deadline`` runs out before they are counted (a database counting a country's
    hundreds of thousands of members, its statement cancelled then), none of them,
    ``truncated`` (``time_budget``)."""
    if direction not in ("out", "in"):
        raise BadQuery(f"direction must be out or in, not {direction!r}")
    way: Way = direction  # type: ignore[assignment]
    if (facet is None) != (value is None):
        raise BadQuery("give facet and value together, or neither")
    wanted_values = dict(narrow or {})
    if facet is not None and value is not None:
        wanted_values[facet] = value
    unknown = [f for f in wanted_values if f not in FACETS]
    if unknown:
        raise BadQuery(f"facet must be one of {', '.join(FACETS)}, not {unknown[0]!r}")
    check_range("limit", limit, 1, MAX_PAGE)
    check_range("offset", offset, 0, 1_000_000)
    wanted = q.casefold().strip()
    deadline = deadline or Deadline.unlimited()
    total: int = 0
    page: list[str] = []
    counted: dict[str, Counter[str]] = {}
    cut = deadline.expired
    try:
        found = None if cut else records.members_page(
            graph, of, way, relation, as_of, kinds, wanted_values, wanted, offset, limit, deadline=deadline
        )  # fmt: skip
    except OutOfTime:  # its one statement cancelled at the budget: nothing counted
        found, cut = None, True
    if found is not None:
        total, page, counted = _counted_page(*found, wanted, offset, limit)
        records.gather_pairs(graph, ((of, m) if way == "out" else (m, of) for m in page))
    elif not cut:
        total, page, counted = _read_page(graph, of, relation, way, as_of, kinds, wanted_values, wanted, offset, limit)
    facets = {
        name: dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_FACET_VALUES])
        for name, counts in counted.items()
    }
    return {
        "of": of,
        "relation": relation,
        "direction": way,
        "facet": facet,
        "value": value,
        "narrow": {f: v for f, v in wanted_values.items() if f != facet},
        "q": q,
        "kinds": sorted(frozenset(kinds)),
        "total": total,
        "offset": offset,
        "limit": limit,
        "results": [records.summary(graph, m) for m in page],
        "facets": facets,
        "truncated": cut,
        "truncated_reason": "time_budget" if cut else None,
    }


def _read_page(
    graph: nx.MultiDiGraph,
    of: str,
    relation: str,
    way: Way,
    as_of: date | None,
    kinds: Collection[str],
    wanted_values: Mapping[str, str],
    wanted: str,
    offset: int,
    limit: int,
) -> tuple[int, list[str], dict[str, Counter[str]]]:
    """:func:`group_members`' total, page and facet counts, from the members read one by one."""
    members = _relation_members(graph, of, relation, way, as_of, kinds)
    entities = records.entities(graph)
    matched = {
        m: reached
        for m, reached in members.items()
        if all(facet_value(entities[m], reached[1], f) == v for f, v in wanted_values.items())
        and (not wanted or wanted in str(entities[m].get("label", m)).casefold())
    }
    chosen = sorted(matched, key=lambda m: (str(entities[m].get("label", m)).casefold(), m))
    counted = {name: _facet_counts(entities, matched, name) for name in FACETS}
    return len(chosen), chosen[offset : offset + limit], counted


def _counted_page(
    rows: list[records.MemberRow],
    window: list[tuple[str, str]],
    start: int,
    wanted: str,
    offset: int,
    limit: int,
) -> tuple[int, list[str], dict[str, Counter[str]]]:
    """:func:`group_members`' total, page and facet counts from what the database counted
    (see :func:`graph.store.records.members_page`): the members with labels only Python folds
    are matched here, and merged by label with the window of the others, which starts where
    none of them can come before the page."""
    others = [row for row in rows if row.id is not None and (not wanted or wanted in str(row.label).casefold())]
    counted: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for row in itertools.chain(others, (row for row in rows if row.id is None)):
        for name in FACETS:
            counted[name][getattr(row, name)] += row.number
    total = sum(row.number for row in rows if row.id is None) + len(others)
    keys = sorted((str(row.label).casefold(), str(row.id)) for row in others)
    ascii_keys = [(label.casefold(), member) for member, label in window]
    begin = 0
    if start and ascii_keys:  # the page starts after the window's first, and the others before it
        before = sum(1 for key in keys if key < ascii_keys[0])
        begin, keys = start + before, keys[before:]
    elif start:
        return total, [], counted  # nothing is left from the offset on
    merged = sorted(ascii_keys + keys)
    return total, [member for _, member in merged[offset - begin : offset - begin + limit]], counted


def recount(
    graph: nx.MultiDiGraph,
    grouped: GroupedRelation,
    drawn: Collection[str],
    *,
    as_of: date | None,
    kinds: Collection[str] = (),
) -> tuple[GroupedRelation, list[Group], Mapping[str, Reached]]:
    """One grouped relation counted again as a view filtered on ``as_of`` and ``kinds`` shows
    it: only the members in force that day (by any of their relations of this type) and of
    these kinds, still split by the groups' facet, largest first; a value no member keeps has
    no group. ``drawn``: the entities drawn as themselves, in no group (``shown``). With the
    members now in the groups, each with the edge that reaches it (read when first asked for,
    where the database counted them)."""
    of, relation, way, facet = grouped["of"], grouped["relation"], grouped["direction"], grouped["facet"]
    tally = records.tally(graph, of, way, relation, as_of, kinds, drawn, 0)
    rest: Mapping[str, Reached]
    if tally is not None:
        rest = _MembersApart(graph, of, relation, way, as_of, kinds, drawn)
        counts = tally.counts(facet)
        count = sum(counts.values())
        total = count + tally.shown
    else:
        members = _relation_members(graph, of, relation, way, as_of, kinds)
        rest = {m: reached for m, reached in members.items() if m not in drawn}
        total, count = len(members), len(rest)
        counts = _facet_counts(records.entities(graph), rest, facet) if facet is not None else {}
    if facet is None:
        regrouped = [Group(of, relation, way, None, None, count)] if count else []
    else:
        regrouped = _groups(of, relation, way, facet, counts)
    summary: GroupedRelation = {"of": of, "relation": relation, "direction": way, "total": total,
                                "shown": total - count, "grouped": count, "facet": facet}  # fmt: skip
    return summary, regrouped, rest
