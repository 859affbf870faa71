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
at a time (:data:`PAGE` ids), so a request never holds a hub's whole membership as Python
strings either. What is kept is bounded (:data:`BUDGET` ids and :data:`BUDGET_BYTES` over
all hubs, the least recently used dropped first), so a server's memory does not grow with
the graph; a new load starts with nothing kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Set
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from graph.store.postgres.lazy import Reader

__all__ = ["BUDGET", "BUDGET_BYTES", "PAGE", "HubNeighbours", "NeighbourIds"]

#: Neighbour ids kept over all hubs.
BUDGET = 4_000_000
#: Bytes of neighbour ids kept over all hubs (4 million ids of 10 bytes).
BUDGET_BYTES = 40_000_000
#: Ids read per statement: the strings of one page are all a read holds at once.
PAGE = 65_536

_ENDS = {"out": ("src", "dst"), "in": ("dst", "src")}


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
    def of(cls, pages: Iterable[Iterable[str]]) -> NeighbourIds:
        """The distinct ids of ``pages`` (each page's strings live only while it is encoded)."""
        arrays = [np.array([node.encode() for node in page], dtype=np.bytes_) for page in pages]
        arrays = [array for array in arrays if array.size]
        joined = np.unique(np.concatenate(arrays)) if arrays else np.array([], dtype="S1")
        return cls(joined)

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
        self.kept: OrderedDict[tuple[str, str], NeighbourIds] = OrderedDict()
        self.size = 0
        """Ids kept."""
        self.nbytes = 0
        """Bytes they take."""
        self._lock = threading.Lock()

    def peek(self, node: str, way: Literal["out", "in"]) -> NeighbourIds | None:
        """``node``'s neighbours on ``way`` if they are kept (no statement)."""
        with self._lock:
            found = self.kept.get((node, way))
            if found is not None:
                self.kept.move_to_end((node, way))
            return found

    def of(self, node: str, way: Literal["out", "in"]) -> NeighbourIds:
        """``node``'s neighbours on ``way``, read from the index and kept when not kept yet."""
        found = self.peek(node, way)
        if found is not None:
            return found
        found = NeighbourIds.of(self._pages(node, way))
        if len(found) <= self.budget and found.nbytes <= self.budget_bytes:
            with self._lock:
                if (node, way) not in self.kept:
                    self.kept[(node, way)] = found
                    self.size += len(found)
                    self.nbytes += found.nbytes
                while self.size > self.budget or self.nbytes > self.budget_bytes:
                    _, dropped = self.kept.popitem(last=False)
                    self.size -= len(dropped)
                    self.nbytes -= dropped.nbytes
        return found

    def _pages(self, node: str, way: Literal["out", "in"]) -> Iterator[list[str]]:
        """``node``'s distinct neighbours on ``way`` in id order, :data:`PAGE` at a time (from
        the index of edge ends alone, each page starting after the last id of the one before)."""
        mine, theirs = _ENDS[way]
        first = f"SELECT DISTINCT {theirs} FROM {{s}}.edges WHERE {mine} = %s ORDER BY {theirs} LIMIT %s"
        after = (
            f"SELECT DISTINCT {theirs} FROM {{s}}.edges WHERE {mine} = %s AND {theirs} > %s ORDER BY {theirs} LIMIT %s"
        )
        rows = self.reader.rows(first, [node, PAGE])
        while True:
            page = [row[0] for row in rows]
            del rows
            yield page
            if len(page) < PAGE:
                return
            rows = self.reader.rows(after, [node, page[-1], PAGE])
