"""The browser explorer's page: a view of the graph rendered with pyvis through our own template.

pyvis builds the vis-network node, edge and option lists (filled directly, never through
``from_nx``, which is quadratic and mutates its input); our Jinja environment, with
autoescaping on, renders the page. Everything from the data reaches the browser as JSON
inside a ``<script type="application/json">`` block (``tojson`` escapes ``<``, ``>``, ``&``
and quotes), and the page's script only ever puts it into the DOM as text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.layout import layered_layout, preset_layout
from app.styles import edge_style, kind_style, legend
from graph.entity_detail import edge_record
from graph.errors import BadQuery
from graph.store import GraphStore
from graph.subgraph import Selection, subgraph
from graph.supply_chain import supply_chain, supply_chain_selection

__all__ = ["ExplorerView", "render_explorer"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), auto_reload=False)


@dataclass
class ExplorerView:
    """Everything that defines what the explorer shows; mirrored in the page URL."""

    view: str = "supply-chain"
    center: list[str] = field(default_factory=lambda: ["shaheen-3"])
    depth: int = 2
    kinds: list[str] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    as_of: date | None = None
    expand: list[str] = field(default_factory=list)
    path_from: str | None = None
    path_to: str | None = None

    def query(self) -> dict[str, Any]:
        """The URL query string form of this view."""
        params: dict[str, Any] = {"view": self.view, "center": self.center, "depth": self.depth}
        for name in ("kinds", "relations", "expand"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        if self.as_of:
            params["as_of"] = self.as_of.isoformat()
        if self.path_from and self.path_to:
            params.update(path_from=self.path_from, path_to=self.path_to)
        return params


def build_selection(store: GraphStore, view: ExplorerView, max_nodes: int) -> Selection:
    """The nodes and edges a view shows. Filters and the as-of day are applied in the page,
    which hides what they exclude, so moving a slider never needs a reload."""
    centers = [store.require(c) for c in view.center]
    if view.view == "supply-chain":
        if len(centers) != 1:
            raise BadQuery("the supply-chain view takes exactly one centre")
        return supply_chain_selection(supply_chain(store.graph, centers[0], as_of=date.today()))
    expand = [store.require(e) for e in view.expand]
    return subgraph(store.graph, centers, depth=view.depth, max_nodes=max_nodes, expand=expand)


def vis_data(
    graph: nx.MultiDiGraph, selection: Selection, centers: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network nodes and edges for a selection: styled per kind and relation type."""
    nodes = []
    for node, distance in selection.nodes.items():
        data = graph.nodes[node]
        label = str(data.get("label", node))
        nodes.append(
            {
                "id": node,
                "label": label if len(label) <= 42 else label[:40] + "…",
                "title": f"{label} ({data.get('kind', 'entity')})",
                "kind": data.get("kind"),
                "country": data.get("country"),
                "distance": distance,
                "center": node in centers,
                **kind_style(data.get("kind")),
            }
        )
    edges = []
    vocabulary = graph.graph.get("relation_types", {})
    parallel: dict[frozenset[str], int] = {}
    for u, v, k in selection.edges:
        record = edge_record(u, v, k, graph._succ[u][v][k])
        relation = record.get("relation", "related")
        spec = vocabulary.get(relation, {})
        when = record.get("date") or record.get("start")
        title = f"{graph.nodes[u].get('label', u)} {spec.get('label', relation)} {graph.nodes[v].get('label', v)}"
        edges.append(
            {
                "id": record.get("id") or f"{u}:{k}:{v}",
                "from": u,
                "to": v,
                "title": title + (f" ({when})" if when else ""),
                "arrows": "to" if spec.get("directed", True) else "",
                "record": record,
                **edge_style(relation, record.get("status")),
                **_curve(parallel, u, v),
            }
        )
    return nodes, edges


def _curve(seen: dict[frozenset[str], int], u: str, v: str) -> dict[str, Any]:
    """Bend the 2nd, 3rd... edge between one pair of nodes so parallel relations stay apart."""
    pair = frozenset((u, v))
    index = seen.get(pair, 0)
    seen[pair] = index + 1
    if index == 0:
        return {}
    clockwise = (index % 2 == 1) == (u < v)  # same side whichever way the edge points
    return {
        "smooth": {
            "enabled": True,
            "type": "curvedCW" if clockwise else "curvedCCW",
            "roundness": 0.25 * ((index + 1) // 2),
        }
    }


def network_options() -> dict[str, Any]:
    """vis-network options: positions come from the server, so no physics runs in the browser."""
    return {
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "multiselect": False},
        "nodes": {"font": {"face": "system-ui, sans-serif", "size": 13}, "borderWidth": 2},
        "edges": {"smooth": False, "font": {"size": 11, "align": "middle"}, "selectionWidth": 2},
        "physics": {"enabled": False},
    }


def render_explorer(store: GraphStore, view: ExplorerView, max_nodes: int) -> str:
    """The explorer page for ``view``, as HTML."""
    from pyvis.network import Network  # heavy import (IPython): only when a page is rendered

    graph = store.graph
    selection = build_selection(store, view, max_nodes)
    nodes, edges = vis_data(graph, selection, view.center)
    if view.view == "supply-chain":
        layered_layout(nodes, edges)
    else:
        preset_layout(nodes, edges)
    net = Network(directed=True, height="100%", width="100%", cdn_resources="remote")
    net.nodes, net.edges = nodes, edges
    net.node_ids = [n["id"] for n in nodes]
    net.node_map = {n["id"]: n for n in nodes}
    net.options = network_options()
    vis_nodes, vis_edges, _, _, _, options_json = net.get_network_data()
    page = {
        "view": {**view.query(), "as_of": view.as_of.isoformat() if view.as_of else None},
        "nodes": vis_nodes,
        "edges": vis_edges,
        "options": json.loads(options_json),
        "truncated": selection.truncated,
        "truncated_reason": selection.truncated_reason,
        "legend": legend(graph),
        "today": date.today().isoformat(),
    }
    return _ENV.get_template("explorer.html").render(page=page, title=_title(graph, view))


def _title(graph: nx.MultiDiGraph, view: ExplorerView) -> str:
    names = ", ".join(str(graph.nodes[c].get("label", c)) for c in view.center if c in graph)
    return f"Supply chain of {names}" if view.view == "supply-chain" else f"Around {names}"
