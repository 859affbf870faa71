"""Response helpers: fast JSON, and streamed exports with a filename naming the selection."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any, Literal

import networkx as nx
import orjson
from fastapi import Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool
from starlette.types import Send

from graph.exports import EXPORT_FORMATS

__all__ = ["FileFormat", "SelectionFormat", "export_response", "export_responses", "json_response"]

#: Formats of a whole-graph export.
FileFormat = Literal["graphml", "gexf", "json", "csv", "ftm"]
#: Formats of a selection: its own JSON answer, or any file format but node-link JSON.
SelectionFormat = Literal["json", "graphml", "gexf", "csv", "ftm"]
log = logging.getLogger("linkscope")
FORMAT_HELP = "; ".join(f"{spec.name}: {spec.description}" for spec in EXPORT_FORMATS.values())


def json_response(data: Any) -> Response:
    """Serialise with orjson (dataclasses included); the route's response_model documents the shape."""
    return Response(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS), media_type="application/json")


def export_response(graph: nx.MultiDiGraph, fmt: str, name: str) -> StreamingResponse:
    """Stream ``graph`` in ``fmt`` as an attachment called ``name.<ext>``."""
    spec = EXPORT_FORMATS[fmt]
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[:120] or "linkscope"
    return _ExportResponse(
        _watched(spec.write(graph), f"{filename}.{spec.extension}"),
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
