"""As-of views: which relations count on a given day.

A relation counts on day D when its ``date``/``start`` is on or before D and its ``end``,
if any, is after D; relations without dates always count. Partial dates ("2025-03")
count once certainly begun (see :func:`graph.dates.in_force`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from graph.dates import in_force

__all__ = ["edge_counts_on"]


def edge_counts_on(attrs: Mapping[str, Any], on: date | None) -> bool:
    """Whether the edge with these attributes counts on ``on`` (always, when ``on`` is None).

    >>> edge_counts_on({"date": "2024-09-12"}, date(2024, 5, 1))
    False
    >>> edge_counts_on({"relation": "develops"}, date(2000, 1, 1))
    True
    """
    if on is None:
        return True
    start = attrs.get("date") or attrs.get("start")
    return in_force(start, attrs.get("end"), on)
