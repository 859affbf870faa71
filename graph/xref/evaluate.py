"""Measuring the matcher on labelled name pairs: precision and recall at a threshold.

A labelled pair (``tests/fixtures/xref/pairs.yaml``) names a curated entity and a list
entry as a list prints it (name, aliases, lower-case country code) and says whether they
are the same. The curated side is the entity in the graph; the list entry becomes a record
of the curated entity's party (a person, else an organisation). ``bench/xref.py`` prints the
numbers; ``tests/test_xref.py`` holds the matcher to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from graph.store import records
from graph.xref.score import Record, record_of, score_candidate

__all__ = ["Measure", "ScoredPair", "load_pairs", "measure", "pair_records", "score_pairs"]


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """One labelled pair with the matcher's score and reasons."""

    pair: Mapping[str, Any]
    score: float
    reasons: list[str]

    @property
    def same(self) -> bool:
        return bool(self.pair["same"])


@dataclass(frozen=True, slots=True)
class Measure:
    """Counts, precision and recall at one threshold (precision is 1.0 when nothing is reported)."""

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        reported = self.true_positives + self.false_positives
        return self.true_positives / reported if reported else 1.0

    @property
    def recall(self) -> float:
        same = self.true_positives + self.false_negatives
        return self.true_positives / same if same else 1.0

    def __str__(self) -> str:
        return (
            f"threshold {self.threshold:.2f}: precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"(tp {self.true_positives}, fp {self.false_positives}, fn {self.false_negatives}, "
            f"tn {self.true_negatives})"
        )


def load_pairs(path: Path | str) -> list[dict[str, Any]]:
    """The labelled pairs of a YAML file (a list of mappings)."""
    with open(path, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, list):
        raise ValueError(f"{path}: expected a list of labelled pairs")
    return loaded


def pair_records(graph: nx.MultiDiGraph, pair: Mapping[str, Any], number: int) -> tuple[Record, Record]:
    """The curated record (from the graph) and the list-entry record of one labelled pair."""
    attrs = records.entity_attrs(graph, str(pair["curated_id"]))
    vocabulary = records.vocabulary(graph)
    subject = record_of(str(pair["curated_id"]), attrs, vocabulary)
    if subject is None:
        raise ValueError(f"pair {number}: {pair['curated_id']!r} is of a kind the matcher does not compare")
    entry: dict[str, Any] = {
        "label": pair["list_name"],
        "aliases": list(pair.get("list_aliases") or ()),
        "kind": subject.kind,  # the list entry is of the same party (a person, or an organisation)
        "ftm_file": "pairs",
        "ftm_line": number,
    }
    if pair.get("list_country"):
        entry["country"] = str(pair["list_country"]).upper()
    candidate = record_of(f"pair-{number}", entry, vocabulary)
    assert candidate is not None
    return subject, candidate


def score_pairs(graph: nx.MultiDiGraph, pairs: Sequence[Mapping[str, Any]]) -> list[ScoredPair]:
    """Every pair scored."""
    scored = []
    for number, pair in enumerate(pairs, start=1):
        subject, candidate = pair_records(graph, pair, number)
        result = score_candidate(subject, candidate)
        scored.append(ScoredPair(pair, result.score, result.reasons))
    return scored


def measure(scored: Iterable[ScoredPair], threshold: float) -> Measure:
    """Precision and recall when pairs scoring ``threshold`` or more are reported as the same."""
    tp = fp = fn = tn = 0
    for one in scored:
        reported = one.score >= threshold
        if reported and one.same:
            tp += 1
        elif reported:
            fp += 1
        elif one.same:
            fn += 1
        else:
            tn += 1
    return Measure(threshold, tp, fp, fn, tn)
