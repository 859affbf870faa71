"""The FastAPI application factory: ``create_app(settings)``.

The graph is loaded once, in the lifespan, before the server accepts a connection (so
``/healthz`` answers only once the whole load is done); if the data does not validate,
start-up fails with every problem logged, so a half-built graph is never served. Later
reloads (``--watch``, ``POST /api/admin/reload``) go through :class:`app.live.LiveStore`,
which swaps in a new graph only when all of it validated.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from app.errors import install_error_handlers
from app.live import LiveStore
from app.openapi import install_vocabulary_openapi
from app.routes import admin, entities, explorer, graph, meta, report
from app.security import install_docs, install_security_headers
from app.settings import Settings
from graph.store import Store

__all__ = ["STATIC_DIR", "create_app"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

log = logging.getLogger("linkscope")

DESCRIPTION = """
Who supplies whom for which weapons programme, who sanctioned them, when, on what legal
basis, and on what evidence. Every node and edge carries its sources and a confidence level.

**As-of semantics.** With `as_of=D`, a relation counts when its `date` (or `start`) is on or
before D and its `end`, if any, is after D; relations without dates always count. Dates
known only to the month or year count once certainly begun (a listing dated `2025` counts
from 2025-12-31).

**Errors** always answer `{"error": {"status", "code", "message", "hint", "details"}}`.
Every query is bounded in depth, size, hops and time; a query that reaches a bound answers
with what it found and `truncated: true`.
"""


def create_app(settings: Settings | None = None, store: Store | None = None, live: LiveStore | None = None) -> FastAPI:
    """Build the app. ``live`` serves a graph already loaded (``linkscope serve`` loads it once,
    before forking its workers), ``store`` injects one (tests); otherwise ``settings.data`` is
    loaded at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        serving = live
        if serving is None and store is not None:
            serving = LiveStore(settings, store)
        elif serving is None:
            serving = await run_in_threadpool(LiveStore.load, settings)
        await run_in_threadpool(serving.store.warm)
        app.state.live = serving
        # The graph is read-only from here on: keep the cyclic collector from rescanning its
        # millions of objects (a full pass over a 1M-node graph pauses every request for seconds).
        gc.collect()
        gc.freeze()
        log.info("serving %d entities and %d relations", serving.store.nodes, serving.store.edges)
        watcher = None
        if settings.database_url is not None:  # every worker follows the load the database serves
            watcher = asyncio.create_task(serving.follow(settings.watch_interval))
        elif settings.watch and serving.master_pipe is None:  # with workers, the main process watches
            watcher = asyncio.create_task(serving.watch(settings.watch_interval))
        yield
        if watcher is not None:
            watcher.cancel()
        if live is None:  # opened here, closed here
            serving.close()

    app = FastAPI(
        title="Linkscope",
        version="0.1.0",
        summary="Geopolitical relationship graph: suppliers, programmes, sanctions, evidence.",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_vocabulary_openapi(app)
    app.include_router(entities.router)
    app.include_router(graph.router)
    app.include_router(meta.router)
    app.include_router(admin.router)
    app.include_router(explorer.router)
    app.include_router(report.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_docs(app)
    install_security_headers(app)
    return app
