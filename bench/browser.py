"""Time to first stable drawing in headless Chromium: Linkscope's explorer beside pyvis's default page.

Both draw the same synthetic view (100, 1,000 and 10,000 nodes, about two edges per node).
Ours: ``/explore`` (positions computed on the server, physics off). pyvis: ``Network()``
with its default options (barnesHut physics, 1,000 stabilisation iterations), filled with
the same node and edge lists, its CDN tags removed so it runs offline (as the tech notes
show, they otherwise stall on Bootstrap). Time runs from navigation start to the first
drawing after stabilisation; pyvis runs are cut off at 120 s.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

import networkx as nx

from bench.synthetic import synthetic_graph
from graph.store import GraphStore

SIZES = [int(s) for s in os.environ.get("BENCH_BROWSER_SIZES", "100,1000,10000").split(",")]
CUTOFF_S = 120
VERBOSE = bool(os.environ.get("BENCH_VERBOSE"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip

# Registered before any page script runs: note when the page's vis Network stabilises and draws.
HOOK = """
(() => {
  let net;
  const done = () => { if (!window.__stableAt) window.__stableAt = performance.now(); };
  Object.defineProperty(window, 'network', {configurable: true,
    get() { return net; },
    set(value) {
      net = value;
      const physics = value.physics && value.physics.physicsEnabled;
      if (physics) value.once('stabilizationIterationsDone', () => value.once('afterDrawing', done));
      else value.once('afterDrawing', done);
    }});
})();
"""


def view_graph(size: int) -> nx.MultiDiGraph:
    """A connected synthetic graph of ``size`` nodes: the neighbourhood of its hub."""
    graph = synthetic_graph(size, seed=size)
    keep = max(nx.weakly_connected_components(graph), key=len)
    return graph.subgraph(keep).copy()


def pyvis_page(graph: nx.MultiDiGraph, folder: Path) -> Path:
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    net.nodes = [{"id": n, "label": d["label"], "shape": "dot", "size": 10} for n, d in graph.nodes(data=True)]
    net.node_ids = [n["id"] for n in net.nodes]
    net.node_map = {n["id"]: n for n in net.nodes}
    net.edges = [{"from": u, "to": v, "arrows": "to"} for u, v in graph.edges()]
    html = net.generate_html()
    html = re.sub(r"<link[^>]+cdn\.jsdelivr\.net[^>]*>", "", html)
    html = re.sub(r"<script[^>]+cdn\.jsdelivr\.net[^>]*></script>", "", html)
    path = folder / f"pyvis-{graph.number_of_nodes()}.html"
    path.write_text(html, encoding="utf-8")
    return path


def measure(browser, url: str) -> float | None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.add_init_script(HOOK)
    page.goto(url, wait_until="commit")
    deadline = time.monotonic() + CUTOFF_S
    try:
        while time.monotonic() < deadline:
            stable = page.evaluate("() => window.__stableAt || null")
            if stable:
                timing = page.evaluate("() => performance.timing.responseEnd - performance.timing.navigationStart")
                print(f"    (server answered after {timing / 1000:.2f} s)", flush=True) if VERBOSE else None
                return float(stable) / 1000
            time.sleep(0.05)
        return None
    finally:
        page.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import start_server

    chromium = shutil.which("chromium")
    if chromium is None:
        print("\n(browser benchmark skipped: Debian's chromium is not installed)")
        return
    print("\n## Explorer: time to first stable drawing in headless Chromium, s\n")
    print("| view | HTML ours | ours | pyvis defaults | ratio (pyvis/ours) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        for size in SIZES:
            graph = view_graph(size)
            hub = max(graph.degree, key=lambda pair: pair[1])[0]
            server = start_server(GraphStore.from_graph(graph))
            url = f"{server.url}/explore?view=subgraph&center={hub}&depth=4&max_nodes={graph.number_of_nodes()}"
            html_size = len(urllib.request.urlopen(url).read())  # also warms the server up
            ours = measure(browser, url)
            server.server.should_exit = True
            theirs = measure(browser, pyvis_page(graph, Path(tmp)).as_uri())
            label = f"{graph.number_of_nodes():,} nodes / {graph.number_of_edges():,} edges"
            ratio = f"{theirs / ours:,.1f}x" if ours and theirs else f"> {CUTOFF_S / (ours or 1):,.0f}x"
            print(
                f"| {label} | {html_size / 1e6:.1f} MB | {ours:.2f} | "
                f"{f'{theirs:.2f}' if theirs else f'> {CUTOFF_S} (cut off)'} | {ratio} |"
            )
        browser.close()


if __name__ == "__main__":
    main()
