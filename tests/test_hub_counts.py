"""What the load counts of a hub's big relations: the same as reading every member on each day."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from graph.store.hubs import HubGroup
from graph.store.postgres.hub_counts import EntityFacets, GroupItems, relation_counts

NEVER = int(np.iinfo(np.int32).max)
YEARS, PROGRAMS = ("2019", "2020", "undated"), ("SDGT", "none")


def attrs(year: str, program: str) -> dict[str, Any]:
    """An edge's attributes with that year and programme, as grouping reads them."""
    found: dict[str, Any] = {} if year == "undated" else {"date": f"{year}-03-01"}
    return found | ({"program": program} if program != "none" else {})


def random_relation(rng: random.Random, undated: bool = False) -> dict[str, Any]:
    """A relation's items in a random order: members with one to four edges (their key_pos
    distinct, among keys of other relations), days that overlap, touch, are empty or open
    (or none dated), and facets that differ per edge; and the side's adjacency they are read
    from (other -> key -> attributes; edges of one facet sometimes sharing one dict, as a
    file's based_in edges do)."""
    items = []
    for number in range(rng.randrange(1, 15)):
        places = rng.sample(range(6), rng.randrange(1, 5))
        for place in places:
            start = 0 if undated else rng.choice([0, 10, 20, 30])
            end = NEVER if undated else rng.choice([10, 20, 25, 30, 40, NEVER])
            items.append((f"m{number}", f"k{place}", start, end, place, rng.choice(YEARS), rng.choice(PROGRAMS)))
    rng.shuffle(items)
    firsts: dict[str, int] = {}
    for other, _, _, _, place, _, _ in items:
        firsts[other] = min(place, firsts.get(other, place))
    shared = {(year, program): attrs(year, program) for year in YEARS for program in PROGRAMS}
    near: dict[str, dict[str, dict[str, Any]]] = {other: {} for other in rng.sample(sorted(firsts), len(firsts))}
    for other in near:  # every place up to its edges' last (the others: edges of other relations)
        near[other] = {f"k{place}": {"relation": "other"} for place in range(6)}
    for other, key, _, _, _, year, program in items:
        near[other][key] = shared[(year, program)] if rng.random() < 0.5 else attrs(year, program)
    entities = {m: {"kind": rng.choice(["firm", None]), "country": rng.choice(["CN", "PK", None])} for m in firsts}
    group = HubGroup([i[0] for i in items], [i[1] for i in items], np.array([i[2] for i in items], np.int32),
                     np.array([i[3] for i in items], np.int32))  # fmt: skip
    return {"items": items, "firsts": firsts, "near": near, "entities": entities, "group": group}


def coded(entities: dict[str, dict[str, Any]]) -> EntityFacets:
    """The entities' kinds and countries as the search index codes them, in a shuffled order."""
    order = random.Random(len(entities)).sample(sorted(entities), len(entities))
    kinds = [str(entities[other]["kind"] or "unknown") for other in order]
    countries = [str(entities[other]["country"] or "none") for other in order]
    kind_names, country_names = sorted(set(kinds)), sorted(set(countries))
    return EntityFacets(
        {other: number for number, other in enumerate(order)},
        np.array([kind_names.index(kind) for kind in kinds], np.uint16), kind_names,
        np.array([country_names.index(country) for country in countries], np.uint16), country_names,
    )  # fmt: skip


def read_on(relation: dict[str, Any], day: int | None) -> dict[str, Counter[str]]:
    """The members (in force on ``day``, all with None) by facet, each by its first edge in force."""
    by_member: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for item in relation["items"]:
        if day is None or item[2] <= day < item[3]:
            by_member[item[0]].append(item)
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for other, items in by_member.items():
        first = min(items, key=lambda item: item[4])
        attrs = relation["entities"][other]
        found["kind"][str(attrs["kind"] or "unknown")] += 1
        found["country"][str(attrs["country"] or "none")] += 1
        found["year"][first[5]] += 1
        found["program"][first[6]] += 1
    return found


def test_a_relations_counts_on_every_day_are_those_of_its_members_read_that_day() -> None:
    rng = random.Random(7)
    for trial in range(300):
        relation = random_relation(rng, undated=trial % 10 == 0)
        near, group = relation["near"], relation["group"]
        items = GroupItems.read(near, group)
        assert list(items.rows()) == [
            (place, year, program, place == relation["firsts"][other])
            for other, _, _, _, place, year, program in relation["items"]
        ]
        whole, changes = relation_counts(near, group, items, coded(relation["entities"]))
        everyone = read_on(relation, None)
        assert whole[0] == len(relation["firsts"]) == everyone["kind"].total()
        assert whole[3] == {facet: dict(everyone[facet]) for facet in ("kind", "country", "year", "program")}
        at = {other: number for number, other in enumerate(relation["near"])}
        assert whole[1:3] == min((at[other], place) for other, place in relation["firsts"].items())
        assert len({row[:2] for row in changes}) == len(changes)  # a row per facet value
        assert all(days == sorted(set(days)) and all(made) for _, _, days, made in changes)
        for day in range(-1, 45):
            summed: dict[str, Counter[str]] = defaultdict(Counter)
            for facet, value, days, made in changes:
                summed[facet][value] += sum(change for on, change in zip(days, made, strict=True) if on <= day)
            counted = {facet: {v: n for v, n in values.items() if n} for facet, values in summed.items()}
            assert all(n > 0 for values in counted.values() for n in values.values())
            assert {f: v for f, v in counted.items() if v} == {f: dict(v) for f, v in read_on(relation, day).items()}
