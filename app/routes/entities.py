"""Search, entity detail and supply chains."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from app.api_models import EntityDetailOut, MatchesOut, SearchPage, SupplyChainOut
from app.deps import AsOf, SettingsDep, StoreDep, deadline
from app.errors import ERROR_RESPONSES, ErrorBody
from app.responses import SELECTION_FORMAT_HELP, export_responses, json_response, selection_response
from graph.exports import FormatName
from graph.limits import MAX_PAGE
from graph.queries.entity_detail import entity_detail
from graph.queries.selection import SupplyChainOf, select
from graph.xref.score import DEFAULT_THRESHOLD

router = APIRouter(prefix="/api/entities", tags=["entities"], responses=ERROR_RESPONSES)

EntityId = Annotated[str, Path(min_length=1, max_length=200, description="Entity id.", examples=["xian-longde"])]


@router.get("", response_model=SearchPage, summary="Search entities by name or alias")
def search_entities(
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200, description="Words of a label or alias; empty lists all.")] = "",
    kind: Annotated[str | None, Query(max_length=50, description="Only this kind.", examples=["firm"])] = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$", description="ISO alpha-2 code.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Case- and accent-insensitive search; exact matches rank above prefixes, prefixes above substrings.

    Searching `lontek` finds Xi'an Longde through its alias.
    """
    store.known("kind", None if kind is None else [kind])
    page = store.index.search(q, kind=kind, country=country, limit=limit, offset=offset, deadline=deadline(settings))
    return json_response(asdict(page))


@router.get("/{entity_id}", response_model=EntityDetailOut, summary="One entity with its relations and evidence")
def get_entity(
    store: StoreDep,
    settings: SettingsDep,
    entity_id: EntityId,
    relation: Annotated[str | None, Query(max_length=50, description="Only this relation type.")] = None,
    direction: Annotated[Literal["out", "in"] | None, Query(description="Only outgoing or incoming.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per relation group.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many items in each group.")] = 0,
    as_of: AsOf = None,
) -> Response:
    """The entity's attributes and sources, and its relations grouped by type and direction.

    Each group has a `total`; page through a hub's group with `relation`, `direction` and `offset`.
    """
    node = store.require(entity_id)
    store.known("relation", None if relation is None else [relation])
    detail = entity_detail(
        store.graph,
        node,
        relation=relation,
        direction=direction,
        limit=limit,
        offset=offset,
        as_of=as_of,
        deadline=deadline(settings),
        hubs=store.hubs,
    )
    return json_response(detail)


@router.get(
    "/{entity_id}/supply-chain",
    response_model=SupplyChainOut,
    responses=export_responses(),
    summary="Upstream suppliers of a programme",
)
def get_supply_chain(
    store: StoreDep,
    settings: SettingsDep,
    entity_id: EntityId,
    as_of: AsOf = None,
    format: Annotated[FormatName, Query(description=SELECTION_FORMAT_HELP)] = "json",
) -> Response:
    """Every supplier and developer upstream of a programme (or any recipient), each with its
    chain of hops and whether it is sanctioned on `as_of` (default: today)."""
    selection = select(store, SupplyChainOf(entity_id, as_of), deadline=deadline(settings))
    return selection_response(selection.source, selection, format)


@router.get(
    "/{entity_id}/matches",
    response_model=MatchesOut,
    responses={503: {"model": ErrorBody, "description": "The cross-reference index is still being built."}},
    summary="List entries (imported FtM data) that are likely this curated entity",
)
def get_matches(
    store: StoreDep,
    entity_id: EntityId,
    threshold: Annotated[float, Query(ge=0, le=1, description="Lowest score listed.")] = DEFAULT_THRESHOLD,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Response:
    """The loaded FollowTheMoney entities that are probably the same as a curated firm, agency,
    institute or person, best first, each with a score in [0, 1] and the reasons: which names
    matched and how (after legal forms, transliteration, word order, acronyms), whether the
    countries agree, shared identifiers. With a million imported entities the index behind it is
    built once, in the background: until then the answer is 503 with a Retry-After."""
    node = store.require(entity_id)
    return json_response(store.xref_index().matches(store.graph, node, threshold=threshold, limit=limit))
