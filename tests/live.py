"""A real uvicorn server on 127.0.0.1 in a thread, for tests that need sockets (browsers, disconnects)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore

__all__ = ["Server", "start_server"]


@dataclass
class Server:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(store: GraphStore | None = None, settings: Settings | None = None) -> Server:
    """Serve ``store`` (or what ``settings`` name) on a free port; returns once it accepts connections."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(settings or Settings(), store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    return Server(f"http://127.0.0.1:{port}", server, thread)
