"""The end of an FtM load: references to entities no file held, and the vocabulary the data used.

Edges are added as lines come, so a reference may name an entity a later line (or file)
defines; only once every file is read can a reference be called dangling. A dangling
reference is a problem (file and line of the referring record); with ``skip_invalid`` the
edges to it are dropped, so no edge ever points at a node that holds no record.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from graph.ingest.ftm.mapping import imported_vocabulary
from graph.ingest.ftm.report import FtmReport
from graph.store import records

__all__ = ["resolve_references"]


def resolve_references(
    graph: nx.MultiDiGraph, report: FtmReport, kinds: Iterable[str], relations: Iterable[str], skip_invalid: bool
) -> None:
    """Report (and with ``skip_invalid`` drop) references to entities no loaded file contains,
    then give the graph a vocabulary that covers the kinds and relations the data used."""
    for node in records.placeholders(graph):
        referring = [*records.relations_of(graph, node, "in"), *records.relations_of(graph, node, "out")]
        for u, v, _, data in referring:
            referrer = u if v == node else v
            report.problem(
                "reference to a missing entity",
                str(data.get("ftm_file", "")),
                data.get("ftm_line", 0),
                f"{data.get('schema', 'entity')} {data.get('ftm_id', referrer)!r} refers to {node!r}, "
                "which no loaded file contains",
            )
        if skip_invalid:
            report.edges -= records.remove_entity(graph, node)
    records.set_vocabulary(graph, imported_vocabulary(records.vocabulary(graph), kinds, relations))
    graph.graph.setdefault("ftm", {})["files"] = list(report.files)
