"""ISO 8601 dates at day, month or year precision ("2024-09-12", "2025-03", "2014").

Sources rarely give every fact to the day: the BIS listing of AERO is only known as
"since 2014". Linkscope keeps such dates at the precision the evidence supports instead
of inventing a day, and compares them conservatively (see :func:`in_force`).
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date

__all__ = ["began", "earliest", "in_force", "latest", "parse_partial_date"]

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def began(date: str | None, start: str | None) -> str | None:
    """When a relation began: its ``date`` (a one-off act) or its ``start`` (a lasting state).

    The one statement of this rule; relations never carry both.

    >>> began(None, "2021"), began("2024-09-12", None)
    ('2021', '2024-09-12')
    """
    return date or start


def parse_partial_date(value: str) -> tuple[int, int | None, int | None]:
    """Check a partial ISO date and return (year, month, day); raise ValueError if impossible.

    >>> parse_partial_date("2024-02")
    (2024, 2, None)
    >>> parse_partial_date("2024-02-30")
    Traceback (most recent call last):
    ...
    ValueError: impossible date '2024-02-30': day is out of range for month
    """
    match = _PARTIAL.match(value)
    if not match:
        raise ValueError(f"not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY): {value!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None  # the pattern makes the year mandatory
    try:
        date(year, month or 1, day or 1)
    except ValueError as err:
        raise ValueError(f"impossible date {value!r}: {err}") from None
    return year, month, day


# Both are asked about the same few thousand dates again and again (every edge of an as-of
# view, every change of a window), so their answers are kept.
@functools.lru_cache(maxsize=65_536)
def earliest(value: str) -> date:
    """First day the partial date may mean ("2025-03" -> 2025-03-01)."""
    year, month, day = parse_partial_date(value)
    return date(year, month or 1, day or 1)


@functools.lru_cache(maxsize=65_536)
def latest(value: str) -> date:
    """Last day the partial date may mean ("2025-03" -> 2025-03-31)."""
    year, month, day = parse_partial_date(value)
    if month is None:
        return date(year, 12, 31)
    return date(year, month, day or calendar.monthrange(year, month)[1])


def in_force(start: str | None, end: str | None, on: date) -> bool:
    """Whether something that began at ``start`` and stopped at ``end`` counts on day ``on``.

    A relation counts once it has certainly begun (the last day its start may mean is on
    or before ``on``) and until it has certainly ended (``on`` is before the last day its
    end may mean). Undated relations always count.

    >>> in_force("2024-04-19", None, date(2024, 5, 1)), in_force("2024-09-12", None, date(2024, 5, 1))
    (True, False)
    >>> in_force("2025-03", None, date(2025, 3, 15)), in_force("2025-03", None, date(2025, 3, 31))
    (False, True)
    """
    if start is not None and latest(start) > on:
        return False
    return end is None or on < latest(end)
