"""Export formats: one module each, every one streaming bytes from a graph or a selection of it.

:data:`EXPORT_FORMATS` is the registry every entry point reads its format names from
(the routes' ``format=`` parameter, the CLI's ``--format`` choices, the docs' table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, get_args

import networkx as nx

from graph.exports import csv_zip, ftm, gexf, graphml, node_link
from graph.exports.part_source import PartSource
from graph.exports.source import GraphSource, Source
from graph.queries.selection import Neighbourhood, Selection

__all__ = ["EXPORT_FORMATS", "ExportFormat", "FormatName", "export", "source_of"]

#: The format names: the registry's keys, as a type the routes and the CLI can declare.
FormatName = Literal["graphml", "gexf", "json", "csv", "ftm"]


@dataclass(frozen=True)
class ExportFormat:
    """A format: its writer, media type, file extension and what opens it."""

    name: FormatName
    write: Callable[[nx.MultiDiGraph | Source], Iterator[bytes]]
    media_type: str
    extension: str
    description: str


EXPORT_FORMATS: dict[FormatName, ExportFormat] = {
    spec.name: spec
    for spec in (
        ExportFormat("graphml", graphml.generate_graphml, graphml.MEDIA_TYPE, "graphml",
                     "GraphML (XSD-valid): Gephi, Cytoscape, yEd, igraph, networkx"),
        ExportFormat("gexf", gexf.generate_gexf, gexf.MEDIA_TYPE, "gexf",
                     "GEXF 1.3 with colours and sizes: Gephi, Gephi Lite"),
        ExportFormat("json", node_link.generate_node_link, node_link.MEDIA_TYPE, "json",
                     "networkx node-link JSON (with `edges`)"),
        ExportFormat("csv", csv_zip.generate_csv_zip, csv_zip.MEDIA_TYPE, "csv.zip",
                     "a zip of nodes.csv and edges.csv: spreadsheets, pandas"),
        ExportFormat("ftm", ftm.generate_ftm, ftm.MEDIA_TYPE, "ftm.json",
                     "FollowTheMoney JSON lines: Aleph, OpenSanctions tools"),
    )
}  # fmt: skip
assert set(EXPORT_FORMATS) == set(get_args(FormatName)), "FormatName must list exactly the registered formats"


def export(graph: nx.MultiDiGraph, selection: Selection, fmt: FormatName) -> Iterator[bytes]:
    """Stream ``selection`` of ``graph`` in ``fmt``."""
    return EXPORT_FORMATS[fmt].write(source_of(graph, selection))


def source_of(graph: nx.MultiDiGraph, selection: Selection) -> Source:
    """What an export of ``selection`` writes: the graph, the part as drawn (groups as
    nodes), or the part with its groups' members streamed (see :mod:`graph.exports.part_source`)."""
    part = selection.part
    if part is None:
        return GraphSource(graph)
    if isinstance(selection.query, Neighbourhood) and selection.query.export_groups:
        return GraphSource(part.drawn_graph(graph, grouped=True))
    if not part.hidden:
        return GraphSource(part.drawn_graph(graph))
    return PartSource(part, graph)
