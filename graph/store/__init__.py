"""The built graph: how records are stored (:mod:`.records`, the only module that knows),
building it from curated data (:mod:`.build`), and :class:`~graph.store.store.GraphStore`,
the loaded graph with its search index (:mod:`.search`), dated index (:mod:`.dated`) and
counts (:mod:`.stats`). :class:`~graph.store.protocol.Store` is what queries ask of any store,
this one or the PostgreSQL store (:mod:`.postgres`).

``GraphStore`` is importable from here; it is imported on first use, because the loaders
it calls write through :mod:`.records` in this same package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.store.protocol import Store
    from graph.store.store import GraphStore

__all__ = ["GraphStore", "Store"]


def __getattr__(name: str) -> Any:
    if name == "GraphStore":
        from graph.store.store import GraphStore

        return GraphStore
    if name == "Store":
        from graph.store.protocol import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
