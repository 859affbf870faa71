"""Serving from PostgreSQL: the served load, read through pooled connections, as a store.

:class:`Database` holds a connection pool to the primary and one to each read replica.
Reads go to the replicas in turn; a replica that fails is left alone for a few seconds and
the read is retried on the next one, then on the primary, so a replica going down costs
no request. Every statement has a timeout a little beyond the query time budget.

:class:`PostgresStore` is the served load with the in-memory store's interface (see
:class:`graph.store.protocol.Store`): its graph is a :class:`~graph.store.postgres.lazy.LazyGraph`
made per request, its name search, dated and hub indexes read the load's tables, and its
counts and vocabulary come from what the load recorded. Nothing but those is held in memory.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from graph.errors import BadQuery, DatabaseError, OutOfTime
from graph.ingest.ftm import FtmReport
from graph.model.vocabulary import Vocabulary
from graph.store.postgres.indexes import PostgresDated, PostgresHubs
from graph.store.postgres.lazy import LOAD_WHOLE, LazyGraph, Way
from graph.store.postgres.load import LAYOUT, LoadRecord, loads
from graph.store.postgres.neighbours import HubNeighbours
from graph.store.postgres.search import PostgresSearch
from graph.store.protocol import Lookups
from graph.store.search import Facets
from graph.store.stats import GraphStats

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

    from graph.ingest.dataset import Dataset
    from graph.limits import Deadline
    from graph.store.snapshot import Manifest
    from graph.xref import XrefIndex

__all__ = ["Database", "PostgresStore", "SchemaReader"]

log = logging.getLogger("linkscope")

#: Seconds a replica that failed is not asked again.
REPLICA_PAUSE = 5.0
#: Seconds a read waits for a replica's connection before asking the next one.
REPLICA_WAIT = 1.0
#: Rows a streamed read fetches per round trip.
STREAM_BATCH = 5_000


class Database:
    """Pools to the primary and the read replicas, with reads failing over to the primary."""

    def __init__(
        self, url: str, replicas: Sequence[str] = (), *, statement_timeout_s: float = 10.0, pool_size: int = 8
    ) -> None:
        try:
            from psycopg_pool import ConnectionPool
        except ImportError:  # pragma: no cover - the extra is installed wherever tests run
            raise DatabaseError(
                "the PostgreSQL store needs the postgres extra: pip install 'linkscope[postgres]'"
            ) from None
        self.url = url
        self.statement_timeout_s = statement_timeout_s
        # custom plans always: a generic plan cannot see how many ids an "= ANY(%s)" holds, and
        # plans a scan of the table for one id; no parallel workers: starting them costs more
        # than the index reads a request makes (the edges among 500 entities: 24 ms, alone 10)
        settings = (
            f"-c statement_timeout={int(statement_timeout_s * 1000)} -c plan_cache_mode=force_custom_plan "
            "-c max_parallel_workers_per_gather=0 -c jit=off"
        )
        options = {"options": settings, "connect_timeout": 3}

        def pool(conninfo: str, name: str, wait_s: float) -> ConnectionPool:
            return ConnectionPool(
                conninfo, min_size=1, max_size=pool_size, kwargs={"autocommit": True, **options},
                configure=_configure, name=name, open=True, timeout=wait_s,
            )  # fmt: skip

        self.primary = pool(url, "primary", 10.0)
        try:
            self.primary.wait(timeout=10.0)
        except Exception as err:
            self.primary.close()
            raise DatabaseError(f"cannot connect to the database {_safe(url)}: {err}") from None
        # a replica that is down is given up on quickly: the primary answers instead
        self.replicas = [pool(r, f"replica{i}", REPLICA_WAIT) for i, r in enumerate(replicas)]
        self._paused: dict[int, float] = {}
        self.reads: Counter[str] = Counter()
        """Statements answered, by pool name (``primary``, ``replica0``...)."""
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def close(self) -> None:
        for pool in [self.primary, *self.replicas]:
            pool.close()

    def _readers(self) -> Iterator[tuple[int | None, ConnectionPool]]:
        """The replicas not paused, starting with the next in turn, then the primary."""
        now = time.monotonic()
        count = len(self.replicas)
        start = next(self._turn) if count else 0
        for step in range(count):
            i = (start + step) % count
            if self._paused.get(i, 0.0) <= now:
                yield i, self.replicas[i]
        yield None, self.primary

    def read(self, sql: str, params: Sequence[Any] = (), *, deadline: Deadline | None = None) -> list[tuple[Any, ...]]:
        """Rows of one statement, from a replica when one answers, else from the primary. With
        a ``deadline``, the statement is cancelled when the budget runs out (``statement_timeout``
        set for it alone, at what is left of the budget: less than the server's for a request,
        more for a count made in the background), and :class:`~graph.errors.OutOfTime` says
        so: the query answers what it has."""
        import psycopg
        from psycopg_pool import PoolTimeout

        sent = _sent(params)
        for replica, pool in self._readers():
            timeout_ms = self._timeout_ms(deadline)
            try:
                with pool.connection() as conn:
                    if timeout_ms is None:
                        rows = conn.execute(sql.encode(), sent).fetchall()
                    else:  # SET LOCAL: the connection goes back to the pool with the server's timeout
                        with conn.transaction():
                            conn.execute(f"SET LOCAL statement_timeout = {timeout_ms}".encode())
                            rows = conn.execute(sql.encode(), sent).fetchall()
                self.reads[pool.name] += 1
                return rows
            except psycopg.errors.QueryCanceled:
                raise OutOfTime("a statement ran past the time budget (statement_timeout)") from None
            except (psycopg.errors.InvalidSchemaName, psycopg.errors.UndefinedTable):
                if replica is None:
                    raise DatabaseError(
                        "the load this server was reading has been dropped; it serves the new one within seconds"
                    ) from None
                continue  # a replica that has not replayed a new load yet: the next reader has it
            except (psycopg.OperationalError, PoolTimeout) as err:
                if replica is None:
                    raise DatabaseError(f"the database does not answer: {str(err).strip()}") from None
                log.warning("replica %s failed (%s); reading from the next", replica, str(err).strip()[:200])
                with self._lock:
                    self._paused[replica] = time.monotonic() + REPLICA_PAUSE
        raise AssertionError("the primary is always the last reader")  # pragma: no cover

    def _timeout_ms(self, deadline: Deadline | None) -> int | None:
        """The ``statement_timeout`` (ms) a statement bound by ``deadline`` runs with; None: the
        server's (there is no budget, or an endless one). :class:`OutOfTime` once it has run out."""
        if deadline is None:
            return None
        left = deadline.left
        if left <= 0:
            raise OutOfTime("the time budget ran out before the statement")
        return None if left == float("inf") else max(1, int(left * 1000))

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows of one statement in batches (a server-side cursor on the primary), for whole-graph reads."""
        with (
            self.primary.connection() as conn,
            conn.transaction(),
            conn.cursor(name="linkscope_stream") as cursor,
        ):
            cursor.itersize = STREAM_BATCH
            cursor.execute(sql.encode(), _sent(params))
            yield from cursor

    def served(self) -> LoadRecord:
        """The load being served, checked to be of the layout this Linkscope reads."""
        with self.primary.connection() as conn:
            found = loads(conn, served_only=True)
        if not found:
            raise DatabaseError(f"nothing is loaded in {_safe(self.url)}: run `linkscope db load --dsn ...` first")
        load = found[0]
        if load.layout != LAYOUT:
            raise DatabaseError(
                f"the served load ({load.id}) has table layout {load.layout}; this Linkscope reads layout {LAYOUT}: "
                "run `linkscope db load` again with this version"
            )
        return load


def _configure(conn: Any) -> None:
    """JSON read with orjson; lists sent in binary (psycopg's text form quotes each element,
    which took as long as the statement for a path search's 3,000 ids), and lists of plain
    ids as one array literal made in one join (see :func:`_sent`)."""
    import orjson
    from psycopg.adapt import Dumper, Loader
    from psycopg.types.array import ListBinaryDumper
    from psycopg.types.json import set_json_loads

    encoding = conn.info.encoding  # Python's name for the connection's client encoding

    class TextArrayDumper(Dumper):
        oid = conn.adapters.types["text"].array_oid

        def dump(self, obj: Any) -> bytes:
            return str.encode(obj, encoding)

    class JsonLoader(Loader):
        """``json`` (every table's attributes) parsed by orjson from the buffer as psycopg hands
        it over: its own loader copies it to bytes and calls orjson through a Python method,
        0.5 µs a value, and a view reads 1,500 of them."""

        load = staticmethod(orjson.loads)  # type: ignore[assignment]  # takes str too: a wider signature

    set_json_loads(orjson.loads, conn)  # jsonb (the control tables)
    conn.adapters.register_loader("json", JsonLoader)
    conn.adapters.register_dumper(list, ListBinaryDumper)
    conn.adapters.register_dumper(TextArray, TextArrayDumper)


class TextArray(str):
    """A ``text[]`` parameter as its array literal (see :func:`_sent`)."""

    __slots__ = ()


def _sent(params: Sequence[Any]) -> Sequence[Any]:
    """``params`` as sent: a list of strings none of which holds a quote or a backslash (ids,
    mostly) becomes its ``text[]`` literal, every element quoted, made by one ``str.join``:
    psycopg's binary list dumper encodes element by element in Python, 0.4 µs each, and a
    path search sends arrays of 6,000 ids (measured: 2 x 6,000 ids, 10.4 ms a statement
    in binary, 4.7 ms as literals). Anything else is sent as it is."""
    if not any(type(param) is list and param for param in params):
        return params
    sent = list(params)
    for at, param in enumerate(sent):
        if type(param) is not list or not param:
            continue
        try:
            joined = '","'.join(param)
        except TypeError:  # not all strings: psycopg dumps it
            continue
        if joined.count('"') == 2 * (len(param) - 1) and "\\" not in joined:  # the separators' quotes only
            sent[at] = TextArray(f'{{"{joined}"}}')
    return sent


def _safe(url: str) -> str:
    """A DSN without its password, for messages."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return "(the given DSN)"
    parts.pop("password", None)
    return make_conninfo("", **{k: str(v) for k, v in parts.items() if v is not None})


class SchemaReader:
    """Statements against one load: ``{s}`` in them stands for its schema."""

    def __init__(self, database: Database, schema: str) -> None:
        self.database, self.schema = database, schema

    def rows(self, sql: str, params: Sequence[Any] = (), *, deadline: Deadline | None = None) -> list[tuple[Any, ...]]:
        return self.database.read(sql.replace("{s}", self.schema), params, deadline=deadline)

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        return self.database.stream(sql.replace("{s}", self.schema), params)


class PostgresStore(Lookups):
    """The served load of a database, answering every query as the in-memory store does."""

    dataset: Dataset | None = None
    snapshot: Manifest | None = None

    def __init__(self, database: Database, load: LoadRecord | None = None) -> None:
        self.database = database
        self.load = load or database.served()
        self.reader = SchemaReader(database, self.load.schema)
        meta = dict(self.reader.rows("SELECT key, value FROM {s}.meta"))
        vocabulary = Vocabulary.load(meta["vocabulary"])
        self.attributes: dict[str, Any] = {**meta["graph"], "vocabulary": vocabulary}
        self.nodes, self.edges = int(meta["counts"]["nodes"]), int(meta["counts"]["edges"])
        self.stats: GraphStats = meta["stats"]
        self.best_connected: str | None = meta["best_connected"]
        self.data_paths: list[str] = [str(p) for p in meta["data_paths"]]
        self.ftm_report = FtmReport.load(meta["ftm_report"]) if meta["ftm_report"] else None
        self.loaded_at: datetime = self.load.finished_at or datetime.now(UTC)
        self.vocabulary = vocabulary
        arrays = dict(self.reader.rows("SELECT name, data FROM {s}.arrays"))
        codes = {name: np.frombuffer(data, dtype="<u2") for name, data in arrays.items()}
        coded = Facets(meta["kind_names"], codes["kind_codes"], meta["country_names"], codes["country_codes"])
        self.index = PostgresSearch(self.reader, self.nodes, meta["listing_facets"], coded)
        self.hubs = PostgresHubs(self.reader, meta["hubs"])
        self.dated = PostgresDated(self.reader)
        self.neighbours = HubNeighbours(self.reader)
        self.warming: threading.Thread | None = None
        """What keeps the hubs' neighbour ids once :meth:`warm` started it."""

    @property
    def graph(self) -> nx.MultiDiGraph:
        """A fresh lazy graph: one per request, which keeps what it read until the request ends."""
        return LazyGraph(self.reader, self.attributes, self.nodes, self.neighbours, self.hubs.groups)

    def warm(self) -> PostgresStore:
        """Start keeping the hubs' neighbour ids that fit (see :meth:`HubNeighbours.warm`), in a
        thread of its own, and return at once: the load wrote every index, and requests are
        answered meanwhile (one that needs a hub's ids not kept yet asks the database about
        the entities it has in hand). Once per store: a server's start-up and its app's
        lifespan both ask."""
        if self.warming is not None:
            return self
        sides: dict[tuple[str, Way], int] = {}
        for hub, groups in self.hubs.groups.items():
            for (_, way), size in groups.items():
                sides[(hub, way)] = sides.get((hub, way), 0) + size
        wanted = [(hub, way, size) for (hub, way), size in sides.items() if size > LOAD_WHOLE]
        self.warming = threading.Thread(target=self._warm, args=(wanted,), name="linkscope-warm", daemon=True)
        self.warming.start()
        return self

    def _warm(self, sides: list[tuple[str, Way, int]]) -> None:
        started = time.perf_counter()
        try:
            kept = self.neighbours.warm(sides)
        except DatabaseError as err:  # a load dropped meanwhile, a database gone: requests will say so
            log.warning("stopped keeping hubs' neighbour ids: %s", err)
            return
        log.info("kept %s neighbour ids of hubs in %.1f s", f"{kept:,}", time.perf_counter() - started)

    def xref_index(self) -> XrefIndex:
        raise BadQuery(
            "cross-referencing reads every imported entity and is not offered by the PostgreSQL store: "
            "run `linkscope xref` on the files"
        )

    @property
    def status(self) -> dict[str, Any]:
        """What ``/api/status`` says of the database: the load served, from which inputs, when;
        and the hubs' neighbour ids this server keeps, and whether it is still reading those
        it keeps as it starts (until then, requests near the biggest hubs are slower)."""
        return {
            "load": self.load.id,
            "schema": self.load.schema,
            "finished_at": self.loaded_at.isoformat(timespec="seconds"),
            "inputs": self.load.inputs,
            "replicas": len(self.database.replicas),
            "reads": dict(self.database.reads),
            "hub_ids": {
                "kept": self.neighbours.size,
                "bytes": self.neighbours.nbytes,
                "warming": self.warming is not None and self.warming.is_alive(),
            },
        }
