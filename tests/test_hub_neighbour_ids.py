"""The neighbour ids a PostgreSQL-backed server keeps for hubs: held as sorted byte strings,
read a page at a time, bounded in ids and in bytes, and answering exactly as a set of the ids."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph.errors import DatabaseError
from graph.store import GraphStore
from graph.store.postgres import neighbours
from graph.store.postgres.lazy import LOAD_WHOLE
from graph.store.postgres.load import load_database
from graph.store.postgres.neighbours import HubNeighbours, NeighbourIds
from graph.store.postgres.store import Database, PostgresStore
from tests.conftest import DatabaseFactory

IDS = ["NK-0000001", "NK-0000002", "authority-office-of-foreign-assets-control", "zürich-1", "a"]


def ids(*nodes: str) -> NeighbourIds:
    """The ids as the server keeps them: sorted, distinct UTF-8 byte strings."""
    return NeighbourIds.joined([np.array(sorted({node.encode() for node in nodes}), dtype=np.bytes_)])


def test_membership_is_that_of_the_ids() -> None:
    kept = ids(*IDS)
    assert len(kept) == len(IDS) and sorted(kept) == sorted(IDS) and kept == set(IDS)
    for node in IDS:
        assert node in kept
    # longer than any, a prefix, padded with NUL, empty, another type: not members
    for other in ["NK-00000011", "NK-000000", "a\0", "NK-0000001\0", "", "zürich", 1, None, b"a", "\ud800"]:
        assert other not in kept
    assert NeighbourIds.joined([]) == set() and "a" not in ids()


def test_intersections_answer_sets_of_str() -> None:
    kept = ids(*IDS)
    wanted = ["NK-0000002", "zürich-1", "NK-0000002-b", "missing", "a\0", 7]
    assert kept.intersection(wanted) == kept & set(map(str, wanted)) == {"NK-0000002", "zürich-1"}
    assert {"a", "b"} & kept == {"a"}
    assert kept.intersection([]) == set() and ids().intersection(["a"]) == set()
    # two of different widths, either way round
    short = ids("a", "NK-0000001", "b")
    assert kept & short == short & kept == {"a", "NK-0000001"}
    assert isinstance(kept | {"q"}, frozenset) and kept - {"a"} == set(IDS) - {"a"}


def test_entity_ids_encoded_once_intersect_each_hubs_ids_as_sets_do() -> None:
    """A view's entities are encoded once and intersected with several hubs' ids (each of its
    own width): the answers are those of Python's sets, whatever the widths and scripts."""
    entities = ["zürich-1", "NK-0000002", "b", "authority-office-of-foreign-assets-control-2", "zürich-1", "北京"]
    candidates = NeighbourIds.of(entities)
    assert sorted(candidates) == sorted(set(entities)) and len(candidates) == 5
    for hub in [ids(*IDS), ids("b", "北京", "c"), ids("zürich-1"), ids()]:
        assert hub.intersection(candidates) == set(hub) & set(entities)
    assert NeighbourIds.of([]) == set() and ids(*IDS).intersection(NeighbourIds.of([])) == set()


def test_ids_take_their_bytes_not_python_objects() -> None:
    pages = [np.array([f"NK-{i:07d}".encode() for i in range(start, end)]) for start, end in ((0, 1000), (1000, 1500))]
    kept = NeighbourIds.joined(pages)
    assert kept.ids.dtype == np.dtype("S10") and kept.nbytes == 15_000 and len(kept) == 1500
    assert list(kept)[:2] == ["NK-0000000", "NK-0000001"]


def packed(page: list[str]) -> list[tuple[Any, ...]]:
    """A page of ids as PostgreSQL sends it: width, count, last, the ids NUL-padded and joined."""
    if not page:
        return []
    raw = [node.encode() for node in page]
    width = max(map(len, raw))
    return [(width, len(raw), page[-1], b"".join(node.ljust(width, b"\0") for node in raw))]


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
        return packed(found[:limit])

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        raise AssertionError("not used")


def test_hub_neighbours_are_read_once_and_none_kept_is_dropped_for_another() -> None:
    """Ids read are kept where they fit beside those kept; those that do not are answered
    and read again when asked again: a hub read once (a path search between two countries)
    never pushes out those every other request uses."""
    edges = [("a", f"x{i}") for i in range(3)] + [("b", f"x{i}") for i in range(3)] + [("c", "x0")]
    reader = _PagedEdges(edges)
    kept = HubNeighbours(reader, budget=6)
    assert kept.of("a", "out") == {"x0", "x1", "x2"} and kept.of("x0", "in") == {"a", "b", "c"}
    assert kept.of("a", "out") == {"x0", "x1", "x2"} and reader.statements == 2  # kept: read once
    assert kept.of("b", "out") == {"x0", "x1", "x2"}  # 9 ids over a budget of 6: answered, not kept
    assert kept.of("b", "out") == {"x0", "x1", "x2"} and reader.statements == 4
    assert kept.peek("b", "out") is None and kept.size == 6
    assert kept.peek("a", "out") == {"x0", "x1", "x2"} and kept.peek("x0", "in") == {"a", "b", "c"}
    assert HubNeighbours(reader, budget=2).of("a", "out") == {"x0", "x1", "x2"}  # too big to keep, still answered


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
    kept.of("b", "out")  # 2 of 16: 8 + 32 bytes over 32, not kept
    assert kept.peek("b", "out") is None and kept.nbytes == 8 and kept.size == 4
    assert HubNeighbours(_PagedEdges(edges), budget_bytes=32).of("b", "out") == {"long-neighbour-0", "long-neighbour-1"}
    too_big = HubNeighbours(_PagedEdges(edges), budget_bytes=31)
    assert too_big.of("b", "out") == {"long-neighbour-0", "long-neighbour-1"} and too_big.nbytes == 0


def test_warming_keeps_as_many_sides_as_fit_smallest_first_and_drops_none() -> None:
    edges = [("big", f"b{i}") for i in range(6)] + [("mid", f"m{i}") for i in range(4)]
    edges += [("small", f"s{i}") for i in range(2)] + [("x", "small")]
    reader = _PagedEdges(edges)
    kept = HubNeighbours(reader, budget=8)
    kept.of("x", "out")  # kept before warming: stays
    sides = [("small", "out", 2), ("big", "out", 6), ("mid", "out", 4), ("small", "in", 1)]
    assert kept.warm(sides) == 1 + 2 + 4  # small's sides, then mid; big does not fit beside them
    assert kept.peek("small", "in") == {"x"} and kept.peek("small", "out") == {"s0", "s1"}
    assert kept.peek("mid", "out") == {f"m{i}" for i in range(4)} and kept.peek("big", "out") is None
    assert kept.peek("x", "out") == {"small"} and kept.size == 8 and reader.statements == 4  # big not even read
    assert kept.warm(sides) == 0 and reader.statements == 4  # what is kept is not read again


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


def test_a_served_load_keeps_its_hubs_ids_as_it_starts(new_database: DatabaseFactory) -> None:
    from tests.test_store_conformance import generated_graph

    store = GraphStore.from_graph(generated_graph())
    dsn = new_database()
    load_database(dsn, store.warm())
    graph = store.graph
    sides = {
        (node, way): set(adjacency[node])
        for node in graph
        for way, adjacency in (("out", graph._succ), ("in", graph._pred))
        if len(adjacency[node]) > LOAD_WHOLE
    }
    assert sides, "the generated graph has hubs"
    database = Database(dsn)
    try:
        served = PostgresStore(database).warm()
        warming = served.warming
        assert warming is not None and served.warm().warming is warming  # started once, however often asked
        warming.join(60)
        for (node, way), expected in sides.items():
            assert served.neighbours.peek(node, way) == expected
        said = served.status["hub_ids"]  # as /api/status says it
        assert said["kept"] == sum(map(len, sides.values())) and said["bytes"] > 0 and not said["warming"]
    finally:
        database.close()


def test_ids_of_any_width_and_script_come_back_from_the_database(
    new_database: DatabaseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of different widths (each padded to its longest id), ids beyond ASCII, one id a
    prefix of another (lists' ids are anything): each read back exactly, in one sorted array."""
    others = ["b", "ab", "a", "zürich-1", "长城工业-有限公司", "x" * 70, "x" * 7, "Z"]
    lines = [{"id": "hub", "schema": "Company", "properties": {"name": ["Hub"]}}]
    for at, node in enumerate(others):
        lines.append({"id": node, "schema": "Company", "properties": {"name": [f"Firm {at}"]}})
        lines.append({"id": f"own-{at}", "schema": "Ownership", "properties": {"owner": ["hub"], "asset": [node]}})
    path = tmp_path / "list.ftm.json"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    dsn = new_database()
    load_database(dsn, GraphStore.load(ftm=[path]))
    monkeypatch.setattr(neighbours, "PAGE", 3)
    database = Database(dsn)
    try:
        kept = HubNeighbours(PostgresStore(database).reader)
        found = kept.of("hub", "out")
        assert found == set(others) and len(found) == len(others)
        assert list(found) == sorted(others, key=lambda node: node.encode())  # byte order, as COLLATE "C"
        assert "x" * 7 in found and "x" * 8 not in found and "長城工業-有限公司" not in found
        assert kept.of("hub", "in") == set() and kept.of("zürich-1", "in") == {"hub"}
    finally:
        database.close()


def _eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    until = time.monotonic() + seconds
    while not check():
        if time.monotonic() > until:
            return False
        time.sleep(0.01)
    return True


def test_ids_not_kept_are_read_later_in_the_background_once_each_and_only_if_they_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(neighbours, "_IDLE_S", 0.05)
    edges = [("hub", f"x{i}") for i in range(5)] + [("big", f"y{i}") for i in range(9)]
    reader = _PagedEdges(edges)
    kept = HubNeighbours(reader, budget=8)
    kept.later("hub", "out", 5)
    kept.later("hub", "out", 5)  # asked again while pending (or kept): read once
    kept.later("big", "out", 9)  # would not fit beside them: never read, nothing dropped for it
    assert _eventually(lambda: kept.peek("hub", "out") == {f"x{i}" for i in range(5)})
    kept.later("hub", "out", 5)
    assert _eventually(lambda: kept._worker is None)  # idle: the thread has ended
    assert reader.statements == 1 and kept.peek("big", "out") is None and kept.size == 5
    kept.later("x0", "in", 1)  # a thread again when asked again
    assert _eventually(lambda: kept.peek("x0", "in") == {"hub"}) and reader.statements == 2


def test_a_failed_background_read_is_said_and_the_next_one_still_runs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Failing(_PagedEdges):
        def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
            if params[0] == "gone":
                raise DatabaseError("the load this server was reading has been dropped")
            return super().rows(sql, params)

    monkeypatch.setattr(neighbours, "_IDLE_S", 0.05)
    kept = HubNeighbours(Failing([("hub", "x")]))
    kept.later("gone", "out", 3)
    kept.later("hub", "out", 1)
    assert _eventually(lambda: kept.peek("hub", "out") == {"x"})
    assert kept.peek("gone", "out") is None and "has been dropped" in caplog.text
