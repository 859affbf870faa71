"""Who is upstream of a programme (or any recipient), through which chain, and are they sanctioned?

Walks backwards from the target over the relation types the vocabulary marks as carrying
supplies (``supply_chain``: supplied and develops, and part_of between programmes, so a
supplier to the Shaheen-3 serves the Shaheen series too). Each upstream entity gets its
shortest chain, written supplier-first, and its designations with whether each is in force
on the as-of day.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

import networkx as nx

from graph.limits import Deadline
from graph.queries.part import Part
from graph.queries.paths import ChainHop, chain_hop
from graph.store import records

__all__ = ["Designation", "SupplyChainAnswer", "Upstream", "chain_part", "supply_chain"]

_MAX_UPSTREAM = 5_000


class Designation(records.RelationRecord):
    in_force: bool


class Upstream(TypedDict):
    """One entity upstream of the target: how it feeds the chain, and whether it is sanctioned."""

    entity: records.EntitySummary
    roles: list[str]
    distance: int
    sanctioned: bool
    designations: list[Designation]
    chain: list[ChainHop]
    weakest_confidence: str
    disputed: bool
    inferred: bool
    """A hop of the chain is the curator's inference, not anyone's claim."""


class SupplyChainAnswer(TypedDict):
    """What ``/api/entities/{id}/supply-chain`` answers."""

    target: records.EntitySummary
    as_of: str
    upstream: list[Upstream]
    truncated: bool
    truncated_reason: str | None


def chain_part(answer: SupplyChainAnswer) -> Part:
    """The part of the graph a supply chain shows: the target, everything upstream, the chain
    hops, and each upstream entity's designations with their authorities."""
    part = Part(nodes={answer["target"]["id"]: 0}, truncated=answer["truncated"])
    part.truncated_reason = answer["truncated_reason"]
    edges: dict[records.EdgeKey, None] = {}
    for entry in answer["upstream"]:
        part.nodes[entry["entity"]["id"]] = entry["distance"]
        for hop in entry["chain"]:
            edges[(hop["source"], hop["target"], hop["key"])] = None
        for designation in entry["designations"]:
            part.nodes.setdefault(designation["source"], entry["distance"] + 1)
            edges[(designation["source"], designation["target"], designation["key"])] = None
    part.edges = list(edges)
    return part


def supply_chain(
    graph: nx.MultiDiGraph, target: str, *, as_of: date, deadline: Deadline | None = None
) -> SupplyChainAnswer:
    """Every entity upstream of ``target`` with its chain of hops and sanction status on ``as_of``.

    >>> from datetime import date
    >>> from graph.store.build import load_graph
    >>> chain = supply_chain(load_graph(), "shaheen-3", as_of=date(2024, 5, 1))
    >>> {u["entity"]["id"]: u["sanctioned"] for u in chain["upstream"]}["mzkt"]
    True
    """
    deadline = deadline or Deadline.unlimited()
    vocab = records.vocabulary(graph)
    entities = records.entities(graph)
    carrying = frozenset(name for name, spec in vocab.relation_types.items() if spec.chain_rule is not None)
    parent: dict[str, tuple[str, str, str, records.Attrs]] = {}  # node -> edge towards target
    depth = {target: 0}
    truncated: str | None = None
    # breadth first, a level at a time (the order a queue gives): a database-backed graph reads
    # a whole level's supplying edges in one statement, and the entities they come from in one more
    level = [target]
    while level and truncated is None:
        if deadline.expired:
            truncated = "time_budget"
            break
        feeding = list(records.relations_into(graph, level, carrying))
        records.fetch(graph, [*level, *(u for u, _, _, _ in feeding if u not in depth)])
        reached: list[str] = []
        for count, (u, node, key, data) in enumerate(feeding):
            if count % 1_000 == 999 and deadline.expired:
                truncated = "time_budget"
                break
            if u in depth or not records.counts_on(data, as_of):
                continue
            if not vocab.feeds_chain(data.get("relation"), entities[u].get("kind"), entities[node].get("kind")):
                continue
            if len(depth) > _MAX_UPSTREAM:
                truncated = "max_nodes"
                break
            depth[u] = depth[node] + 1
            parent[u] = (u, node, key, data)
            reached.append(u)
        level = reached

    found = [node for node in depth if node != target]
    designated: dict[str, list[Designation]] = {node: [] for node in found}
    for u, node, k, d in records.relations_into(graph, found, ("sanctioned",)):
        designated[node].append({**records.relation_record(u, node, k, d), "in_force": records.counts_on(d, as_of)})
    upstream: list[Upstream] = []
    for node in found:
        if deadline.expired:
            truncated = truncated or "time_budget"
            break
        chain = _chain(graph, node, target, parent)
        designations = designated[node]
        upstream.append(
            {
                "entity": records.summary(graph, node),
                "roles": sorted({hop["relation"] for hop in chain if hop["from"] == node}),
                "distance": depth[node],
                "sanctioned": any(d["in_force"] for d in designations),
                "designations": designations,
                "chain": chain,
                "weakest_confidence": vocab.weakest(hop.get("confidence") for hop in chain) or "weak",
                "disputed": any(hop.get("status") == "disputed" for hop in chain),
                "inferred": any(vocab.inference(hop.get("status")) for hop in chain),
            }
        )
    upstream.sort(key=lambda u: (u["distance"], u["entity"]["label"]))
    return {
        "target": records.summary(graph, target),
        "as_of": as_of.isoformat(),
        "upstream": upstream,
        "truncated": truncated is not None,
        "truncated_reason": truncated,
    }


def _chain(
    graph: nx.MultiDiGraph, start: str, target: str, parent: dict[str, tuple[str, str, str, records.Attrs]]
) -> list[ChainHop]:
    hops = []
    node = start
    while node != target:
        u, v, key, data = parent[node]
        hops.append(chain_hop(graph, u, v, key, data, True))
        node = v
    return hops
