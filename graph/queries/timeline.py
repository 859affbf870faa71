"""Dated relations grouped by date; same-day actions of one actor form a round.

The dated edges are indexed once per graph (:class:`~graph.store.dated.DatedIndex`, sorted
by date), so a request reads only the dates it returns. Answers are bounded: at most
``limit`` dates per page, and at most :data:`PER_ROUND` targets listed per round (the
round's ``count`` is exact).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypedDict

import networkx as nx

from graph.limits import MAX_PAGE, Deadline, check_range
from graph.store import records
from graph.store.dated import DatedIndex, Row
from graph.store.protocol import Dated

__all__ = ["PER_ROUND", "Timeline", "TimelineDate", "TimelineRound", "timeline"]

#: Targets listed per round; a round with more says how many in ``count``.
PER_ROUND = 50


class TimelineRound(TypedDict):
    """Same-day relations of one type by one actor (e.g. a round of designations)."""

    relation: str
    label: str
    actor: records.EntitySummary
    count: int
    targets: list[records.EntitySummary]
    edges: list[records.RelationRecord]


class TimelineDate(TypedDict):
    date: str
    count: int
    rounds: list[TimelineRound]


class Timeline(TypedDict):
    total: int
    total_dates: int
    limit: int
    offset: int
    truncated: bool
    """More dates follow (ask again with ``offset + limit``), or the time budget cut the page."""
    truncated_reason: str | None
    """``time_budget`` when the time budget cut the page short; None otherwise."""
    dates: list[TimelineDate]


def timeline(
    graph: nx.MultiDiGraph,
    *,
    relations: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    limit: int = MAX_PAGE,
    offset: int = 0,
    summary: bool = False,
    index: Dated | None = None,
    deadline: Deadline | None = None,
) -> Timeline:
    """Dated edges grouped by date (oldest first), then into rounds by (relation, actor).

    A round is, e.g., every ``sanctioned`` edge the State Department issued on 2024-09-12.
    ``start``/``end`` (ISO date prefixes, inclusive) bound the dates; ``limit``/``offset``
    page through them. With ``summary``, dates carry only their counts (what a time bar needs).
    Past the ``deadline``, the page ends at the last date listed whole, with
    ``truncated_reason`` ``time_budget`` (ask again from ``offset`` plus the dates listed).

    >>> from graph.store.build import load_graph
    >>> days = timeline(load_graph(), relations=["sanctioned"])["dates"]
    >>> [(r["actor"]["id"], r["count"]) for d in days if d["date"] == "2024-09-12" for r in d["rounds"]]
    [('us-state-dept', 6)]
    """
    check_range("limit", limit, 1, 100_000)
    check_range("offset", offset, 0, 10**9)
    if not summary:
        limit = min(limit, MAX_PAGE)  # full rounds are heavier: the answer says the limit it applied
    deadline = deadline or Deadline.unlimited()
    wanted = frozenset(relations or ())
    index = index or DatedIndex.of(graph)
    days = index.days(start, end, wanted)  # counted where the index is: the page's rows alone are read
    page = days[offset : offset + limit]
    cut = False
    if summary:
        dates: list[TimelineDate] = [{"date": d, "count": count, "rounds": []} for d, count in page]
    else:
        dates, cut = _rounds(graph, page, index, wanted, deadline)
    return {
        "dates": dates,
        "total": sum(count for _, count in days),
        "total_dates": len(days),
        "limit": limit,
        "offset": offset,
        "truncated": cut or offset + limit < len(days),
        "truncated_reason": "time_budget" if cut else None,
    }


#: Relations whose rounds are made at once: their entities and edges read in one statement each.
_BATCH = 5_000


def _rounds(
    graph: nx.MultiDiGraph, page: list[tuple[str, int]], index: Dated, wanted: frozenset[str], deadline: Deadline
) -> tuple[list[TimelineDate], bool]:
    """Each date of ``page`` with its relations grouped into rounds by (relation, actor), and
    whether the deadline cut the page short (the dates listed are then whole, the rest left out).

    Dates are made a batch at a time (up to :data:`_BATCH` relations, or one date with more):
    the labels of long rounds' targets, the actors and targets listed, and the edges listed
    are read together (one statement each from a database), and the deadline is checked
    between batches."""
    vocab = records.vocabulary(graph)
    dates: list[TimelineDate] = []
    for batch in _batches(page):
        if deadline.expired:
            return dates, True
        rows = index.began_on(batch[0][0], batch[-1][0], wanted)
        by_date: dict[str, dict[tuple[str, str], list[Row]]] = {}
        for row in rows:
            by_date.setdefault(row[0], {}).setdefault((row[1], row[2]), []).append(row)
        groups = [edges for day in by_date.values() for edges in day.values()]
        # a round longer than is listed is sorted by its targets' labels alone (read without
        # their other attributes); then the actors and the targets listed are read at once
        long = [edges for edges in groups if len(edges) > PER_ROUND]
        if long:
            named = records.labels(graph, dict.fromkeys(e[3] for edges in long for e in edges))
            for edges in long:
                edges.sort(key=lambda e: named[e[3]])
        listed_nodes = (node for edges in groups for e in edges[:PER_ROUND] for node in (e[2], e[3]))
        records.fetch(graph, dict.fromkeys(listed_nodes))
        made: list[TimelineDate] = []
        listed: list[tuple[TimelineRound, list[Row]]] = []
        for when, count in batch:
            rounds: list[TimelineRound] = []
            for (relation, actor), edges in sorted(by_date.get(when, {}).items()):
                if len(edges) <= PER_ROUND:
                    edges.sort(key=lambda e: records.label(graph, e[3]))
                shown = edges[:PER_ROUND]
                round_: TimelineRound = {
                    "relation": relation,
                    "label": vocab.relation_label(relation),
                    "actor": records.summary(graph, actor),
                    "count": len(edges),
                    "targets": [records.summary(graph, v) for _, _, _, v, _ in shown],
                    "edges": [],  # filled below, once the batch's edges are read together
                }
                rounds.append(round_)
                listed.append((round_, shown))
            made.append({"date": when, "count": count, "rounds": rounds})
        records.gather_pairs(graph, dict.fromkeys((u, v) for _, shown in listed for _, _, u, v, _ in shown))
        for round_, shown in listed:
            round_["edges"] = [
                records.relation_record(u, v, k, records.relation_attrs(graph, u, v, k)) for _, _, u, v, k in shown
            ]
        dates += made
    return dates, False


def _batches(page: list[tuple[str, int]]) -> Iterator[list[tuple[str, int]]]:
    """``page`` (dates with their counts) in runs of dates of up to :data:`_BATCH` relations
    (a date with more alone)."""
    batch: list[tuple[str, int]] = []
    size = 0
    for day in page:
        if batch and size + day[1] > _BATCH:
            yield batch
            batch, size = [], 0
        batch.append(day)
        size += day[1]
    if batch:
        yield batch
