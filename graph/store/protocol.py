"""What every store offers the queries and the app: the in-memory :class:`~graph.store.store.GraphStore`
and the database-backed :class:`~graph.store.postgres.store.PostgresStore` alike."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import networkx as nx

from graph.errors import UnknownEntity, UnknownName
from graph.model.vocabulary import Vocabulary
from graph.store.stats import GraphStats

if TYPE_CHECKING:
    from graph.ingest.dataset import Dataset
    from graph.ingest.ftm import FtmReport
    from graph.store.dated import Row
    from graph.store.hubs import Hubs
    from graph.store.search import SearchPage
    from graph.store.snapshot import Manifest
    from graph.xref import XrefIndex

__all__ = ["Dated", "Lookups", "NameSearch", "Store"]


class NameSearch(Protocol):
    def search(
        self, q: str = "", *, kind: str | None = None, country: str | None = None, limit: int = 20,
        offset: int = 0, deadline: Any = None,
    ) -> SearchPage: ...  # fmt: skip


class Dated(Protocol):
    def between(self, start: str | None, end: str | None) -> list[Row]: ...

    def ended_between(self, start: str | None, end: str | None) -> list[Row]: ...

    def days(self, start: str | None, end: str | None, relations: Collection[str]) -> list[tuple[str, int]]: ...

    def began_on(self, first: str, last: str, relations: Collection[str]) -> list[Row]: ...


class Store(Protocol):
    """A loaded graph and what every query needs beside it."""

    nodes: int
    edges: int
    data_paths: list[str]
    loaded_at: datetime
    ftm_report: FtmReport | None
    dataset: Dataset | None
    snapshot: Manifest | None

    @property
    def graph(self) -> nx.MultiDiGraph: ...

    @property
    def vocabulary(self) -> Vocabulary: ...

    @property
    def stats(self) -> GraphStats: ...

    @property
    def index(self) -> NameSearch: ...

    @property
    def hubs(self) -> Hubs: ...

    @property
    def dated(self) -> Dated: ...

    @property
    def best_connected(self) -> str | None: ...

    def warm(self) -> Any: ...

    def xref_index(self) -> XrefIndex: ...

    def require(self, node_id: str, graph: nx.MultiDiGraph | None = None) -> str: ...

    def known(self, what: str, values: Sequence[str] | None) -> list[str] | None: ...


class _Searchable(Protocol):
    @property
    def graph(self) -> nx.MultiDiGraph: ...

    @property
    def index(self) -> NameSearch: ...

    @property
    def vocabulary(self) -> Vocabulary: ...


class Lookups:
    """Checking ids and names a request gives, for any store with a graph, a name search and a vocabulary."""

    def require(self: _Searchable, node_id: str, graph: nx.MultiDiGraph | None = None) -> str:
        """``node_id`` if the graph has it, else :class:`UnknownEntity` with similar ids as a hint."""
        if node_id in (graph if graph is not None else self.graph):
            return node_id
        words = node_id.replace("-", " ").replace("_", " ")[:100]
        # the id as words, then shorter forms: a typo at the end ("ndcc"), then the first word
        for attempt in dict.fromkeys((words, words[:-1], words.split()[0] if words.split() else "", words[:4])):
            if len(attempt) < 3:
                continue
            page = self.index.search(attempt, limit=3)
            if page.results:
                raise UnknownEntity(node_id, [r["id"] for r in page.results])
        raise UnknownEntity(node_id)

    def known(self: _Searchable, what: str, values: Sequence[str] | None) -> list[str] | None:
        """``values`` if the vocabulary declares each (``what``: kinds or relations), None when
        there are none; :class:`~graph.errors.UnknownName` naming the unknown ones otherwise."""
        wanted = list(values or ())
        if not wanted:
            return None
        vocab = self.vocabulary
        declared = vocab.kinds if what in ("kind", "kinds") else vocab.relation_types
        unknown = [v for v in wanted if v not in declared]
        if unknown:
            raise UnknownName(what, unknown, sorted(declared))
        return wanted
