"""The neighbours of a load's biggest adjacencies, kept across requests.

A path search near an authority or a conglomerate intersects that hub's tens of thousands
of neighbours with the entities it has reached, request after request. Asking the database
which of 3,000 candidates are among them costs a statement of 10-20 ms each time; reading
the hub's neighbour ids once from the index of edge ends (an index-only scan) and keeping
them makes every later intersection, and every "is this one a neighbour?" that finds none,
a lookup in the server.

The ids are kept as one sorted array of fixed-width UTF-8 byte strings per hub
(:class:`NeighbourIds`), not as Python strings in a set: 10 bytes per synthetic id instead
of about 100, so a country of 2.5 million members (at 10M entities) is 25 MB, and no
million small objects are left scattered over the interpreter's memory pools, where those
of the request that read them kept whole pools from being given back. They are read a page
at a time (:data:`PAGE` ids), each page one ``bytea`` of padded ids that numpy takes as it
is, so no Python string is made per id on the way either. What is kept is bounded
(:data:`BUDGET` ids and :data:`BUDGET_BYTES` over all hubs), so a server's memory does not
grow with the graph. A server starts each load it serves by keeping as many hubs' ids as
fit, in the background (:meth:`HubNeighbours.warm`), and keeps those it reads later only
where they fit beside them: none is ever dropped for another. Dropping the least recently
used, as before, let one path search between two countries at 10M (3.4 million ids read)
drop every authority and conglomerate warming had kept, which could not be kept again
beside the countries: every request near them was then answered pair by pair.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator, Set
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from graph.errors import DatabaseError, OutOfTime

if TYPE_CHECKING:
    from graph.limits import Deadline
    from graph.store.postgres.lazy import Reader

__all__ = ["BUDGET", "BUDGET_BYTES", "PAGE", "HubNeighbours", "NeighbourIds"]

#: Neighbour ids kept over all hubs.
BUDGET = 4_000_000
#: Bytes of neighbour ids kept over all hubs (4 million ids of 10 bytes).
BUDGET_BYTES = 40_000_000
#: Ids read per statement: the strings of one page are all a read holds at once.
PAGE = 65_536

_ENDS = {"out": ("src", "dst"), "in": ("dst", "src")}
#: Seconds the thread reading hubs' ids for :meth:`HubNeighbours.later` waits for more before it ends.
_IDLE_S = 30.0

log = logging.getLogger("linkscope")


class NeighbourIds(Set[str]):
    """A set of ids held as one sorted numpy array of UTF-8 byte strings padded to the
    longest (``S<n>``): membership is a binary search, an intersection a vectorised one.

    An id never holds a NUL character (PostgreSQL text cannot), so padding cannot make two
    ids equal; a candidate that holds one, or is longer than the longest, is not a member.
    """

    __slots__ = ("ids",)

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids
        """Sorted, distinct, dtype ``S<n>``."""

    @classmethod
    def joined(cls, pages: Iterable[np.ndarray]) -> NeighbourIds:
        """The ids of ``pages`` that are already sorted and distinct, one page after another
        (as :meth:`HubNeighbours._pages` reads them): joined without sorting again."""
        arrays = [page for page in pages if page.size]
        return cls(np.concatenate(arrays) if arrays else np.array([], dtype="S1"))

    @classmethod
    def of(cls, nodes: Iterable[str]) -> NeighbourIds:
        """Entity ids (strings a database gave: never empty, never holding NUL), encoded and
        sorted once, to intersect with several hubs' ids (see :meth:`intersection`)."""
        keys = sorted({node.encode("utf-8", "surrogatepass") for node in nodes})
        return cls(np.array(keys) if keys else np.array([], dtype="S1"))

    @property
    def nbytes(self) -> int:
        return int(self.ids.nbytes)

    def __len__(self) -> int:
        return int(self.ids.size)

    def __iter__(self) -> Iterator[str]:
        for node in self.ids.tolist():
            yield node.decode()

    def __contains__(self, node: object) -> bool:
        key = _key(node, self.ids.itemsize)
        if key is None:
            return False
        at = int(self.ids.searchsorted(key))
        return at < self.ids.size and self.ids[at] == key

    def intersection(self, others: Iterable[object]) -> set[str]:
        """Those of ``others`` that are members, found in one vectorised search."""
        if isinstance(others, NeighbourIds):
            small, big = sorted((self.ids, others.ids), key=len)  # widths may differ: numpy compares them as they are
            return {node.decode() for node in small[_found(big, small)].tolist()}
        if not self.ids.size:
            return set()
        width = self.ids.itemsize
        nodes = list({node for node in others if isinstance(node, str)})
        keys = [node.encode("utf-8", "surrogatepass") for node in nodes]
        # as _key decides, for all at once
        usable = [at for at, key in enumerate(keys) if key and len(key) <= width and b"\0" not in key]
        if not usable:
            return set()
        hits = _found(self.ids, np.array([keys[at] for at in usable], dtype=self.ids.dtype))
        return {nodes[usable[at]] for at in np.flatnonzero(hits)}

    def __and__(self, other: Iterable[Any]) -> set[str]:
        return self.intersection(other)

    def __rand__(self, other: Iterable[Any]) -> set[str]:
        return self.intersection(other)

    @classmethod
    def _from_iterable(cls, it: Iterable[str]) -> frozenset[str]:  # type: ignore[override]
        """What ``|``, ``-`` and ``^`` (from :class:`~collections.abc.Set`) answer: a frozenset."""
        return frozenset(it)

    def __repr__(self) -> str:
        return f"NeighbourIds({len(self)} ids, {self.nbytes:,} bytes)"


def _key(node: object, width: int) -> bytes | None:
    """``node`` as the bytes it would be stored as, or None if no stored id can equal it."""
    if not isinstance(node, str):
        return None
    key = node.encode("utf-8", "surrogatepass")
    return key if key and len(key) <= width and b"\0" not in key else None


def _found(ids: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which of ``keys`` are in the sorted ``ids`` (as a boolean array)."""
    if not ids.size:
        return np.zeros(keys.shape, dtype=bool)
    at = ids.searchsorted(keys)
    at[at == ids.size] = 0
    return np.asarray(ids[at] == keys)


class HubNeighbours:
    """Hub -> its neighbour ids on one side, read whole once and shared by every request of
    one load (thread-safe: requests run in threads)."""

    def __init__(self, reader: Reader, budget: int = BUDGET, budget_bytes: int = BUDGET_BYTES) -> None:
        self.reader, self.budget, self.budget_bytes = reader, budget, budget_bytes
        self.kept: dict[tuple[str, str], NeighbourIds] = {}
        self.size = 0
        """Ids kept."""
        self.nbytes = 0
        """Bytes they take."""
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[str, Literal["out", "in"]]] = queue.SimpleQueue()
        self._pending: dict[tuple[str, str], int] = {}
        """Sides :meth:`later` will read, with about how many ids each (counted as kept when fitting more)."""
        self._worker: threading.Thread | None = None

    def peek(self, node: str, way: Literal["out", "in"]) -> NeighbourIds | None:
        """``node``'s neighbours on ``way`` if they are kept (no statement)."""
        with self._lock:
            return self.kept.get((node, way))

    def of(self, node: str, way: Literal["out", "in"], deadline: Deadline | None = None) -> NeighbourIds:
        """``node``'s neighbours on ``way``, read from the index when not kept, and kept if
        they fit beside those kept (none is dropped for them). With a ``deadline``, the read
        stops between two pages once it has run out (:class:`~graph.errors.OutOfTime`): a
        country's 2.5 million ids at 10M take 3-4 s."""
        found = self.peek(node, way)
        if found is not None:
            return found
        found = NeighbourIds.joined(self._pages(node, way, deadline))
        with self._lock:
            fits = self.size + len(found) <= self.budget and self.nbytes + found.nbytes <= self.budget_bytes
            if fits and (node, way) not in self.kept:
                self.kept[(node, way)] = found
                self.size += len(found)
                self.nbytes += found.nbytes
        return found

    def warm(self, sides: Iterable[tuple[str, Literal["out", "in"], int]]) -> int:
        """Read and keep the neighbour ids of hub sides (node, way, about how many), smallest
        first, each that still fits the budgets beside those kept (none is dropped for them):
        what a server does in the background as it starts. As many hubs as fit: at 10M
        entities a country of 2.5 million members alone takes most of the budget, which keeps
        the ten authorities and the conglomerates instead (views and path searches meet them
        far more often; what is not kept is asked of the database pair by pair). Ids kept."""
        taken = 0
        for node, way, size in sorted(sides, key=lambda side: side[2]):
            with self._lock:
                fits = (node, way) not in self.kept and self._fits(size)
            if fits:
                taken += len(self.of(node, way))
        return taken

    def later(self, node: str, way: Literal["out", "in"], size: int) -> None:
        """Read and keep ``node``'s neighbour ids on ``way`` (about ``size``) in the background,
        if they fit beside those kept (none is dropped for them) and are not kept or being
        read already. A request that finds a hub's ids not kept asks the database about the
        few entities it has in hand instead (an authority's 180,000 ids at 10M take half a
        second to read, the question a millisecond), and the requests after it find them kept."""
        with self._lock:
            if (node, way) in self.kept or (node, way) in self._pending or not self._fits(size):
                return
            self._pending[(node, way)] = size
            self._queue.put((node, way))
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="linkscope-hub-ids", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        """Read what :meth:`later` was asked for, one hub at a time; ends when idle for a while
        (a store replaced by a new load leaves no thread behind)."""
        while True:
            try:
                node, way = self._queue.get(timeout=_IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._worker = None
                        return
                continue
            try:
                self.of(node, way)
            except DatabaseError as err:  # a load dropped meanwhile, a database gone: requests will say so
                log.warning("did not keep the neighbour ids of %s (%s): %s", node, way, err)
            except Exception:  # a bug: said, and the thread goes on with the next
                log.exception("reading the neighbour ids of %s (%s) failed", node, way)
            finally:
                with self._lock:
                    self._pending.pop((node, way), None)

    def _fits(self, size: int) -> bool:
        """Whether ``size`` more ids fit the budgets beside those kept and those to be read (the lock held)."""
        width = self.nbytes / self.size if self.size else 10  # bytes per id kept so far (the synthetic ids' if none)
        size += sum(self._pending.values())
        return self.size + size <= self.budget and self.nbytes + size * width <= self.budget_bytes

    def _pages(self, node: str, way: Literal["out", "in"], deadline: Deadline | None = None) -> Iterator[np.ndarray]:
        """``node``'s distinct neighbours on ``way`` in id order, :data:`PAGE` at a time (from
        the index of edge ends alone, each page starting after the last id of the one before).

        PostgreSQL sends a page as one ``bytea``, the ids' UTF-8 bytes each padded with NUL to
        the page's longest, which numpy takes as it is: no Python string is made per id (at
        10M entities a country's 2.5 million ids took seconds and left their memory behind)."""
        rows = self.reader.rows(_page_sql(way, after=False), [node, PAGE])
        while rows:
            width, count, last, packed = rows[0]
            yield np.frombuffer(packed, dtype=f"S{width}", count=count)
            if count < PAGE:
                return
            if deadline is not None and deadline.expired:
                raise OutOfTime(f"the time budget ran out reading the neighbour ids of {node!r}")
            rows = self.reader.rows(_page_sql(way, after=True), [node, last, PAGE])


def _page_sql(way: Literal["out", "in"], *, after: bool) -> str:
    """The statement reading one page of a hub's neighbour ids: its ids' width in bytes, how
    many, the last (where the next page starts) and the ids packed (see ``HubNeighbours._pages``);
    no row when there are none. The ids are ``COLLATE "C"``: their order is that of their bytes."""
    mine, theirs = _ENDS[way]
    start = f" AND {theirs} > %s" if after else ""
    return (
        f"WITH page AS MATERIALIZED (SELECT DISTINCT {theirs} AS id FROM {{s}}.edges"
        f" WHERE {mine} = %s{start} ORDER BY {theirs} LIMIT %s),"
        " raw AS (SELECT id, convert_to(id, 'UTF8') AS bytes FROM page),"
        " width AS (SELECT max(octet_length(bytes)) AS width FROM raw)"
        " SELECT width, count(*), max(id),"
        " string_agg(bytes || decode(repeat('00', width - octet_length(bytes)), 'hex'), ''::bytea ORDER BY id)"
        " FROM raw, width GROUP BY width"
    )
