"""Subgraphs and paths: the parts of the graph between and around entities."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.api_models import GroupMembersOut, PathsOut, SubgraphOut
from app.deps import AsOf, SettingsDep, StoreDep, deadline
from app.errors import ERROR_RESPONSES
from app.responses import SELECTION_FORMAT_HELP, export_responses, json_response, selection_response
from graph.errors import BadQuery
from graph.exports import FormatName
from graph.limits import MAX_CENTERS, MAX_DEPTH, MAX_HOPS, MAX_NODES, MAX_PAGE, MAX_PATHS
from graph.queries.groups import FACETS, GROUP_THRESHOLD, Facet, group_members
from graph.queries.selection import Neighbourhood, Paths, select

router = APIRouter(prefix="/api", tags=["graph"], responses=ERROR_RESPONSES)

Relations = Annotated[
    list[str] | None,
    Query(description="Only these relation types (repeat the parameter).", examples=[["sanctioned", "supplied"]]),
]
Direction = Annotated[Literal["out", "in", "both"], Query(description="Follow edges outwards, inwards, or both ways.")]
Format = Annotated[FormatName, Query(description=SELECTION_FORMAT_HELP)]
Via = Annotated[
    Literal["connections", "shared"],
    Query(
        description="`connections` (default): never pass through an entity by two shared relations (designated by "
        "the same authority, based in the same country; `paths: shared` in the vocabulary). `shared`: include them, "
        "labelled, after the connecting ones."
    ),
]


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
    via: Via = "connections",
    group: Annotated[
        Literal["auto", "none"],
        Query(
            description=f"auto: an entity's neighbours through one relation and direction, when more than "
            f"{GROUP_THRESHOLD}, come as nodes of kind `group` (split by kind, country, year or programme, each "
            "with its count and the parameters of `/api/groups/members`), and `grouped` gives the exact counts."
        ),
    ] = "none",
    grouped: Annotated[
        bool,
        Query(description="Exports: the groups as drawn, instead of the entities they stand for (the default)."),
    ] = False,
    format: Format = "json",
) -> Response:
    """Everything within `depth` hops of the centres; when `max_nodes` cuts, the nearest nodes are kept
    and `truncated` is true. `as_of` drops relations not in force that day."""
    query = Neighbourhood(
        centers=tuple(center),
        depth=depth,
        direction=direction,
        kinds=tuple(kinds or ()),
        relations=tuple(relations or ()),
        as_of=as_of,
        max_nodes=max_nodes or settings.max_nodes,
        expand=tuple(expand or ()),
        via=via,
        group=GROUP_THRESHOLD if group == "auto" else None,
        export_groups=grouped,
    )
    selection = select(store, query, deadline=deadline(settings))
    return selection_response(selection.source, selection, format)


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
    via: Via = "connections",
    format: Format = "json",
) -> Response:
    """Up to `limit` simple paths, best first: fewer hops, then the strongest weakest confidence
    along the path; with `via=shared`, paths through shared hubs follow, each shared step
    explained (`shared`). Every hop carries its edge's evidence and a sentence explaining it.
    With `direction=both` hops may run against an edge (`forward: false`)."""
    query = Paths(
        source=source,
        target=target,
        max_hops=max_hops,
        relations=tuple(relations or ()),
        as_of=as_of,
        direction=direction,
        limit=limit,
        derived=derived,
        via=via,
    )
    selection = select(store, query, deadline=deadline(settings))
    return selection_response(selection.source, selection, format)


@router.get("/groups/members", response_model=GroupMembersOut, summary="The members of a group of neighbours")
def get_group_members(
    store: StoreDep,
    settings: SettingsDep,
    of: Annotated[str, Query(min_length=1, max_length=200, description="The entity the group belongs to.")],
    relation: Annotated[str, Query(max_length=50, description="Its relation type.", examples=["sanctioned"])],
    direction: Annotated[Literal["out", "in"], Query(description="out: the members are its targets; in: sources.")],
    facet: Annotated[Facet | None, Query(description="The facet the group is of (with value).")] = None,
    value: Annotated[str | None, Query(max_length=200, description="The facet's value.")] = None,
    narrow: Annotated[
        list[str] | None,
        Query(
            max_length=len(FACETS),
            description="Keep only members with this facet value too, as facet:value (repeatable), e.g. "
            "country:CN: the group split by another facet.",
        ),
    ] = None,
    q: Annotated[str, Query(max_length=200, description="Only members whose label contains this.")] = "",
    kinds: Annotated[
        list[str] | None, Query(max_length=100, description="Only members of these kinds (repeatable).")
    ] = None,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """A page of a group's members by label (a group node's `members` gives the parameters), with
    the exact `total` of those matching `q`: any of them can then be centred or expanded. Past
    the query time budget (a word searched among a country's hundreds of thousands of members),
    none are given, `truncated` (`time_budget`)."""
    node = store.require(of)
    store.known("relation", [relation])
    store.known("kind", kinds)
    pairs = [item.partition(":") for item in narrow or ()]
    if any(not sep for _, sep, _ in pairs):
        raise BadQuery("narrow takes facet:value, e.g. country:CN")
    page = group_members(
        store.graph,
        node,
        relation,
        direction,
        facet=facet,
        value=value,
        narrow={name: wanted for name, _, wanted in pairs},
        q=q,
        kinds=kinds or (),
        as_of=as_of,
        offset=offset,
        limit=limit,
        deadline=deadline(settings),
    )
    return json_response(page)
