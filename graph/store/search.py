"""Name search over labels and aliases: case- and accent-insensitive, ranked exact > prefix > substring.

The index keeps every normalised name in one newline-separated string, so a query is a
handful of C-speed ``str.find`` calls even at a million entities, instead of a Python loop
over every name.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

import networkx as nx

from graph.limits import MAX_PAGE, Deadline, check_range
from graph.store import records

__all__ = ["EXACT", "PREFIX", "SUBSTRING", "WORD_PREFIX", "SearchHit", "SearchIndex", "SearchPage", "normalize"]

EXACT, PREFIX, WORD_PREFIX, SUBSTRING = 0, 1, 2, 3
_RANK_NAMES = ("exact", "prefix", "word-prefix", "substring")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Fold case, accents and punctuation so that "Xi\u2019an Longde" and "xian longde" match.

    >>> normalize("Xi\u2019an  LONGDE, Co.")
    'xian longde co'
    >>> normalize("Société Générale")
    'societe generale'
    """
    if text.isascii():  # most names: nothing to decompose
        stripped = text.casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", stripped)).strip()


class SearchHit(records.EntitySummary):
    """An entity found, and how: its best match (``exact``... ; None when listing) and whether on an alias."""

    match: str | None
    matched_alias: bool | None


@dataclass
class SearchPage:
    """One page of ranked results, with the total and facet counts over all matches."""

    total: int
    limit: int
    offset: int
    results: list[SearchHit]
    facets: dict[str, dict[str, int]]
    truncated: bool
    """True when the time budget ran out: total and facets then count only what was scanned."""


class SearchIndex:
    """Names of every entity of one graph, built once when the graph is loaded."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph
        self._nodes: list[str] = []
        self._sort_keys: list[str] = []
        owners = array("q")  # per name: node index * 2 + is_alias
        starts = array("q")
        parts: list[str] = []
        position = 0
        for node, data in records.entities(graph).items():
            index = len(self._nodes)
            self._nodes.append(node)
            folded_label = normalize(str(data.get("label", node)))
            self._sort_keys.append(folded_label)
            folded_names = [(folded_label, 0), *((normalize(str(alias)), 1) for alias in data.get("aliases") or ())]
            for folded, is_alias in folded_names:
                if not folded:
                    continue
                parts.append(folded)
                starts.append(position)
                owners.append(index * 2 + is_alias)
                position += len(folded) + 1
        self._order: list[int] | None = None  # label order, sorted on the first listing
        self._all_facets: dict[str, dict[str, int]] = {}
        self._blob = "\n".join(parts)
        self._starts = starts
        self._owners = owners

    def __len__(self) -> int:
        return len(self._nodes)

    def search(
        self,
        q: str = "",
        *,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 20,
        offset: int = 0,
        deadline: Deadline | None = None,
    ) -> SearchPage:
        """Ranked matches of ``q`` among labels and aliases, filtered by kind and country.

        >>> from graph.store.build import load_graph
        >>> index = SearchIndex(load_graph())
        >>> index.search("lontek").results[0]["id"]
        'xian-longde'
        """
        check_range("limit", limit, 1, MAX_PAGE)
        check_range("offset", offset, 0, 10**9)
        needle = normalize(q)
        deadline = deadline or Deadline.unlimited()
        wanted_country = country.upper() if country else None
        if not needle:
            return self._listing(kind, wanted_country, limit, offset, deadline)
        best = self._matches(needle, deadline)
        hits = []
        attrs = records.entities(self._graph)
        for index, (rank, is_alias) in best.items():
            data = attrs[self._nodes[index]]
            if kind and data.get("kind") != kind:
                continue
            if wanted_country and data.get("country") != wanted_country:
                continue
            hits.append((rank, is_alias, self._sort_keys[index], index))
        hits.sort()
        facets = {
            "kind": dict(Counter(attrs[self._nodes[h[3]]].get("kind") or "unknown" for h in hits).most_common()),
            "country": dict(Counter(attrs[self._nodes[h[3]]].get("country") or "none" for h in hits).most_common()),
        }
        page = [
            self._hit(self._nodes[index], rank, is_alias) for rank, is_alias, _, index in hits[offset : offset + limit]
        ]
        return SearchPage(len(hits), limit, offset, page, facets, truncated=deadline.expired)

    def _listing(
        self, kind: str | None, country: str | None, limit: int, offset: int, deadline: Deadline
    ) -> SearchPage:
        """Every entity in label order (no query): a page of the order sorted once, with facets
        counted once; with a kind or country, one pass that stops at the time budget."""
        self.warm()
        assert self._order is not None
        nodes, attrs = self._nodes, records.entities(self._graph)
        if not kind and not country:
            page = [self._hit(nodes[i], None) for i in self._order[offset : offset + limit]]
            return SearchPage(len(self._order), limit, offset, page, self._all_facets, truncated=False)
        kinds: Counter[str] = Counter()
        countries: Counter[str] = Counter()
        chosen: list[int] = []
        for position, index in enumerate(self._order):
            if position % 4096 == 0 and deadline.expired:
                break
            data = attrs[nodes[index]]
            if (kind and data.get("kind") != kind) or (country and data.get("country") != country):
                continue
            kinds[data.get("kind") or "unknown"] += 1
            countries[data.get("country") or "none"] += 1
            chosen.append(index)
        page = [self._hit(nodes[i], None) for i in chosen[offset : offset + limit]]
        facets = {"kind": dict(kinds.most_common()), "country": dict(countries.most_common())}
        return SearchPage(len(chosen), limit, offset, page, facets, truncated=deadline.expired)

    def warm(self) -> None:
        """Sort the label order and count the facets of the full listing (once; first use does it otherwise)."""
        if self._order is None:
            attrs = records.entities(self._graph)
            counts = [attrs[n] for n in self._nodes]
            self._all_facets = {
                "kind": dict(Counter(d.get("kind") or "unknown" for d in counts).most_common()),
                "country": dict(Counter(d.get("country") or "none" for d in counts).most_common()),
            }
            self._order = sorted(range(len(self._nodes)), key=self._sort_keys.__getitem__)

    def _hit(self, node: str, rank: int | None, is_alias: int = 0) -> SearchHit:
        return {
            **records.summary(self._graph, node),
            "match": _RANK_NAMES[rank] if rank is not None else None,
            "matched_alias": bool(is_alias) if rank is not None else None,
        }

    def _matches(self, needle: str, deadline: Deadline) -> dict[int, tuple[int, int]]:
        """Best (rank, is_alias) per node index for every name containing ``needle``."""
        blob, starts, owners = self._blob, self._starts, self._owners
        best: dict[int, tuple[int, int]] = {}
        position = blob.find(needle)
        scanned = 0
        while position != -1:
            scanned += 1
            if scanned % 4096 == 0 and deadline.expired:
                break
            name = bisect_right(starts, position) - 1
            start = starts[name]
            end = starts[name + 1] - 1 if name + 1 < len(starts) else len(blob)
            if position == start:
                rank = EXACT if end - start == len(needle) else PREFIX
            elif blob[position - 1] == " ":
                rank = WORD_PREFIX
            else:
                rank = SUBSTRING
            owner = owners[name]
            key = (rank, owner & 1)
            index = owner >> 1
            if index not in best or key < best[index]:
                best[index] = key
            position = blob.find(needle, position + 1)
        return best
