"""A view as a static SVG figure for briefs and publications: laid out on the server, legend included.

The figure uses the explorer's styles and positions (:mod:`app.styles`, :mod:`app.layout`),
so it looks like what the reader explored. Labels never overlap: the layout pulls nodes
apart until their labelled areas are clear (up to :data:`app.layout.SEPARATE_UP_TO` nodes),
and a label that would still run into one already drawn is left out, most important first
(centres, then the best connected). Every string from the data is XML-escaped text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from app.explorer_page import vis_data
from app.layout import CHAR_WIDTH, FONT_SIZE, INSIDE_SHAPES, LINE_HEIGHT, label_box, layered_layout, preset_layout
from app.styles import GROUP_STYLE
from graph.model.vocabulary import Vocabulary
from graph.queries.part import GROUP_KIND, Part
from graph.store import records

__all__ = ["figure_svg"]

MARGIN = 40
IN_FORCE = "#dc2626"


def figure_svg(
    graph: nx.MultiDiGraph, part: Part, centers: Collection[str], *, layered: bool, as_of: date, title: str = ""
) -> str:
    """The part as a standalone SVG document (``xmlns`` set, so it is also a valid ``.svg`` file)."""
    vocab = records.vocabulary(graph)
    nodes, edges = vis_data(graph, part, list(centers))
    (layered_layout if layered else preset_layout)(nodes, edges)
    under = _under_measure(graph, [n["id"] for n in nodes if "group_of" not in n], as_of)
    boxes = {n["id"]: label_box(n) for n in nodes}
    positions = {n["id"]: (float(n.get("x", 0.0)), float(n.get("y", 0.0))) for n in nodes}
    left, top, right, bottom = _bounds(nodes, boxes)
    width = max(right - left + 2 * MARGIN, 480)
    body: list[str] = []
    body.append(_defs(edges))
    reach = {n["id"]: _reach(n, boxes[n["id"]]) for n in nodes}
    body.extend(_edge(positions, reach, edge, index) for edge, index in _parallel_indexes(edges))
    shown = _labels_to_draw(nodes, edges, boxes, centers)
    for node in nodes:
        body.append(_node(node, under=node["id"] in under, labelled=node["id"] in shown))
    legend, legend_height = _legend(vocab, nodes, edges, as_of, width, left - MARGIN, bottom + MARGIN / 2)
    body.append(legend)
    height = bottom - top + 2 * MARGIN + legend_height
    view = f"{left - MARGIN:.1f} {top - MARGIN:.1f} {width:.1f} {height:.1f}"
    heading = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view}" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}" role="img" class="figure">'
        f"{heading}<rect x='{left - MARGIN:.1f}' y='{top - MARGIN:.1f}' width='{width:.1f}' height='{height:.1f}' "
        f"fill='#ffffff'/>" + "".join(body) + "</svg>"
    )


def _under_measure(graph: nx.MultiDiGraph, ids: list[str], as_of: date) -> set[str]:
    return {
        node
        for node in ids
        for _, _, _, attrs in records.relations_of(graph, node, "in")
        if attrs.get("relation") == "sanctioned" and records.when(attrs) and records.counts_on(attrs, as_of)
    }


def _bounds(nodes: list[dict[str, Any]], boxes: dict[str, tuple[float, float, float]]) -> tuple[float, ...]:
    if not nodes:
        return 0.0, 0.0, 0.0, 0.0
    xs, ys = [], []
    for n in nodes:
        w, h, dy = boxes[n["id"]]
        xs += [n["x"] - w / 2, n["x"] + w / 2]
        ys += [n["y"] + dy - h / 2, n["y"] + dy + h / 2]
    return min(xs), min(ys), max(xs), max(ys)


def _colour(value: Any, key: str = "color") -> str:
    return str(value.get(key) if isinstance(value, dict) else value or "#9ca3af")


def _marker_id(colour: str) -> str:
    return "arrow-" + "".join(ch for ch in colour if ch.isalnum())


def _defs(edges: list[dict[str, Any]]) -> str:
    colours = sorted({_colour(e["color"]) for e in edges if e.get("arrows")})
    markers = "".join(
        f'<marker id="{_marker_id(c)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="11" markerHeight="11" '
        f'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill={quoteattr(c)}/>'
        "</marker>"
        for c in colours
    )
    return f"<defs>{markers}</defs>"


def _parallel_indexes(edges: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Each edge with its rank among the edges joining the same two nodes (0 for the first)."""
    seen: Counter[frozenset[str]] = Counter()
    ranked = []
    for edge in edges:
        pair = frozenset((edge["from"], edge["to"]))
        ranked.append((edge, seen[pair]))
        seen[pair] += 1
    return ranked


def _reach(node: dict[str, Any], box: tuple[float, float, float]) -> tuple[float, float]:
    """Half the width and height of the drawn shape (the label box for shapes holding their label)."""
    if node.get("shape") in INSIDE_SHAPES:
        return box[0] / 2, box[1] / 2
    size = float(node.get("size", 16)) * 1.1
    return size, size


def _edge(
    positions: dict[str, tuple[float, float]],
    reach: dict[str, tuple[float, float]],
    edge: dict[str, Any],
    index: int,
) -> str:
    (x1, y1), (x2, y2) = positions[edge["from"]], positions[edge["to"]]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length

    def inset(half: tuple[float, float]) -> float:
        """How far along the line the shape's border is (the border of a box around the shape)."""
        return min(half[0] / abs(ux) if ux else math.inf, half[1] / abs(uy) if uy else math.inf) + 2

    start, end = inset(reach[edge["from"]]), inset(reach[edge["to"]])
    sx, sy, ex, ey = x1 + ux * start, y1 + uy * start, x2 - ux * end, y2 - uy * end
    bend = 0.0 if index == 0 else 28.0 * ((index + 1) // 2) * (1 if index % 2 else -1)
    cx, cy = (sx + ex) / 2 - uy * bend, (sy + ey) / 2 + ux * bend
    colour = _colour(edge["color"])
    opacity = edge["color"].get("opacity", 0.95) if isinstance(edge["color"], dict) else 0.95
    dashes = edge.get("dashes")
    dash = f' stroke-dasharray="{" ".join(str(d) for d in dashes)}"' if isinstance(dashes, list) and dashes else ""
    arrow = f' marker-end="url(#{_marker_id(colour)})"' if edge.get("arrows") else ""
    return (
        f'<path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" fill="none" stroke={quoteattr(colour)} '
        f'stroke-width="{float(edge.get("width", 1)):.1f}" stroke-opacity="{opacity}"{dash}{arrow}>'
        f"<title>{escape(str(edge.get('title', '')))}</title></path>"
    )


def _labels_to_draw(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    boxes: dict[str, tuple[float, float, float]],
    centers: Collection[str],
) -> set[str]:
    """The nodes whose labels fit: most important first, each kept only if clear of those kept."""
    degree: Counter[str] = Counter()
    for edge in edges:
        degree[edge["from"]] += 1
        degree[edge["to"]] += 1
    placed: list[tuple[float, float, float, float]] = []
    shown = set()
    for node in sorted(nodes, key=lambda n: (n["id"] not in centers, -degree[n["id"]], str(n["label"]))):
        w, h, dy = boxes[node["id"]]
        rect = (node["x"] - w / 2, node["y"] + dy - h / 2, node["x"] + w / 2, node["y"] + dy + h / 2)
        if any(rect[0] < r[2] and r[0] < rect[2] and rect[1] < r[3] and r[1] < rect[3] for r in placed):
            continue
        placed.append(rect)
        shown.add(node["id"])
    return shown


def _node(node: dict[str, Any], *, under: bool, labelled: bool) -> str:
    x, y = float(node["x"]), float(node["y"])
    size = float(node.get("size", 16))
    fill = _colour(node.get("color"), "background")
    stroke, stroke_width = (IN_FORCE, 4.0) if under else ("#1f2937", 2.0 if node.get("center") else 1.2)
    lines = str(node["label"]).split("\n")
    shape = node.get("shape", "dot")
    paint = f"fill={quoteattr(fill)} stroke={quoteattr(stroke)} stroke-width='{stroke_width}'"
    if shape in INSIDE_SHAPES:
        w, h, _ = label_box(node)
        radius = h / 2 if shape == "ellipse" else 4
        box = f"x='{x - w / 2:.1f}' y='{y - h / 2:.1f}' width='{w:.1f}' height='{h:.1f}' rx='{radius:.1f}'"
        figure = f"<rect {box} {paint}/>"
        text_colour, first_y = "#ffffff", y - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE / 3
    else:
        figure = _shape(shape, x, y, size, paint)
        text_colour, first_y = "#111827", y + size + 4 + FONT_SIZE
    title = f"<title>{escape(str(node.get('title', node['label'])))}</title>"
    text = ""
    if labelled:
        spans = "".join(
            f"<tspan x='{x:.1f}' y='{first_y + i * LINE_HEIGHT:.1f}'>{escape(line)}</tspan>"
            for i, line in enumerate(lines)
        )
        weight = " font-weight='600'" if node.get("center") else ""
        halo = " stroke='#ffffff' stroke-width='3' paint-order='stroke'" if text_colour != "#ffffff" else ""
        text = f"<text text-anchor='middle' fill='{text_colour}'{weight}{halo}>{spans}</text>"
    return f"<g class='node'>{title}{figure}{text}</g>"


def _shape(shape: str, x: float, y: float, size: float, paint: str) -> str:
    def polygon(points: list[tuple[float, float]]) -> str:
        return "<polygon points='" + " ".join(f"{x + px:.1f},{y + py:.1f}" for px, py in points) + f"' {paint}/>"

    def regular(count: int, radius: float, turn: float = -math.pi / 2) -> list[tuple[float, float]]:
        return [
            (radius * math.cos(turn + 2 * math.pi * i / count), radius * math.sin(turn + 2 * math.pi * i / count))
            for i in range(count)
        ]

    if shape == "square":
        return f"<rect x='{x - size:.1f}' y='{y - size:.1f}' width='{2 * size:.1f}' height='{2 * size:.1f}' {paint}/>"
    if shape == "diamond":
        return polygon([(0, -size), (size, 0), (0, size), (-size, 0)])
    if shape == "triangle":
        return polygon(regular(3, size * 1.15))
    if shape == "triangleDown":
        return polygon(regular(3, size * 1.15, math.pi / 2))
    if shape == "hexagon":
        return polygon(regular(6, size, 0.0))
    if shape == "star":
        outer, inner = regular(5, size * 1.2), regular(5, size * 0.5, -math.pi / 2 + math.pi / 5)
        return polygon([p for pair in zip(outer, inner, strict=True) for p in pair])
    return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{size:.1f}' {paint}/>"


def _legend(
    vocab: Vocabulary,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    as_of: date,
    width: float,
    x0: float,
    y0: float,
) -> tuple[str, float]:
    """The kinds and relation types drawn, plus what the ring and the dotted lines mean, in rows."""
    items: list[tuple[str, str]] = []
    for kind in dict.fromkeys(str(n.get("kind")) for n in nodes):
        if kind == GROUP_KIND:
            colors = GROUP_STYLE["color"]
            look_group = f"fill={quoteattr(colors['background'])} stroke={quoteattr(colors['border'])} stroke-width='1'"
            items.append((_shape("dot", 0, 0, 6, look_group), "group of neighbours, with their count"))
            continue
        look = vocab.kind_style(kind)
        swatch = _shape(look.shape if look.shape not in INSIDE_SHAPES else "square", 0, 0, 6,
                        f"fill={quoteattr(look.color)} stroke='#1f2937' stroke-width='1'")  # fmt: skip
        items.append((swatch, vocab.kind_label(kind)))
    for relation in dict.fromkeys(str(e.get("relation")) for e in edges):
        style = vocab.relation_style(relation)
        dash = f" stroke-dasharray='{' '.join(map(str, style.dashes))}'" if style.dashes else ""
        line = f"<line x1='-10' y1='0' x2='10' y2='0' stroke={quoteattr(style.color)} stroke-width='3'{dash}/>"
        items.append((line, vocab.relation_label(relation)))
    ring = f"<circle cx='0' cy='0' r='6' fill='#ffffff' stroke='{IN_FORCE}' stroke-width='3'/>"
    items.append((ring, f"under a measure in force on {as_of.isoformat()}"))
    if any(vocab.inference(e.get("record", {}).get("status")) for e in edges):
        items.append(("<line x1='-10' y1='0' x2='10' y2='0' stroke='#6b7280' stroke-width='2' stroke-dasharray='2 5'/>",
                      "the curator's inference"))  # fmt: skip
    parts, x, y = [], x0 + 20.0, y0 + 14.0
    for symbol, text in items:
        span = 34 + len(text) * CHAR_WIDTH * 0.85
        if x + span > x0 + width - 10 and x > x0 + 20:
            x, y = x0 + 20.0, y + 22
        parts.append(
            f"<g transform='translate({x + 10:.1f},{y:.1f})'>{symbol}"
            f"<text x='16' y='4' font-size='11' fill='#111827'>{escape(text)}</text></g>"
        )
        x += span
    return "<g class='legend'>" + "".join(parts) + "</g>", y - y0 + 24
