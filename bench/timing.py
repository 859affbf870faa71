"""Tiny timing helpers: percentiles of repeated calls, peak memory of one call."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def latencies(fn: Callable[[], Any], runs: int, budget_s: float = 60.0) -> list[float]:
    """Milliseconds per call, for up to ``runs`` calls or until ``budget_s`` is spent."""
    times = []
    started = time.perf_counter()
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        if time.perf_counter() - started > budget_s:
            break
    return times


def p(times: list[float], q: float) -> float:
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1]


def fmt_ms(value: float) -> str:
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
