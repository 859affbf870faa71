"""The printable brief of any explorer view: the explorer's URL parameters, answered as one HTML page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.deps import SettingsDep, StoreDep, deadline
from app.report_page import render_report
from app.routes.explorer import MaxNodes, ViewDep

router = APIRouter(include_in_schema=False)


@router.get("/report", response_class=HTMLResponse)
def report(store: StoreDep, settings: SettingsDep, chosen: ViewDep, max_nodes: MaxNodes = None) -> HTMLResponse:
    """The view's figure, summary, relations as sentences and numbered sources (print it for a PDF)."""
    return HTMLResponse(render_report(store, chosen, max_nodes or settings.max_nodes, deadline(settings)))
