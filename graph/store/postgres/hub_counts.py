"""What grouping counts of a hub's big relations, counted once by the load.

A grouped view counts the members of each big relation of a hub by facet (see
:mod:`graph.store.postgres.grouping`): at 10M a country's 2.5 million members took 4-5 s of
statements, on every new as-of day. A load never changes, so the load counts them for each
relation of each hub side of more than :data:`~graph.store.postgres.grouping.SMALL`
neighbours, from what it writes to ``hub_items`` (the same days, the same first edges):

* ``hub_counts``: one row per relation, with no as-of day: how many members, the first's
  place in the side's adjacency and its first edge's key_pos (the relation's place among the
  side's relations), and the members by facet;
* ``hub_days``: the days members come into force and leave, by facet value (a row per value,
  its days and changes as arrays: a few thousand rows instead of millions), so that the
  members in force on a day, by facet, are the sums of the changes up to that day. A member
  is in force while one of its edges is (``start_day <= day < end_day``); its year and
  programme are those of its first edge in force (its least key_pos), which may change
  from day to day when it has several. Every member has one kind: the kinds' changes
  summed count them all (:data:`EVERY_MEMBER`).

Facet values are those grouping reads: kind and country as the entities table holds them,
year and programme as ``hub_items`` does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.store.hubs import HubGroup
from graph.store.records import relation_facets

__all__ = ["EVERY_MEMBER", "EntityFacets", "GroupItems", "relation_counts"]

#: The facet of ``hub_days`` whose values every member has exactly one of (its entity's
#: kind): summed over its values, its changes count every member.
EVERY_MEMBER = "kind"
_NEVER = int(np.iinfo(np.int32).max)


@dataclass(frozen=True)
class EntityFacets:
    """Every entity's kind and country as grouping reads them (``str(kind or "unknown")``,
    ``str(country or "none")``), as codes into the names, by the entity's number in ``rank``:
    the search index's (see :class:`graph.store.search.SearchIndex`), read once for every hub."""

    rank: Mapping[str, int]
    kinds: np.ndarray
    kind_names: list[str]
    countries: np.ndarray
    country_names: list[str]


@dataclass(frozen=True)
class GroupItems:
    """One hub group's items as ``hub_items`` holds them, read from its side's adjacency in one
    pass and coded, for its rows and its counts alike: each item's member (a number: its place
    in ``members``), its key's place among the pair's keys (key_pos), whether that is the
    member's least in the group (``first``; the least, per member, in ``least``), and its
    year and programme as codes into their names."""

    members: dict[str, int]
    owner: np.ndarray
    place: np.ndarray
    least: np.ndarray
    first: np.ndarray
    years: np.ndarray
    year_names: list[str]
    programs: np.ndarray
    program_names: list[str]

    @classmethod
    def read(cls, near: Mapping[str, Mapping[str, Mapping[str, Any]]], group: HubGroup) -> GroupItems:
        """``group``'s items, ``near`` being its side's adjacency (other -> key -> attributes)."""
        members: dict[str, int] = {}
        years: dict[str, int] = {}
        programs: dict[str, int] = {}
        # an edge's facet codes by its attributes' identity: the based_in edges of a file share
        # one dict, so a country's millions of members are read once
        coded: dict[int, tuple[int, int]] = {}
        owner, place, year, program = [], [], [], []
        for other, key in zip(group.others, group.keys, strict=True):
            keyed = near[other]
            attrs = keyed[key]
            codes = coded.get(id(attrs))
            if codes is None:
                named = relation_facets(attrs)
                codes = coded[id(attrs)] = (years.setdefault(named[0], len(years)),
                                            programs.setdefault(named[1], len(programs)))  # fmt: skip
            owner.append(members.setdefault(other, len(members)))
            place.append(0 if len(keyed) == 1 else list(keyed).index(key))
            year.append(codes[0])
            program.append(codes[1])
        owners, places = np.asarray(owner, np.int64), np.asarray(place, np.int64)
        least = np.full(len(members), np.iinfo(np.int64).max, np.int64)
        np.minimum.at(least, owners, places)
        return cls(members, owners, places, least, places == least[owners], np.asarray(year, np.int64), list(years),
                   np.asarray(program, np.int64), list(programs))  # fmt: skip

    def rows(self) -> Iterator[tuple[int, str, str, bool]]:
        """Per item, in order: its key_pos, year, programme and whether it is its member's first."""
        years, programs = self.year_names, self.program_names
        columns = (self.place.tolist(), self.years.tolist(), self.programs.tolist(), self.first.tolist())
        for place, year, program, first in zip(*columns, strict=True):
            yield place, years[year], programs[program], first


def relation_counts(
    near: Mapping[str, Any], group: HubGroup, items: GroupItems, entities: EntityFacets
) -> tuple[tuple[int, int, int, dict[str, dict[str, int]]], list[tuple[str, str, list[int], list[int]]]]:
    """One relation of a hub side (its ``group``, read as ``items``; ``near``: the side's
    adjacency): its ``hub_counts`` values (members, first place, first key_pos, members by
    facet) and its ``hub_days`` rows (facet, value, days, changes: each day's changes summed,
    none that are zero)."""
    owner, place, first, years, programs = items.owner, items.place, items.first, items.years, items.programs
    year_names, program_names = items.year_names, items.program_names
    ranks = np.fromiter(map(entities.rank.__getitem__, items.members), np.int64, len(items.members))
    kinds, countries = entities.kinds[ranks].astype(np.int64), entities.countries[ranks].astype(np.int64)
    kind_names, country_names = entities.kind_names, entities.country_names
    whole = {
        "kind": _counted(kinds, kind_names),
        "country": _counted(countries, country_names),
        "year": _counted(years[first], year_names),
        "program": _counted(programs[first], program_names),
    }
    # the first member in the adjacency, with its least key_pos
    first_place = next(
        (at, int(items.least[items.members[other]])) for at, other in enumerate(near) if other in items.members
    )
    counted = (len(items.members), first_place[0], first_place[1], whole)

    rows: list[tuple[str, str, list[int], list[int]]] = []
    if not group.starts.any() and bool((group.ends == _NEVER).all()):  # undated: every member in force from day 0
        rows += [(facet, value, [0], [count]) for facet, counts in whole.items() for value, count in counts.items()]
        return counted, rows
    spans, firsts_in_force = _in_force(owner, place, group.starts, group.ends, years, programs)
    span_owner, span_start, span_end = spans
    rows += _changes("kind", kinds[span_owner], kind_names, span_start, span_end)
    rows += _changes("country", countries[span_owner], country_names, span_start, span_end)
    start, end, year, program = firsts_in_force
    rows += _changes("year", year, year_names, start, end)
    rows += _changes("program", program, program_names, start, end)
    return counted, rows


def _counted(codes: np.ndarray, names: list[str]) -> dict[str, int]:
    counts = np.bincount(codes, minlength=len(names))
    return {name: int(count) for name, count in zip(names, counts.tolist(), strict=True) if count}


def _in_force(
    owner: np.ndarray, place: np.ndarray, starts: np.ndarray, ends: np.ndarray, years: np.ndarray, programs: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """When each member is in force: its spans (member, first day, day after the last), and
    the spans of its first edge in force (first day, day after, that edge's year and programme
    codes). A member with one edge has its edge's days (none when they are empty); one with
    several has its days cut where any of its edges begins or ends."""
    start, end = starts.astype(np.int64), ends.astype(np.int64)
    single = np.bincount(owner)[owner] == 1
    alone = single & (start < end)
    spans = [owner[alone].tolist(), start[alone].tolist(), end[alone].tolist()]
    firsts = [start[alone].tolist(), end[alone].tolist(), years[alone].tolist(), programs[alone].tolist()]
    several = np.flatnonzero(~single)
    several = several[np.lexsort((place[several], owner[several]))]  # by member, then key_pos
    for items in np.split(several, np.flatnonzero(np.diff(owner[several])) + 1) if len(several) else []:
        days = sorted(set(start[items].tolist()) | set(end[items].tolist()))
        union: list[list[int]] = []  # [first day, day after]
        chosen: list[list[int]] = []  # [first day, day after, year, programme] of the first edge in force
        for low, high in itertools.pairwise(days):
            covering = items[(start[items] <= low) & (low < end[items])]
            if not len(covering):
                continue
            edge = covering[0]  # the least key_pos in force
            facets = [int(years[edge]), int(programs[edge])]
            if union and union[-1][1] == low:
                union[-1][1] = high
            else:
                union.append([low, high])
            if chosen and chosen[-1][1] == low and chosen[-1][2:] == facets:
                chosen[-1][1] = high
            else:
                chosen.append([low, high, *facets])
        member = int(owner[items[0]])
        for low, high in union:
            for column, value in zip(spans, (member, low, high), strict=True):
                column.append(value)
        for span in chosen:
            for column, value in zip(firsts, span, strict=True):
                column.append(value)
    made = [np.asarray(column, np.int64) for column in spans]
    made_firsts = [np.asarray(column, np.int64) for column in firsts]
    return (made[0], made[1], made[2]), (made_firsts[0], made_firsts[1], made_firsts[2], made_firsts[3])


def _changes(
    facet: str, codes: np.ndarray, names: list[str], start: np.ndarray, end: np.ndarray
) -> list[tuple[str, str, list[int], list[int]]]:
    """The changes in the members in force by value of ``facet``, from their spans (value
    codes, first days, days after): +1 on a span's first day, -1 on the day after its last
    (none for a span without end), summed per value and day, none that are zero; per value,
    its days in order and their changes."""
    ending = end != _NEVER
    values = np.concatenate([codes, codes[ending]])
    days = np.concatenate([start, end[ending]])
    change = np.concatenate([np.ones(len(codes), np.int64), np.full(int(ending.sum()), -1, np.int64)])
    keys, at = np.unique(values * (1 << 32) + days, return_inverse=True)  # days fit 31 bits
    sums = np.bincount(at.ravel(), weights=change, minlength=len(keys)).astype(np.int64)
    kept = sums != 0
    values, days, sums = keys[kept] >> 32, keys[kept] & 0xFFFFFFFF, sums[kept]
    bounds = np.flatnonzero(np.diff(values)) + 1
    per_value = zip(np.split(values, bounds), np.split(days, bounds), np.split(sums, bounds), strict=True)
    return [(facet, names[int(value[0])], on.tolist(), total.tolist()) for value, on, total in per_value if len(value)]
