"""Response helpers: fast JSON, a selection as its own answer or as a file, streamed exports."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any

import networkx as nx
import orjson
from fastapi import Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool
from starlette.types import Send

from graph.exports import EXPORT_FORMATS, FormatName, export
from graph.queries.selection import Selection

__all__ = [
    "FORMAT_HELP",
    "SELECTION_FORMAT_HELP",
    "export_response",
    "export_responses",
    "json_response",
    "selection_response",
]

log = logging.getLogger("linkscope")
FORMAT_HELP = "; ".join(f"{spec.name}: {spec.description}" for spec in EXPORT_FORMATS.values())
SELECTION_FORMAT_HELP = "json (the default): this endpoint's own answer; or a file: " + "; ".join(
    f"{spec.name}: {spec.description}" for spec in EXPORT_FORMATS.values() if spec.name != "json"
)


def json_response(data: Any, status_code: int = 200) -> Response:
    """Serialise with orjson (dataclasses included); the route's response_model documents the shape."""
    return Response(
        orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS), status_code=status_code, media_type="application/json"
    )


def selection_response(graph: nx.MultiDiGraph, selection: Selection, fmt: FormatName) -> Response:
    """A selection as its endpoint's own JSON answer (``json``) or as a file in another format."""
    if fmt == "json":
        return json_response(selection.answer(graph))
    return export_response(graph, selection, fmt)


def export_response(graph: nx.MultiDiGraph, selection: Selection, fmt: FormatName) -> StreamingResponse:
    """Stream ``selection`` in ``fmt`` as an attachment named after what it holds."""
    spec = EXPORT_FORMATS[fmt]
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", selection.name).strip("-")[:120] or "linkscope"
    return _ExportResponse(
        _watched(export(graph, selection, fmt), f"{filename}.{spec.extension}"),
        media_type=spec.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{spec.extension}"',
            # public, read-only files: let tools such as Gephi Lite fetch them from another origin
            "Access-Control-Allow-Origin": "*",
        },
    )


class _ExportResponse(StreamingResponse):
    """A streamed export that closes its writer as soon as sending stops, finished or not."""

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            body = self.body_iterator
            if isinstance(body, AsyncGenerator):
                await body.aclose()  # without this, a client gone mid-way leaves it to the garbage collector


async def _watched(chunks: Iterator[bytes], filename: str) -> AsyncIterator[bytes]:
    """Stream the writer's chunks (in a worker thread); log one line if the client leaves before the end."""
    sent = 0
    finished = False
    try:
        async for chunk in iterate_in_threadpool(chunks):
            sent += len(chunk)
            yield chunk
        finished = True
    finally:
        if not finished:
            log.warning("export %s stopped after %s bytes: the client went away", filename, f"{sent:,}")
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def export_responses() -> dict[int | str, dict[str, Any]]:
    """OpenAPI content types of a route that can answer in every export format."""
    content: dict[str, Any] = {
        spec.media_type: {} for spec in EXPORT_FORMATS.values() if spec.media_type != "application/json"
    }
    return {200: {"content": content, "description": "The selection, as JSON or in the requested format."}}
