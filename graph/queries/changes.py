"""What changed between two dates: the relations that began or ended in (from, to].

"Changed" follows the as-of rule exactly (:func:`graph.model.dates.in_force`): a relation
began in the window when it does not count on ``from`` and counts on ``to``, and ended when
it counts on ``from`` and no longer on ``to``. So the as-of view of ``to`` is the view of
``from`` plus what began and minus what ended, and a partial date ("2024-12") changes on
the last day it may mean, as it does in as-of views. A claim holds one status in the data;
a change of status is recorded as a new dated relation (a denial, a lifting), which shows
here as something that began.

Changes come grouped twice: by round (one actor's same-day actions of one type, e.g. the
State Department's designations of 2024-12-18) with the evidence of each relation, and by
entity (every change that touched it). Both are bounded (500 rounds, 500 entities, 50
relations listed per round and per entity); ``began``, ``ended`` and each ``count`` are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal, TypedDict

import networkx as nx

from graph.limits import MAX_DEPTH, MAX_NODES, MAX_PAGE, Deadline, check_range
from graph.model.dates import latest
from graph.queries.paths import explain_hop
from graph.queries.subgraph import subgraph
from graph.queries.walk import Via
from graph.store import records
from graph.store.dated import DatedIndex, Row
from graph.store.protocol import Dated

__all__ = ["ChangeRound", "ChangesAnswer", "EntityChange", "EntityChanges", "changes"]

#: Relations listed per round, and changes per entity; counts stay exact.
PER_GROUP = 50
#: Entities labelled, or relations read, at once (one statement for a database).
LABELS_AT_ONCE = 20_000

ChangeKind = Literal["began", "ended"]


class ChangeRound(TypedDict):
    """One actor's same-day changes of one relation type (e.g. a round of designations)."""

    date: str
    change: str
    relation: str
    label: str
    actor: records.EntitySummary
    count: int
    explanation: str
    edges: list[records.RelationRecord]


class EntityChange(TypedDict):
    change: str
    date: str
    relation: str
    other: records.EntitySummary
    edge: str
    """The relation's id (its evidence is in the round that lists it)."""
    explanation: str


class EntityChanges(TypedDict):
    entity: records.EntitySummary
    count: int
    changes: list[EntityChange]


_Window = TypedDict("_Window", {"from": str, "to": str})


class ChangesAnswer(_Window):
    """What ``/api/changes`` answers."""

    centers: list[str]
    depth: int
    began: int
    ended: int
    rounds: list[ChangeRound]
    entities: list[EntityChanges]
    truncated: bool
    truncated_reason: str | None


def changes(
    graph: nx.MultiDiGraph,
    start: date,
    end: date,
    *,
    centers: Sequence[str] = (),
    depth: int = 1,
    via: Via = "connections",
    relations: Iterable[str] | None = None,
    index: Dated | None = None,
    deadline: Deadline | None = None,
) -> ChangesAnswer:
    """Relations that began or ended after ``start`` and on or before ``end`` (none when ``end``
    is not after ``start``: the period is empty).

    With ``centers``, only relations between entities of their neighbourhood (``depth``
    hops, every relation whatever its date, the walk rule ``via``) count.

    >>> from datetime import date
    >>> from graph.store.build import load_graph
    >>> found = changes(load_graph(), date(2024, 10, 1), date(2025, 1, 1), relations=["sanctioned"])
    >>> [(r["date"], r["actor"]["id"], r["count"]) for r in found["rounds"]]
    [('2024-11-25', 'us-bis', 1), ('2024-12-18', 'us-state-dept', 4)]
    """
    check_range("depth", depth, 0, MAX_DEPTH)
    deadline = deadline or Deadline.unlimited()
    index = index or DatedIndex.of(graph)
    wanted = frozenset(relations or ())
    truncated: str | None = None
    scope: dict[str, int] | None = None
    if centers:
        part = subgraph(graph, centers, depth=depth, via=via, max_nodes=MAX_NODES, deadline=deadline)
        scope, truncated = part.nodes, part.truncated_reason

    # candidate rows by their written date (a partial "2024" sorts before "2024-10-01"), then the exact rule
    low, high = start.isoformat()[:4], end.isoformat()
    found: list[tuple[ChangeKind, Row]] = []
    for kind, rows in (("began", index.between(low, high)), ("ended", index.ended_between(low, high))):
        for row in rows:
            if (wanted and row[1] not in wanted) or (
                scope is not None and (row[2] not in scope or row[3] not in scope)
            ):
                continue
            if start < latest(row[0]) <= end:
                found.append((kind, row))  # type: ignore[arg-type]
        if deadline.expired:
            truncated = "time_budget"
            break
    found.sort(key=lambda item: (latest(item[1][0]), item[1][0], item[0], item[1][1], item[1][2]))

    rounds: list[ChangeRound] = []
    entities: list[EntityChanges] = []
    cut_rounds = cut = False
    labels = None if deadline.expired else _labels(graph, found, deadline)
    if labels is None:
        truncated = "time_budget"  # counted, but not listed
    else:
        rounds, cut_rounds, stopped = _rounds(graph, found, labels, deadline)
        if not stopped:
            entities, cut = _by_entity(graph, found, labels)
        truncated = truncated or stopped
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "centers": list(centers),
        "depth": depth if centers else 0,
        "began": sum(1 for kind, _ in found if kind == "began"),
        "ended": sum(1 for kind, _ in found if kind == "ended"),
        "rounds": rounds,
        "entities": entities,
        "truncated": truncated is not None or cut or cut_rounds,
        "truncated_reason": truncated or ("max_rounds" if cut_rounds else "max_entities" if cut else None),
    }


def _labels(graph: nx.MultiDiGraph, found: list[tuple[ChangeKind, Row]], deadline: Deadline) -> dict[str, str] | None:
    """The label of every entity a change touched (rounds list their entities by name, and
    entities with as many changes come by name), :data:`LABELS_AT_ONCE` at a time; None when
    the time budget runs out first."""
    nodes = list(dict.fromkeys(node for _, row in found for node in (row[2], row[3])))
    labels: dict[str, str] = {}
    for start in range(0, len(nodes), LABELS_AT_ONCE):
        labels.update(records.labels(graph, nodes[start : start + LABELS_AT_ONCE]))
        if deadline.expired:
            return None
    return labels


def _explain(graph: nx.MultiDiGraph, kind: ChangeKind, u: str, v: str, attrs: records.Attrs) -> str:
    sentence = explain_hop(graph, u, v, str(attrs.get("relation", "related")), True)
    if kind == "began":
        return sentence
    basis = (
        " (the end of its statutory term; the end itself is not observed)"
        if attrs.get("end_basis") == "statutory"
        else ""
    )
    return f"ended: {sentence}{basis}"


def _rounds(
    graph: nx.MultiDiGraph, found: list[tuple[ChangeKind, Row]], labels: dict[str, str], deadline: Deadline
) -> tuple[list[ChangeRound], bool, str | None]:
    """The first :data:`~graph.limits.MAX_PAGE` rounds, whether there are more, and
    ``time_budget`` when the budget ran out before they were all written (those written come)."""
    vocab = records.vocabulary(graph)
    groups: dict[tuple[str, ChangeKind, str, str], list[Row]] = {}
    for kind, row in found:
        groups.setdefault((row[0], kind, row[1], row[2]), []).append(row)
    chosen = list(groups.items())[:MAX_PAGE]
    for _, rows in chosen:
        rows.sort(key=lambda r: labels[r[3]])
    # what the rounds show, read at once by a database: actors, a lone change's two ends, the listed relations
    records.fetch(graph, [node for (_, _, _, actor), rows in chosen for node in (actor, *_ends(rows))])
    records.gather_pairs(graph, [(u, v) for _, rows in chosen for _, _, u, v, _ in rows[:PER_GROUP]], attributes=False)
    rounds: list[ChangeRound] = []
    for (day, kind, relation, actor), rows in chosen:
        if deadline.expired:
            return rounds, True, "time_budget"
        label = vocab.relation_label(relation)
        if len(rows) == 1:
            _, _, u, v, k = rows[0]
            explanation = _explain(graph, kind, u, v, records.relation_attrs(graph, u, v, k))
        else:
            names = [labels[r[3]] for r in rows[:5]]
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            what = f"{records.label(graph, actor)} {label} {len(rows)} entities: {', '.join(names)}{more}"
            if kind == "began":
                explanation = what
            else:
                basis = " (the end of their statutory term; the ends themselves are not observed)"
                explanation = f"ended: {what}{basis if _statutory(graph, rows) else ''}"
        rounds.append(
            {
                "date": day,
                "change": kind,
                "relation": relation,
                "label": label,
                "actor": records.summary(graph, actor),
                "count": len(rows),
                "explanation": explanation,
                "edges": [
                    records.relation_record(u, v, k, records.relation_attrs(graph, u, v, k))
                    for _, _, u, v, k in rows[:PER_GROUP]
                ],
            }
        )
    return rounds, len(groups) > MAX_PAGE, None


def _ends(rows: list[Row]) -> tuple[str, ...]:
    """A lone change's two ends (its explanation names them), or none."""
    return (rows[0][2], rows[0][3]) if len(rows) == 1 else ()


def _statutory(graph: nx.MultiDiGraph, rows: list[Row]) -> bool:
    """Whether every relation of ``rows`` ended at the end of its statutory term (a database
    reads their attributes :data:`LABELS_AT_ONCE` at a time, until one did not)."""
    for start in range(0, len(rows), LABELS_AT_ONCE):
        some = rows[start : start + LABELS_AT_ONCE]
        records.gather_pairs(graph, [(u, v) for _, _, u, v, _ in some], attributes=False)
        if any(records.relation_attrs(graph, u, v, k).get("end_basis") != "statutory" for _, _, u, v, k in some):
            return False
    return True


def _by_entity(
    graph: nx.MultiDiGraph, found: list[tuple[ChangeKind, Row]], labels: dict[str, str]
) -> tuple[list[EntityChanges], bool]:
    """Each entity a change touched (either end), with its changes; at most :data:`MAX_PAGE` entities."""
    touched: dict[str, list[tuple[ChangeKind, Row, str]]] = {}
    for kind, row in found:
        _, _, u, v, _ = row
        touched.setdefault(u, []).append((kind, row, v))
        touched.setdefault(v, []).append((kind, row, u))
    order = sorted(touched, key=lambda n: (-len(touched[n]), labels[n]))
    shown = order[:MAX_PAGE]
    records.fetch(
        graph, [end for node in shown for end in (node, *(other for _, _, other in touched[node][:PER_GROUP]))]
    )
    records.gather_pairs(
        graph, [(row[2], row[3]) for node in shown for _, row, _ in touched[node][:PER_GROUP]], attributes=False
    )
    entities: list[EntityChanges] = []
    for node in shown:
        items = touched[node]
        entities.append(
            {
                "entity": records.summary(graph, node),
                "count": len(items),
                "changes": [
                    {
                        "change": kind,
                        "date": day,
                        "relation": relation,
                        "other": records.summary(graph, other),
                        "edge": records.relation_id(u, v, k, attrs),
                        "explanation": _explain(graph, kind, u, v, attrs),
                    }
                    for kind, (day, relation, u, v, k), other in items[:PER_GROUP]
                    for attrs in (records.relation_attrs(graph, u, v, k),)
                ],
            }
        )
    return entities, len(order) > MAX_PAGE
