"""Paths between two entities: what they pass through, how they rank, and that they are all found.

The rule under test is vocabulary data (``paths: shared`` on a relation type): two entities
designated by the same authority, or based in the same country, are not connected by it.
A straightforward reference search (networkx's ``all_simple_paths`` filtered by the rule)
checks the real search on the bundled data and on generated graphs.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import replace
from datetime import date

import networkx as nx
import pytest

from graph.errors import BadQuery
from graph.ingest.curated import load_dataset
from graph.limits import MAX_PATHS, Deadline
from graph.model.vocabulary import Vocabulary
from graph.queries.paths import find_paths
from graph.queries.subgraph import subgraph
from graph.store import records
from graph.store.build import build_graph
from tests.conftest import WriteData, entity, relation

SANCTION = {"legal_basis": "EO 13382", "measure": "eo13382-blocking"}


def reference_paths(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    max_hops: int,
    via: str = "connections",
    direction: str = "both",
) -> list[tuple[str, ...]]:
    """Every simple path (derived edges skipped) the rule allows, the slow obvious way."""
    vocab = records.vocabulary(graph)
    shared_only: dict[tuple[str, str], bool] = {}
    plain = nx.Graph() if direction == "both" else nx.DiGraph()
    for u, v, _, data in records.iter_relations(graph):
        if records.is_derived(data):
            continue
        if direction == "in":
            u, v = v, u
        for pair in [(u, v), (v, u)] if direction == "both" else [(u, v)]:
            shared_only[pair] = shared_only.get(pair, True) and vocab.shared(data.get("relation"))
        plain.add_edge(u, v)
    if source not in plain or target not in plain:
        return []
    found = []
    for path in nx.all_simple_paths(plain, source, target, cutoff=max_hops):
        steps = [shared_only[pair] for pair in itertools.pairwise(path)]
        if via == "connections" and any(a and b for a, b in itertools.pairwise(steps)):
            continue
        found.append(tuple(path))
    return found


def node_path(path: object) -> tuple[str, ...]:
    hops = path.hops  # type: ignore[attr-defined]
    return (hops[0]["from"], *(h["to"] for h in hops))


@pytest.fixture
def designated(write_data: WriteData) -> nx.MultiDiGraph:
    """An authority designated two firms; only one of them supplies the programme's developer."""
    folder = write_data(
        entities=[
            entity("state", "agency"),
            entity("acme"),
            entity("globex"),
            entity("lab", "institute"),
            entity("prog", "programme"),
        ],
        relations=[
            relation("sanctioned", "state", "acme", start="2024-04-19", **SANCTION),
            relation("sanctioned", "state", "globex", start="2024-04-19", **SANCTION),
            relation("supplied", "globex", "lab", item="valves"),
            relation("develops", "lab", "prog"),
        ],
    )
    return build_graph(load_dataset([folder]))


# --- the rule ---------------------------------------------------------------------------


def test_two_firms_designated_by_one_authority_are_not_connected_by_it(designated: nx.MultiDiGraph) -> None:
    assert not find_paths(designated, "acme", "prog").paths
    shared = find_paths(designated, "acme", "prog", via="shared")
    [path] = shared.paths
    assert node_path(path) == ("acme", "state", "globex", "lab", "prog")
    assert not path.connects
    [step] = path.shared
    assert step["entity"] == "state" and step["position"] == 1
    assert step["explanation"] == "State sanctioned both Acme and Globex on 2024-04-19"


def test_a_path_may_end_at_or_start_from_the_authority(designated: nx.MultiDiGraph) -> None:
    [path] = find_paths(designated, "state", "prog").paths
    assert node_path(path) == ("state", "globex", "lab", "prog") and path.connects


def test_the_rule_is_vocabulary_data(designated: nx.MultiDiGraph) -> None:
    vocab = records.vocabulary(designated)
    connecting = replace(
        vocab,
        relation_types={
            **vocab.relation_types,
            "sanctioned": vocab.relation_types["sanctioned"].model_copy(update={"paths": "connect"}),
        },
    )
    graph = designated.copy()
    records.set_vocabulary(graph, connecting)
    [path] = find_paths(graph, "acme", "prog").paths
    assert node_path(path) == ("acme", "state", "globex", "lab", "prog") and path.connects


def test_one_connecting_edge_makes_a_step_a_connection(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("state", "agency"), entity("acme"), entity("globex")],
        relations=[
            relation("sanctioned", "state", "acme", start="2024-04-19", **SANCTION),
            relation("sanctioned", "state", "globex", start="2024-04-19", **SANCTION),
            relation("owns", "state", "globex"),
        ],
    )
    [path] = find_paths(build_graph(load_dataset([folder])), "acme", "globex").paths
    assert path.connects and path.hops[1]["relation"] == "owns"  # the connecting edge is the hop's own
    assert [p["relation"] for p in path.hops[1]["parallel"]] == ["sanctioned"]


def test_two_authorities_sharing_hundreds_of_designations_connect_only_through_other_relations(
    write_data: WriteData,
) -> None:
    """Two authorities that designated the same 700 firms (more than a search steps through
    at once) are joined only through the firms one of them also owns: the search skips the
    others without missing one, as the slow reference search shows."""
    firms = [f"firm-{i:03d}" for i in range(700)]
    owned = {firms[5], firms[400], firms[699]}
    folder = write_data(
        entities=[entity("state-a", "agency"), entity("state-b", "agency"), *(entity(f) for f in firms)],
        relations=[
            *(relation("sanctioned", authority, f, start="2024-04-19", **SANCTION)
              for f in firms for authority in ("state-a", "state-b")),
            *(relation("owns", "state-b", f) for f in sorted(owned)),
        ],
    )  # fmt: skip
    graph = build_graph(load_dataset([folder]))
    found = find_paths(graph, "state-a", "state-b", max_hops=2, limit=MAX_PATHS)
    assert {node_path(p) for p in found.paths} == set(reference_paths(graph, "state-a", "state-b", 2))
    assert {node_path(p)[1] for p in found.paths} == owned
    shared = find_paths(graph, "state-a", "state-b", max_hops=2, via="shared", limit=MAX_PATHS)
    assert len(shared.paths) == min(MAX_PATHS, len(firms))


def test_a_supply_chain_relation_cannot_be_shared(bundled: nx.MultiDiGraph) -> None:
    vocab = records.vocabulary(bundled)
    with pytest.raises(ValueError, match="connects"):
        vocab.relation_types["supplied"].model_validate(
            {**vocab.relation_types["supplied"].model_dump(), "paths": "shared"}
        )


def test_subgraph_does_not_pass_through_an_authority_either(designated: nx.MultiDiGraph) -> None:
    around = subgraph(designated, ["acme"], depth=3)
    assert "state" in around.nodes and "globex" not in around.nodes
    assert {"globex", "lab"} <= set(subgraph(designated, ["acme"], depth=3, via="shared").nodes)
    assert {"acme", "globex"} <= set(subgraph(designated, ["state"], depth=1).nodes)  # from the authority itself


def test_unknown_via_is_a_bad_query(designated: nx.MultiDiGraph) -> None:
    with pytest.raises(BadQuery, match="via"):
        find_paths(designated, "acme", "prog", via="anything")  # type: ignore[arg-type]


# --- the bundled case ---------------------------------------------------------------------


def test_mzkt_to_shaheen_3_answers_the_supply_paths_and_no_shared_authority(bundled: nx.MultiDiGraph) -> None:
    vocab = records.vocabulary(bundled)
    result = find_paths(bundled, "mzkt", "shaheen-3", max_hops=4, limit=MAX_PATHS)
    assert result.paths and all(p.connects for p in result.paths)
    first = result.paths[0].hops
    assert [h["relation"] for h in first] == ["supplied", "develops"]
    passed = [h["to"] for p in result.paths for h in p.hops[:-1]]
    assert not any(vocab.shared(h["relation"]) for p in result.paths for h in p.hops if h["to"] in passed)
    with_shared = find_paths(bundled, "mzkt", "shaheen-3", max_hops=4, limit=MAX_PATHS, via="shared")
    connects = [p.connects for p in with_shared.paths]
    assert connects == sorted(connects, reverse=True) and not all(connects)  # real connections first
    assert [node_path(p) for p in with_shared.paths if p.connects] == [node_path(p) for p in result.paths]
    step = next(p for p in with_shared.paths if not p.connects).shared[0]
    assert step["entity"] == "us-state-dept" and "both" in step["explanation"]


def test_paths_riamb_to_shaheen_3_with_evidence_per_hop(bundled: nx.MultiDiGraph) -> None:
    result = find_paths(bundled, "riamb", "shaheen-3", max_hops=3)
    first = result.paths[0].hops
    assert [(h["from"], h["to"], h["relation"]) for h in first] == [
        ("riamb", "ndc", "supplied"),
        ("ndc", "shaheen-3", "develops"),
    ]
    assert first[0]["item"] == "equipment for testing large-diameter rocket motors" and first[0]["status"] == "alleged"
    assert all(h["sources"] and h["forward"] for h in first)


def test_paths_rank_by_length_then_weakest_confidence(bundled: nx.MultiDiGraph) -> None:
    vocab = records.vocabulary(bundled)
    for source, target in [("riamb", "shaheen-3"), ("mzkt", "ababeel"), ("granpect", "shaheen-3")]:
        paths = find_paths(bundled, source, target, max_hops=4, limit=MAX_PATHS).paths
        keys = [(len(p.hops), vocab.confidence_rank(p.weakest_confidence)) for p in paths]
        assert keys == sorted(keys)
        for path in paths:
            assert path.weakest_confidence == vocab.weakest(h.get("confidence") for h in path.hops)


def test_a_hop_ranks_by_its_best_edge_either_way_as_its_written_edges_say(write_data: WriteData) -> None:
    """Ranking reads each hop's edges by kind (relation, confidence); an as-of day makes it read
    them whole. Both must rank alike and write the same hops."""
    folder = write_data(
        entities=[entity(n) for n in "abcd"],
        relations=[
            relation("owns", "a", "b", confidence="weak"),
            relation("supplied", "b", "a", item="x"),  # press, against the path
            relation("supplied", "b", "c", item="x", confidence="weak"),
            relation("owns", "b", "c"),  # press, parallel
            relation("owns", "a", "d"),
            relation("owns", "d", "c"),
        ],
    )
    graph = build_graph(load_dataset([folder]))
    by_kind = find_paths(graph, "a", "c", max_hops=2)
    whole = find_paths(graph, "a", "c", max_hops=2, as_of=date(2099, 1, 1))
    assert by_kind.answer(graph) == whole.answer(graph)
    first, second = by_kind.paths
    assert node_path(first) == ("a", "b", "c") and node_path(second) == ("a", "d", "c")  # a tie: by entities
    assert first.weakest_confidence == "press"
    assert [(h["relation"], h["forward"], h["confidence"]) for h in first.hops] == [
        ("supplied", False, "press"),
        ("owns", True, "press"),
    ]
    assert [p["confidence"] for p in first.hops[0]["parallel"]] == ["weak"]


def test_paths_explain_hops_against_the_edge(bundled: nx.MultiDiGraph) -> None:
    hops = find_paths(bundled, "shaheen-3", "riamb", max_hops=2, limit=1).paths[0].hops
    assert [h["forward"] for h in hops] == [False, False]
    assert hops[0]["explanation"] == "Shaheen-3 developed by National Development Complex"


def test_paths_respect_direction_relations_and_as_of(bundled: nx.MultiDiGraph) -> None:
    assert not find_paths(bundled, "shaheen-3", "riamb", direction="out").paths
    only_sanctions = find_paths(bundled, "riamb", "ndc", relations=["sanctioned"], max_hops=2, via="shared")
    assert [[h["relation"] for h in p.hops] for p in only_sanctions.paths] == [["sanctioned", "sanctioned"]]
    before = find_paths(
        bundled, "riamb", "ndc", relations=["sanctioned"], max_hops=2, as_of=date(2024, 10, 1), via="shared"
    )
    assert not before.paths  # NDC was designated in December 2024


def test_paths_do_not_follow_derived_country_edges_unless_asked(bundled: nx.MultiDiGraph) -> None:
    hops = lambda result: [h["relation"] for path in result.paths for h in path.hops]  # noqa: E731
    assert bundled.nodes["riamb"]["country"] == bundled.nodes["xian-longde"]["country"] == "CN"
    assert "based_in" not in hops(find_paths(bundled, "riamb", "xian-longde", max_hops=2, via="shared"))
    via_country = find_paths(bundled, "riamb", "xian-longde", max_hops=2, derived=True, via="shared")
    assert "based_in" in hops(via_country)
    [step] = next(p for p in via_country.paths if "based_in" in hops_of(p)).shared
    assert step["explanation"].endswith("both based in China")
    assert "based_in" not in hops(find_paths(bundled, "riamb", "xian-longde", max_hops=2, derived=True))


def hops_of(path: object) -> list[str]:
    return [h["relation"] for h in path.hops]  # type: ignore[attr-defined]


def test_paths_are_bounded_by_limit(bundled: nx.MultiDiGraph) -> None:
    result = find_paths(bundled, "us-state-dept", "pk", max_hops=4, limit=3)
    assert len(result.paths) == 3 and result.truncated and result.truncated_reason == "limit"


def test_paths_on_a_dense_graph_stop_at_the_budget() -> None:
    graph = nx.MultiDiGraph(nx.complete_graph(60, create_using=nx.DiGraph))
    result = find_paths(graph, 0, 1, max_hops=6, limit=50, deadline=Deadline(0.05))
    assert result.paths and result.truncated


def test_paths_between_the_same_node_is_a_bad_query(bundled: nx.MultiDiGraph) -> None:
    with pytest.raises(BadQuery):
        find_paths(bundled, "ndc", "ndc")


# --- the same answers as the straightforward search ----------------------------------------


def expected_order(
    graph: nx.MultiDiGraph, source: str, target: str, max_hops: int, via: str, direction: str = "both"
) -> list[tuple[str, ...]]:
    """The reference paths in the promised order, for graphs whose edges share one confidence:
    connecting paths first, then by length, then by the entities they pass."""
    connecting = set(reference_paths(graph, source, target, max_hops, direction=direction))
    found = reference_paths(graph, source, target, max_hops, via, direction)
    return sorted(found, key=lambda p: (p not in connecting, len(p), p[1:]))


@pytest.mark.parametrize("via", ["connections", "shared"])
def test_bundled_paths_equal_the_reference_search(bundled: nx.MultiDiGraph, via: str) -> None:
    ids = sorted(records.entities(bundled))
    pairs = random.Random(15).sample(list(itertools.combinations(ids, 2)), 60)
    for source, target in pairs:
        got = find_paths(bundled, source, target, max_hops=3, limit=MAX_PATHS, via=via)  # type: ignore[arg-type]
        expected = set(reference_paths(bundled, source, target, 3, via))
        found = [node_path(p) for p in got.paths]
        assert len(found) == len(set(found))
        if got.truncated:
            assert set(found) <= expected and len(found) == MAX_PATHS
        else:
            assert set(found) == expected, (source, target)


@functools.cache
def bundled_vocabulary() -> Vocabulary:
    return records.vocabulary(build_graph(load_dataset()))


def generated_graph(seed: int, nodes: int = 28, edges: int = 55, hubs: int = 0) -> nx.MultiDiGraph:
    """A random graph of firms and authorities with supply, ownership and sanction edges (one
    confidence); the first ``hubs`` entities are at one end of about a third of the edges."""
    rng = random.Random(seed)
    vocab = bundled_vocabulary()
    graph = records.new_graph(vocab)
    names = [f"n{i:02d}" for i in range(nodes)]
    for name in names:
        records.add_entity(graph, name, {"label": name, "kind": "firm"})
    for number in range(edges):
        u, v = rng.sample(names, 2)
        if hubs and rng.random() < 0.35:
            u = names[rng.randrange(hubs)]
        kind = rng.choice(["supplied", "owns", "sanctioned", "sanctioned", "commented_on"])
        records.add_relation(graph, u, v, f"e{number}", {"relation": kind, "confidence": "press"})
    return graph


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("via", ["connections", "shared"])
def test_generated_paths_equal_the_reference_search_in_the_promised_order(seed: int, via: str) -> None:
    graph = generated_graph(seed)
    rng = random.Random(seed)
    for _ in range(12):
        source, target = rng.sample(sorted(records.entities(graph)), 2)
        got = find_paths(graph, source, target, max_hops=4, limit=MAX_PATHS, via=via)  # type: ignore[arg-type]
        ordered = expected_order(graph, source, target, 4, via)
        found = [node_path(p) for p in got.paths]
        assert found == ordered[:MAX_PATHS]
        assert [not p.shared for p in got.paths] == [p in set(reference_paths(graph, source, target, 4)) for p in found]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("direction", ["both", "out"])
def test_paths_around_hubs_equal_the_reference_search(seed: int, direction: str) -> None:
    """Hubs make the search meet at them or look them up instead of walking through them:
    the answers must not change, in either direction."""
    graph = generated_graph(100 + seed, nodes=40, edges=120, hubs=2)
    rng = random.Random(seed)
    names = sorted(records.entities(graph))
    for source, target in [*(rng.sample(names, 2) for _ in range(10)), ("n00", "n01"), ("n00", names[-1])]:
        for via in ("connections", "shared"):
            got = find_paths(graph, source, target, max_hops=4, limit=MAX_PATHS, via=via, direction=direction)  # type: ignore[arg-type]
            found = [node_path(p) for p in got.paths]
            assert found == expected_order(graph, source, target, 4, via, direction)[:MAX_PATHS], (source, target, via)
