"""Status of the served data, and the token-guarded reload."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Response

from app.api_models import ReloadOut, StatusOut
from app.deps import LiveDep, SettingsDep
from app.errors import ERROR_RESPONSES, ErrorBody, ErrorDetail, error_response
from app.responses import json_response

router = APIRouter(tags=["admin"])


@router.get("/api/status", response_model=StatusOut, summary="What is served, since when, and the last reload")
def get_status(live: LiveDep) -> Response:
    """The loaded data (counts, files, FtM report) and the outcome of the last reload, failed or not."""
    return json_response(live.status())


@router.post(
    "/api/admin/reload",
    response_model=ReloadOut,
    summary="Reload the data (only when an admin token is configured)",
    responses={
        **ERROR_RESPONSES,
        401: {"model": ErrorBody, "description": "Missing or wrong bearer token."},
        404: {"model": ErrorBody, "description": "No admin token is configured: the endpoint is off."},
        202: {"model": ReloadOut, "description": "With several workers: the main process reloads in the background."},
        409: {"model": ErrorBody, "description": "The new data did not validate; the old data is still served."},
    },
)
async def reload_data(
    live: LiveDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header(description="Bearer <LINKSCOPE_ADMIN_TOKEN>")] = None,
) -> Response:
    """Load the data files again; the new graph replaces the old only if all of it validates.
    With several worker processes the main process reloads and then restarts the workers: the
    answer is 202 (`accepted`), and `/api/status` shows the outcome once it is done."""
    if settings.admin_token is None:
        return error_response(404, "not_found", "Not Found")
    expected = b"Bearer " + settings.admin_token.get_secret_value().encode()
    if not hmac.compare_digest((authorization or "").encode(), expected):  # constant time
        return error_response(
            401, "unauthorized", "a valid admin token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    outcome = await live.reload("admin")
    if not outcome.ok:
        details = [ErrorDetail(loc=["data"], message=problem) for problem in outcome.problems]
        return error_response(409, "data_invalid", outcome.message, details=details)
    return json_response(outcome, status_code=202 if outcome.accepted else 200)
