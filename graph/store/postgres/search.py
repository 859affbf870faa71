"""The name search over the database, with the in-memory index's rules and ranking (:mod:`graph.store.search`).

The load writes what the in-memory index computed: every folded name, the sorted words
(numbered in order), per word the entities having it anywhere in a name or as a name's first
word, and every entity's kind and country as codes. A query word is a range of word numbers,
exactly as the in-memory index bisects its sorted vocabulary; its postings come back as one
array; "inside a word" finds the words through a trigram index. The four tiers (exact,
prefix, word-prefix, inside a word), the page, the filters and the exact total and facets
are then the in-memory index's own array operations over those postings.
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
    ranked_page,
)

if TYPE_CHECKING:
    from graph.store.postgres.lazy import Reader

__all__ = ["PostgresSearch"]

_LAST = "\uffff"


class PostgresSearch:
    """Ranked name search over one load, answering as :class:`~graph.store.search.SearchIndex` does.

    The postings of the query's words come from the database (one array per word range); the
    tiers, the page, the filters and the facet counts are the in-memory index's own array
    operations (:func:`~graph.store.search.ranked_page`, :class:`~graph.store.search.Facets`)
    over the kind and country codes the server reads once: no join per match.
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
        allowed = self.coded.allowed(kind, country.upper() if country else None)
        if not words:
            return self._listing(allowed, limit, offset)
        every = np.ones(self.size, dtype=bool)
        for word in words:
            every &= self._mark("word_any", word)
        exact = self._marked(self.reader.rows(
            "SELECT coalesce(array_agg(entity), '{}') FROM {s}.names WHERE name = %s", [" ".join(words)]))  # fmt: skip
        prefix = self._mark("word_first", words[0]) & every
        infix = np.zeros(self.size, dtype=bool)
        truncated = False
        if len(words) == 1 and len(words[0]) >= INFIX_MIN:
            numbers, truncated = self._infix(words[0])
            if numbers:
                sql = "SELECT coalesce(array_agg(entity), '{}') FROM {s}.word_any WHERE word = ANY(%s)"
                infix = self._marked(self.reader.rows(sql, [numbers]))
        found, chosen = ranked_page([exact, prefix, every, infix], allowed, limit, offset)
        hits = self._hits([(number, tier) for tier, number in chosen], words)
        return SearchPage(int(found.sum()), limit, offset, hits, self.coded.facets(found),
                          truncated=truncated or deadline.expired)  # fmt: skip

    def _marked(self, rows: list[tuple[Any, ...]]) -> np.ndarray:
        marked = np.zeros(self.size, dtype=bool)
        marked[np.asarray(rows[0][0], dtype=np.int64)] = True
        return marked

    def _mark(self, table: str, prefix: str) -> np.ndarray:
        """The entities with a word beginning with ``prefix`` (the words are numbered in order,
        so they are a range, as the in-memory index bisects its sorted vocabulary)."""
        return self._marked(self.reader.rows(
            f"SELECT coalesce(array_agg(p.entity), '{{}}') FROM {{s}}.{table} p, "
            "(SELECT min(number) AS low, max(number) AS high FROM {s}.words WHERE word >= %s AND word < %s) r "
            "WHERE p.word BETWEEN r.low AND r.high",
            [prefix, prefix + _LAST],
        ))  # fmt: skip

    def _infix(self, word: str) -> tuple[list[int], bool]:
        """Numbers of the words containing ``word`` after their first letter (numbers among
        them only for a query of digits), the first :data:`INFIX_WORDS`, and whether more."""
        rows = self.reader.rows(
            "SELECT number FROM {s}.words WHERE word LIKE %s AND strpos(substr(word, 2), %s) > 0 "
            "AND (%s OR NOT numeric) ORDER BY number LIMIT %s",
            [f"%{word}%", word, word.isdigit(), INFIX_WORDS + 1],
        )
        return [row[0] for row in rows[:INFIX_WORDS]], len(rows) > INFIX_WORDS

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
