"""Who is upstream of a programme (or any recipient), through which chain, and are they sanctioned?

Walks backwards from the target over ``supplied`` and ``develops`` edges, and over
``part_of`` edges between programmes (a supplier to the Shaheen-3 serves the Shaheen
series too). Each upstream entity gets its shortest chain, written supplier-first, and
its designations with whether each is in force on the as-of day.
"""

from __future__ import annotations

from collections import deque
from datetime import date
from typing import Any

import networkx as nx

from graph.asof import edge_counts_on
from graph.entity_detail import edge_record
from graph.limits import Deadline
from graph.paths import explain_hop
from graph.search import entity_summary
from graph.subgraph import Selection

__all__ = ["CHAIN_RELATIONS", "supply_chain", "supply_chain_selection"]

CHAIN_RELATIONS = ("supplied", "develops", "part_of")
_CONFIDENCE_ORDER = ("primary", "press-quoting-primary", "press", "dataset", "weak")  # dataset: imported FtM
_MAX_UPSTREAM = 5_000


def supply_chain(
    graph: nx.MultiDiGraph, target: str, *, as_of: date, deadline: Deadline | None = None
) -> dict[str, Any]:
    """Every entity upstream of ``target`` with its chain of hops and sanction status on ``as_of``.

    >>> from datetime import date
    >>> from graph.build import load_graph
    >>> chain = supply_chain(load_graph(), "shaheen-3", as_of=date(2024, 5, 1))
    >>> {u["entity"]["id"]: u["sanctioned"] for u in chain["upstream"]}["mzkt"]
    True
    """
    deadline = deadline or Deadline.unlimited()
    parent: dict[str, tuple[str, str, str, str, dict[str, Any]]] = {}  # node -> edge towards target
    depth = {target: 0}
    queue = deque([target])
    truncated = None
    while queue:
        if deadline.expired:
            truncated = "time_budget"
            break
        node = queue.popleft()
        for u, _, key, data in graph.in_edges(node, keys=True, data=True):
            if u in depth or not _links(graph, u, node, data, as_of):
                continue
            if len(depth) > _MAX_UPSTREAM:
                truncated = "max_nodes"
                queue.clear()
                break
            depth[u] = depth[node] + 1
            parent[u] = (u, node, key, data.get("relation", ""), data)
            queue.append(u)

    upstream = []
    for node in depth:
        if node == target:
            continue
        chain = _chain(graph, node, target, parent)
        designations = [
            {**edge_record(u, node, k, d), "in_force": edge_counts_on(d, as_of)}
            for u, _, k, d in graph.in_edges(node, keys=True, data=True)
            if d.get("relation") == "sanctioned"
        ]
        roles = sorted({hop["relation"] for hop in chain if hop["from"] == node})
        upstream.append(
            {
                "entity": entity_summary(graph, node),
                "roles": roles,
                "distance": depth[node],
                "sanctioned": any(d["in_force"] for d in designations),
                "designations": designations,
                "chain": chain,
                "weakest_confidence": max(
                    (hop.get("confidence", "weak") for hop in chain),
                    key=lambda c: _CONFIDENCE_ORDER.index(c) if c in _CONFIDENCE_ORDER else len(_CONFIDENCE_ORDER),
                ),
                "disputed": any(hop.get("status") == "disputed" for hop in chain),
            }
        )
    upstream.sort(key=lambda u: (u["distance"], u["entity"]["label"]))
    return {
        "target": entity_summary(graph, target),
        "as_of": as_of.isoformat(),
        "upstream": upstream,
        "truncated": truncated is not None,
        "truncated_reason": truncated,
    }


def _links(graph: nx.MultiDiGraph, upstream: str, downstream: str, data: dict[str, Any], as_of: date) -> bool:
    relation = data.get("relation")
    if relation not in CHAIN_RELATIONS or not edge_counts_on(data, as_of):
        return False
    if relation == "part_of":  # only programme components feed their parent programme
        return bool(graph.nodes[upstream].get("kind") == "programme" == graph.nodes[downstream].get("kind"))
    return True


def _chain(
    graph: nx.MultiDiGraph, start: str, target: str, parent: dict[str, tuple[str, str, str, str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    hops = []
    node = start
    while node != target:
        u, v, key, relation, data = parent[node]
        hops.append({**edge_record(u, v, key, data), "from": u, "to": v, "forward": True,
                     "explanation": explain_hop(graph, u, v, relation, True)})  # fmt: skip
        node = v
    return hops


def supply_chain_selection(chain: dict[str, Any]) -> Selection:
    """The part of the graph a supply chain shows: the target, everything upstream, the
    chain hops, and each upstream entity's designations with their authorities."""
    selection = Selection(nodes={chain["target"]["id"]: 0}, truncated=chain["truncated"])
    selection.truncated_reason = chain["truncated_reason"]
    edges: dict[tuple[str, str, str], None] = {}
    for entry in chain["upstream"]:
        selection.nodes[entry["entity"]["id"]] = entry["distance"]
        for hop in entry["chain"]:
            edges[(hop["source"], hop["target"], hop["key"])] = None
        for designation in entry["designations"]:
            selection.nodes.setdefault(designation["source"], entry["distance"] + 1)
            edges[(designation["source"], designation["target"], designation["key"])] = None
    selection.edges = list(edges)
    return selection
