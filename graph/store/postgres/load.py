"""Loading a validated graph into PostgreSQL, beside the served one, and serving it at once.

A load is a new schema ``linkscope_g<id>`` (tables in ``layout.sql``) filled with COPY and
indexed in one transaction, then vacuumed and analysed; only when all of that is done does one
update of ``linkscope.served`` point every server at it. A load that fails (bad input never
gets here: it is validated first, exactly as ``serve`` validates) is rolled back or dropped
whole and recorded as failed; the served version is untouched. The version served before is kept
(servers may still be answering from it) and older ones are dropped.

The rows are what the in-memory store holds, in its order, with what its indexes computed
(search words, hub groups, dated edges, counts), so the PostgreSQL store answers exactly
as the in-memory one does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from graph.errors import DatabaseError
from graph.store import records
from graph.store.postgres.migrate import LOCK, migrate
from graph.store.snapshot import input_files

if TYPE_CHECKING:
    import psycopg

    from graph.store.state import IndexState
    from graph.store.store import GraphStore

__all__ = ["LAYOUT", "LoadRecord", "connect", "drop_load", "load_database", "loads", "schema_sql"]

#: The layout of a load's tables (``layout.sql``); a server refuses to serve another one.
LAYOUT = 3
#: Loads kept besides the served one (servers may still be answering from the previous).
KEEP_PREVIOUS = 1

#: ``progress(stage, done, total)``: called as each table fills.
LoadProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LoadRecord:
    """One row of ``linkscope.loads``: what was loaded, from which inputs, when, and its state."""

    id: int
    schema: str
    layout: int
    status: str
    inputs: list[dict[str, Any]]
    linkscope_version: str
    started_at: datetime
    finished_at: datetime | None
    entities: int | None
    relations: int | None
    error: str | None
    served: bool

    def as_json(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.__dict__.items() if not isinstance(v, datetime)},
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
        }


def connect(dsn: str, **options: Any) -> psycopg.Connection:
    """A connection (autocommit) or :class:`~graph.errors.DatabaseError` saying why there is none."""
    import psycopg

    try:
        return psycopg.connect(dsn, autocommit=True, **options)
    except psycopg.OperationalError as err:
        raise DatabaseError(f"cannot connect to the database: {str(err).strip()}") from None


def schema_sql(name: str, schema: str) -> bytes:
    """One of the layout files with its tables in ``schema``."""
    text = resources.files("graph.store.postgres").joinpath(name).read_text(encoding="utf-8")
    return text.replace("{schema}", schema).encode()


def load_database(
    dsn: str, store: GraphStore, *, inputs: Sequence[Path | str] = (), progress: LoadProgress | None = None
) -> LoadRecord:
    """Load ``store`` (validated, as every loader makes it) into the database and serve it."""
    store.warm()
    conn = connect(dsn)
    with conn:
        migrate(conn)
        locked = conn.execute("SELECT pg_try_advisory_lock(%s)", [LOCK + 1]).fetchone()
        if not locked or not locked[0]:
            raise DatabaseError("another load into this database is running; try again when it has finished")
        described = [file.__dict__ for file in input_files(inputs)] if inputs else []
        row = conn.execute(
            "INSERT INTO linkscope.loads (schema_name, layout, status, inputs, linkscope_version) "
            "VALUES ('', %s, 'loading', %s, %s) RETURNING id",
            [LAYOUT, orjson.dumps(described).decode(), version("linkscope")],
        ).fetchone()
        assert row is not None
        load_id = int(row[0])
        schema = f"linkscope_g{load_id}"
        conn.execute("UPDATE linkscope.loads SET schema_name = %s WHERE id = %s", [schema, load_id])
        try:
            with conn.transaction():
                conn.execute(f"CREATE SCHEMA {schema}".encode())
                conn.execute(schema_sql("layout.sql", schema))
                _fill(conn, schema, store, progress or (lambda stage, done, total: None))
                conn.execute(schema_sql("layout_indexes.sql", schema))
            # statistics for the planner, and the visibility map index-only scans need
            for table in ("entities", "edges", "dated", "names", "words", "hub_items"):
                conn.execute(f"VACUUM (ANALYZE) {schema}.{table}".encode())
        except BaseException as err:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE".encode())
            conn.execute(
                "UPDATE linkscope.loads SET status = 'failed', finished_at = now(), error = %s WHERE id = %s",
                [str(err)[:2000] or type(err).__name__, load_id],
            )
            raise
        with conn.transaction():
            conn.execute("UPDATE linkscope.loads SET status = 'retired' WHERE status = 'served'")
            conn.execute(
                "UPDATE linkscope.loads SET status = 'served', finished_at = now(), entities = %s, relations = %s "
                "WHERE id = %s",
                [store.nodes, store.edges, load_id],
            )
            conn.execute(
                "INSERT INTO linkscope.served (load_id) VALUES (%s) "
                "ON CONFLICT (one) DO UPDATE SET load_id = excluded.load_id, since = now()",
                [load_id],
            )
        _drop_old(conn)
        conn.execute("SELECT pg_advisory_unlock(%s)", [LOCK + 1])
        return next(load for load in loads(conn) if load.id == load_id)


def loads(conn: psycopg.Connection, served_only: bool = False) -> list[LoadRecord]:
    """Every load the database remembers, newest first (none before the first migration), or
    only the one served (what servers look at every few seconds)."""
    exists = conn.execute("SELECT to_regclass('linkscope.loads') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return []
    rows = conn.execute(
        "SELECT l.id, l.schema_name, l.layout, l.status, l.inputs, l.linkscope_version, l.started_at, "
        "l.finished_at, l.entities, l.relations, l.error, s.load_id IS NOT NULL "
        f"FROM linkscope.loads l {'' if served_only else 'LEFT '}JOIN linkscope.served s ON s.load_id = l.id "
        "ORDER BY l.id DESC".encode()
    ).fetchall()
    return [LoadRecord(*row) for row in rows]


def drop_load(conn: psycopg.Connection, load: LoadRecord) -> None:
    """Drop a load's tables (never the served one's)."""
    if load.served:
        raise DatabaseError(f"load {load.id} is being served; load another before dropping it")
    with conn.transaction():
        conn.execute(f"DROP SCHEMA IF EXISTS {load.schema} CASCADE".encode())
        conn.execute("UPDATE linkscope.loads SET status = 'dropped' WHERE id = %s", [load.id])


def _drop_old(conn: psycopg.Connection) -> None:
    retired = [load for load in loads(conn) if load.status == "retired"]
    for load in retired[KEEP_PREVIOUS:]:
        drop_load(conn, load)


# ---- the rows ------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _copy(
    conn: psycopg.Connection, table: str, columns: str, rows: Iterable[tuple[Any, ...]], total: int,
    progress: LoadProgress,
) -> None:  # fmt: skip
    stage = table.rsplit(".", 1)[-1]
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN".encode()) as copy:
        for done, row in enumerate(rows, 1):
            copy.write_row(row)
            if done % 50_000 == 0:
                progress(stage, done, total)
    progress(stage, total, total)


def _word_rows(words: list[str], search: IndexState) -> Iterator[tuple[str, int, bool, bytes, bytes]]:
    """Every word with its number, whether it is digits, and its postings as little-endian
    int32 bytes: the entities having it anywhere in a name, and as a name's first word."""
    (any_raw, any_at), (first_raw, first_at) = (
        (search[f"{kind}_entities"].astype("<i4").tobytes(), (search[f"{kind}_starts"] * 4).tolist())
        for kind in ("any", "first")
    )
    for number, word in enumerate(words):
        yield (word, number, word.isdigit(), any_raw[any_at[number] : any_at[number + 1]],
               first_raw[first_at[number] : first_at[number + 1]])  # fmt: skip


def _fill(conn: psycopg.Connection, schema: str, store: GraphStore, progress: LoadProgress) -> None:
    graph = store.graph
    succ, pred = records.successors(graph), records.predecessors(graph)
    search = store.index.state()
    rank = {node: number for number, node in enumerate(search["nodes"])}
    names, owner, first_name = search["names"], search["name_owner"], search["first_name"]

    def label_name(number: int) -> str | None:
        first = int(first_name[number])
        return names[first] if first < len(names) and owner[first] == number * 2 else None

    def entity_rows() -> Iterable[tuple[Any, ...]]:
        for pos, (node, attrs) in enumerate(records.entities(graph).items()):
            number = rank[node]
            kind, country = str(attrs.get("kind") or "unknown"), str(attrs.get("country") or "none")
            yield pos, node, _json(attrs), len(succ[node]), len(pred[node]), number, kind, country, label_name(number)

    _copy(conn, f"{schema}.entities", "pos, id, attrs, out_n, in_n, rank, kind, country, label_name", entity_rows(),
          store.nodes, progress)  # fmt: skip

    def edge_rows() -> Iterable[tuple[Any, ...]]:
        in_pos = {(u, v): i for v, before in pred.items() for i, u in enumerate(before)}
        for u, after in succ.items():
            source = len(after), len(pred[u])
            for out_pos, (v, keyed) in enumerate(after.items()):
                ends = (*source, len(succ[v]), len(pred[v]))
                at = in_pos[(u, v)]
                for key_pos, (key, attrs) in enumerate(keyed.items()):
                    relation, derived = str(attrs.get("relation", "")), records.is_derived(attrs)
                    yield u, v, key, out_pos, at, key_pos, relation, derived, _json(attrs), *ends

    _copy(conn, f"{schema}.edges",
          "src, dst, key, out_pos, in_pos, key_pos, relation, derived, attrs, src_out_n, src_in_n, dst_out_n, dst_in_n",
          edge_rows(), store.edges, progress)  # fmt: skip
    dated = store.dated
    _copy(conn, f"{schema}.dated", "ended, day, relation, src, dst, key",
          [(False, *row) for row in dated.rows] + [(True, *row) for row in dated.ends],
          len(dated.rows) + len(dated.ends), progress)  # fmt: skip
    _copy(conn, f"{schema}.names", "name, entity, alias",
          ((name, int(o) >> 1, bool(int(o) & 1)) for name, o in zip(names, owner, strict=True)), len(names),
          progress)  # fmt: skip
    words = search["words"]
    _copy(conn, f"{schema}.words", "word, number, numeric, any_entities, first_entities",
          _word_rows(words, search), len(words), progress)  # fmt: skip
    hub_rows = [
        (hub, relation, way, position, other, key, int(group.starts[position]), int(group.ends[position]))
        for hub, groups in store.hubs.groups.items()
        for (relation, way), group in groups.items()
        for position, (other, key) in enumerate(zip(group.others, group.keys, strict=True))
    ]
    _copy(conn, f"{schema}.hub_items", "hub, relation, way, position, other, key, start_day, end_day", hub_rows,
          len(hub_rows), progress)  # fmt: skip
    codes = [(name, search[name].astype("<u2").tobytes()) for name in ("kind_codes", "country_codes")]
    _copy(conn, f"{schema}.arrays", "name, data", codes, len(codes), progress)
    listing = store.index.search("", limit=1)
    meta = {
        "graph": {k: v for k, v in graph.graph.items() if k != "vocabulary"},
        "vocabulary": records.vocabulary(graph).dump(),
        "stats": store.stats,
        "counts": {"nodes": store.nodes, "edges": store.edges},
        "best_connected": store.best_connected,
        "data_paths": store.data_paths,
        "ftm_report": store.ftm_report.dump() if store.ftm_report is not None else None,
        "listing_facets": listing.facets,
        "kind_names": search["kind_names"],
        "country_names": search["country_names"],
        "hubs": {
            hub: [[relation, way, len(group.others)] for (relation, way), group in groups.items()]
            for hub, groups in store.hubs.groups.items()
        },
    }
    _copy(conn, f"{schema}.meta", "key, value", ((k, _json(v)) for k, v in meta.items()), len(meta), progress)
