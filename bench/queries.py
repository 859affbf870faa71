"""Subgraph and path latency at 10k, 100k and 1M nodes: Linkscope beside plain networkx.

Plain networkx, subgraph: ``nx.ego_graph(G, centre, radius=2, undirected=True)`` serialised
with ``json.dumps(nx.node_link_data(...))``; and, kinder to networkx, the same BFS on an
undirected view built once (no per-query copy of the graph). Paths: up to 10 simple paths
of at most 4 hops from ``nx.shortest_simple_paths`` on an undirected simple graph built once.
Linkscope: ``graph.subgraph.subgraph(..., depth=2, max_nodes=500)`` serialised with orjson;
``graph.paths.find_paths(..., max_hops=4, limit=10)`` with evidence and explanation per hop.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import random
import time

import networkx as nx
import orjson

from app.memory import collect_less_often
from bench.synthetic import biggest_hub, synthetic_graph
from bench.timing import fmt_ms, latencies, p
from graph.limits import Deadline
from graph.queries.paths import find_paths
from graph.queries.subgraph import subgraph

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
BUDGET = 2.0  # the server's default time budget, seconds


def ours_subgraph(graph: nx.MultiDiGraph, node: str) -> bytes:
    selection = subgraph(graph, [node], depth=2, max_nodes=500, deadline=Deadline(BUDGET))
    return orjson.dumps(selection.to_json(graph))


def plain_subgraph(graph: nx.MultiDiGraph, node: str) -> str:
    ego = nx.ego_graph(graph, node, radius=2, undirected=True)
    return json.dumps(nx.node_link_data(ego, edges="edges"), default=str)


def ours_paths(graph: nx.MultiDiGraph, a: str, b: str) -> bytes:
    result = find_paths(graph, a, b, max_hops=4, limit=10, deadline=Deadline(BUDGET))
    return orjson.dumps(result.answer(graph))


def plain_subgraph_view(graph: nx.MultiDiGraph, undirected: nx.MultiGraph, node: str) -> str:
    reached = nx.single_source_shortest_path_length(undirected, node, cutoff=2)
    return json.dumps(nx.node_link_data(graph.subgraph(reached), edges="edges"), default=str)


def plain_paths(simple: nx.Graph, a: str, b: str) -> list[list[str]]:
    paths: list[list[str]] = []
    try:
        for path in nx.shortest_simple_paths(simple, a, b):
            if len(path) > 5 or len(paths) == 10:
                break
            paths.append(path)
    except nx.NetworkXNoPath:
        pass
    return paths


def row(label: str, ours: list[float], plain: list[float]) -> str:
    ratio = p(plain, 50) / p(ours, 50)
    return (
        f"| {label} | {fmt_ms(p(ours, 50))} | {fmt_ms(p(ours, 99))} | {fmt_ms(max(ours))} "
        f"| {fmt_ms(p(plain, 50))} | {fmt_ms(p(plain, 99))} | {ratio:,.1f}x |"
    )


def bench_size(size: int) -> None:
    """Print the rows of one graph size (everything built here is freed on return)."""
    started = time.perf_counter()
    graph = synthetic_graph(size)
    built = time.perf_counter() - started
    rng = random.Random(size)
    nodes = [f"n{rng.randrange(10, size)}" for _ in range(RUNS)]
    hub = biggest_hub(graph)
    undirected = graph.to_undirected(as_view=True)
    simple = nx.Graph(undirected)
    gc.collect()
    gc.freeze()  # as the server does once its graph is loaded; after the baselines' copies too
    collect_less_often()  # as `linkscope serve` does
    label = f"{size:,} nodes / {graph.number_of_edges():,} edges"
    pairs = [(nodes[i], nodes[-1 - i]) for i in range(min(RUNS, 50))]

    def each(fn, items, runs, budget_s=60.0):  # type: ignore[no-untyped-def]
        it = itertools.cycle(items)
        return latencies(lambda: fn(*next(it)), runs, budget_s)

    ordinary = [(graph, n) for n in nodes]
    ours = each(ours_subgraph, ordinary, RUNS)
    print(row(f"{label}, subgraph, ordinary nodes", ours, each(plain_subgraph, ordinary, RUNS)))
    view_args = [(graph, undirected, n) for n in nodes]
    print(
        row(
            f"{label}, subgraph, ordinary nodes (plain: BFS on a prebuilt view)",
            ours,
            each(plain_subgraph_view, view_args, RUNS),
        )
    )
    ours_hub = each(ours_subgraph, [(graph, hub)], max(RUNS // 4, 5))
    print(
        row(
            f"{label}, subgraph, biggest hub ({graph.degree(hub):,} edges)",
            ours_hub,
            each(plain_subgraph, [(graph, hub)], 5),
        )
    )
    plain_hub_view = each(plain_subgraph_view, [(graph, undirected, hub)], 5)
    print(row(f"{label}, subgraph, biggest hub (plain: BFS on a prebuilt view)", ours_hub, plain_hub_view))
    ours_p = each(ours_paths, [(graph, a, b) for a, b in pairs], len(pairs))
    plain_p = each(plain_paths, [(simple, a, b) for a, b in pairs], len(pairs), budget_s=120)
    print(row(f"{label}, paths, up to 10 of at most 4 hops", ours_p, plain_p))
    print(f"| ({label}: built in {built:.1f} s) | | | | | | |")
    gc.unfreeze()


def main() -> None:
    print("\n## Subgraph (depth 2) and path latency, ms\n")
    print("| graph, query | ours p50 | ours p99 | ours max | plain nx p50 | plain nx p99 | p50 ratio (plain/ours) |")
    print("|---|---|---|---|---|---|---|")
    for size in SIZES:
        bench_size(size)


if __name__ == "__main__":
    main()
