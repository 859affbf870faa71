"""Turn a validated :class:`Dataset` into the ``networkx.MultiDiGraph`` everything else queries.

Nodes are keyed by entity id, edges by ``(source, target, key)``; parallel relations (two
designations of one target) stay separate edges. Attribute dicts hold only values that
are present (no ``None``), and JSON-native types only, so every export can rely on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from graph.dataset import Dataset
from graph.load import load_dataset
from graph.models import Citation, Entity, Relation

__all__ = ["build_graph", "edge_id", "load_graph"]

# Kinds whose `country` field also yields a `based_in` edge to the country's node.
_LOCATED_KINDS = ("firm", "institute", "place")


def edge_id(source: str, target: str, key: str) -> str:
    """A graph-wide unique, NMTOKEN-safe id for one edge.

    >>> edge_id("us-state-dept", "xian-longde", "sanctioned-2024-04-19")
    'us-state-dept:sanctioned-2024-04-19:xian-longde'
    """
    return f"{source}:{key}:{target}"


def load_graph(paths: Sequence[Path | str] | None = None) -> nx.MultiDiGraph:
    """Load, validate and build in one call (default: the bundled data)."""
    return build_graph(load_dataset(paths))


def build_graph(ds: Dataset) -> nx.MultiDiGraph:
    """Build the graph of a validated dataset.

    >>> G = load_graph()
    >>> sorted(G["us-state-dept"]["xian-longde"])
    ['sanctioned-2024-04-19', 'sanctioned-2024-09-12']
    """
    graph = nx.MultiDiGraph(
        name="linkscope",
        kinds={name: spec.model_dump() for name, spec in ds.kinds.items()},
        relation_types={name: spec.model_dump() for name, spec in ds.relation_types.items()},
    )
    for entity in ds.entities.values():
        graph.add_node(entity.id, **_node_attributes(ds, entity))
    for relation in ds.relations:
        key = relation.key or relation.default_key()
        graph.add_edges_from([(relation.source, relation.target, key, _edge_attributes(ds, relation, key))])
    _add_country_edges(ds, graph)
    return graph


def _citations(ds: Dataset, citations: list[Citation]) -> list[dict[str, str]]:
    resolved = []
    for citation in citations:
        base: dict[str, Any] = (
            {"source_id": citation.ref, **ds.sources[citation.ref].model_dump(exclude={"id"})}
            if citation.ref
            else citation.model_dump(exclude={"ref", "quote"})
        )
        if citation.quote:
            base["quote"] = citation.quote
        resolved.append({k: v for k, v in base.items() if v is not None})
    return resolved


def _node_attributes(ds: Dataset, entity: Entity) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "label": entity.label,
        "kind": entity.kind,
        "aliases": list(entity.aliases),
        "confidence": entity.confidence.value,
        "sources": _citations(ds, entity.sources),
    }
    for name in ("country", "description", "note"):
        value = getattr(entity, name)
        if value is not None:
            attrs[name] = value
    if entity.same_as:
        attrs["same_as"] = list(entity.same_as)
    attrs.update(entity.attributes)
    return attrs


def _edge_attributes(ds: Dataset, relation: Relation, key: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "id": edge_id(relation.source, relation.target, key),
        "relation": relation.type,
        "status": relation.status.value,
        "confidence": relation.confidence.value,
        "sources": _citations(ds, relation.sources),
    }
    for name in ("date", "start", "end", "claimed_by", "note"):
        value = getattr(relation, name)
        if value is not None:
            attrs[name] = value
    attrs.update(relation.model_extra or {})
    return attrs


def _add_country_edges(ds: Dataset, graph: nx.MultiDiGraph) -> None:
    """Give located entities a ``based_in`` edge to their country, citing the entity's sources."""
    rtype = ds.relation_types.get("based_in")
    if rtype is None:
        return
    country_nodes = {e.country: e.id for e in ds.entities.values() if e.kind == "country" and e.country}
    for entity in ds.entities.values():
        target = country_nodes.get(entity.country or "")
        if (
            target is None
            or entity.kind not in _LOCATED_KINDS
            or entity.kind not in rtype.source_kinds
            or "country" not in rtype.target_kinds
            or any(d["relation"] == "based_in" for d in graph.get_edge_data(entity.id, target, default={}).values())
        ):
            continue
        attrs = {
            "id": edge_id(entity.id, target, "based_in"),
            "relation": "based_in",
            "status": "reported",
            "confidence": entity.confidence.value,
            "sources": _citations(ds, entity.sources),
            "derived": True,
            "note": "Derived from the entity's country field; cites the entity's sources.",
        }
        graph.add_edges_from([(entity.id, target, "based_in", attrs)])
