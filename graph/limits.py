"""Hard bounds on every query, and the per-request time budget.

Callers (the API, the CLI) may ask for less, never for more; graph functions check the
bounds themselves so no caller can make a query run away on a hub.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from graph.errors import BadQuery

__all__ = [
    "MAX_CENTERS",
    "MAX_DEPTH",
    "MAX_EXPANSIONS",
    "MAX_EXPORT_MEMBERS",
    "MAX_HOPS",
    "MAX_NODES",
    "MAX_PAGE",
    "MAX_PATHS",
    "Deadline",
    "check_range",
]

MAX_DEPTH = 4
MAX_NODES = 10_000
MAX_HOPS = 6
MAX_PATHS = 50
MAX_PAGE = 500
MAX_CENTERS = 20
MAX_EXPANSIONS = 200
"""Expansion pages in one view (an id given k times is expanded by k pages)."""
MAX_EXPORT_MEMBERS = 100_000
"""Members behind the groups of a view that its export writes (one per grouped relation
they are in): a view holds at most ``MAX_NODES`` entities, but its export holds the members
its groups stand for, a country's 255,000 at 1M entities (200 MB of GraphML, half a minute),
2.5 million at 10M. Beyond, the export is refused; its groups as drawn are not bounded so."""


def check_range(name: str, value: int, low: int, high: int) -> int:
    """Return ``value`` if ``low <= value <= high``, else raise :class:`BadQuery`."""
    if not low <= value <= high:
        raise BadQuery(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass
class Deadline:
    """A time budget: ``expired`` turns true once ``seconds`` have passed since creation."""

    seconds: float
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.started > self.seconds

    @property
    def left(self) -> float:
        """Seconds left (negative once expired; infinite for an unlimited budget)."""
        return self.seconds - (time.monotonic() - self.started)

    @classmethod
    def unlimited(cls) -> Deadline:
        return cls(float("inf"))
