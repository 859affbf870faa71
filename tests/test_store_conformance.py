"""One query interface, two stores: every query answers the same from PostgreSQL as from memory.

Each test runs a query on the in-memory store and on a PostgreSQL store loaded from the same
graph, and requires byte-identical JSON answers (and export files): on the bundled data,
with the queries derived from it, and on a generated graph with hubs big enough for the
hub index, paged adjacency and grouping, multi-edges, aliases, and relations that end.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import networkx as nx
import orjson
import pytest

from graph.exports import EXPORT_FORMATS, export
from graph.limits import Deadline
from graph.queries.changes import changes
from graph.queries.entity_detail import entity_detail
from graph.queries.groups import GROUP_THRESHOLD, group_members
from graph.queries.selection import Neighbourhood, Paths, Query, SupplyChainOf, WholeGraph, select
from graph.queries.timeline import timeline
from graph.store import GraphStore, records
from graph.store.postgres.lazy import LOAD_WHOLE, Way
from graph.store.postgres.load import OUTS_LISTED, connect, load_database
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
    """``store`` warm, and the database loaded from a cold store of the same graph (a load
    builds only what it writes of the indexes no store has built)."""
    load_database(dsn, GraphStore.from_graph(store.graph, store.data_paths, store.ftm_report, store.dataset))
    store.warm()
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
    owned = list(graph.successors("holding"))
    for number, node in enumerate(rng.sample(owned, 20) + rng.sample(ids, 20)):  # a few shared relations too
        records.add_relation(graph, "holding", node, f"hc{number}", {"relation": "commented_on", "confidence": "press"})
    _supply_chain_through(graph, "cn", ids, random.Random(seed + 1))
    return graph


def _supply_chain_through(graph: nx.MultiDiGraph, country: str, ids: list[str], rng: random.Random) -> None:
    """Suppliers of ``country`` (a recipient among its many derived members), theirs in
    turn for a few tiers, and more: some dated, ended or disputed, and repeated."""
    tier = rng.sample(ids, 30)
    suppliers: list[tuple[str, str]] = [(node, country) for node in tier]
    for _ in range(3):
        tier = [rng.choice(ids) for _ in range(len(tier) * 3)]
        suppliers += [(node, rng.choice([v for v, _ in suppliers])) for node in tier]
    for number, (u, v) in enumerate(suppliers):
        if u == v:
            continue
        attrs: dict[str, Any] = {"relation": rng.choice(["supplied", "supplied", "develops"]), "confidence": "press"}
        if number % 3 == 0:
            attrs["date"] = f"{rng.randrange(2012, 2024)}-{rng.randrange(1, 13):02d}"
        if number % 11 == 0:
            attrs["end"] = f"{rng.randrange(2016, 2020)}-01-01"
        if number % 13 == 0:
            attrs["status"] = "disputed"
        records.add_relation(graph, u, v, f"sc{number}", attrs)


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


def test_ids_holding_what_array_literals_escape(new_database: DatabaseFactory) -> None:
    """An entity's row lists its targets as one ``text[]`` literal: ids (FtM allows almost
    anything in one) with quotes, backslashes, commas, braces and spaces, or reading NULL,
    are listed as they were, and every view and detail of them is the same as in memory."""
    from graph.ingest.curated import load_dataset
    from graph.store.build import build_graph

    odd = ['say "no"', "back\\slash", 'both \\"', "x,y", "{z}", " lead ", "NULL", "é∂ 北京", "plain"]
    graph = records.new_graph(records.vocabulary(build_graph(load_dataset())))
    for node in ["hold", *odd]:
        records.add_entity(graph, node, {"label": f"Firm {node}", "kind": "firm"})
    for number, node in enumerate(odd):
        records.add_relation(graph, "hold", node, f"own {number}", {"relation": "owns", "confidence": "press"})
        supplied = {"relation": "supplied", "confidence": "press"}
        records.add_relation(graph, node, odd[number - 1], f'"{number}"', supplied)
    dsn = new_database()
    opened = open_pair(GraphStore.from_graph(graph), dsn)
    pair = next(opened)
    try:
        with connect(dsn) as conn:
            listed = conn.execute(f"SELECT id, outs FROM {pair[1].load.schema}.entities").fetchall()
        assert sorted(node for node, outs in listed if outs) == sorted(["hold", *odd])
        assert all(outs == list(graph.succ[node]) for node, outs in listed)
        for node in ["hold", *odd]:
            selections(pair, Neighbourhood((node,), depth=2))
            same(pair, lambda s, n=node: entity_detail(s.graph, n, hubs=s.hubs))
    finally:
        opened.close()


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


def test_paths_stepped_by_kind_or_by_attributes(generated_pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search with no as-of day steps by the edges' kinds alone (the database reads no
    attributes until the answer), one with a day by their attributes; with hubs read whole
    or not (a smaller :data:`LOAD_WHOLE` makes the holding company one), both stores agree."""
    monkeypatch.setattr("graph.store.postgres.lazy.LOAD_WHOLE", 500)
    rng = random.Random(8)
    ends = ["ofac", "holding", "hmt", "cn", *(f"e{rng.randrange(7_000)}" for _ in range(12))]
    for source, target in rng.sample(list(itertools.permutations(ends, 2)), 10):
        selections(generated_pair, Paths(source, target, max_hops=3, relations=("owns", "supplied", "sanctioned")))
        selections(generated_pair, Paths(source, target, max_hops=3, as_of=date(2020, 1, 1)))
        selections(generated_pair, Paths(source, target, max_hops=4, derived=True, limit=5))


def test_paths_the_same_with_the_hubs_ids_kept(generated_pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server keeps its biggest hubs' neighbour ids (see ``HubNeighbours.warm``); a path search
    then rules out, from them, the pairs a hub and the entities it shares with the other end
    are not joined by, instead of asking the database: the same answers."""
    monkeypatch.setattr("graph.store.postgres.lazy.LOAD_WHOLE", 500)
    memory, database = generated_pair
    kept = PostgresStore(database.database)
    hubs = ["ofac", "holding", "hmt", "cn"]
    for hub in hubs:
        for way in ("out", "in"):
            kept.neighbours.of(hub, way)
    rng = random.Random(21)
    strangers = [f"e{rng.randrange(7_000)}" for _ in range(30)]
    for hub in hubs:
        near = list(itertools.islice(memory.graph.successors(hub), 20)) + list(
            itertools.islice(memory.graph.predecessors(hub), 20)
        )
        others = sorted({*near, *strangers})
        for way in ("out", "in"):

            def gathered(store: Store, n: str = hub, o: list[str] = others, w: Way = way) -> list[Any]:
                graph = store.graph  # one request, which has reached the hub (as a path search has its ends)
                records.degree(graph, n, "both")
                records.gather_kinds_to(graph, [(n, o, w)])
                return records.kinds_to(graph, n, o, w)

            same((memory, kept), gathered)
    ends = [*hubs, *(f"e{rng.randrange(7_000)}" for _ in range(12))]
    for source, target in rng.sample(list(itertools.permutations(ends, 2)), 10):
        selections((memory, kept), Paths(source, target, max_hops=4, limit=10))
        selections((memory, kept), Paths(source, target, max_hops=3, direction="out", relations=("owns", "supplied")))


def test_a_path_search_between_hubs_stops_reading_their_ids_at_its_budget(
    generated_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between two hubs whose neighbour ids a server does not keep (at 10M, two countries:
    3.4 million ids, 4-5 s), a path search reads them page by page and stops at its time
    budget: the answer says ``time_budget``, not all pages are read, and none of what the
    server keeps is dropped for them (the same search with time answers as in memory)."""
    from graph.store.postgres import neighbours

    monkeypatch.setattr(neighbours, "PAGE", 1)  # the authorities' 1,900 and 1,300 designations: a page each
    memory, database = generated_pair
    fresh = PostgresStore(database.database)
    fresh.neighbours.of("holding", "out")  # kept before: stays
    pages = {"read": 0}
    read = neighbours.HubNeighbours._pages

    def counted(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for page in read(self, *args, **kwargs):
            pages["read"] += 1
            yield page

    monkeypatch.setattr(neighbours.HubNeighbours, "_pages", counted)
    query = Paths("ofac", "hmt", max_hops=2, limit=10)
    selection = select(fresh, query, deadline=Deadline(0.05))
    answer = selection.answer(selection.source)
    assert answer["truncated"] and answer["truncated_reason"] == "time_budget"
    designations = len(records.successors(memory.graph)["ofac"]) + len(records.successors(memory.graph)["hmt"])
    assert 0 < pages["read"] < designations
    assert fresh.neighbours.peek("holding", "out") is not None and fresh.neighbours.peek("ofac", "out") is None
    selections((memory, fresh), query)


def test_views_around_hubs_whose_ids_are_not_kept_yet(generated_pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """A view drawing a hub whose neighbour ids the server does not keep finds the hub's edges
    among the others by probing each pair instead of reading its ids, which a thread reads
    after (the requests after find them kept): the same answers either way."""
    monkeypatch.setattr("graph.store.postgres.lazy.LOAD_WHOLE", 500)
    memory, database = generated_pair
    fresh = PostgresStore(database.database)
    for center in ("holding", "ofac"):
        selections((memory, fresh), Neighbourhood((center,), depth=1, max_nodes=300))
    until = time.monotonic() + 10
    while fresh.neighbours.peek("holding", "out") is None and time.monotonic() < until:
        time.sleep(0.01)
    assert fresh.neighbours.peek("holding", "out") == set(memory.graph.successors("holding"))
    for center in ("holding", "ofac"):  # now with the hub's ids kept
        selections((memory, fresh), Neighbourhood((center,), depth=1, max_nodes=300))


def test_entity_rows_list_their_out_edges_in_adjacency_order(generated_pair: Pair) -> None:
    """An entity's row lists the targets of its out-edges and those edges (in the in-memory
    adjacency's order, keys in order) when it has at most ``OUTS_LISTED``, and none when it
    has more: a view reads the edges among its entities from them."""
    memory, database = generated_pair
    graph, succ = database.graph, records.successors(memory.graph)
    nodes = ["ofac", "holding", "cn", *(node for node in itertools.islice(succ, 0, 7_000, 37))]
    graph.fetch(nodes)
    for node in nodes:
        listed = len(succ[node]) <= OUTS_LISTED
        assert graph.entities.outs.get(node) == (list(succ[node]) if listed else None), node
        assert graph.listed(node) is listed
        if listed:
            edges = [(v, list(keyed.items())) for v, keyed in succ[node].items()]
            assert [(v, list(graph._succ.known[node][v].items())) for v in succ[node]] == edges, node
    assert any(len(listed) > 1 for listed in graph.entities.outs.values())


def test_views_read_the_edges_their_rows_list_without_a_statement(
    generated_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edges among a view's entities that the walk did not read come from the rows of
    their sources, read for their attributes: a statement reads the edges of pairs only for
    sources whose rows do not list them (hubs), and the answers are the in-memory ones."""
    succ = records.successors(generated_pair[0].graph)
    sources: list[list[str]] = []
    read = Database.read

    def logged(self: Database, sql: str, params: Any = (), **kwargs: Any) -> list[tuple[Any, ...]]:
        if "unnest(%s::text[], %s::text[])" in sql and "e.attrs" in sql:
            sources.append(list(params[0]))
        return read(self, sql, params, **kwargs)

    monkeypatch.setattr(Database, "read", logged)
    rng = random.Random(4)
    for center in ["holding", "cn", *(f"e{rng.randrange(7_000)}" for _ in range(12))]:
        selections(generated_pair, Neighbourhood((center,), depth=2, max_nodes=400))
    assert all(len(succ[source]) > OUTS_LISTED for sent in sources for source in sent)


def test_small_views_list_a_busy_sources_edges_in_the_views_order(generated_pair: Pair) -> None:
    """In a view of fewer entities than a source has targets, the source's edges come in the
    order of the view's entities, not of its adjacency (as the in-memory graph looks them
    up), where its row lists them too."""
    succ = records.successors(generated_pair[0].graph)
    busy = [node for node in succ if 3 < len(succ[node]) <= OUTS_LISTED]
    assert len(busy) >= 8
    for center in busy[:8]:
        targets = list(succ[center])
        selections(generated_pair, Neighbourhood((center, targets[2], targets[0]), depth=0))
        selections(generated_pair, Neighbourhood((targets[-1], center, *targets[:2]), depth=0))
        selections(generated_pair, Neighbourhood((center,), depth=2, max_nodes=3))


def test_views_the_same_where_rows_do_not_list_their_targets(
    new_database: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edges among a view's entities whose rows do not list their targets (more than
    ``OUTS_LISTED``) are found in the index of edge ends: loaded listing at most one target
    each, most sources are found that way, beside the others and the hubs."""
    monkeypatch.setattr("graph.store.postgres.load.OUTS_LISTED", 1)
    memory = GraphStore.from_graph(generated_graph(seed=5, size=2_000))
    succ = records.successors(memory.graph)
    busiest = sorted((node for node in succ if node.startswith("e")), key=lambda n: -len(succ[n]))
    for pair in open_pair(memory, new_database()):
        rows = pair[1].reader.rows("SELECT count(*) FILTER (WHERE outs IS NULL), count(outs) FROM {s}.entities")
        assert all(count > 100 for count in rows[0])
        for center in [*busiest[:4], "holding"]:
            selections(pair, Neighbourhood((center,), depth=2, max_nodes=300))
            selections(pair, Neighbourhood((center,), depth=1, direction="out", max_nodes=50))


def test_edge_kinds_read_without_attributes(generated_pair: Pair) -> None:
    """What joins entities (relation type, derived), as a path search reads it: a side at a
    time, or pair by pair, each read on its own in a fresh request."""
    rng = random.Random(3)
    nodes = ["ofac", "holding", "cn", *(f"e{rng.randrange(7_000)}" for _ in range(20))]
    for node in nodes:
        for way in ("out", "in"):
            same(generated_pair, lambda s, n=node, w=way: list(records.kinds_around(s.graph, n, w)))
            others = [
                *rng.sample(nodes, 4),
                *(other for other, _ in itertools.islice(records.kinds_around(generated_pair[0].graph, node, way), 3)),
            ]
            for other in others:
                same(generated_pair, lambda s, n=node, o=other, w=way: records.kinds_between(s.graph, n, o, w))
            same(generated_pair, lambda s, n=node, o=others, w=way: records.kinds_to(s.graph, n, o, w))

            def gathered(store: Store, n: str = node, o: list[str] = others, w: Way = way) -> list[Any]:
                graph = store.graph  # one request
                records.gather_kinds_to(graph, [(n, o, w), (o[0], [n], "in")])
                return records.kinds_to(graph, n, o, w)

            same(generated_pair, gathered)


def test_edge_kinds_filtered(generated_pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the kinds of edges of some relations, or not derived, as a path search with an
    edge filter reads them: the same from both stores, for hubs whose other edges the
    database leaves unread (a smaller :data:`LOAD_WHOLE` makes the holding company and the
    country hubs), for hubs whose kinds are all read page by page, and for entities read
    whole; and exactly the unfiltered kinds, filtered."""
    monkeypatch.setattr("graph.store.postgres.lazy.LOAD_WHOLE", 500)
    monkeypatch.setattr("graph.store.postgres.lazy.KINDS_PAGE", 300)  # the hubs' unfiltered kinds come in pages
    filters: list[dict[str, Any]] = [
        {},
        {"relations": ["owns", "supplied"]},
        {"derived": False},
        {"relations": ["based_in", "owns"], "derived": False},
        {"relations": ["based_in"]},
    ]
    memory = generated_pair[0].graph
    for node in ["ofac", "holding", "cn", "e5", "e77"]:
        for way in ("out", "in"):
            every = list(records.kinds_around(memory, node, way))
            for given in filters:
                same(generated_pair, lambda s, n=node, w=way, f=given: list(records.kinds_around(s.graph, n, w, **f)))
                wanted = set(given.get("relations", ())) or None
                expected = [
                    (other, kept)
                    for other, kinds in every
                    if (
                        kept := [
                            k
                            for k in kinds
                            if (wanted is None or k[0] in wanted) and (given.get("derived", True) or not k[1])
                        ]
                    )
                ]
                assert list(records.kinds_around(memory, node, way, **given)) == expected


def test_supply_chains_through_a_big_country(generated_pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """The supply chain of a country many are based in (a hub: a smaller :data:`LOAD_WHOLE`),
    whose suppliers have suppliers for tiers, on several days, with its exports; and of a few
    of its suppliers: the same from both stores."""
    monkeypatch.setattr("graph.store.postgres.lazy.LOAD_WHOLE", 500)
    memory = generated_pair[0]
    for day in (None, date(2017, 1, 1), date(2010, 1, 1)):
        selections(generated_pair, SupplyChainOf("cn", day))
    chain = select(memory, SupplyChainOf("cn")).chain
    assert chain is not None
    upstream = chain["upstream"]
    assert max(u["distance"] for u in upstream) > 2 and any(u["designations"] for u in upstream)
    for entry in upstream[:: len(upstream) // 5]:
        selections(generated_pair, SupplyChainOf(entry["entity"]["id"]))


def test_supply_chain_past_its_time_budget_is_cut_and_says_so(generated_pair: Pair) -> None:
    """Cut at any check of its time budget, a supply chain answers what it found (each entry
    as the whole answer gives it), the same from both stores, marked ``time_budget``."""
    memory = generated_pair[0]
    whole = select(memory, SupplyChainOf("cn")).chain
    assert whole is not None
    entries = {u["entity"]["id"]: u for u in whole["upstream"]}
    sizes = set()
    for checks in (0, 1, 2, 3, 5, 8, 40, 400):
        cut = same(generated_pair, lambda s, c=checks: select(s, SupplyChainOf("cn"), deadline=Countdown(c)).chain)
        sizes.add(len(cut["upstream"]))
        assert cut["truncated"] and cut["truncated_reason"] == "time_budget"
        assert all(entries[u["entity"]["id"]] == u for u in cut["upstream"])
    assert 0 in sizes and len(sizes) > 2


def test_timeline_pages_the_same_from_both_stores(generated_pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timeline pages (full, and summaries) over many dates, partial ones among them, filtered
    by relation and date, with rounds longer than are listed and pages made in several
    batches (both lowered); and cut by the time budget between batches, marked as such."""
    monkeypatch.setattr("graph.queries.timeline.PER_ROUND", 7)
    monkeypatch.setattr("graph.queries.timeline._BATCH", 60)
    pages: list[dict[str, Any]] = [
        {"limit": 60},
        {"limit": 45, "offset": 30, "relations": ["supplied", "develops", "owns"]},
        {"start": "2016", "end": "2018-06", "limit": 9, "offset": 3},
        {"start": "2019-05-01", "relations": ["sanctioned"]},
        {"summary": True, "limit": 100_000},
        {"summary": True, "relations": ["sanctioned"], "start": "2019-05", "offset": 4},
    ]
    for page in pages:
        same(generated_pair, lambda s, p=page: timeline(s.graph, index=s.dated, **p))
    whole = same(generated_pair, lambda s: timeline(s.graph, index=s.dated, start="2015", limit=60))
    assert any(r["count"] > 7 for d in whole["dates"] for r in d["rounds"])
    assert whole["truncated"] and whole["truncated_reason"] is None
    for checks in (0, 1, 2):
        cut = same(
            generated_pair,
            lambda s, c=checks: timeline(s.graph, index=s.dated, start="2015", limit=60, deadline=Countdown(c)),
        )
        assert cut["truncated"] and cut["truncated_reason"] == "time_budget"
        assert cut["dates"] == whole["dates"][: len(cut["dates"])] and len(cut["dates"]) < 60


def test_search_tiers_paged_filtered_and_cut(generated_pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages that cross from one tier to the next, prefixes spanning many words, filters, the
    listing, and an infix matching more words than are read (with the limit lowered)."""
    for q, options in (
        ("123", {"limit": 5, "offset": 9}),  # word-prefix, then inside a word
        ("alias 1", {"limit": 30, "offset": 130}),  # two words, the second a prefix of hundreds
        ("1", {"limit": 100, "offset": 1_000}),  # a prefix of thousands of words
        ("holding group", {}),  # a whole name
        ("trading", {"kind": "firm", "country": "cn", "offset": 200}),
        ("", {"kind": "person", "offset": 1_700, "limit": 100}),
        ("", {"offset": 6_990}),
        ("nothing", {}),
    ):
        same(generated_pair, lambda s, q=q, o=options: s.index.search(q, **o))
    for module in ("graph.store.search", "graph.store.postgres.search"):
        monkeypatch.setattr(f"{module}.INFIX_WORDS", 3)
    page = same(generated_pair, lambda s: s.index.search("123", limit=50))
    assert page.truncated


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


# ---- big neighbourhoods grouped in the database ----------------------------------------------

#: Labels that fold alike, or only in Python (a Cyrillic "ZAO Vostok", a titlecase digraph, a ligature).
ZAO = "\u0417\u0410\u041e"
LABELS = ["Alpha", "alpha", "ALPHA", "Société", "Straße", "STRASSE", f"{ZAO} Восток", "ǅemal", "ﬁne", "Omega", "ß"]


def grouping_graph(seed: int = 17) -> nx.MultiDiGraph:
    """An authority designating more entities than a database graph reads to group them
    (:data:`graph.store.postgres.grouping.SMALL`), with dates of every precision (ends of months
    and years included), starts, ends, programmes, entities designated again in another year
    or programme (the first designation sometimes not in force when the second is), some
    joined by another relation before their designation, kinds
    (none too), countries (none too), labels that are not ASCII or fold to the same; a register
    more than that many are based in; and a few other relations that are drawn one by one."""
    from graph.ingest.curated import load_dataset
    from graph.store.build import build_graph
    from graph.store.postgres.grouping import SMALL

    rng = random.Random(seed)
    graph = records.new_graph(records.vocabulary(build_graph(load_dataset())))
    records.add_entity(graph, "auth", {"label": "Authority", "kind": "agency", "country": "US"})
    records.add_entity(graph, "reg", {"label": "Register", "kind": "country"})
    size = SMALL + 700
    for i in range(size):
        attrs: dict[str, Any] = {"label": f"{rng.choice(LABELS)} {rng.randrange(50)}"}
        if i % 13:
            attrs["kind"] = rng.choice(["firm", "firm", "person", "institute"])
        if i % 11:
            attrs["country"] = rng.choice(["CN", "RU", "BY"])
        records.add_entity(graph, f"m{i}", attrs)
    days = ["2019", "2019-12", "2019-12-31", "2019-12-30", "2020-02", "2020-02-29", "2021", "2021-06-15"]
    for i in range(size):
        attrs = {"relation": "sanctioned", rng.choice(["date", "start"]): rng.choice(days)}
        if i % 4 == 0:
            attrs["end"] = rng.choice(days[2:])
        if i % 3:
            attrs["program"] = rng.choice(["RUSSIA-EO14024", "UKRAINE-EO13660", ""])
        if i % 17 == 0:  # joined by another relation first: the designation is not the pair's first edge
            records.add_relation(graph, "auth", f"m{i}", f"r{i}", {"relation": "commented_on"})
        records.add_relation(graph, "auth", f"m{i}", f"s{i}", attrs)
        if i % 9 == 0:  # designated again: another day, another programme
            again = {"relation": "sanctioned", "date": rng.choice(days), "program": "SDGT"}
            records.add_relation(graph, "auth", f"m{i}", f"t{i}", again)
        if i % 23:
            records.add_relation(graph, f"m{i}", "reg", f"b{i}", {"relation": "based_in", "derived": True})
        if i % 97 == 0:
            records.add_relation(graph, "auth", f"m{i}", f"c{i}", {"relation": "commented_on"})
        if i % 61 == 0:
            records.add_relation(graph, f"m{i}", f"m{(i * 7) % size}", f"o{i}", {"relation": "owns"})
    return graph


@pytest.fixture(scope="module")
def grouping_pair(new_database: DatabaseFactory) -> Iterator[Pair]:
    yield from open_pair(GraphStore.from_graph(grouping_graph()), new_database())


GROUPING_DAYS = (None, date(2019, 12, 30), date(2019, 12, 31), date(2020, 2, 28), date(2020, 2, 29), date(2022, 1, 1))


def test_big_relations_are_counted_in_the_database(grouping_pair: Pair) -> None:
    from graph.store.postgres.grouping import counted_here

    graph = grouping_pair[1].graph
    assert counted_here(graph, "auth", "out") and counted_here(graph, "reg", "in")
    assert not counted_here(graph, "m1", "out")


def test_grouped_views_the_same_from_both_stores(grouping_pair: Pair) -> None:
    """Grouped views with as-of days, kinds, relation types and directions, exported with their
    members (read only then) and with the groups as drawn."""
    for day in GROUPING_DAYS:
        for kinds in ((), ("firm",), ("firm", "person")):
            selections(grouping_pair, Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD, as_of=day, kinds=kinds))
        selections(grouping_pair, Neighbourhood(("reg",), depth=2, max_nodes=300, group=GROUP_THRESHOLD, as_of=day))
    for centres in (("auth", "m0", "m61"), ("m122", "reg")):
        selections(grouping_pair, Neighbourhood(centres, depth=2, max_nodes=400, group=GROUP_THRESHOLD))
        selections(grouping_pair, Neighbourhood(centres, depth=1, group=GROUP_THRESHOLD, export_groups=True))
    selections(grouping_pair, Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD, relations=("sanctioned",)))
    selections(grouping_pair, Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD, direction="out"))
    selections(grouping_pair, Neighbourhood(("m5",), depth=1, group=GROUP_THRESHOLD, expand=("auth",)))


def test_grouped_views_the_same_when_every_member_is_counted_in_the_database(
    grouping_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A facet chosen on fewer members than the relation has: the database counts every
    member by it (one statement per relation, facet, day and kinds), the same as memory."""
    from graph.queries import groups
    from graph.store.postgres import grouping

    monkeypatch.setattr(groups, "_SAMPLE", 60)
    grouping._kept.pop(grouping_pair[1].reader, None)
    for day in (None, date(2019, 12, 31), date(2020, 2, 29)):  # whole years and months ending that day
        for kinds in ((), ("firm", "person")):
            for centre in ("auth", "reg"):
                selections(
                    grouping_pair, Neighbourhood((centre,), depth=1, group=GROUP_THRESHOLD, as_of=day, kinds=kinds)
                )
    assert any(key[0] == "counts" for key in grouping._kept[grouping_pair[1].reader])


def test_grouped_views_the_same_when_a_server_keeps_little(
    grouping_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a server keeps of grouped counts is bounded: kept answers are dropped, oldest
    first, past a few rows, and a view counts them again the same."""
    from graph.store.postgres import grouping

    monkeypatch.setattr(grouping, "KEPT_ROWS", 50)
    grouping._kept.pop(grouping_pair[1].reader, None)  # what earlier views kept
    for day in GROUPING_DAYS:
        selections(grouping_pair, Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD, as_of=day))
        selections(grouping_pair, Neighbourhood(("reg",), depth=1, group=GROUP_THRESHOLD, as_of=day))
    kept = grouping._kept[grouping_pair[1].reader]
    assert sum(map(grouping._size, kept.values())) <= 50 or len(kept) == 1


def test_grouped_views_recounted_the_same_from_both_stores(grouping_pair: Pair) -> None:
    """What a brief shows of a grouped view under an as-of day and kinds (the groups counted
    again), and its export with the members."""
    from graph.queries.view_filter import ViewFilter, filter_part

    for centre in ("auth", "reg"):
        for day in GROUPING_DAYS:
            for kinds in ((), ("person",), ("firm", "institute")):
                view = ViewFilter(kinds=kinds, as_of=day)

                def shown(store: Store, c: str = centre, v: ViewFilter = view) -> bytes:
                    selection = select(store, Neighbourhood((c,), depth=1, group=GROUP_THRESHOLD))
                    assert selection.part is not None
                    part = filter_part(selection.source, selection.part, [c], v)
                    exported = EXPORT_FORMATS["json"].write(part.as_graph(selection.source))
                    return dumps(part.to_json(selection.source)) + b"".join(dumps(chunk) for chunk in exported)

                same(grouping_pair, shown)


def test_exports_stream_the_members_of_groups_as_a_copied_graph_holds_them(
    grouping_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export of a grouped view writes its groups' members a page at a time (from the
    database where it counted them), in every format byte for byte the file written from the
    view copied into a graph with its members: a member of two grouped relations of one
    entity, or of a relation leaving one entity and one reaching another, is written once,
    its edges where the copy has them; pages end anywhere; days and kinds filter members."""
    from graph.exports.part_source import PartSource
    from graph.queries import groups
    from graph.queries.view_filter import ViewFilter, filter_part

    monkeypatch.setattr(groups, "MEMBERS_PAGE", 700)
    queries = [
        Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD),
        Neighbourhood(("auth", "m0", "m61"), depth=2, max_nodes=400, group=GROUP_THRESHOLD),
        Neighbourhood(("m122", "reg"), depth=2, max_nodes=400, group=GROUP_THRESHOLD),
        Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD, as_of=date(2020, 2, 29), kinds=("firm", "person")),
    ]
    views = [ViewFilter(), ViewFilter(kinds=("person", "firm"), as_of=date(2019, 12, 31))]
    shapes: set[tuple[str, ...]] = set()
    for store in grouping_pair:
        for query in queries:
            selection = select(store, query)
            assert selection.part is not None
            for view in views:
                part = filter_part(selection.source, selection.part, list(query.centers), view)
                shapes.add(tuple(sorted(f"{of}:{way}" for of, way, _ in part.hidden)))
                for spec in EXPORT_FORMATS.values():
                    streamed = b"".join(spec.write(PartSource(part, selection.source)))
                    assert streamed == b"".join(spec.write(part.as_graph(selection.source))), (store, query, view)
    assert ("auth:out", "auth:out", "reg:in") in shapes  # the members of three relations overlap


def test_exports_of_groups_standing_for_too_many_members_are_refused(
    grouping_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export writing the members behind a view's groups is bounded like the view itself:
    beyond the bound it is refused before a byte is written, by both stores alike; the
    groups as drawn still export."""
    from graph.errors import BadQuery
    from graph.exports import part_source

    monkeypatch.setattr(part_source, "MAX_EXPORT_MEMBERS", 1_000)
    for store in grouping_pair:
        selection = select(store, Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD))
        with pytest.raises(BadQuery, match="more than the 1,000 an export writes"):
            export(selection.source, selection, "graphml")
        drawn = select(store, Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD, export_groups=True))
        assert b"".join(export(drawn.source, drawn, "graphml")).count(b"<node ") == len(
            drawn.answer(drawn.source)["nodes"]
        )


def test_group_members_pages_the_same_from_both_stores(grouping_pair: Pair) -> None:
    """Pages of members by folded label (ASCII and not), with facets, narrowing, words, kinds
    and days, from the first page to past the end."""
    asks: list[dict[str, Any]] = [
        {},
        {"facet": "kind", "value": "firm"},
        {"facet": "year", "value": "2019", "narrow": {"country": "RU"}},
        {"facet": "program", "value": "none", "narrow": {"kind": "unknown"}},
        {"facet": "country", "value": "none", "q": "alpha"},
        {"q": "strasse"},
        {"q": "ss"},
        {"q": ZAO},
        {"q": "fi"},
        {"q": " Société 1"},
        {"kinds": ["person", "institute"], "as_of": date(2019, 12, 31)},
        {"as_of": date(2020, 2, 29), "narrow": {"year": "2020"}},
        {"q": "nothing like it"},
    ]
    for ask in asks:
        for offset, limit in ((0, 50), (3, 7), (400, 100), (1_000, 500), (4_500, 300), (9_000, 10)):
            for of, relation, way in (("auth", "sanctioned", "out"), ("reg", "based_in", "in")):
                same(
                    grouping_pair,
                    lambda s, o=of, r=relation, w=way, a=ask, off=offset, lim=limit: group_members(
                        s.graph, o, r, w, offset=off, limit=lim, **a
                    ),
                )


class Countdown(Deadline):
    """A time budget that runs out after ``checks`` looks at it."""

    def __init__(self, checks: int) -> None:
        super().__init__(float("inf"))
        self.checks = checks

    @property
    def expired(self) -> bool:
        self.checks -= 1
        return self.checks < 0


def test_a_grouped_view_past_its_time_budget_is_cut_never_miscounted(grouping_pair: Pair) -> None:
    """From the database, a grouped hub view whose budget runs out says so (``time_budget``),
    and what groups it gives are counted exactly; under a tiny budget it answers at once."""
    database = grouping_pair[1]
    query = Neighbourhood(("auth", "reg"), depth=1, group=GROUP_THRESHOLD)
    whole = select(database, query).answer(select(database, query).source)
    assert len(whole["grouped"]) >= 2
    tiny = select(database, query, deadline=Deadline(0.0))
    answer = tiny.answer(tiny.source)
    assert answer["truncated"] and answer["truncated_reason"] == "time_budget"
    given = set()
    for checks in range(0, 12):
        cut = select(database, query, deadline=Countdown(checks))
        answer = cut.answer(cut.source)
        given.add(len(answer["grouped"]))
        if len(answer["grouped"]) < len(whole["grouped"]):
            assert answer["truncated_reason"] == "time_budget"
        for summary in answer["grouped"]:  # each relation given is counted exactly, and its groups are all there
            assert summary in whole["grouped"]
            groups = [n for n in answer["nodes"] if n["kind"] == "group" and n["of"] == summary["of"]]
            groups = [g for g in groups if g["direction"] == summary["direction"]]
            assert sum(g["count"] for g in groups if g["relation"] == summary["relation"]) == summary["grouped"]
    assert 0 in given and len(given) > 1  # cut before any group was counted, and between them


class Cancelled(Deadline):
    """A time budget that never says it has run out, with a millisecond left for each
    statement: a statement given it is cancelled (``statement_timeout``) as it runs."""

    def __init__(self) -> None:
        super().__init__(float("inf"))

    @property
    def expired(self) -> bool:
        return False

    @property
    def left(self) -> float:
        return 0.001


def test_a_member_search_past_its_time_budget_is_cut_never_an_error(grouping_pair: Pair) -> None:
    """A member search of a big group whose budget runs out before its statement ends has the
    statement cancelled and comes back truncated (``time_budget``), not an error; out of
    budget before it starts, both stores answer so alike; and the statement's timeout stays
    with it (the pool's connections keep the server's), shorter or longer than the server's."""
    from graph.store.postgres.grouping import counted_here

    database = grouping_pair[1]
    assert counted_here(database.graph, "reg", "in")
    asks = ({}, {"q": "alpha"}, {"facet": "kind", "value": "firm", "q": ZAO})
    for ask in asks:
        cut = group_members(database.graph, "reg", "based_in", "in", deadline=Cancelled(), **ask)
        assert cut["truncated"] and cut["truncated_reason"] == "time_budget"
        assert (cut["total"], cut["results"], cut["facets"]) == (0, [], {})
        same(
            grouping_pair,
            lambda s, a=ask: group_members(s.graph, "auth", "sanctioned", "out", deadline=Deadline(0.0), **a),
        )
        whole = same(
            grouping_pair,
            lambda s, a=ask: group_members(s.graph, "reg", "based_in", "in", deadline=Deadline(60.0), **a),
        )
        assert not whole["truncated"] and whole["truncated_reason"] is None
    served = database.database
    timeouts = {served.read("SHOW statement_timeout")[0][0] for _ in range(served.primary.max_size + 1)}
    assert timeouts == {served.read("SHOW statement_timeout", deadline=Deadline(float("inf")))[0][0]}
    assert served.read("SHOW statement_timeout", deadline=Deadline(1.0))[0][0] in {
        "1s",
        *(f"{ms}ms" for ms in range(500, 1000)),
    }
    longer = served.statement_timeout_s + 30  # a count made in the background outlasts a request's budget
    assert served.read("SHOW statement_timeout", deadline=Deadline(longer))[0][0] in {
        f"{longer:.0f}s",
        *(f"{ms}ms" for ms in range(int(longer * 1000) - 500, int(longer * 1000))),
    }


def answered(store: Store, query: Query, deadline: Deadline | None = None) -> Any:
    """The JSON answer of ``query``."""
    selection = select(store, query, deadline=deadline)
    return selection.answer(selection.source)


def _blocked(monkeypatch: pytest.MonkeyPatch, name: str) -> tuple[threading.Event, list[int]]:
    """``grouping.<name>`` (a count) made to wait until the event is set, and the number of
    times it was made."""
    from graph.store.postgres import grouping

    original, released, made = getattr(grouping, name), threading.Event(), [0]

    def blocked(*args: Any) -> Any:
        made[0] += 1
        assert released.wait(60), "the test never released the count"
        return original(*args)

    monkeypatch.setattr(grouping, name, blocked)
    return released, made


@pytest.mark.parametrize("count", ["_counts", "_sizes"])
def test_a_hub_count_past_the_budget_goes_on_and_the_next_view_has_it(
    grouping_pair: Pair, monkeypatch: pytest.MonkeyPatch, count: str
) -> None:
    """A grouped hub view whose count (a relation's members by facet, or its relations' sizes,
    which the walk needs first) outlasts the view's budget answers cut (``time_budget``) at
    the budget, without waiting for it; the count goes on, once however many views ask, and
    the next view has it: the whole answer, the same as from memory."""
    from graph.queries import groups
    from graph.store.postgres import grouping

    database = grouping_pair[1]
    grouping._kept.pop(database.reader, None)  # what earlier views kept
    monkeypatch.setattr(groups, "_SAMPLE", 60)  # the first members do not hold them all: every one is counted
    released, made = _blocked(monkeypatch, count)
    query = Neighbourhood(("reg",), depth=1, group=GROUP_THRESHOLD, as_of=date(2020, 2, 29))
    for _ in range(2):
        answer = answered(database, query, Deadline(0.2))
        assert answer["truncated_reason"] == "time_budget" and answer["grouped"] == []
    assert made == [1] and len(grouping._counting) == 1  # counted once, still counting
    released.set()
    grouping.wait_for_counts(60)
    assert grouping._counting == {}
    whole = same(grouping_pair, lambda store: answered(store, query))
    assert not whole["truncated"] and whole["grouped"] and made == [1]


def test_a_hub_count_with_no_room_in_the_background_is_cancelled_at_the_budget(
    grouping_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With as many counts going on as a server allows, a view counts itself, its statement
    cancelled at its budget: the view is cut, nothing is kept, and a view with time counts it."""
    from graph.store.postgres import grouping

    database = grouping_pair[1]
    grouping._kept.pop(database.reader, None)
    monkeypatch.setattr(grouping, "BACKGROUND", 0)
    sizes = grouping._sizes

    def slow(graph: Any, *args: Any) -> Any:  # a statement that outlasts any budget, then the count
        graph.reader.rows("SELECT pg_sleep(60)", deadline=args[-1])
        return sizes(graph, *args)

    monkeypatch.setattr(grouping, "_sizes", slow)
    query = Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD, as_of=date(2019, 12, 31))
    answer = answered(database, query, Deadline(0.5))
    assert answer["truncated_reason"] == "time_budget" and answer["grouped"] == []
    assert grouping._counting == {} and not grouping._kept.get(database.reader)
    monkeypatch.undo()
    same(grouping_pair, lambda store: answered(store, query))


def test_a_view_whose_first_members_outlast_the_budget_is_cut_at_it(
    grouping_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first members of a big relation, which choose its facet, are read within the
    view's budget: a read that outlasts it is cancelled and the view is cut (``time_budget``),
    nothing kept; with time, the view is whole and the same as from memory."""
    from graph.store.postgres import grouping

    database = grouping_pair[1]
    grouping._kept.pop(database.reader, None)
    members = grouping._members

    def slow(*args: Any, **kwargs: Any) -> tuple[str, list[Any]]:  # the members, after a minute's sleep
        sql, params = members(*args, **kwargs)
        return f"SELECT m.* FROM pg_sleep(60) CROSS JOIN ({sql}) m", params

    monkeypatch.setattr(grouping, "_members", slow)
    query = Neighbourhood(("reg",), depth=1, group=GROUP_THRESHOLD)
    answer = answered(database, query, Deadline(0.5))
    assert answer["truncated_reason"] == "time_budget" and answer["grouped"] == []
    assert not [key for key in grouping._kept.get(database.reader, {}) if key[0] == "head"]
    monkeypatch.undo()
    same(grouping_pair, lambda store: answered(store, query))


class Shortened(Deadline):
    """A time budget without end until ``short`` is set, then with 50 ms left for good."""

    def __init__(self) -> None:
        super().__init__(float("inf"))
        self.short = False

    @property
    def expired(self) -> bool:
        return False

    @property
    def left(self) -> float:
        return 0.05 if self.short else float("inf")


def test_a_brief_recounting_groups_past_the_budget_is_cut_and_the_next_has_them(
    grouping_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A brief of a grouped view under an as-of day counts the groups again: when that count
    outlasts what is left of the budget, the brief's view is cut (``time_budget``), without
    the relation it could not count, and the next brief has the count, the same as memory."""
    from graph.queries import groups
    from graph.queries.view_filter import ViewFilter, filter_part
    from graph.store.postgres import grouping

    database = grouping_pair[1]
    grouping._kept.pop(database.reader, None)
    monkeypatch.setattr(groups, "_SAMPLE", 60)
    query = Neighbourhood(("auth",), depth=1, group=GROUP_THRESHOLD)
    view = ViewFilter(as_of=date(2020, 2, 29))

    def shown(store: Store, deadline: Deadline | None = None) -> Any:
        selection = select(store, query, deadline=deadline)
        assert selection.part is not None
        if isinstance(deadline, Shortened):
            deadline.short = True  # the view took the budget: the recount has 50 ms
        return filter_part(selection.source, selection.part, ["auth"], view).to_json(selection.source)

    select(database, query)  # the view's own counts, kept: only the recount is left to make
    released, made = _blocked(monkeypatch, "_counts")
    cut = shown(database, Shortened())
    assert cut["truncated_reason"] == "time_budget" and cut["grouped"] == [] and made == [1]
    released.set()
    grouping.wait_for_counts(60)
    whole = same(grouping_pair, shown)
    assert not whole["truncated"] and made == [len(whole["grouped"])]  # each relation counted once
