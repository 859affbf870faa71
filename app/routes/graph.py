"""Subgraphs and paths: the parts of the graph between and around entities."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.deps import AsOf, SettingsDep, StoreDep, deadline, known_values
from app.errors import ERROR_RESPONSES
from app.responses import FORMAT_HELP, SelectionFormat, export_response, export_responses, json_response
from app.schemas import PathsOut, SubgraphOut
from graph.limits import MAX_CENTERS, MAX_DEPTH, MAX_HOPS, MAX_NODES, MAX_PATHS
from graph.paths import find_paths
from graph.search import entity_summary
from graph.selection import paths_selection
from graph.subgraph import selection_graph, subgraph

router = APIRouter(prefix="/api", tags=["graph"], responses=ERROR_RESPONSES)

Relations = Annotated[
    list[str] | None,
    Query(description="Only these relation types (repeat the parameter).", examples=[["sanctioned", "supplied"]]),
]
Direction = Annotated[Literal["out", "in", "both"], Query(description="Follow edges outwards, inwards, or both ways.")]


@router.get(
    "/subgraph",
    response_model=SubgraphOut,
    responses=export_responses(),
    summary="k-hop neighbourhood of one or more entities",
)
def get_subgraph(
    store: StoreDep,
    settings: SettingsDep,
    center: Annotated[list[str], Query(min_length=1, max_length=MAX_CENTERS, description="Centre id (repeatable).")],
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 1,
    direction: Direction = "both",
    kinds: Annotated[list[str] | None, Query(description="Only reach entities of these kinds.")] = None,
    relations: Relations = None,
    as_of: AsOf = None,
    max_nodes: Annotated[int | None, Query(ge=1, le=MAX_NODES, description="Default: the server setting.")] = None,
    expand: Annotated[
        list[str] | None,
        Query(max_length=MAX_CENTERS, description="Also add the direct neighbours of these ids (repeatable)."),
    ] = None,
    format: Annotated[SelectionFormat, Query(description=FORMAT_HELP)] = "json",
) -> Response:
    """Everything within `depth` hops of the centres; when `max_nodes` cuts, the nearest nodes are kept
    and `truncated` is true. `as_of` drops relations not in force that day."""
    graph = store.graph
    centers = [store.require(c) for c in center]
    expanded = [store.require(e) for e in expand or ()]
    selection = subgraph(
        graph,
        centers,
        depth=depth,
        direction=direction,
        kinds=known_values("kinds", kinds, graph.graph.get("kinds", {})),
        relations=known_values("relations", relations, graph.graph.get("relation_types", {})),
        as_of=as_of,
        max_nodes=max_nodes or settings.max_nodes,
        expand=expanded,
        deadline=deadline(settings),
    )
    if format != "json":
        name = f"linkscope-subgraph-{'-'.join(centers[:3])}-depth{depth}" + (f"-as-of-{as_of}" if as_of else "")
        return export_response(selection_graph(graph, selection), format, name)
    return json_response(selection.to_json(graph))


@router.get(
    "/paths", response_model=PathsOut, responses=export_responses(), summary="Explained paths between two entities"
)
def get_paths(
    store: StoreDep,
    settings: SettingsDep,
    source: Annotated[str, Query(min_length=1, max_length=200, examples=["riamb"])],
    target: Annotated[str, Query(min_length=1, max_length=200, examples=["shaheen-3"])],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
    relations: Relations = None,
    as_of: AsOf = None,
    direction: Direction = "both",
    limit: Annotated[int, Query(ge=1, le=MAX_PATHS)] = 10,
    derived: Annotated[
        bool, Query(description="Also follow derived edges (based_in from a country field), not followed by default.")
    ] = False,
    format: Annotated[SelectionFormat, Query(description=FORMAT_HELP)] = "json",
) -> Response:
    """Shortest paths first, then longer simple paths, up to `limit`; every hop carries its edge's
    evidence and a sentence explaining it. With `direction=both` hops may run against an edge
    (`forward: false`)."""
    graph = store.graph
    source_id, target_id = store.require(source), store.require(target)
    result = find_paths(
        graph,
        source_id,
        target_id,
        max_hops=max_hops,
        relations=known_values("relations", relations, graph.graph.get("relation_types", {})),
        as_of=as_of,
        direction=direction,
        limit=limit,
        derived=derived,
        deadline=deadline(settings),
    )
    if format != "json":
        selection = paths_selection(result)
        return export_response(selection_graph(graph, selection), format, f"linkscope-paths-{source_id}-{target_id}")
    return json_response(
        {
            "source": entity_summary(graph, source_id),
            "target": entity_summary(graph, target_id),
            "paths": [{"length": len(hops), "hops": hops} for hops in result.paths],
            "truncated": result.truncated,
            "truncated_reason": result.truncated_reason,
        }
    )
