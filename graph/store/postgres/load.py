"""Loading a validated graph into PostgreSQL, beside the served one, and serving it at once.

A load is a new schema ``linkscope_g<id>`` (tables in ``layout.sql``, indexes in
``layout_indexes.sql``); only when every table is filled, indexed and analysed does one update
of ``linkscope.served`` point every server at it. Nothing reads a schema before that, so its
tables need not share one transaction: each is created and filled with ``COPY ... FREEZE`` in
a transaction of its own (its rows frozen and its pages marked all-visible as they are
written, so index-only scans need no VACUUM first), then indexed and analysed on other
connections while the next table fills: PostgreSQL sorts one table while Python makes the
rows of the next. A load that fails (bad input never gets here: it is validated first, exactly
as ``serve`` validates) has its schema dropped whole and is recorded as failed; the served
version is untouched. One whose loader died before it could clean up is cleaned up by the next
load. The version served before is kept (servers may still be answering from it) and older
ones are dropped.

The rows are what the in-memory store holds, in its order, with what its indexes computed
(search words, hub groups, dated edges, counts), so the PostgreSQL store answers exactly
as the in-memory one does.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from graph.errors import DatabaseError
from graph.store import records
from graph.store.postgres.grouping import SMALL
from graph.store.postgres.hub_counts import EntityFacets, GroupItems, relation_counts
from graph.store.postgres.migrate import LOCK, migrate
from graph.store.postgres.prewarm import prewarm
from graph.store.snapshot import input_files

if TYPE_CHECKING:
    import psycopg

    from graph.store.state import IndexState
    from graph.store.store import GraphStore

__all__ = ["LAYOUT", "LoadRecord", "connect", "drop_load", "load_database", "loads", "schema_statements"]

#: The layout of a load's tables (``layout.sql``); a server refuses to serve another one.
LAYOUT = 8
#: Loads kept besides the served one (servers may still be answering from the previous).
KEEP_PREVIOUS = 1

#: An entity's row lists the targets of its out-edges, and those edges, when it has at most
#: this many (see ``layout.sql``): in the generated graphs, all but the hubs (40 of 550,095
#: entities at 1M, 103 of 5.5 million at 10M).
OUTS_LISTED = 32

#: Connections that index and analyse the tables already filled while the next one fills.
INDEXERS = 2

#: ``progress(stage, done, total)``: called as each table fills (stage: the table), before
#: and after each index of the in-memory store is built (``search index``: 0 of 1, then 1 of
#: 1), as PostgreSQL's indexes and statistics are done (stage ``indexes``), and as the load's
#: pages are read into its buffers (``prewarm``, relation by relation).
LoadProgress = Callable[[str, int, int], None]

_T = TypeVar("_T")


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


def schema_statements(name: str, schema: str) -> dict[str, list[bytes]]:
    """The statements of one of the layout files with its tables in ``schema``, by the table
    each is about (the first one it names), in the file's order."""
    text = resources.files("graph.store.postgres").joinpath(name).read_text(encoding="utf-8")
    found: dict[str, list[bytes]] = {}
    for statement in filter(str.strip, re.sub(r"--[^\n]*", "", text).split(";")):
        named = re.search(r"\{schema\}\.(\w+)", statement)
        if named is None:
            raise ValueError(f"{name}: a statement about none of the load's tables: {statement.strip()[:80]}")
        found.setdefault(named[1], []).append(statement.strip().replace("{schema}", schema).encode())
    return found


def load_database(
    dsn: str, store: GraphStore, *, inputs: Sequence[Path | str] = (), progress: LoadProgress | None = None
) -> LoadRecord:
    """Load ``store`` (validated, as every loader makes it) into the database and serve it."""
    conn = connect(dsn)
    with conn:
        migrate(conn)
        locked = conn.execute("SELECT pg_try_advisory_lock(%s)", [LOCK + 1]).fetchone()
        if not locked or not locked[0]:
            raise DatabaseError("another load into this database is running; try again when it has finished")
        _drop_unfinished(conn)
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
        report = progress or (lambda stage, done, total: None)
        enabled = gc.isenabled()
        gc.disable()  # millions of rows and index entries made, none of them cyclic garbage: the GC only costs time
        try:
            conn.execute(f"CREATE SCHEMA {schema}".encode())
            with _Indexer(dsn, INDEXERS) as indexer:
                _fill(_Tables(conn, schema, indexer, report), store)
                indexer.wait(report)
            prewarm(conn, schema, report)  # the servers' first views read no cold page
        except BaseException as err:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE".encode())
            conn.execute(
                "UPDATE linkscope.loads SET status = 'failed', finished_at = now(), error = %s WHERE id = %s",
                [str(err)[:2000] or type(err).__name__, load_id],
            )
            raise
        finally:
            if enabled:
                # the indexes just made live as long as the store: straight to the oldest
                # generation, or the first collection would walk them all
                gc.freeze()
                gc.unfreeze()
                gc.enable()
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


def _drop_unfinished(conn: psycopg.Connection) -> None:
    """Drop the tables of loads still marked loading, and record them as failed: their loader
    stopped before it could (killed, or its connection lost). Called holding the load lock,
    so none of them is running."""
    for load in loads(conn):
        if load.status == "loading":
            with conn.transaction():
                if load.schema:
                    conn.execute(f"DROP SCHEMA IF EXISTS {load.schema} CASCADE".encode())
                conn.execute(
                    "UPDATE linkscope.loads SET status = 'failed', finished_at = now(), error = %s WHERE id = %s",
                    ["the load stopped before it finished (cleaned up by the next load)", load.id],
                )


def _drop_old(conn: psycopg.Connection) -> None:
    retired = [load for load in loads(conn) if load.status == "retired"]
    for load in retired[KEEP_PREVIOUS:]:
        drop_load(conn, load)


# ---- filling, indexing ----------------------------------------------------------------------


class _Indexer:
    """Runs the statements that index and analyse each filled table on connections of its
    own, so PostgreSQL builds one table's indexes while the loader fills the next table."""

    def __init__(self, dsn: str, workers: int) -> None:
        self._dsn = dsn
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="linkscope-indexer")
        self._jobs: list[Future[None]] = []
        self._local = threading.local()
        self._connections: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._stopping = False

    def __enter__(self) -> _Indexer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        import psycopg

        if error is not None:  # the load fails: what runs is cancelled, what waits never starts
            self._stopping = True
            with self._lock:
                for conn in self._connections:
                    with contextlib.suppress(psycopg.Error):
                        conn.cancel_safe()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for conn in self._connections:
            conn.close()

    def submit(self, statements: Iterable[bytes]) -> None:
        """Run ``statements`` in the background (raising first the failure of any run before)."""
        for job in self._jobs:
            if job.done():
                job.result()
        self._jobs.extend(self._pool.submit(self._run, statement) for statement in statements)

    def wait(self, progress: LoadProgress) -> None:
        """Until every statement has run; raises the first failure."""
        for done, job in enumerate(as_completed(self._jobs), 1):
            job.result()
            progress("indexes", done, len(self._jobs))

    def _run(self, statement: bytes) -> None:
        if self._stopping:
            return
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self._dsn)
            with self._lock:
                self._connections.append(conn)
        conn.execute(statement)


class _Tables:
    """Creates and fills a load's tables, one transaction each, then hands each to the indexer.

    The tables fill on the loader's own thread. Filling on another thread while this one built
    the next in-memory index was tried: the client CPU was the same and the COPY much slower
    (edges 16 s -> 45 s at 1M, on a busy machine): a thread that waits on the socket waits
    again for the GIL after each write, held by the thread building (the "convoy effect").
    """

    def __init__(self, conn: psycopg.Connection, schema: str, indexer: _Indexer, progress: LoadProgress) -> None:
        self.conn, self.schema, self.indexer, self.progress = conn, schema, indexer, progress
        self.layout = schema_statements("layout.sql", schema)
        self.indexes = schema_statements("layout_indexes.sql", schema)
        self.filled: list[str] = []

    def fill(self, table: str, columns: str, rows: Iterable[tuple[Any, ...]], total: int) -> None:
        """Create ``table`` and COPY ``rows`` into it (frozen: it was created in the same
        transaction), then index and analyse it in the background."""
        with self.conn.transaction():
            for statement in self.layout[table]:
                self.conn.execute(statement)
            copying = f"COPY {self.schema}.{table} ({columns}) FROM STDIN (FREEZE)".encode()
            types = self._types(table, columns)
            with self.conn.cursor() as cursor, cursor.copy(copying) as copy:
                copy.set_types(types)
                for done, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if done % 50_000 == 0:
                        self.progress(table, done, total)
        self.progress(table, total, total)
        self.filled.append(table)
        self.indexer.submit([*self.indexes.get(table, ()), f"ANALYZE {self.schema}.{table}".encode()])

    def _types(self, table: str, columns: str) -> list[str]:
        """The types of ``columns`` as the table just made has them, for ``Copy.set_types``: each
        value is then written by its column's dumper instead of one looked up for it (half the
        cost of a row). ``json`` values are JSON text already (orjson's), and ``integer[]``
        and ``text[]`` ones array literals (:func:`_int_array`, :func:`_text_array`: psycopg
        dumps a list element by element), all written as text."""
        found: dict[str, str] = dict(
            self.conn.execute(
                "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [f"{self.schema}.{table}"],
            ).fetchall()
        )
        as_text = {"json", "integer[]", "text[]"}
        return ["text" if found[name] in as_text else found[name] for name in map(str.strip, columns.split(","))]

    def build(self, stage: str, make: Callable[[], _T]) -> _T:
        """Build an index of the in-memory store (minutes at ten million entities), as a stage."""
        self.progress(stage, 0, 1)
        made = make()
        self.progress(stage, 1, 1)
        return made

    def check(self) -> None:
        """Every table of the layout was made (one the rows below forgot would fail every server)."""
        missing = sorted(set(self.layout) - set(self.filled))
        if missing:
            raise DatabaseError(f"the load made no table {', '.join(missing)} of the layout")


# ---- the rows ------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _int_array(values: list[int]) -> str:
    """``values`` as an ``integer[]`` literal."""
    return "{" + ",".join(map(str, values)) + "}"


def _text_array(values: list[str]) -> str:
    """``values`` as a ``text[]`` literal, every element quoted (its quotes and backslashes
    escaped): one join instead of psycopg's dumping element by element (3.2 -> 1.2 µs for
    an entity's three targets)."""
    if not values:
        return "{}"
    joined = '","'.join(values)
    if "\\" in joined or joined.count('"') != 2 * (len(values) - 1):  # more quotes than the separators'
        joined = '","'.join(value.replace("\\", "\\\\").replace('"', '\\"') for value in values)
    return f'{{"{joined}"}}'


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


def _edge_rows(store: GraphStore) -> Iterator[tuple[Any, ...]]:
    """Every edge in the in-memory graph's order, with the positions and degrees of ``edges``."""
    succ, pred = records.successors(store.graph), records.predecessors(store.graph)
    in_pos = _InPositions(pred)
    is_derived, confidence_of = records.is_derived, records.confidence_of
    # the columns of derived edges' attributes by their identity: the based_in edges of an FtM
    # file (half the edges of a big file) share one dict, dumped once (a few thousand kept at most)
    shared: dict[int, tuple[str, bool, Any, str]] = {}
    for u, after in succ.items():
        out_n, in_n = len(after), len(pred[u])
        for out_pos, (v, keyed) in enumerate(after.items()):
            at, dst_out_n, dst_in_n = in_pos.of(u, v), len(succ[v]), len(pred[v])
            for key_pos, (key, attrs) in enumerate(keyed.items()):
                columns = shared.get(id(attrs))
                if columns is None:
                    columns = (str(attrs.get("relation", "")), is_derived(attrs), confidence_of(attrs), _json(attrs))
                    if columns[1] and len(shared) < 4_096:
                        shared[id(attrs)] = columns
                yield (u, v, key, out_pos, at, key_pos, *columns, out_n, in_n, dst_out_n, dst_in_n)


class _InPositions:
    """The place of a source among its target's predecessors (``in_pos``): counted along a
    target's few predecessors, or looked up in a dict made once per target with many. A dict
    of every edge's pair (ten million tuple keys at 10M) took 8-10 s to make."""

    FEW = 16

    def __init__(self, pred: Mapping[str, Mapping[str, Any]]) -> None:
        self._pred = pred
        self._many: dict[str, dict[str, int]] = {}

    def of(self, u: str, v: str) -> int:
        before = self._pred[v]
        if len(before) <= self.FEW:
            return operator.indexOf(before, u)
        places = self._many.get(v)
        if places is None:
            places = self._many[v] = {w: i for i, w in enumerate(before)}
        return places[u]


def _fill(tables: _Tables, store: GraphStore) -> None:
    """Every table, each as soon as what its rows need is built: PostgreSQL indexes the tables
    filled so far while the store's next index is built here (edges need only the graph;
    entities, names and words the search index; then the hub and dated indexes)."""
    graph = store.graph
    tables.fill("edges",
                "src, dst, key, out_pos, in_pos, key_pos, relation, derived, confidence, attrs, src_out_n, src_in_n, "
                "dst_out_n, dst_in_n", _edge_rows(store), store.edges)  # fmt: skip
    tables.build("search index", lambda: store.index.warm())
    succ, pred = records.successors(graph), records.predecessors(graph)
    search = store.index.state()
    names, owner, first_name = search["names"], search["name_owner"], search["first_name"]

    rank = {node: number for number, node in enumerate(search["nodes"])}

    def entity_rows() -> Iterator[tuple[Any, ...]]:
        owners, firsts, count = owner.tolist(), first_name.tolist(), len(names)
        for pos, (node, attrs) in enumerate(records.entities(graph).items()):
            number = rank[node]
            first = firsts[number]
            label_name = names[first] if first < count and owners[first] == number * 2 else None
            kind, country = str(attrs.get("kind") or "unknown"), str(attrs.get("country") or "none")
            label = str(attrs.get("label", node))
            after = succ[node]
            listed = len(after) <= OUTS_LISTED
            outs, out_edges = (_text_array(list(after)), _json(list(after.values()))) if listed else (None, None)
            yield (pos, node, _json(attrs), len(after), len(pred[node]), number, kind, country, label_name, label,
                   outs, out_edges)  # fmt: skip

    tables.fill("entities", "pos, id, attrs, out_n, in_n, rank, kind, country, label_name, label, outs, out_edges",
                entity_rows(), store.nodes)  # fmt: skip
    tables.fill("names", "name, entity, alias",
                ((name, o >> 1, bool(o & 1)) for name, o in zip(names, owner.tolist(), strict=True)),
                len(names))  # fmt: skip
    words = search["words"]
    tables.fill("words", "word, number, numeric, any_entities, first_entities", _word_rows(words, search), len(words))
    codes = [(name, search[name].astype("<u2").tobytes()) for name in ("kind_codes", "country_codes")]
    tables.fill("arrays", "name, data", codes, len(codes))
    hubs = tables.build("hub index", store.hub_groups)
    of_entities = EntityFacets(rank, search["kind_codes"], search["kind_names"], search["country_codes"],
                               search["country_names"])  # fmt: skip
    counted: list[tuple[Any, ...]] = []  # hub_counts' and hub_days' rows, made as hub_items' are
    days: list[tuple[Any, ...]] = []

    def hub_rows() -> Iterator[tuple[Any, ...]]:
        for hub, groups in hubs.items():
            for (relation, way), group in groups.items():
                near = records.adjacency(graph, hub, way)
                items = GroupItems.read(near, group)
                spans = zip(group.starts.tolist(), group.ends.tolist(), strict=True)
                read = zip(group.others, group.keys, spans, items.rows(), strict=True)
                for position, (other, key, (start, end), (place, year, program, first)) in enumerate(read):
                    yield hub, relation, way, position, other, key, start, end, place, year, program, first
                if len(near) > SMALL:  # a side grouping counts in the database
                    whole, changes = relation_counts(near, group, items, of_entities)
                    counted.append((hub, way, relation, *whole[:3], _json(whole[3])))
                    days.extend((hub, way, relation, facet, value, _int_array(on), _int_array(made))
                                for facet, value, on, made in changes)  # fmt: skip

    columns = "hub, relation, way, position, other, key, start_day, end_day, key_pos, year, program, first"
    tables.fill("hub_items", columns, hub_rows(),
                sum(len(group.others) for groups in hubs.values() for group in groups.values()))  # fmt: skip
    tables.fill("hub_counts", "hub, way, relation, members, first_pos, first_key_pos, facets", counted, len(counted))
    tables.fill("hub_days", "hub, way, relation, facet, value, days, changes", days, len(days))
    dated = tables.build("dated index", lambda: store.dated)
    tables.fill("dated", "ended, day, relation, src, dst, key",
                itertools.chain(((False, *row) for row in dated.rows), ((True, *row) for row in dated.ends)),
                len(dated.rows) + len(dated.ends))  # fmt: skip
    tables.build("statistics", lambda: store.stats)
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
            for hub, groups in hubs.items()
        },
    }
    tables.fill("meta", "key, value", [(k, _json(v)) for k, v in meta.items()], len(meta))
    tables.check()
