"""Big neighbourhoods as groups: many neighbours through one relation become a few counted groups.

An authority with 26,007 designations, centred in a view, is a ring of dots with no labels
and an arbitrary cut. Instead, when one entity's neighbours through one relation type in one
direction number more than a threshold, a neighbourhood shows them as *groups*, split by the
facet that tells them apart best (kind, country, year of the relation, programme): "1,240
sanctioned by HM Treasury · RU". Counts are exact: the neighbours shown individually (those
in the view for another reason) plus the groups' counts are all of them, and every group
says how to list its members (:func:`group_members`, ``GET /api/groups/members``).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Collection, Container, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypedDict

import networkx as nx

from graph.errors import BadQuery
from graph.limits import MAX_PAGE, check_range
from graph.queries.walk import edge_filter
from graph.store import records
from graph.store.records import EdgeFilter, EntitySummary

__all__ = [
    "FACETS",
    "GROUP_THRESHOLD",
    "Facet",
    "Group",
    "GroupedRelation",
    "MembersPage",
    "Reached",
    "facet_value",
    "group_members",
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
        day = records.when(relation)
        return day[:4] if day else "undated"
    if facet == "program":
        return str(relation.get("program") or "none")
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
    best: tuple[float, str, Counter[str]] | None = None
    for facet in FACETS:
        counts = _facet_counts(entities, sample, facet)
        if not 2 <= len(counts) <= MAX_PARTS:
            continue
        total = sum(counts.values())
        entropy = -sum(c / total * math.log(c / total) for c in counts.values())
        if best is None or entropy > best[0]:
            best = (entropy, facet, counts)
    if best is not None and sample is not members:
        best = (best[0], best[1], _facet_counts(entities, members, best[1]))  # exact counts of all
    if best is None:
        return None, [Group(of, relation, way, None, None, len(members))]
    _, facet, counts = best
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return facet, [Group(of, relation, way, facet, value, count) for value, count in ordered]


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
) -> MembersPage:
    """The members of a group, by label: ``narrow`` keeps those with these facet values too (a
    group split by another facet), ``q`` those whose label contains it (case-insensitive),
    ``kinds`` (when given) those of these kinds (what a view with some kinds unticked counts).
    With the exact ``total`` of those that match, and how they split by every facet."""
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
    keep = edge_filter([relation], as_of)
    members = neighbour_groups(graph, of, (way,), keep).get((relation, way), {})
    entities = records.entities(graph)
    wanted = q.casefold().strip()
    wanted_kinds = frozenset(kinds)
    matched = {
        m: reached
        for m, reached in members.items()
        if (not wanted_kinds or entities[m].get("kind") in wanted_kinds)
        and all(facet_value(entities[m], reached[1], f) == v for f, v in wanted_values.items())
        and (not wanted or wanted in str(entities[m].get("label", m)).casefold())
    }
    chosen = sorted(matched, key=lambda m: (str(entities[m].get("label", m)).casefold(), m))
    facets = {}
    for name in FACETS:
        counts = _facet_counts(entities, matched, name)
        facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_FACET_VALUES])
    return {
        "of": of,
        "relation": relation,
        "direction": way,
        "facet": facet,
        "value": value,
        "narrow": {f: v for f, v in wanted_values.items() if f != facet},
        "q": q,
        "kinds": sorted(wanted_kinds),
        "total": len(chosen),
        "offset": offset,
        "limit": limit,
        "results": [records.summary(graph, m) for m in chosen[offset : offset + limit]],
        "facets": facets,
    }


def recount(
    graph: nx.MultiDiGraph,
    grouped: GroupedRelation,
    drawn: Container[str],
    *,
    as_of: date | None,
    kinds: Collection[str] = (),
) -> tuple[GroupedRelation, list[Group], dict[str, Reached]]:
    """One grouped relation counted again as a view filtered on ``as_of`` and ``kinds`` shows
    it: only the members in force that day (by any of their relations of this type) and of
    these kinds, still split by the groups' facet, largest first; a value no member keeps has
    no group. ``drawn``: the entities drawn as themselves, in no group (``shown``). With the
    members now in the groups, each with the edge that reaches it."""
    of, relation, way, facet = grouped["of"], grouped["relation"], grouped["direction"], grouped["facet"]
    members = neighbour_groups(graph, of, (way,), edge_filter([relation], as_of)).get((relation, way), {})
    entities = records.entities(graph)
    if kinds:
        wanted = frozenset(kinds)
        members = {m: reached for m, reached in members.items() if entities[m].get("kind") in wanted}
    rest = {m: reached for m, reached in members.items() if m not in drawn}
    if facet is None:
        regrouped = [Group(of, relation, way, None, None, len(rest))] if rest else []
    else:
        counts = _facet_counts(entities, rest, facet)
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        regrouped = [Group(of, relation, way, facet, value, count) for value, count in ordered]
    summary: GroupedRelation = {"of": of, "relation": relation, "direction": way, "total": len(members),
                                "shown": len(members) - len(rest), "grouped": len(rest), "facet": facet}  # fmt: skip
    return summary, regrouped, rest
