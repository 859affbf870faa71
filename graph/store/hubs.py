"""The relations of the graph's hubs, grouped and ordered once, so a page of them is a slice.

A hub (a country with half a million entities based in it, an authority with tens of
thousands of designations, a holding company owning thousands of firms) would otherwise be
read whole, grouped and sorted for every page of its entity detail. Here each hub's
relations are grouped by (relation type, direction) and ordered as the entity detail orders
them (most recent first, undated last, then by the other end's label), with each relation's
first and last day in force as numpy arrays, so an as-of page is a vectorised comparison
and the page itself is a slice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal, Protocol

import networkx as nx
import numpy as np

from graph.model.dates import latest
from graph.store import by_relation, records
from graph.store.state import IndexState, NodeIds

__all__ = ["HUB_DEGREE", "HubGroup", "HubIndex", "HubPages", "Hubs", "hub_groups"]

#: Entities related to at least this many others have their groups indexed.
HUB_DEGREE = 1_000
_NEVER = np.iinfo(np.int32).max

Way = Literal["out", "in"]


class HubPages(Protocol):
    """One hub group, read a page at a time (in memory: :class:`HubGroup`; or from a database)."""

    @property
    def others(self) -> Mapping[int, str] | list[str]: ...

    @property
    def keys(self) -> Mapping[int, str] | list[str]: ...

    def page(self, as_of: date | None, offset: int, limit: int) -> tuple[int, list[int]]: ...


class Hubs(Protocol):
    """The hubs whose groups are ordered ahead of asking (in memory: :class:`HubIndex`)."""

    def __contains__(self, node: object) -> bool: ...

    def of(self, node: str) -> Mapping[tuple[str, Way], HubPages]: ...


@dataclass(frozen=True)
class HubGroup:
    """One group's relations in entity-detail order: the other ends, the keys, and the days
    (ordinals) each relation counts from (0 when undated) and until (exclusive; never if open)."""

    others: list[str]
    keys: list[str]
    starts: np.ndarray
    ends: np.ndarray

    def page(self, as_of: date | None, offset: int, limit: int) -> tuple[int, list[int]]:
        """The group's total on ``as_of`` (all, if None) and the positions of one page."""
        if as_of is None:
            return len(self.others), list(range(offset, min(offset + limit, len(self.others))))
        day = as_of.toordinal()
        counting = np.flatnonzero((self.starts <= day) & (day < self.ends))
        return len(counting), counting[offset : offset + limit].tolist()


class HubIndex:
    """The groups of every entity related to at least :data:`HUB_DEGREE` others. Making one
    also lists those entities' neighbours by relation type (see :mod:`graph.store.by_relation`)."""

    def __init__(self, graph: nx.MultiDiGraph, threshold: int = HUB_DEGREE) -> None:
        self.groups = hub_groups(graph, threshold)
        by_relation.index_hubs(graph, self.groups)

    def state(self) -> IndexState:
        """The groups as flat columns, for a snapshot (see :mod:`graph.store.state`)."""
        table = [
            (node, rel, way, len(g.others)) for node, groups in self.groups.items() for (rel, way), g in groups.items()
        ]
        parts = [g for groups in self.groups.values() for g in groups.values()]
        return {
            "hubs": NodeIds(row[0] for row in table),
            "groups": [[rel, way, size] for _, rel, way, size in table],
            "others": NodeIds(other for g in parts for other in g.others),
            "keys": [key for g in parts for key in g.keys],
            "starts": np.concatenate([g.starts for g in parts]) if parts else np.zeros(0, np.int32),
            "ends": np.concatenate([g.ends for g in parts]) if parts else np.zeros(0, np.int32),
        }

    @classmethod
    def restore(cls, graph: nx.MultiDiGraph, state: IndexState) -> HubIndex:
        """The index :meth:`state` described, without grouping and sorting again."""
        index = cls.__new__(cls)
        index.groups = {}
        at = 0
        for node, (rel, way, size) in zip(state["hubs"], state["groups"], strict=True):
            group = HubGroup(
                state["others"][at : at + size], state["keys"][at : at + size],
                state["starts"][at : at + size], state["ends"][at : at + size],
            )  # fmt: skip
            index.groups.setdefault(node, {})[(rel, way)] = group
            at += size
        by_relation.index_hubs(graph, index.groups)
        return index

    def __contains__(self, node: object) -> bool:
        return node in self.groups

    def of(self, node: str) -> Mapping[tuple[str, Way], HubGroup]:
        return self.groups[node]


def hub_groups(graph: nx.MultiDiGraph, threshold: int = HUB_DEGREE) -> dict[str, dict[tuple[str, Way], HubGroup]]:
    """The groups of every entity related to at least ``threshold`` others (what a load into
    a database writes of the index, without listing the neighbours by relation type)."""
    succ, pred = records.successors(graph), records.predecessors(graph)
    return {node: _groups(graph, node) for node, after in succ.items() if len(after) + len(pred[node]) >= threshold}


def _groups(graph: nx.MultiDiGraph, node: str) -> dict[tuple[str, Way], HubGroup]:
    found: dict[tuple[str, Way], list[tuple[str, str, str | None, int, int]]] = {}
    entities = records.entities(graph)
    for way, adjacency in (("out", records.successors(graph)), ("in", records.predecessors(graph))):
        # a side's relations by their attributes' identity (group, date, days): the based_in
        # edges of an FtM file share one dict, and a country has millions of them
        read: dict[int, tuple[list[tuple[str, str, str | None, int, int]], str | None, int, int]] = {}
        for other, keyed in adjacency[node].items():
            for key, attrs in keyed.items():
                said = read.get(id(attrs))
                if said is None:
                    when = records.when(attrs)
                    group = found.setdefault((str(attrs.get("relation", "related")), way), [])  # type: ignore[arg-type]
                    said = read[id(attrs)] = (group, when, _day(when, 0), _day(attrs.get("end"), _NEVER))
                said[0].append((other, key, said[1], said[2], said[3]))
    groups = {}
    for group_key, items in found.items():
        items.sort(key=lambda item: str(entities[item[0]].get("label", item[0])))
        if any(item[2] for item in items):
            items.sort(key=lambda item: item[2] or "", reverse=True)  # most recent first, undated last
        starts = np.fromiter((item[3] for item in items), dtype=np.int32, count=len(items))
        ends = np.fromiter((item[4] for item in items), dtype=np.int32, count=len(items))
        groups[group_key] = HubGroup([i[0] for i in items], [i[1] for i in items], starts, ends)
    return groups


@lru_cache(maxsize=65_536)
def _ordinal(value: str) -> int:
    return latest(value).toordinal()


def _day(value: object, missing: int) -> int:
    """The last day a partial date may mean, as an ordinal (the as-of rule compares those)."""
    return _ordinal(str(value)) if value else missing
