"""``linkscope serve``: load the graph once, then serve it from every core.

One process holds one Python interpreter lock, so a request that computes for 50 ms holds
every other request behind it. The server therefore runs several worker processes that
share one loaded graph: the data is loaded and indexed once, in the main process, its heap
frozen out of the cyclic collector (``gc.freeze``), and the workers are forked from it, so
the graph's pages stay shared between them instead of each worker loading its own copy
(gunicorn with ``preload_app`` and uvicorn's worker class do the forking, the restarts of a
worker that dies, and the graceful hand-over).

Reloads (``--watch``, ``POST /api/admin/reload``) happen in the main process too: it loads
the new data beside the old, keeps the old if the new does not validate, and restarts the
workers by forking them again (gunicorn's HUP), so the new graph is shared in turn and the
workers carry the reload's outcome for ``/api/status``. A worker asked for a reload passes
the request to the main process through a pipe.

With one worker (or where ``fork`` does not exist) the same app runs in one uvicorn process.
"""

from __future__ import annotations

import gc
import logging
import os
import select
import signal
import threading
import time
from typing import Any

from app.live import LiveStore
from app.main import create_app
from app.memory import collect_less_often, limit_arenas
from app.settings import Settings

__all__ = ["serve"]

log = logging.getLogger("linkscope")


def serve(settings: Settings) -> None:
    """Load the data (exit 1 listing the problems if it does not validate), then serve it."""
    limit_arenas(settings.malloc_arenas)  # before any thread, for this process and the workers forked from it
    collect_less_often()
    if settings.database_url is not None:
        _serve_database(settings)
        return
    live = LiveStore.load(settings)
    if settings.snapshot is None:  # loading files leaves garbage; reading a snapshot next to none
        gc.collect()  # (and collecting would walk its millions of objects: a second at 1M)
    gc.freeze()  # pages the workers share stay shared: the collector never writes to them
    if settings.workers <= 1 or not hasattr(os, "fork"):
        import uvicorn

        app = create_app(settings, live=live)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)
        return
    _PreforkServer(settings, live).run()


def _serve_database(settings: Settings) -> None:
    """Serve from a database: nothing to share, so each worker opens its own connections
    (after a first look from the main process, so a wrong URL or an empty database stops here)."""
    LiveStore.load(settings).close()
    if settings.workers <= 1 or not hasattr(os, "fork"):
        import uvicorn

        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)
        return
    _PreforkServer(settings, None).run()


def _base_application() -> Any:
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]  # only where fork exists

    return BaseApplication


class _PreforkServer(_base_application()):  # type: ignore[misc]
    """gunicorn serving the preloaded app with uvicorn workers, and the main process's reloads
    (without ``live``: each worker makes its own app, which opens the database)."""

    def __init__(self, settings: Settings, live: LiveStore | None) -> None:
        self.settings, self.live = settings, live
        if live is not None:
            self._requests, live.master_pipe = os.pipe()
        self.application = create_app(settings, live=live) if live is not None else None
        super().__init__()

    def load_config(self) -> None:
        settings = self.settings
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        options = {
            "bind": [f"{host}:{settings.port}"],
            "workers": settings.workers,
            "worker_class": "app.workers.Worker",
            "preload_app": self.live is not None,
            "timeout": 120,  # a worker silent this long (not answering gunicorn's heartbeat) is replaced
            "graceful_timeout": int(settings.query_timeout) + 10,
            "keepalive": 5,
            "loglevel": settings.log_level,
            "proc_name": "linkscope",
            "when_ready": self._when_ready,
        }
        for name, value in options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return self.application if self.application is not None else create_app(self.settings)

    def _when_ready(self, arbiter: Any) -> None:
        if self.live is None:
            log.info("serving from the database with %d workers (pid %d)", self.settings.workers, os.getpid())
            return
        log.info(
            "serving %d entities with %d workers sharing one graph (pid %d)",
            self.live.store.nodes,
            self.settings.workers,
            os.getpid(),
        )
        threading.Thread(target=self._reloads, args=(self.live,), name="reloads", daemon=True).start()

    def _reloads(self, live: LiveStore) -> None:
        """In the main process: reload on a worker's request or when the files change, then
        fork the workers again so they serve (and share) whatever is now loaded."""
        interval = self.settings.watch_interval if self.settings.watch else None
        live.watching = self.settings.watch
        seen = live.fingerprint() if interval else None
        while True:
            ready, _, _ = select.select([self._requests], [], [], interval)
            trigger = None
            if ready:
                os.read(self._requests, 4096)
                trigger = "admin"
            elif interval is not None:
                current = live.fingerprint()
                if current != seen:
                    self._settled(live, current, interval)
                    trigger = "watch"
            if trigger is None:
                continue
            try:
                live.reload_now(trigger)
            except Exception:  # a bug must not end the reloads; the old graph keeps serving
                log.exception("reload (%s) failed unexpectedly; still serving the previous data", trigger)
                continue
            finally:
                if interval:
                    seen = live.fingerprint()  # a reload may rewrite the snapshot it watches
            gc.collect()
            gc.freeze()
            os.kill(os.getpid(), signal.SIGHUP)  # gunicorn forks fresh workers, then retires the old ones

    def _settled(self, live: LiveStore, current: Any, interval: float) -> Any:
        """Wait until two looks at the files agree (a file may be half-written)."""
        while True:
            time.sleep(interval)
            settled = live.fingerprint()
            if settled == current:
                return settled
            current = settled
