"""A sourced brief of a view: what an analyst pastes into a report, every claim with its evidence.

The brief states each relation of the view as a plain sentence (the vocabulary's ``sentence``
for its type: "Xi'an Longde supplied a filament winding machine to National Development
Complex"), with its date, its status and confidence, and numbered citations; the curator's
inferences say so and give their reasoning. A summary counts the entities by kind and says
which are under a measure in force on the as-of day. Sources are numbered in order of
first use, entities' own sources included, so one list of citations serves the whole brief.

It holds text only: the web page and the command line render it (as HTML, with a figure).
"""

from __future__ import annotations

import contextlib
import string
from collections import Counter
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any, TypedDict

import networkx as nx

from graph.model.vocabulary import Vocabulary
from graph.queries.part import Part
from graph.queries.paths import PathResult
from graph.store import records

__all__ = ["Brief", "BriefCitation", "BriefEntity", "BriefSection", "BriefStatement", "MeasureInForce", "brief"]


class BriefCitation(TypedDict):
    number: int
    publisher: str
    title: str | None
    published: str | None
    retrieved: str | None
    url: str | None
    type: str | None
    """The source type's label (primary text, press...), when the data says."""


class BriefStatement(TypedDict):
    text: str
    edge: str
    relation: str
    when: str | None
    status: str | None
    confidence: str | None
    inferred: bool
    reasoning: str | None
    weak_only: bool
    citations: list[int]


class BriefSection(TypedDict):
    title: str
    note: str | None
    statements: list[BriefStatement]


class BriefEntity(TypedDict):
    id: str
    label: str
    kind: str
    country: str | None
    confidence: str | None
    under_measure: bool
    """Under a measure in force on the brief's as-of day."""
    citations: list[int]


class MeasureInForce(TypedDict):
    measure: str
    label: str
    entities: list[str]


class Brief(TypedDict):
    title: str
    as_of: str
    summary: list[str]
    kinds: dict[str, int]
    measures: list[MeasureInForce]
    sections: list[BriefSection]
    entities: list[BriefEntity]
    citations: list[BriefCitation]
    truncated: bool
    truncated_reason: str | None


def brief(
    graph: nx.MultiDiGraph,
    part: Part,
    *,
    title: str,
    as_of: date,
    centers: Collection[str] = (),
    paths: PathResult | None = None,
) -> Brief:
    """The brief of ``part`` (a view, already filtered as shown), its measures judged on ``as_of``.

    With ``paths``, the relations are stated path by path, in the paths' order and direction.

    >>> from datetime import date
    >>> from graph.store.build import load_graph
    >>> from graph.queries.subgraph import subgraph
    >>> graph = load_graph()
    >>> part = subgraph(graph, ["xian-longde"], relations=["supplied"])
    >>> text = brief(graph, part, title="t", as_of=date(2025, 1, 1))
    >>> print(text["sections"][0]["statements"][0]["text"].replace("Technology Development Company Limited", "…"))
    Xi'an Longde … supplied filament winding machine to National Development Complex
    """
    vocab = records.vocabulary(graph)
    numbers: dict[tuple[str, str, str], int] = {}
    cited: list[BriefCitation] = []

    def cite(citations: list[records.Citation]) -> list[int]:
        found = []
        for c in citations:
            key = (c.get("url", ""), c.get("title", ""), c["publisher"])
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                kind = c.get("type")
                spec = vocab.source_types.get(kind or "")
                cited.append(
                    {
                        "number": numbers[key],
                        "publisher": c["publisher"],
                        "title": c.get("title"),
                        "published": c.get("published"),
                        "retrieved": c.get("retrieved"),
                        "url": c.get("url"),
                        "type": spec.label if spec is not None else kind,
                    }
                )
            found.append(numbers[key])
        return sorted(set(found))

    def statement(u: str, v: str, key: str, forward: bool = True) -> BriefStatement:
        attrs = records.relation_attrs(graph, u, v, key)
        record = records.relation_record(u, v, key, attrs)
        status = attrs.get("status")
        return {
            "text": _sentence(graph, vocab, u, v, attrs),
            "edge": record["id"],
            "relation": record["relation"],
            "when": _period(attrs),
            "status": status,
            "confidence": attrs.get("confidence"),
            "inferred": vocab.inference(status),
            "reasoning": attrs.get("reasoning"),
            "weak_only": vocab.weak_only(records.citations(attrs)),
            "citations": cite(records.citations(attrs)),
        }

    sections = (
        _path_sections(paths, statement) if paths is not None else _relation_sections(graph, vocab, part, statement)
    )
    measures = _measures_in_force(graph, vocab, part, as_of)
    under = {entity for m in measures for entity in m["entities"]}
    entities: list[BriefEntity] = []
    for node in sorted(part.nodes, key=lambda n: (n not in centers, records.label(graph, n))):
        data = records.entity_attrs(graph, node)
        entities.append(
            {
                "id": node,
                "label": records.label(graph, node),
                "kind": str(data.get("kind", "")),
                "country": data.get("country"),
                "confidence": data.get("confidence"),
                "under_measure": node in under,
                "citations": cite(records.citations(data)),
            }
        )
    kinds = Counter(vocab.kind_label(str(records.entity_attrs(graph, n).get("kind", ""))) for n in part.nodes)
    return {
        "title": title,
        "as_of": as_of.isoformat(),
        "summary": _summary(graph, vocab, part, sections, measures, kinds, as_of),
        "kinds": dict(kinds.most_common()),
        "measures": [{**m, "entities": [records.label(graph, e) for e in m["entities"]]} for m in measures],
        "sections": sections,
        "entities": entities,
        "citations": cited,
        "truncated": part.truncated,
        "truncated_reason": part.truncated_reason,
    }


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def _sentence(graph: nx.MultiDiGraph, vocab: Vocabulary, u: str, v: str, attrs: Mapping[str, Any]) -> str:
    """The relation in words: the vocabulary's sentence for its type when every attribute it names
    is there, else "source label target"; then the actor's words, if quoted."""
    relation = str(attrs.get("relation", "related"))
    spec = vocab.relation_types.get(relation)
    values = _Values(source=records.label(graph, u), target=records.label(graph, v))
    for name, value in attrs.items():
        if isinstance(value, str):
            measure = vocab.measures.get(value) if name == "measure" else None
            values[name] = measure.label if measure is not None else value
    text = f"{values['source']} {vocab.relation_label(relation)} {values['target']}"
    if spec is not None and spec.sentence:
        with contextlib.suppress(KeyError):  # an attribute the sentence names is missing
            text = string.Formatter().vformat(spec.sentence, (), values)
    if attrs.get("quote"):
        text += f": “{attrs['quote']}”"
    elif attrs.get("paraphrase"):
        text += f" (in reported speech: {attrs['paraphrase']})"
    return text


def _period(attrs: Mapping[str, Any]) -> str | None:
    if attrs.get("date"):
        return str(attrs["date"])
    if not attrs.get("start"):
        return None
    if not attrs.get("end"):
        return f"from {attrs['start']}"
    basis = " (statutory term)" if attrs.get("end_basis") == "statutory" else ""
    return f"{attrs['start']} to {attrs['end']}{basis}"


def _relation_sections(graph: nx.MultiDiGraph, vocab: Vocabulary, part: Part, statement: Any) -> list[BriefSection]:
    """One section per relation type, in vocabulary order; dated relations oldest first."""
    by_type: dict[str, list[tuple[str, str, str]]] = {}
    for u, v, k in part.edges:
        by_type.setdefault(str(records.relation_attrs(graph, u, v, k).get("relation", "related")), []).append((u, v, k))
    order = {name: i for i, name in enumerate(vocab.relation_types)}
    sections: list[BriefSection] = []
    for relation in sorted(by_type, key=lambda r: (order.get(r, len(order)), r)):
        edges = by_type[relation]
        edges.sort(key=lambda e: (records.when(records.relation_attrs(graph, *e)) or "", records.label(graph, e[0])))
        spec = vocab.relation_types.get(relation)
        sections.append(
            {
                "title": (spec.label if spec is not None else relation).capitalize(),
                "note": None,
                "statements": [statement(u, v, k) for u, v, k in edges],
            }
        )
    return sections


def _path_sections(paths: PathResult, statement: Any) -> list[BriefSection]:
    sections: list[BriefSection] = []
    for number, path in enumerate(paths.paths, 1):
        note = "; ".join(step["explanation"] for step in path.shared) or None
        sections.append(
            {
                "title": f"Path {number}: {len(path.hops)} hop{'s' if len(path.hops) != 1 else ''}"
                + ("" if path.connects else " through a shared hub"),
                "note": f"Not a connection: {note}." if note else None,
                "statements": [statement(h["source"], h["target"], h["key"]) for h in path.hops],
            }
        )
    return sections


def _measures_in_force(graph: nx.MultiDiGraph, vocab: Vocabulary, part: Part, as_of: date) -> list[MeasureInForce]:
    """The measures in force on ``as_of`` on entities of the part (whether or not the authority is shown)."""
    found: dict[str, list[str]] = {}
    for node in part.nodes:
        for _, _, _, attrs in records.relations_of(graph, node, "in"):
            if attrs.get("relation") == "sanctioned" and records.counts_on(attrs, as_of) and records.when(attrs):
                measure = str(attrs.get("measure") or "unspecified")
                if node not in found.setdefault(measure, []):
                    found[measure].append(node)
    return [
        {
            "measure": measure,
            "label": vocab.measures[measure].label if measure in vocab.measures else measure,
            "entities": sorted(nodes, key=lambda n: records.label(graph, n)),
        }
        for measure, nodes in sorted(found.items(), key=lambda item: -len(item[1]))
    ]


def _summary(
    graph: nx.MultiDiGraph,
    vocab: Vocabulary,
    part: Part,
    sections: list[BriefSection],
    measures: list[MeasureInForce],
    kinds: Counter[str],
    as_of: date,
) -> list[str]:
    statements = list({s["edge"]: s for section in sections for s in section["statements"]}.values())
    lines = [
        f"This view shows {_count(len(part.nodes), 'entity', 'entities')} "
        f"({', '.join(f'{kind}: {n}' for kind, n in kinds.most_common())}) and "
        f"{_count(len(statements), 'relation', 'relations')}."
    ]
    under = {e for m in measures for e in m["entities"]}
    if under:
        parts = [f"{m['label']}: {', '.join(records.label(graph, e) for e in m['entities'])}" for m in measures]
        lines.append(
            f"On {as_of.isoformat()}, {_count(len(under), 'entity is', 'entities are')} under a measure in force ("
            + "; ".join(parts)
            + ")."
        )
    else:
        lines.append(f"On {as_of.isoformat()}, none of them is under a measure in force.")
    statuses = Counter(s["status"] for s in statements if s["status"])
    if statuses:
        lines.append(
            "By status: "
            + ", ".join(
                f"{n} {vocab.statuses[st].label if st in vocab.statuses else st}" for st, n in statuses.most_common()
            )
            + "."
        )
    inferred = sum(1 for s in statements if s["inferred"])
    weak = sum(1 for s in statements if s["weak_only"])
    if inferred:
        lines.append(
            f"{_count(inferred, 'relation is', 'relations are')} the curator's inference, not a party's claim."
        )
    if weak:
        lines.append(f"{_count(weak, 'relation rests', 'relations rest')} only on weak sources.")
    dated = sorted(filter(None, (records.when(records.relation_attrs(graph, *edge)) for edge in part.edges)))
    if dated:
        lines.append(f"Dated relations run from {dated[0]} to {dated[-1]}.")
    lines += _grouped(graph, vocab, part)
    return lines


def _grouped(graph: nx.MultiDiGraph, vocab: Vocabulary, part: Part) -> list[str]:
    """What the view's groups stand for: "40 entities sanctioned by OFAC are counted, not
    listed (by country: CN 20, RU 15, BY 5)"; when they were counted on the view's as-of day,
    "... sanctioned by OFAC (the relations in force on 2024-01-01) ..."."""
    day = f" (the relations in force on {part.groups_on.isoformat()})" if part.groups_on else ""
    lines = []
    for grouped in part.grouped:
        if not grouped["grouped"]:
            continue
        of, relation, way = grouped["of"], grouped["relation"], grouped["direction"]
        spec = vocab.relation_types.get(relation)
        phrase = (spec.inverse_label if way == "out" else f"that {spec.label}") if spec else relation
        groups = [g for g in part.groups if (g.of, g.relation, g.way) == (of, relation, way)]
        split = ", ".join(f"{g.value} {g.count:,}" for g in groups if g.value is not None)
        lines.append(
            f"{_count(grouped['grouped'], 'entity', 'entities')} {phrase} {records.label(graph, of)}{day} "
            f"{'is' if grouped['grouped'] == 1 else 'are'} counted, not listed"
            + (f" (by {grouped['facet']}: {split})" if split else "")
            + "."
        )
    return lines


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
