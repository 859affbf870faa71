"""Deterministic synthetic graphs shaped like Linkscope's: typed nodes, dated sanctions, hubs."""

from __future__ import annotations

import random

import networkx as nx

KINDS = ("firm", "firm", "firm", "person", "person", "agency", "institute", "programme")
RELATIONS = ("supplied", "part_of", "official_of", "based_in", "develops")
COUNTRIES = ("CN", "PK", "BY", "US", "IN", "RU", "AE", "TR")


def synthetic_graph(nodes: int, edges_per_node: float = 2.0, seed: int = 7, sources: bool = True) -> nx.MultiDiGraph:
    """``nodes`` entities and about ``edges_per_node * nodes`` relations.

    A few authorities sanction many targets (the biggest hub, ``n0``, has about 1% of all
    edges), the rest is preferential: most nodes have a handful of edges.
    """
    rng = random.Random(seed)
    graph = nx.MultiDiGraph(name="synthetic")
    for i in range(nodes):
        kind = "agency" if i < 10 else rng.choice(KINDS)
        graph.add_node(f"n{i}", label=f"Entity {i}", kind=kind, country=rng.choice(COUNTRIES), confidence="press")
        if sources:
            graph.nodes[f"n{i}"]["sources"] = [{"url": f"https://example.org/{i}", "publisher": "Example"}]
    total = int(nodes * edges_per_node)
    hub_edges = total // 100
    for j in range(hub_edges):
        target = f"n{rng.randrange(10, nodes)}"
        year, month, day = rng.randrange(2015, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
        graph.add_edge("n0", target, key=f"sanctioned-{j}", relation="sanctioned", date=f"{year}-{month:02d}-{day:02d}",
                       status="designated", legal_basis="EO 13382")  # fmt: skip
    pool = [f"n{i}" for i in range(nodes)]
    for j in range(total - hub_edges):
        u = rng.choice(pool)
        v = pool[min(int(rng.paretovariate(1.2)) - 1, nodes - 1)] if rng.random() < 0.3 else rng.choice(pool)
        if u == v:
            continue
        relation = rng.choice(RELATIONS)
        graph.add_edge(u, v, key=f"{relation}-{j}", relation=relation, status="reported", confidence="press")
    return graph


def biggest_hub(graph: nx.MultiDiGraph) -> str:
    return str(max(graph.degree, key=lambda pair: pair[1])[0])
