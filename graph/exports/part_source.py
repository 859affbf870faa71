"""A part of the graph as an export source, the members behind its groups streamed.

A neighbourhood that groups a hub's big relations exports the members behind the groups as
the entities they are (see :meth:`graph.queries.part.Part.as_graph`). Copied into a graph
first, a country's 255,000 members took 500 MB and more at 1M entities; here the part's own
nodes and edges are a small graph (at most ``MAX_NODES``) and the members are read a page
at a time (:func:`graph.queries.groups.member_pages`: from the database where it counted
them) each time a writer passes over them, none kept.

The file is byte for byte the one the copied graph gives: entities in the order they would
have been added (the part's, then each grouped relation's members not in an earlier one),
relations in that graph's adjacency order: a node's own edges, then, for a grouped
relation leaving it, each member's edge (with, right after, the edges of later grouped
relations leaving it to the same member); then, member by member, the edges of the
grouped relations reaching a node from that member. A member of more than one grouped
relation is looked up in the others a page at a time (:func:`graph.queries.groups.members_among`).

Streamed, such a file still grows with the hub (and takes its time): it is bounded by
:data:`graph.limits.MAX_EXPORT_MEMBERS`, as a view is by ``MAX_NODES``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import networkx as nx

from graph.errors import BadQuery
from graph.exports.source import Relation
from graph.limits import MAX_EXPORT_MEMBERS
from graph.queries.groups import Member, Reached, member_pages, members_among
from graph.queries.part import Part
from graph.store import records
from graph.store.records import Attrs

__all__ = ["PartSource"]


class PartSource:
    """The entities and relations of ``part`` of ``graph``, its groups' members included
    (:class:`~graph.errors.BadQuery` when they are more than :data:`~graph.limits.MAX_EXPORT_MEMBERS`)."""

    def __init__(self, part: Part, graph: nx.MultiDiGraph) -> None:
        members = sum(grouped["grouped"] for grouped in part.grouped)
        if members > MAX_EXPORT_MEMBERS:
            raise BadQuery(
                f"this view's groups stand for {members:,} members, more than the {MAX_EXPORT_MEMBERS:,} "
                "an export writes: export the groups as drawn (grouped=true), narrow the view (kinds, "
                "relations, as_of), or page through a group's members (/api/groups/members)"
            )
        self._source = graph
        self._drawn = part.drawn_graph(graph)
        self._hidden = list(part.hidden)
        self._page: dict[str, Attrs] = {}
        """The attributes of the members whose edges are being written (an edge's ends)."""

    @property
    def graph(self) -> nx.MultiDiGraph:
        return self._drawn

    def entity(self, node: str) -> Attrs:
        found = self._page.get(node)
        return found if found is not None else records.entity_attrs(self._drawn, node)

    def entities(self) -> Iterator[tuple[str, Attrs]]:
        yield from records.entities(self._drawn).items()
        for _, page in self._new_members():
            for member, _, attrs in page:
                yield member, attrs

    def relations(self) -> Iterator[Relation]:
        leaving: dict[str, list[int]] = {}
        for i, (of, way, _) in enumerate(self._hidden):
            if way == "out":
                leaving.setdefault(of, []).append(i)
        reaching = [i for i, (_, way, _) in enumerate(self._hidden) if way == "in"]
        for u in records.entities(self._drawn):
            yield from records.relations_of(self._drawn, u, "out")
            for i in leaving.get(u, ()):
                yield from self._leaving(u, i, leaving[u])
        if reaching:
            yield from self._reaching(reaching)

    def _members(self, i: int) -> Mapping[str, Reached]:
        return self._hidden[i][2]

    def _new_members(self) -> Iterator[tuple[int, list[Member]]]:
        """Each grouped relation's members not in an earlier one, page by page, with the relation's number."""
        for i in range(len(self._hidden)):
            for page in member_pages(self._source, self._members(i)):
                if i:
                    ids = [member for member, _, _ in page]
                    seen = {m for j in range(i) for m in members_among(self._members(j), ids)}
                    page = [item for item in page if item[0] not in seen]
                yield i, page

    def _leaving(self, of: str, i: int, relations: list[int]) -> Iterator[Relation]:
        """The edges of grouped relation ``i`` leaving ``of`` to its members, each followed by
        those of the later relations in ``relations`` to the same member (the members of
        earlier ones were written with theirs)."""
        earlier, later = relations[: relations.index(i)], relations[relations.index(i) + 1 :]
        for page in member_pages(self._source, self._members(i)):
            ids = [member for member, _, _ in page]
            seen = {m for j in earlier for m in members_among(self._members(j), ids)}
            also = [members_among(self._members(j), ids) for j in later]
            self._page = {member: attrs for member, _, attrs in page}
            for member, (key, data), _ in page:
                if member in seen:
                    continue
                yield of, member, key, data
                for found in also:
                    if member in found:
                        yield of, member, *found[member]
        self._page = {}

    def _reaching(self, relations: list[int]) -> Iterator[Relation]:
        """Member by member (in the order the entities are written), its edges to the entities
        of the grouped ``relations`` reaching them, in their order."""
        for i, page in self._new_members():
            ids = [member for member, _, _ in page]
            own = {member: reached for member, reached, _ in page}
            found = {j: own if j == i else members_among(self._members(j), ids) for j in relations if j >= i}
            self._page = {member: attrs for member, _, attrs in page}
            for member in ids:
                for j, reached in found.items():
                    if member in reached:
                        key, data = reached[member]
                        yield member, self._hidden[j][0], key, data
        self._page = {}
