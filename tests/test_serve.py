"""`linkscope serve` really serves: a uvicorn process on loopback answers /healthz."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from graph.store.build import load_graph

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``linkscope serve ARGS`` on a free port, once it answers /healthz (its output if it never does)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get_json(base + "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stdout.read().decode() if process.stdout else "no output") from None
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def statuses_until(base: str, done: Callable[[list[dict]], bool], asks: int = 32) -> list[dict]:
    """``/api/status`` asked ``asks`` times at once (so every worker answers), again until ``done``."""
    deadline = time.monotonic() + 60
    while True:
        with ThreadPoolExecutor(8) as pool:
            seen = list(pool.map(lambda _: get_json(base + "/api/status"), range(asks)))
        if done(seen):
            return seen
        assert time.monotonic() < deadline, seen
        time.sleep(0.3)


def test_serve_answers_health_on_loopback() -> None:
    with serving() as (base, _):
        body = get_json(base + "/healthz")
    assert body["status"] == "ok" and body["nodes"] == len(load_graph())


def test_serve_refuses_invalid_data(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("entities:\n  - id: Not A Slug\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from app.cli import main; main()",
            "serve",
            "--port",
            str(free_port()),
            "--data",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "not a lowercase slug" in result.stdout + result.stderr


def test_workers_share_one_graph_answer_the_same_and_reload_together() -> None:
    with serving("--workers", "2", env={"LINKSCOPE_ADMIN_TOKEN": "test-token"}) as (base, process):
        statuses = statuses_until(base, lambda seen: len({s["pid"] for s in seen}) == 2, asks=64)
        answers = {
            status["pid"]: get_json(base + "/api/entities/ndc?limit=5") for status in statuses
        }  # the pids seen, each with an answer
        pids = {status["pid"] for status in statuses}
        assert len(pids) == 2 and all(status["workers"] == 2 for status in statuses)
        assert process.pid not in pids  # the main process loads and supervises; the workers answer
        assert len({json.dumps(answer, sort_keys=True) for answer in answers.values()}) == 1

        request = urllib.request.Request(
            base + "/api/admin/reload", method="POST", headers={"Authorization": "Bearer test-token"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 202 and json.load(response)["accepted"] is True
        after = statuses_until(
            base, lambda seen: all(s["reloads"] == 1 for s in seen) and len({s["pid"] for s in seen}) == 2
        )
        assert not pids & {status["pid"] for status in after}  # fresh workers, forked from the reloaded graph
        assert all(status["last_reload"]["ok"] for status in after)


def test_workers_serve_a_snapshot_and_watch_rebuilds_it(tmp_path: Path) -> None:
    from graph.store.snapshot import make_snapshot, read_manifest
    from tests.test_reload import extra_entity_file

    data = tmp_path / "data"
    data.mkdir()
    extra_entity_file(data, "base.yaml", ("acme", "globex"))
    snapshot = tmp_path / "graph.snapshot"
    made = make_snapshot(snapshot, [data]).snapshot
    watching = {"LINKSCOPE_WATCH_INTERVAL": "0.1"}
    with serving("--workers", "2", "--snapshot", str(snapshot), "--watch", env=watching) as (base, _):
        status = get_json(base + "/api/status")
        assert status["snapshot"]["path"] == str(snapshot) and status["nodes"] == 2 and status["workers"] == 2

        extra_entity_file(data, "more.yaml", ("initech",))
        statuses_until(base, lambda seen: all(s["nodes"] == 3 for s in seen) and len({s["pid"] for s in seen}) == 2)
        manifest = read_manifest(snapshot)  # the snapshot was made again from the changed inputs
        assert manifest.nodes == 3 and made is not None and manifest.created >= made.created
        assert {Path(i.path).name for i in manifest.inputs} == {"base.yaml", "more.yaml"}
