"""A selection of the graph, asked for one way everywhere: ``select(store, query)``.

The idea at the centre of Linkscope is a part of the graph that is then shown or exported:
the whole graph, a neighbourhood, the paths between two entities, or a supply chain. The
routes, the command line and the explorer each describe what they want as one of the
small query types below and make one call; the answer is a :class:`Selection`, which
knows its own JSON answer, its graph for exports, and a file name saying what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from graph.errors import BadQuery
from graph.limits import MAX_PATHS, Deadline
from graph.queries.part import Part
from graph.queries.paths import PathResult, find_paths
from graph.queries.subgraph import subgraph
from graph.queries.supply_chain import SupplyChainAnswer, chain_part, supply_chain
from graph.queries.walk import Via
from graph.store.protocol import Store
from graph.store.records import Direction

__all__ = ["Neighbourhood", "Paths", "Query", "Selection", "SupplyChainOf", "WholeGraph", "select"]


@dataclass(frozen=True)
class WholeGraph:
    """Everything."""


@dataclass(frozen=True)
class Neighbourhood:
    """Everything within ``depth`` hops of the centres (see :func:`graph.queries.subgraph.subgraph`)."""

    centers: tuple[str, ...]
    depth: int = 1
    direction: Direction = "both"
    kinds: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    as_of: date | None = None
    max_nodes: int = 500
    expand: tuple[str, ...] = ()
    expand_page: int | None = None
    include: tuple[str, ...] = ()
    """Entities added as they are (not expanded): members pulled out of a group."""
    via: Via = "connections"
    group: int | None = None
    """Group an entity's neighbours through one relation above this many (None: never)."""
    export_groups: bool = False
    """Exports hold the groups as drawn instead of the entities they stand for."""


@dataclass(frozen=True)
class Paths:
    """The explained paths between two entities (see :func:`graph.queries.paths.find_paths`)."""

    source: str
    target: str
    max_hops: int = 4
    relations: tuple[str, ...] = ()
    as_of: date | None = None
    direction: Direction = "both"
    limit: int = 10
    derived: bool = False
    via: Via = "connections"


@dataclass(frozen=True)
class SupplyChainOf:
    """Everything upstream of a programme or recipient (see :func:`graph.queries.supply_chain.supply_chain`)."""

    target: str
    as_of: date | None = None
    """The day sanctions are judged in force on; None: today."""


Query = WholeGraph | Neighbourhood | Paths | SupplyChainOf


@dataclass
class Selection:
    """What a query chose: its part of the graph, and the query's own answer when it has one."""

    query: Query
    part: Part | None
    """None for the whole graph (a million nodes are not copied into a part)."""
    source: nx.MultiDiGraph
    """The graph it was selected from, which its answer and exports read (for a database-backed
    store, the request's lazy graph, holding what the query already fetched)."""
    name: str
    """A file name stem saying what the selection holds, e.g. ``linkscope-subgraph-ndc-depth1``."""
    paths: PathResult | None = None
    chain: SupplyChainAnswer | None = None
    centers: list[str] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.part is not None and self.part.truncated

    def graph(self, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
        """The selection as a graph (the whole graph itself, or a graph of the part with the
        members behind its groups copied in: exports stream those instead, see
        :func:`graph.exports.source_of`)."""
        if self.part is None:
            return graph
        return self.part.as_graph(graph, grouped=isinstance(self.query, Neighbourhood) and self.query.export_groups)

    def answer(self, graph: nx.MultiDiGraph) -> Any:
        """The query's own JSON answer: subgraph node-link, explained paths, or the supply chain."""
        if self.paths is not None:
            return self.paths.answer(graph)
        if self.chain is not None:
            return self.chain
        if self.part is not None:
            return self.part.to_json(graph)
        raise BadQuery("the whole graph has no answer of its own: export it in a file format")


def select(store: Store, query: Query, *, deadline: Deadline | None = None) -> Selection:
    """Run ``query`` on ``store``: ids must exist (:class:`~graph.errors.UnknownEntity` with
    suggestions otherwise), kinds and relation types must be in the vocabulary
    (:class:`~graph.errors.UnknownName`), and every bound and the time budget apply."""
    graph = store.graph
    if isinstance(query, WholeGraph):
        return Selection(query, None, graph, "linkscope")
    if isinstance(query, Neighbourhood):
        centers = [store.require(c, graph) for c in query.centers]
        part = subgraph(
            graph,
            centers,
            depth=query.depth,
            direction=query.direction,
            kinds=store.known("kinds", query.kinds),
            relations=store.known("relations", query.relations),
            as_of=query.as_of,
            max_nodes=query.max_nodes,
            expand=[store.require(e, graph) for e in query.expand],
            expand_page=query.expand_page,
            include=[store.require(i, graph) for i in query.include],
            via=query.via,
            group=query.group,
            deadline=deadline,
        )
        name = f"linkscope-subgraph-{'-'.join(centers[:3])}-depth{query.depth}"
        return Selection(query, part, graph, name + (f"-as-of-{query.as_of}" if query.as_of else ""), centers=centers)
    if isinstance(query, Paths):
        source, target = store.require(query.source, graph), store.require(query.target, graph)
        found = find_paths(
            graph,
            source,
            target,
            max_hops=query.max_hops,
            relations=store.known("relations", query.relations),
            as_of=query.as_of,
            direction=query.direction,
            limit=min(query.limit, MAX_PATHS),
            derived=query.derived,
            via=query.via,
            deadline=deadline,
        )
        return Selection(
            query, found.part(), graph, f"linkscope-paths-{source}-{target}", paths=found, centers=[source]
        )
    target = store.require(query.target, graph)
    day = query.as_of or date.today()
    chain = supply_chain(graph, target, as_of=day, deadline=deadline)
    return Selection(
        query, chain_part(chain), graph, f"linkscope-supply-chain-{target}-{day}", chain=chain, centers=[target]
    )
