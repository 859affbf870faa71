"""Dependencies shared by the routes: the loaded graph, the settings, a time budget, dates."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator

from app.live import LiveStore
from app.settings import Settings
from graph.limits import Deadline
from graph.store import Store

__all__ = ["AsOf", "Day", "LiveDep", "SettingsDep", "StoreDep", "deadline"]


def get_live(request: Request) -> LiveStore:
    live: LiveStore = request.app.state.live
    return live


def get_store(request: Request) -> Store:
    """The graph being served, taken once per request: a reload meanwhile does not change it under the request."""
    return get_live(request).store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
LiveDep = Annotated[LiveStore, Depends(get_live)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def deadline(settings: Settings) -> Deadline:
    """A fresh time budget for one request."""
    return Deadline(settings.query_timeout)


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

#: A required day, as strict as ``AsOf``; routes give it its own alias and description.
Day = Annotated[date, BeforeValidator(_iso_day)]
