"""The graph being served, replaced whole on reload, and what the last reload did.

A reload builds a complete new :class:`~graph.store.GraphStore` beside the one serving and
swaps the reference only if everything validated; requests already running keep the store
they started with, so none of them sees a half-built graph or fails because of the swap.
When the new data does not validate (or a file vanished, or is half-written), the old
graph keeps serving and the problems are logged and shown at ``/api/status``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from app.progress import log_progress
from app.settings import Settings
from graph.errors import DatabaseError, DataError
from graph.store.protocol import Store
from graph.store.snapshot import Manifest, changed_inputs, read_snapshot, refresh_snapshot
from graph.store.store import GraphStore, fingerprint

if TYPE_CHECKING:
    from graph.store.postgres.store import PostgresStore

__all__ = ["LiveStore", "ReloadOutcome"]

log = logging.getLogger("linkscope")

#: Problems kept in the status of a failed reload (the log has them all).
MAX_PROBLEMS = 100


@dataclass
class ReloadOutcome:
    """One reload attempt: when, why, whether it replaced the graph, and what went wrong if not."""

    at: str
    trigger: str
    ok: bool
    seconds: float
    message: str
    problems: list[str] = field(default_factory=list)
    accepted: bool = False
    """True when a worker passed the request on to the main process, which reloads (and restarts
    the workers) in the background: ``/api/status`` then shows the outcome."""


class LiveStore:
    """Holds the store being served; :meth:`reload` replaces it atomically or not at all."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.last: ReloadOutcome | None = None
        self.reloads = 0
        self.failures = 0
        self.watching = False
        self.master_pipe: int | None = None
        """With several worker processes: where a worker asks the main process to reload."""
        self._main_pid = os.getpid()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings) -> LiveStore:
        """Load and index the data the settings name (raises DataError, logged, if it does not validate)."""
        if settings.database_url is not None:
            log.info("serving from the database (%d read replicas)", len(settings.database_replica_urls))
        else:
            log.info("loading %s", settings.snapshot or ", ".join(map(str, [*settings.data, *settings.ftm])))
        try:
            store = _load(settings, refresh=settings.watch)
        except DataError as err:
            log.error("the data does not validate; not serving:\n%s", err)
            raise
        except DatabaseError as err:
            log.error("cannot serve from the database: %s", err)
            raise
        if store.ftm_report is not None:
            log.info("%s", store.ftm_report.summary())
            for line in store.ftm_report.unresolved_lines():
                log.info("not loaded: %s", line)
        return cls(settings, store)

    @property
    def in_worker(self) -> bool:
        """True in a worker forked from the main process (which alone reloads)."""
        return self.master_pipe is not None and os.getpid() != self._main_pid

    @property
    def paths(self) -> list[Path]:
        """The files a watcher looks at: the data files, or a snapshot and the inputs it records."""
        manifest = self.store.snapshot
        if self.settings.snapshot is None or manifest is None:
            return [*self.settings.data, *self.settings.ftm]
        return [self.settings.snapshot, *map(Path, manifest.data), *map(Path, manifest.ftm)]

    def fingerprint(self) -> dict[str, tuple[int, int] | None]:
        return fingerprint(self.paths)

    async def reload(self, trigger: str) -> ReloadOutcome:
        """Load the data again and serve it if, and only if, all of it validates (in a worker:
        ask the main process to, and say so)."""
        if self.in_worker:
            assert self.master_pipe is not None
            os.write(self.master_pipe, b"r")
            message = "reload requested: the main process reloads the data, then restarts the workers"
            return ReloadOutcome(_now(), trigger, True, 0.0, message, accepted=True)
        outcome = await run_in_threadpool(self.reload_now, trigger)
        if outcome.ok:
            asyncio.get_running_loop().call_later(self.settings.query_timeout + 1, _settle)
        return outcome

    def reload_now(self, trigger: str) -> ReloadOutcome:
        """The reload itself, in the calling thread: one at a time; a second waits and reloads again."""
        with self._lock:
            started = time.perf_counter()
            if self.settings.database_url is not None:
                return self._follow_now(trigger, started)
            try:
                new = _load(self.settings, refresh=True)
            except DataError as err:
                problems = [str(p) for p in err.problems]
                outcome = self._failed(trigger, started, f"{str(err).splitlines()[0]} first: {problems[0]}", problems)
                log.error("%s", outcome.message)  # one line; the full list below and at /api/status
                log.info("the problems:%s", "".join(f"\n  {p}" for p in problems))
                return outcome
            except OSError as err:
                outcome = self._failed(trigger, started, f"cannot read the data: {err}", [])
                log.error("%s", outcome.message)
                return outcome
            old, self.store = self.store, new
            self.reloads += 1
            gc.unfreeze()  # the old graph must become collectable once the last request using it ends
            outcome = self._record(
                trigger,
                started,
                f"reloaded: {new.nodes:,} entities and {new.edges:,} relations (were {old.nodes:,} and {old.edges:,})",
            )
            log.info("%s (%s, %.1f s)", outcome.message, trigger, outcome.seconds)
            del old
            return outcome

    def _follow_now(self, trigger: str, started: float) -> ReloadOutcome:
        """Serve the load the database serves now, if it changed (the tables are already built)."""
        from graph.store.postgres.store import PostgresStore

        current: PostgresStore = self.store  # type: ignore[assignment]
        try:
            load = current.database.served()
            if load.id == current.load.id:
                return self._record(trigger, started, f"already serving load {load.id} of the database")
            new = PostgresStore(current.database, load).warm()
        except DatabaseError as err:
            outcome = self._failed(trigger, started, str(err), [])
            log.error("%s", outcome.message)
            return outcome
        self.store = new
        self.reloads += 1
        outcome = self._record(trigger, started, f"now serving load {load.id}: {new.nodes:,} entities, {new.edges:,} "
                               f"relations (was load {current.load.id})")  # fmt: skip
        log.info("%s", outcome.message)
        return outcome

    async def follow(self, interval: float) -> None:
        """Serve each new load of the database once it is served there (looked at every ``interval`` s)."""
        self.watching = True
        while True:
            await asyncio.sleep(interval)
            store: PostgresStore = self.store  # type: ignore[assignment]
            try:
                load = await run_in_threadpool(store.database.served)
            except DatabaseError as err:
                log.warning("cannot see which load the database serves: %s", err)
                continue
            if load.id != store.load.id:
                await run_in_threadpool(self.reload_now, "database")

    def close(self) -> None:
        """Close the database connections (a store held in memory has none)."""
        database = getattr(self.store, "database", None)
        if database is not None:
            database.close()

    def _failed(self, trigger: str, started: float, reason: str, problems: list[str]) -> ReloadOutcome:
        self.failures += 1
        loaded = self.store.loaded_at.isoformat(timespec="seconds")
        message = f"reload ({trigger}) failed, still serving the data loaded at {loaded}: {reason}"
        return self._record(trigger, started, message, problems[:MAX_PROBLEMS], ok=False)

    def _record(
        self, trigger: str, started: float, message: str, problems: list[str] | None = None, ok: bool = True
    ) -> ReloadOutcome:
        seconds = round(time.perf_counter() - started, 3)
        self.last = ReloadOutcome(_now(), trigger, ok, seconds, message, problems or [])
        return self.last

    async def watch(self, interval: float) -> None:
        """Reload whenever the data files change, once they have stopped changing for ``interval`` seconds."""
        self.watching = True
        seen = await run_in_threadpool(self.fingerprint)
        while True:
            await asyncio.sleep(interval)
            current = await run_in_threadpool(self.fingerprint)
            if current == seen:
                continue
            while True:  # a file being written: wait until two looks agree
                await asyncio.sleep(interval)
                settled = await run_in_threadpool(self.fingerprint)
                if settled == current:
                    break
                current = settled
            try:
                await self.reload("watch")
            except Exception:  # a bug must not end the watching; the old graph keeps serving
                log.exception("reload (watch) failed unexpectedly; still serving the previous data")
            seen = await run_in_threadpool(self.fingerprint)  # a reload may rewrite the snapshot it watches

    def status(self) -> dict[str, Any]:
        """What is being served, since when, and how the last reload went."""
        store = self.store
        healthy = self.last is None or self.last.ok
        return {
            "status": "ok" if healthy else "stale",
            "loaded_at": store.loaded_at.isoformat(),
            "nodes": store.nodes,
            "edges": store.edges,
            "data_paths": store.data_paths,
            "ftm": store.ftm_report.as_dict() if store.ftm_report else None,
            "watching": self.watching,
            "reloads": self.reloads,
            "failed_reloads": self.failures,
            "last_reload": asdict(self.last) if self.last else None,
            "snapshot": _snapshot_status(self.settings.snapshot, store.snapshot),
            "database": getattr(store, "status", None),
            "workers": self.settings.workers if self.master_pipe is not None else 1,
            "pid": os.getpid(),
        }


def _load(settings: Settings, refresh: bool) -> Store:
    """The data the settings name, indexed. From a snapshot: as it is, or (``refresh``, when
    reloading or watching) made again first if its inputs changed. From a database: the load
    it serves (nothing is read until asked)."""
    if settings.database_url is not None:
        return open_database(settings)
    if settings.snapshot is None:
        return GraphStore.load(
            settings.data,
            ftm=settings.ftm,
            skip_invalid=settings.skip_invalid,
            strict=settings.strict,
            progress=log_progress(log),
        ).warm()
    if refresh:
        return refresh_snapshot(settings.snapshot, progress=log_progress(log))
    store = read_snapshot(settings.snapshot)
    assert store.snapshot is not None
    changes = changed_inputs(store.snapshot)
    if changes:
        log.warning(
            "serving the snapshot made %s, but its inputs differ now (%s): `linkscope snapshot` makes it again, "
            "`--watch` does so when they change",
            store.snapshot.created,
            ", ".join(f"{name} {how}" for name, how in changes[:5]),
        )
    return store


def open_database(settings: Settings) -> PostgresStore:
    """The store of the load the settings' database serves, with its replicas; statements
    are cut a little after the query time budget. Not warmed: the app's lifespan warms what
    it serves, and ``linkscope serve``'s first look only checks that there is a load."""
    from graph.store.postgres.store import Database, PostgresStore

    assert settings.database_url is not None
    database = Database(
        settings.database_url.get_secret_value(),
        [url.get_secret_value() for url in settings.database_replica_urls],
        statement_timeout_s=settings.query_timeout + 2,
    )
    try:
        return PostgresStore(database)
    except BaseException:
        database.close()
        raise


def _snapshot_status(path: Path | None, manifest: Manifest | None) -> dict[str, Any] | None:
    if path is None or manifest is None:
        return None
    return {
        "path": str(path),
        "created": manifest.created,
        "format_version": manifest.version,
        "linkscope": manifest.linkscope,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _settle() -> None:
    """Once the requests that held the old graph are done: free it, then freeze the new heap again."""
    gc.collect()
    gc.freeze()
