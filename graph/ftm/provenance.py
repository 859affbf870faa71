"""Citations for imported nodes and edges, made when a record is shown rather than stored per edge.

An FtM record cites its datasets, its ``sourceUrl`` when it has one, and the file and line
it came from; building these on demand keeps a million edges free of per-edge citation lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

__all__ = ["ftm_citations"]


def ftm_citations(attrs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The citation of an imported record, or ``[]`` for curated ones (they carry ``sources``).

    >>> [citation] = ftm_citations(
    ...     {
    ...         "datasets": ("us_ofac_sdn",),
    ...         "source_url": "https://ofac.example/1",
    ...         "last_seen": "2026-11-01",
    ...         "ftm_file": "e.ftm.json",
    ...         "ftm_line": 7,
    ...     }
    ... )
    >>> citation["publisher"], citation["title"], citation["url"]
    ('FtM dataset us_ofac_sdn', 'e.ftm.json, line 7', 'https://ofac.example/1')
    """
    if "ftm_file" not in attrs or "sources" in attrs:
        return []
    citation: dict[str, Any] = {
        "publisher": _publisher(attrs.get("datasets") or ()),
        "title": f"{attrs['ftm_file']}, line {attrs['ftm_line']}" if "ftm_line" in attrs else str(attrs["ftm_file"]),
    }
    url = attrs.get("source_url")
    if url:
        citation["url"] = url
    seen = attrs.get("last_seen")
    if seen:
        citation["retrieved"] = seen
    return [citation]


@lru_cache(maxsize=4096)
def _publisher(datasets: tuple[str, ...]) -> str:
    return f"FtM dataset {', '.join(datasets)}" if datasets else "FtM file"
