"""One query interface, two stores: every query answers the same from PostgreSQL as from memory.

Each test runs a query on the in-memory store and on a PostgreSQL store loaded from the same
graph, and requires byte-identical JSON answers (and export files): on the bundled data,
with the queries derived from it, and on a generated graph with hubs big enough for the
hub index, paged adjacency and grouping, multi-edges, aliases, and relations that end.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import networkx as nx
import orjson
import pytest

from graph.exports import EXPORT_FORMATS, export
from graph.queries.changes import changes
from graph.queries.entity_detail import entity_detail
from graph.queries.groups import GROUP_THRESHOLD, group_members
from graph.queries.selection import Neighbourhood, Paths, Query, SupplyChainOf, WholeGraph, select
from graph.queries.timeline import timeline
from graph.store import GraphStore, records
from graph.store.postgres.lazy import LOAD_WHOLE
from graph.store.postgres.load import load_database
from graph.store.postgres.store import Database, PostgresStore
from graph.store.protocol import Store
from tests.conftest import DatabaseFactory

Pair = tuple[GraphStore, PostgresStore]


def dumps(value: Any) -> bytes:
    if isinstance(value, bytes | str):
        return value.encode() if isinstance(value, str) else value
    if hasattr(value, "__dict__") and not isinstance(value, dict):
        value = value.__dict__
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def same(pair: Pair, ask: Callable[[Store], Any]) -> Any:
    """``ask`` of both stores, required identical; the in-memory answer."""
    memory, database = ask(pair[0]), ask(pair[1])
    assert dumps(database) == dumps(memory)
    return memory


def open_pair(store: GraphStore, dsn: str) -> Iterator[Pair]:
    load_database(dsn, store.warm())
    database = Database(dsn)
    try:
        yield store, PostgresStore(database)
    finally:
        database.close()


def generated_graph(seed: int = 11, size: int = 7_000) -> nx.MultiDiGraph:
    """Firms, people and authorities with the bundled vocabulary: one authority designating
    more entities than :data:`LOAD_WHOLE` (with dates, ends and repeated designations), one
    holding company owning over a thousand, a country many are based in, aliases, and random
    supply, ownership and sanction edges."""
    from graph.ingest.curated import load_dataset
    from graph.store.build import build_graph

    rng = random.Random(seed)
    graph = records.new_graph(records.vocabulary(build_graph(load_dataset())))
    countries = ["CN", "PK", "BY", "RU", "AE", "US"]
    records.add_entity(graph, "ofac", {"label": "OFAC", "kind": "agency", "country": "US"})
    records.add_entity(graph, "holding", {"label": "Holding Group", "kind": "firm", "country": "CN"})
    records.add_entity(graph, "cn", {"label": "China", "kind": "country"})
    for i in range(size):
        attrs: dict[str, Any] = {"label": f"{rng.choice(['Xian', 'Lahore', 'Minsk', 'Dubai'])} Trading {i}",
                                 "kind": rng.choice(["firm", "firm", "person", "institute"]),
                                 "country": rng.choice(countries)}  # fmt: skip
        if i % 7 == 0:
            attrs["aliases"] = [f"Alias {i} Company", f"Société {i}"]
        records.add_entity(graph, f"e{i}", attrs)
    ids = [f"e{i}" for i in range(size)]
    for number, node in enumerate(rng.sample(ids, LOAD_WHOLE + 900)):
        year = rng.randrange(2015, 2026)
        attrs = {"relation": "sanctioned", "confidence": "official", "date": f"{year}-{rng.randrange(1, 13):02d}-01"}
        if number % 5 == 0:
            attrs["end"] = f"{year + 2}-01-01"
        records.add_relation(graph, "ofac", node, f"s{number}", attrs)
        if number % 50 == 0:  # designated again later
            records.add_relation(graph, "ofac", node, f"s{number}b", {**attrs, "date": f"{year + 1}-06-01"})
        if number % 17 == 0:  # among its designations, a few connections a walk may follow
            other = rng.choice(ids)
            records.add_relation(graph, "ofac", other, f"c{number}", {"relation": "supplied", "confidence": "press"})
    records.add_entity(graph, "hmt", {"label": "HM Treasury", "kind": "agency", "country": "GB"})
    for number, node in enumerate(rng.sample(ids, LOAD_WHOLE + 300)):  # a second authority that big
        records.add_relation(graph, "hmt", node, f"h{number}", {"relation": "sanctioned", "confidence": "official"})
    for number, node in enumerate(rng.sample(ids, 1_200)):
        records.add_relation(graph, "holding", node, f"o{number}", {"relation": "owns", "confidence": "press"})
    for number, node in enumerate(ids[:1_500]):
        records.add_relation(graph, node, "cn", f"b{number}", {"relation": "based_in", "derived": True})
    for number in range(6_000):
        u, v = rng.sample(ids, 2)
        kind = rng.choice(["supplied", "owns", "sanctioned", "commented_on"])
        attrs = {"relation": kind, "confidence": rng.choice(["press", "official"])}
        if rng.random() < 0.3:
            attrs["date"] = f"{rng.randrange(2010, 2026)}-{rng.randrange(1, 13):02d}"
        records.add_relation(graph, u, v, f"r{number}", attrs)
    return graph


@pytest.fixture(scope="module")
def bundled_pair(bundled: nx.MultiDiGraph, new_database: DatabaseFactory) -> Iterator[Pair]:
    yield from open_pair(GraphStore.from_graph(bundled), new_database())


@pytest.fixture(scope="module")
def generated_pair(new_database: DatabaseFactory) -> Iterator[Pair]:
    yield from open_pair(GraphStore.from_graph(generated_graph()), new_database())


def selections(pair: Pair, query: Query) -> None:
    """The query's answer and its export in every format, the same from both stores."""

    def answer(store: Store) -> bytes:
        selection = select(store, query)
        parts = [dumps(selection.answer(selection.source))] if selection.part is not None else []
        for fmt in EXPORT_FORMATS:
            parts.append(b"".join(dumps(chunk) for chunk in export(selection.source, selection, fmt)))
        return b"\n--\n".join(parts)

    same(pair, answer)


# ---- the bundled data --------------------------------------------------------------------


def test_every_neighbourhood_of_the_bundled_data(bundled_pair: Pair) -> None:
    memory = bundled_pair[0]
    first, last = memory.stats["first_date"], memory.stats["last_date"]
    assert first and last
    middle = date.fromisoformat(first[:4] + "-06-30")
    for node in records.entities(memory.graph):
        selections(bundled_pair, Neighbourhood((node,), depth=1))
        selections(bundled_pair, Neighbourhood((node,), depth=2, as_of=middle, group=3))
    some = list(records.entities(memory.graph))[:6]
    selections(bundled_pair, Neighbourhood(tuple(some), depth=2, direction="out", max_nodes=20))
    selections(bundled_pair, Neighbourhood(tuple(some[:2]), depth=1, via="shared", relations=("sanctioned",)))


def test_paths_and_supply_chains_of_the_bundled_data(bundled_pair: Pair) -> None:
    memory = bundled_pair[0]
    graph = memory.graph
    programmes = [n for n, d in records.entities(graph).items() if d.get("kind") == "programme"]
    assert programmes
    for programme in programmes:
        selections(bundled_pair, SupplyChainOf(programme))
    nodes = sorted(records.entities(graph))
    for source, target in random.Random(3).sample(list(itertools.permutations(nodes, 2)), 40):
        selections(bundled_pair, Paths(source, target))
        selections(bundled_pair, Paths(source, target, via="shared", max_hops=3))


def test_entity_details_timelines_and_changes_of_the_bundled_data(bundled_pair: Pair) -> None:
    memory = bundled_pair[0]
    for node in records.entities(memory.graph):
        same(bundled_pair, lambda s, n=node: entity_detail(s.graph, n, hubs=s.hubs, limit=5))
        same(bundled_pair, lambda s, n=node: entity_detail(s.graph, n, hubs=s.hubs, direction="in", offset=1))
    same(bundled_pair, lambda s: timeline(s.graph, index=s.dated))
    same(bundled_pair, lambda s: timeline(s.graph, index=s.dated, start="2024", end="2025-06", summary=True))
    same(bundled_pair, lambda s: changes(s.graph, date(2023, 1, 1), date(2025, 1, 1), index=s.dated))
    centre = next(iter(records.entities(memory.graph)))
    same(bundled_pair, lambda s: changes(s.graph, date(2020, 1, 1), date(2026, 1, 1), index=s.dated, centers=[centre]))


def test_search_of_the_bundled_data(bundled_pair: Pair) -> None:
    memory = bundled_pair[0]
    asked = {"", "zzzz", "a", "ch"}
    for data in records.entities(memory.graph).values():
        label = str(data.get("label", ""))
        words = label.split()
        asked |= {label, label[:3], " ".join(words[:2]), words[-1][1:5] if words else ""}
        asked |= {str(alias) for alias in data.get("aliases") or ()}
    for q in sorted(asked):
        same(bundled_pair, lambda s, q=q: s.index.search(q))
    for kind, country in (("firm", None), (None, "cn"), ("firm", "CN"), ("nothing", None)):
        same(bundled_pair, lambda s, k=kind, c=country: s.index.search("", kind=k, country=c, offset=2))
        same(bundled_pair, lambda s, k=kind, c=country: s.index.search("china", kind=k, country=c))


def test_the_whole_bundled_graph_exports_the_same(bundled_pair: Pair) -> None:
    selections(bundled_pair, WholeGraph())


def test_the_store_facts_are_the_same(bundled_pair: Pair) -> None:
    memory, database = bundled_pair
    assert (database.nodes, database.edges, database.stats) == (memory.nodes, memory.edges, memory.stats)
    assert database.vocabulary.dump() == memory.vocabulary.dump()
    assert database.best_connected == memory.best_connected
    assert database.require("ndc") == "ndc"
    with pytest.raises(Exception) as memory_error:
        memory.require("ndcc")
    with pytest.raises(type(memory_error.value)) as database_error:
        database.require("ndcc")
    assert str(database_error.value) == str(memory_error.value)


# ---- a generated graph with hubs ------------------------------------------------------------


def test_hub_neighbourhoods_grouped_cut_and_expanded(generated_pair: Pair) -> None:
    for hub in ("ofac", "holding", "cn"):
        selections(generated_pair, Neighbourhood((hub,), depth=1, group=GROUP_THRESHOLD))
        selections(generated_pair, Neighbourhood((hub,), depth=1, max_nodes=200))
        selections(generated_pair, Neighbourhood((hub,), depth=2, max_nodes=500, as_of=date(2019, 3, 1)))
        selections(generated_pair, Neighbourhood(("e5",), depth=1, expand=(hub,), expand_page=40))
    selections(generated_pair, Neighbourhood(("e1", "e2", "e3"), depth=2, group=GROUP_THRESHOLD, kinds=("firm",)))
    designated = [v for _, v, _, d in records.relations_of(generated_pair[0].graph, "ofac", "out")
                  if d["relation"] == "sanctioned"][:3]  # fmt: skip
    for node in designated:  # through the authority only by its connections, page after page
        selections(generated_pair, Neighbourhood((node,), depth=2, max_nodes=2_000))
        selections(generated_pair, Neighbourhood((node,), depth=3, max_nodes=300, direction="out"))
        selections(generated_pair, Neighbourhood((node,), depth=2, max_nodes=400, via="shared"))
    for way in ("out", "in"):
        for relation in ("sanctioned", "owns", "based_in"):
            same(generated_pair, lambda s, r=relation, w=way: group_members(s.graph, "ofac", r, w, limit=30))
    same(generated_pair, lambda s: group_members(s.graph, "ofac", "sanctioned", "out", q="xian", offset=5))
    same(generated_pair, lambda s: group_members(s.graph, "cn", "based_in", "in", facet="kind", value="firm"))


def test_paths_through_and_around_hubs(generated_pair: Pair) -> None:
    rng = random.Random(5)
    ends = ["ofac", "holding", "cn", *(f"e{rng.randrange(7_000)}" for _ in range(30))]
    for source, target in rng.sample(list(itertools.permutations(ends, 2)), 40):
        selections(generated_pair, Paths(source, target, max_hops=rng.choice([2, 3, 4])))
    selections(generated_pair, Paths("e10", "e20", via="shared", max_hops=3, limit=5))
    for via in ("connections", "shared"):  # two authorities too big to read whole, joined through what both designate
        selections(generated_pair, Paths("ofac", "hmt", via=via, max_hops=2, limit=20))
        selections(generated_pair, Paths("hmt", "ofac", via=via, max_hops=4, limit=10, direction="out"))


def test_hub_details_pages_and_search(generated_pair: Pair) -> None:
    for hub in ("ofac", "holding", "cn", "e0"):
        for as_of in (None, date(2018, 1, 1), date(2030, 1, 1)):
            same(generated_pair, lambda s, h=hub, a=as_of: entity_detail(s.graph, h, hubs=s.hubs, as_of=a))
            page = {"relation": "sanctioned", "direction": "out", "offset": 2_000, "limit": 100}
            same(generated_pair, lambda s, h=hub, a=as_of, p=page: entity_detail(s.graph, h, hubs=s.hubs, as_of=a, **p))
    for q in (
        "trading",
        "xian trading 12",
        "lahore",
        "12",
        "1234",
        "rading",
        "alias 7",
        "societe",
        "société 14",
        "ong",
    ):
        same(generated_pair, lambda s, q=q: s.index.search(q, limit=50))
        same(generated_pair, lambda s, q=q: s.index.search(q, kind="person", country="by", offset=10))
    same(generated_pair, lambda s: timeline(s.graph, index=s.dated, relations=["sanctioned"], limit=20))
    same(generated_pair, lambda s: changes(s.graph, date(2018, 1, 1), date(2020, 1, 1), index=s.dated))
