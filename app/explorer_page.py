"""The browser explorer's page: a view of the graph rendered with pyvis through our own template.

pyvis builds the vis-network node, edge and option lists (filled directly, never through
``from_nx``, which is quadratic and mutates its input); our Jinja environment, with
autoescaping on, renders the page. Everything from the data reaches the browser as JSON
inside a ``<script type="application/json">`` block (``tojson`` escapes ``<``, ``>``, ``&``
and quotes), and the page's script only ever puts it into the DOM as text.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.layout import layered_layout, preset_layout, wrap_label
from app.styles import GROUP_STYLE, edge_style, evidence_vocabulary, kind_style, legend
from graph.errors import BadQuery
from graph.queries.groups import GROUP_THRESHOLD, Group
from graph.queries.part import Part, group_edge
from graph.queries.selection import Neighbourhood, Query, Selection, SupplyChainOf, select
from graph.queries.walk import Via
from graph.store import Store, records

__all__ = ["ExplorerView", "default_view", "explorer_selection", "render_explorer", "vis_data"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATES_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), auto_reload=False
)

ViewName = Literal["subgraph", "supply-chain"]
#: Neighbours an "Expand" adds at a time; an id listed k times in ``expand`` shows k pages.
EXPAND_PAGE = 40
#: What the explorer can hide: inferred relations, and facts resting only on weak sources.
Hidden = Literal["inferred", "weak"]


@dataclass
class ExplorerView:
    """Everything that defines what the explorer shows; mirrored in the page URL."""

    view: ViewName
    center: list[str]
    depth: int = 2
    kinds: list[str] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    as_of: date | None = None
    expand: list[str] = field(default_factory=list)
    path_from: str | None = None
    path_to: str | None = None
    hide: list[Hidden] = field(default_factory=list)
    via: Via = "connections"
    """Whether neighbourhoods and paths pass through shared hubs (one authority, one country)."""
    compare: date | None = None
    """An earlier date to compare the as-of date with: what began or ended since is highlighted."""
    include: list[str] = field(default_factory=list)
    """Members pulled out of a group into the view, drawn as themselves."""

    def query(self, max_nodes: int) -> Query:
        """The selection this view draws. Filters and the as-of day are applied in the page,
        which hides what they exclude, so moving a slider never needs a reload; sanctions in
        a supply chain are judged in force today."""
        if self.view == "supply-chain":
            if len(self.center) != 1:
                raise BadQuery("the supply-chain view takes exactly one centre")
            return SupplyChainOf(self.center[0])
        return Neighbourhood(
            tuple(self.center),
            depth=self.depth,
            max_nodes=max_nodes,
            expand=tuple(self.expand),
            expand_page=EXPAND_PAGE,
            include=tuple(self.include),
            via=self.via,
            group=GROUP_THRESHOLD,
        )

    def url_query(self) -> dict[str, Any]:
        """The URL query string form of this view."""
        params: dict[str, Any] = {"view": self.view, "center": self.center, "depth": self.depth}
        for name in ("kinds", "relations", "expand", "include", "hide"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        if self.as_of:
            params["as_of"] = self.as_of.isoformat()
        if self.path_from and self.path_to:
            params.update(path_from=self.path_from, path_to=self.path_to)
        if self.via != "connections":
            params["via"] = self.via
        if self.compare:
            params["compare"] = self.compare.isoformat()
        return params


def default_view(store: Store) -> ExplorerView:
    """The view the vocabulary names (the bundled data: the Shaheen-3 supply chain); when the
    loaded data lacks its centre, the neighbourhood of the best-connected entity."""
    spec = store.vocabulary.view
    if spec is not None and spec.center in store.graph:
        return ExplorerView(view=spec.view, center=[spec.center], depth=spec.depth)
    hub = store.best_connected
    if hub is None:
        raise BadQuery("the loaded data is empty")
    return ExplorerView(view="subgraph", center=[hub], depth=1)


def explorer_selection(store: Store, view: ExplorerView, max_nodes: int) -> Selection:
    """The nodes and edges a view shows."""
    return select(store, view.query(max_nodes))


def vis_data(
    graph: nx.MultiDiGraph, part: Part, centers: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network nodes and edges for a part of the graph, styled per kind and relation type."""
    vocab = records.vocabulary(graph)
    entities = records.entities(graph)
    nodes = []
    for node, distance in part.nodes.items():
        data = entities[node]
        label = str(data.get("label", node))
        nodes.append(
            {
                "id": node,
                "label": wrap_label(label),
                "title": f"{label} ({data.get('kind', 'entity')})",
                "kind": data.get("kind"),
                "country": data.get("country"),
                "distance": distance,
                "center": node in centers,
                "weak_only": vocab.weak_only(records.citations(data)),
                **kind_style(vocab, data.get("kind")),
            }
        )
    edges = []
    parallel: dict[frozenset[str], int] = {}
    for u, v, k in part.edges:
        record = records.relation_record(u, v, k, records.relation_attrs(graph, u, v, k))
        record["weak_only"] = vocab.weak_only(record.get("sources", []))  # type: ignore[typeddict-unknown-key]
        relation = record["relation"]
        when = records.when(record)
        title = f"{records.label(graph, u)} {vocab.relation_label(relation)} {records.label(graph, v)}"
        edges.append(
            {
                "id": record["id"],
                "from": u,
                "to": v,
                "title": title + (f" ({when})" if when else ""),
                "arrows": "to" if vocab.directed(relation) else "",
                "record": record,
                **edge_style(vocab, relation, record.get("status")),
                **_curve(parallel, u, v),
            }
        )
    for group in part.groups:
        group_node, group_edge = _group_vis(graph, part, group)
        nodes.append(group_node)
        edges.append(group_edge)
    return nodes, edges


def _group_vis(graph: nx.MultiDiGraph, part: Part, group: Group) -> tuple[dict[str, Any], dict[str, Any]]:
    """A group of neighbours as a vis-network node, sized by its count, and its edge."""
    shown = part.group_node(graph, group)
    record = group_edge(group)
    node = {
        "id": group.id,
        "label": wrap_label(shown["label"]),
        "title": shown["label"],
        "kind": shown["kind"],
        "distance": shown["distance"],
        "center": False,
        "weak_only": False,
        "group_of": {k: shown[k] for k in ("of", "relation", "direction", "facet", "value", "count", "members")},
        **GROUP_STYLE,
        "size": 10 + 6 * math.log10(group.count + 1),  # 26,007 members: 36, as big as a centre
    }
    edge = {
        "id": record["id"],
        "from": record["source"],
        "to": record["target"],
        "title": shown["label"],
        "label": f"{group.count:,}",
        "arrows": "to",
        "relation": group.relation,
        "record": record,
        "dashes": True,
        "color": {"color": GROUP_STYLE["color"]["border"]},
    }
    return node, edge


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
        "nodes": {"font": {"face": "system-ui, sans-serif", "size": 13}, "borderWidth": 2, "labelHighlightBold": False},
        "edges": {"smooth": False, "font": {"size": 11, "align": "middle"}, "selectionWidth": 2},
        "physics": {"enabled": False},
    }


def render_explorer(store: Store, view: ExplorerView, max_nodes: int) -> str:
    """The explorer page for ``view``, as HTML."""
    from pyvis.network import Network  # heavy import (IPython): only when a page is rendered

    selection = explorer_selection(store, view, max_nodes)
    graph = selection.source
    part = selection.part
    assert part is not None  # explorer views are neighbourhoods or supply chains
    nodes, edges = vis_data(graph, part, view.center)
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
        "view": {**view.url_query(), "as_of": view.as_of.isoformat() if view.as_of else None},
        "nodes": vis_nodes,
        "edges": vis_edges,
        "options": json.loads(options_json),
        "truncated": part.truncated,
        "truncated_reason": part.truncated_reason,
        "legend": legend(store.vocabulary, store.stats["kinds"], store.stats["relations"]),
        **evidence_vocabulary(store.vocabulary),
        "today": date.today().isoformat(),
        "has_imports": store.ftm_report is not None,
        "expand_page": EXPAND_PAGE,
        "matched_kinds": [k for k in store.vocabulary.kinds if store.vocabulary.party(k)],
    }
    return TEMPLATES_ENV.get_template("explorer.html").render(page=page, title=_title(graph, view))


def _title(graph: nx.MultiDiGraph, view: ExplorerView) -> str:
    names = ", ".join(records.label(graph, c) for c in view.center if c in graph)
    return f"Supply chain of {names}" if view.view == "supply-chain" else f"Around {names}"
