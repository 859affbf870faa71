"""Node positions computed on the server, so the browser draws at once instead of running physics.

The tech notes measured vis-network's default physics at ~45 s to settle 1,000 nodes in
headless Chromium on this machine, against ~0.3 s for preset positions.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

__all__ = ["label_box", "layered_layout", "preset_layout", "screen_label", "separate", "thin_labels", "wrap_label"]

KAMADA_KAWAI_UP_TO = 150
FORCE_LAYOUT_UP_TO = 1000
#: Views up to this size get their labels pulled apart (about 0.2 s at 300 nodes); beyond, the
#: less important labels are left out where they would overlap (:func:`thin_labels`).
SEPARATE_UP_TO = 300

FONT_SIZE = 13
#: Average advance of a sans-serif character at ``FONT_SIZE`` (a little generous, so estimates err wide).
CHAR_WIDTH = 0.6 * FONT_SIZE
LINE_HEIGHT = 16
LABEL_WIDTH = 24
"""Characters per label line: longer names wrap onto a second line, then are cut."""
INSIDE_SHAPES = ("box", "ellipse")
"""Shapes vis-network draws the label inside of (the others: below the shape)."""


def wrap_label(text: str, width: int = LABEL_WIDTH, lines: int = 2) -> str:
    """A label on at most ``lines`` lines of about ``width`` characters, cut with an ellipsis.

    >>> wrap_label("Beijing Research Institute of Automation for Machine-Building Industry")
    'Beijing Research\\nInstitute of Automation…'
    >>> wrap_label("Shaheen-3")
    'Shaheen-3'
    """

    wrapped = textwrap.wrap(text, width, break_on_hyphens=False) or [text]
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    last = wrapped[lines - 1]
    return "\n".join([*wrapped[: lines - 1], (last[: width - 1] if len(last) >= width else last) + "…"])


def label_box(node: dict[str, Any]) -> tuple[float, float, float]:
    """Width and height of the area a drawn node takes with its label, and how far below the
    node's centre that area's centre lies (labels hang below most shapes)."""
    lines = str(node.get("label", "")).split("\n")
    text_width = max(len(line) for line in lines) * CHAR_WIDTH
    text_height = LINE_HEIGHT * len(lines)
    if node.get("shape") in INSIDE_SHAPES:
        return text_width + 16, text_height + 12, 0.0
    size = float(node.get("size", 16))
    return max(text_width, 2 * size) + 8, 2 * size + 6 + text_height, (text_height + 6) / 2


def separate(nodes: list[dict[str, Any]], rounds: int = 80) -> None:
    """Move nodes apart until no node's area (with its label) overlaps another's.

    Each round pushes every overlapping pair apart along the axis where they overlap least,
    half each way, so a layout keeps its shape while labels stop running into each other. A
    grid of cells as large as the largest area finds the pairs in linear time.
    """
    if len(nodes) < 2 or len(nodes) > SEPARATE_UP_TO:
        return
    boxes = [label_box(n) for n in nodes]
    xs = [float(n["x"]) for n in nodes]
    ys = [float(n["y"]) + box[2] for n, box in zip(nodes, boxes, strict=True)]
    cell = max(max(b[0] for b in boxes), max(b[1] for b in boxes))
    for _ in range(rounds):
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(len(nodes)):
            grid.setdefault((int(xs[i] // cell), int(ys[i] // cell)), []).append(i)
        moved = False
        for i in range(len(nodes)):
            cx, cy = int(xs[i] // cell), int(ys[i] // cell)
            for gx in (cx - 1, cx, cx + 1):
                for gy in (cy - 1, cy, cy + 1):
                    for j in grid.get((gx, gy), ()):
                        if j <= i:
                            continue
                        dx, dy = xs[j] - xs[i], ys[j] - ys[i]
                        over_x = (boxes[i][0] + boxes[j][0]) / 2 - abs(dx)
                        over_y = (boxes[i][1] + boxes[j][1]) / 2 - abs(dy)
                        if over_x <= 0 or over_y <= 0:
                            continue
                        moved = True
                        if over_x < over_y:
                            push = (over_x / 2 + 1) * (1 if dx > 0 or (dx == 0 and j > i) else -1)
                            xs[i] -= push
                            xs[j] += push
                        else:
                            push = (over_y / 2 + 1) * (1 if dy > 0 or (dy == 0 and j > i) else -1)
                            ys[i] -= push
                            ys[j] += push
        if not moved:
            break
    for node, x, y, box in zip(nodes, xs, ys, boxes, strict=True):
        node["x"], node["y"] = round(x, 1), round(y - box[2], 1)


def preset_layout(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    """Deterministic positions for a view.

    Up to 150 nodes Kamada-Kawai (even spacing), up to 1,000 Fruchterman-Reingold (igraph),
    beyond that rings by distance from the centre (linear time; force layouts take seconds
    there).
    """
    count = len(nodes)
    if count == 0:
        return
    index = {n["id"]: i for i, n in enumerate(nodes)}
    pairs = sorted({(index[e["from"]], index[e["to"]]) for e in edges if e["from"] != e["to"]})
    if count > FORCE_LAYOUT_UP_TO:
        coords = _rings(nodes, pairs)
    else:
        import igraph

        graph = igraph.Graph(n=count, edges=pairs, directed=False)
        start = [[math.cos(2 * math.pi * i / count), math.sin(2 * math.pi * i / count)] for i in range(count)]
        if count <= KAMADA_KAWAI_UP_TO:
            coords = graph.layout_kamada_kawai(seed=start).coords
        else:
            coords = graph.layout_fruchterman_reingold(seed=start, niter=100).coords
    xs = [x for x, _ in coords]
    ys = [y for _, y in coords]
    left, top = min(xs), min(ys)
    span = max(max(xs) - left, max(ys) - top, 1e-9)
    scale = 160 * math.sqrt(count) + 300
    for node, (x, y) in zip(nodes, coords, strict=True):
        node["x"] = round((x - left) / span * scale, 1)
        node["y"] = round((y - top) / span * scale, 1)
    separate(nodes)
    thin_labels(nodes, edges)


def thin_labels(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    """In views too big to pull apart (over :data:`SEPARATE_UP_TO` nodes), say from which zoom
    scale each label can be drawn without running into a more important one (``label_zoom``;
    None: never, 0: always), so that the explorer shows more labels as one zooms in.

    There the explorer keeps labels at one size on screen (:func:`screen_label`), so two labels
    that overlap at one scale part as one zooms in: at scale ``s`` their boxes overlap while
    ``|dx| * s`` is under half their widths and their tops are closer than the upper one's
    height. Labels are taken in order of importance (centres, then groups, then the nodes with
    the most relations in the view), and each is given the smallest scale from which it clears
    every label before it at every larger scale, so a label once shown while zooming in stays
    shown. A label not shown at scale 1 (what a figure draws) is left out of ``label`` and kept
    in ``hidden_label`` (it stays in the node's tooltip too)."""
    if len(nodes) <= SEPARATE_UP_TO:
        return
    import numpy as np  # only big views need it

    degree: dict[str, int] = {}
    for edge in edges:
        for end in (edge["from"], edge["to"]):
            degree[end] = degree.get(end, 0) + 1
    order = sorted(
        range(len(nodes)),
        key=lambda i: (not nodes[i].get("center"), "group_of" not in nodes[i], -degree.get(nodes[i]["id"], 0), i),
    )
    labels = [screen_label(nodes[i]) for i in order]
    width, height, top, offset = (np.array(column, dtype=float) for column in zip(*labels, strict=True))
    x = np.array([float(nodes[i]["x"]) for i in order])
    zoom = np.zeros(len(order))
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(1, len(order)):
            dx = np.abs(x[:k] - x[k])
            clear_x = np.where(dx > 0, (width[:k] + width[k]) / 2 / dx, np.inf)  # apart sideways above this
            # their tops, on screen, are top * s + offset: the two overlap while -height[k] < d * s + e < height[j]
            d, e = top[k] - top[:k], offset[k] - offset[:k]
            low, high = (-height[k] - e) / d, (height[:k] - e) / d
            level = (-height[k] < e) & (e < height[:k])  # d == 0: at every scale, or at none
            meet_low = np.where(d > 0, low, np.where(d < 0, high, np.where(level, 0.0, np.inf)))
            meet_high = np.where(d > 0, high, np.where(d < 0, low, np.where(level, np.inf, 0.0)))
            until = np.minimum(clear_x, meet_high)
            clash = until > np.maximum(np.maximum(meet_low, 0.0), zoom[:k])
            zoom[k] = until[clash].max(initial=0.0)
    for i, z in zip(order, zoom.tolist(), strict=True):
        node = nodes[i]
        node["label_zoom"] = math.ceil(z * 10_000) / 10_000 if math.isfinite(z) else None
        if node["label_zoom"] is None or node["label_zoom"] > 1:
            node["hidden_label"], node["label"] = node.get("label", ""), ""


def screen_label(node: dict[str, Any]) -> tuple[float, float, float, float]:
    """Where vis-network draws a node's label when its font keeps one size on screen: its width
    and height on screen, and its top, as ``top`` in canvas units (which the zoom scales) plus
    ``offset`` on screen (which it does not). Below most shapes a label hangs from the shape's
    bottom, half a line and 4 canvas units lower; inside a box or an ellipse it is centred.
    Estimates err wide, so labels the estimate keeps apart are apart when drawn."""
    lines = str(node.get("hidden_label") or node.get("label", "")).split("\n")
    width = max(len(line) for line in lines) * CHAR_WIDTH + 4
    height = LINE_HEIGHT * len(lines) + 2
    y = float(node["y"])
    if node.get("shape") in INSIDE_SHAPES:
        return width, height, y, -height / 2
    return width, height, y + float(node.get("size", 16)) + 4, FONT_SIZE / 2 - 1


def _rings(nodes: list[dict[str, Any]], pairs: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """Concentric rings by distance; each ring ordered by where its neighbours on the inner ring are."""
    neighbours: list[list[int]] = [[] for _ in nodes]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    rings: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        rings.setdefault(int(node.get("distance", 0)), []).append(i)
    angle = [0.0] * len(nodes)
    coords = [(0.0, 0.0)] * len(nodes)
    for ring, members in sorted(rings.items()):
        if ring > min(rings):

            def inner_angle(i: int, ring: int = ring) -> float:
                sx = sum(math.cos(angle[j]) for j in neighbours[i] if nodes[j].get("distance", 0) < ring)
                sy = sum(math.sin(angle[j]) for j in neighbours[i] if nodes[j].get("distance", 0) < ring)
                return math.atan2(sy, sx)

            members.sort(key=inner_angle)
        radius = ring + (0.0 if ring == 0 and len(members) == 1 else 0.5)
        for k, i in enumerate(members):
            angle[i] = 2 * math.pi * k / len(members)
            coords[i] = (radius * math.cos(angle[i]), radius * math.sin(angle[i]))
    return coords


def layered_layout(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    """Supply-chain layout: the target on the right, each step upstream one column further left,
    and the sanctioning authorities in a row above, so chains read left to right."""
    sanction_only = {n["id"] for n in nodes}
    for edge in edges:
        if edge["relation"] != "sanctioned":
            sanction_only.discard(edge["from"])
            sanction_only.discard(edge["to"])
        else:
            sanction_only.discard(edge["to"])
    columns: dict[int, list[dict[str, Any]]] = {}
    for node in nodes:
        if node["id"] not in sanction_only:
            columns.setdefault(node["distance"], []).append(node)
    tallest = max((len(c) for c in columns.values()), default=1)
    for distance, column in columns.items():
        column.sort(key=lambda n: str(n["label"]))
        for row, node in enumerate(column):
            node["x"] = -320.0 * distance
            node["y"] = 90.0 * (row - (len(column) - 1) / 2)
    authorities = sorted((n for n in nodes if n["id"] in sanction_only), key=lambda n: str(n["label"]))
    width = 320.0 * max(columns, default=0)
    for i, node in enumerate(authorities):
        node["x"] = -width / 2 + (i - (len(authorities) - 1) / 2) * 260
        node["y"] = -90.0 * (tallest / 2 + 2)
    separate(nodes)
