"""A hub's entity detail read from its index says exactly what reading its relations says."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graph.queries.entity_detail import entity_detail
from graph.store import by_relation, records
from graph.store.hubs import HubIndex


@pytest.mark.parametrize("as_of", [None, date(2024, 5, 1), date(2025, 1, 1), date(2027, 1, 1)])
def test_every_entity_reads_the_same_from_the_index(bundled: nx.MultiDiGraph, as_of: date | None) -> None:
    hubs = HubIndex(bundled, threshold=1)  # every entity counts as a hub
    for node in bundled:
        assert node in hubs
        for offset, limit in [(0, 50), (1, 2)]:
            plain = entity_detail(bundled, node, as_of=as_of, offset=offset, limit=limit)
            indexed = entity_detail(bundled, node, as_of=as_of, offset=offset, limit=limit, hubs=hubs)
            assert indexed == plain, node


def test_one_group_of_a_hub(bundled: nx.MultiDiGraph) -> None:
    hubs = HubIndex(bundled, threshold=1)
    plain = entity_detail(bundled, "us-state-dept", relation="sanctioned", direction="out", limit=3, offset=2)
    assert (
        entity_detail(bundled, "us-state-dept", relation="sanctioned", direction="out", limit=3, offset=2, hubs=hubs)
        == plain
    )
    assert len(plain["relations"]) == 1 and len(plain["relations"][0]["items"]) == 3


def test_only_entities_with_many_relations_are_indexed(bundled: nx.MultiDiGraph) -> None:
    degrees = dict(bundled.degree)
    threshold = sorted(degrees.values())[-3]
    hubs = HubIndex(bundled, threshold=threshold)
    assert {n for n in bundled if n in hubs} == {n for n, d in degrees.items() if d >= threshold}


def test_a_hubs_connecting_neighbours_read_from_its_index(bundled: nx.MultiDiGraph) -> None:
    """Indexing the hubs by relation type changes what a walk reads, not what it finds: the
    neighbours joined by a relation not excluded, each once, in adjacency order."""
    HubIndex(bundled, threshold=1)  # every entity counts as a hub, and is indexed
    relations = sorted({str(data.get("relation")) for _, _, data in bundled.edges(data=True)})
    shared = records.vocabulary(bundled).shared_relations
    for excluded in [frozenset(), shared, frozenset(relations), *(frozenset({r}) for r in relations)]:
        for node in bundled:
            for way in ("out", "in"):
                side = records.adjacency(bundled, node, way)
                expected = [
                    (other, keyed)
                    for other, keyed in side.items()
                    if any(data.get("relation") not in excluded for data in keyed.values())
                ]
                assert by_relation.connecting_neighbours(bundled, node, way, excluded) is not None or not side
                assert list(records.connecting(bundled, node, way, excluded)) == expected, (node, way, excluded)
