"""Name search over labels and aliases: case- and accent-insensitive, ranked, paged, with facets.

An entity matches a query when every word of the query begins a word of one of its names
(its label or an alias); a single word of three letters or more also matches inside a
word, at the lowest rank. Ranks: ``exact`` (a name is the query), ``prefix`` (a name
begins with the query's first word), ``word-prefix``, ``substring``; within a rank, label
order.

The index is built for a million entities served to many people at once: entities are
numbered in label order, and every word of every name has a *posting* (the sorted numbers
of the entities whose names hold it), all in one numpy array ordered by word. The words
beginning with a prefix are a contiguous range of the sorted vocabulary, so their postings
are one slice; a query marks them in a boolean array over all entities, filters by kind and
country with vectorised comparisons, and reads the page, the exact total and the facets
from that array. A query costs a few milliseconds whatever it matches (a common word such
as "trading" included), and the arrays are plain memory that forked workers share.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graph.limits import MAX_PAGE, Deadline, check_range
from graph.store import records
from graph.store.state import IndexState, NodeIds

__all__ = [
    "EXACT",
    "INFIX_MIN",
    "INFIX_WORDS",
    "PREFIX",
    "RANK_NAMES",
    "SUBSTRING",
    "WORD_PREFIX",
    "Facets",
    "SearchHit",
    "SearchIndex",
    "SearchPage",
    "label_matches",
    "normalize",
    "ranked_numbers",
    "ranked_page",
    "sorted_facet",
    "within",
]

EXACT, PREFIX, WORD_PREFIX, SUBSTRING = 0, 1, 2, 3
RANK_NAMES = ("exact", "prefix", "word-prefix", "substring")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")
#: Shortest query word also looked for inside words, and how many such words are read at most.
INFIX_MIN = 3
INFIX_WORDS = 20_000
_NEWLINE = ord("\n")
_FEW = 512  # occurrences of an infix found one by one; more are found as whole arrays


def normalize(text: str) -> str:
    """Fold case, accents and punctuation so that "Xi\u2019an Longde" and "xian longde" match.

    >>> normalize("Xi\u2019an  LONGDE, Co.")
    'xian longde co'
    >>> normalize("Société Générale")
    'societe generale'
    """
    if text.isascii():  # most names: nothing to decompose
        if "  " not in text and text.replace(" ", "").isalnum():  # plain words: only the case to fold
            return text.casefold().strip()
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
    """True when a very short infix matched too many words to read them all (the total then
    counts the words read), or the time budget ran out."""


class _Postings:
    """For each word of the vocabulary (sorted), the sorted numbers of the entities having it."""

    def __init__(self, words: list[str], word_ids: np.ndarray, entities: np.ndarray) -> None:
        order = np.lexsort((entities, word_ids))
        word_ids, entities = word_ids[order], entities[order]
        keep = np.ones(len(order), dtype=bool)
        keep[1:] = (word_ids[1:] != word_ids[:-1]) | (entities[1:] != entities[:-1])
        word_ids, self.entities = word_ids[keep], entities[keep]
        self.starts = np.searchsorted(word_ids, np.arange(len(words) + 1)).astype(np.int64)

    @classmethod
    def of(cls, entities: np.ndarray, starts: np.ndarray) -> _Postings:
        postings = cls.__new__(cls)
        postings.entities, postings.starts = entities, starts
        return postings

    def slice(self, low: int, high: int) -> np.ndarray:
        """The postings of words ``low`` to ``high - 1`` (a view, with repeats across words)."""
        return self.entities[self.starts[low] : self.starts[high]]


class _Spellings:
    """Some words of the vocabulary as one byte string (UTF-8 matches byte-wise), to find the
    words containing a string without a Python loop over the words."""

    def __init__(self, words: list[str], numbers: np.ndarray) -> None:
        self.numbers = numbers
        encoded = [words[i].encode() for i in numbers]
        self.raw = b"\n" + b"\n".join(encoded) + b"\n"
        self.text = np.frombuffer(self.raw, dtype=np.uint8)
        self.starts = np.cumsum([1, *(len(w) + 1 for w in encoded)])[:-1]

    @classmethod
    def of(cls, numbers: np.ndarray, raw: bytes, starts: np.ndarray) -> _Spellings:
        spellings = cls.__new__(cls)
        spellings.numbers, spellings.raw, spellings.starts = numbers, raw, starts
        spellings.text = np.frombuffer(raw, dtype=np.uint8)
        return spellings

    def containing(self, part: str) -> np.ndarray:
        """The vocabulary numbers of the words containing ``part`` after their first letter: a
        few occurrences are found with ``bytes.find``; many by comparing the whole array with
        the string's bytes, one byte at a time, which costs the same however many there are."""
        needle = part.encode()
        if self.raw.count(needle) <= _FEW:
            at_list: list[int] = []
            position = self.raw.find(needle)
            while position != -1:
                at_list.append(position)
                position = self.raw.find(needle, position + 1)
            at = np.asarray(at_list, dtype=np.int64)
        else:
            text = self.text
            at = np.flatnonzero(text[: len(text) - len(needle) + 1] == needle[0])
            for offset in range(1, len(needle)):
                at = at[text[at + offset] == needle[offset]]
        at = at[self.text[at - 1] != _NEWLINE]  # inside a word, not at its start
        found: np.ndarray = self.numbers[np.searchsorted(self.starts, at, side="right") - 1]
        return found


class SearchIndex:
    """Names of every entity of one graph, built once when the graph is loaded."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph
        attrs = records.entities(graph)
        labelled = sorted((normalize(str(data.get("label", node))), node) for node, data in attrs.items())
        self._nodes = [node for _, node in labelled]
        names: list[str] = []  # every folded name, entity by entity
        name_owner = []  # per name: entity number * 2 + is_alias
        kinds: dict[str, int] = {}
        countries: dict[str, int] = {}
        kind_codes, country_codes = [], []
        for number, (folded_label, node) in enumerate(labelled):
            data = attrs[node]
            kind_codes.append(kinds.setdefault(str(data.get("kind") or "unknown"), len(kinds)))
            country_codes.append(countries.setdefault(str(data.get("country") or "none"), len(countries)))
            if folded_label:
                names.append(folded_label)
                name_owner.append(number * 2)
            for alias in data.get("aliases") or ():
                if folded := normalize(str(alias)):
                    names.append(folded)
                    name_owner.append(number * 2 + 1)
        self._kind_names, self._country_names = list(kinds), list(countries)
        self._kind_codes = np.asarray(kind_codes, dtype=np.uint16)
        self._country_codes = np.asarray(country_codes, dtype=np.uint16)
        self._names, self._name_owner = names, np.asarray(name_owner, dtype=np.int64)
        self._first_name = np.searchsorted(self._name_owner >> 1, np.arange(len(labelled) + 1))
        self._build_words(names)
        digests = np.fromiter((zlib.crc32(n.encode()) for n in names), dtype=np.int64, count=len(names))
        self._digest_order = np.argsort(digests, kind="stable")
        self._digests = digests[self._digest_order]
        self._all_facets: dict[str, dict[str, int]] | None = None

    def _build_words(self, names: list[str]) -> None:
        word_numbers: dict[str, int] = {}
        any_words, any_entities, first_words, first_entities = [], [], [], []
        for name, entity in zip(names, (self._name_owner >> 1).tolist(), strict=True):
            for place, word in enumerate(name.split()):
                number = word_numbers.setdefault(word, len(word_numbers))
                any_words.append(number)
                any_entities.append(entity)
                if place == 0:
                    first_words.append(number)
                    first_entities.append(entity)
        self._words = sorted(word_numbers)
        rank = np.empty(len(self._words), dtype=np.int64)
        rank[[word_numbers[w] for w in self._words]] = np.arange(len(self._words))

        def postings(words: list[int], entities: list[int]) -> _Postings:
            return _Postings(self._words, rank[np.asarray(words, dtype=np.int64)], np.asarray(entities, dtype=np.int32))

        self._any = postings(any_words, any_entities)
        self._first = postings(first_words, first_entities)
        numeric = np.fromiter((w.isdigit() for w in self._words), dtype=bool, count=len(self._words))
        self._spellings = [
            _Spellings(self._words, np.flatnonzero(~numeric)),
            _Spellings(self._words, np.flatnonzero(numeric)),
        ]

    def __len__(self) -> int:
        return len(self._nodes)

    def state(self) -> IndexState:
        """Everything the index computed, for a snapshot (see :mod:`graph.store.state`)."""
        spelled = {
            f"spellings{i}_{part}": getattr(spellings, part)
            for i, spellings in enumerate(self._spellings)
            for part in ("numbers", "raw", "starts")
        }
        return {
            "nodes": NodeIds(self._nodes),
            "kind_names": self._kind_names,
            "country_names": self._country_names,
            "kind_codes": self._kind_codes,
            "country_codes": self._country_codes,
            "names": self._names,
            "name_owner": self._name_owner,
            "first_name": self._first_name,
            "words": self._words,
            "any_entities": self._any.entities,
            "any_starts": self._any.starts,
            "first_entities": self._first.entities,
            "first_starts": self._first.starts,
            "digest_order": self._digest_order,
            "digests": self._digests,
            **spelled,
        }

    @classmethod
    def restore(cls, graph: nx.MultiDiGraph, state: IndexState) -> SearchIndex:
        """The index :meth:`state` described, without building it again."""
        index = cls.__new__(cls)
        index._graph = graph
        index._nodes = list(state["nodes"])
        index._kind_names, index._country_names = state["kind_names"], state["country_names"]
        index._kind_codes, index._country_codes = state["kind_codes"], state["country_codes"]
        index._names, index._name_owner, index._first_name = state["names"], state["name_owner"], state["first_name"]
        index._words = state["words"]
        index._any = _Postings.of(state["any_entities"], state["any_starts"])
        index._first = _Postings.of(state["first_entities"], state["first_starts"])
        index._digest_order, index._digests = state["digest_order"], state["digests"]
        index._spellings = [
            _Spellings.of(state[f"spellings{i}_numbers"], state[f"spellings{i}_raw"], state[f"spellings{i}_starts"])
            for i in range(2)
        ]
        index._all_facets = None
        return index

    def warm(self) -> None:
        """Count the facets of the full listing (once; the first listing does it otherwise)."""
        if self._all_facets is None:
            everything = np.ones(len(self._nodes), dtype=bool)
            self._all_facets = self._facets(everything)

    # ---- queries ---------------------------------------------------------------------------

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
        words = normalize(q).split()
        allowed = self._allowed(kind, country.upper() if country else None)
        if not words:
            return self._listing(allowed, kind or country, limit, offset)
        tiers, truncated = self._tiers(words, deadline or Deadline.unlimited())
        found, chosen = ranked_page(tiers, allowed, limit, offset)
        page = [self._hit(number, rank, words) for rank, number in chosen]
        return SearchPage(int(found.sum()), limit, offset, page, self._facets(found), truncated=truncated)

    def _tiers(self, words: list[str], deadline: Deadline) -> tuple[list[np.ndarray], bool]:
        """Boolean arrays over the entities: exact, prefix, word-prefix and infix matches (overlapping)."""
        size = len(self._nodes)
        every = np.ones(size, dtype=bool)
        for word in words:
            every &= self._mark(self._any, word)
        exact = self._exact(" ".join(words))
        prefix = self._mark(self._first, words[0]) & every
        infix = np.zeros(size, dtype=bool)
        truncated = False
        if len(words) == 1 and len(words[0]) >= INFIX_MIN:
            infix, truncated = self._infix(words[0], deadline)
        return [exact, prefix, every, infix], truncated or deadline.expired

    def _mark(self, postings: _Postings, prefix: str) -> np.ndarray:
        """The entities with a word beginning with ``prefix`` (in ``postings``)."""
        low = bisect_left(self._words, prefix)
        high = bisect_left(self._words, prefix + "\uffff", low)
        marked = np.zeros(len(self._nodes), dtype=bool)
        marked[postings.slice(low, high)] = True
        return marked

    def _exact(self, name: str) -> np.ndarray:
        """The entities with a name that is exactly ``name`` (by checksum, then compared)."""
        marked = np.zeros(len(self._nodes), dtype=bool)
        digest = zlib.crc32(name.encode())
        low, high = np.searchsorted(self._digests, [digest, digest + 1])
        for position in self._digest_order[low:high]:
            if self._names[position] == name:
                marked[self._name_owner[position] >> 1] = True
        return marked

    def _infix(self, word: str, deadline: Deadline) -> tuple[np.ndarray, bool]:
        """The entities with a word containing ``word`` after its first letter (a word with a
        letter in it is not looked for among the numbers, which real names have by the million)."""
        marked = np.zeros(len(self._nodes), dtype=bool)
        spellings = self._spellings if word.isdigit() else self._spellings[:1]
        numbers = np.unique(np.concatenate([s.containing(word) for s in spellings]))
        truncated = len(numbers) > INFIX_WORDS
        numbers = numbers[:INFIX_WORDS]
        if len(numbers):
            marked[self._any.entities[_spans(self._any.starts[numbers], self._any.starts[numbers + 1])]] = True
        return marked, truncated or deadline.expired

    def _allowed(self, kind: str | None, country: str | None) -> np.ndarray | None:
        return self._coded.allowed(kind, country)

    def _listing(self, allowed: np.ndarray | None, filtered: str | None, limit: int, offset: int) -> SearchPage:
        """Every entity in label order (no query), filtered."""
        if allowed is None:
            self.warm()
            assert self._all_facets is not None
            numbers = range(offset, min(offset + limit, len(self._nodes)))
            page = [self._hit(n, None) for n in numbers]
            return SearchPage(len(self._nodes), limit, offset, page, self._all_facets, truncated=False)
        chosen = np.flatnonzero(allowed)
        page = [self._hit(int(n), None) for n in chosen[offset : offset + limit]]
        return SearchPage(len(chosen), limit, offset, page, self._facets(allowed), truncated=False)

    def _facets(self, marked: np.ndarray) -> dict[str, dict[str, int]]:
        return self._coded.facets(marked)

    @property
    def _coded(self) -> Facets:
        return Facets(self._kind_names, self._kind_codes, self._country_names, self._country_codes)

    def _hit(self, number: int, rank: int | None, words: Iterable[str] = ()) -> SearchHit:
        node = self._nodes[number]
        hit: SearchHit = {
            **records.summary(self._graph, node),
            "match": RANK_NAMES[rank] if rank is not None else None,
            "matched_alias": None,
        }
        if rank is not None:
            hit["matched_alias"] = not self._label_matches(number, rank, list(words))
        return hit

    def _label_matches(self, number: int, rank: int, words: list[str]) -> bool:
        """Whether the entity's label (its first name) matches at its rank (else an alias did)."""
        first = int(self._first_name[number])
        if first >= len(self._names) or self._name_owner[first] != number * 2:
            return False  # the label folds to nothing: only aliases are indexed
        return label_matches(self._names[first], rank, words)


@dataclass(frozen=True)
class Facets:
    """Every entity's kind and country as codes, in label order: the filters and the facet
    counts of a search (shared by the in-memory index and the database's)."""

    kind_names: list[str]
    kind_codes: np.ndarray
    country_names: list[str]
    country_codes: np.ndarray

    def allowed(self, kind: str | None, country: str | None) -> np.ndarray | None:
        """The entities of this kind and country (None: no filter)."""
        if not kind and not country:
            return None
        allowed = np.ones(len(self.kind_codes), dtype=bool)
        for value, names, codes in ((kind, self.kind_names, self.kind_codes),
                                    (country, self.country_names, self.country_codes)):  # fmt: skip
            if value:
                allowed &= codes == names.index(value) if value in names else False
        return allowed

    def among(self, numbers: np.ndarray, kind: str | None, country: str | None) -> np.ndarray:
        """Those of the entities ``numbers`` of this kind and country (all: no filter), in
        memory proportional to them (:meth:`allowed` marks every entity)."""
        for value, names, codes in ((kind, self.kind_names, self.kind_codes),
                                    (country, self.country_names, self.country_codes)):  # fmt: skip
            if value:
                numbers = numbers[codes[numbers] == names.index(value)] if value in names else numbers[:0]
        return numbers

    def facets(self, marked: np.ndarray) -> dict[str, dict[str, int]]:
        """Exact counts by kind and country of the marked entities (a boolean array over all
        of them, or their numbers: two bincounts either way)."""
        result = {}
        for facet, names, codes in (("kind", self.kind_names, self.kind_codes),
                                    ("country", self.country_names, self.country_codes)):  # fmt: skip
            counts = np.bincount(codes[marked], minlength=len(names))
            result[facet] = sorted_facet({names[i]: int(counts[i]) for i in range(len(names)) if counts[i]})
        return result


def ranked_page(
    tiers: list[np.ndarray], allowed: np.ndarray | None, limit: int, offset: int
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Everything the tiers match (each entity in its best tier, filtered), and one page of
    (tier, entity number) in tier then label order. The tiers are edited in place."""
    found = np.zeros(len(tiers[0]), dtype=bool)
    ranked: list[np.ndarray] = []
    for tier in tiers:
        tier &= ~found
        if allowed is not None:
            tier &= allowed
        found |= tier
        ranked.append(np.flatnonzero(tier))
    return found, _page(ranked, limit, offset)


def ranked_numbers(
    tiers: list[np.ndarray], keep: Callable[[np.ndarray], np.ndarray], limit: int, offset: int
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """:func:`ranked_page` on tiers given as the sorted, distinct numbers of the entities they
    match (not marked over all entities), filtered by ``keep``: what the tiers match (their
    numbers, tier by tier) and the same page, in memory proportional to the matches."""
    ranked: list[np.ndarray] = []
    for tier in tiers:
        for better in ranked:
            tier = tier[~within(tier, better)]
        ranked.append(keep(tier))
    return np.concatenate(ranked), _page(ranked, limit, offset)


def within(numbers: np.ndarray, sorted_numbers: np.ndarray) -> np.ndarray:
    """Which of ``numbers`` are in ``sorted_numbers`` (sorted, distinct), by binary search:
    memory proportional to ``numbers`` (``np.isin`` may mark a range of all the entities)."""
    if not len(sorted_numbers):
        return np.zeros(len(numbers), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_numbers, numbers), len(sorted_numbers) - 1)
    found: np.ndarray = sorted_numbers[at] == numbers
    return found


def _page(ranked: list[np.ndarray], limit: int, offset: int) -> list[tuple[int, int]]:
    """(tier, entity number) from ``offset`` to ``offset + limit`` of the tiers' sorted numbers, in tier order."""
    chosen: list[tuple[int, int]] = []
    skip = offset
    for rank, numbers in enumerate(ranked):
        if skip >= len(numbers):
            skip -= len(numbers)
            continue
        chosen += [(rank, int(n)) for n in numbers[skip : skip + limit - len(chosen)]]
        skip = 0
        if len(chosen) >= limit:
            break
    return chosen


def sorted_facet(counts: dict[str, int]) -> dict[str, int]:
    """Facet values most frequent first, ties by value."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def label_matches(label: str, rank: int, words: list[str]) -> bool:
    """Whether a folded label matches the query ``words`` at ``rank`` (else an alias did)."""
    label_words = label.split()
    if rank == EXACT:
        return label == " ".join(words)
    if rank == PREFIX:
        return bool(label_words) and label_words[0].startswith(words[0])
    if rank == WORD_PREFIX:
        return all(any(w.startswith(q) for w in label_words) for q in words)
    return words[0] in label


def _spans(lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """The positions ``lows[i]`` to ``highs[i] - 1`` for every i, as one array (no Python loop).

    >>> _spans(np.array([2, 10]), np.array([4, 13])).tolist()
    [2, 3, 10, 11, 12]
    """
    lengths = highs - lows
    ends = np.cumsum(lengths)
    return np.repeat(lows - ends + lengths, lengths) + np.arange(int(ends[-1]) if len(ends) else 0)
