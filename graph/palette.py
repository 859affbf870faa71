"""The colour and size of each entity kind, shared by the explorer and the styled exports (GEXF)."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_KIND_STYLE", "DEFAULT_RELATION_STYLE", "KIND_STYLES", "RELATION_STYLES", "hex_to_rgb"]

KIND_STYLES: dict[str, dict[str, str | int]] = {
    "country": {"color": "#6b7280", "shape": "hexagon", "size": 26},
    "agency": {"color": "#2563eb", "shape": "box", "size": 16},
    "firm": {"color": "#f59e0b", "shape": "dot", "size": 16},
    "institute": {"color": "#8b5cf6", "shape": "diamond", "size": 18},
    "programme": {"color": "#059669", "shape": "star", "size": 24},
    "person": {"color": "#db2777", "shape": "ellipse", "size": 16},
    "place": {"color": "#94a3b8", "shape": "triangle", "size": 12},
}
DEFAULT_KIND_STYLE: dict[str, str | int] = {"color": "#9ca3af", "shape": "dot", "size": 12}

# Sanctions are the one thing that must never be missed: red and thickest.
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
DEFAULT_RELATION_STYLE: dict[str, Any] = {"color": "#9ca3af", "width": 1, "dashes": False}


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#dc2626"`` -> ``(220, 38, 38)``."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
