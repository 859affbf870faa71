"""Response helpers: fast JSON, and streamed exports with a filename naming the selection."""

from __future__ import annotations

import re
from typing import Any, Literal

import networkx as nx
import orjson
from fastapi import Response
from fastapi.responses import StreamingResponse

from graph.exports import EXPORT_FORMATS

__all__ = ["FileFormat", "SelectionFormat", "export_response", "export_responses", "json_response"]

#: Formats of a whole-graph export.
FileFormat = Literal["graphml", "gexf", "json", "csv", "ftm"]
#: Formats of a selection: its own JSON answer, or any file format but node-link JSON.
SelectionFormat = Literal["json", "graphml", "gexf", "csv", "ftm"]
FORMAT_HELP = "; ".join(f"{spec.name}: {spec.description}" for spec in EXPORT_FORMATS.values())


def json_response(data: Any) -> Response:
    """Serialise with orjson (dataclasses included); the route's response_model documents the shape."""
    return Response(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS), media_type="application/json")


def export_response(graph: nx.MultiDiGraph, fmt: str, name: str) -> StreamingResponse:
    """Stream ``graph`` in ``fmt`` as an attachment called ``name.<ext>``."""
    spec = EXPORT_FORMATS[fmt]
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[:120] or "linkscope"
    return StreamingResponse(
        spec.write(graph),
        media_type=spec.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{spec.extension}"',
            # public, read-only files: let tools such as Gephi Lite fetch them from another origin
            "Access-Control-Allow-Origin": "*",
        },
    )


def export_responses() -> dict[int | str, dict[str, Any]]:
    """OpenAPI content types of a route that can answer in every export format."""
    content: dict[str, Any] = {
        spec.media_type: {} for spec in EXPORT_FORMATS.values() if spec.media_type != "application/json"
    }
    return {200: {"content": content, "description": "The selection, as JSON or in the requested format."}}
