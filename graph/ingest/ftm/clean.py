"""Checking and cleaning the values of FtM lines: strings only, plain text, real dates and countries.

A line is refused (:class:`BadLine`) when a value cannot be what its property says (a
property that is not a list of strings, a date that is not ISO 8601, a country FtM does not
know); text is cleaned instead of refused (control and bidi-override characters removed
and counted, values cut at :data:`MAX_TEXT`). Most lines hold nothing to clean, and a byte
scan tells which do, so the common line costs no per-value work.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from graph.ingest.ftm.schemata import FtmModel
from graph.model.dates import parse_partial_date
from graph.model.text import FORBIDDEN_CHARS

__all__ = ["MAX_ID", "MAX_TEXT", "BadLine", "Cleaner"]

#: Longer text values are cut here, so one hostile line cannot take the memory.
MAX_TEXT = 5_000
MAX_ID = 200  # the API takes ids of up to 200 characters

# A line without these bytes (JSON escapes, raw C1 controls, bidi overrides) has no value to clean.
_SUSPECT_BYTES = re.compile(rb"\\[ubf]|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


class BadLine(Exception):
    """One line that cannot be loaded; ``reason`` groups it in the report."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Cleaner:
    """Checks values one line at a time; shares repeated values (dates, dataset lists) across lines."""

    def __init__(self, model: FtmModel) -> None:
        self.model = model
        self.cleaned = 0
        """Text values from which control or bidi-override characters were removed."""
        self.clean = False
        """Whether the current line holds nothing to clean (see :meth:`start`)."""
        self.days: dict[str, str | None] = {}
        """Dates and timestamps read so far -> their day (None: not a date), shared across lines."""
        self._shared: dict[Any, Any] = {}

    def start(self, raw: bytes) -> None:
        """Look at a new line's bytes: a short line without suspect bytes skips per-value cleaning."""
        # an ASCII line without backslash or DEL has none (cheaper to tell than the regex search)
        self.clean = len(raw) <= MAX_TEXT and (
            (raw.isascii() and b"\\" not in raw and b"\x7f" not in raw) or _SUSPECT_BYTES.search(raw) is None
        )

    def entity_id(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID:
            raise BadLine("bad id", f"'id' must be a non-empty string of at most {MAX_ID} characters")
        if not self.clean and FORBIDDEN_CHARS.search(value):
            raise BadLine("bad id", f"id {value!r} contains control or bidi-override characters")
        return sys.intern(value)

    def values(self, entity_id: str, prop: str, values: Any) -> list[str]:
        """The checked (and, on a suspect line, cleaned) non-empty values of one property."""
        try:
            if type(values) is not list:
                raise TypeError
            "".join(values)  # a C-speed check that every value is a string
        except TypeError:
            raise BadLine(
                "bad properties", f"entity {entity_id!r}: property {prop!r} must be a list of strings"
            ) from None
        if self.clean:
            return [v for v in values if v] if "" in values else values
        return [self.text(v) for v in values if v]

    def text(self, value: str) -> str:
        if len(value) > MAX_TEXT:
            value = value[: MAX_TEXT - 1] + "\u2026"
        if FORBIDDEN_CHARS.search(value):
            self.cleaned += 1
            value = FORBIDDEN_CHARS.sub("", value)
        return value

    def caption(self, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return None
        return value if self.clean else self.text(value)

    def date(self, entity_id: str, prop: str, value: str) -> str:
        """The day (or month, or year) of an ISO 8601 date or timestamp, shared across lines."""
        known = self.days.get(value, "")
        if known == "":
            day = value[:10]
            try:
                parse_partial_date(day)
                known = sys.intern(day)
            except ValueError:
                known = None
            self.days[value] = known
        if known is None:
            raise BadLine("bad date", f"entity {entity_id!r}: {prop} {value[:40]!r} is not an ISO 8601 date")
        return known

    def country(self, entity_id: str, prop: str, code: str) -> str:
        """The lower-case FtM country code."""
        folded = code.lower()
        if folded not in self.model.countries:
            raise BadLine(
                "bad country", f"entity {entity_id!r}: {prop} {code[:40]!r} is not a FollowTheMoney country code"
            )
        return folded

    def share(self, value: Any) -> Any:
        """One object for equal values (a million edges need not hold a million equal tuples)."""
        return self._shared.setdefault(value, value)

    def datasets(self, value: Any) -> tuple[str, ...]:
        """An entity's dataset names, as one shared tuple (empty when malformed)."""
        if type(value) is not list or not value:
            return ()
        names = tuple(value)
        shared = self._shared.get(names)
        if shared is None:
            try:
                "".join(names)  # all strings
            except TypeError:
                names = ()
            shared = self.share(tuple(self.text(d)[:200] for d in names))
        return shared  # type: ignore[no-any-return]

    def seen(self, entity_id: str, key: str, value: Any) -> str | None:
        """A ``first_seen``/``last_seen`` timestamp as a day."""
        if not value:
            return None
        day = self.days.get(value) if type(value) is str else None
        return day or self.date(entity_id, key, str(value))
