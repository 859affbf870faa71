"""The PostgreSQL store beside the in-memory one, on the 1M-entity FtM file, in the same run.

``python -m bench.postgres`` (part of ``make bench``) starts a throwaway PostgreSQL cluster
(Debian's server, as the tests do; shared_buffers 2 GB) and measures:

- *load*: ``linkscope db load --ftm FILE`` end to end (validation, COPY, indexes, vacuum)
  beside ``linkscope snapshot --ftm FILE`` (the in-memory store's own way to start fast),
  and the database's size on disk.
- *queries*, in one process per store, the same requests: depth-2 subgraphs of random
  entities (500 nodes at most, answer serialised; and the same walks without their answer,
  what the store itself costs), paths between random pairs (4 hops, 10 paths), one-word
  searches (the most common words and random ones), the first page of the biggest hubs'
  detail, the explorer's grouped view of the 8 biggest hubs (2 s budget: first in the
  process, when nothing is counted yet, again, and on two as-of days, with how many were
  cut at the budget),
  and the plain-networkx ``ego_graph`` of the same entities as the reference.
  Each store's latencies p50/p99, and the ratio PostgreSQL / in memory.
- *memory*: the RSS of ``linkscope serve`` (one worker) after start and after the load
  below, from the database and from the snapshot.
- *load with clients*: PG_CLIENTS (16) paced clients (250 ms think time) for PG_SECONDS (60)
  against PG_SERVERS (2) servers of one worker each on the one database, half the clients on
  each (the request mix of ``bench/load.py``); each server's RSS at start, after the clients,
  and at its highest (``VmHWM``).

Then a generated graph of PG_BIG_SIZE (10,000,000; 0 skips it) FtM entities through the
PostgreSQL store alone, in a cluster of its own: ``db load`` end to end with the loader's
peak memory, the size on disk, the same queries twice (right after the load, when the
first requests read the tables' pages, which do not fit in the buffers; then again, in a
second fresh process), and a server's RSS at start and after the same paced clients.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from app.memory import collect_less_often
from bench.ftm_synthetic import write_ftm
from bench.load import Tally, client, memory_kib, start_serve, targets
from bench.scale import SIZE, ftm_file
from bench.timing import fmt_ms, latencies, p

CACHE = Path(os.environ.get("BENCH_CACHE", tempfile.gettempdir()))
LINKSCOPE = Path(sys.executable).with_name("linkscope")
RUNS = int(os.environ.get("PG_RUNS", "200"))
CLIENTS = int(os.environ.get("PG_CLIENTS", "16"))
SERVERS = int(os.environ.get("PG_SERVERS", "2"))
SECONDS = float(os.environ.get("PG_SECONDS", "60"))
THINK_S = 0.25
BIG = int(os.environ.get("PG_BIG_SIZE", "10000000"))


def cluster() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pg_cluster import Cluster

    return Cluster.start(settings=("shared_buffers=2GB", "work_mem=64MB", "maintenance_work_mem=1GB",
                                   "max_wal_size=8GB", "random_page_cost=1.1"))  # fmt: skip


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds ``command`` took, end to end; its output's last line is printed (`db load`
    says how long reading the inputs and writing the tables each took), and the CPU time it
    used: runs on this shared machine differ by 10 % and more, its own stages alike."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    said = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"`{' '.join(Path(part).name for part in command[:3])}`: {said} ({cpu:,.0f} s of CPU)")
    return took


def queries(source: str) -> dict[str, Any]:
    """In a child process: the same queries on one store (``memory:SNAPSHOT`` or ``postgres:DSN``)."""
    import networkx as nx

    from graph.limits import Deadline
    from graph.queries.entity_detail import entity_detail
    from graph.queries.groups import GROUP_THRESHOLD
    from graph.queries.selection import Neighbourhood, Paths, select
    from graph.store import GraphStore

    kind, _, where = source.partition(":")
    if kind == "memory":
        store: Any = GraphStore.from_snapshot(where)
        ids = list(store.graph)[::97]
        biggest = sorted(store.hubs.groups, key=lambda n: -store.graph.degree(n))[:8]
    else:
        from graph.store.postgres.store import Database, PostgresStore

        store = PostgresStore(Database(where)).warm()  # as a server starts: hubs' ids kept in the background
        # every 97th entity, read once with a long timeout: right after a 10M load the table is cold
        sampler = Database(where, statement_timeout_s=600.0)
        ids = [row[0] for row in sampler.read(
            f"SELECT id FROM {store.load.schema}.entities WHERE pos %% 97 = 0 ORDER BY pos")]  # fmt: skip
        sampler.close()
        if store.warming is not None:  # the queries measure a server that has started (the clients, one starting)
            store.warming.join()
        sizes = {hub: sum(groups.values()) for hub, groups in store.hubs.groups.items()}
        biggest = sorted(sizes, key=lambda n: -sizes[n])[:8]
    hubs = biggest[:4]
    gc.collect()
    gc.freeze()
    collect_less_often()  # as `linkscope serve` does
    rng = random.Random(13)
    nodes = rng.sample(ids, RUNS)
    pairs = [tuple(rng.sample(ids, 2)) for _ in range(RUNS)]
    words = ["trading", "company", "limited", "bank", "group", "holding", "ivan", "aero", "global", "ministry"]
    words += [f"{w}" for w in rng.sample(["star", "tech", "energy", "oil", "steel", "north", "alpha", "nova"], 8)]

    def view(node: str) -> bytes:
        selection = select(store, Neighbourhood((node,), depth=2, max_nodes=500), deadline=Deadline(2.0))
        return orjson.dumps(selection.answer(selection.source))

    def path(pair: tuple[str, str]) -> bytes:
        selection = select(store, Paths(*pair, max_hops=4, limit=10), deadline=Deadline(2.0))
        return orjson.dumps(selection.answer(selection.source))

    each = iter(nodes)
    found: dict[str, Any] = {"subgraph": latencies(lambda: view(next(each)), RUNS)}
    each = iter(nodes)  # the same walks again, without the answer: what the store itself costs
    found["subgraph walk"] = latencies(
        lambda: select(store, Neighbourhood((next(each),), depth=2, max_nodes=500), deadline=Deadline(2.0)), RUNS
    )
    each_pair = iter(pairs)
    found["paths"] = latencies(lambda: path(next(each_pair)), RUNS)
    each_word = iter(words * 2)
    found["search"] = latencies(lambda: store.index.search(next(each_word), limit=20), len(words))
    each_hub = iter(hubs * 10)
    found["hub"] = latencies(lambda: entity_detail(store.graph, next(each_hub), limit=15, hubs=store.hubs), 40)
    cut: list[bool] = []

    def grouped(node: str, as_of: date | None = None) -> bytes:
        """The explorer's view of a hub: its neighbours grouped, each big relation counted by facet."""
        query = Neighbourhood((node,), group=GROUP_THRESHOLD, as_of=as_of)
        selection = select(store, query, deadline=Deadline(2.0))
        answer = selection.answer(selection.source)
        cut.append(answer["truncated_reason"] == "time_budget")
        return orjson.dumps(answer)

    each_hub = iter(biggest)
    found["hub grouped, first"] = latencies(lambda: grouped(next(each_hub)), len(biggest))
    found["hub grouped, first, cut"] = sum(cut)
    if kind != "memory":  # what was cut at the budget is counted on: the next views have it
        from graph.store.postgres.grouping import wait_for_counts

        wait_for_counts()
    cut.clear()
    each_hub = iter(biggest * 5)
    found["hub grouped, again"] = latencies(lambda: grouped(next(each_hub)), len(biggest) * 5)
    found["hub grouped, again, cut"] = sum(cut)
    cut.clear()
    each_view = iter([(hub, date(year, 6, 1)) for year in (2021, 2024) for hub in biggest])  # the slider moved
    found["hub grouped, as of"] = latencies(lambda: grouped(*next(each_view)), len(biggest) * 2)
    found["hub grouped, as of, cut"] = sum(cut)
    if kind == "memory":
        graph = store.graph
        each = iter(nodes)
        found["plain ego_graph"] = latencies(lambda: nx.ego_graph(graph, next(each), radius=2, undirected=True), 50)
    return found


def serve_memory(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return start_serve(args)
    finally:
        for k, v in previous.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def clients(urls: list[str], pids: list[int]) -> tuple[Tally, list[int]]:
    t = targets(urls[0], True)
    tally = Tally()
    until = time.perf_counter() + SECONDS

    async def run() -> None:
        await asyncio.gather(
            *(client(i, urls[i % len(urls)], t, until, THINK_S, tally) for i in range(CLIENTS))
        )  # fmt: skip

    asyncio.run(run())
    return tally, [memory_kib(pid)[1][0] for pid in pids]


def highest_kib(pid: int) -> int:
    """The highest resident set size the process has had (``VmHWM``), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line.split()[1] for line in status if line.startswith("VmHWM:")))


def clients_on_servers(env: dict[str, str]) -> tuple[Tally, list[float], list[int], list[int]]:
    """The paced clients against PG_SERVERS servers of one worker started with ``env``: their
    tally, and each server's RSS at start (MiB), after the clients (KiB) and at its highest (KiB)."""
    servers = [serve_memory(["--workers", "1"], env) for _ in range(SERVERS)]
    try:
        idle = [memory_kib(process.pid)[1][0] / 1024 for process, _, _ in servers]
        tally, rss = clients([url for _, url, _ in servers], [process.pid for process, _, _ in servers])
        highest = [highest_kib(process.pid) for process, _, _ in servers]
    finally:
        for process, _, _ in servers:
            stop(process)
    return tally, idle, rss, highest


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


#: The grouped views of the biggest hubs measured: first in a process, again, and on two as-of days.
_GROUPED = ("first", "again", "as of")


def query_table(results: dict[str, Any], names: tuple[str, ...]) -> None:
    """The latencies of each store in ``names`` side by side, with the first's p99 over the last's."""
    compared = len(names) > 1
    print(f"\n| query (ms) | {' | '.join(f'{n} p50 / p99' for n in names)} |" + (" ratio of p99 |" if compared else ""))
    print("|---|" + "---|" * (len(names) + compared))
    measured = ("subgraph", "subgraph walk", "paths", "search", "hub", *(f"hub grouped, {w}" for w in _GROUPED))
    for query in measured:
        cells = [f"{fmt_ms(p(results[n][query], 50))} / {fmt_ms(p(results[n][query], 99))}" for n in names]
        first, last = p(results[names[0]][query], 99), p(results[names[-1]][query], 99)
        print(f"| {query} | {' | '.join(cells)} |" + (f" {first / last:.1f}x |" if compared else ""))
    for when in _GROUPED:
        cut = ", ".join(f"{n} {results[n][f'hub grouped, {when}, cut']}" for n in names)
        views = ", ".join(str(len(results[n][f"hub grouped, {when}"])) for n in names)
        print(f"Grouped views of the biggest hubs ({when}) cut at their 2 s budget: {cut} (of {views}).")


def run_queries(source: str) -> dict[str, Any]:
    # the child's errors go to this run's standard error
    out = subprocess.run([sys.executable, "-m", "bench.postgres", "--queries", source],
                         check=True, stdout=subprocess.PIPE, text=True).stdout  # fmt: skip
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found


def print_clients(tally: Tally, servers: int) -> None:
    everything = [ms for values in tally.latencies.values() for ms in values]
    errors = sum(tally.errors.values())
    print(
        f"\n{CLIENTS} paced clients (250 ms think time), {SECONDS:.0f} s, {servers} server(s) of one worker on "
        f"one database: {len(everything) / SECONDS:,.0f} requests/s, p50 {fmt_ms(p(everything, 50))} ms, "
        f"p99 {fmt_ms(p(everything, 99))} ms, {errors} errors of {len(everything):,} {dict(tally.errors) or ''}"
    )
    by_type = collections.OrderedDict(sorted(tally.latencies.items()))
    print("p50/p99 ms by type: " + ", ".join(f"{k} {fmt_ms(p(v, 50))}/{fmt_ms(p(v, 99))}" for k, v in by_type.items()))


def big() -> None:
    """PG_BIG_SIZE generated FtM entities through the PostgreSQL store alone (in a process of
    its own, so that the peak memory of its children is the loader's)."""
    needed = 1.7 * BIG / 1e6 + 2.5  # GiB: the loader's graph (as measured at 10M) and the database's buffers
    available = _available_gib()
    if available < needed:
        print(f"\n(The PostgreSQL run of {BIG:,} entities is skipped: it needs about {needed:,.0f} GiB of memory, "
              f"{available:,.0f} GiB are available; PG_BIG_SIZE sets the size.)")  # fmt: skip
        return
    ftm = CACHE / f"linkscope-bench-{BIG}.ftm.json"
    if not ftm.is_file():
        write_ftm(ftm, BIG)
    print(f"\n## The PostgreSQL store alone: {BIG:,} FtM entities ({ftm.stat().st_size / 2**30:,.1f} GiB file)\n")
    pg = cluster()
    env = {"LINKSCOPE_DATABASE_URL": pg.dsn}
    try:
        load_s = timed([str(LINKSCOPE), "db", "load", "--ftm", str(ftm)], env)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
        disk = int(
            subprocess.run(["du", "-sb", str(pg.folder / "data")], capture_output=True, text=True).stdout.split()[0]
        )
        status = subprocess.run([str(LINKSCOPE), "db", "status", "--json"], env={**os.environ, **env}, check=True,
                                capture_output=True, text=True).stdout  # fmt: skip
        served = next(load for load in json.loads(status)["loads"] if load["served"])
        print(f"`db load` end to end: {load_s:,.0f} s ({served['entities']:,} nodes, {served['relations']:,} "
              f"relations); {disk / 2**30:,.1f} GiB on disk; the loader's peak RSS {peak:,.1f} GiB.")  # fmt: skip
        # the same queries in a second fresh process: what a server answers once the first
        # requests after a load have read the tables' pages (more than the buffers hold)
        passes = {name: run_queries(f"postgres:{pg.dsn}") for name in ("right after the load,", "again,")}
        query_table(passes, tuple(passes))
        tally, idle, rss, highest = clients_on_servers(env)
        print_clients(tally, SERVERS)
        print(f"Linkscope process RSS: {', '.join(f'{m:,.0f}' for m in idle)} MiB at start, "
              f"{', '.join(f'{r / 1024:,.0f}' for r in rss)} MiB after the clients, "
              f"{', '.join(f'{h / 1024:,.0f}' for h in highest)} MiB at the highest.")  # fmt: skip
    except BaseException:
        if os.environ.get("BENCH_KEEP"):  # a failed run's database, kept to look into (an hour's load at 10M)
            print(f"(kept for a look: {pg.dsn}, folder {pg.folder})", file=sys.stderr)
            raise
        pg.stop()
        raise
    pg.stop()


def _available_gib() -> float:
    with open("/proc/meminfo", encoding="utf-8") as fh:
        return int(next(line.split()[1] for line in fh if line.startswith("MemAvailable"))) / 2**20


def main() -> None:
    ftm = ftm_file()
    snapshot = CACHE / f"linkscope-bench-{SIZE}.ftm.snapshot"
    print(f"\n## The PostgreSQL store beside the in-memory one: {SIZE:,} FtM entities (`bench/postgres.py`)\n")
    pg = cluster()
    try:
        load_s = timed([str(LINKSCOPE), "db", "load", "--ftm", str(ftm)], {"LINKSCOPE_DATABASE_URL": pg.dsn})
        snapshot_s = timed([str(LINKSCOPE), "snapshot", "--ftm", str(ftm), "-o", str(snapshot)])
        disk = subprocess.run(["du", "-sb", str(pg.folder / "data")], capture_output=True, text=True).stdout.split()[0]
        print("| step | PostgreSQL store | in memory |\n|---|---|---|")
        print(f"| load, end to end | `db load` {load_s:.1f} s, {int(disk) / 2**20:,.0f} MiB on disk "
              f"| `snapshot` {snapshot_s:.1f} s, {snapshot.stat().st_size / 2**20:,.0f} MiB file |")  # fmt: skip
        results = {name: run_queries(source) for name, source in
                   (("PostgreSQL", f"postgres:{pg.dsn}"), ("in memory", f"memory:{snapshot}"))}  # fmt: skip
        query_table(results, ("PostgreSQL", "in memory"))
        ego = results["in memory"]["plain ego_graph"]
        print(f"| plain networkx `ego_graph` radius 2 (reference) | | {fmt_ms(p(ego, 50))} / {fmt_ms(p(ego, 99))} | |")
        tally, idle, rss, highest = clients_on_servers({"LINKSCOPE_DATABASE_URL": pg.dsn})
        memory_server = serve_memory(["--workers", "1", "--snapshot", str(snapshot)], {})
        try:
            memory_idle = memory_kib(memory_server[0].pid)[1][0] / 1024
        finally:
            stop(memory_server[0])
        print_clients(tally, SERVERS)
        print(
            f"Linkscope process RSS: from the database {', '.join(f'{m:,.0f}' for m in idle)} MiB at start, "
            f"{', '.join(f'{r / 1024:,.0f}' for r in rss)} MiB after the clients "
            f"({', '.join(f'{h / 1024:,.0f}' for h in highest)} at the highest); from the snapshot "
            f"{memory_idle:,.0f} MiB at start."
        )
    finally:
        pg.stop()
    if BIG:
        subprocess.run([sys.executable, "-m", "bench.postgres", "--big"], check=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--queries":
        print(json.dumps(queries(sys.argv[2])))
    elif sys.argv[1:] == ["--big"]:
        big()
    else:
        main()
