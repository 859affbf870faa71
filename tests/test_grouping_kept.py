"""What a PostgreSQL-backed server keeps of a hub's first members for its grouped views:
compact rows that read back exactly as the statement gave them, counted in the cache's bound."""

from __future__ import annotations

from graph.store.postgres.grouping import _Rows, _size


def test_kept_rows_read_back_as_they_were() -> None:
    rows = [
        ("NK-0000001", 3, "firm", "RU", "2024", "none"),
        ("zürich-holding-2", 1, "person", "none", "undated", "RUSSIA-EO14024"),
        ("a", 70_000, "firm", "RU", "2024", "none"),
    ]
    kept = _Rows(rows)
    assert len(kept) == 3 and kept.first(None) == rows and kept.first(2) == rows[:2] and kept.first(0) == []
    assert all(
        type(a) is type(b)
        for row, read in zip(rows, kept.first(None), strict=True)
        for a, b in zip(row, read, strict=True)
    )
    assert kept.values[0] == ["firm", "person"]  # each facet's values once
    assert _Rows([]).first(None) == [] and _size((kept, False)) == 3
