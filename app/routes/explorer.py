"""The browser explorer: its pages, the JSON it fetches, and the vis-network files from pyvis."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.responses import FileResponse, HTMLResponse

from app.deps import AsOf, SettingsDep, StoreDep
from app.explorer_page import ExplorerView, Hidden, default_view, explorer_selection, render_explorer, vis_data
from app.responses import json_response
from graph.limits import MAX_CENTERS, MAX_DEPTH, MAX_EXPANSIONS, MAX_NODES

router = APIRouter(include_in_schema=False)

_PYVIS = importlib.util.find_spec("pyvis")
VIS_DIR = Path(_PYVIS.origin).parent / "templates" / "lib" / "vis-9.1.2" if _PYVIS and _PYVIS.origin else None
VENDOR_FILES = {"vis-network.min.js": "application/javascript", "vis-network.min.css": "text/css"}
_VENDOR_SOURCES = {"vis-network.min.js": "vis-network.min.js", "vis-network.min.css": "vis-network.css"}

Ids = Annotated[list[str] | None, Query(max_length=MAX_CENTERS)]


@router.get("/", response_class=HTMLResponse)
def home(store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    return HTMLResponse(render_explorer(store, default_view(store), settings.max_nodes))


def explorer_view(
    store: StoreDep,
    view: Literal["subgraph", "supply-chain"] = "subgraph",
    center: Ids = None,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 2,
    kinds: Ids = None,
    relations: Ids = None,
    as_of: AsOf = None,
    expand: Annotated[list[str] | None, Query(max_length=MAX_EXPANSIONS)] = None,
    include: Annotated[list[str] | None, Query(max_length=MAX_EXPANSIONS)] = None,
    path_from: Annotated[str | None, Query(max_length=200)] = None,
    path_to: Annotated[str | None, Query(max_length=200)] = None,
    hide: Annotated[list[Hidden] | None, Query(max_length=2)] = None,
    via: Literal["connections", "shared"] = "connections",
    compare: AsOf = None,
) -> ExplorerView:
    """The view an explorer URL describes (the explorer page and the brief take the same URL);
    without a centre, the default view with the reader's evidence filters."""
    if not center:
        chosen = default_view(store)
        chosen.hide, chosen.via, chosen.compare = list(dict.fromkeys(hide or ())), via, compare
        return chosen
    return ExplorerView(
        view=view,
        center=center,
        depth=depth,
        kinds=kinds or [],
        relations=relations or [],
        as_of=as_of,
        expand=expand or [],
        include=include or [],
        path_from=path_from,
        path_to=path_to,
        hide=list(dict.fromkeys(hide or ())),
        via=via,
        compare=compare,
    )


ViewDep = Annotated[ExplorerView, Depends(explorer_view)]
MaxNodes = Annotated[int | None, Query(ge=1, le=MAX_NODES)]


@router.get("/explore", response_class=HTMLResponse)
def explore(store: StoreDep, settings: SettingsDep, chosen: ViewDep, max_nodes: MaxNodes = None) -> HTMLResponse:
    return HTMLResponse(render_explorer(store, chosen, max_nodes or settings.max_nodes))


@router.get("/explore/data")
def explore_data(
    store: StoreDep,
    settings: SettingsDep,
    center: Annotated[list[str], Query(min_length=1, max_length=MAX_CENTERS)],
    view: Literal["subgraph", "supply-chain"] = "subgraph",
    depth: Annotated[int, Query(ge=0, le=MAX_DEPTH)] = 1,
    expand: Ids = None,
    max_nodes: Annotated[int | None, Query(ge=1, le=MAX_NODES)] = None,
    via: Literal["connections", "shared"] = "connections",
) -> Response:
    """vis-network nodes and edges of a view, for what the page adds without a reload."""
    chosen = ExplorerView(view=view, center=center, depth=depth, expand=expand or [], via=via)
    selection = explorer_selection(store, chosen, max_nodes or settings.max_nodes)
    part = selection.part
    assert part is not None
    nodes, edges = vis_data(selection.source, part, chosen.center)
    return json_response(
        {"nodes": nodes, "edges": edges, "truncated": part.truncated, "truncated_reason": part.truncated_reason}
    )


@router.get("/vendor/{name}")
def vendor(name: str) -> FileResponse:
    """vis-network's JS and CSS, served from the installed pyvis package (no CDN)."""
    if name not in VENDOR_FILES or VIS_DIR is None:
        raise HTTPException(404, "Not Found")
    return FileResponse(
        VIS_DIR / _VENDOR_SOURCES[name],
        media_type=VENDOR_FILES[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )
