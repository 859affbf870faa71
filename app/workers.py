"""The uvicorn worker gunicorn runs: one that loses no request when it is retired.

On a reload gunicorn forks fresh workers and retires the old ones (SIGTERM). uvicorn then
stops accepting and at once closes every connection it has not started reading a request
from, including one it accepted a moment before, whose request is lost (the client sees
its connection reset). This worker stops accepting first and lets such connections deliver
their requests (:data:`SETTLE_S`) before uvicorn's own graceful shutdown, which then
answers them before closing.
"""

from __future__ import annotations

import asyncio
import socket
import sys

import uvicorn
from gunicorn.arbiter import Arbiter  # type: ignore[import-untyped]
from uvicorn_worker import UvicornWorker  # type: ignore[import-untyped]

__all__ = ["SETTLE_S", "Worker"]

#: How long a retiring worker, no longer accepting, waits for requests on connections it accepted.
SETTLE_S = 0.5


class _Server(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # no new connection from here on
        await asyncio.sleep(SETTLE_S)
        await super().shutdown(sockets)


class Worker(UvicornWorker):  # type: ignore[misc]
    """uvicorn's gunicorn worker, serving with :class:`_Server`."""

    async def _serve(self) -> None:
        self.config.app = self.wsgi
        server = _Server(config=self.config)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
