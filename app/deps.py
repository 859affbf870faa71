"""Dependencies shared by the routes: the loaded graph, the settings, and list parameters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator

from app.errors import InvalidParameter
from app.live import LiveStore
from app.settings import Settings
from graph.limits import Deadline
from graph.store import GraphStore

__all__ = ["AsOf", "LiveDep", "SettingsDep", "StoreDep", "deadline", "known_values"]


def get_live(request: Request) -> LiveStore:
    live: LiveStore = request.app.state.live
    return live


def get_store(request: Request) -> GraphStore:
    """The graph being served, taken once per request: a reload meanwhile does not change it under the request."""
    return get_live(request).store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[GraphStore, Depends(get_store)]
LiveDep = Annotated[LiveStore, Depends(get_live)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def deadline(settings: Settings) -> Deadline:
    """A fresh time budget for one request."""
    return Deadline(settings.query_timeout)


def known_values(name: str, values: Iterable[str] | None, known: Iterable[str]) -> list[str] | None:
    """The listed values, or :class:`InvalidParameter` naming any value not in ``known``.

    The OpenAPI schema lists the known values as an enum (see :mod:`app.openapi`).
    """
    wanted = list(values or ())
    if not wanted:
        return None
    allowed = set(known)
    unknown = [v for v in wanted if v not in allowed]
    if unknown:
        raise InvalidParameter(name, f"unknown {name}: {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")
    return wanted


def _iso_day(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic would otherwise read '0' as a Unix timestamp."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


AsOf = Annotated[
    date | None,
    BeforeValidator(lambda v: v if v is None else _iso_day(v)),
    Query(description="Only relations in force on this day (YYYY-MM-DD).", examples=["2024-05-01"]),
]
