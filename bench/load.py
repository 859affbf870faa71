"""Load test: concurrent clients against ``linkscope serve`` on 127.0.0.1, with figures.

``python -m bench.load`` (``make load``) starts the server as a separate process, then runs
LOAD_CLIENTS (64) clients for LOAD_SECONDS (60) seconds, each sending a mix of search,
entity, subgraph, paths, supply-chain and export requests, one after the other. Two pacings:
*saturating* (each client sends its next request as soon as the last is answered: the
throughput ceiling, and latency under a queue) and *paced* (each client pauses
LOAD_THINK_MS, 250 ms by default, between requests, as a person exploring does). It reports
throughput, p50/p99 per request type, errors (any status but 200, any failed connection) and
the server's memory (RSS of the server and its workers) at the start, highest and end. The
server's own log goes to ``$BENCH_CACHE/linkscope-load-server.log``.

Scenarios: the bundled data, then the bundled data beside a generated OpenSanctions-shaped
file of LOAD_FTM_SIZE entities (1,000,000; 0 skips it; LOAD_BUNDLED=0 skips the first),
served from a snapshot of it made once (LOAD_SNAPSHOT=0: from the file itself); each with
LOAD_WORKERS workers (comma-separated, default "default": as ``linkscope serve`` starts
without options, one per core up to 4), each pacing of LOAD_PACING ("saturating,paced").
Memory is the proportional set size (PSS) of the server's processes: a page the workers
share counts once, not once per worker as RSS would.

The figures of issue 13 (16 people exploring at once):
``LOAD_CLIENTS=16 LOAD_PACING=paced LOAD_BUNDLED=0 python -m bench.load``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

from bench.ftm_synthetic import write_ftm
from bench.timing import fmt_ms, p

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "64"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
THINK_MS = float(os.environ.get("LOAD_THINK_MS", "250"))
FTM_SIZE = int(os.environ.get("LOAD_FTM_SIZE", "1000000"))
WORKERS = [None if w == "default" else int(w) for w in os.environ.get("LOAD_WORKERS", "default").split(",")]
PACINGS = os.environ.get("LOAD_PACING", "saturating,paced").split(",")
SNAPSHOT = os.environ.get("LOAD_SNAPSHOT", "1") != "0"
BUNDLED = os.environ.get("LOAD_BUNDLED", "1") != "0"  # LOAD_BUNDLED=0: only the FtM scenarios
CACHE = Path(os.environ.get("BENCH_CACHE", tempfile.gettempdir()))
LINKSCOPE = Path(sys.executable).with_name("linkscope")
#: Request types and their share of the mix.
MIX = {"search": 30, "entity": 25, "subgraph": 20, "paths": 10, "supply-chain": 10, "export": 5}


@dataclass
class Targets:
    """Ids and words the clients pick their requests from."""

    ids: list[str]
    words: list[str]
    programmes: list[str]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rss: list[int] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_kib(pid: int) -> tuple[int, list[int]]:
    """The proportional set size (PSS) of a process and its children (the workers) in KiB, each
    shared page counted once over all of them; and the resident set (RSS) of each process."""
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    pss, rss = 0, []
    for one in pids:
        try:
            rollup = Path(f"/proc/{one}/smaps_rollup").read_text().splitlines()[1:]
        except OSError:  # a worker that just exited
            continue
        fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup}
        pss += fields["Pss"]
        rss.append(fields["Rss"])
    return pss, rss


def pss_kib(pid: int) -> int:
    return memory_kib(pid)[0]


def start_server(ftm: Path | None, workers: int | None) -> tuple[subprocess.Popen[bytes], str, float]:
    args = [] if workers is None else ["--workers", str(workers)]
    if ftm and ftm.suffix == ".snapshot":
        args += ["--snapshot", str(ftm)]
    elif ftm:
        args += ["--ftm", str(ftm)]
    return start_serve(args)


def start_serve(args: list[str]) -> tuple[subprocess.Popen[bytes], str, float]:
    """``linkscope serve ARGS`` on a free port until /healthz answers 200: the process (in its
    own session, for ``os.killpg``), its URL, and the seconds it took to start."""
    port = free_port()
    env = {**os.environ, "LINKSCOPE_LOG_LEVEL": "warning"}
    started = time.perf_counter()
    log = open(CACHE / "linkscope-load-server.log", "ab")  # noqa: SIM115 - the server process holds it
    process = subprocess.Popen(
        [str(LINKSCOPE), "serve", "--port", str(port), *args], env=env, stdout=log, stderr=log, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"linkscope serve {' '.join(args)} exited with {process.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        if time.perf_counter() - started > 300:
            raise RuntimeError("the server did not start in 300 s")
        time.sleep(0.05)


def targets(url: str, ftm: bool) -> Targets:
    listing = httpx.get(url + "/api/entities", params={"limit": 500}, timeout=30).json()["results"]
    ids = [r["id"] for r in listing]
    if ftm:
        rng = random.Random(1)
        ids += [f"NK-{rng.randrange(int(FTM_SIZE * 0.55)):07d}" for _ in range(2000)]
    words = sorted({w for r in listing for w in r["label"].split() if len(w) > 3})
    if ftm:
        words += ["Aero Tech", "Ivan", "Global Star", "Ministry of", "Holding"]
    programmes = [r["id"] for r in listing if r["kind"] == "programme"]
    return Targets(ids, words, programmes)


def request(kind: str, rng: random.Random, t: Targets) -> tuple[str, dict[str, object]]:
    if kind == "search":
        return "/api/entities", {"q": rng.choice(t.words), "limit": 20}
    if kind == "entity":
        return f"/api/entities/{quote(rng.choice(t.ids))}", {"limit": 15}
    if kind == "subgraph":
        return "/api/subgraph", {"center": rng.choice(t.ids), "depth": 2, "max_nodes": 200}
    if kind == "paths":
        source, target = rng.sample(t.ids, 2)
        return "/api/paths", {"source": source, "target": target, "max_hops": 4}
    if kind == "supply-chain":
        return f"/api/entities/{quote(rng.choice(t.programmes))}/supply-chain", {}
    return "/api/subgraph", {"center": rng.choice(t.ids), "depth": 1, "format": "graphml"}


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the load generator shares two cores with the server,
    so it must cost far less per request than the server does (httpx costs about as much)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        status = int(head.split(" ", 2)[1])
        if "transfer-encoding: chunked" in head:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            length = int(next(line.split(":")[1] for line in head.splitlines() if line.startswith("content-length")))
            await self.reader.readexactly(length)
        if "connection: close" in head:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def client(number: int, url: str, t: Targets, until: float, think: float, tally: Tally) -> None:
    rng = random.Random(number)
    kinds, weights = list(MIX), list(MIX.values())
    host, port = url.removeprefix("http://").split(":")
    connection = Connection(host, int(port))
    while time.perf_counter() < until:
        kind = rng.choices(kinds, weights)[0]
        path, params = request(kind, rng, t)
        target = path + ("?" + urlencode(params, doseq=True) if params else "")
        started = time.perf_counter()
        status: int | str
        try:
            status = await connection.get(target)
        except (OSError, asyncio.IncompleteReadError, ValueError) as err:
            status = type(err).__name__
            await connection.close()
        tally.latencies[kind].append((time.perf_counter() - started) * 1000)
        if status != 200:
            tally.errors[f"{kind} {status}"] += 1
        if think:
            await asyncio.sleep(rng.expovariate(1 / think))
    await connection.close()


async def sample_memory(pid: int, until: float, tally: Tally) -> None:
    while time.perf_counter() < until:
        tally.rss.append(pss_kib(pid))
        await asyncio.sleep(1)


async def run(url: str, pid: int, t: Targets, think: float) -> Tally:
    tally = Tally()
    until = time.perf_counter() + SECONDS
    await asyncio.gather(
        sample_memory(pid, until, tally), *(client(i, url, t, until, think, tally) for i in range(CLIENTS))
    )
    tally.rss.append(pss_kib(pid))
    return tally


def report(label: str, tally: Tally) -> None:
    everything = [ms for values in tally.latencies.values() for ms in values]
    errors = sum(tally.errors.values())
    if errors:
        print(f"| &nbsp;&nbsp;errors: {dict(tally.errors)} | | | | | |")
    mib = [kib / 1024 for kib in tally.rss]
    print(
        f"| {label} | {len(everything) / SECONDS:,.0f} | {fmt_ms(p(everything, 50))} | {fmt_ms(p(everything, 99))} "
        f"| {errors} of {len(everything):,} | {mib[0]:,.0f} / {max(mib):,.0f} / {mib[-1]:,.0f} |"
    )
    detail = ", ".join(
        f"{kind} {fmt_ms(p(values, 50))}/{fmt_ms(p(values, 99))}" for kind, values in sorted(tally.latencies.items())
    )
    print(f"| &nbsp;&nbsp;p50/p99 ms by type: {detail} | | | | | |")


def scenario(name: str, ftm: Path | None, workers: int | None) -> None:
    process, url, startup = start_server(ftm, workers)
    try:
        t = targets(url, ftm is not None)
        status = httpx.get(url + "/api/status", timeout=30).json()
        count = f"{status['workers']} worker{'s' if status['workers'] > 1 else ''}"
        pacings = {"saturating": 0.0, f"paced, {THINK_MS:.0f} ms think time": THINK_MS / 1000}
        for pacing, think in pacings.items():
            if pacing.split(",")[0] not in PACINGS:
                continue
            tally = asyncio.run(run(url, process.pid, t, think))
            report(f"{name}, {count}, {pacing} (start-up {startup:.1f} s)", tally)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def main() -> None:
    print(f"\n## Load: {CLIENTS} concurrent clients, {SECONDS:.0f} s per run, mix {MIX}\n")
    print("| data, workers, pacing | requests/s | p50 ms | p99 ms | errors | server PSS MiB start / max / end |")
    print("|---|---|---|---|---|---|")
    for workers in WORKERS if BUNDLED else ():
        scenario("bundled data", None, workers)
    if FTM_SIZE:
        path = CACHE / f"linkscope-bench-{FTM_SIZE}.ftm.json"
        if not path.is_file():
            write_ftm(path, FTM_SIZE)
        name = f"bundled + {FTM_SIZE:,} FtM entities"
        if SNAPSHOT:
            snapshot = path.with_suffix(".snapshot")
            if not snapshot.is_file() or snapshot.stat().st_mtime < path.stat().st_mtime:
                subprocess.run([str(LINKSCOPE), "snapshot", "--ftm", str(path), "-o", str(snapshot)], check=True)
            path, name = snapshot, name + " (from a snapshot)"
        for workers in WORKERS:
            scenario(name, path, workers)


if __name__ == "__main__":
    main()
