"""The name search over the database, with the in-memory index's rules and ranking (:mod:`graph.store.search`).

The load writes what the in-memory index computed: every folded name, the sorted words, and
beside each word its postings (the entities having it anywhere in a name, and as a name's
first word) as little-endian int32 bytes, plus every entity's kind and country as codes. A
query word is a range of the sorted words, exactly as the in-memory index bisects its
vocabulary; "inside a word" finds the words through a trigram index. One statement returns
every tier's postings (exact, prefix, word-prefix, inside a word) concatenated as bytes,
which ``np.frombuffer`` reads without a Python int per entity (a word forty thousand
entities hold: 160 kB, not forty thousand numbers parsed from text). The tiers, the filters,
the page and the exact total and facets are then array operations on the numbers of the
entities matched (sorted, distinct), ranked as the in-memory index ranks its boolean arrays
over every entity (:func:`~graph.store.search.ranked_numbers`): a query's memory follows the
postings it reads, not the number of entities (those arrays were 3 MB a query at 1M, 30 MB
at 10M).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from graph.limits import MAX_PAGE, Deadline, check_range
from graph.store import records
from graph.store.search import (
    INFIX_MIN,
    INFIX_WORDS,
    RANK_NAMES,
    Facets,
    SearchHit,
    SearchPage,
    label_matches,
    normalize,
    ranked_numbers,
    within,
)

if TYPE_CHECKING:
    from graph.store.postgres.lazy import Reader

__all__ = ["PostgresSearch"]

_LAST = "\uffff"
#: The postings of the words beginning with a prefix (a range of the sorted words): anywhere in
#: a name, and (for the query's first word, in the same scan) as a name's first word.
_ANY = "(SELECT string_agg(any_entities, '') FROM {s}.words WHERE word >= %s AND word < %s)"
_HEAD = (
    "(SELECT string_agg(any_entities, ''), string_agg(first_entities, '') FROM {s}.words "
    "WHERE word >= %s AND word < %s) head"
)
#: The entities with a name that is the whole query (big-endian, as ``int4send`` writes).
_EXACT = "(SELECT string_agg(int4send(entity), '') FROM {s}.names WHERE name = %s)"
#: The postings of the words containing the query after their first letter (numbers among
#: them only for a query of digits), and how many words those are. Unordered: which words are
#: read matters only when there are more than can be read, which :data:`_INFIX_FIRST` reads.
_INFIX = (
    "(SELECT string_agg(any_entities, ''), count(*) FROM {s}.words WHERE word LIKE %s AND (%s OR NOT numeric)) infix"
)
#: The postings of the first (in word order) of those words, when there are too many.
_INFIX_FIRST = (
    "SELECT string_agg(any_entities, '') FROM (SELECT any_entities FROM {s}.words "
    "WHERE word LIKE %s AND (%s OR NOT numeric) ORDER BY number LIMIT %s) found"
)


class PostgresSearch:
    """Ranked name search over one load, answering as :class:`~graph.store.search.SearchIndex` does.

    The postings of the query's words come from the database in one statement (bytes per
    tier); the tiers, the page, the filters and the facet counts are the in-memory index's
    own array operations (:func:`~graph.store.search.ranked_page`,
    :class:`~graph.store.search.Facets`) over the kind and country codes the server reads
    once: no join per match.
    """

    def __init__(self, reader: Reader, size: int, listing_facets: dict[str, dict[str, int]], coded: Facets) -> None:
        self.reader, self.size, self.listing_facets, self.coded = reader, size, listing_facets, coded

    def __len__(self) -> int:
        return self.size

    def warm(self) -> None:
        """Nothing to build: the load wrote the index."""

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
        check_range("limit", limit, 1, MAX_PAGE)
        check_range("offset", offset, 0, 10**9)
        deadline = deadline or Deadline.unlimited()
        words = normalize(q).split()
        country = country.upper() if country else None
        if not words:
            return self._listing(self.coded.allowed(kind, country), limit, offset)
        tiers, truncated = self._tiers(words)
        found, chosen = ranked_numbers(tiers, lambda numbers: self.coded.among(numbers, kind, country), limit, offset)
        hits = self._hits([(number, tier) for tier, number in chosen], words)
        return SearchPage(len(found), limit, offset, hits, self.coded.facets(found),
                          truncated=truncated or deadline.expired)  # fmt: skip

    def _tiers(self, words: list[str]) -> tuple[list[np.ndarray], bool]:
        """The numbers of the entities (sorted, distinct) of the exact, prefix, word-prefix and
        infix matches (overlapping), and whether the infix matched more words than were read."""
        exact, first, each, inside, truncated = self._postings(words)
        every = _numbers(each[0])
        for data in each[1:]:
            every = every[within(every, _numbers(data))]
        prefix = _numbers(first)
        prefix = prefix[within(prefix, every)]
        return [_numbers(exact, ">i4"), prefix, every, _numbers(inside)], truncated

    def _postings(self, words: list[str]) -> tuple[bytes | None, bytes | None, list[bytes | None], bytes | None, bool]:
        """The postings of the whole query as a name, of its first word as a name's first
        word, of each word anywhere, and of a single word inside words (None: nothing), in
        one statement; and whether more words held that infix than :data:`INFIX_WORDS`."""
        # after the word's first letter; normalize() leaves no LIKE wildcard in a query word
        pattern, digits = f"_%{words[0]}%", words[0].isdigit()
        infix = len(words) == 1 and len(words[0]) >= INFIX_MIN
        columns: list[tuple[str, list[Any]]] = [(_EXACT, [" ".join(words)]), ("head.*", [])]
        columns += [(_ANY, [word, word + _LAST]) for word in words[1:]]
        tables: list[tuple[str, list[Any]]] = [(_HEAD, [words[0], words[0] + _LAST])]
        if infix:
            columns.append(("infix.*", []))
            tables.append((_INFIX, [pattern, digits]))
        sql = f"SELECT {', '.join(c for c, _ in columns)} FROM {', '.join(t for t, _ in tables)}"
        exact, head, first, *rest = self.reader.rows(sql, [v for _, values in columns + tables for v in values])[0]
        each = [head, *rest[: len(words) - 1]]
        if not infix:
            return exact, first, each, None, False
        inside, found = rest[-2:]
        if found > INFIX_WORDS:
            inside = self.reader.rows(_INFIX_FIRST, [pattern, digits, INFIX_WORDS])[0][0]
        return exact, first, each, inside, found > INFIX_WORDS

    def _listing(self, allowed: np.ndarray | None, limit: int, offset: int) -> SearchPage:
        """Every entity in label order (no query), filtered."""
        if allowed is None:
            numbers = list(range(offset, min(offset + limit, self.size)))
            hits = self._hits([(n, None) for n in numbers], [])
            return SearchPage(self.size, limit, offset, hits, self.listing_facets, truncated=False)
        chosen = np.flatnonzero(allowed)
        hits = self._hits([(int(n), None) for n in chosen[offset : offset + limit]], [])
        return SearchPage(len(chosen), limit, offset, hits, self.coded.facets(allowed), truncated=False)

    def _hits(self, chosen: list[tuple[int, int | None]], words: list[str]) -> list[SearchHit]:
        """The chosen (entity number, tier) pairs as hits, in order."""
        if not chosen:
            return []
        from graph.store.postgres.lazy import LazyGraph

        rows = self.reader.rows(
            "SELECT rank, id, attrs, out_n, in_n, label_name FROM {s}.entities WHERE rank = ANY(%s)",
            [[number for number, _ in chosen]],
        )
        graph = LazyGraph(self.reader, {}, self.size)
        by_number = {}
        for number, node, attrs, out_n, in_n, label_name in rows:
            graph.entities.keep(node, attrs, out_n, in_n)
            by_number[number] = (node, label_name)
        hits = []
        for number, tier in chosen:
            node, label_name = by_number[number]
            hit: SearchHit = {
                **records.summary(graph, node),
                "match": RANK_NAMES[tier] if tier is not None else None,
                "matched_alias": None,
            }
            if tier is not None:
                hit["matched_alias"] = label_name is None or not label_matches(label_name, tier, words)
            hits.append(hit)
        return hits


def _numbers(data: bytes | None, dtype: str = "<i4") -> np.ndarray:
    """The entities numbered in ``data`` (int32 bytes; None: none), sorted and distinct."""
    numbers = np.sort(np.frombuffer(data or b"", dtype=dtype).astype(np.int32))
    if len(numbers) < 2:
        return numbers
    distinct = np.empty(len(numbers), dtype=bool)
    distinct[0], distinct[1:] = True, numbers[1:] != numbers[:-1]
    return numbers[distinct]  # np.unique hashes, slower here (11 ms for 40,000, numpy 2.4)
