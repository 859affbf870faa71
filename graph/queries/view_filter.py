"""What a view shows of a part: the explorer's filters (kinds, relation types, as-of day,
hidden evidence) applied on the server, so a brief or a figure holds what the reader saw.

The rule is the explorer page's: an edge is shown when its relation type is enabled, it
counts on the as-of day, and its evidence is not hidden; a node is shown when its kind is
enabled, its evidence is not hidden, and it is a centre or an end of a shown edge. Groups
count, as the explorer recounts them, only the members in force on the as-of day and of the
enabled kinds.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

import networkx as nx

from graph.errors import OutOfTime
from graph.queries.groups import Group, GroupedRelation, Reached, recount
from graph.queries.part import Part
from graph.store import records

__all__ = ["ViewFilter", "filter_part"]


@dataclass(frozen=True)
class ViewFilter:
    """The explorer's filters; empty ``kinds`` or ``relations`` mean all of them."""

    kinds: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    as_of: date | None = None
    hide_inferred: bool = False
    hide_weak: bool = False


def filter_part(graph: nx.MultiDiGraph, part: Part, centers: Collection[str], view: ViewFilter) -> Part:
    """The nodes and edges of ``part`` that ``view`` shows, in the same order."""
    vocab = records.vocabulary(graph)
    entities = records.entities(graph)
    kinds, relations = frozenset(view.kinds), frozenset(view.relations)

    def evidence_shown(attrs: records.Attrs) -> bool:
        if view.hide_weak and vocab.weak_only(records.citations(attrs)):
            return False
        return not (view.hide_inferred and vocab.inference(attrs.get("status")))

    def node_allowed(node: str) -> bool:
        data = entities[node]
        return (not kinds or data.get("kind") in kinds) and evidence_shown(data)

    allowed = {node for node in part.nodes if node_allowed(node)}
    edges = []
    for u, v, k in part.edges:
        attrs = records.relation_attrs(graph, u, v, k)
        if u not in allowed or v not in allowed or (relations and attrs.get("relation") not in relations):
            continue
        if records.counts_on(attrs, view.as_of) and evidence_shown(attrs):
            edges.append((u, v, k))
    linked = {n for u, v, _ in edges for n in (u, v)}
    kept = {n: d for n, d in part.nodes.items() if n in allowed and (n in centers or n in linked)}

    def group_shown(of: str, relation: str) -> bool:
        return of in kept and (not relations or relation in relations)

    groups = [g for g in part.groups if group_shown(g.of, g.relation)]
    grouped = [g for g in part.grouped if group_shown(g["of"], g["relation"])]
    hidden = [h for h in part.hidden if h[0] in kept]
    cut = False
    if view.as_of is not None or kinds:
        groups, grouped, hidden, cut = _recounted(graph, part, grouped, view)
    return Part(
        nodes=kept,
        edges=edges,
        truncated=part.truncated or cut,
        truncated_reason=part.truncated_reason or ("time_budget" if cut else None),
        groups=groups,
        grouped=grouped,
        hidden=hidden,
        groups_on=view.as_of or part.groups_on,
        edge_attrs=part.edge_attrs,
    )


def _recounted(
    graph: nx.MultiDiGraph, part: Part, grouped: list[GroupedRelation], view: ViewFilter
) -> tuple[list[Group], list[GroupedRelation], list[tuple[str, str, Mapping[str, Reached]]], bool]:
    """The groups of ``grouped`` counted again as the explorer counts them under the view's
    as-of day and kinds (a group of no member left is dropped, a relation with none left too);
    and whether the query's time budget ran out first. A database counting a hub's members
    past it counts on, for the next view; the relations not recounted then are left out, as
    a view leaves out those it could not count (see :func:`graph.queries.subgraph.subgraph`)."""
    groups: list[Group] = []
    summaries: list[GroupedRelation] = []
    hidden: list[tuple[str, str, Mapping[str, Reached]]] = []
    for old in grouped:
        try:
            summary, regrouped, members = recount(graph, old, part.nodes, as_of=view.as_of, kinds=view.kinds)
        except OutOfTime:
            return groups, summaries, hidden, True
        if summary["total"]:
            groups += regrouped
            summaries.append(summary)
            hidden.append((summary["of"], summary["direction"], members))
    return groups, summaries, hidden, False
