"""The dated and hub indexes over one load's tables, with the in-memory indexes' interfaces
(:class:`~graph.store.dated.DatedIndex`, :class:`~graph.store.hubs.HubIndex`) and answers."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.store.dated import Row
from graph.store.hubs import Way

if TYPE_CHECKING:
    from graph.store.postgres.lazy import Reader

__all__ = ["PostgresDated", "PostgresHubGroup", "PostgresHubs"]

_LAST = "\uffff"
#: Sets of relation types whose dates :meth:`PostgresDated.days` keeps counted.
_KEPT = 32


class PostgresDated:
    """Dated edges by when they began or ended, read in the in-memory index's order."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.counted: dict[tuple[str, ...], list[tuple[str, int]]] = {}
        """Relation types (sorted; none: all) -> every date with how many began on it."""

    def between(self, start: str | None, end: str | None) -> list[Row]:
        """Rows that began from ``start`` to ``end`` (ISO prefixes, inclusive)."""
        return self._rows(False, start, end)

    def ended_between(self, start: str | None, end: str | None) -> list[Row]:
        """Rows that ended from ``start`` to ``end`` (ISO prefixes, inclusive)."""
        return self._rows(True, start, end)

    def days(self, start: str | None, end: str | None, relations: Collection[str]) -> list[tuple[str, int]]:
        """Each date relations of ``relations`` (any, if empty) began on, from ``start`` to
        ``end`` (ISO prefixes, inclusive), with how many, by date: counted by the database
        once per set of relation types for the load (which never changes), then kept, so a
        timeline page reads only its own dates' rows (counting 400,000 takes 0.2-1 s)."""
        wanted = tuple(sorted(relations))
        counted = self.counted.get(wanted)
        if counted is None:
            rows = self.reader.rows(
                "SELECT day, count(*) FROM {s}.dated WHERE NOT ended AND (%s OR relation = ANY(%s)) "
                "GROUP BY day ORDER BY day",
                [not wanted, list(wanted)],
            )
            counted = [(day, int(count)) for day, count in rows]
            while len(self.counted) >= _KEPT:
                self.counted.pop(next(iter(self.counted)), None)
            self.counted[wanted] = counted
        low = bisect_left(counted, (start,)) if start else 0
        high = bisect_right(counted, (end + _LAST,)) if end else len(counted)
        return counted[low:high]

    def began_on(self, first: str, last: str, relations: Collection[str]) -> list[Row]:
        """Rows of ``relations`` (any, if empty) that began on a date from ``first`` to
        ``last`` (whole dates as written, inclusive), in the in-memory index's order."""
        rows = self.reader.rows(
            "SELECT day, relation, src, dst, key FROM {s}.dated WHERE NOT ended AND day >= %s AND day <= %s "
            "AND (%s OR relation = ANY(%s)) ORDER BY day, relation, src, dst, key",
            [first, last, not relations, sorted(relations)],
        )
        return [tuple(row) for row in rows]

    def _rows(self, ended: bool, start: str | None, end: str | None) -> list[Row]:
        rows = self.reader.rows(
            "SELECT day, relation, src, dst, key FROM {s}.dated WHERE ended = %s "
            "AND (%s::text IS NULL OR day >= %s) AND (%s::text IS NULL OR day <= %s) "
            "ORDER BY day, relation, src, dst, key",
            [ended, start, start, end, (end or "") + _LAST],
        )
        return [tuple(row) for row in rows]


class PostgresHubGroup:
    """One hub group's relations in entity-detail order; a page reads just its rows."""

    def __init__(self, reader: Reader, hub: str, relation: str, way: Way, size: int) -> None:
        self.reader, self.hub, self.relation, self.way, self.size = reader, hub, relation, way, size
        self.others: dict[int, str] = {}
        self.keys: dict[int, str] = {}

    def page(self, as_of: date | None, offset: int, limit: int) -> tuple[int, list[int]]:
        """The group's total on ``as_of`` (all, if None) and the positions of one page."""
        where = "hub = %s AND relation = %s AND way = %s"
        params: list[object] = [self.hub, self.relation, self.way]
        if as_of is None:
            total = self.size
        else:
            where += " AND start_day <= %s AND %s < end_day"
            params += [as_of.toordinal(), as_of.toordinal()]
            total = int(self.reader.rows(f"SELECT count(*) FROM {{s}}.hub_items WHERE {where}", params)[0][0])
        rows = self.reader.rows(
            f"SELECT position, other, key FROM {{s}}.hub_items WHERE {where} ORDER BY position OFFSET %s LIMIT %s",
            [*params, offset, limit],
        )
        for position, other, key in rows:
            self.others[position], self.keys[position] = other, key
        return total, [row[0] for row in rows]


class PostgresHubs:
    """The hubs of one load and the sizes of their groups (as the load recorded them); the
    groups' relations are read a page at a time."""

    def __init__(self, reader: Reader, hubs: Mapping[str, list[list[Any]]]) -> None:
        self.reader = reader
        self.groups: dict[str, dict[tuple[str, Way], int]] = {
            hub: {(str(rel), way): int(size) for rel, way, size in groups} for hub, groups in hubs.items()
        }

    def __contains__(self, node: object) -> bool:
        return node in self.groups

    def of(self, node: str) -> Mapping[tuple[str, Way], PostgresHubGroup]:
        return {
            (rel, way): PostgresHubGroup(self.reader, node, rel, way, size)
            for (rel, way), size in self.groups[node].items()
        }
