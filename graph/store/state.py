"""What an index hands a snapshot to keep, and takes back: plain values, nothing pickled.

An index's ``state()`` is a mapping of names to numpy arrays (kept as ``.npy``), bytes (kept
as they are), :class:`NodeIds` (entity ids, kept as positions in the graph's id list, so a
restored index shares the graph's strings instead of holding a million copies) or JSON
values; ``restore(graph, state)`` builds the index from the same mapping without redoing
its work.
"""

from __future__ import annotations

from typing import Any

__all__ = ["IndexState", "NodeIds"]


class NodeIds(list[str]):
    """A list of entity ids inside an index's state."""


IndexState = dict[str, Any]
