"""Loading OpenSanctions-shaped FtM files of 100k and 1M entities: Linkscope beside plain networkx.

Each side runs in its own process, so each peak RSS is its own. Ours: ``GraphStore.load``
(the bundled data, then the FtM file streamed through the mapping, then the search
index), exactly what ``linkscope serve --ftm FILE`` does before answering. Plain: ``json.loads``
per line into an ``nx.MultiDiGraph`` (every property as an attribute, edge schemata and
sanctions as edges), then ``nx.ego_graph(radius=2, undirected=True)`` for subgraphs and
``nx.shortest_simple_paths`` on an undirected simple copy for paths. Sizes: BENCH_FTM_SIZES.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from bench.ftm_synthetic import write_ftm
from bench.queries import ours_paths, ours_subgraph, plain_paths, plain_subgraph
from bench.synthetic import biggest_hub
from bench.timing import fmt_ms, latencies, p
from graph.ingest.ftm.schemata import ftm_model

SIZES = [int(s) for s in os.environ.get("BENCH_FTM_SIZES", "100000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
CACHE = Path(os.environ.get("BENCH_CACHE", tempfile.gettempdir()))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plain_load(path: Path) -> nx.MultiDiGraph:
    """The obvious way: one json.loads per line, every property kept, edges from the edge schemata
    and from countries."""
    edges = {name: s.edge for name, s in ftm_model().schemata.items() if s.edge}
    graph = nx.MultiDiGraph()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            entity = json.loads(line)
            props = entity.get("properties", {})
            schema = entity["schema"]
            edge = edges.get(schema)
            if edge is not None:
                for u in props.get(edge.source, []):
                    for v in props.get(edge.target, []):
                        graph.add_edge(u, v, key=entity["id"], schema=schema, **props)
            elif schema == "Sanction":
                for u in props.get("authority", ["unknown authority"]):
                    for v in props.get("entity", []):
                        graph.add_edge(u, v, key=entity["id"], schema=schema, **props)
            else:
                graph.add_node(entity["id"], schema=schema, datasets=entity.get("datasets"), **props)
                for country in props.get("country", []):  # the same based_in edges as ours: the same graph shape
                    graph.add_edge(entity["id"], country, key="based_in")
    return graph


def sample_nodes(graph: nx.MultiDiGraph, size: int) -> list[str]:
    rng = random.Random(size)
    nodes = max(int(size * 0.55), 10)
    return [f"NK-{rng.randrange(nodes):07d}" for _ in range(RUNS)]


def side(which: str, path: Path, size: int) -> dict[str, Any]:
    """Load and query on one side; runs in a child process."""
    started = time.perf_counter()
    if which == "ours":
        from graph.store import GraphStore

        graph = GraphStore.load(ftm=[path]).graph
    else:
        graph = plain_load(path)
    loaded = time.perf_counter() - started
    rss = peak_rss_mib()
    gc.collect()
    gc.freeze()
    nodes = [n for n in sample_nodes(graph, size) if n in graph]
    hub = biggest_hub(graph)
    subgraph_fn = ours_subgraph if which == "ours" else plain_subgraph
    each_node, pairs = itertools.cycle(nodes), list(zip(nodes[:50], reversed(nodes[-50:]), strict=True))
    each_pair = itertools.cycle(pairs)
    ordinary = latencies(lambda: subgraph_fn(graph, next(each_node)), RUNS, 60)
    hub_times = latencies(lambda: subgraph_fn(graph, hub), RUNS // 4 if which == "ours" else 3, 120)
    if which == "ours":
        path_times = latencies(lambda: ours_paths(graph, *next(each_pair)), len(pairs), 120)
    else:
        simple = nx.Graph(graph.to_undirected(as_view=True))
        path_times = latencies(lambda: plain_paths(simple, *next(each_pair)), len(pairs), 120)
    return {
        "load_s": loaded,
        "peak_rss_mib": rss,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "hub": hub,
        "hub_degree": graph.degree(hub),
        "subgraph": ordinary,
        "hub_subgraph": hub_times,
        "paths": path_times,
    }


def run_side(which: str, path: Path, size: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.ftm", "--side", which, str(path), str(size)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_size(size: int) -> None:
    path = CACHE / f"linkscope-bench-{size}.ftm.json"
    if not path.is_file():
        write_ftm(path, size)
    ours, plain = run_side("ours", path, size), run_side("plain", path, size)

    label = f"{size:,} FtM entities ({path.stat().st_size / 2**20:,.0f} MiB)"
    print(
        f"| {label}, load | {ours['load_s']:.1f} s, {ours['peak_rss_mib']:,.0f} MiB peak "
        f"| {plain['load_s']:.1f} s, {plain['peak_rss_mib']:,.0f} MiB peak "
        f"| {plain['load_s'] / ours['load_s']:.1f}x time, {plain['peak_rss_mib'] / ours['peak_rss_mib']:.1f}x memory |"
    )
    print(
        f"| {label}, graph | {ours['nodes']:,} nodes, {ours['edges']:,} edges "
        f"| {plain['nodes']:,} nodes, {plain['edges']:,} edges | |"
    )
    for name, key in (("subgraph depth 2, ordinary nodes", "subgraph"), ("paths, up to 10 of at most 4 hops", "paths")):
        o, q = ours[key], plain[key]
        print(
            f"| {label}, {name} | p50 {fmt_ms(p(o, 50))} ms, p99 {fmt_ms(p(o, 99))} ms "
            f"| p50 {fmt_ms(p(q, 50))} ms, p99 {fmt_ms(p(q, 99))} ms | {p(q, 50) / p(o, 50):,.1f}x |"
        )
    o, q = ours["hub_subgraph"], plain["hub_subgraph"]
    print(
        f"| {label}, subgraph depth 2, biggest hub (ours {ours['hub']}, {ours['hub_degree']:,} edges; "
        f"plain {plain['hub']}, {plain['hub_degree']:,} edges) | p50 {fmt_ms(p(o, 50))} ms, p99 {fmt_ms(p(o, 99))} ms "
        f"| p50 {fmt_ms(p(q, 50))} ms ({len(q)} runs) | {p(q, 50) / p(o, 50):,.1f}x |"
    )


def main() -> None:
    print("\n## FollowTheMoney files: load, memory, subgraph and paths\n")
    print("Ours: `GraphStore.load(ftm=[file])` (curated data + FtM + search index), subgraphs with `max_nodes=500`.")
    print("Plain: `json.loads` per line into `nx.MultiDiGraph`, `nx.ego_graph(radius=2, undirected=True)`.\n")
    print("| file, measure | ours | plain networkx | ratio (plain/ours) |")
    print("|---|---|---|---|")
    for size in SIZES:
        bench_size(size)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--side":
        print(json.dumps(side(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))))
    else:
        main()
