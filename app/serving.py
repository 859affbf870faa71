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
from app.settings import Settings

__all__ = ["serve"]

log = logging.getLogger("linkscope")


def serve(settings: Settings) -> None:
    """Load the data (exit 1 listing the problems if it does not validate), then serve it."""
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


def _base_application() -> Any:
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]  # only where fork exists

    return BaseApplication


class _PreforkServer(_base_application()):  # type: ignore[misc]
    """gunicorn serving the preloaded app with uvicorn workers, and the main process's reloads."""

    def __init__(self, settings: Settings, live: LiveStore) -> None:
        self.settings, self.live = settings, live
        self._requests, live.master_pipe = os.pipe()
        self.application = create_app(settings, live=live)
        super().__init__()

    def load_config(self) -> None:
        settings = self.settings
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        options = {
            "bind": [f"{host}:{settings.port}"],
            "workers": settings.workers,
            "worker_class": "uvicorn_worker.UvicornWorker",
            "preload_app": True,
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
        return self.application

    def _when_ready(self, arbiter: Any) -> None:
        log.info(
            "serving %d entities with %d workers sharing one graph (pid %d)",
            self.live.store.nodes,
            self.settings.workers,
            os.getpid(),
        )
        threading.Thread(target=self._reloads, name="reloads", daemon=True).start()

    def _reloads(self) -> None:
        """In the main process: reload on a worker's request or when the files change, then
        fork the workers again so they serve (and share) whatever is now loaded."""
        interval = self.settings.watch_interval if self.settings.watch else None
        self.live.watching = self.settings.watch
        seen = self.live.fingerprint() if interval else None
        while True:
            ready, _, _ = select.select([self._requests], [], [], interval)
            trigger = None
            if ready:
                os.read(self._requests, 4096)
                trigger = "admin"
            elif interval is not None:
                current = self.live.fingerprint()
                if current != seen:
                    self._settled(current, interval)
                    trigger = "watch"
            if trigger is None:
                continue
            try:
                self.live.reload_now(trigger)
            except Exception:  # a bug must not end the reloads; the old graph keeps serving
                log.exception("reload (%s) failed unexpectedly; still serving the previous data", trigger)
                continue
            finally:
                if interval:
                    seen = self.live.fingerprint()  # a reload may rewrite the snapshot it watches
            gc.collect()
            gc.freeze()
            os.kill(os.getpid(), signal.SIGHUP)  # gunicorn forks fresh workers, then retires the old ones

    def _settled(self, current: Any, interval: float) -> Any:
        """Wait until two looks at the files agree (a file may be half-written)."""
        while True:
            time.sleep(interval)
            settled = self.live.fingerprint()
            if settled == current:
                return settled
            current = settled
