"""Run every benchmark: ``python -m bench`` (``make bench``), each in a fresh process.

Sizes can be narrowed with BENCH_SIZES (queries), BENCH_BROWSER_SIZES and BENCH_EXPORT_EDGES;
PG_BIG_SIZE (10,000,000; 0 skips it) is the PostgreSQL store's run alone, which takes the
longest (about 30 minutes and 17 GiB of memory at 10M here: ``db load`` builds the graph in
memory before writing it).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

MODULES = ["bench.queries", "bench.ftm", "bench.exports", "bench.scale", "bench.browser", "bench.postgres"]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            kib = int(next(line.split()[1] for line in fh if line.startswith("MemTotal")))
            memory = f", {kib / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}; {platform.platform()}; Python {sys.version.split()[0]}"


if __name__ == "__main__":
    print(f"# Linkscope benchmarks\n\nMachine: {machine()}", flush=True)
    for module in sys.argv[1:] or MODULES:
        subprocess.run([sys.executable, "-m", module], check=True)
