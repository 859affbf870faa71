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
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from app.progress import log_progress
from app.settings import Settings
from graph.errors import DataError
from graph.store.store import GraphStore, fingerprint

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


class LiveStore:
    """Holds the store being served; :meth:`reload` replaces it atomically or not at all."""

    def __init__(self, settings: Settings, store: GraphStore) -> None:
        self.settings = settings
        self.store = store
        self.last: ReloadOutcome | None = None
        self.reloads = 0
        self.failures = 0
        self.watching = False
        self._lock = asyncio.Lock()

    @property
    def paths(self) -> list[Path]:
        return [*self.settings.data, *self.settings.ftm]

    def fingerprint(self) -> dict[str, tuple[int, int] | None]:
        return fingerprint(self.paths)

    def _load(self) -> GraphStore:
        return GraphStore.load(
            self.settings.data,
            ftm=self.settings.ftm,
            skip_invalid=self.settings.skip_invalid,
            strict=self.settings.strict,
            progress=log_progress(log),
        ).warm()

    async def reload(self, trigger: str) -> ReloadOutcome:
        """Load the data again and serve it if, and only if, all of it validates."""
        async with self._lock:  # one reload at a time; a second request waits and reloads again
            started = time.perf_counter()
            try:
                new = await run_in_threadpool(self._load)
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
            asyncio.get_running_loop().call_later(self.settings.query_timeout + 1, _settle)
            return outcome

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
            seen = current
            try:
                await self.reload("watch")
            except Exception:  # a bug must not end the watching; the old graph keeps serving
                log.exception("reload (watch) failed unexpectedly; still serving the previous data")

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
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _settle() -> None:
    """Once the requests that held the old graph are done: free it, then freeze the new heap again."""
    gc.collect()
    gc.freeze()
