"""Reading a new load's pages into PostgreSQL's buffers before it is served.

A load writes its tables with COPY, which goes through a small ring of buffers: when the
servers switch to it, next to none of its pages is in PostgreSQL's shared buffers, and the
first views read each page they need from the operating system's cache, or from the disk.
Measured at 1M entities, 200 views in a fresh process: p99 24-30 ms with the buffers cold,
19-21 ms with the load's pages in them. So before a load is served, the loader reads its
pages into shared buffers with ``pg_prewarm`` (a contrib extension that Debian's server
package ships), as many as fit in :data:`SHARE` of them. Most read first:

1. the entities' and the edges' tables (a view reads both);
2. their indexes;
3. the load's other relations (search words, hub items, dated edges...),

smallest first within 2 and 3, and skipping any relation that does not fit whole. At 10M
neither table fits in a 2 GB buffer pool: their indexes do. Having the kernel read the two
tables ahead besides was tried there and not kept: the first views gained (p99 72 -> 41-53
ms), but the loader took 7-9 s more, of a 10-minute goal, and the 8.4 GB read ahead pushed
out of the cache the indexes path searches read (docs/benchmarks.md).

The extension is created if it is missing, which needs a role allowed to (a superuser,
usually). Without it the load is served all the same, cold, with a warning. Only the
primary's buffers are warmed: a read replica warms as it serves (or run ``pg_prewarm`` there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

__all__ = ["EXTENSION", "SHARE", "prewarm"]

log = logging.getLogger("linkscope")

#: The share of ``shared_buffers`` a new load's pages may fill: the rest keeps what other
#: databases and the served load's last requests use.
SHARE = 0.75
#: The extension that reads a relation into buffers.
EXTENSION = "pg_prewarm"
#: The tables views read first, in that order.
FIRST = ("entities", "edges")


def prewarm(conn: psycopg.Connection, schema: str, progress: Callable[[str, int, int], None]) -> None:
    """Read the pages of the load in ``schema`` into shared buffers, most used first, as many
    relations as fit whole in :data:`SHARE` of them; where they cannot be (no extension, or
    it failed), log why: the load is served all the same."""
    import psycopg

    try:
        conn.execute(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}".encode())
        row = conn.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = %s", [EXTENSION]
        ).fetchone()
        assert row is not None
        function = f"{row[0]}.pg_prewarm"
        buffers = conn.execute("SELECT pg_size_bytes(current_setting('shared_buffers'))").fetchone()
        assert buffers is not None
        budget = int(buffers[0]) * SHARE
        chosen: list[str] = []
        for relation, size in _ranked(conn, schema):
            if size <= budget:
                chosen.append(relation)
                budget -= size
        progress("prewarm", 0, len(chosen))
        for done, relation in enumerate(chosen, 1):
            conn.execute(f"SELECT {function}(%s::regclass)".encode(), [relation])
            progress("prewarm", done, len(chosen))
    except psycopg.Error as err:
        log.warning("the new load is served without its pages read into buffers first: %s: %s", EXTENSION, err)


def _ranked(conn: psycopg.Connection, schema: str) -> list[tuple[str, int]]:
    """The load's tables and indexes (qualified names) with their sizes in bytes, in the
    order they are read into buffers (see the module's docstring)."""
    rows = conn.execute(
        "SELECT c.oid::regclass::text, COALESCE(t.relname, c.relname), c.relkind, pg_relation_size(c.oid) "
        "FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'i')",
        [schema],
    ).fetchall()

    def rank(row: tuple[str, str, str, int]) -> tuple[int, int, int]:
        _, table, kind, size = row
        if table in FIRST:
            return (0, FIRST.index(table), 0) if kind == "r" else (1, 0, size)
        return (2, 0, size)

    return [(relation, size) for relation, _, _, size in sorted(rows, key=rank)]
