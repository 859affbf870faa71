"""A serving process limits the C allocator's arenas before any thread starts, and has the
cyclic collector pass over its youngest objects less often than Python's default."""

from __future__ import annotations

import gc
import platform

import pytest

from app import serving
from app.memory import YOUNG_OBJECTS, collect_less_often, limit_arenas
from app.settings import Settings


def test_arenas_are_limited_where_glibc_allocates() -> None:
    assert limit_arenas(0) is False  # glibc's default left as it is
    assert limit_arenas(2) is (platform.libc_ver()[0] == "glibc")


def test_serve_limits_the_arenas_and_collects_less_often_first(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(serving, "limit_arenas", lambda arenas: calls.append(f"arenas {arenas}"))
    monkeypatch.setattr(serving, "collect_less_often", lambda: calls.append("collector"))
    monkeypatch.setattr(serving, "_serve_database", lambda settings: calls.append("serve"))
    serving.serve(Settings(database_url="postgresql://x@127.0.0.1/db", malloc_arenas=3))
    assert calls == ["arenas 3", "collector", "serve"]
    assert Settings().malloc_arenas == 2


def test_the_collector_passes_over_young_objects_less_often() -> None:
    before = gc.get_threshold()
    try:
        collect_less_often()
        young, older, oldest = gc.get_threshold()
        assert young == YOUNG_OBJECTS > before[0]
        assert (older, oldest) == before[1:]
    finally:
        gc.set_threshold(*before)
