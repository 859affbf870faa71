"""How the explorer draws kinds and relation types: vis-network properties and the legend,
from the styles the vocabulary declares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.model.vocabulary import Vocabulary

__all__ = ["GROUP_STYLE", "edge_style", "evidence_vocabulary", "kind_style", "legend"]


#: A group of neighbours (see graph.queries.groups): not an entity, so drawn unlike any kind.
GROUP_STYLE: dict[str, Any] = {
    "shape": "dot",
    "color": {
        "background": "#e0e7ff",
        "border": "#4f46e5",
        "highlight": {"background": "#c7d2fe", "border": "#312e81"},
    },
    "borderWidth": 2,
    "borderWidthSelected": 3,
    "shapeProperties": {"borderDashes": [4, 3]},
    "font": {"color": "#312e81"},
}


def kind_style(vocabulary: Vocabulary, kind: str | None) -> dict[str, Any]:
    """vis-network node properties for a kind (colour with a border, shape, size)."""
    style = vocabulary.kind_style(kind)
    inside = style.shape in ("box", "ellipse")  # vis draws these shapes' labels inside them
    return {
        "shape": style.shape,
        "size": style.size,
        "color": {
            "background": style.color,
            "border": "#1f2937",
            "highlight": {"background": style.color, "border": "#000000"},
        },
        "font": {"color": "#ffffff" if inside else "#111827"},
    }


def edge_style(vocabulary: Vocabulary, relation: str, status: str | None) -> dict[str, Any]:
    """vis-network edge properties; edges of faint statuses (disputed, opinion, inferred...) are drawn
    fainter, and a status with its own dash pattern (inferred: dotted) is drawn with it."""
    style = vocabulary.relation_style(relation)
    faint = vocabulary.faint(status)
    dashes: list[int] | bool = vocabulary.status_dashes(status) or style.dashes or False
    return {
        "color": {"color": style.color, "opacity": 0.45 if faint else 0.95, "highlight": "#111827"},
        "width": style.width,
        "dashes": [4, 4] if faint and not dashes else dashes,
        "relation": relation,
    }


def evidence_vocabulary(vocabulary: Vocabulary) -> dict[str, dict[str, Any]]:
    """What the page needs to show evidence in words: statuses, measures and source types."""
    return {
        "statuses": {
            name: {"label": spec.label, "inference": spec.inference, "description": spec.description}
            for name, spec in vocabulary.statuses.items()
        },
        "measures": {
            name: {"label": spec.label, "term": bool(spec.term)} for name, spec in vocabulary.measures.items()
        },
        "source_types": {name: {"label": spec.label} for name, spec in vocabulary.source_types.items()},
    }


def legend(vocabulary: Vocabulary, kinds: Iterable[str], relations: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The kinds and relation types the graph holds, with their labels and styles, in vocabulary order."""
    present_kinds, present_relations = set(kinds), set(relations)
    return {
        "kinds": [
            {"name": k, "label": spec.label, **vocabulary.kind_style(k).model_dump()}
            for k, spec in vocabulary.kinds.items()
            if k in present_kinds
        ],
        "relations": [
            {"name": r, "label": spec.label, **vocabulary.relation_style(r).model_dump()}
            for r, spec in vocabulary.relation_types.items()
            if r in present_relations
        ],
    }
