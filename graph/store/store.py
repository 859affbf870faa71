"""A loaded graph with what every query needs beside it: its vocabulary, the search index, the
dated index, and where it came from."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.errors import NotReady
from graph.ingest.curated import BUNDLED_DATA, load_dataset
from graph.ingest.dataset import Dataset
from graph.ingest.ftm import FtmReport, Progress, load_ftm
from graph.model.vocabulary import Vocabulary
from graph.store import records
from graph.store.build import build_graph
from graph.store.dated import DatedIndex
from graph.store.hubs import HubGroup, HubIndex, Way, hub_groups
from graph.store.protocol import Lookups
from graph.store.search import SearchIndex
from graph.store.stats import GraphStats, graph_stats

if TYPE_CHECKING:
    from graph.store.snapshot import Manifest
    from graph.xref import XrefIndex

__all__ = ["XREF_BACKGROUND_FROM", "GraphStore", "fingerprint"]

#: From this many imported entities on, the cross-reference index is built in the background
#: (about 27 s for a million): asking before it is ready answers NotReady instead of waiting.
XREF_BACKGROUND_FROM = 50_000


@dataclass
class GraphStore(Lookups):
    """One immutable, fully validated graph; replaced as a whole, never edited in place."""

    graph: nx.MultiDiGraph
    data_paths: list[str] = field(default_factory=list)
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    ftm_report: FtmReport | None = None
    """What the FollowTheMoney files added and skipped, when any were loaded."""
    dataset: Dataset | None = None
    """The curated entries the graph was built from (what ``linkscope validate`` counts)."""
    snapshot: Manifest | None = None
    """The manifest of the snapshot this store was read from or written to, if any."""
    nodes: int = field(init=False)
    edges: int = field(init=False)
    """Counted once: ``MultiDiGraph.number_of_edges()`` walks every node, seconds at a million."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _xref: XrefIndex | None = field(default=None, repr=False, compare=False)
    _xref_building: threading.Thread | None = field(default=None, repr=False, compare=False)
    counted: InitVar[int | None] = None
    """The number of relations when already known (a snapshot records it), to skip counting."""

    def __post_init__(self, counted: int | None) -> None:
        self.nodes = len(self.graph)
        self.edges = records.count_relations(self.graph) if counted is None else counted

    @classmethod
    def from_graph(
        cls,
        graph: nx.MultiDiGraph,
        data_paths: Sequence[str] = (),
        ftm_report: FtmReport | None = None,
        dataset: Dataset | None = None,
    ) -> GraphStore:
        return cls(graph, list(data_paths), ftm_report=ftm_report, dataset=dataset)

    @property
    def vocabulary(self) -> Vocabulary:
        return records.vocabulary(self.graph)

    # Whole-graph summaries: computed once per store (the graph never changes), by warm() or on first use.

    def warm(self) -> GraphStore:
        """Build the search and dated indexes and the counts now (a server needs them all), so
        serving starts with its memory in place and no first request waits for them."""
        _ = self.dated, self.stats, self.hubs
        self.index.warm()
        return self

    @cached_property
    def hubs(self) -> HubIndex:
        """The relation groups of the entities with many relations, ordered once (see :mod:`graph.store.hubs`)."""
        with self._lock:
            return HubIndex(self.graph)

    def hub_groups(self) -> dict[str, dict[tuple[str, Way], HubGroup]]:
        """The hub index's groups: the index's own once built, else grouped now and not kept
        (all a load into a database needs of it: see :func:`graph.store.hubs.hub_groups`)."""
        built: HubIndex | None = self._built("hubs")
        return built.groups if built is not None else hub_groups(self.graph)

    def _built(self, index: str) -> Any:
        """The index named so if it is built (a cached property keeps it in the instance's dict), or None."""
        return self.__dict__.get(index)

    @cached_property
    def index(self) -> SearchIndex:
        """The name search index (built by :meth:`warm`, or on first use: about 11 s at a
        million entities, which commands that only export do not need)."""
        with self._lock:
            return SearchIndex(self.graph)

    @cached_property
    def stats(self) -> GraphStats:
        with self._lock:  # the dated index's dates if it is built (warm builds it first)
            return graph_stats(self.graph, self._built("dated"))

    @cached_property
    def dated(self) -> DatedIndex:
        with self._lock:
            return DatedIndex.of(self.graph)

    def xref_index(self) -> XrefIndex:
        """The cross-reference index of the imported entities, built on first use (once).

        With many imported entities the build runs in a background thread and this raises
        :class:`~graph.errors.NotReady` until it is done, so no request waits half a minute.
        """
        if self._xref is not None:
            return self._xref
        from graph.xref import XrefIndex  # the matcher's lexicon is loaded only when needed

        imported = self.ftm_report.nodes if self.ftm_report is not None else 0
        with self._lock:
            if self._xref is None and imported < XREF_BACKGROUND_FROM:
                self._xref = XrefIndex.build(self.graph)
            elif self._xref is None and self._xref_building is None:

                def build() -> None:
                    self._xref = XrefIndex.build(self.graph)

                self._xref_building = threading.Thread(target=build, name="xref-index", daemon=True)
                self._xref_building.start()
        if self._xref is None:
            raise NotReady("the cross-reference index", retry_after=10)
        return self._xref

    @cached_property
    def best_connected(self) -> str | None:
        """The entity with the most relations (the explorer's start when the default centre is absent).

        Counted from the adjacency, as ``graph.degree`` counts (every key, first of equals in
        node order), not through ``graph.degree``: networkx caches that view on the graph, a
        reference cycle that leaves a dropped graph (millions of objects) to the next full
        garbage collection instead of freeing it at once."""
        succ, pred = records.successors(self.graph), records.predecessors(self.graph)

        def degree(node: str) -> int:
            return sum(map(len, succ[node].values())) + sum(map(len, pred[node].values()))

        with self._lock:
            return max(succ, key=degree) if self.nodes else None

    @classmethod
    def load(
        cls,
        paths: Sequence[Path | str] | None = None,
        *,
        ftm: Sequence[Path | str] = (),
        skip_invalid: bool = False,
        strict: bool = False,
        progress: Progress | None = None,
    ) -> GraphStore:
        """Load, validate and index the curated data (default: the bundled data) and any
        FtM files beside it; raises DataError, and then nothing is kept."""
        chosen = [Path(p) for p in paths] if paths else [BUNDLED_DATA]
        dataset = load_dataset(chosen)
        graph = build_graph(dataset)
        report = load_ftm(graph, ftm, skip_invalid=skip_invalid, strict=strict, progress=progress) if ftm else None
        return cls.from_graph(graph, [str(p) for p in [*chosen, *ftm]], report, dataset)

    @classmethod
    def from_snapshot(cls, path: Path | str) -> GraphStore:
        """The store a snapshot file holds (see :mod:`graph.store.snapshot`), indexes included."""
        from graph.store.snapshot import read_snapshot

        return read_snapshot(Path(path))


def fingerprint(paths: Sequence[Path | str]) -> dict[str, tuple[int, int] | None]:
    """Modification time and size of every data file under ``paths`` (``None``: missing or unreadable).

    Two equal fingerprints mean nothing was written in between; a watcher compares them to
    notice changes, and waits for two equal ones in a row before reloading a file being written.
    """
    found: dict[str, tuple[int, int] | None] = {}
    for path in map(Path, paths):
        try:
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        except OSError:
            found[str(path)] = None
            continue
        for file in files:
            try:
                stat = file.stat()
                found[str(file)] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                found[str(file)] = None
    return found
