"""Labels of a big view in real headless Chromium: never overlapping, more of them as one zooms in."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import networkx as nx
import pytest

from app.layout import SEPARATE_UP_TO
from graph.store import GraphStore, records
from graph.store.build import load_graph
from tests.browser.conftest import Watched
from tests.live import Server, start_server

pytestmark = pytest.mark.browser

BRANCHES = 20
"""Suppliers per firm: a firm, its suppliers and theirs are 1 + 20 + 400 nodes, none a big
enough fan-out to be grouped, with names as long as real ones."""


def suppliers_tree() -> nx.MultiDiGraph:
    graph = records.new_graph(records.vocabulary(load_graph()))
    records.add_entity(graph, "root", {"label": "Root Holding Company", "kind": "firm", "country": "CN"})
    for i in range(BRANCHES):
        child = f"f{i:02d}"
        records.add_entity(graph, child, {"label": f"Firm {i:02d} International Trading and Holding Company Limited",
                                          "kind": "firm", "country": "CN"})  # fmt: skip
        records.add_relation(graph, child, "root", f"r{i}", {"relation": "supplied"})
        for j in range(BRANCHES):
            grandchild = f"f{i:02d}-{j:02d}"
            records.add_entity(graph, grandchild, {"label": f"Supplier {i:02d}-{j:02d} Machinery Import Export",
                                                   "kind": "firm", "country": "CN"})  # fmt: skip
            records.add_relation(graph, grandchild, child, f"r{i}-{j}", {"relation": "supplied"})
    return graph


@pytest.fixture(scope="module")
def tree_server() -> Iterator[Server]:
    server = start_server(GraphStore.from_graph(suppliers_tree()))
    yield server
    server.stop()


LABEL_BOXES = """async () => {
    network.redraw();
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const box = document.querySelector('#graph canvas').getBoundingClientRect();
    return linkscope.nodes.get({filter: (n) => !n.hidden && n.label}).map((n) => {
        const node = network.body.nodes[n.id];
        const size = node.labelModule.size;  // as last drawn: only nodes on screen are drawn
        const at = network.canvasToDOM({x: node.x, y: node.y});
        const topLeft = network.canvasToDOM({x: size.left, y: size.top});
        const bottomRight = network.canvasToDOM({x: size.left + size.width, y: size.top + size.height});
        return {id: n.id, x: node.x, y: node.y, left: topLeft.x, top: topLeft.y, right: bottomRight.x,
                bottom: bottomRight.y, onScreen: at.x > 0 && at.x < box.width && at.y > 0 && at.y < box.height};
    }).filter((b) => b.onScreen);
}"""


def label_boxes(page: Watched) -> list[dict]:
    """The label boxes vis-network drew, in page pixels."""
    boxes: list[dict] = page.page.evaluate(LABEL_BOXES)
    return boxes


def overlapping(boxes: list[dict]) -> list[tuple[dict, dict]]:
    return [
        (a, b)
        for a, b in combinations(boxes, 2)
        if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
    ]


def test_labels_never_overlap_and_come_back_as_one_zooms_in(page: Watched, tree_server: Server) -> None:
    page.goto(f"{tree_server.url}/explore?center=root&depth=2")
    drawn = page.page.evaluate("() => linkscope.nodes.get({filter: (n) => !n.hidden}).length")
    assert drawn == 1 + BRANCHES + BRANCHES**2 > SEPARATE_UP_TO
    first = label_boxes(page)
    assert "root" in {b["id"] for b in first}  # the centre is always labelled
    assert overlapping(first) == []
    heights = {b["bottom"] - b["top"] for b in first}
    scale = page.page.evaluate("network.getScale()")
    page.page.evaluate(
        f"network.moveTo({{position: network.getPositions(['f00']).f00, scale: {scale * 4}}})"
    )  # into the cluster of a firm's suppliers
    page.wait(f"linkscope.labelScale() === network.getScale() && network.getScale() > {scale * 3}")
    closer = label_boxes(page)
    assert overlapping(closer) == []
    assert all(min(abs(b["bottom"] - b["top"] - h) for h in heights) < 1 for b in closer)  # one size on screen
    seen = page.page.evaluate(
        """() => { const c = document.querySelector('#graph canvas');
        return [network.DOMtoCanvas({x: 0, y: 0}), network.DOMtoCanvas({x: c.clientWidth, y: c.clientHeight})]; }"""
    )
    before = [b for b in first if seen[0]["x"] < b["x"] < seen[1]["x"] and seen[0]["y"] < b["y"] < seen[1]["y"]]
    assert len(closer) > len(before)


def test_a_highlighted_path_is_labelled_at_every_zoom(page: Watched, tree_server: Server) -> None:
    page.goto(f"{tree_server.url}/explore?center=root&depth=2")
    ends = page.page.evaluate(
        "() => linkscope.nodes.get({filter: (n) => n.label_zoom > network.getScale()}).slice(0, 2).map((n) => n.id)"
    )
    assert len(ends) == 2 and page.page.evaluate(f"{ends!r}.every((id) => !linkscope.nodes.get(id).label)")
    page.page.evaluate(f"linkscope.findPaths({ends[0]!r}, {ends[1]!r})")
    page.wait("linkscope.highlighted.length > 0")
    on_path = set(page.page.evaluate("() => linkscope.highlighted.flatMap((id) => [linkscope.edges.get(id).from, "
                                     "linkscope.edges.get(id).to])"))  # fmt: skip
    assert set(ends) <= on_path
    page.page.evaluate("network.moveTo({scale: network.getScale() / 8})")
    page.wait("linkscope.labelScale() === network.getScale()")
    assert page.page.evaluate(f"{sorted(on_path)!r}.every((id) => linkscope.nodes.get(id).label)")
    page.page.click("#path-clear")
    assert not page.page.evaluate(f"{ends!r}.some((id) => linkscope.nodes.get(id).label)")
