"""The neighbour ids a PostgreSQL-backed server keeps for hubs: held as sorted byte strings,
read a page at a time, bounded in ids and in bytes, and answering exactly as a set of the ids."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

from graph.store import GraphStore
from graph.store.postgres import neighbours
from graph.store.postgres.load import load_database
from graph.store.postgres.neighbours import HubNeighbours, NeighbourIds
from graph.store.postgres.store import Database, PostgresStore
from tests.conftest import DatabaseFactory

IDS = ["NK-0000001", "NK-0000002", "authority-office-of-foreign-assets-control", "zürich-1", "a"]


def ids(*nodes: str) -> NeighbourIds:
    return NeighbourIds.of([list(nodes)])


def test_membership_is_that_of_the_ids() -> None:
    kept = ids(*IDS)
    assert len(kept) == len(IDS) and sorted(kept) == sorted(IDS) and kept == set(IDS)
    for node in IDS:
        assert node in kept
    # longer than any, a prefix, padded with NUL, empty, another type: not members
    for other in ["NK-00000011", "NK-000000", "a\0", "NK-0000001\0", "", "zürich", 1, None, b"a", "\ud800"]:
        assert other not in kept
    assert NeighbourIds.of([]) == set() and "a" not in NeighbourIds.of([[]])


def test_intersections_answer_sets_of_str() -> None:
    kept = ids(*IDS)
    wanted = ["NK-0000002", "zürich-1", "NK-0000002-b", "missing", "a\0", 7]
    assert kept.intersection(wanted) == kept & set(map(str, wanted)) == {"NK-0000002", "zürich-1"}
    assert {"a", "b"} & kept == {"a"}
    assert kept.intersection([]) == set() and NeighbourIds.of([]).intersection(["a"]) == set()
    # two of different widths, either way round
    short = ids("a", "NK-0000001", "b")
    assert kept & short == short & kept == {"a", "NK-0000001"}
    assert isinstance(kept | {"q"}, frozenset) and kept - {"a"} == set(IDS) - {"a"}


def test_ids_take_their_bytes_not_python_objects() -> None:
    kept = NeighbourIds.of([[f"NK-{i:07d}" for i in range(1000)], [f"NK-{i:07d}" for i in range(1000, 1500)]])
    assert kept.ids.dtype == np.dtype("S10") and kept.nbytes == 15_000 and len(kept) == 1500
    assert list(kept)[:2] == ["NK-0000000", "NK-0000001"]


class _PagedEdges:
    """A reader over edges (src, dst) answering HubNeighbours' paged statements as PostgreSQL
    does: distinct other ends in code point order, after the one given, up to the limit."""

    def __init__(self, edges: list[tuple[str, str]]) -> None:
        self.edges, self.statements = edges, 0

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.statements += 1
        mine = 0 if re.search(r"WHERE src\b", sql) else 1
        node, *rest = params
        after, limit = (rest[0], rest[1]) if len(rest) == 2 else ("", rest[0])
        found = sorted({edge[1 - mine] for edge in self.edges if edge[mine] == node and edge[1 - mine] > after})
        return [(other,) for other in found[:limit]]

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        raise AssertionError("not used")


def test_a_hub_is_read_a_page_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neighbours, "PAGE", 2)
    edges = [("hub", f"x{i}") for i in range(5)] + [("hub", "x1"), ("y", "hub")]
    reader = _PagedEdges(edges)
    kept = HubNeighbours(reader)
    assert kept.of("hub", "out") == {f"x{i}" for i in range(5)} and reader.statements == 3
    assert kept.of("hub", "in") == {"y"} and reader.statements == 4
    assert kept.of("hub", "out") == {f"x{i}" for i in range(5)} and reader.statements == 4  # kept
    assert kept.of("x0", "in") == {"hub"} and kept.of("nobody", "in") == set()


def test_what_is_kept_is_bounded_in_bytes_too() -> None:
    edges = [("a", f"x{i}") for i in range(4)] + [("b", f"long-neighbour-{i}") for i in range(2)]
    kept = HubNeighbours(_PagedEdges(edges), budget_bytes=32)
    kept.of("a", "out")  # 4 ids of 2 bytes
    assert kept.nbytes == 8 and kept.size == 4
    kept.of("b", "out")  # 2 of 16: 8 + 32 bytes over 32, the least recently used go
    assert kept.peek("a", "out") is None and kept.nbytes == 32 and kept.size == 2
    too_big = HubNeighbours(_PagedEdges(edges), budget_bytes=31)
    assert too_big.of("b", "out") == {"long-neighbour-0", "long-neighbour-1"} and too_big.nbytes == 0


def test_pages_read_from_the_database_make_the_whole_adjacency(
    new_database: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = GraphStore.load().warm()
    dsn = new_database()
    load_database(dsn, store)
    monkeypatch.setattr(neighbours, "PAGE", 3)
    graph = store.graph
    database = Database(dsn)
    try:
        served = PostgresStore(database)
        kept = HubNeighbours(served.reader)
        for node in sorted(graph, key=lambda n: -graph.degree(n))[:5]:
            assert kept.of(node, "out") == set(graph.successors(node))
            assert kept.of(node, "in") == set(graph.predecessors(node))
    finally:
        database.close()
