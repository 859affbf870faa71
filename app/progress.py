"""Progress of long loads: a rich bar on the command line, a log line every few seconds in the server."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from graph.ingest.ftm import Progress

__all__ = ["log_progress", "rich_progress"]


def log_progress(log: logging.Logger, every_s: float = 5.0) -> Progress:
    """A progress callback that logs at most one line every ``every_s`` seconds."""
    started = time.monotonic()
    last = [started]

    def report(done: int, total: int, lines: int) -> None:
        now = time.monotonic()
        if now - last[0] >= every_s or done >= total:
            last[0] = now
            share = 100 * done / total if total else 100.0
            log.info("FtM load: %.0f%% (%s lines, %.0f s)", share, f"{lines:,}", now - started)

    return report


@contextmanager
def rich_progress(enabled: bool = True) -> Iterator[Progress | None]:
    """A progress bar on stderr for the ``with`` block (nothing when disabled or not a terminal)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("loading FtM"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[lines]} lines"),
        TimeRemainingColumn(), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("load", total=None, lines="0")

        def report(done: int, total: int, lines: int) -> None:
            bar.update(task, completed=done, total=total, lines=f"{lines:,}")

        yield report
