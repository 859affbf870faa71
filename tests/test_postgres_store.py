"""PostgreSQL as the store: loading (validated, atomic, recorded), migrations, serving over
HTTP from it, following new loads, and reads that survive a replica going down.

The answers themselves are compared with the in-memory store's in test_store_conformance.py.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from app.cli import cli
from app.main import create_app
from app.settings import Settings
from graph.errors import DatabaseError
from graph.queries.selection import Neighbourhood, Paths, select
from graph.store import GraphStore
from graph.store.postgres.load import LAYOUT, connect, load_database, loads
from graph.store.postgres.migrate import applied, migrate, migrations
from graph.store.postgres.store import Database, PostgresStore, TextArray, _sent
from tests.conftest import DatabaseFactory, WriteData, entity, relation, schemas
from tests.pg_cluster import Cluster


@pytest.fixture(scope="module")
def bundled_store() -> GraphStore:
    return GraphStore.load().warm()


def test_migrations_apply_once_from_scratch_in_order(dsn: str) -> None:
    shipped = [m.version for m in migrations()]
    assert shipped == sorted(shipped) and shipped[0] == 1
    with connect(dsn) as conn:
        assert applied(conn) == []
        assert [m.version for m in migrate(conn)] == shipped
        assert migrate(conn) == []
        assert applied(conn) == shipped
        conn.execute("INSERT INTO linkscope.migrations (version, name) VALUES (9999, 'from_the_future')")
        with pytest.raises(DatabaseError, match="newer version"):
            migrate(conn)


def test_a_load_is_recorded_with_its_inputs_and_served(dsn: str, bundled_store: GraphStore) -> None:
    load = load_database(dsn, bundled_store, inputs=bundled_store.data_paths)
    assert (load.status, load.served, load.layout) == ("served", True, LAYOUT)
    assert (load.entities, load.relations) == (bundled_store.nodes, bundled_store.edges)
    files = {Path(f["path"]).name for f in load.inputs}
    assert {"sources.yaml", "vocabulary.yaml"} <= files
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in load.inputs)
    store = PostgresStore(Database(dsn))
    try:
        assert store.load.id == load.id
        assert (store.nodes, store.edges) == (bundled_store.nodes, bundled_store.edges)
    finally:
        store.database.close()


def test_a_new_load_replaces_the_served_one_keeping_the_previous_only(dsn: str, bundled_store: GraphStore) -> None:
    first = load_database(dsn, bundled_store)
    database = Database(dsn)
    try:
        serving = PostgresStore(database)
        second = load_database(dsn, bundled_store)
        assert serving.load.id == first.id and serving.index.search("ndc").total  # still answers from load 1
        assert database.served().id == second.id
        third = load_database(dsn, bundled_store)
        with connect(dsn) as conn:
            states = {load.id: load.status for load in loads(conn)}
        assert states == {third.id: "served", second.id: "retired", first.id: "dropped"}
        assert schemas(dsn) == {"linkscope", second.schema, third.schema}
    finally:
        database.close()


def test_a_failed_load_leaves_the_previous_one_serving(dsn: str, bundled_store: GraphStore) -> None:
    good = load_database(dsn, bundled_store)

    def fail(stage: str, done: int, total: int) -> None:
        if stage == "edges":
            raise RuntimeError("disk full (simulated)")

    with pytest.raises(RuntimeError, match="disk full"):
        load_database(dsn, bundled_store, progress=fail)
    with connect(dsn) as conn:
        found = loads(conn)
    failed = found[0]
    assert (failed.status, failed.served) == ("failed", False)
    assert "disk full" in (failed.error or "")
    assert [load.id for load in found if load.served] == [good.id]
    assert failed.schema not in schemas(dsn)  # rolled back whole
    database = Database(dsn)
    try:
        assert PostgresStore(database).load.id == good.id
    finally:
        database.close()


def test_an_empty_database_or_another_layout_is_refused_with_the_reason(dsn: str, bundled_store: GraphStore) -> None:
    database = Database(dsn)
    try:
        with pytest.raises(DatabaseError, match=r"nothing is loaded.*linkscope db load"):
            database.served()
        load = load_database(dsn, bundled_store)
        with connect(dsn) as conn:
            conn.execute("UPDATE linkscope.loads SET layout = %s WHERE id = %s", [LAYOUT + 1, load.id])
        with pytest.raises(DatabaseError, match=rf"layout {LAYOUT + 1}.*load` again"):
            database.served()
    finally:
        database.close()


def test_lists_are_sent_whole_whatever_their_strings_hold(dsn: str) -> None:
    """Lists of plain ids go as one array literal, the others as psycopg sends them: either
    way every string arrives as it was."""
    database = Database(dsn)
    try:
        for sent in (
            ["NK-1", "b c", "", "x,y", "{z}", " lead ", "NULL", "é∂ 北京", "tab\there"],
            ['say "no"', "b"],
            ["back\\slash", "c"],
            ["a", None],
            [1, 2],
        ):
            [(back, size)] = database.read("SELECT %s::text[], cardinality(%s::text[])", [sent, sent])
            assert back == [None if s is None else str(s) for s in sent] and size == len(sent)
        assert database.read("SELECT 'é∂ 北京' = ANY(%s), 'NULL' = ANY(%s)", [["é∂ 北京"], ["NULL"]]) == [(True, True)]
    finally:
        database.close()
    literal, quoted, mixed, empty = _sent([["NK-1", "b c", ""], ['say "no"'], ["a", None], []])
    assert isinstance(literal, TextArray) and literal == '{"NK-1","b c",""}'
    assert quoted == ['say "no"'] and mixed == ["a", None] and empty == []


def test_an_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="cannot connect"):
        connect("postgresql://nobody@127.0.0.1:1/none")


def test_db_load_validates_first_and_writes_nothing_for_bad_data(dsn: str, write_data: WriteData) -> None:
    folder = write_data([entity("a"), entity("a")], [relation("supplied", "a", "ghost")])
    result = CliRunner().invoke(cli, ["db", "load", "--dsn", dsn, "--data", str(folder)])
    assert result.exit_code == 1
    assert "data.yaml" in result.output and "ghost" in result.output
    assert schemas(dsn) == set()  # not even migrated: nothing was touched


def test_db_load_and_status_from_the_command_line(dsn: str) -> None:
    runner = CliRunner()
    empty = runner.invoke(cli, ["db", "status"], env={"LINKSCOPE_DATABASE_URL": dsn})
    assert empty.exit_code == 0 and "nothing loaded" in empty.output
    loaded = runner.invoke(cli, ["db", "load"], env={"LINKSCOPE_DATABASE_URL": dsn})
    assert loaded.exit_code == 0, loaded.output
    assert "it is served now" in loaded.output
    status = runner.invoke(cli, ["db", "status", "--dsn", dsn, "--json"])
    assert status.exit_code == 0
    import orjson

    answer = orjson.loads(status.output)
    assert answer["pending_migrations"] == []
    assert answer["loads"][0]["served"] and answer["loads"][0]["inputs"]


def test_the_api_serves_from_the_database_and_follows_new_loads(
    dsn: str, write_data: WriteData, bundled_store: GraphStore
) -> None:
    load_database(dsn, bundled_store)
    settings = Settings(database_url=dsn)
    with TestClient(create_app(settings)) as client, TestClient(create_app(Settings(), store=bundled_store)) as memory:
        for url in ("/api/entities?q=lontek", "/api/subgraph?center=ndc&depth=2", "/api/entities/ndc",
                    "/api/paths?source=mzkt&target=shaheen-3", "/api/timeline?relations=sanctioned"):  # fmt: skip
            assert client.get(url).json() == memory.get(url).json(), url
        assert client.get("/explore?center=ndc").status_code == 200
        status = client.get("/api/status").json()
        assert status["database"]["load"] and status["nodes"] == bundled_store.nodes
        missing = client.get("/api/entities/no-such-entity")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_entity"

        folder = write_data([entity("a"), entity("b")], [relation("supplied", "a", "b", item="parts")])
        load_database(dsn, GraphStore.load([folder]))
        live = client.app.state.live  # type: ignore[attr-defined]
        assert live.reload_now("test").ok
        assert client.get("/api/status").json()["nodes"] == 2
        assert client.get("/api/entities/a").status_code == 200


def test_settings_refuse_a_database_with_files() -> None:
    with pytest.raises(ValueError, match="database_url serves what"):
        Settings(database_url="postgresql://x@127.0.0.1/db", data=[Path("data")])


@pytest.fixture
def primary_and_replica(bundled_store: GraphStore) -> Iterator[tuple[Cluster, Cluster]]:
    primary = Cluster.start()
    replica = None
    try:
        load_database(primary.dsn, bundled_store)
        replica = primary.replica()
        for _ in range(100):  # the standby has replayed the load
            try:
                with psycopg.connect(replica.dsn) as conn:
                    if conn.execute("SELECT count(*) FROM linkscope.served").fetchone() == (1,):
                        break
            except psycopg.Error:
                pass
            time.sleep(0.1)
        yield primary, replica
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()


def test_reads_go_to_the_replica_and_survive_it_stopping(primary_and_replica: tuple[Cluster, Cluster]) -> None:
    primary, replica = primary_and_replica
    database = Database(primary.dsn, [replica.dsn])
    store = PostgresStore(database)
    failures: list[BaseException] = []
    answered = 0
    stop = threading.Event()

    def ask() -> None:
        nonlocal answered
        while not stop.is_set():
            try:
                assert store.index.search("ndc").total
                assert store.require("shaheen-3") == "shaheen-3"
                answered += 1
            except BaseException as err:  # every failure counts
                failures.append(err)

    try:
        clients = [threading.Thread(target=ask) for _ in range(4)]
        for client in clients:
            client.start()
        time.sleep(0.5)
        assert database.reads["replica0"] > 0
        replica.stop(remove=False)
        before = database.reads["primary"]
        time.sleep(1.5)
        stop.set()
        for client in clients:
            client.join()
        assert failures == []
        assert database.reads["primary"] > before + 10  # the primary answered once the replica was gone
        assert answered > 20
    finally:
        stop.set()
        database.close()


def test_a_replica_without_the_served_load_yet_is_read_past(
    dsn: str, new_database: DatabaseFactory, bundled_store: GraphStore
) -> None:
    """A standby that has not replayed the newest load has no such schema: the read goes on to
    the primary instead of failing (stood in for by an empty database here)."""
    load_database(dsn, bundled_store)
    lagging = new_database()
    database = Database(dsn, [lagging])
    try:
        store = PostgresStore(database)
        assert store.index.search("ndc").total
        assert store.require("shaheen-3") == "shaheen-3"
        assert database.reads["primary"] >= 2 and database.reads["replica0"] == 0
    finally:
        database.close()


def test_a_request_leaves_nothing_for_the_cyclic_collector(new_database: DatabaseFactory) -> None:
    """What a request read (its lazy graph and its sides, a path search's layers) is freed by
    reference counting as the request ends: left in reference cycles, it waited for the
    collector, whose full passes over many requests' leftovers paused a request now and
    then (50 ms more for a 45 ms view at 1M entities)."""
    from tests.test_store_conformance import generated_graph

    dsn = new_database()
    load_database(dsn, GraphStore.from_graph(generated_graph()).warm())
    database = Database(dsn)
    served = PostgresStore(database)

    def requests() -> None:
        for query in (
            Neighbourhood(("holding",), depth=2, max_nodes=300),
            Neighbourhood(("e17",), depth=2),
            Paths("ofac", "e17", max_hops=4),
            Paths("holding", "cn", max_hops=3),
        ):
            selection = select(served, query)
            selection.answer(selection.source)

    try:
        requests()  # what a load keeps across requests (its caches) is made once
        gc.collect()
        gc.disable()
        try:
            requests()
            assert gc.collect() == 0
        finally:
            gc.enable()
    finally:
        database.close()
