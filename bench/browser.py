"""Time to first stable drawing in headless Chromium: Linkscope's explorer beside pyvis's default page.

Both draw the same synthetic view (100, 1,000 and 10,000 nodes, about two edges per node).
Then, when the 1M-entity snapshot of ``bench/scale.py`` is in BENCH_CACHE, the explorer
centred on each of its four biggest hubs (``linkscope serve --snapshot``, one worker): ours
draws the hub's groups; pyvis draws the same hub's neighbourhood as the explorer did before
groups (cut at 500 nodes). For these the time also runs from the answer's arrival
(``responseEnd``), what issue 17's goal counts.
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
from graph.queries.selection import Neighbourhood, select
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
    """Seconds from navigation start to the first stable drawing (None: cut off)."""
    drawn = measure_both(browser, url)
    return drawn[0] if drawn else None


def measure_both(browser, url: str) -> tuple[float, float] | None:  # type: ignore[no-untyped-def]
    """Seconds from navigation start, and from the answer's last byte, to the first stable drawing."""
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
                return float(stable) / 1000, (float(stable) - timing) / 1000
            time.sleep(0.05)
        return None
    finally:
        page.close()


def million(browser, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """The four biggest hubs of the 1M snapshot, grouped (ours) and cut at 500 (pyvis defaults)."""
    from bench.load import start_serve
    from bench.scale import CACHE, SIZE, stop
    from graph.store.snapshot import read_snapshot

    snapshot = CACHE / f"linkscope-bench-{SIZE}.ftm.snapshot"
    if not snapshot.is_file():
        print("\n(1M hubs skipped: run bench.scale first to make its snapshot)")
        return
    store = read_snapshot(snapshot)
    hubs = sorted(store.hubs.groups, key=lambda n: -store.graph.degree(n))[:4]
    degrees = {hub: store.graph.degree(hub) for hub in hubs}
    cuts = {}
    for hub in hubs:
        part = select(store, Neighbourhood((hub,), depth=1, max_nodes=500)).part
        assert part is not None
        cuts[hub] = store.graph.subgraph(part.nodes).copy()
    print("\n| view at 1M entities | HTML ours | ours, from navigation / from the answer | pyvis defaults "
          "(500 of its neighbours) | ratio (pyvis/ours) |")  # fmt: skip
    print("|---|---|---|---|---|")
    process, url, _ = start_serve(["--snapshot", str(snapshot), "--workers", "1"])
    try:
        for hub in hubs:
            view = f"{url}/explore?view=subgraph&center={hub}&depth=1"
            html_size = len(urllib.request.urlopen(view, timeout=120).read())
            ours = measure_both(browser, view)
            theirs = measure(browser, pyvis_page(cuts[hub], folder).as_uri())
            shown = f"{ours[0]:.2f} / {ours[1]:.2f}" if ours else "cut off"
            ratio = f"{theirs / ours[0]:,.1f}x" if ours and theirs else "n/a"
            print(
                f"| centred on {hub} ({degrees[hub]:,} relations) | {html_size / 1e6:.2f} MB | {shown} | "
                f"{f'{theirs:.2f}' if theirs else f'> {CUTOFF_S} (cut off)'} | {ratio} |"
            )
    finally:
        stop(process)


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
        million(browser, Path(tmp))
        browser.close()


if __name__ == "__main__":
    main()
