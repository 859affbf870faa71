"""Versioned schema migrations: numbered SQL files applied in order, once each.

``migrations/NNNN_name.sql`` files are applied in number order, each in its own
transaction together with its row in ``linkscope.migrations``, under an advisory lock so
two servers starting at once do not both apply one. A database with a migration this
Linkscope does not know (made by a newer version) is refused rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from graph.errors import DatabaseError

if TYPE_CHECKING:
    import psycopg

__all__ = ["LOCK", "Migration", "applied", "migrate", "migrations"]

#: The advisory lock key migrations and loads hold (any constant; "lnks" in ASCII).
LOCK = 0x6C6E6B73
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration this Linkscope ships, in order."""
    found = []
    for entry in resources.files("graph.store.postgres").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def applied(conn: psycopg.Connection) -> list[int]:
    """The versions applied to the database (none when it was never migrated)."""
    exists = conn.execute("SELECT to_regclass('linkscope.migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return []
    return [row[0] for row in conn.execute("SELECT version FROM linkscope.migrations ORDER BY version")]


def migrate(conn: psycopg.Connection) -> list[Migration]:
    """Apply the migrations the database lacks; the ones applied now. ``conn`` in autocommit mode."""
    known = migrations()
    conn.execute("SELECT pg_advisory_lock(%s)", [LOCK])
    try:
        done = set(applied(conn))
        newer = sorted(done - {m.version for m in known})
        if newer:
            raise DatabaseError(
                f"the database has schema migrations this Linkscope does not know ({newer}): "
                "it was set up by a newer version"
            )
        ran = []
        for migration in known:
            if migration.version in done:
                continue
            with conn.transaction():
                if migration.version == 1:
                    conn.execute("CREATE SCHEMA IF NOT EXISTS linkscope")
                    conn.execute(
                        "CREATE TABLE IF NOT EXISTS linkscope.migrations (version integer PRIMARY KEY, "
                        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                    )
                conn.execute(migration.sql.encode())
                conn.execute("INSERT INTO linkscope.migrations (version, name) VALUES (%s, %s)",
                             [migration.version, migration.name])  # fmt: skip
            ran.append(migration)
        return ran
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
