"""A part of the graph a query chose: nodes with their distance from where it started, and edges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

import networkx as nx

from graph.queries.groups import Group, GroupedRelation, Reached
from graph.store import records

__all__ = ["GROUP_KIND", "GroupNode", "Part", "PartAnswer", "PartNode", "group_edge"]

#: The kind of the nodes that stand for a group of neighbours (not an entity kind of the data).
GROUP_KIND = "group"


class PartNode(records.EntityRecord):
    """An entity of a part, with its hops from the nearest centre (or along the path)."""

    distance: int


class GroupNode(PartNode):
    """A node standing for a group of neighbours (kind ``group``; see :mod:`graph.queries.groups`)."""

    of: str
    relation: str
    direction: str
    facet: str | None
    value: str | None
    count: int
    members: dict[str, str]
    """The parameters of ``GET /api/groups/members`` that list the group's members."""


class PartAnswer(TypedDict):
    """A part in node-link form: what ``/api/subgraph`` answers."""

    nodes: list[PartNode]
    edges: list[records.RelationRecord]
    truncated: bool
    truncated_reason: str | None
    grouped: list[GroupedRelation]
    """Each relation whose neighbours were grouped, with its exact counts (empty without grouping)."""


def group_edge(group: Group) -> dict[str, Any]:
    """The edge joining a group's entity to the group, in node-link form (with its count)."""
    source, target = group.ends
    return {"source": source, "target": target, "key": GROUP_KIND, "relation": group.relation,
            "id": f"{group.id}:edge", "count": group.count}  # fmt: skip


@dataclass
class Part:
    """Nodes with their distance from the nearest centre, and the keys of the edges between them."""

    nodes: dict[str, int] = field(default_factory=dict)
    edges: list[records.EdgeKey] = field(default_factory=list)
    truncated: bool = False
    truncated_reason: str | None = None
    groups: list[Group] = field(default_factory=list)
    grouped: list[GroupedRelation] = field(default_factory=list)
    hidden: list[tuple[str, str, Mapping[str, Reached]]] = field(default_factory=list)
    """Per grouped relation: its entity, the direction, and the members in its groups with the
    edge that reaches each (what an export writes instead of the groups; where a database
    counted them, read only when an export asks)."""
    groups_on: date | None = None
    """The day the groups count their members on, when a view's as-of day recounted them
    (None: every member, whatever the dates of its relations)."""
    edge_attrs: dict[records.EdgeKey, records.Attrs] = field(default_factory=dict, repr=False, compare=False)
    """The attributes of those of ``edges`` the query read as it chose them (a subgraph's,
    all), so that answering does not look them up again (a graph read from a database looks
    each up through its lazy mappings: a millisecond for a view's 800)."""

    def cut(self, reason: str) -> Part:
        """Mark the part as cut short (``max_nodes``, ``time_budget``, ``limit``...)."""
        self.truncated = True
        self.truncated_reason = reason
        return self

    def to_json(self, graph: nx.MultiDiGraph) -> PartAnswer:
        """Node-link form: nodes with attributes and ``distance``, edges with every attribute.

        Imported (FtM) records carry their provenance as attributes (``datasets``,
        ``source_url``, ``ftm_file``, ``ftm_line``); the citation built from them is added
        where records are shown one at a time (entity detail, paths, the explorer), not
        here, where it would cost more than the whole query.
        """
        records.fetch(graph, self.nodes)
        self._gather_unread(graph)
        entities = records.entities(graph)
        nodes = []
        for node, distance in self.nodes.items():
            record = entities[node].copy()  # dict.copy is the fastest way to a fresh dict
            record["id"] = node
            record["distance"] = distance
            nodes.append(record)
        succ, read = records.successors(graph), self.edge_attrs
        edges = []
        for edge in self.edges:
            u, v, k = edge
            data = read.get(edge)
            record = dict(succ[u][v][k] if data is None else data)
            record["source"], record["target"], record["key"] = u, v, k
            if "id" not in record:  # imported edges do not store theirs
                record["id"] = records.edge_id(u, v, k)
            edges.append(record)
        for group in self.groups:
            nodes.append(dict(self.group_node(graph, group)))
            edges.append(group_edge(group))
        return {
            "nodes": nodes,  # type: ignore[typeddict-item]
            "edges": edges,  # type: ignore[typeddict-item]
            "truncated": self.truncated,
            "truncated_reason": self.truncated_reason,
            "grouped": self.grouped,
        }

    def _gather_unread(self, graph: nx.MultiDiGraph) -> None:
        """Read the edges the query found without reading them (a supply chain's), at once."""
        read = self.edge_attrs
        records.gather_pairs(graph, dict.fromkeys((u, v) for u, v, k in self.edges if (u, v, k) not in read))

    def group_node(self, graph: nx.MultiDiGraph, group: Group) -> GroupNode:
        """A group as a node, labelled with its count, the relation read towards the members,
        the entity and the facet value: "1,240 sanctioned by HM Treasury · RU"."""
        spec = records.vocabulary(graph).relation_types.get(group.relation)
        phrase = (spec.inverse_label if group.way == "out" else spec.label) if spec else group.relation
        label = f"{group.count:,} {phrase} {records.label(graph, group.of)}"
        return {
            "id": group.id,
            "label": label + (f" · {group.value}" if group.value is not None else ""),
            "kind": GROUP_KIND,
            "distance": self.nodes.get(group.of, 0) + 1,
            "of": group.of,
            "relation": group.relation,
            "direction": group.way,
            "facet": group.facet,
            "value": group.value,
            "count": group.count,
            "members": group.members_query(),
        }

    def as_graph(self, graph: nx.MultiDiGraph, grouped: bool = False) -> nx.MultiDiGraph:
        """The part as a graph of its own, for exports (attribute dicts shared, not copied: never
        edit them). Grouped neighbours are there as the entities they are, each with the relation
        that joins it to its group's entity (a file for other tools holds real entities), or with
        ``grouped`` as the groups drawn, nodes of kind ``group`` with their counts. An export
        writes the same without this graph, the members streamed (see
        :class:`graph.exports.part_source.PartSource`): a big hub's would take gigabytes."""
        view = self.drawn_graph(graph, grouped)
        if grouped:
            return view
        entities = records.entities(graph)
        for of, way, members in self.hidden:
            for member, (key, _) in members.items():
                if member not in view:
                    records.add_entity(view, member, entities[member])
                u, v = (of, member) if way == "out" else (member, of)
                records.add_relation(view, u, v, key, records.relation_attrs(graph, u, v, key))
        return view

    def drawn_graph(self, graph: nx.MultiDiGraph, grouped: bool = False) -> nx.MultiDiGraph:
        """The part's own nodes and edges as a graph of its own (attribute dicts shared), with
        ``grouped`` its groups as nodes of kind ``group``; without, no group and no member of
        one (never one of the part's own nodes)."""
        view = records.new_graph(records.vocabulary(graph))
        view.graph.update({k: v for k, v in graph.graph.items() if k not in view.graph})
        records.fetch(graph, self.nodes)
        self._gather_unread(graph)
        entities = records.entities(graph)
        for node in self.nodes:
            records.add_entity(view, node, entities[node])
        read = self.edge_attrs
        for u, v, k in self.edges:
            data = read.get((u, v, k))
            records.add_relation(view, u, v, k, records.relation_attrs(graph, u, v, k) if data is None else data)
        if grouped:
            for group in self.groups:
                shown = self.group_node(graph, group)
                attrs = {k: v for k, v in shown.items() if k not in ("id", "distance", "members")}
                records.add_entity(view, group.id, attrs)
                source, target = group.ends
                edge = {"relation": group.relation, "count": group.count}
                records.add_relation(view, source, target, GROUP_KIND, edge)
        return view
