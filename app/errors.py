"""One JSON error body for every 4xx and 5xx, and the handlers that produce it.

Every error answers ``{"error": {"status", "code", "message", "hint", "details"}}``;
domain errors are mapped here, so ``graph/`` never knows about HTTP. The pages people open
in a browser (the explorer and the brief) answer a browser the same error as a small HTML
page that says what was wrong and links back to the explorer.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import BadQuery, DatabaseError, NotReady, UnknownEntity, UnknownName

__all__ = [
    "ERROR_RESPONSES",
    "ErrorBody",
    "ErrorDetail",
    "error_response",
    "install_error_handlers",
]

log = logging.getLogger("linkscope")


class ErrorDetail(BaseModel):
    """One problem with one parameter."""

    loc: list[str | int] = Field(default_factory=list, description="Where: e.g. ['query', 'depth'].")
    message: str


class ErrorInfo(BaseModel):
    status: int = Field(examples=[404])
    code: str = Field(examples=["unknown_entity"], description="Stable machine-readable code.")
    message: str = Field(examples=["unknown entity id 'ndcc'"])
    hint: str | None = Field(None, examples=["did you mean ndc?"])
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorInfo


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Parameters that do not make sense together."},
    404: {"model": ErrorBody, "description": "Unknown entity id (with similar ids as a hint)."},
    422: {"model": ErrorBody, "description": "A parameter is missing, malformed or out of bounds."},
}


def error_response(
    status: int,
    code: str,
    message: str,
    hint: str | None = None,
    details: Any = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=ErrorInfo(status=status, code=code, message=message, hint=hint, details=list(details)))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


#: Pages a person opens in a browser: their errors are pages too (for a client asking for HTML).
PAGES = frozenset({"/", "/explore", "/report"})


def _answer(
    request: Request,
    status: int,
    code: str,
    message: str,
    hint: str | None = None,
    details: Any = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse | HTMLResponse:
    """The error as JSON, or as an HTML page for a browser that opened one of :data:`PAGES`."""
    if request.url.path in PAGES and "text/html" in request.headers.get("accept", ""):
        from app.error_page import render_error_page

        lines = [
            f"{'.'.join(map(str, d.loc[1:])) or 'request'}: {d.message}" if isinstance(d, ErrorDetail) else str(d)
            for d in details
        ]
        html = render_error_page(status, message, hint, lines)
        return HTMLResponse(html, status_code=status, headers=headers)
    return error_response(status, code, message, hint, details, headers)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through :func:`error_response` (or its page, see :data:`PAGES`)."""

    @app.exception_handler(UnknownEntity)
    async def unknown_entity(request: Request, exc: UnknownEntity) -> Any:
        hint = f"did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else "search with /api/entities?q="
        return _answer(request, 404, "unknown_entity", f"unknown entity id {exc.entity_id!r}", hint)

    @app.exception_handler(BadQuery)
    async def bad_query(request: Request, exc: BadQuery) -> Any:
        return _answer(request, 400, "bad_query", str(exc))

    @app.exception_handler(NotReady)
    async def not_ready(request: Request, exc: NotReady) -> Any:
        return _answer(
            request, 503, "not_ready", str(exc), hint="retry after the Retry-After seconds",
            headers={"Retry-After": str(exc.retry_after)},
        )  # fmt: skip

    @app.exception_handler(DatabaseError)
    async def database_error(request: Request, exc: DatabaseError) -> Any:
        log.error("database: %s (%s %s)", exc, request.method, request.url.path)
        return _answer(
            request, 503, "database_unavailable", str(exc), hint="retry after the Retry-After seconds",
            headers={"Retry-After": "5"},
        )  # fmt: skip

    @app.exception_handler(UnknownName)
    async def unknown_name(request: Request, exc: UnknownName) -> Any:
        detail = ErrorDetail(loc=["query", exc.parameter], message=str(exc))
        return _answer(request, 422, "invalid_parameter", str(exc), details=[detail])

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Any:
        details = [
            ErrorDetail(loc=[p for p in e.get("loc", ()) if isinstance(p, (str, int))], message=e.get("msg", "invalid"))
            for e in exc.errors()
        ]
        summary = "; ".join(f"{'.'.join(map(str, d.loc[1:])) or 'request'}: {d.message}" for d in details)
        return _answer(request, 422, "invalid_parameter", summary or "invalid request", details=details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _answer(request, exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "internal error; the server log has the details")
