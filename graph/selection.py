"""Selections of the graph that can be exported: paths between two entities."""

from __future__ import annotations

from graph.paths import PathResult
from graph.subgraph import Selection

__all__ = ["paths_selection"]


def paths_selection(result: PathResult) -> Selection:
    """The nodes and edges of the found paths (with their parallel edges), in path order."""
    selection = Selection(truncated=result.truncated, truncated_reason=result.truncated_reason)
    edges: dict[tuple[str, str, str], None] = {}
    for hops in result.paths:
        for position, hop in enumerate(hops):
            selection.nodes.setdefault(hop["from"], position)
            selection.nodes.setdefault(hop["to"], position + 1)
            for edge in (hop, *hop["parallel"]):
                edges[(edge["source"], edge["target"], edge["key"])] = None
    selection.edges = list(edges)
    return selection
