"""Timeline and changes between dates, statistics, whole-graph export and health."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.api_models import ChangesOut, Health, StatsOut, TimelineOut
from app.deps import Day, SettingsDep, StoreDep, deadline
from app.errors import ERROR_RESPONSES
from app.responses import FORMAT_HELP, export_response, export_responses, json_response
from graph.exports import FormatName
from graph.limits import MAX_CENTERS, MAX_DEPTH
from graph.queries.changes import changes
from graph.queries.selection import WholeGraph, select
from graph.queries.timeline import timeline

router = APIRouter(responses=ERROR_RESPONSES)

DatePrefix = Annotated[
    str | None,
    Query(
        pattern=r"^[1-9]\d{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
        description="YYYY, YYYY-MM or YYYY-MM-DD (inclusive), compared as a prefix of the relations' dates.",
    ),
]


@router.get(
    "/api/timeline", response_model=TimelineOut, tags=["timeline"], summary="Dated relations, by date and round"
)
def get_timeline(
    store: StoreDep,
    settings: SettingsDep,
    relations: Annotated[list[str] | None, Query(description="Only these relation types.")] = None,
    start: DatePrefix = None,
    end: DatePrefix = None,
    limit: Annotated[int, Query(ge=1, le=100_000, description="Dates per page (at most 500 unless summary).")] = 500,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    summary: Annotated[bool, Query(description="Only each date and its count, for a time bar.")] = False,
) -> Response:
    """Dated relations grouped by date; the same actor's same-day relations of one type form a
    round (e.g. the State Department's six designations of 2024-09-12)."""
    wanted = store.known("relations", relations)
    return json_response(
        timeline(
            store.graph,
            relations=wanted,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
            summary=summary,
            index=store.dated,
            deadline=deadline(settings),
        )
    )


@router.get(
    "/api/changes", response_model=ChangesOut, tags=["timeline"], summary="What began or ended between two dates"
)
def get_changes(
    store: StoreDep,
    settings: SettingsDep,
    start: Annotated[Day, Query(alias="from", description="The earlier date (excluded), YYYY-MM-DD.")],
    end: Annotated[Day, Query(alias="to", description="The later date (included), YYYY-MM-DD.")],
    center: Annotated[
        list[str] | None,
        Query(max_length=MAX_CENTERS, description="Only relations within the neighbourhood of these ids."),
    ] = None,
    depth: Annotated[int, Query(ge=0, le=MAX_DEPTH, description="Hops of that neighbourhood.")] = 1,
    via: Annotated[
        Literal["connections", "shared"], Query(description="The neighbourhood's walk rule.")
    ] = "connections",
    relations: Annotated[list[str] | None, Query(description="Only these relation types.")] = None,
) -> Response:
    """Relations that began or ended in (from, to], by the same rule as the as-of views: the view
    of `to` is the view of `from` plus what began and minus what ended. Grouped by round (one
    actor's same-day changes of one type, each relation with its evidence) and by entity."""
    return json_response(
        changes(
            store.graph,
            start,
            end,
            centers=[store.require(c) for c in center or ()],
            depth=depth,
            via=via,
            relations=store.known("relations", relations),
            index=store.dated,
            deadline=deadline(settings),
        )
    )


@router.get("/api/stats", response_model=StatsOut, tags=["meta"], summary="Counts and vocabulary")
def get_stats(store: StoreDep) -> Response:
    """Nodes by kind, edges by relation type and status, the date span, and where the data came from."""
    vocabulary = store.vocabulary.as_json()
    return json_response(
        {
            **store.stats,
            "data_paths": store.data_paths,
            "loaded_at": store.loaded_at.isoformat(),
            "relation_types": vocabulary["relation_types"],
            "kind_labels": {k: v["label"] for k, v in vocabulary["kinds"].items()},
        }
    )


@router.get("/api/export", tags=["export"], responses=export_responses(), summary="The whole graph as a file")
def export_graph(
    store: StoreDep,
    format: Annotated[FormatName, Query(description=FORMAT_HELP)] = "graphml",
) -> Response:
    """The whole graph, streamed, in any export format."""
    selection = select(store, WholeGraph())
    return export_response(selection.source, selection, format)


@router.get("/healthz", response_model=Health, tags=["meta"], summary="Liveness: 200 once the graph is loaded")
def healthz(store: StoreDep) -> Health:
    return Health(status="ok", nodes=store.nodes, edges=store.edges)
