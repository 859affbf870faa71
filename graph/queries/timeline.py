"""Dated relations grouped by date; same-day actions of one actor form a round.

The dated edges are indexed once per graph (:class:`~graph.store.dated.DatedIndex`, sorted
by date), so a request reads only the dates it returns. Answers are bounded: at most
``limit`` dates per page, and at most :data:`PER_ROUND` targets listed per round (the
round's ``count`` is exact).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

import networkx as nx

from graph.limits import MAX_PAGE, check_range
from graph.store import records
from graph.store.dated import DatedIndex
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
) -> Timeline:
    """Dated edges grouped by date (oldest first), then into rounds by (relation, actor).

    A round is, e.g., every ``sanctioned`` edge the State Department issued on 2024-09-12.
    ``start``/``end`` (ISO date prefixes, inclusive) bound the dates; ``limit``/``offset``
    page through them. With ``summary``, dates carry only their counts (what a time bar needs).

    >>> from graph.store.build import load_graph
    >>> days = timeline(load_graph(), relations=["sanctioned"])["dates"]
    >>> [(r["actor"]["id"], r["count"]) for d in days if d["date"] == "2024-09-12" for r in d["rounds"]]
    [('us-state-dept', 6)]
    """
    check_range("limit", limit, 1, 100_000)
    check_range("offset", offset, 0, 10**9)
    if not summary:
        limit = min(limit, MAX_PAGE)  # full rounds are heavier: the answer says the limit it applied
    wanted = frozenset(relations or ())
    rows = (index or DatedIndex.of(graph)).between(start, end)
    by_date: dict[str, list[tuple[str, str, str, str, str]]] = {}
    for row in rows:
        if not wanted or row[1] in wanted:
            by_date.setdefault(row[0], []).append(row)
    days = list(by_date)
    page = days[offset : offset + limit]
    if summary:
        dates: list[TimelineDate] = [{"date": d, "count": len(by_date[d]), "rounds": []} for d in page]
    else:
        dates = _rounds(graph, page, by_date)
    return {
        "dates": dates,
        "total": sum(len(by_date[d]) for d in days),
        "total_dates": len(days),
        "limit": limit,
        "offset": offset,
        "truncated": offset + limit < len(days),
    }


def _rounds(
    graph: nx.MultiDiGraph, page: list[str], by_date: dict[str, list[tuple[str, str, str, str, str]]]
) -> list[TimelineDate]:
    """Each date of ``page`` with its relations grouped into rounds by (relation, actor)."""
    vocab = records.vocabulary(graph)
    dates: list[TimelineDate] = []
    for when in page:
        groups: dict[tuple[str, str], list[tuple[str, str, str, str, str]]] = {}
        for row in by_date[when]:
            groups.setdefault((row[1], row[2]), []).append(row)
        rounds: list[TimelineRound] = []
        for (relation, actor), edges in sorted(groups.items()):
            edges.sort(key=lambda e: records.label(graph, e[3]))
            shown = edges[:PER_ROUND]
            rounds.append(
                {
                    "relation": relation,
                    "label": vocab.relation_label(relation),
                    "actor": records.summary(graph, actor),
                    "count": len(edges),
                    "targets": [records.summary(graph, v) for _, _, _, v, _ in shown],
                    "edges": [
                        records.relation_record(u, v, k, records.relation_attrs(graph, u, v, k))
                        for _, _, u, v, k in shown
                    ],
                }
            )
        dates.append({"date": when, "count": len(by_date[when]), "rounds": rounds})
    return dates
