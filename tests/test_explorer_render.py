"""The explorer page as rendered on the server: layout, styles, escaping (no browser needed)."""

from __future__ import annotations

import json
import math
import re

import networkx as nx
import pytest

from app.explorer_page import ExplorerView, default_view, render_explorer, vis_data
from app.layout import preset_layout
from graph.queries.subgraph import subgraph
from graph.store import GraphStore


def page_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', html, re.S)
    assert block
    return json.loads(block.group(1))


def test_default_page_embeds_the_shaheen_3_supply_chain(bundled: nx.MultiDiGraph) -> None:
    store = GraphStore.from_graph(bundled)
    html = render_explorer(store, default_view(store), 500)
    data = page_data(html)
    assert {n["id"] for n in data["nodes"]} >= {"shaheen-3", "ndc", "mzkt", "us-state-dept"}
    assert data["options"]["physics"]["enabled"] is False
    assert all(math.isfinite(n["x"]) and math.isfinite(n["y"]) for n in data["nodes"])
    assert "cdn" not in html.lower() and "https://" not in html.split('id="explorer-data"')[0]


@pytest.mark.parametrize("size", [40, 400, 3500])
def test_server_side_layout_places_every_node(size: int) -> None:
    graph = nx.gnm_random_graph(size, 2 * size, seed=1, directed=True)
    distance = nx.single_source_shortest_path_length(graph.to_undirected(), 0)
    nodes = [{"id": str(n), "distance": distance.get(n, 9)} for n in graph]
    edges = [{"from": str(u), "to": str(v)} for u, v in graph.edges()]
    preset_layout(nodes, edges)
    xs = [n["x"] for n in nodes]
    assert len(set(zip(xs, [n["y"] for n in nodes], strict=True))) > size * 0.9  # spread out, not stacked
    assert all(math.isfinite(x) for x in xs)


def test_parallel_edges_are_curved_apart(bundled: nx.MultiDiGraph) -> None:
    selection = subgraph(bundled, ["xian-longde"], relations=["sanctioned"])
    _, edges = vis_data(bundled, selection, ["xian-longde"])
    assert sorted(bool(e.get("smooth")) for e in edges) == [False, True]


def test_data_text_cannot_break_out_of_the_page(bundled: nx.MultiDiGraph) -> None:
    graph = bundled.copy()
    payload = "</script><script>alert(1)</script><!--"
    graph.nodes["ndc"]["label"] = payload
    html = render_explorer(GraphStore.from_graph(graph), ExplorerView(view="subgraph", center=["ndc"], depth=1), 500)
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == 3  # the data block and the two script files, nothing else
    assert any(n["label"].startswith("</script>") for n in page_data(html)["nodes"])
    assert "<title>Around &lt;/script&gt;" in html


def test_labels_of_a_big_view_never_overlap_at_any_zoom_and_more_show_closer() -> None:
    from itertools import combinations

    from app.explorer_page import vis_data
    from app.layout import SEPARATE_UP_TO, preset_layout, screen_label
    from bench.synthetic import synthetic_graph
    from graph.queries.subgraph import subgraph

    graph = synthetic_graph(3_000, seed=3)
    for _, data in graph.nodes(data=True):  # names as long as real ones
        data["label"] = f"{data['label']} International Trading and Holding Company Limited"
    hub = max(graph.degree, key=lambda pair: pair[1])[0]
    part = subgraph(graph, [hub], depth=2, max_nodes=SEPARATE_UP_TO + 200)
    nodes, edges = vis_data(graph, part, [hub])
    preset_layout(nodes, edges)
    assert len(nodes) > SEPARATE_UP_TO
    assert next(n for n in nodes if n["id"] == hub)["label_zoom"] == 0  # the centre is labelled at every zoom
    assert all((n["label"] == "") == (n["label_zoom"] is None or n["label_zoom"] > 1) for n in nodes)
    assert all(n["hidden_label"] and n["title"] for n in nodes if not n["label"])

    def rect(node: dict, scale: float) -> tuple[float, float, float, float]:
        width, height, top, offset = screen_label(node)
        return (node["x"] * scale - width / 2, top * scale + offset, node["x"] * scale + width / 2,
                top * scale + offset + height)  # fmt: skip

    zooms = sorted(n["label_zoom"] for n in nodes if n["label_zoom"] is not None)
    shown_at = {}
    for scale in (zooms[5], zooms[len(zooms) // 4], zooms[len(zooms) // 2], 1.0, zooms[-1]):
        shown = [n for n in nodes if n["label_zoom"] is not None and n["label_zoom"] <= scale]
        shown_at[scale] = len(shown)
        for a, b in combinations(shown, 2):
            ra, rb = rect(a, scale), rect(b, scale)
            assert not (ra[0] < rb[2] and rb[0] < ra[2] and ra[1] < rb[3] and rb[1] < ra[3]), (scale, a["id"], b["id"])
    counts = [shown_at[scale] for scale in sorted(shown_at)]
    assert counts == sorted(counts) and counts[0] < counts[-1] == len(zooms)
