"""One entity with its relations grouped by type and direction, each with its evidence."""

from __future__ import annotations

from datetime import date
from typing import Literal, TypedDict

import networkx as nx

from graph.limits import MAX_PAGE, Deadline, check_range
from graph.store import records
from graph.store.hubs import Hubs

__all__ = ["LABEL_ORDER_UP_TO", "EntityDetail", "RelatedItem", "RelationGroup", "entity_detail"]

#: Groups up to this size are ordered by date, then label; longer ones by date only.
LABEL_ORDER_UP_TO = 5_000


class RelatedItem(TypedDict):
    other: records.EntitySummary
    edge: records.RelationRecord


class RelationGroup(TypedDict):
    """The relations of one type in one direction, one page of them."""

    relation: str
    direction: str
    label: str
    total: int
    offset: int
    limit: int
    items: list[RelatedItem]


class EntityDetail(TypedDict):
    """What ``/api/entities/{id}`` answers."""

    entity: records.EntityRecord
    relations: list[RelationGroup]
    truncated: bool


def entity_detail(
    graph: nx.MultiDiGraph,
    node: str,
    *,
    relation: str | None = None,
    direction: Literal["out", "in"] | None = None,
    limit: int = 50,
    offset: int = 0,
    as_of: date | None = None,
    deadline: Deadline | None = None,
    hubs: Hubs | None = None,
) -> EntityDetail:
    """The entity and its relations, grouped by (relation type, direction) and paged per group.

    Each group reports its ``total``; a hub's long group is read page by page by asking
    for that ``relation`` and ``direction`` with an ``offset``. Items are ordered by date
    (most recent first, undated last), then by the other end's label; in groups of more than
    :data:`LABEL_ORDER_UP_TO` relations only by date (looking up every label of a country's
    half a million members costs seconds). When the time budget runs out while grouping,
    ``truncated`` is true and the totals count what was read. A hub that ``hubs`` indexes is
    answered from its groups, already ordered (by label too): a page is then a slice.

    >>> from graph.store.build import load_graph
    >>> detail = entity_detail(load_graph(), "xian-longde", relation="sanctioned")
    >>> [(g["relation"], g["direction"], g["total"]) for g in detail["relations"]]
    [('sanctioned', 'in', 2)]
    """
    check_range("limit", limit, 1, MAX_PAGE)
    check_range("offset", offset, 0, 10**9)
    deadline = deadline or Deadline.unlimited()
    vocab = records.vocabulary(graph)
    if hubs is not None and node in hubs:
        return _from_hub_index(graph, node, hubs, relation, direction, limit, offset, as_of)
    groups: dict[tuple[str, str], list[tuple[str, str, str, str, records.Attrs]]] = {}
    read = 0
    ways: tuple[Literal["out", "in"], ...] = ("out", "in") if direction is None else (direction,)
    for way in ways:
        for u, v, k, d in records.relations_of(graph, node, way):
            read += 1
            if read % 4096 == 0 and deadline.expired:
                break
            rel = d.get("relation", "related")
            if (relation and rel != relation) or not records.counts_on(d, as_of):
                continue
            other = v if way == "out" else u
            groups.setdefault((rel, way), []).append((u, v, k, other, d))
    order = {name: i for i, name in enumerate(vocab.relation_types)}
    result: list[RelationGroup] = []
    for (rel, side), items in sorted(groups.items(), key=lambda g: (order.get(g[0][0], len(order)), g[0])):
        if len(items) <= LABEL_ORDER_UP_TO:
            items.sort(key=lambda it: records.label(graph, it[3]))
        items.sort(key=lambda it: records.when(it[4]) or "", reverse=True)  # undated last
        result.append(
            {
                "relation": rel,
                "direction": side,
                "label": vocab.relation_label(rel, forward=side == "out"),
                "total": len(items),
                "offset": offset,
                "limit": limit,
                "items": [
                    {"other": records.summary(graph, other), "edge": records.relation_record(u, v, k, d)}
                    for u, v, k, other, d in items[offset : offset + limit]
                ],
            }
        )
    return {"entity": records.entity_record(graph, node), "relations": result, "truncated": deadline.expired}


def _from_hub_index(
    graph: nx.MultiDiGraph,
    node: str,
    hubs: Hubs,
    relation: str | None,
    direction: Literal["out", "in"] | None,
    limit: int,
    offset: int,
    as_of: date | None,
) -> EntityDetail:
    vocab = records.vocabulary(graph)
    order = {name: i for i, name in enumerate(vocab.relation_types)}
    result: list[RelationGroup] = []
    for (rel, side), group in sorted(hubs.of(node).items(), key=lambda g: (order.get(g[0][0], len(order)), g[0])):
        if (relation and rel != relation) or (direction and side != direction):
            continue
        total, positions = group.page(as_of, offset, limit)
        if not total:
            continue
        items: list[RelatedItem] = []
        ends = [(node, group.others[at]) if side == "out" else (group.others[at], node) for at in positions]
        records.gather_pairs(graph, ends)
        for position in positions:
            other, key = group.others[position], group.keys[position]
            u, v = (node, other) if side == "out" else (other, node)
            edge = records.relation_record(u, v, key, records.relation_attrs(graph, u, v, key))
            items.append({"other": records.summary(graph, other), "edge": edge})
        result.append(
            {
                "relation": rel,
                "direction": side,
                "label": vocab.relation_label(rel, forward=side == "out"),
                "total": total,
                "offset": offset,
                "limit": limit,
                "items": items,
            }
        )
    return {"entity": records.entity_record(graph, node), "relations": result, "truncated": False}
