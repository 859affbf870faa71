"""How entities and relations are stored in the graph: the one module that knows.

The graph is a ``networkx.MultiDiGraph``: nodes keyed by entity id, edges by ``(source,
target, key)``, each with a plain dict of attributes holding only present, JSON-native
values. Curated records cite their ``sources`` (a list of citations); imported
FollowTheMoney records carry their provenance instead (``datasets``, ``source_url``,
``last_seen``, ``ftm_file``, ``ftm_line``), from which their citation is made when a
record is shown. Everything else reads and writes through the functions here: the
conventions (the edge id, when a relation began, what counts on a day, what a citation
looks like) and the adjacency, which is read directly from networkx's dicts because the
public views cost several times more per step at a million entities.

Attribute dicts may be shared between edges (an FtM file's ``based_in`` edges share one):
never edit one in place.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypedDict, cast

import networkx as nx

from graph.model.dates import began, in_force
from graph.model.vocabulary import Vocabulary
from graph.store import by_relation

if TYPE_CHECKING:
    from graph.limits import Deadline

__all__ = [
    "Adjacency",
    "Attrs",
    "Citation",
    "Direction",
    "EdgeFilter",
    "EdgeKey",
    "EdgeKind",
    "EntityRecord",
    "EntitySummary",
    "MemberEdge",
    "MemberRow",
    "RelationRecord",
    "Tally",
    "UnresolvedReference",
    "add_entity",
    "add_relation",
    "adjacency",
    "bound",
    "citations",
    "confidence_of",
    "connecting",
    "count_relations",
    "counts_on",
    "degree",
    "edge_id",
    "edges_among",
    "entities",
    "entity_attrs",
    "entity_record",
    "fetch",
    "gather",
    "gather_kinds",
    "gather_kinds_to",
    "gather_pair_kinds",
    "gather_pairs",
    "is_derived",
    "is_imported",
    "iter_attributes",
    "iter_relations",
    "joined_by",
    "kinds_around",
    "kinds_between",
    "kinds_of",
    "kinds_to",
    "label",
    "labels",
    "member_edges",
    "members_page",
    "move_relations",
    "new_graph",
    "passing_kinds",
    "predecessors",
    "relation_attrs",
    "relation_facets",
    "relation_id",
    "relation_record",
    "relation_sizes",
    "relations_between",
    "relations_into",
    "relations_of",
    "remove_entity",
    "set_vocabulary",
    "sides",
    "successors",
    "summary",
    "tally",
    "vocabulary",
    "ways",
    "when",
]

Attrs = dict[str, Any]
#: ``(source, target, key)``: one edge.
EdgeKey = tuple[str, str, str]
#: Neighbour id -> key -> attributes, for one node.
Adjacency = Mapping[str, Mapping[str, Mapping[str, Attrs]]]
Direction = Literal["out", "in", "both"]
#: A predicate on edge attributes; ``None`` stands for "every edge passes".
EdgeFilter = Callable[[Mapping[str, Any]], bool]

_VOCABULARY = "vocabulary"


class _Publisher(TypedDict):
    publisher: str


class Citation(_Publisher, total=False):
    """One source of a record, curated or imported: the same shape either way (``publisher`` always)."""

    url: str
    type: str
    """The source type (primary, official-mirror, wire, press, weak); imported records have none."""
    title: str
    published: str
    retrieved: str
    quote: str
    source_id: str


class EntitySummary(TypedDict):
    """The short form of an entity used in lists: id, label, kind, country."""

    id: str
    label: str
    kind: str | None
    country: str | None


class _EntityKeys(TypedDict):
    id: str
    label: str
    kind: str


class UnresolvedReference(TypedDict):
    """A reference an imported entity makes to an entity no loaded file holds."""

    property: str
    target: str


class EntityRecord(_EntityKeys, total=False):
    """An entity with every attribute (``id``, ``label`` and ``kind`` always; the rest when known)."""

    country: str
    aliases: list[str]
    description: str
    confidence: str
    sources: list[Citation]
    unresolved: list[UnresolvedReference]


class _RelationKeys(TypedDict):
    source: str
    target: str
    key: str
    relation: str
    id: str


class RelationRecord(_RelationKeys, total=False):
    """A relation with every attribute (its ends, key, type and id always; the rest when known)."""

    date: str
    start: str
    end: str
    status: str
    confidence: str
    claimed_by: str
    sources: list[Citation]
    """Always on a record shown alone; bulk answers (subgraphs) leave imported records' out."""


# ---- conventions -------------------------------------------------------------------------


def edge_id(source: str, target: str, key: str) -> str:
    """A graph-wide unique, NMTOKEN-safe id for one edge.

    >>> edge_id("us-state-dept", "xian-longde", "sanctioned-2024-04-19")
    'us-state-dept:sanctioned-2024-04-19:xian-longde'
    """
    return f"{source}:{key}:{target}"


def relation_id(source: str, target: str, key: str, attrs: Mapping[str, Any]) -> str:
    """The edge's id: stored on curated edges, made on demand for imported ones."""
    stored = attrs.get("id")
    return stored if isinstance(stored, str) else edge_id(source, target, key)


def when(attrs: Mapping[str, Any]) -> str | None:
    """When the relation began (its ``date`` or ``start``; see :func:`graph.model.dates.began`)."""
    return began(attrs.get("date"), attrs.get("start"))


def relation_facets(attrs: Mapping[str, Any]) -> tuple[str, str]:
    """A relation's year (when it began; ``undated``) and programme (``none``), as a grouped
    view's members are split by them (see :func:`graph.queries.groups.facet_value`)."""
    day = when(attrs)
    return (day[:4] if day else "undated", str(attrs.get("program") or "none"))


def counts_on(attrs: Mapping[str, Any], day: date | None) -> bool:
    """Whether a relation counts on ``day`` (always, when ``day`` is None): it has certainly
    begun by then and not certainly ended (see :func:`graph.model.dates.in_force`).

    >>> counts_on({"date": "2024-09-12"}, date(2024, 5, 1))
    False
    >>> counts_on({"relation": "develops"}, date(2000, 1, 1))
    True
    """
    if day is None:
        return True
    return in_force(when(attrs), attrs.get("end"), day)


def is_derived(attrs: Mapping[str, Any]) -> bool:
    """Made by Linkscope rather than stated by a source (``based_in`` from a country field)."""
    return "derived" in attrs and bool(attrs["derived"])


def is_imported(attrs: Mapping[str, Any]) -> bool:
    """Read from a FollowTheMoney file (it carries provenance instead of curated sources)."""
    return "ftm_file" in attrs


def citations(attrs: Mapping[str, Any]) -> list[Citation]:
    """The sources of a record: the curated citations, or the one made from an import's provenance.

    >>> [citation] = citations(
    ...     {"datasets": ("us_ofac_sdn",), "source_url": "https://ofac.example/1", "last_seen": "2026-11-01",
    ...      "ftm_file": "e.ftm.json", "ftm_line": 7}
    ... )  # fmt: skip
    >>> citation["publisher"], citation["title"], citation["url"]
    ('FtM dataset us_ofac_sdn', 'e.ftm.json, line 7', 'https://ofac.example/1')
    """
    if "sources" in attrs or not is_imported(attrs):
        return cast(list[Citation], attrs.get("sources", []))
    line = attrs.get("ftm_line")
    citation: Citation = {
        "publisher": _publisher(tuple(attrs.get("datasets") or ())),
        "title": f"{attrs['ftm_file']}, line {line}" if line is not None else str(attrs["ftm_file"]),
    }
    url = attrs.get("source_url")
    if url:
        citation["url"] = url
    seen = attrs.get("last_seen")
    if seen:
        citation["retrieved"] = seen
    return [citation]


@lru_cache(maxsize=4096)
def _publisher(datasets: tuple[str, ...]) -> str:
    return f"FtM dataset {', '.join(datasets)}" if datasets else "FtM file"


# ---- the graph and its vocabulary ----------------------------------------------------------


def new_graph(vocab: Vocabulary, name: str = "linkscope") -> nx.MultiDiGraph:
    """An empty graph speaking ``vocab``."""
    return nx.MultiDiGraph(name=name, **{_VOCABULARY: vocab})


def vocabulary(graph: nx.MultiDiGraph) -> Vocabulary:
    """The vocabulary of ``graph`` (an empty one for a graph built without)."""
    found = graph.graph.get(_VOCABULARY)
    return found if isinstance(found, Vocabulary) else Vocabulary()


def set_vocabulary(graph: nx.MultiDiGraph, vocab: Vocabulary) -> None:
    graph.graph[_VOCABULARY] = vocab


def graph_attributes(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The graph-level attributes as plain JSON (name, vocabulary, imported files) for exports."""
    plain = {k: v for k, v in graph.graph.items() if k != _VOCABULARY}
    return {**plain, **vocabulary(graph).as_json()}


# ---- reading ----------------------------------------------------------------------------------


# Typed by annotated assignment rather than typing.cast: these run per line of a million-line
# load or per step of a path search, and cast is a function call.


def entities(graph: nx.MultiDiGraph) -> Mapping[str, Attrs]:
    """Entity id -> attributes, for every entity (a live mapping: do not edit it)."""
    nodes: Mapping[str, Attrs] = graph._node
    return nodes


def entity_attrs(graph: nx.MultiDiGraph, node: str) -> Attrs:
    attrs: Attrs = graph._node[node]
    return attrs


def label(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph._node[node].get("label", node))


def labels(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> dict[str, str]:
    """The labels of ``nodes`` (as :func:`label` gives them) at once: a graph read from a
    database reads only the labels, in one statement, not every attribute (a query that
    sorts a hundred thousand entities by name shows a few of them)."""
    own = getattr(graph, "labels", None)
    if own is not None:
        found: dict[str, str] = own(list(nodes))
        return found
    return {node: label(graph, node) for node in nodes}


def successors(graph: nx.MultiDiGraph) -> Mapping[str, Adjacency]:
    """Source -> target -> key -> attributes."""
    succ: Mapping[str, Adjacency] = graph._succ
    return succ


def predecessors(graph: nx.MultiDiGraph) -> Mapping[str, Adjacency]:
    """Target -> source -> key -> attributes."""
    pred: Mapping[str, Adjacency] = graph._pred
    return pred


def sides(graph: nx.MultiDiGraph, direction: Direction) -> tuple[Mapping[str, Adjacency], ...]:
    """The adjacency mappings to walk for ``direction``: successors, predecessors or both.

    Called once per node a path search expands, so it reads the dicts directly.
    """
    if direction == "both":
        return (graph._succ, graph._pred)
    return (graph._succ,) if direction == "out" else (graph._pred,)


def degree(graph: nx.MultiDiGraph, node: str, direction: Direction) -> int:
    """How many neighbours ``node`` has on the sides ``direction`` walks (one on both sides
    counts twice): a graph read from a database knows it without reading them. KeyError
    when there is no such entity."""
    own = getattr(graph, "degree_of", None)
    if own is not None:
        found: int = own(node, direction)
        return found
    return sum(len(side[node]) for side in sides(graph, direction))


def ways(direction: Direction) -> tuple[Literal["out", "in"], ...]:
    """The sides ``direction`` walks, in the order :func:`sides` gives them."""
    return ("out", "in") if direction == "both" else (direction,)


def adjacency(graph: nx.MultiDiGraph, node: str, way: Literal["out", "in"]) -> Adjacency:
    """``node``'s neighbours on one side (neighbour -> key -> attributes)."""
    side: Adjacency = (graph._succ if way == "out" else graph._pred)[node]
    return side


def connecting(
    graph: nx.MultiDiGraph, node: str, way: Literal["out", "in"], shared: Collection[str]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The neighbours on one side joined by at least one relation not in ``shared``, each with
    all its edges, in adjacency order: a graph read from a database reads only those, and
    an in-memory hub's are listed by relation type (see :mod:`graph.store.by_relation`), so
    an authority's thousands of designations are not read to find its one ownership."""
    own = getattr(graph, "connecting", None)
    if own is not None:
        yield from own(node, way, shared)
        return
    side = adjacency(graph, node, way)
    indexed = by_relation.connecting_neighbours(graph, node, way, shared)
    if indexed is not None:  # a hub's, listed by relation type once
        for other in indexed:
            yield other, side[other]
        return
    for other, keyed in side.items():
        relations: list[Any] = [data.get("relation") for data in keyed.values()]
        if any(relation not in shared for relation in relations):
            yield other, keyed


def joined_by(
    graph: nx.MultiDiGraph, node: str, way: Literal["out", "in"], others: Collection[str], shared: Collection[str]
) -> set[str]:
    """Which of ``others`` are ``node``'s neighbours on one side through at least one relation
    not in ``shared``: a graph read from a database answers from an index, in one statement
    (two authorities' thousands of common designations are not read to find the few firms
    one of them also owns)."""
    own = getattr(graph, "joined_by", None)
    if own is not None:
        found: set[str] = own(node, way, others, shared)
        return found
    side = adjacency(graph, node, way)
    found = set()
    for other in others:
        relations: list[Any] = [data.get("relation") for data in side.get(other, {}).values()]
        if any(relation not in shared for relation in relations):
            found.add(other)
    return found


def relation_attrs(graph: nx.MultiDiGraph, source: str, target: str, key: str) -> Attrs:
    attrs: Attrs = graph._succ[source][target][key]
    return attrs


def iter_relations(graph: nx.MultiDiGraph) -> Iterator[tuple[str, str, str, Attrs]]:
    """``(source, target, key, attributes)`` of every edge, straight from the adjacency."""
    for u, neighbours in graph._succ.items():
        for v, keyed in neighbours.items():
            for key, data in keyed.items():
                yield u, v, key, data


def iter_attributes(graph: nx.MultiDiGraph) -> Iterator[Attrs]:
    """The attributes of every edge, in :func:`iter_relations`' order."""
    for neighbours in graph._succ.values():
        for keyed in neighbours.values():
            yield from keyed.values()


def relations_of(graph: nx.MultiDiGraph, node: str, way: Literal["out", "in"]) -> Iterator[tuple[str, str, str, Attrs]]:
    """``(source, target, key, attributes)`` of the edges leaving (``out``) or reaching (``in``) ``node``."""
    if way == "out":
        for v, keyed in graph._succ[node].items():
            for key, data in keyed.items():
                yield node, v, key, data
    else:
        for u, keyed in graph._pred[node].items():
            for key, data in keyed.items():
                yield u, node, key, data


def relations_between(
    graph: nx.MultiDiGraph, a: str, b: str, direction: Direction, keep: EdgeFilter | None
) -> list[tuple[str, str, str, Attrs, bool]]:
    """Passing edges between ``a`` and ``b`` as (source, target, key, attributes, forward?), forward first."""
    found: list[tuple[str, str, str, Attrs, bool]] = []
    if direction in ("out", "both"):
        found += [(a, b, k, d, True) for k, d in graph._succ[a].get(b, {}).items() if keep is None or keep(d)]
    if direction in ("in", "both"):
        found += [(b, a, k, d, False) for k, d in graph._pred[a].get(b, {}).items() if keep is None or keep(d)]
    return found


def edges_among(graph: nx.MultiDiGraph, nodes: Collection[str]) -> Iterator[tuple[str, str, str, Attrs]]:
    """Every edge from one of ``nodes`` to another, source by source in ``nodes`` order, each
    source's targets in adjacency order (in ``nodes`` order for a source with more neighbours
    than there are ``nodes``: they are looked up rather than read). A graph read from a
    database answers in one statement, in the same order."""
    among = getattr(graph, "edges_among", None)
    if among is not None:
        yield from among(nodes)
        return
    kept = nodes if isinstance(nodes, Mapping) else dict.fromkeys(nodes)
    size = len(kept)
    succ = graph._succ
    for u in kept:
        adjacency = succ[u]
        if adjacency:
            for v in adjacency if len(adjacency) <= size else [v for v in kept if v in adjacency]:
                if v in kept:
                    for key, data in adjacency[v].items():
                        yield u, v, key, data


def gather(graph: nx.MultiDiGraph, nodes: Iterable[str], direction: Direction) -> None:
    """Say which nodes' adjacency a query reads next: a graph read from a database fetches
    them in one round trip (see :mod:`graph.store.postgres.lazy`); an in-memory one has them."""
    fetch = getattr(graph, "gather", None)
    if fetch is not None:
        fetch(list(nodes), direction)


def gather_pairs(graph: nx.MultiDiGraph, pairs: Iterable[tuple[str, str]], *, attributes: bool = True) -> None:
    """Say which edges (by their two ends) and entities a query reads next: a graph read from
    a database fetches them in one round trip; an in-memory one has them (and ``pairs``, a
    generator, is not even run). ``attributes``: the entities' attributes are read too (a
    path search reads only whether they exist and their degrees)."""
    fetch = getattr(graph, "gather_pairs", None)
    if fetch is not None:
        wanted = list(pairs)
        if wanted:
            fetch(wanted, attributes=attributes)


# ---- what kind of edges join entities, without their attributes -----------------------------
# A path search steps through thousands of entities and needs, of each edge it passes, only
# its relation type and whether it is derived (what the walk rule and an undated edge filter
# read), and to rank the paths it found, its confidence. A graph read from a database reads
# those three from an index, not each edge's attributes (a kilobyte of provenance for an
# imported relation).

EdgeKind = tuple[Any, bool, str | None]
"""An edge's relation type, whether it is derived (see :func:`is_derived`), and its confidence
level (see :func:`confidence_of`)."""


def confidence_of(data: Mapping[str, Any]) -> str | None:
    """An edge's confidence level as ranked and stored: a string, or None."""
    level = data.get("confidence")
    return level if isinstance(level, str) else None


def kinds_of(keyed: Mapping[str, Mapping[str, Any]]) -> list[EdgeKind]:
    """The kinds of the edges of one pair (key -> attributes), in key order."""
    return [(data.get("relation"), is_derived(data), confidence_of(data)) for data in keyed.values()]


def kinds_around(
    graph: nx.MultiDiGraph,
    node: str,
    way: Literal["out", "in"],
    *,
    relations: Collection[str] = (),
    derived: bool = True,
) -> Iterator[tuple[str, list[EdgeKind]]]:
    """``node``'s neighbours on one side in adjacency order, each with the kinds of the edges
    joining them (one per edge): of the edges of ``relations`` (any, if empty) and, unless
    ``derived``, not derived; a neighbour with none of those is left out. A graph read from a
    database leaves the others in the database (a country's million derived members)."""
    own = getattr(graph, "kinds_around", None)
    if own is not None:
        yield from own(node, way, relations, derived)
        return
    yield from passing_kinds(
        ((other, kinds_of(keyed)) for other, keyed in adjacency(graph, node, way).items()), relations, derived
    )


def passing_kinds(
    found: Iterable[tuple[str, list[EdgeKind]]], relations: Collection[str], derived: bool
) -> Iterator[tuple[str, list[EdgeKind]]]:
    """Of neighbours with the kinds of their edges, those with edges of ``relations`` (any, if
    empty) that are not derived unless ``derived``, with the kinds of those edges only."""
    if not relations and derived:
        yield from found
        return
    for other, kinds in found:
        kept = [kind for kind in kinds if (not relations or kind[0] in relations) and (derived or not kind[1])]
        if kept:
            yield other, kept


def kinds_between(graph: nx.MultiDiGraph, node: str, other: str, way: Literal["out", "in"]) -> list[EdgeKind]:
    """The kinds of the edges joining ``node`` to ``other`` on ``node``'s ``way`` side (none: empty)."""
    own = getattr(graph, "kinds_between", None)
    if own is not None:
        found: list[EdgeKind] = own(node, other, way)
        return found
    keyed = adjacency(graph, node, way).get(other)
    return kinds_of(keyed) if keyed else []


def kinds_to(
    graph: nx.MultiDiGraph, node: str, others: Sequence[str], way: Literal["out", "in"]
) -> list[list[EdgeKind]]:
    """:func:`kinds_between` ``node`` and each of ``others``, in their order: a path search asks
    it of the hundreds of entities two ends share, and a graph read from a database answers
    from what it read for all of them at once (see :func:`gather_kinds_to`)."""
    own = getattr(graph, "kinds_to", None)
    if own is not None:
        found: list[list[EdgeKind]] = own(node, others, way)
        return found
    near = adjacency(graph, node, way)
    return [kinds_of(keyed) if (keyed := near.get(other)) else [] for other in others]


def gather_kinds_to(graph: nx.MultiDiGraph, wanted: Iterable[tuple[str, Sequence[str], Literal["out", "in"]]]) -> None:
    """Say which :func:`kinds_to` (node, others, way) a query asks next: a graph read from a
    database reads the kinds it does not know in one statement; an in-memory one has them
    (and ``wanted``, a generator, is not even run)."""
    fetch = getattr(graph, "gather_kinds_to", None)
    if fetch is not None:
        listed = list(wanted)
        if listed:
            fetch(listed)


def gather_kinds(graph: nx.MultiDiGraph, nodes: Iterable[str], direction: Direction) -> None:
    """Say whose neighbours a query reads next with :func:`kinds_around`: a graph read from
    a database reads them all in one statement; an in-memory one has them."""
    fetch = getattr(graph, "gather_kinds", None)
    if fetch is not None:
        fetch(list(nodes), direction)


def gather_pair_kinds(graph: nx.MultiDiGraph, pairs: Iterable[tuple[str, str]]) -> None:
    """Say which pairs (source, target) a query reads next with :func:`kinds_between`, and
    whose degrees: a graph read from a database reads them in one statement; an in-memory
    one has them (and ``pairs``, a generator, is not even run)."""
    fetch = getattr(graph, "gather_pair_kinds", None)
    if fetch is not None:
        wanted = list(pairs)
        if wanted:
            fetch(wanted)


def bound(graph: nx.MultiDiGraph, deadline: Deadline) -> None:
    """Say the time budget of the query reading ``graph``: a graph read from a database stops
    its long reads inside one lookup at it (:class:`~graph.errors.OutOfTime`), where a query
    checks its budget only between lookups; an in-memory one has no such reads."""
    if hasattr(graph, "deadline"):
        graph.deadline = deadline


def fetch(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> None:
    """Say whose attributes a query reads next (an answer's entities): a graph read from a
    database fetches them in one round trip; an in-memory one has them (and ``nodes``, a
    generator, is not even run)."""
    load = getattr(graph, "fetch", None)
    if load is not None:
        load(list(nodes))


# ---- relations of a few types reaching many entities ------------------------------------------
# A supply chain walks back from a programme over the few relation types that carry supplies,
# level by level; an entity on the way may be a country with a quarter of a million derived
# members, none of them suppliers. A graph read from a database reads only the edges of those
# types, for a whole level in one statement, and leaves the rest in the database.


def relations_into(
    graph: nx.MultiDiGraph, nodes: Sequence[str], relations: Collection[str]
) -> Iterator[tuple[str, str, str, Attrs]]:
    """``(source, target, key, attributes)`` of the edges of ``relations`` reaching each of
    ``nodes``: node by node in ``nodes`` order, each node's in adjacency order (what
    :func:`relations_of` gives on the ``in`` side, the other types left out). A graph read
    from a database reads them for all ``nodes`` in one statement."""
    own = getattr(graph, "relations_into", None)
    if own is not None:
        yield from own(nodes, relations)
        return
    pred = graph._pred
    for node in nodes:
        for u, keyed in pred[node].items():
            for key, data in keyed.items():
                if data.get("relation") in relations:
                    yield u, node, key, data


# ---- big relations counted where they are stored ---------------------------------------------
# A neighbourhood groups an entity's many neighbours through one relation and direction
# (graph.queries.groups): a graph read from a database counts them there instead of reading
# each member. These hooks answer None for a graph that has none, or for a side small enough
# to read as it is; the callers then read the adjacency.


class Tally(NamedTuple):
    """One relation's members on one side of an entity, where they are stored, for grouping."""

    shown: int
    """How many of them are drawn individually (in no group)."""
    sample: dict[str, list[tuple[str, int]]]
    """Per facet, how many of the first members not drawn (in adjacency order, as many as
    asked) have each value, in the order the values first come among them."""
    counts: Callable[[str | None], dict[str, int]]
    """How many of the members not drawn have each value of a facet (None: all, as ``""``)."""


class MemberRow(NamedTuple):
    """One member (``id`` and ``label``), or with both None a number of members alike, with their facet values."""

    id: str | None
    label: str | None
    kind: str
    country: str
    year: str
    program: str
    number: int


def relation_sizes(
    graph: nx.MultiDiGraph,
    node: str,
    way: Literal["out", "in"],
    relations: Collection[str],
    as_of: date | None,
    kinds: Collection[str],
    cap: int,
) -> list[tuple[str, int]] | None:
    """How many neighbours each relation type joins to ``node`` on one side (by an edge of
    ``relations``, all if empty, in force ``as_of``; of ``kinds``, any if empty), counted up
    to ``cap``, in the order the adjacency first reaches them by a passing edge: what a graph
    read from a database counts there (None: read the adjacency)."""
    own = getattr(graph, "relation_sizes", None)
    return None if own is None else own(node, way, relations, as_of, kinds, cap)


def tally(
    graph: nx.MultiDiGraph,
    node: str,
    way: Literal["out", "in"],
    relation: str,
    as_of: date | None,
    kinds: Collection[str],
    drawn: Collection[str],
    sample: int,
) -> Tally | None:
    """The neighbours ``relation`` joins to ``node`` on one side (in force ``as_of``, of
    ``kinds``), those in ``drawn`` apart, sampled and counted by facet where the graph is
    stored (see :class:`Tally`; None: read the adjacency)."""
    own = getattr(graph, "tally", None)
    return None if own is None else own(node, way, relation, as_of, kinds, drawn, sample)


def members_page(
    graph: nx.MultiDiGraph,
    node: str,
    way: Literal["out", "in"],
    relation: str,
    as_of: date | None,
    kinds: Collection[str],
    values: Mapping[str, str],
    q: str,
    offset: int,
    limit: int,
    *,
    deadline: Deadline | None = None,
) -> tuple[list[MemberRow], list[tuple[str, str]], int] | None:
    """The neighbours ``relation`` joins to ``node`` on one side (in force ``as_of``, of
    ``kinds``, with these facet ``values``) for a page sorted by folded label, then id, where
    the graph is stored (None: read the adjacency). A database folds only ASCII as Python
    does, so: the members whose label is not ASCII as rows (for the caller to match ``q``,
    folded, against); the ASCII-labelled ones whose folded label holds ``q`` counted by facet
    values (rows without id and label); and the latter's ids and labels in order from
    position ``start`` (the third item: ``offset`` less the others' number, or 0) to
    ``offset + limit``, enough to merge the two into the page. :class:`~graph.errors.OutOfTime`
    when ``deadline`` runs out first (the statement is cancelled then)."""
    own = getattr(graph, "members_page", None)
    return None if own is None else own(node, way, relation, as_of, kinds, values, q, offset, limit, deadline=deadline)


class MemberEdge(NamedTuple):
    """A member of one relation of an entity, with the first passing edge that reaches it."""

    id: str
    position: int
    """Its place in the entity's adjacency on that side (members come in this order)."""
    key: str
    attrs: Attrs
    """The edge's attributes."""
    entity: Attrs
    """The member's own attributes."""


def member_edges(
    graph: nx.MultiDiGraph,
    node: str,
    way: Literal["out", "in"],
    relation: str,
    as_of: date | None,
    kinds: Collection[str],
    *,
    after: int | None = None,
    among: list[str] | None = None,
    limit: int | None = None,
) -> tuple[list[MemberEdge], int | None] | None:
    """The neighbours ``relation`` joins to ``node`` on one side (in force ``as_of``, of
    ``kinds``) in adjacency order, each with the first passing edge (in key order) that
    reaches it and its attributes, where the graph is stored: those after position ``after``
    (the first ``limit``), or those among ``among``; and the position to read on from when
    ``limit`` may have left some (else None). None: read the adjacency."""
    own = getattr(graph, "member_edges", None)
    return None if own is None else own(node, way, relation, as_of, kinds, after=after, among=among, limit=limit)


def count_relations(graph: nx.MultiDiGraph) -> int:
    """Edges in the graph (``MultiDiGraph.number_of_edges()`` walks every node through views: seconds at 1M)."""
    return sum(len(keys) for adjacency in graph._succ.values() for keys in adjacency.values())


# ---- records as answers show them ---------------------------------------------------------


def summary(graph: nx.MultiDiGraph, node: str) -> EntitySummary:
    data = graph._node[node]
    return {"id": node, "label": data.get("label", node), "kind": data.get("kind"), "country": data.get("country")}


def entity_record(graph: nx.MultiDiGraph, node: str) -> EntityRecord:
    """An entity with all its attributes and its citations (and, for an import, the references
    it makes to entities no loaded file holds, as ``unresolved``: property and target id)."""
    data = graph._node[node]
    record = {"id": node, **data}
    if is_imported(data):
        record["sources"] = citations(data)
    if "unresolved" in data:
        record["unresolved"] = [{"property": prop, "target": target} for prop, target in data["unresolved"]]
    return cast(EntityRecord, record)


def relation_record(source: str, target: str, key: str, attrs: Mapping[str, Any]) -> RelationRecord:
    """An edge with its endpoints, key, id and every attribute (dates, status, citations...)."""
    record = {"source": source, "target": target, "key": key, **attrs, "id": relation_id(source, target, key, attrs)}
    if is_imported(attrs):
        record["sources"] = citations(attrs)
    else:
        record.setdefault("sources", [])
    return cast(RelationRecord, record)


# ---- writing (the builders and the FtM loader only) ----------------------------------------


def add_entity(graph: nx.MultiDiGraph, node: str, attrs: Attrs) -> None:
    """Add an entity, or give attributes to one that edges already refer to."""
    if node in graph._succ:
        graph._node[node] = attrs
    else:
        graph._node[node], graph._succ[node], graph._pred[node] = attrs, {}, {}


def add_relation(graph: nx.MultiDiGraph, source: str, target: str, key: str, attrs: Attrs) -> bool:
    """Add an edge (ends not yet added get empty attributes); False when ``(source, target, key)`` exists.

    Writes networkx's adjacency dicts directly (what ``MultiDiGraph.add_edge`` does, without
    copying ``attrs`` or looking the nodes up twice): the loaders' hot path.
    """
    succ, pred = graph._succ, graph._pred
    if source not in succ:
        succ[source], pred[source], graph._node[source] = {}, {}, {}
    if target not in succ:
        succ[target], pred[target], graph._node[target] = {}, {}, {}
    keys = succ[source].get(target)
    if keys is None:
        keys = succ[source][target] = pred[target][source] = {}
    elif key in keys:
        return False
    keys[key] = attrs
    return True


def has_relation(graph: nx.MultiDiGraph, source: str, target: str, relation: str) -> bool:
    """Whether an edge of ``relation`` already goes from ``source`` to ``target``."""
    keyed = graph._succ.get(source, {}).get(target, {})
    return any(d.get("relation") == relation for d in keyed.values())


def move_relations(graph: nx.MultiDiGraph, old: str, new: str) -> None:
    """Re-point every edge of ``old`` to ``new``, then remove ``old``."""
    moved = [(new, v, k, d) for _, v, k, d in relations_of(graph, old, "out")]
    moved += [(u, new, k, d) for u, _, k, d in relations_of(graph, old, "in")]
    graph.remove_node(old)
    for u, v, k, d in moved:
        if u != v:
            add_relation(graph, u, v, k, d)


def remove_entity(graph: nx.MultiDiGraph, node: str) -> int:
    """Remove an entity and its edges; how many edges went with it."""
    removed = sum(len(keys) for keys in graph._succ[node].values()) + sum(
        len(keys) for keys in graph._pred[node].values()
    )
    graph.remove_node(node)
    return removed


def edge_columns(
    graph: nx.MultiDiGraph, position: Mapping[str, int]
) -> tuple[list[int], list[int], list[str], list[Attrs]]:
    """Every edge as columns (source and target as their entities' ``position``, key, attributes), for snapshots."""
    sources, targets, keys, attrs = [], [], [], []
    for u, adjacency in graph._succ.items():
        at = position[u]
        for v, keyed in adjacency.items():
            to = position[v]
            for key, data in keyed.items():
                sources.append(at)
                targets.append(to)
                keys.append(key)
                attrs.append(data)
    return sources, targets, keys, attrs


def graph_from_columns(
    graph_attrs: dict[str, Any],
    ids: list[str],
    node_attrs: list[Attrs],
    sources: list[str],
    targets: list[str],
    keys: list[str],
    edge_attrs: list[Attrs],
) -> nx.MultiDiGraph:
    """A graph built straight into networkx's adjacency dicts from columns (a snapshot's), in
    one pass: ``add_edge`` per edge would take three times as long at a million."""
    graph = nx.MultiDiGraph(**graph_attrs)
    graph._node = dict(zip(ids, node_attrs, strict=True))
    succ: dict[str, dict[str, dict[str, Attrs]]] = {node: {} for node in ids}
    pred: dict[str, dict[str, dict[str, Attrs]]] = {node: {} for node in ids}
    for u, v, key, data in zip(sources, targets, keys, edge_attrs, strict=True):
        after = succ[u]
        keyed = after.get(v)
        if keyed is None:
            after[v] = pred[v][u] = {key: data}
        else:
            keyed[key] = data
    graph._succ = graph._adj = succ
    graph._pred = pred
    return graph


def placeholders(graph: nx.MultiDiGraph) -> list[str]:
    """Nodes that edges refer to but no record has filled (references to entities not loaded)."""
    return [node for node, data in graph._node.items() if not data]
