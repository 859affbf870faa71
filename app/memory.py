"""A serving process's memory: the C allocator's arenas, and how often the cyclic collector runs.

glibc's malloc gives every thread that allocates an arena of its own (up to 8 per core),
and an arena keeps the memory its thread used at its highest: freed, it is reused by that
arena, seldom given back to the system. Requests run in a pool of up to 40 threads, so
without a limit a server's resident size becomes the sum of the peaks of the requests that
happened to run in each thread (a hub's neighbours read in one, a common word searched in
another). :func:`limit_arenas` caps them at :attr:`~app.settings.Settings.malloc_arenas`
(2 by default): Python allocates under its interpreter lock, so threads seldom wait for
an arena, and the memory one request freed is reused by the next, whichever thread runs it.

Why this and not more (measured in docs/deploy.md, "Memory"): the limit takes about 20 MiB
off a PostgreSQL-backed server's growth under load at 1M entities; ``malloc_trim`` after
the requests that grew a process gave back 0 to 5 MiB more, and a fixed mmap threshold
(``MALLOC_MMAP_THRESHOLD_``, left to the operator) about 10 MiB more for a slower search.
Only glibc (Linux) is tuned; elsewhere nothing changes.

A request makes tens of thousands of container objects (a view of 500 entities read from
PostgreSQL: their attributes and edges parsed from JSON, the walk's sets, the answer's
records), almost none of them cyclic. At Python's default threshold (a pass over the
youngest objects every 700 new ones) the collector ran 8 to 17 times in such a view and
took 1 to 3 ms of it; :func:`collect_less_often` makes it every :data:`YOUNG_OBJECTS`
(the views' p99 at 1M went down by 2 ms in three interleaved runs; see docs/benchmarks.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

__all__ = ["YOUNG_OBJECTS", "collect_less_often", "limit_arenas"]

#: New container objects between two passes of the cyclic collector over the youngest.
YOUNG_OBJECTS = 20_000

#: glibc's ``mallopt`` parameter for the number of arenas (malloc.h).
_M_ARENA_MAX = -8


def limit_arenas(arenas: int) -> bool:
    """At most ``arenas`` glibc arenas (0: glibc's default, 8 per core) in this process and in
    those forked from it. Call it before threads start: a thread keeps the arena it has.
    False where the C library is not glibc."""
    if not arenas:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version"):  # mallopt's parameters are glibc's
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def collect_less_often(young: int = YOUNG_OBJECTS) -> None:
    """The cyclic collector's first generation collected every ``young`` new objects, in this
    process and those forked from it (the older generations' ratios unchanged)."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(young, older, oldest)
