"""Paths between two entities that mean a connection, best first, each hop explained by its edge and evidence.

A path passes through an entity only if something links the two sides there: two firms
designated by the same authority, or based in the same country, are not thereby connected.
Relation types say which kind they are (``paths: shared`` in the vocabulary). By default a
path never passes through an entity by two shared relations; with ``via="shared"`` such
paths come after all the connecting ones, each shared step said for what it is ("US
Department of State sanctioned both X and Y on 2024-04-19").

Paths are ranked by directness (fewer hops first) and then by the weakest confidence along
them, so a two-hop chain of primary sources comes before a two-hop chain resting on one
press report. Enumeration is bounded by ``max_hops``, ``limit`` paths and the time budget
(the search itself is :class:`graph.queries.path_search.PathSearch`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypedDict, cast

import networkx as nx

from graph.errors import BadQuery
from graph.limits import MAX_HOPS, MAX_PATHS, Deadline, check_range
from graph.model.vocabulary import Vocabulary
from graph.queries.part import Part
from graph.queries.path_search import PathSearch
from graph.queries.walk import Via, check_direction, check_via, edge_filter, undated
from graph.store import records
from graph.store.records import Direction, EdgeFilter

__all__ = [
    "ChainHop",
    "FoundPath",
    "Hop",
    "PathAnswer",
    "PathResult",
    "PathsAnswer",
    "SharedStep",
    "explain_hop",
    "find_paths",
]

#: Paths of one length ranked against each other at most; beyond, the first found are ranked.
_CANDIDATES = 500
#: Paths found whose hops are read at once to rank them.
_READ_AT_ONCE = 128

_From = TypedDict("_From", {"from": str})


class ChainHop(records.RelationRecord, _From):
    """One hop of a path or chain: its edge, read in path order (``from`` -> ``to``), explained."""

    to: str
    forward: bool
    explanation: str


class Hop(ChainHop):
    """A hop of a path, with the other edges between the same two entities."""

    parallel: list[records.RelationRecord]


class SharedStep(TypedDict):
    """An entity a path passes through only because both sides share it (asked for with ``via=shared``)."""

    entity: str
    position: int
    """Its place in the path: after hop ``position - 1``, before hop ``position`` (0-based hops)."""
    explanation: str


class PathAnswer(TypedDict):
    length: int
    connects: bool
    """True when every entity on the path links its two sides (no shared step)."""
    weakest_confidence: str | None
    shared: list[SharedStep]
    hops: list[Hop]


class PathsAnswer(TypedDict):
    """What ``/api/paths`` answers."""

    source: records.EntitySummary
    target: records.EntitySummary
    via: str
    paths: list[PathAnswer]
    truncated: bool
    truncated_reason: str | None


@dataclass
class FoundPath:
    """One path: its hops, the shared steps on it, and the weakest confidence along it."""

    hops: list[Hop]
    shared: list[SharedStep]
    weakest_confidence: str | None

    @property
    def connects(self) -> bool:
        return not self.shared

    def answer(self) -> PathAnswer:
        return {
            "length": len(self.hops),
            "connects": self.connects,
            "weakest_confidence": self.weakest_confidence,
            "shared": self.shared,
            "hops": self.hops,
        }


@dataclass
class PathResult:
    """Paths, best first: connecting before shared, fewer hops, stronger weakest confidence."""

    source: str
    target: str
    via: Via = "connections"
    paths: list[FoundPath] = field(default_factory=list)
    truncated: bool = False
    truncated_reason: str | None = None

    def answer(self, graph: nx.MultiDiGraph) -> PathsAnswer:
        return {
            "source": records.summary(graph, self.source),
            "target": records.summary(graph, self.target),
            "via": self.via,
            "paths": [path.answer() for path in self.paths],
            "truncated": self.truncated,
            "truncated_reason": self.truncated_reason,
        }

    def part(self) -> Part:
        """The nodes and edges of the paths (with their parallel edges), in path order."""
        part = Part(truncated=self.truncated, truncated_reason=self.truncated_reason)
        edges: dict[records.EdgeKey, None] = {}
        for path in self.paths:
            for position, hop in enumerate(path.hops):
                part.nodes.setdefault(hop["from"], position)
                part.nodes.setdefault(hop["to"], position + 1)
                for edge in (hop, *hop["parallel"]):
                    edges[(edge["source"], edge["target"], edge["key"])] = None
        part.edges = list(edges)
        return part


def find_paths(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    max_hops: int = 4,
    relations: Iterable[str] | None = None,
    as_of: date | None = None,
    direction: Direction = "both",
    limit: int = 10,
    derived: bool = False,
    via: Via = "connections",
    deadline: Deadline | None = None,
) -> PathResult:
    """Up to ``limit`` simple paths from ``source`` to ``target`` of at most ``max_hops`` hops.

    With ``direction="out"`` every hop follows its edge's direction; with ``"both"`` (the
    default) hops may also go against it, and say so (``forward: false``). Derived edges
    (``based_in`` from a country field) are not followed unless ``derived`` is set or
    ``relations`` names them: a country with half a million such edges would make every
    pair of entities two hops apart. Paths through an entity by two shared relations come
    only with ``via="shared"``, after every connecting path found.

    >>> from graph.store.build import load_graph
    >>> result = find_paths(load_graph(), "riamb", "shaheen-3", direction="out", limit=1)
    >>> for hop in result.paths[0].hops:
    ...     print(hop["explanation"])
    Beijing Research Institute of Automation for Machine-Building Industry supplied National Development Complex
    National Development Complex develops Shaheen-3
    """
    check_range("max_hops", max_hops, 1, MAX_HOPS)
    check_range("limit", limit, 1, MAX_PATHS)
    check_direction(direction)
    check_via(via)
    if source == target:
        raise BadQuery("source and target must differ")
    deadline = deadline or Deadline.unlimited()
    vocab = records.vocabulary(graph)
    keep = edge_filter(relations, as_of, derived=derived or bool(relations))
    explain = _Explainer(graph, vocab, direction, keep)
    result = PathResult(source, target, via)
    passes: tuple[Via, ...] = ("connections", "shared") if via == "shared" else ("connections",)
    for walk in passes:
        search = PathSearch(
            graph,
            source,
            target,
            direction=direction,
            keep=keep,
            shared=vocab.shared_relations,
            via=walk,
            deadline=deadline,
        )
        for length in range(1, max_hops + 1):
            found: list[_Candidate] = []
            node_paths = search.paths_of_length(length)
            while len(found) < _CANDIDATES:
                # never more than the candidates still wanted: the search does no work a ranking does not use
                some = list(itertools.islice(node_paths, min(_CANDIDATES - len(found), _READ_AT_ONCE)))
                if not some:
                    break
                explain.gather(some)
                for node_path in some:
                    candidate = explain.candidate(node_path)
                    if walk == "shared" and candidate.connects:
                        continue  # given by the first pass
                    found.append(candidate)
            found.sort(key=lambda c: c.rank)
            chosen = found[: limit - len(result.paths)]
            explain.read_edges(chosen)
            records.fetch(graph, [source, target, *(end for c in chosen for hop in c.edges for end in hop[0][:2])])
            result.paths += [explain.path(c) for c in chosen]
            if len(result.paths) >= limit:
                result.truncated, result.truncated_reason = True, "limit"
                return result
            if search.stopped or deadline.expired:
                result.truncated, result.truncated_reason = True, search.stopped or "time_budget"
                return result
            if search.exhausted:
                break
    return result


_Edge = tuple[str, str, str, records.Attrs, bool]
#: A hop's passing edge as ranking reads it: its relation type and confidence.
_Grade = tuple[str | None, str | None]


def _grade(data: records.Attrs) -> _Grade:
    return data.get("relation"), records.confidence_of(data)


@dataclass
class _Candidate:
    """A path found, ranked, before it is written out: its entities, each hop's best edge
    (a connecting one if any, then the best evidenced) as ranking saw it, and its rank;
    each hop's edges (best first) once read (see :meth:`_Explainer.read_edges`)."""

    nodes: list[str]
    shared_only: list[bool]
    weakest: str | None
    rank: tuple[int, int, list[str]]
    edges: list[list[_Edge]] = field(default_factory=list)

    @property
    def connects(self) -> bool:
        return not any(a and b for a, b in itertools.pairwise(self.shared_only))


@dataclass
class _Explainer:
    """Ranks node paths, and writes out the chosen ones as explained hops with their shared steps.

    Ranking needs of each hop's edges only their relation types and confidence: with an
    edge filter that decides from an edge's kind (no as-of day), those are read as the edges'
    kinds (:func:`graph.store.records.kinds_between`), which a path search has mostly read
    already and a database reads from an index, and only the paths chosen have their edges
    read whole; with an as-of day every hop's edges are read to be filtered anyway."""

    graph: nx.MultiDiGraph
    vocab: Vocabulary
    direction: Direction
    keep: EdgeFilter | None

    def __post_init__(self) -> None:
        self.by_kind = undated(self.keep)
        self.rule = self.keep if undated(self.keep) else None
        self.ways: tuple[Literal["out", "in"], ...] = records.ways(self.direction)

    def gather(self, node_paths: list[list[str]]) -> None:
        """Say which hops :meth:`candidate` reads next (a database reads them at once)."""
        if self.by_kind:
            records.gather_pair_kinds(self.graph, self._pairs(node_paths))
        else:
            records.gather_pairs(self.graph, self._pairs(node_paths), attributes=False)

    def _pairs(self, node_paths: list[list[str]]) -> Iterator[tuple[str, str]]:
        """The (source, target) pairs whose edges the hops of ``node_paths`` may pass."""
        for path in node_paths:
            for a, b in itertools.pairwise(path):
                for way in self.ways:
                    yield (b, a) if way == "in" else (a, b)

    def candidate(self, node_path: list[str]) -> _Candidate:
        """What ranking needs: each hop's best edge (the first of a connecting one if any,
        then the best evidenced, as :meth:`_hop_edges` orders them), and the weakest of those."""
        vocab = self.vocab
        best: list[_Grade] = []
        edges: list[list[_Edge]] = []
        for a, b in itertools.pairwise(node_path):
            if self.by_kind:
                best.append(min(self._hop_grades(a, b), key=self._order))
            else:
                edges.append(self._hop_edges(a, b))
                best.append(_grade(edges[-1][0][3]))
        shared_only = [vocab.shared(relation) for relation, _ in best]
        weakest = vocab.weakest(confidence for _, confidence in best)
        rank = (len(best), vocab.confidence_rank(weakest), node_path[1:])
        return _Candidate(node_path, shared_only, weakest, rank, edges)

    def _order(self, grade: _Grade) -> tuple[bool, int]:
        """Where an edge of this grade comes among a hop's: connecting ones first, then by confidence."""
        return self.vocab.shared(grade[0]), self.vocab.confidence_rank(grade[1])

    def _hop_grades(self, a: str, b: str) -> list[_Grade]:
        """The passing edges between ``a`` and ``b`` as ranking reads them, in the order
        :func:`graph.store.records.relations_between` gives them (forward first)."""
        rule, graph = self.rule, self.graph
        return [
            (relation, confidence)
            for way in self.ways
            for relation, derived, confidence in records.kinds_between(graph, a, b, way)
            if rule is None or rule.takes(relation, derived)
        ]

    def _hop_edges(self, a: str, b: str) -> list[_Edge]:
        """The passing edges between ``a`` and ``b``, best first: a connecting one if any, then
        the best evidenced."""
        found = records.relations_between(self.graph, a, b, self.direction, self.keep)
        found.sort(key=lambda e: self._order(_grade(e[3])))
        return found

    def read_edges(self, chosen: list[_Candidate]) -> None:
        """Read the hops' edges of the paths chosen that were ranked by their kinds (a
        database reads them in one statement)."""
        unread = [c for c in chosen if not c.edges]
        if not unread:
            return
        records.gather_pairs(self.graph, self._pairs([c.nodes for c in unread]), attributes=False)
        for c in unread:
            c.edges = [self._hop_edges(a, b) for a, b in itertools.pairwise(c.nodes)]

    def path(self, candidate: _Candidate) -> FoundPath:
        hops: list[Hop] = []
        for (u, v, k, d, forward), *others in candidate.edges:
            hop = cast(Hop, chain_hop(self.graph, u, v, k, d, forward))
            hop["parallel"] = [records.relation_record(pu, pv, pk, pd) for pu, pv, pk, pd, _ in others]
            hops.append(hop)
        flags = candidate.shared_only
        shared = [self._shared_step(hops[i - 1], hops[i], i) for i in range(1, len(hops)) if flags[i - 1] and flags[i]]
        return FoundPath(hops, shared, candidate.weakest)

    def _shared_step(self, before: Hop, after: Hop, position: int) -> SharedStep:
        """Say what two sides share: "X sanctioned both A and B on D", "A and B both based in X"."""
        name = records.label
        node, a, b = (name(self.graph, n) for n in (before["to"], before["from"], after["to"]))
        day_a, day_b = records.when(before), records.when(after)
        node_is_source = (not before["forward"], after["forward"])
        if before["relation"] != after["relation"] or node_is_source[0] != node_is_source[1]:
            text = f"{a} and {b} share {node}: {before['explanation']}; {after['explanation']}"
        elif node_is_source[0]:  # one authority, two designations
            verb = self.vocab.relation_label(before["relation"])
            if day_a and day_b and day_a != day_b:
                text = f"{node} {verb} both {a} on {day_a} and {b} on {day_b}"
            else:
                text = f"{node} {verb} both {a} and {b}" + (f" on {day_a}" if day_a and day_a == day_b else "")
        else:  # two entities pointing at one country, event or programme
            verb = self.vocab.relation_label(before["relation"])
            text = f"{a} and {b} both {verb} {node}" + (f" on {day_a}" if day_a and day_a == day_b else "")
        return {"entity": before["to"], "position": position, "explanation": text}


def chain_hop(graph: nx.MultiDiGraph, u: str, v: str, key: str, attrs: records.Attrs, forward: bool) -> ChainHop:
    """The edge ``(u, v, key)`` as a hop walked from ``u`` to ``v`` (``forward``) or back."""
    a, b = (u, v) if forward else (v, u)
    hop = cast(ChainHop, records.relation_record(u, v, key, attrs))
    hop["from"], hop["to"], hop["forward"] = a, b, forward
    hop["explanation"] = explain_hop(graph, a, b, str(attrs.get("relation", "related")), forward)
    return hop


def explain_hop(graph: nx.MultiDiGraph, a: str, b: str, relation: str, forward: bool) -> str:
    """A sentence for one hop, read in the path's direction ("X supplied Y", "Y is supplied by X")."""
    verb = records.vocabulary(graph).relation_label(relation, forward)
    return f"{records.label(graph, a)} {verb} {records.label(graph, b)}"
