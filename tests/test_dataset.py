"""The bundled dataset says what the fact sheet supports, and no more."""

from __future__ import annotations

from urllib.parse import urlsplit

import networkx as nx
import pytest

from graph.ingest.dataset import Dataset

STATE = "us-state-dept"
ROUNDS = {
    "2023-10-20": {"general-technology", "beijing-luo-luo", "changzhou-utek"},
    "2024-04-19": {"mzkt", "xian-longde", "tianjin-creative-source", "granpect"},
    "2024-09-12": {
        "riamb",
        "hubei-huachangda",
        "universal-enterprise",
        "xian-longde",
        "luo-dongmei",
        "innovative-equipment",
    },
    "2024-12-18": {"ndc", "akhtar-and-sons", "affiliates-international", "rockside-enterprise"},
}


def designations(graph: nx.MultiDiGraph, authority: str) -> list[tuple[str, dict]]:
    return [(v, d) for _, v, d in graph.out_edges(authority, data=True) if d["relation"] == "sanctioned"]


def test_every_entry_becomes_part_of_the_graph(bundled: nx.MultiDiGraph, bundled_dataset: Dataset) -> None:
    assert set(bundled) == set(bundled_dataset.entities)
    derived = sum(1 for *_, d in bundled.edges(data=True) if d.get("derived"))
    assert bundled.number_of_edges() == len(bundled_dataset.relations) + derived
    assert {d["kind"] for _, d in bundled.nodes(data=True)} <= set(bundled_dataset.kinds)


def test_the_four_state_department_rounds(bundled: nx.MultiDiGraph) -> None:
    by_date: dict[str, set[str]] = {}
    for target, d in designations(bundled, STATE):
        by_date.setdefault(d["date"], set()).add(target)
        assert d["status"] == "designated"
        assert d["legal_basis"] and d["action"]
    assert by_date == ROUNDS


def test_xian_longde_designated_twice_under_different_laws(bundled: nx.MultiDiGraph) -> None:
    edges = bundled.get_edge_data(STATE, "xian-longde")
    assert sorted(edges) == ["sanctioned-2024-04-19", "sanctioned-2024-09-12"]
    assert edges["sanctioned-2024-04-19"]["legal_basis"].startswith("Executive Order 13382")
    assert "Arms Export Control Act" in edges["sanctioned-2024-09-12"]["legal_basis"]
    assert "Lontek" in bundled.nodes["xian-longde"]["aliases"]


def test_september_2024_round_has_a_split_legal_basis(bundled: nx.MultiDiGraph) -> None:
    bases = {t: d["legal_basis"] for t, d in designations(bundled, STATE) if d["date"] == "2024-09-12"}
    assert bases.pop("riamb") == "Executive Order 13382"
    assert set(bases) == {
        "hubei-huachangda",
        "universal-enterprise",
        "xian-longde",
        "luo-dongmei",
        "innovative-equipment",
    }
    assert all("Arms Export Control Act and Export Control Reform Act" in b for b in bases.values())


def test_luo_dongmei_is_a_person_with_her_alias(bundled: nx.MultiDiGraph) -> None:
    node = bundled.nodes["luo-dongmei"]
    assert node["kind"] == "person" and node["aliases"] == ["Steed Luo"]


@pytest.mark.parametrize("supplier", ["riamb", "xian-longde", "mzkt"])
def test_supplier_to_programme_chain_reaches_shaheen_3(bundled: nx.MultiDiGraph, supplier: str) -> None:
    chain = nx.subgraph_view(
        bundled, filter_edge=lambda u, v, k: bundled.edges[u, v, k]["relation"] in ("supplied", "develops")
    )
    path = nx.shortest_path(chain, supplier, "shaheen-3")
    assert path == [supplier, "ndc", "shaheen-3"]
    supply = next(d for d in bundled.get_edge_data(supplier, "ndc").values() if d["relation"] == "supplied")
    assert supply["item"] and supply["sources"]


def test_riamb_supply_names_its_programmes(bundled: nx.MultiDiGraph) -> None:
    supply = bundled.get_edge_data("riamb", "ndc")["supplied"]
    assert supply["for_programme"] == ["shaheen-3", "ababeel"]
    assert supply["item"] == "equipment for testing large-diameter rocket motors"


def test_every_entry_cites_a_dated_http_source(bundled: nx.MultiDiGraph) -> None:
    elements = [d for _, d in bundled.nodes(data=True)] + [d for *_, d in bundled.edges(data=True)]
    for attrs in elements:
        assert attrs["sources"], attrs
        assert attrs["confidence"] in {"primary", "press-quoting-primary", "press", "weak"}
        for source in attrs["sources"]:
            assert urlsplit(source["url"]).scheme in ("http", "https")
            assert source["publisher"]
            assert source.get("published") or source.get("retrieved")


def test_ndc_location_conflict_is_recorded_with_both_attributions(bundled: nx.MultiDiGraph) -> None:
    claims = {
        v: d
        for _, v, d in bundled.out_edges("ndc", data=True)
        if d["relation"] == "based_in" and v in ("islamabad", "fatehjang")
    }
    assert set(claims) == {"islamabad", "fatehjang"}
    assert all(d["status"] == "disputed" for d in claims.values())
    assert "State" in claims["islamabad"]["claimed_by"]
    assert "Indpaedia" in claims["fatehjang"]["claimed_by"]


def test_weak_links_are_marked_weak(bundled: nx.MultiDiGraph) -> None:
    assert bundled.get_edge_data("ndc", "nescom")["part_of"]["confidence"] == "weak"
    assert bundled.get_edge_data("granpect", "ndc")["supplied"]["status"] == "disputed"


def test_unverified_claims_are_not_facts(bundled: nx.MultiDiGraph) -> None:
    relations_from = lambda node: {d["relation"] for _, _, d in bundled.out_edges(node, data=True)}  # noqa: E731
    # Innovative Equipment's conduct is unknown: designated, but no supply edge.
    assert "supplied" not in relations_from("innovative-equipment")
    # SUPARCO "develops ... ballistic missiles" is a press paraphrase; SPD's command role is unsourced.
    assert "develops" not in relations_from("suparco")
    hierarchy = {("spd", "nescom"), ("nescom", "spd"), ("spd", "ndc"), ("ndc", "spd")}
    assert not any(bundled.has_edge(u, v) for u, v in hierarchy)
    # Ababeel's 2,200 km range rests on one source.
    assert "range_km" not in bundled.nodes["ababeel"]
    # Round I's exact date is unverified: only the year is recorded.
    assert bundled.get_edge_data("us-bis", "global-traders")["sanctioned-2025"]["date"] == "2025"


def test_bis_entity_list_actions(bundled: nx.MultiDiGraph) -> None:
    listed = dict(designations(bundled, "us-bis"))
    assert listed["nescom"]["date"] == "2016-12-15"
    assert listed["aero"]["date"] == "2014"
    assert listed["pk"]["confidence"] == "primary"
    assert {t for t, d in listed.items() if d["date"] == "2025"} == {
        "allied-business-concerns", "global-traders", "linkers-automation", "otto-manufacturing",
        "potohar-industrial", "rachna-supplies", "resource-enterprises",
    }  # fmt: skip


def test_reactions_are_dated_quotes_linked_to_their_bodies(bundled: nx.MultiDiGraph) -> None:
    liu = bundled.get_edge_data("liu-pengyu", STATE)["responded_to-2024-09"]
    assert "long-arm jurisdiction" in liu["quote"] and liu["on_behalf_of"] == "cn-embassy-us"
    assert "breach" not in liu["quote"]  # the seed's paraphrase is not his wording
    assert bundled.has_edge("liu-pengyu", "cn-embassy-us")
    mofa = bundled.get_edge_data("mumtaz-zahra-baloch", STATE)
    assert sorted(mofa) == ["responded_to-2024-09-14", "responded_to-2024-12-19"]
    assert bundled.get_edge_data("jon-finer", "ndc")["commented_on-2024-12-19"]["quote"].startswith(
        "This is the first time"
    )


def test_countries_and_the_strain_ties_context_are_attributed(bundled: nx.MultiDiGraph) -> None:
    assert {"us", "cn", "pk", "by", "in", "ru"} <= {n for n, d in bundled.nodes(data=True) if d["kind"] == "country"}
    context = [d for u, v, d in bundled.edges(data=True) if d["relation"] in ("ally_of", "tension_with")]
    assert context and all(d["claimed_by"] for d in context)
    opinions = [d for *_, d in bundled.edges(data=True) if d["status"] == "opinion"]
    assert opinions and all(d.get("claimed_by") for d in opinions)


def test_firms_are_based_in_their_country(bundled: nx.MultiDiGraph) -> None:
    edge = bundled.get_edge_data("mzkt", "by")["based_in"]
    assert edge["derived"] is True and edge["sources"]


def test_every_relation_has_a_stable_unique_key(bundled_dataset: Dataset) -> None:
    keys = [(r.source, r.target, r.key) for r in bundled_dataset.relations]
    assert len(keys) == len(set(keys)) and all(k for *_, k in keys)
