"""The candidate index: which list entries are worth scoring against a curated entity.

Scoring every list entry against every curated entity would be a million comparisons per
entity. The index is built once per graph: every imported person or organisation is filed
under its *blocking keys* (:func:`blocking_keys`): its words, short words and pinyin
syllables joined (``xi an`` as ``xian``, ``hua chang da`` as ``huachangda``), its acronym or
initials. A curated entity's keys, plus words of the index spelt like its distinctive
words (same first four letters, ``fuzz.ratio`` >= :data:`~graph.xref.compare.SPELLING_MIN`),
pick the entries that share something with it. Keys are read rarest first, each shared key
voting by its rarity; keys shared by more than :data:`COMMON_KEY` entries are left out and
reading stops after :data:`MAX_VISITS` postings, so the work per curated entity is bounded
whatever the size of the graph; only the :data:`MAX_CANDIDATES` entries with the most votes
are scored.

An index is not updated: build a new one when the graph changes. Once built it is only
read, so threads may share it.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Mapping
from itertools import pairwise
from typing import Any, TypedDict

import networkx as nx
from rapidfuzz import fuzz, process

from graph.errors import BadQuery, UnknownEntity
from graph.model.vocabulary import Vocabulary
from graph.store import records
from graph.xref.compare import SPELLING_MIN
from graph.xref.names import (
    DISTINCT_WEIGHT,
    SHORT_WORD,
    Name,
    acronym_key,
    acronym_of,
    fold,
    initials_of,
    listing,
)
from graph.xref.score import DEFAULT_THRESHOLD, PERSON, Record, party_of, record_of, score_candidate

__all__ = [
    "COMMON_KEY",
    "MAX_CANDIDATES",
    "MAX_LIMIT",
    "MAX_VISITS",
    "Candidate",
    "XrefIndex",
    "XrefResult",
    "blocking_keys",
    "curated_subjects",
    "text_keys",
    "word_keys",
]

#: List entries scored at most per curated entity (those sharing the rarest keys).
MAX_CANDIDATES = 2000
#: A key shared by more entries than this does not select candidates (``technology``).
COMMON_KEY = 100_000
#: Postings read at most per curated entity (rarest keys first; one key is always read).
MAX_VISITS = 400_000
#: Most candidates one answer may list.
MAX_LIMIT = 100
_PREFIX = 4
_NEIGHBOURS = 20
_NEIGHBOUR_SCAN = 5000
_NEIGHBOUR_VOTE = 0.5


class Candidate(TypedDict):
    """A list entry that is likely the curated entity: its node id, label, score and why."""

    ftm_id: str
    label: str
    score: float
    reasons: list[str]


class XrefResult(TypedDict):
    """The likely matches of one curated entity, best first."""

    id: str
    label: str
    candidates: list[Candidate]


def blocking_keys(name: Name) -> set[str]:
    """The keys a name is filed under: its words, some joined, and ``#`` its acronym or initials.

    >>> from graph.xref.names import names_of
    >>> sorted(blocking_keys(names_of("XI AN LONGDE CO LTD")[0]))
    ['#xal', 'an', 'longde', 'xi', 'xian']
    """
    keys = word_keys(name.words, name.syllables)
    for acronym in (name.acronym, name.initials, name.stands_for):
        if acronym:
            keys.add("#" + acronym)
    return keys


def word_keys(words: tuple[str, ...], syllables: tuple[bool, ...]) -> set[str]:
    """The keys of a name's words: each word, and neighbours joined where both are short (``xi an``
    as ``xian``, ``luo luo`` as ``luoluo``) or pinyin syllables (up to four: ``huachangda``)."""
    if not any(syllables):
        keys = set(words)
        for a, b in pairwise(words):
            if len(a) <= SHORT_WORD and len(b) <= SHORT_WORD:
                keys.add(a + b)
        return keys
    keys = set()
    for i, word in enumerate(words):
        if not syllables[i]:
            keys.add(word)
        for size in (2, 3, 4) if syllables[i] else (2,):
            if i + size <= len(words):
                keys.add("".join(words[i : i + size]))
    return keys


def text_keys(text: str, *, person: bool = False) -> set[str]:
    """Every key of one printed name: what :func:`blocking_keys` gives for each of
    :func:`~graph.xref.names.names_of`, without building the names (the index's hot path)."""
    parts = listing(text, person=person)
    if len(parts) == 1 and not parts[0][1]:  # most names: one part, no acronym in brackets
        folded = fold(parts[0][0], person=person)
        if folded is None:
            return set()
        words, syllables = folded[0], folded[1]
        keys = word_keys(words, syllables)
        if person:
            return keys
        found = acronym_of(words, syllables) if len(words) == 1 else initials_of(words, syllables)
        if found:
            keys.add("#" + found)
        return keys
    keys = set()
    for part, stands_for in parts:
        for raw, acronym in ((part, stands_for), (stands_for, "")) if stands_for else ((part, ""),):
            folded = fold(raw, person=person)
            if folded is None:
                continue
            words, syllables = folded[0], folded[1]
            keys |= word_keys(words, syllables)
            found = acronym_of(words, syllables, person=person) or initials_of(words, syllables, person=person)
            if found:
                keys.add("#" + found)
            if acronym:
                keys.add("#" + acronym_key(acronym))
    return keys


def curated_subjects(graph: nx.MultiDiGraph) -> list[str]:
    """The curated entities the matcher looks up: those of kinds the vocabulary gives a party
    (firms, agencies, institutes, people)."""
    vocabulary = records.vocabulary(graph)
    return [node for node, attrs in records.entities(graph).items() if _is_subject(vocabulary, attrs)]


def _is_subject(vocabulary: Vocabulary, attrs: Mapping[str, Any]) -> bool:
    return (
        bool(attrs)
        and not records.is_imported(attrs)
        and not records.is_derived(attrs)
        and party_of(vocabulary, attrs.get("kind")) is not None
    )


class XrefIndex:
    """The imported people and organisations of a graph, filed under their blocking keys."""

    __slots__ = ("_ids", "_persons", "_postings", "_words")

    def __init__(self, ids: list[str], persons: bytearray, postings: dict[str, list[int]]) -> None:
        self._ids = ids
        self._persons = persons
        self._postings = postings
        self._words = sorted(k for k in postings if k[0] != "#")

    def __len__(self) -> int:
        """How many list entries the index holds."""
        return len(self._ids)

    @classmethod
    def build(cls, graph: nx.MultiDiGraph) -> XrefIndex:
        """Index every imported person and organisation of ``graph`` (seconds for a million)."""
        ids: list[str] = []
        persons = bytearray()
        postings: dict[str, list[int]] = {}
        find = postings.get
        vocabulary = records.vocabulary(graph)
        for node, attrs in records.entities(graph).items():
            if not records.is_imported(attrs):
                continue
            party = party_of(vocabulary, attrs.get("kind"))
            if party is None:
                continue
            person = party == PERSON
            number = len(ids)
            ids.append(node)
            persons.append(person)
            label, aliases = attrs.get("label"), attrs.get("aliases")
            keys = text_keys(str(label), person=person) if label else set()
            for alias in aliases or ():
                if alias and alias != label:
                    keys |= text_keys(str(alias), person=person)
            for key in keys:
                posting = find(key)
                if posting is None:
                    postings[key] = [number]
                else:
                    posting.append(number)
        return cls(ids, persons, postings)

    # ---- candidates ---------------------------------------------------------------------

    def candidates(self, subject: Record, *, cap: int = MAX_CANDIDATES) -> list[str]:
        """Node ids of the list entries worth scoring against ``subject``, most shared keys first."""
        keys: dict[str, float] = {}
        for _, name in subject.names:
            for key in blocking_keys(name):
                keys[key] = 1.0
            for i, word in enumerate(name.words):
                if name.weights[i] >= DISTINCT_WEIGHT and len(word) > _PREFIX and not name.syllables[i]:
                    for similar in self._spelt_like(word):
                        keys.setdefault(similar, _NEIGHBOUR_VOTE)
        person = subject.party == PERSON
        total = len(self._ids) or 1
        votes: dict[int, float] = {}
        visited = 0
        for key, share in sorted(keys.items(), key=lambda kv: len(self._postings.get(kv[0], ()))):
            posting = self._postings.get(key)
            if not posting:
                continue
            visited += len(posting)
            if len(posting) > COMMON_KEY or (visited > MAX_VISITS and votes):
                break
            vote = share * math.log(1 + total / len(posting))
            for number in posting:
                if self._persons[number] == person:
                    votes[number] = votes.get(number, 0.0) + vote
        best = heapq.nlargest(cap, votes.items(), key=lambda item: (item[1], -item[0]))
        return [self._ids[number] for number, _ in best]

    def _spelt_like(self, word: str) -> list[str]:
        """Index words with the same first letters as ``word`` and spelt like it (typos, inflections)."""
        start = bisect_left(self._words, word[:_PREFIX])
        end = bisect_left(self._words, word[:_PREFIX] + "\x7f", start, min(start + _NEIGHBOUR_SCAN, len(self._words)))
        found = process.extract(
            word, self._words[start:end], scorer=fuzz.ratio, score_cutoff=SPELLING_MIN, limit=_NEIGHBOURS
        )
        return [other for other, _, _ in found if other != word]

    # ---- matching -----------------------------------------------------------------------

    def matches(
        self, graph: nx.MultiDiGraph, curated_id: str, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 10
    ) -> XrefResult:
        """The list entries of ``graph`` likely to be the curated entity ``curated_id``, best first.

        Raises :class:`~graph.errors.UnknownEntity` for an id not in the graph and
        :class:`~graph.errors.BadQuery` for an entity that is not a curated firm, agency,
        institute or person, or for a threshold outside [0, 1] or a limit outside 1..100.
        """
        if not 0.0 <= threshold <= 1.0:
            raise BadQuery(f"threshold must be between 0 and 1, not {threshold}")
        if not 1 <= limit <= MAX_LIMIT:
            raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        entities = records.entities(graph)
        attrs = entities.get(curated_id)
        if attrs is None:
            raise UnknownEntity(curated_id)
        vocabulary = records.vocabulary(graph)
        subject = record_of(curated_id, attrs, vocabulary) if _is_subject(vocabulary, attrs) else None
        if subject is None:
            what = "a list entry" if records.is_imported(attrs) else f"of kind {attrs.get('kind')!r}"
            raise BadQuery(
                f"{curated_id!r} is {what}: only curated firms, agencies, institutes and people are cross-referenced"
            )
        found: list[Candidate] = []
        for node in self.candidates(subject):
            data = entities.get(node)
            if not data or "ftm_file" not in data or str(data.get("ftm_id", node)) in subject.linked:
                continue
            candidate = record_of(node, data, vocabulary)
            if candidate is None or candidate.party != subject.party:
                continue
            scored = score_candidate(subject, candidate)
            if scored.score >= threshold:
                found.append({"ftm_id": node, "label": candidate.label, "score": scored.score,
                              "reasons": scored.reasons})  # fmt: skip
        found.sort(key=lambda c: (-c["score"], c["label"], c["ftm_id"]))
        return {"id": curated_id, "label": subject.label, "candidates": found[:limit]}
