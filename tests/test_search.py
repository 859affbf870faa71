"""Name search against the obvious way of doing it: every entity's names checked one by one."""

from __future__ import annotations

import random
from collections import Counter

import networkx as nx
import numpy as np
import pytest

from graph.store import records
from graph.store.search import (
    EXACT,
    INFIX_MIN,
    PREFIX,
    SUBSTRING,
    WORD_PREFIX,
    SearchIndex,
    normalize,
    ranked_numbers,
    ranked_page,
)

SYLLABLES = ["ka", "ro", "tra", "ding", "hol", "ltd", "ma", "zhe", "ang", "or", "el", "ski"]
RANKS = ("exact", "prefix", "word-prefix", "substring")


def random_graph(seed: int, size: int = 300) -> nx.MultiDiGraph:
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))

    def name() -> str:
        return " ".join(word().capitalize() for _ in range(rng.randint(1, 3)))

    graph = nx.MultiDiGraph()
    for i in range(size):
        attrs = {"label": name(), "kind": rng.choice(["firm", "person", "agency"]), "country": rng.choice(["PK", "CN"])}
        if rng.random() < 0.3:
            attrs["aliases"] = [name() for _ in range(rng.randint(1, 2))]
        records.add_entity(graph, f"e{i:03d}", attrs)
    return graph


def reference(graph: nx.MultiDiGraph, query: str) -> list[tuple[int, str, str]]:
    """(rank, folded label, id) of every match, in the promised order."""
    words = normalize(query).split()
    found = []
    for node, data in records.entities(graph).items():
        names = [normalize(n) for n in [data["label"], *data.get("aliases", [])]]
        names = [n for n in names if n]
        name_words = [n.split() for n in names]
        every = all(any(w.startswith(q) for ws in name_words for w in ws) for q in words)
        rank = None
        if " ".join(words) in names:
            rank = EXACT
        elif every and any(ws[0].startswith(words[0]) for ws in name_words):
            rank = PREFIX
        elif every:
            rank = WORD_PREFIX
        elif len(words) == 1 and len(words[0]) >= INFIX_MIN and any(words[0] in w[1:] for ws in name_words for w in ws):
            rank = SUBSTRING
        if rank is not None:
            found.append((rank, normalize(data["label"]), node))
    return sorted(found)


def queries(graph: nx.MultiDiGraph, rng: random.Random) -> list[str]:
    names = [normalize(d["label"]) for d in records.entities(graph).values()]
    picked = []
    for _ in range(25):
        name = rng.choice(names)
        word = rng.choice(name.split())
        picked += [word[: rng.randint(1, len(word))], word[1:] if len(word) > 4 else word, name, name.upper()]
    return [*picked, "zzz", "tra ding", "Ka-Ro"]


@pytest.mark.parametrize("seed", range(4))
def test_search_equals_the_obvious_search(seed: int) -> None:
    graph = random_graph(seed)
    index = SearchIndex(graph)
    for query in queries(graph, random.Random(seed)):
        expected = reference(graph, query)
        page = index.search(query, limit=500)
        assert page.total == len(expected), query
        assert [(RANKS.index(r["match"]), r["id"]) for r in page.results] == [(r, i) for r, _, i in expected], query
        kinds = Counter(graph.nodes[i]["kind"] for _, _, i in expected)
        assert page.facets["kind"] == dict(kinds) and not page.truncated


def test_pages_filters_and_facets_of_a_common_word() -> None:
    graph = random_graph(9, size=600)
    index = SearchIndex(graph)
    expected = [i for _, _, i in reference(graph, "tra") if graph.nodes[i]["kind"] == "firm"]
    assert len(expected) > 40
    pages = [index.search("tra", kind="firm", limit=20, offset=offset) for offset in range(0, len(expected), 20)]
    assert [r["id"] for page in pages for r in page.results] == expected
    assert all(page.total == len(expected) for page in pages)
    countries = Counter(graph.nodes[i]["country"] for i in expected)
    assert pages[0].facets["country"] == dict(countries.most_common())


def test_an_alias_match_says_so() -> None:
    graph = nx.MultiDiGraph()
    records.add_entity(graph, "a", {"label": "Minsk Wheel Tractor Plant", "aliases": ["MZKT"], "kind": "firm"})
    index = SearchIndex(graph)
    [hit] = index.search("mzkt").results
    assert hit["match"] == "exact" and hit["matched_alias"] is True
    [hit] = index.search("minsk").results
    assert hit["match"] == "prefix" and hit["matched_alias"] is False


def test_ranking_numbers_matched_pages_as_ranking_marks_over_every_entity() -> None:
    """The database's search ranks the numbers of the entities each tier matches (memory
    proportional to the matches); the page, the total and what was matched are those of
    the in-memory ranking over boolean arrays of every entity, filtered or not."""
    rng = np.random.default_rng(7)
    size = 5_000
    kinds = rng.integers(0, 3, size)
    for _ in range(40):
        tiers = [np.unique(rng.integers(0, size, rng.integers(0, 900))).astype(np.int32) for _ in range(4)]
        kind = int(rng.integers(-1, 3))
        limit, offset = int(rng.integers(1, 60)), int(rng.integers(0, 1_500))
        marked = [np.zeros(size, dtype=bool) for _ in tiers]
        for mark, tier in zip(marked, tiers, strict=True):
            mark[tier] = True
        allowed = None if kind < 0 else kinds == kind
        found, page = ranked_page(marked, allowed, limit, offset)
        numbers, same_page = ranked_numbers(tiers, lambda n, k=kind: n if k < 0 else n[kinds[n] == k], limit, offset)
        assert same_page == page
        assert sorted(numbers.tolist()) == np.flatnonzero(found).tolist()
