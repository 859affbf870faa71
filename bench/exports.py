"""GraphML and GEXF export of a 1M-edge graph: Linkscope's streaming writers beside networkx's.

Each writer runs in a fresh process on the same deterministic graph (scalar attributes
only, since networkx's writers refuse lists). Reported: wall time, extra memory while
writing (peak resident set sampled every 10 ms, minus the resident set before writing),
and the file size.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

EDGES = int(os.environ.get("BENCH_EXPORT_EDGES", "1000000"))
WRITERS = ["linkscope-graphml", "networkx-graphml", "linkscope-gexf", "networkx-gexf"]


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_one(writer: str, path: str) -> dict[str, float]:
    """In this process: build the graph, write it with ``writer``, report time, memory, size."""
    import networkx as nx

    from bench.synthetic import synthetic_graph
    from graph.exports.gexf import generate_gexf
    from graph.exports.graphml import generate_graphml

    graph = synthetic_graph(EDGES // 2, sources=False)
    before = _rss()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    if writer.startswith("linkscope"):
        generate = generate_graphml if writer.endswith("graphml") else generate_gexf
        with open(path, "wb") as fh:
            for chunk in generate(graph):
                fh.write(chunk)
    elif writer == "networkx-graphml":
        nx.write_graphml(graph, path)
    else:
        nx.write_gexf(graph, path, version="1.2draft")
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return {"seconds": seconds, "extra_mib": (peak[0] - before) / 2**20, "mib": os.path.getsize(path) / 2**20}


def main() -> None:
    print(f"\n## Export of a {EDGES:,}-edge graph ({EDGES // 2:,} nodes), each writer in its own process\n")
    print("| writer | time, s | extra memory while writing, MiB | file, MiB |")
    print("|---|---|---|---|")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for writer in WRITERS:
            path = os.path.join(tmp, writer)
            out = subprocess.run(
                [sys.executable, "-m", "bench.exports", "--one", writer, path],
                capture_output=True,
                text=True,
                check=True,
            )
            results[writer] = json.loads(out.stdout.strip().splitlines()[-1])
            r = results[writer]
            print(f"| {writer} | {r['seconds']:.1f} | {r['extra_mib']:.0f} | {r['mib']:.0f} |", flush=True)
    for fmt in ("graphml", "gexf"):
        ours, theirs = results[f"linkscope-{fmt}"], results[f"networkx-{fmt}"]
        print(f"| {fmt}: networkx / linkscope | {theirs['seconds'] / ours['seconds']:.1f}x time | "
              f"{theirs['extra_mib'] / max(ours['extra_mib'], 1):.0f}x memory | |")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2], sys.argv[3])))
    else:
        main()
