"""Domain errors: what went wrong, where, and why, with no HTTP in sight."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BadQuery",
    "DataError",
    "DatabaseError",
    "LinkscopeError",
    "NotReady",
    "OutOfTime",
    "Problem",
    "UnknownEntity",
    "UnknownName",
]


class LinkscopeError(Exception):
    """Base class for every error Linkscope raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One defect in a data file: the file, the line (when known), the entry path and why."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        at = f" ({self.path})" if self.path else ""
        return f"{where}{at}: {self.message}"


class DataError(LinkscopeError):
    """The data did not validate; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.path, p.message))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the data"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class UnknownEntity(LinkscopeError, KeyError):
    """An entity id that is not in the graph, with close ids as a hint."""

    def __init__(self, entity_id: str, suggestions: list[str] | None = None) -> None:
        self.entity_id = entity_id
        self.suggestions = suggestions or []
        super().__init__(entity_id)

    def __str__(self) -> str:
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"unknown entity id {self.entity_id!r}{hint}"


class BadQuery(LinkscopeError, ValueError):
    """A query whose parameters are each valid but do not make sense together, or exceed a bound."""


class UnknownName(BadQuery):
    """A kind or relation type the vocabulary does not declare, asked for in ``parameter``."""

    def __init__(self, parameter: str, unknown: list[str], known: list[str]) -> None:
        self.parameter = parameter
        self.unknown = unknown
        self.known = known
        super().__init__(f"unknown {parameter}: {', '.join(unknown)}; known: {', '.join(known)}")


class NotReady(LinkscopeError):
    """Something the answer needs is still being built (an index too large to build during a request)."""

    def __init__(self, what: str, retry_after: int = 5) -> None:
        self.what = what
        self.retry_after = retry_after
        super().__init__(f"{what} is being built; ask again in {retry_after} s")


class DatabaseError(LinkscopeError):
    """The database store cannot do what was asked: not set up, nothing loaded, a load of
    another layout, no server reachable. The message says which and what to run."""


class OutOfTime(DatabaseError):
    """A statement was cancelled at its time budget: a query given a :class:`~graph.limits.Deadline`
    catches this and answers what it has, ``truncated`` (``time_budget``); uncaught, it is the
    database not answering in time."""
