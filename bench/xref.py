"""Cross-reference matcher: precision/recall on the labelled pairs, then index build and query times.

``python -m bench.xref`` prints

1. precision and recall on ``tests/fixtures/xref/pairs.yaml`` at a few thresholds (the
   default marked), with the false positives and the matched pairs closest to the threshold;
2. the time to build :class:`~graph.xref.XrefIndex` over the bundled data beside
   XREF_SIZE (1,000,000; 0 skips it) generated list entries (companies and people with
   names made of random syllables, generic words, places and legal forms, some in Cyrillic
   or Chinese script, about a third with aliases), the index's size, and the time to match
   every curated firm, agency, institute and person against them.
"""

# ruff: noqa: RUF001 - generated names include Cyrillic ones
from __future__ import annotations

import gc
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import networkx as nx

from graph.store import records
from graph.store.build import load_graph
from graph.xref import DEFAULT_THRESHOLD, XrefIndex, curated_subjects
from graph.xref.evaluate import load_pairs, measure, score_pairs
from graph.xref.index import MAX_CANDIDATES
from graph.xref.score import Record, record_of

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "xref" / "pairs.yaml"
SIZE = int(os.environ.get("XREF_SIZE", "1000000"))
THRESHOLDS = (0.75, 0.8, DEFAULT_THRESHOLD, 0.9, 0.95)

_SYLLABLES = (
    "an bei chang da de fa gao guo hai hua ji jin kang la li long lu ma min na ning pu qi ren rui sha "
    "shen tai tian wei xin yang yi yuan zhi zhong ko ra to vi sa mi ne lo te ka ru zo be"
)
_CYRILLIC = "ан ер ко ло ми на ов ра ст те ус ин ка ре ва ол дор зав тех пром маш"
SYLLABLES = _SYLLABLES.split()
CYRILLIC = _CYRILLIC.split()
HAN = "华昌达龙德通用技术科发展国际贸易智能装备联拓复合材料中北京天津西安深圳东方新星宏远金海"
GENERIC = ("Technology", "Trading", "International", "Industrial", "Engineering", "Development", "Group",
           "Electronics", "Import Export", "Machinery", "Logistics", "Energy", "Materials", "Services")  # fmt: skip
PLACES = ("Beijing", "Shanghai", "Shenzhen", "Tianjin", "Moscow", "Minsk", "Karachi", "Lahore", "Dubai", "Tehran",
          "Hong Kong", "Istanbul")  # fmt: skip
LEGAL = ("Co., Ltd.", "LLC", "Ltd", "JSC", "OOO", "(Pvt) Ltd", "Company Limited", "GmbH", "FZE", "Inc.")
COUNTRIES = ("CN", "RU", "BY", "PK", "AE", "IR", "HK", "TR", "US", "GB", "IN", "DE")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _company(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.04:
        return "".join(rng.choice(CYRILLIC) for _ in range(3)).capitalize() + " " + rng.choice(("ООО", "АО"))
    if roll < 0.08:
        return "".join(rng.choice(HAN) for _ in range(rng.randint(4, 8))) + "有限公司"
    parts = [rng.choice(PLACES)] if rng.random() < 0.4 else []
    parts += [_word(rng) for _ in range(rng.randint(1, 2))]
    parts += rng.sample(GENERIC, rng.randint(0, 2))
    return " ".join([*parts, rng.choice(LEGAL)])


def synthetic_graph(size: int, seed: int = 7) -> nx.MultiDiGraph:
    """The bundled graph beside ``size`` generated list entries (nodes only: matching reads no edges)."""
    rng = random.Random(seed)
    graph = load_graph()
    for n in range(size):
        person = rng.random() < 0.3
        label = f"{_word(rng)} {_word(rng)}" if person else _company(rng)
        attrs: records.Attrs = {
            "label": label,
            "kind": "person" if person else "firm",
            "schema": "Person" if person else "Company",
            "ftm_id": f"syn-{n}",
            "country": rng.choice(COUNTRIES),
            "ftm_file": "synthetic.ftm.json",
            "ftm_line": n + 1,
        }
        if rng.random() < 0.3:
            attrs["aliases"] = [f"{_word(rng)} {_word(rng)}" if person else _company(rng)]
        records.add_entity(graph, f"syn-{n}", attrs)
    return graph


def labelled() -> None:
    graph = load_graph()
    scored = score_pairs(graph, load_pairs(PAIRS))
    same = sum(s.same for s in scored)
    print(f"\n## Labelled pairs\n\n{len(scored)} pairs ({same} same, {len(scored) - same} different), {PAIRS.name}\n")
    for threshold in THRESHOLDS:
        mark = "  <- default" if threshold == DEFAULT_THRESHOLD else ""
        print(f"  {measure(scored, threshold)}{mark}")
    real = [s for s in scored if s.pair["origin"] != "constructed"]
    latin = [s for s in scored if "script" not in (s.pair.get("tags") or ())]
    print(f"\nAt the default threshold, {len(real)} pairs with real spellings (origin not 'constructed'):")
    print(f"  {measure(real, DEFAULT_THRESHOLD)}")
    print(f"{len(latin)} pairs without a name in another script (no 'script' tag):")
    print(f"  {measure(latin, DEFAULT_THRESHOLD)}")
    print("\nDifferent, scoring highest:")
    for s in sorted((s for s in scored if not s.same), key=lambda s: -s.score)[:5]:
        print(f"  {s.score:.3f} {s.pair['curated_id']} ~ {s.pair['list_name']!r}: {'; '.join(s.reasons)}")
    print("\nSame, scoring lowest at or above the default threshold:")
    matched = sorted((s for s in scored if s.same and s.score >= DEFAULT_THRESHOLD), key=lambda s: s.score)
    for s in matched[:5]:
        print(f"  {s.score:.3f} {s.pair['curated_id']} ~ {s.pair['list_name']!r}: {'; '.join(s.reasons)}")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale(size: int) -> None:
    print(f"\n## Index and queries: bundled data beside {size:,} generated list entries\n")
    t = time.perf_counter()
    graph = synthetic_graph(size)
    print(f"  graph built in {time.perf_counter() - t:.1f} s (peak RSS {_rss_mib():,.0f} MiB)")
    gc.collect()
    before = _rss_mib()
    t = time.perf_counter()
    index = XrefIndex.build(graph)
    built = time.perf_counter() - t
    print(f"  index of {len(index):,} entries built in {built:.1f} s (peak RSS +{_rss_mib() - before:,.0f} MiB)")
    subjects = curated_subjects(graph)
    times, sizes, found = [], [], 0
    for node in subjects:
        t = time.perf_counter()
        result = index.matches(graph, node)
        times.append((time.perf_counter() - t) * 1000)
        sizes.append(len(index.candidates(_record(graph, node))))
        found += len(result["candidates"])
    print(
        f"  {len(subjects)} curated entities matched: {statistics.mean(times):,.0f} ms mean, "
        f"{max(times):,.0f} ms max per entity; candidates scored {statistics.mean(sizes):,.0f} mean, "
        f"{max(sizes):,} max (cap {MAX_CANDIDATES:,}); {found} matches at the default threshold"
    )


def _record(graph: nx.MultiDiGraph, node: str) -> Record:
    record = record_of(node, records.entity_attrs(graph, node), records.vocabulary(graph))
    assert record is not None
    return record


if __name__ == "__main__":
    labelled()
    size = int(sys.argv[1]) if len(sys.argv) > 1 else SIZE
    if size:
        scale(size)
