"""Search, entity detail and supply chains."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from app.deps import AsOf, SettingsDep, StoreDep, deadline, known_values
from app.errors import ERROR_RESPONSES
from app.responses import FORMAT_HELP, SelectionFormat, export_response, export_responses, json_response
from app.schemas import EntityDetail, SearchPage, SupplyChainOut
from graph.entity_detail import entity_detail
from graph.limits import MAX_PAGE
from graph.subgraph import selection_graph
from graph.supply_chain import supply_chain, supply_chain_selection

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
    if kind is not None:
        known_values("kind", [kind], store.graph.graph.get("kinds", {}))
    page = store.index.search(q, kind=kind, country=country, limit=limit, offset=offset, deadline=deadline(settings))
    return json_response(asdict(page))


@router.get("/{entity_id}", response_model=EntityDetail, summary="One entity with its relations and evidence")
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
    if relation is not None:
        known_values("relation", [relation], store.graph.graph.get("relation_types", {}))
    detail = entity_detail(
        store.graph,
        node,
        relation=relation,
        direction=direction,
        limit=limit,
        offset=offset,
        as_of=as_of,
        deadline=deadline(settings),
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
    format: Annotated[SelectionFormat, Query(description=FORMAT_HELP)] = "json",
) -> Response:
    """Every supplier and developer upstream of a programme (or any recipient), each with its
    chain of hops and whether it is sanctioned on `as_of` (default: today)."""
    node = store.require(entity_id)
    day = as_of or date.today()
    chain = supply_chain(store.graph, node, as_of=day, deadline=deadline(settings))
    if format != "json":
        selection = supply_chain_selection(chain)
        return export_response(selection_graph(store.graph, selection), format, f"linkscope-supply-chain-{node}-{day}")
    return json_response(chain)
