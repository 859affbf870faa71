"""The bundled dataset says what the fact sheet supports, and no more."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import networkx as nx
import pytest

from graph.ingest.dataset import Dataset
from graph.store import records

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
        by_date.setdefault(records.when(d), set()).add(target)
        assert d["status"] == "designated"
        assert d["legal_basis"] and d["measure"] in records.vocabulary(bundled).measures
    assert by_date == ROUNDS


def test_xian_longde_designated_twice_under_different_laws(bundled: nx.MultiDiGraph) -> None:
    edges = bundled.get_edge_data(STATE, "xian-longde")
    assert sorted(edges) == ["sanctioned-2024-04-19", "sanctioned-2024-09-12"]
    assert edges["sanctioned-2024-04-19"]["legal_basis"].startswith("Executive Order 13382")
    assert "Arms Export Control Act" in edges["sanctioned-2024-09-12"]["legal_basis"]
    assert "Lontek" in bundled.nodes["xian-longde"]["aliases"]


def test_september_2024_round_has_a_split_legal_basis(bundled: nx.MultiDiGraph) -> None:
    bases = {t: d["legal_basis"] for t, d in designations(bundled, STATE) if records.when(d) == "2024-09-12"}
    assert bases.pop("riamb") == "Executive Order 13382"
    assert set(bases) == {
        "hubei-huachangda",
        "universal-enterprise",
        "xian-longde",
        "luo-dongmei",
        "innovative-equipment",
    }
    assert all("Arms Export Control Act and Export Control Reform Act" in b for b in bases.values())


def test_each_measure_is_of_its_kind_with_its_real_duration(bundled: nx.MultiDiGraph) -> None:
    vocabulary = records.vocabulary(bundled)
    for target, d in designations(bundled, STATE) + designations(bundled, "us-bis"):
        assert d["measure"] in vocabulary.measures and records.when(d), target
        term = vocabulary.measures[d["measure"]].term
        if d.get("end"):
            assert d["end_basis"] in ("observed", "statutory")
        if term is not None and "end" in d and d["end_basis"] == "statutory":
            assert int(d["end"][:4]) - int(records.when(d)[:4]) == term.years
    lontek = bundled.get_edge_data(STATE, "xian-longde")
    assert lontek["sanctioned-2024-04-19"]["measure"] == "eo13382-blocking"
    missile = lontek["sanctioned-2024-09-12"]
    assert missile["measure"] == "missile-sanctions" and missile["end_basis"] == "statutory"
    # the as-of view follows the term: in force within it, not certainly in force after it
    assert records.counts_on(missile, date(2025, 6, 1))
    assert not records.counts_on(missile, date(2026, 10, 1))
    assert records.counts_on(lontek["sanctioned-2024-04-19"], date(2026, 10, 1))


def test_official_documents_are_named_where_they_exist(bundled: nx.MultiDiGraph) -> None:
    listed = dict(designations(bundled, "us-bis"))
    assert listed["pk"]["document"].startswith("FR Doc 2024-27648") and listed["pk"]["document_url"].startswith(
        "https://"
    )
    assert all(d["document"] for _, d in designations(bundled, STATE))


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


def test_every_entry_cites_a_dated_typed_http_source(bundled: nx.MultiDiGraph) -> None:
    vocabulary = records.vocabulary(bundled)
    elements = [d for _, d in bundled.nodes(data=True)] + [d for *_, d in bundled.edges(data=True)]
    for attrs in elements:
        assert attrs["sources"], attrs
        assert attrs["confidence"] in vocabulary.confidence
        for source in attrs["sources"]:
            assert urlsplit(source["url"]).scheme in ("http", "https")
            assert source["publisher"] and source["type"] in vocabulary.source_types
            assert source.get("published") or source.get("retrieved")


def test_every_declared_source_is_cited(bundled_dataset: Dataset) -> None:
    cited = {c.ref for e in bundled_dataset.entities.values() for c in e.sources}
    cited |= {c.ref for r in bundled_dataset.relations for c in r.sources}
    assert set(bundled_dataset.sources) - cited == set()


def test_no_forum_remains_where_a_better_source_exists(bundled_dataset: Dataset) -> None:
    """A weak source stays only on entries for which nothing better was found, and says why."""
    weak = {sid for sid, s in bundled_dataset.sources.items() if s.type == "weak"}
    for relation in bundled_dataset.relations:
        refs = {c.ref for c in relation.sources}
        if refs & weak and refs - weak:
            continue  # corroborated by a better source
        if refs & weak:
            assert relation.confidence == "weak" and (relation.note or relation.claimed_by), relation


def test_inferences_are_the_curators_and_say_how(bundled: nx.MultiDiGraph) -> None:
    inferred = [(u, v, d) for u, v, d in bundled.edges(data=True) if d["status"] == "inferred"]
    assert {(u, v) for u, v, _ in inferred} >= {("ndc", "shaheen-3"), ("ndc", "ababeel")}
    for _, _, d in inferred:
        assert "claimed_by" not in d and d["reasoning"] and any(s.get("quote") for s in d["sources"])


def test_both_sides_answer_each_state_department_round(bundled: nx.MultiDiGraph) -> None:
    replies = [d for u, v, d in bundled.edges(data=True) if d["relation"] == "responded_to"]
    for day in ROUNDS:
        pakistan = [d for d in replies if day in d.get("regarding", "") and d.get("on_behalf_of") in ("pk-mofa", "pk")]
        assert pakistan, f"no Pakistani reply recorded for the round of {day}"
        assert all(d.get("quote") or d.get("paraphrase") for d in pakistan)
    china = [d for d in replies if d.get("on_behalf_of") == "cn-embassy-us"]
    assert china and all("quote" in d for d in china)


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
    # Round I's names rest on aggregator copies only: weak, whatever the rule's own standing.
    listing = bundled.get_edge_data("us-bis", "global-traders")["sanctioned-2025-03-25"]
    assert listing["confidence"] == "weak" and listing["document"].startswith("FR Doc 2025-05426")


def test_bis_entity_list_actions(bundled: nx.MultiDiGraph) -> None:
    listed = dict(designations(bundled, "us-bis"))
    assert records.when(listed["nescom"]) == "2016-12-15"
    assert records.when(listed["aero"]) == "2014"
    assert listed["pk"]["confidence"] == "primary"
    assert {t for t, d in listed.items() if records.when(d) == "2025-03-25"} == {
        "allied-business-concerns", "global-traders", "linkers-automation", "otto-manufacturing",
        "potohar-industrial", "rachna-supplies", "resource-enterprises",
    }  # fmt: skip


def test_reactions_are_dated_quotes_linked_to_their_bodies(bundled: nx.MultiDiGraph) -> None:
    liu = bundled.get_edge_data("liu-pengyu", STATE)["responded_to-2024-09"]
    assert "long-arm jurisdiction" in liu["quote"] and liu["on_behalf_of"] == "cn-embassy-us"
    assert "breach" not in liu["quote"]  # the seed's paraphrase is not his wording
    assert bundled.has_edge("liu-pengyu", "cn-embassy-us")
    mofa = bundled.get_edge_data("mumtaz-zahra-baloch", STATE)
    assert {"responded_to-2024-09-14", "responded_to-2024-12-19"} <= set(mofa)
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


def test_the_dataset_doc_counts_what_the_data_holds(bundled_dataset: Dataset) -> None:
    from collections import Counter
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "dataset.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([a-z-]+) \| (\d+) \|$", text, re.MULTILINE))
    sources = Counter(s.type for s in bundled_dataset.sources.values())
    assert {k: int(v) for k, v in rows.items()} == {t: sources[t] for t in bundled_dataset.source_types}
    levels = re.findall(r"^\| ([a-z-]+) \| (\d+) \| (\d+) \|$", text, re.MULTILINE)
    entities = Counter(e.confidence for e in bundled_dataset.entities.values())
    relations = Counter(r.confidence for r in bundled_dataset.relations)
    expected = [(level, entities[level], relations[level]) for level in bundled_dataset.confidence
                if entities[level] or relations[level]]  # fmt: skip
    assert [(level, int(e), int(r)) for level, e, r in levels] == expected, "update docs/dataset.md's counts"
