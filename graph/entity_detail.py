"""One entity with its relations grouped by type and direction, each with its evidence."""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx

from graph.asof import edge_counts_on
from graph.ftm.provenance import ftm_citations
from graph.limits import MAX_PAGE, Deadline, check_range
from graph.search import entity_summary

__all__ = ["LABEL_ORDER_UP_TO", "edge_record", "entity_detail", "node_record"]

#: Groups up to this size are ordered by date, then label; longer ones by date only.
LABEL_ORDER_UP_TO = 5_000


def node_record(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """An entity with all its attributes (imported ones with their FtM citation)."""
    data = graph.nodes[node]
    if "ftm_file" in data:
        return {"id": node, **data, "sources": ftm_citations(data)}
    return {"id": node, **data}


def edge_record(source: str, target: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
    """An edge with its endpoints, key and every attribute (dates, status, sources...)."""
    if "ftm_file" in data:
        return {"source": source, "target": target, "key": key, **data, "sources": ftm_citations(data)}
    return {"source": source, "target": target, "key": key, **data}


def entity_detail(
    graph: nx.MultiDiGraph,
    node: str,
    *,
    relation: str | None = None,
    direction: str | None = None,
    limit: int = 50,
    offset: int = 0,
    as_of: date | None = None,
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """The entity and its relations, grouped by (relation type, direction) and paged per group.

    Each group reports its ``total``; a hub's long group is read page by page by asking
    for that ``relation`` and ``direction`` with an ``offset``. Items are ordered by date
    (most recent first, undated last), then by the other end's label; in groups of more than
    :data:`LABEL_ORDER_UP_TO` relations only by date (looking up every label of a country's
    half a million members costs seconds). When the time budget runs out while grouping,
    ``truncated`` is true and the totals count what was read.

    >>> from graph.build import load_graph
    >>> detail = entity_detail(load_graph(), "xian-longde", relation="sanctioned")
    >>> [(g["relation"], g["direction"], g["total"]) for g in detail["relations"]]
    [('sanctioned', 'in', 2)]
    """
    check_range("limit", limit, 1, MAX_PAGE)
    check_range("offset", offset, 0, 10**9)
    deadline = deadline or Deadline.unlimited()
    vocabulary = graph.graph.get("relation_types", {})
    groups: dict[tuple[str, str], list[tuple[str, str, str, str, dict[str, Any]]]] = {}
    read = 0
    for way, edges in (
        ("out", graph.out_edges(node, keys=True, data=True)),
        ("in", graph.in_edges(node, keys=True, data=True)),
    ):
        if direction and way != direction:
            continue
        for u, v, k, d in edges:
            read += 1
            if read % 4096 == 0 and deadline.expired:
                break
            rel = d.get("relation", "related")
            if (relation and rel != relation) or not edge_counts_on(d, as_of):
                continue
            other = v if way == "out" else u
            groups.setdefault((rel, way), []).append((u, v, k, other, d))
    order = {name: i for i, name in enumerate(vocabulary)}
    result = []
    for (rel, way), items in sorted(groups.items(), key=lambda g: (order.get(g[0][0], len(order)), g[0])):
        if len(items) <= LABEL_ORDER_UP_TO:
            items.sort(key=lambda it: str(graph.nodes[it[3]].get("label", it[3])))
        items.sort(key=lambda it: it[4].get("date") or it[4].get("start") or "", reverse=True)  # undated last
        spec = vocabulary.get(rel, {})
        label = spec.get("label", rel) if way == "out" else spec.get("inverse_label", rel)
        result.append(
            {
                "relation": rel,
                "direction": way,
                "label": label,
                "total": len(items),
                "offset": offset,
                "limit": limit,
                "items": [
                    {"other": entity_summary(graph, other), "edge": edge_record(u, v, k, d)}
                    for u, v, k, other, d in items[offset : offset + limit]
                ],
            }
        )
    return {"entity": node_record(graph, node), "relations": result, "truncated": deadline.expired}
