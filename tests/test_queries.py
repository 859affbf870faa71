"""The graph/ query functions, without HTTP: search, subgraphs, as-of, paths, supply chains, timeline."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graph.errors import BadQuery, UnknownEntity
from graph.ingest.curated import load_dataset
from graph.limits import Deadline
from graph.queries.entity_detail import entity_detail
from graph.queries.subgraph import subgraph
from graph.queries.supply_chain import supply_chain
from graph.queries.timeline import timeline
from graph.store import GraphStore, records
from graph.store.build import build_graph
from graph.store.search import SearchIndex
from tests.conftest import WriteData, entity, relation


@pytest.fixture(scope="module")
def index(bundled: nx.MultiDiGraph) -> SearchIndex:
    return SearchIndex(bundled)


def ids(results: list[dict]) -> list[str]:
    return [r["id"] for r in results]


# --- search -----------------------------------------------------------------------------


def test_alias_search_finds_xian_longde(index: SearchIndex) -> None:
    page = index.search("lontek")
    assert ids(page.results) == ["xian-longde"] and page.results[0]["matched_alias"] is True


def test_search_ignores_case_accents_and_punctuation(index: SearchIndex) -> None:
    assert ids(index.search("XIAN LONGDE").results) == ["xian-longde"]
    assert ids(index.search("Xi\u2019an").results) == ["xian-longde"]


def test_search_ranks_exact_then_prefix_then_substring(write_data: WriteData) -> None:
    folder = write_data(
        entities=[
            entity("b", label="Alpha Omega"),
            entity("c", label="Omega"),
            entity("d", label="Omegatron"),
            entity("e", label="Xomega"),
        ]
    )
    page = SearchIndex(build_graph(load_dataset([folder]))).search("omega")
    assert ids(page.results) == ["c", "d", "b", "e"]
    assert [r["match"] for r in page.results] == ["exact", "prefix", "word-prefix", "substring"]


def test_search_filters_facets_and_pages(index: SearchIndex, bundled: nx.MultiDiGraph) -> None:
    pakistani_firms = sum(1 for _, d in bundled.nodes(data=True) if d["kind"] == "firm" and d.get("country") == "PK")
    assert pakistani_firms > 5
    page = index.search("", kind="firm", country="pk", limit=5, offset=5)
    assert page.total == pakistani_firms and len(page.results) == 5 and page.offset == 5
    assert page.facets["kind"] == {"firm": pakistani_firms}
    everything = index.search("")
    assert everything.total == len(bundled) and sum(everything.facets["kind"].values()) == len(bundled)


def test_search_rejects_out_of_bound_pages(index: SearchIndex) -> None:
    with pytest.raises(BadQuery):
        index.search("x", limit=10_000)


# --- entity detail ----------------------------------------------------------------------


def test_entity_detail_groups_relations_with_evidence(bundled: nx.MultiDiGraph) -> None:
    detail = entity_detail(bundled, "ndc")
    groups = {(g["relation"], g["direction"]): g for g in detail["relations"]}
    supplied = groups[("supplied", "in")]
    suppliers = sum(1 for *_, d in bundled.in_edges("ndc", data=True) if d["relation"] == "supplied")
    assert supplied["label"] == "supplied by" and supplied["total"] == suppliers
    mzkt = next(i for i in supplied["items"] if i["other"]["id"] == "mzkt")
    assert mzkt["edge"]["item"] == "special vehicle chassis" and mzkt["edge"]["sources"][0]["url"].startswith(
        "https://"
    )
    assert groups[("sanctioned", "in")]["items"][0]["edge"]["legal_basis"].startswith("Executive Order 13382")


def test_entity_detail_pages_a_group(bundled: nx.MultiDiGraph) -> None:
    first = entity_detail(bundled, "us-state-dept", relation="sanctioned", direction="out", limit=5)
    second = entity_detail(bundled, "us-state-dept", relation="sanctioned", direction="out", limit=5, offset=5)
    (a,), (b,) = first["relations"], second["relations"]
    designations = sum(1 for *_, d in bundled.out_edges("us-state-dept", data=True) if d["relation"] == "sanctioned")
    assert a["total"] == b["total"] == designations
    assert not {i["other"]["id"] for i in a["items"]} & {i["other"]["id"] for i in b["items"]}
    assert a["items"][0]["edge"]["start"] == "2024-12-18"  # most recent first


# --- subgraph ---------------------------------------------------------------------------


def test_subgraph_depth_and_direction(bundled: nx.MultiDiGraph) -> None:
    out = subgraph(bundled, ["riamb"], depth=1, direction="out")
    assert set(out.nodes) == {"riamb", "ndc", "cn"}
    both = subgraph(bundled, ["riamb"], depth=1, direction="both")
    assert "us-state-dept" in both.nodes and both.nodes["us-state-dept"] == 1
    two = subgraph(bundled, ["riamb"], depth=2, direction="out")
    assert {"shaheen-3", "nescom", "islamabad"} <= set(two.nodes) and two.nodes["shaheen-3"] == 2


def test_subgraph_filters_kinds_and_relations(bundled: nx.MultiDiGraph) -> None:
    sel = subgraph(bundled, ["ndc"], depth=1, kinds=["firm"], relations=["supplied"])
    assert {bundled.nodes[n]["kind"] for n in sel.nodes if n != "ndc"} == {"firm"}
    assert {bundled.edges[e]["relation"] for e in sel.edges} == {"supplied"}


def test_subgraph_returns_all_edges_between_kept_nodes(bundled: nx.MultiDiGraph) -> None:
    sel = subgraph(bundled, ["xian-longde"], depth=1, relations=["sanctioned"])
    assert sorted(k for _, _, k in sel.edges) == ["sanctioned-2024-04-19", "sanctioned-2024-09-12"]


def test_subgraph_truncation_keeps_nearest_first() -> None:
    graph = nx.MultiDiGraph()
    graph.add_edges_from(("hub", f"leaf{i}", "k") for i in range(50))
    graph.add_edges_from((f"leaf{i}", f"far{i}", "k") for i in range(50))
    sel = subgraph(graph, ["hub"], depth=2, max_nodes=30)
    assert sel.truncated and sel.truncated_reason == "max_nodes"
    assert len(sel.nodes) == 30 and max(sel.nodes.values()) == 1
    assert all(u == "hub" for u, _, _ in sel.edges)


def test_subgraph_stops_at_the_time_budget() -> None:
    graph = nx.MultiDiGraph()
    graph.add_edges_from(("hub", f"n{i}", "k") for i in range(5000))
    expired = Deadline(0.0)
    sel = subgraph(graph, ["hub"], depth=1, max_nodes=5000, deadline=expired)
    assert sel.truncated and sel.truncated_reason == "time_budget" and len(sel.nodes) < 5000


@pytest.mark.parametrize(
    ("params", "message"),
    [({"depth": 9}, "depth"), ({"max_nodes": 0}, "max_nodes"), ({"direction": "up"}, "direction")],
)
def test_subgraph_bounds(bundled: nx.MultiDiGraph, params: dict, message: str) -> None:
    with pytest.raises(BadQuery, match=message):
        subgraph(bundled, ["ndc"], **params)


# --- as of ------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "expected"), [(date(2023, 1, 1), 0), (date(2024, 5, 1), 1), (date(2024, 12, 31), 2)])
def test_longde_designations_as_of(bundled: nx.MultiDiGraph, day: date, expected: int) -> None:
    sel = subgraph(bundled, ["xian-longde"], depth=1, relations=["sanctioned"], as_of=day)
    assert len(sel.edges) == expected


def test_as_of_keeps_undated_relations(bundled: nx.MultiDiGraph) -> None:
    sel = subgraph(bundled, ["ndc"], depth=1, relations=["develops"], as_of=date(1990, 1, 1))
    assert "shaheen-3" in sel.nodes


# --- supply chain -----------------------------------------------------------------------


def upstream_status(chain: dict) -> dict[str, bool]:
    return {u["entity"]["id"]: u["sanctioned"] for u in chain["upstream"]}


def test_shaheen_3_supply_chain_names_suppliers_with_sanction_status(bundled: nx.MultiDiGraph) -> None:
    for day, expected in [
        (date(2024, 1, 1), {"riamb": False, "xian-longde": False, "mzkt": False}),
        (date(2024, 5, 1), {"riamb": False, "xian-longde": True, "mzkt": True}),
        (date(2024, 12, 31), {"riamb": True, "xian-longde": True, "mzkt": True}),
    ]:
        status = upstream_status(supply_chain(bundled, "shaheen-3", as_of=day))
        assert {k: status[k] for k in expected} == expected, day


def test_supply_chain_entries_carry_chain_and_designations(bundled: nx.MultiDiGraph) -> None:
    chain = supply_chain(bundled, "shaheen-3", as_of=date(2024, 12, 31))
    longde = next(u for u in chain["upstream"] if u["entity"]["id"] == "xian-longde")
    assert [(h["from"], h["to"]) for h in longde["chain"]] == [("xian-longde", "ndc"), ("ndc", "shaheen-3")]
    assert longde["roles"] == ["supplied"] and len(longde["designations"]) == 2
    ndc = next(u for u in chain["upstream"] if u["entity"]["id"] == "ndc")
    assert ndc["roles"] == ["develops"] and ndc["distance"] == 1
    granpect = next(u for u in chain["upstream"] if u["entity"]["id"] == "granpect")
    assert granpect["disputed"] and granpect["weakest_confidence"] == "weak"
    # only programme components feed a programme: the BM programme's other suppliers are not Shaheen-3's
    assert "general-technology" not in upstream_status(chain)


def test_supply_chain_of_a_parent_programme_includes_its_components(bundled: nx.MultiDiGraph) -> None:
    status = upstream_status(supply_chain(bundled, "pk-bm-programme", as_of=date(2024, 12, 31)))
    assert {"general-technology", "shaheen-series", "shaheen-3", "riamb", "nescom"} <= set(status)


# --- timeline ---------------------------------------------------------------------------


def test_timeline_groups_sanction_rounds(bundled: nx.MultiDiGraph) -> None:
    days = {d["date"]: d for d in timeline(bundled, relations=["sanctioned"])["dates"]}
    assert {"2023-10-20", "2024-04-19", "2024-09-12", "2024-12-18"} <= set(days)
    (round_e,) = days["2024-09-12"]["rounds"]
    assert round_e["actor"]["id"] == "us-state-dept" and round_e["count"] == 6
    assert list(days) == sorted(days)


def test_timeline_date_bounds(bundled: nx.MultiDiGraph) -> None:
    dates = [d["date"] for d in timeline(bundled, start="2024-01-01", end="2024-12")["dates"]]
    assert dates and all("2024-01-01" <= d <= "2024-12-31" for d in dates)


# --- store ------------------------------------------------------------------------------


def test_unknown_id_suggests_close_ids(bundled: nx.MultiDiGraph) -> None:
    store = GraphStore.from_graph(bundled)
    with pytest.raises(UnknownEntity) as caught:
        store.require("ndcc")
    assert "ndc" in caught.value.suggestions


def test_inline_fixture_paths(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("state", "agency"), entity("acme"), entity("prog", "programme"), entity("lab", "institute")],
        relations=[
            relation("supplied", "acme", "lab", item="valves"),
            relation("develops", "lab", "prog"),
            relation("sanctioned", "state", "acme", date="2024-01-02", legal_basis="EO", measure="eo13382-blocking"),
        ],
    )
    graph = build_graph(load_dataset([folder]))
    chain = supply_chain(graph, "prog", as_of=date(2024, 1, 2))
    assert upstream_status(chain) == {"lab": False, "acme": True}
    assert upstream_status(supply_chain(graph, "prog", as_of=date(2024, 1, 1)))["acme"] is False


def test_subgraph_shows_a_country_reached_by_derived_edges_but_does_not_expand_it(write_data: WriteData) -> None:
    graph = build_graph(
        load_dataset(
            [
                write_data(
                    entities=[
                        entity("pk", kind="country", country="PK"),
                        entity("acme", country="PK"),
                        entity("globex", country="PK"),
                        entity("ndc", kind="agency"),
                    ],
                    relations=[relation("part_of", "ndc", "pk")],
                )
            ]
        )
    )
    around_acme = subgraph(graph, ["acme"], depth=2)
    assert set(around_acme.nodes) == {"acme", "pk"}  # not globex or ndc: both only "also in Pakistan"
    assert set(subgraph(graph, ["pk"], depth=1).nodes) == {"pk", "acme", "globex", "ndc"}  # centred: all
    around_ndc = subgraph(graph, ["ndc"], depth=2)  # reached by a real relation, the country is expanded
    assert set(around_ndc.nodes) == {"ndc", "pk", "acme", "globex"}


def test_entity_detail_of_a_hub_stops_at_the_time_budget() -> None:
    graph = nx.MultiDiGraph(relation_types={})
    graph.add_node("hub", label="Hub")
    for i in range(20_000):
        graph.add_node(f"n{i}", label=f"N {i}")
        graph.add_edge(f"n{i}", "hub", key="based_in", relation="based_in", start=f"{2000 + i % 20}")
    done = entity_detail(graph, "hub", limit=3)
    assert done["truncated"] is False and done["relations"][0]["total"] == 20_000
    assert [i["edge"]["start"] for i in done["relations"][0]["items"]] == ["2019"] * 3  # longest: by date only
    cut = entity_detail(graph, "hub", limit=3, deadline=Deadline(0))
    assert cut["truncated"] is True and cut["relations"][0]["total"] < 20_000


def test_graph_stats_read_the_date_span_from_the_dated_index_the_same(bundled: nx.MultiDiGraph) -> None:
    """The stats take the first and last dates from the dated index when the store has built
    it: the same span as reading every edge, also with no dated edge at all."""
    from graph.store.dated import DatedIndex
    from graph.store.stats import graph_stats

    undated = bundled.copy()
    for _, _, _, attrs in records.iter_relations(undated):
        attrs.pop("date", None)
        attrs.pop("start", None)
    for graph in (bundled, undated):
        counted = graph_stats(graph)
        assert graph_stats(graph, DatedIndex.of(graph)) == counted
        assert GraphStore.from_graph(graph).warm().stats == counted
    assert graph_stats(bundled)["first_date"] is not None and graph_stats(undated)["first_date"] is None
