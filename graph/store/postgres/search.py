"""The name search in SQL, with the in-memory index's rules and ranking (:mod:`graph.store.search`).

The load writes what the in-memory index computed: every folded name, the sorted words
(numbered in order), and per word the entities having it anywhere in a name or as a name's
first word. A query word is then a range of word numbers, exactly as the in-memory index
bisects its sorted vocabulary, and the four tiers (exact, prefix, word-prefix, inside a
word) are set operations on those rows; "inside a word" reads the words through a trigram
index. Totals and facets are counted over every match, pages are cut in (tier, label order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.limits import MAX_PAGE, Deadline, check_range
from graph.store import records
from graph.store.search import (
    INFIX_MIN,
    INFIX_WORDS,
    RANK_NAMES,
    SearchHit,
    SearchPage,
    label_matches,
    normalize,
    sorted_facet,
)

if TYPE_CHECKING:
    from graph.store.postgres.lazy import Reader

__all__ = ["PostgresSearch"]

_LAST = "\uffff"


class PostgresSearch:
    """Ranked name search over one load, answering as :class:`~graph.store.search.SearchIndex` does."""

    def __init__(self, reader: Reader, size: int, listing_facets: dict[str, dict[str, int]]) -> None:
        self.reader, self.size, self.listing_facets = reader, size, listing_facets

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
            return self._listing(kind, country, limit, offset)
        ranges = [self._range(word) for word in words]
        infix: list[int] = []
        truncated = False
        if len(words) == 1 and len(words[0]) >= INFIX_MIN:
            infix, truncated = self._infix(words[0])
        every = " INTERSECT ".join(
            "SELECT entity FROM {s}.word_any WHERE word >= %s AND word < %s" for _ in ranges
        )  # fmt: skip
        sql = f"""
            WITH every AS ({every}),
            tiers AS (
                SELECT entity, 0 AS tier FROM {{s}}.names WHERE name = %s
                UNION ALL SELECT entity, 1 FROM ({{first}} INTERSECT SELECT entity FROM every) prefix
                UNION ALL SELECT entity, 2 FROM every
                UNION ALL SELECT entity, 3 FROM {{s}}.word_any WHERE word = ANY(%s)
            )
            SELECT t.entity, min(t.tier) AS tier FROM tiers t GROUP BY t.entity
        """.replace("{first}", "SELECT entity FROM {s}.word_first WHERE word >= %s AND word < %s")
        params: list[Any] = [value for span in ranges for value in span]
        params += [" ".join(words), *ranges[0], infix]
        page = self._page(sql, params, kind, country, limit, offset, words)
        page.truncated = truncated or deadline.expired
        return page

    def _range(self, prefix: str) -> tuple[int, int]:
        """The numbers of the words beginning with ``prefix`` (a range: the words are numbered in order)."""
        found = self.reader.rows(
            "SELECT min(number), max(number) FROM {s}.words WHERE word >= %s AND word < %s", [prefix, prefix + _LAST]
        )
        low, high = found[0]
        return (0, 0) if low is None else (int(low), int(high) + 1)

    def _infix(self, word: str) -> tuple[list[int], bool]:
        """Numbers of the words containing ``word`` after their first letter (numbers among
        them only for a query of digits), the first :data:`INFIX_WORDS`, and whether more."""
        rows = self.reader.rows(
            "SELECT number FROM {s}.words WHERE word LIKE %s AND strpos(substr(word, 2), %s) > 0 "
            "AND (%s OR NOT numeric) ORDER BY number LIMIT %s",
            [f"%{word}%", word, word.isdigit(), INFIX_WORDS + 1],
        )
        return [row[0] for row in rows[:INFIX_WORDS]], len(rows) > INFIX_WORDS

    def _listing(self, kind: str | None, country: str | None, limit: int, offset: int) -> SearchPage:
        if not kind and not country:
            rows = self.reader.rows(
                "SELECT rank, NULL::int FROM {s}.entities WHERE rank >= %s AND rank < %s ORDER BY rank",
                [offset, offset + limit],
            )
            return SearchPage(self.size, limit, offset, self._hits(rows, []), self.listing_facets, truncated=False)
        return self._page("SELECT rank AS entity, NULL::int AS tier FROM {s}.entities", [], kind, country, limit,
                          offset, [])  # fmt: skip

    def _page(
        self, found: str, params: list[Any], kind: str | None, country: str | None, limit: int, offset: int,
        words: list[str],
    ) -> SearchPage:  # fmt: skip
        """Total, facets and one page of the entities ``found`` selects (entity, tier), filtered."""
        sql = f"""
            WITH found AS ({found}),
            allowed AS (
                SELECT f.entity, f.tier, n.kind, n.country FROM found f JOIN {{s}}.entities n ON n.rank = f.entity
                WHERE (%s::text IS NULL OR n.kind = %s) AND (%s::text IS NULL OR n.country = %s)
            )
            SELECT (SELECT count(*) FROM allowed),
                (SELECT coalesce(json_object_agg(kind, c), '{{}}') FROM (SELECT kind, count(*) c FROM allowed GROUP BY kind) k),
                (SELECT coalesce(json_object_agg(country, c), '{{}}')
                 FROM (SELECT country, count(*) c FROM allowed GROUP BY country) c),
                (SELECT coalesce(json_agg(json_build_array(entity, tier)), '[]')
                 FROM (SELECT entity, tier FROM allowed ORDER BY tier, entity OFFSET %s LIMIT %s) p)
        """  # noqa: E501
        total, kinds, countries, chosen = self.reader.rows(sql, [*params, kind, kind, country, country, offset, limit])[
            0
        ]
        facets = {"kind": sorted_facet(kinds), "country": sorted_facet(countries)}
        return SearchPage(total, limit, offset, self._hits(chosen, words), facets, truncated=False)

    def _hits(self, chosen: list[Any], words: list[str]) -> list[SearchHit]:
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
