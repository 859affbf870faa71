"""The end of an FtM load: references to entities no file held, and the vocabulary the data used.

Edges are added as lines come, so a reference may name an entity a later line (or file)
defines; only once every file is read can a reference be called unresolved. Real exports and
slices of OpenSanctions data routinely refer to entities they do not hold (an ``Address``, a
parent company), so by default such a reference is not a problem: the referring entity is
loaded and keeps the reference as ``unresolved`` (property and target id), the load report
counts them by property and lists the first few with file and line, and no edge points at a
node that holds no record. ``strict`` makes every one a problem (the load is refused, or with
``skip_invalid`` the references are dropped and counted).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

from graph.ingest.ftm.mapping import imported_vocabulary
from graph.ingest.ftm.report import FtmReport
from graph.ingest.ftm.schemata import ftm_model
from graph.store import records

__all__ = ["resolve_references"]


def resolve_references(
    graph: nx.MultiDiGraph,
    report: FtmReport,
    kinds: Iterable[str],
    relations: Iterable[str],
    reference_props: Mapping[str, str],
    *,
    strict: bool = False,
    skip_invalid: bool = False,
) -> None:
    """Settle the references to entities no loaded file contains (see the module docstring),
    then give the graph a vocabulary that covers the kinds and relations the data used.

    ``reference_props`` maps the relation made from an entity reference (``address_entity``)
    back to its FtM property (``addressEntity``).
    """
    unresolved: dict[str, list[tuple[str, str]]] = {}
    for node in records.placeholders(graph):
        referring = [*records.relations_of(graph, node, "in"), *records.relations_of(graph, node, "out")]
        for u, v, _, data in referring:
            referrer = u if v == node else v
            prop = _property(data, reference_props, missing_is_target=v == node)
            file, line = str(data.get("ftm_file", "")), data.get("ftm_line", 0)
            message = (
                f"{data.get('schema', 'entity')} {data.get('ftm_id', referrer)!r} refers to {node!r} "
                f"({prop}), which no loaded file contains"
            )
            if strict:
                report.problem("reference to a missing entity", file, line, message)
                continue
            report.reference_not_loaded(prop, file, line, message)
            if data.get("relation") != "sanctioned" and records.entities(graph).get(referrer):
                unresolved.setdefault(referrer, []).append((prop, node))
        if skip_invalid or not strict:
            report.edges -= records.remove_entity(graph, node)
    for node, references in unresolved.items():
        attrs = records.entity_attrs(graph, node)
        attrs["unresolved"] = (*attrs.get("unresolved", ()), *dict.fromkeys(references))
    records.set_vocabulary(graph, imported_vocabulary(records.vocabulary(graph), kinds, relations))
    graph.graph.setdefault("ftm", {})["files"] = list(report.files)


def _property(data: Mapping[str, object], reference_props: Mapping[str, str], *, missing_is_target: bool) -> str:
    """The FtM property that names the missing entity: ``addressEntity``, ``Ownership.asset``..."""
    schema = ftm_model().get(str(data.get("schema")))
    if schema is not None and schema.edge is not None:
        end = schema.edge.target if missing_is_target else schema.edge.source
        return f"{schema.name}.{end}"
    if data.get("relation") == "sanctioned":
        return "Sanction.entity"
    relation = str(data.get("relation", ""))
    return reference_props.get(relation, relation)
