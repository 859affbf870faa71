"""A million entities under real use: snapshot, start-up, memory per worker, search, paths,
hub detail and export end to end, each beside the plain-networkx way in the same run.

``python -m bench.scale`` (part of ``make bench``) uses the OpenSanctions-shaped file of
SCALE_SIZE entities (1,000,000; written once into BENCH_CACHE by ``bench/ftm_synthetic.py``):

- *snapshot*: ``linkscope snapshot --ftm FILE -o SNAPSHOT``, end to end (the command with its load).
- *start-up*: ``linkscope serve`` as a user starts it (default workers) until ``/healthz``
  answers, from the snapshot and from the FtM file; plain networkx: ``json.loads`` per line
  into a ``MultiDiGraph`` (no server at all: the least a plain server would do first).
- *memory*: the server from the snapshot with 1, 2 and 4 workers, after start and after 400
  requests: the proportional set size (PSS) of all its processes, which counts a page shared
  by N processes as 1/N in each (the memory the machine really spends), and each one's RSS.
- *queries*, in one process reading the snapshot: one-word search (the 30 most common words
  and 200 drawn at random from the index's vocabulary) against a scan of every name; paths
  between random pairs against the plain shortest-simple-paths search; the first page of the
  biggest hubs' detail against reading and sorting the whole group.
- *export*: ``linkscope export --format graphml`` end to end from the FtM file and from the
  snapshot, against a script that ``json.loads`` the file into a ``MultiDiGraph`` and calls
  ``nx.write_graphml`` (list values joined, which networkx requires).
"""

from __future__ import annotations

import collections
import gc
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import networkx as nx

from bench.ftm_synthetic import write_ftm
from bench.load import memory_kib, start_serve
from bench.queries import plain_paths
from bench.timing import fmt_ms, latencies, p

SIZE = int(os.environ.get("SCALE_SIZE", "1000000"))
RUNS = int(os.environ.get("SCALE_RUNS", "300"))
CACHE = Path(os.environ.get("BENCH_CACHE", tempfile.gettempdir()))
LINKSCOPE = Path(sys.executable).with_name("linkscope")


def ftm_file() -> Path:
    path = CACHE / f"linkscope-bench-{SIZE}.ftm.json"
    if not path.is_file():
        write_ftm(path, SIZE)
    return path


def timed(command: list[str], **kwargs: Any) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


def memory(pid: int) -> tuple[float, list[float]]:
    """PSS of the process and its children in MiB, and the RSS of each."""
    pss, rss = memory_kib(pid)
    return pss / 1024, [r / 1024 for r in rss]


def requests(url: str, count: int) -> None:
    """A mix of what people ask: searches, entities, subgraphs and paths."""
    rng = random.Random(5)
    ids = [f"NK-{rng.randrange(int(SIZE * 0.55)):07d}" for _ in range(200)]
    with httpx.Client(base_url=url, timeout=60) as client:
        for i in range(count):
            a, b = rng.sample(ids, 2)
            target = (
                ("/api/entities", {"q": rng.choice(["trading", "holding", "ivan", "aero", "global"])}),
                (f"/api/entities/{a}", {}),
                ("/api/subgraph", {"center": a, "depth": 2, "max_nodes": 200}),
                ("/api/paths", {"source": a, "target": b, "max_hops": 4}),
            )[i % 4]
            client.get(target[0], params=target[1])


def startup_and_memory(ftm: Path, snapshot: Path) -> None:
    print("\n### Start-up and memory\n")
    print("| measure | linkscope | plain networkx | ratio (plain/ours) |")
    print("|---|---|---|---|")
    plain = timed([sys.executable, "-c", f"from bench.ftm import plain_load; plain_load({str(ftm)!r})"])
    for label, args in (
        ("from the snapshot", ["--snapshot", str(snapshot)]),
        ("from the FtM file", ["--ftm", str(ftm)]),
    ):
        process, _, seconds = start_serve(args)
        stop(process)
        print(
            f"| `serve` {label}, start to /healthz (default workers) | {seconds:.1f} s "
            f"| {plain:.1f} s (load alone, no server) | {plain / seconds:.1f}x |"
        )
    print("\n| workers (from the snapshot) | PSS after start, MiB | PSS after 400 requests, MiB | RSS of each, MiB |")
    print("|---|---|---|---|")
    for workers in (1, 2, 4):
        process, url, _ = start_serve(["--snapshot", str(snapshot), "--workers", str(workers)])
        try:
            time.sleep(3)  # every worker booted
            started, _ = memory(process.pid)
            requests(url, 400)
            after, rss = memory(process.pid)
        finally:
            stop(process)
        print(f"| {workers} | {started:,.0f} | {after:,.0f} | {' / '.join(f'{r:,.0f}' for r in rss)} |")


def plain_search(labels: list[tuple[str, str]], word: str) -> list[str]:
    """Every name scanned for the word: what a plain graph offers."""
    return [node for node, label in labels if word in label.casefold().split()][:20]


def queries(snapshot: Path) -> dict[str, Any]:
    """In this process (a child): search, paths and hub detail, ours and plain."""
    import orjson

    from graph.limits import Deadline
    from graph.queries.entity_detail import entity_detail
    from graph.queries.groups import GROUP_THRESHOLD
    from graph.queries.paths import find_paths
    from graph.queries.subgraph import subgraph
    from graph.store import GraphStore

    store = GraphStore.from_snapshot(snapshot)
    graph, index = store.graph, store.index
    gc.freeze()
    rng = random.Random(13)
    counts = collections.Counter(
        w for _, label in graph.nodes(data="label") for w in str(label).casefold().split() if w.isalpha()
    )
    words = [w for w, _ in counts.most_common(30)] + rng.sample(sorted(counts), 200)
    each = iter(words * 2)
    ours_search = latencies(lambda: index.search(next(each), limit=20), len(words))
    labels = [(n, str(label)) for n, label in graph.nodes(data="label")]
    each = iter(words)
    plain_searches = latencies(lambda: plain_search(labels, next(each)), 20)

    ids = list(graph)
    pairs = [tuple(rng.sample(ids, 2)) for _ in range(RUNS)]
    each_pair = iter(pairs)
    truncated = 0

    def ours_path() -> None:
        nonlocal truncated
        found = find_paths(graph, *next(each_pair), max_hops=4, limit=10, deadline=Deadline(2.0))
        found.answer(graph)
        truncated += bool(found.truncated_reason and found.truncated_reason != "limit")

    ours_paths = latencies(ours_path, RUNS)
    simple = nx.Graph(graph.to_undirected(as_view=True))
    each_pair = iter(pairs)
    plain_path_times = latencies(lambda: plain_paths(simple, *next(each_pair)), 50, 120)

    hubs = sorted(store.hubs.groups, key=lambda n: -graph.degree(n))[:4]
    each_hub = iter(hubs * 50)
    ours_hub = latencies(lambda: entity_detail(graph, next(each_hub), limit=15, hubs=store.hubs), len(hubs) * 50)

    def plain_hub(node: str) -> list[Any]:
        edges = sorted(graph.in_edges(node, keys=True, data=True), key=lambda e: str(e[3].get("start", "")))
        edges += sorted(graph.out_edges(node, keys=True, data=True), key=lambda e: str(e[3].get("start", "")))
        return edges[:15]

    each_hub = iter(hubs * 3)
    plain_hub_times = latencies(lambda: plain_hub(next(each_hub)), len(hubs) * 3)

    def grouped_view(node: str) -> bytes:
        part = subgraph(graph, [node], depth=2, max_nodes=500, group=GROUP_THRESHOLD, deadline=Deadline(2.0))
        return orjson.dumps(part.to_json(graph))

    each_hub = iter(hubs * 5)
    ours_grouped = latencies(lambda: grouped_view(next(each_hub)), len(hubs) * 5)
    each_hub = iter(hubs)
    plain_ego = latencies(lambda: nx.ego_graph(graph, next(each_hub), radius=1, undirected=True), len(hubs), 120)
    return {
        "search": ours_search,
        "plain_search": plain_searches,
        "paths": ours_paths,
        "truncated": truncated,
        "plain_paths": plain_path_times,
        "hub": ours_hub,
        "plain_hub": plain_hub_times,
        "hub_degrees": [graph.degree(n) for n in hubs],
        "grouped": ours_grouped,
        "plain_ego": plain_ego,
    }


def query_rows(snapshot: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--queries", str(snapshot)], check=True, capture_output=True, text=True
    )
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print("\n### Queries in one process, from the snapshot (ms)\n")
    print("| query | ours p50 | ours p99 | ours max | plain p50 | plain p99 | p50 ratio (plain/ours) |")
    print("|---|---|---|---|---|---|---|")
    for label, ours, plain in (
        ("one-word search, 30 most common words and 200 random ones (plain: every name scanned)", "search",
         "plain_search"),
        (f"paths, up to 10 of at most 4 hops, {RUNS} random pairs ({r['truncated']} truncated; plain: "
         "shortest_simple_paths, 50 pairs)", "paths", "plain_paths"),
        (f"first page of a hub's detail, the 4 biggest hubs ({', '.join(f'{d:,}' for d in r['hub_degrees'])} "
         "relations; plain: the whole group read and sorted)", "hub", "plain_hub"),
        ("the same hubs' depth-2 view with groups, as JSON (plain: `nx.ego_graph` radius 1, every "
         "neighbour)", "grouped", "plain_ego"),
    ):  # fmt: skip
        o, q = r[ours], r[plain]
        print(
            f"| {label} | {fmt_ms(p(o, 50))} | {fmt_ms(p(o, 99))} | {fmt_ms(max(o))} "
            f"| {fmt_ms(p(q, 50))} | {fmt_ms(p(q, 99))} | {p(q, 50) / p(o, 50):,.1f}x |"
        )


PLAIN_EXPORT = """
import sys, networkx as nx
from bench.ftm import plain_load
graph = plain_load(sys.argv[1])
for data in [*(d for _, d in graph.nodes(data=True)), *(d for *_, d in graph.edges(data=True))]:
    for k, v in list(data.items()):
        if v is None:
            del data[k]
        elif isinstance(v, list):
            data[k] = "; ".join(map(str, v))
nx.write_graphml(graph, sys.argv[2])
"""


def export_rows(ftm: Path, snapshot: Path) -> None:
    print("\n### Export to GraphML, end to end (the command with its load)\n")
    print("| command | seconds | plain networkx script, s | ratio (plain/ours) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        out = Path(folder) / "out.graphml"
        plain = timed([sys.executable, "-c", PLAIN_EXPORT, str(ftm), str(out)])
        for label, args in (("--ftm FILE", ["--ftm", str(ftm)]), ("--snapshot FILE", ["--snapshot", str(snapshot)])):
            seconds = timed([str(LINKSCOPE), "export", *args, "--format", "graphml", "-o", str(out)])
            print(
                f"| `linkscope export {label} --format graphml` | {seconds:.1f} | {plain:.1f} "
                f"| {plain / seconds:.2f}x |"
            )


def main() -> None:
    ftm = ftm_file()
    snapshot = ftm.with_suffix(".snapshot")
    print(f"\n## A million entities under real use: {SIZE:,} FtM entities ({ftm.stat().st_size / 2**20:,.0f} MiB)\n")
    made = timed([str(LINKSCOPE), "snapshot", "--ftm", str(ftm), "-o", str(snapshot)])
    print(f"`linkscope snapshot` end to end: {made:.1f} s, {snapshot.stat().st_size / 2**20:,.0f} MiB.")
    startup_and_memory(ftm, snapshot)
    query_rows(snapshot)
    export_rows(ftm, snapshot)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--queries":
        print(json.dumps(queries(Path(sys.argv[2]))))
    else:
        main()
