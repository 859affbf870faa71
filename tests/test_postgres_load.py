"""Loading into PostgreSQL: each table committed on its own and indexed on other connections
while the next fills, yet nothing served until all of it is done, nothing left behind by a
load that fails or whose loader dies, and the tables ready for index-only scans without a
VACUUM.

How loads are recorded and served, and a load failing in its first table, are in
test_postgres_store.py; the answers, in test_store_conformance.py.
"""

from __future__ import annotations

import re

import psycopg
import pytest

import graph.store.postgres.load as load_module
from graph.errors import DatabaseError
from graph.store import GraphStore
from graph.store.postgres.load import LAYOUT, connect, load_database, loads, schema_statements
from tests.conftest import schemas


@pytest.fixture(scope="module")
def bundled_store() -> GraphStore:
    return GraphStore.load()


def assert_only_served(dsn: str, served: int, failed: int, reason: str) -> None:
    """``served`` is the load served, ``failed`` is recorded as failed for ``reason``, and no
    schema but the served one's is left."""
    with connect(dsn) as conn:
        found = {load.id: load for load in loads(conn)}
    assert (found[failed].status, found[failed].served) == ("failed", False)
    assert reason in (found[failed].error or "")
    assert [load.id for load in found.values() if load.served] == [served]
    assert schemas(dsn) == {"linkscope", found[served].schema}


@pytest.mark.parametrize("stage", ["search index", "words", "dated", "indexes"])
def test_a_load_failing_after_some_tables_were_committed_drops_them_all(
    dsn: str, bundled_store: GraphStore, stage: str
) -> None:
    good = load_database(dsn, bundled_store)

    def fail(at: str, done: int, total: int) -> None:
        if at == stage and done == total:
            raise RuntimeError(f"failed after {stage} (simulated)")

    with pytest.raises(RuntimeError, match="simulated"):
        load_database(dsn, bundled_store, progress=fail)
    assert_only_served(dsn, good.id, good.id + 1, "simulated")
    assert load_database(dsn, bundled_store).served  # nothing in the way of the next load


def test_an_index_failing_in_the_background_fails_the_load(
    dsn: str, bundled_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = load_database(dsn, bundled_store)

    def broken(name: str, schema: str) -> dict[str, list[bytes]]:
        found = schema_statements(name, schema)
        if name == "layout_indexes.sql":
            found["edges"] = [*found["edges"], f"CREATE INDEX ON {schema}.edges (no_such_column)".encode()]
        return found

    monkeypatch.setattr(load_module, "schema_statements", broken)
    with pytest.raises(psycopg.errors.UndefinedColumn):
        load_database(dsn, bundled_store)
    assert_only_served(dsn, good.id, good.id + 1, "no_such_column")


def test_a_table_of_the_layout_that_no_rows_fill_fails_the_load(
    dsn: str, bundled_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = load_database(dsn, bundled_store)

    def grown(name: str, schema: str) -> dict[str, list[bytes]]:
        found = schema_statements(name, schema)
        if name == "layout.sql":
            found["extra"] = [f"CREATE TABLE {schema}.extra (x integer)".encode()]
        return found

    monkeypatch.setattr(load_module, "schema_statements", grown)
    with pytest.raises(DatabaseError, match="no table extra"):
        load_database(dsn, bundled_store)
    assert_only_served(dsn, good.id, good.id + 1, "no table extra")


def test_a_load_whose_loader_died_is_cleaned_up_by_the_next(dsn: str, bundled_store: GraphStore) -> None:
    good = load_database(dsn, bundled_store)
    with connect(dsn) as conn:  # what a loader killed after committing a table leaves
        row = conn.execute(
            "INSERT INTO linkscope.loads (schema_name, layout, status, inputs, linkscope_version) "
            "VALUES ('', %s, 'loading', '[]', 'test') RETURNING id",
            [LAYOUT],
        ).fetchone()
        assert row is not None
        dead = f"linkscope_g{row[0]}"
        conn.execute("UPDATE linkscope.loads SET schema_name = %s WHERE id = %s", [dead, row[0]])
        conn.execute(f"CREATE SCHEMA {dead}".encode())
        conn.execute(f"CREATE TABLE {dead}.edges (src text)".encode())
    assert load_database(dsn, bundled_store).served
    with connect(dsn) as conn:
        found = {load.id: load for load in loads(conn)}
    assert found[row[0]].status == "failed" and "stopped before it finished" in (found[row[0]].error or "")
    assert dead not in schemas(dsn)
    assert found[good.id].status == "retired"


def test_every_table_is_analysed_and_all_visible_without_a_vacuum(dsn: str, bundled_store: GraphStore) -> None:
    load = load_database(dsn, bundled_store)
    with connect(dsn) as conn:
        tables = conn.execute(
            "SELECT relname, relpages, relallvisible, reltuples FROM pg_class "
            "WHERE relnamespace = %s::regnamespace AND relkind = 'r'",
            [load.schema],
        ).fetchall()
        assert {name for name, *_ in tables} == set(schema_statements("layout.sql", load.schema))
        for name, pages, visible, tuples in tables:
            assert visible == pages and tuples >= 0, name  # reltuples is -1 until analysed
        ids = [row[0] for row in conn.execute(f"SELECT id FROM {load.schema}.entities LIMIT 20".encode())]
        with conn.transaction():
            conn.execute("SET LOCAL enable_seqscan = off")
            conn.execute("SET LOCAL enable_bitmapscan = off")
            plan = "\n".join(
                row[0]
                for row in conn.execute(
                    f"EXPLAIN (ANALYZE) SELECT id, out_n, in_n FROM {load.schema}.entities WHERE id = ANY(%s)".encode(),
                    [ids],
                )
            )
    assert "Index Only Scan" in plan and "Heap Fetches: 0" in plan, plan


def _default_index_name(table: str, columns: list[str]) -> str:
    """The name PostgreSQL gives an index made without one (``makeObjectName``): the table's
    and the columns' names, the longer cut first until the whole fits in 63 bytes."""
    first, second = table, "_".join(columns)
    while len(first) + len(second) > 63 - len("_idx") - 1:
        if len(first) > len(second):
            first = first[:-1]
        else:
            second = second[:-1]
    return f"{first}_{second}_idx"


def test_the_indexes_of_a_table_built_at_once_have_names_of_their_own() -> None:
    """Indexes of one table are built on several connections at once, where PostgreSQL
    cannot see that another session is taking a default name: those must all differ."""
    unnamed = re.compile(r"CREATE (?:UNIQUE )?INDEX ON s\.(\w+) (?:USING \w+ )?\(([^)]*)\)(?: INCLUDE \(([^)]*)\))?")
    for table, statements in schema_statements("layout_indexes.sql", "s").items():
        names = []
        for statement in statements:
            found = unnamed.match(statement.decode())
            if found:
                columns = [item.split()[0] for part in found.groups()[1:] if part for item in part.split(",")]
                names.append(_default_index_name(table, columns))
        assert len(names) == len(set(names)), (table, names)


def test_a_load_is_read_into_the_buffers_before_it_is_served(dsn: str, bundled_store: GraphStore) -> None:
    """The servers' first views after a load find its pages in PostgreSQL's buffers: the
    loader reads every relation of the load that fits, the entities' and edges' first."""
    stages: list[tuple[str, int, int]] = []
    load = load_database(dsn, bundled_store, progress=lambda *stage: stages.append(stage))
    warmed = [(done, total) for stage, done, total in stages if stage == "prewarm"]
    with connect(dsn) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_buffercache")
        relations = conn.execute(
            "SELECT c.relname, pg_relation_size(c.oid) / current_setting('block_size')::int, "
            "(SELECT count(*) FROM pg_buffercache b WHERE b.relfilenode = pg_relation_filenode(c.oid) "
            "AND b.reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND b.relforknumber = 0) "
            "FROM pg_class c WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'i')",
            [load.schema],
        ).fetchall()
    assert warmed[0] == (0, len(relations)) and warmed[-1] == (len(relations), len(relations))
    assert {"entities", "edges"} <= {name for name, _, _ in relations}
    for name, blocks, buffered in relations:
        assert buffered == blocks, name


def test_a_load_is_served_cold_without_the_extension(
    dsn: str, bundled_store: GraphStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Where ``pg_prewarm`` cannot be had (not installed, or a role not allowed to create it),
    the load is served all the same, with a warning saying its pages were not read first."""
    monkeypatch.setattr("graph.store.postgres.prewarm.EXTENSION", "no_such_extension")
    with caplog.at_level("WARNING", logger="linkscope"):
        load = load_database(dsn, bundled_store)
    assert load.served and load.status == "served"
    assert "without its pages read into buffers first" in caplog.text and "no_such_extension" in caplog.text
