"""Turn a validated :class:`~graph.ingest.dataset.Dataset` into the graph everything else queries.

Nodes are keyed by entity id, edges by ``(source, target, key)``; parallel relations (two
designations of one target) stay separate edges. Attribute dicts hold only values that are
present (no ``None``), and JSON-native types only, so every export can rely on them; how
they are laid out is :mod:`graph.store.records`' business.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import networkx as nx

from graph.ingest.curated import load_dataset
from graph.ingest.dataset import Dataset
from graph.model.datafile import Citation, Entity, Relation
from graph.model.vocabulary import Vocabulary
from graph.store import records

__all__ = ["build_graph", "load_graph", "vocabulary_of"]


def load_graph(paths: Sequence[Path | str] | None = None) -> nx.MultiDiGraph:
    """Load, validate and build in one call (default: the bundled data)."""
    return build_graph(load_dataset(paths))


def vocabulary_of(ds: Dataset) -> Vocabulary:
    """The typed vocabulary a dataset declares."""
    assert ds.defaults is not None, "a validated dataset has defaults"
    return Vocabulary(
        ds.kinds, ds.relation_types, ds.statuses, ds.confidence, ds.defaults, ds.source_types, ds.measures
    )


def build_graph(ds: Dataset) -> nx.MultiDiGraph:
    """Build the graph of a validated dataset.

    >>> G = load_graph()
    >>> sorted(G["us-state-dept"]["xian-longde"])
    ['sanctioned-2024-04-19', 'sanctioned-2024-09-12']
    """
    graph = records.new_graph(vocabulary_of(ds))
    for entity in ds.entities.values():
        records.add_entity(graph, entity.id, _entity_attributes(ds, entity))
    for relation in ds.relations:
        key = relation.key or relation.default_key()
        records.add_relation(graph, relation.source, relation.target, key, _relation_attributes(ds, relation, key))
    _add_country_edges(ds, graph)
    return graph


def _citations(ds: Dataset, citations: list[Citation]) -> list[records.Citation]:
    resolved = []
    for citation in citations:
        base: dict[str, Any] = (
            {"source_id": citation.ref, **ds.sources[citation.ref].model_dump(exclude={"id"})}
            if citation.ref
            else citation.model_dump(exclude={"ref", "quote"})
        )
        if citation.quote:
            base["quote"] = citation.quote
        resolved.append(cast(records.Citation, {k: v for k, v in base.items() if v is not None}))
    return resolved


def _entity_attributes(ds: Dataset, entity: Entity) -> records.Attrs:
    attrs: records.Attrs = {
        "label": entity.label,
        "kind": entity.kind,
        "aliases": list(entity.aliases),
        "confidence": entity.confidence,
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


def _relation_attributes(ds: Dataset, relation: Relation, key: str) -> records.Attrs:
    attrs: records.Attrs = {
        "id": records.edge_id(relation.source, relation.target, key),
        "relation": relation.type,
        "status": relation.status,
        "confidence": relation.confidence,
        "sources": _citations(ds, relation.sources),
    }
    for name in ("date", "start", "end", "end_basis", "claimed_by", "reasoning", "note"):
        value = getattr(relation, name)
        if value is not None:
            attrs[name] = value
    attrs.update(relation.model_extra or {})
    return attrs


def _add_country_edges(ds: Dataset, graph: nx.MultiDiGraph) -> None:
    """Give entities of located kinds a ``based_in`` edge to their country, citing the entity's sources."""
    rtype = ds.relation_types.get("based_in")
    if rtype is None:
        return
    vocab = records.vocabulary(graph)
    country_nodes = {e.country: e.id for e in ds.entities.values() if e.kind == "country" and e.country}
    for entity in ds.entities.values():
        target = country_nodes.get(entity.country or "")
        if (
            target is None
            or not vocab.located(entity.kind)
            or entity.kind not in rtype.source_kinds
            or "country" not in rtype.target_kinds
            or records.has_relation(graph, entity.id, target, "based_in")
        ):
            continue
        attrs = {
            "id": records.edge_id(entity.id, target, "based_in"),
            "relation": "based_in",
            "status": "reported",
            "confidence": entity.confidence,
            "sources": _citations(ds, entity.sources),
            "derived": True,
            "note": "Derived from the entity's country field; cites the entity's sources.",
        }
        records.add_relation(graph, entity.id, target, "based_in", attrs)
