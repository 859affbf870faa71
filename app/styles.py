"""How the explorer draws kinds and relation types: colours, shapes, dashes, and the legend."""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.palette import DEFAULT_KIND_STYLE, DEFAULT_RELATION_STYLE, KIND_STYLES, RELATION_STYLES

__all__ = ["edge_style", "kind_style", "legend"]

_DEFAULT_KIND = DEFAULT_KIND_STYLE

_DEFAULT_RELATION = DEFAULT_RELATION_STYLE


def kind_style(kind: str | None) -> dict[str, Any]:
    """vis-network node properties for a kind (colour with a border, shape, size)."""
    style = KIND_STYLES.get(kind or "", _DEFAULT_KIND)
    color = str(style["color"])
    inside = style["shape"] in ("box", "ellipse")  # vis draws these shapes' labels inside them
    return {
        "shape": style["shape"],
        "size": style.get("size", 16),
        "color": {"background": color, "border": "#1f2937", "highlight": {"background": color, "border": "#000000"}},
        "font": {"color": "#ffffff" if inside else "#111827"},
    }


def edge_style(relation: str, status: str | None) -> dict[str, Any]:
    """vis-network edge properties; disputed and opinion edges are drawn fainter."""
    style = RELATION_STYLES.get(relation, _DEFAULT_RELATION)
    faint = status in ("disputed", "opinion", "denied")
    return {
        "color": {"color": style["color"], "opacity": 0.45 if faint else 0.95, "highlight": "#111827"},
        "width": style["width"],
        "dashes": [4, 4] if faint and not style["dashes"] else style["dashes"],
        "relation": relation,
    }


def legend(graph: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """Kinds and relation types of the loaded vocabulary, with their labels and styles."""
    kinds = graph.graph.get("kinds", {})
    relations = graph.graph.get("relation_types", {})
    return {
        "kinds": [
            {"name": k, "label": spec.get("label", k), **KIND_STYLES.get(k, _DEFAULT_KIND)} for k, spec in kinds.items()
        ],
        "relations": [
            {"name": r, "label": spec.get("label", r), **RELATION_STYLES.get(r, _DEFAULT_RELATION)}
            for r, spec in relations.items()
        ],
    }
