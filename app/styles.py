"""How the explorer draws kinds and relation types: colours, shapes, dashes, and the legend."""

from __future__ import annotations

from typing import Any

import networkx as nx

__all__ = ["edge_style", "kind_style", "legend"]

KIND_STYLES: dict[str, dict[str, Any]] = {
    "country": {"color": "#6b7280", "shape": "hexagon", "size": 26},
    "agency": {"color": "#2563eb", "shape": "box"},
    "firm": {"color": "#f59e0b", "shape": "dot", "size": 16},
    "institute": {"color": "#8b5cf6", "shape": "diamond", "size": 18},
    "programme": {"color": "#059669", "shape": "star", "size": 24},
    "person": {"color": "#db2777", "shape": "ellipse"},
    "place": {"color": "#94a3b8", "shape": "triangle", "size": 12},
}
_DEFAULT_KIND = {"color": "#9ca3af", "shape": "dot", "size": 12}

RELATION_STYLES: dict[str, dict[str, Any]] = {
    "sanctioned": {"color": "#dc2626", "width": 4, "dashes": False},
    "supplied": {"color": "#ea580c", "width": 2.5, "dashes": False},
    "develops": {"color": "#059669", "width": 2.5, "dashes": False},
    "part_of": {"color": "#64748b", "width": 1.5, "dashes": [2, 4]},
    "based_in": {"color": "#cbd5e1", "width": 1, "dashes": [1, 4]},
    "official_of": {"color": "#db2777", "width": 1.5, "dashes": [6, 3]},
    "responded_to": {"color": "#7c3aed", "width": 1.5, "dashes": [8, 4]},
    "commented_on": {"color": "#a78bfa", "width": 1.2, "dashes": [8, 4]},
    "witnessed_test": {"color": "#10b981", "width": 1.2, "dashes": [3, 3]},
    "ally_of": {"color": "#0ea5e9", "width": 1.5, "dashes": [10, 5]},
    "tension_with": {"color": "#f43f5e", "width": 1.5, "dashes": [10, 5]},
}
_DEFAULT_RELATION = {"color": "#9ca3af", "width": 1, "dashes": False}


def kind_style(kind: str | None) -> dict[str, Any]:
    """vis-network node properties for a kind (colour with a border, shape, size)."""
    style = KIND_STYLES.get(kind or "", _DEFAULT_KIND)
    color = style["color"]
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
