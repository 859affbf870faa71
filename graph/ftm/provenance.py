"""Citations for imported nodes and edges, made when a record is shown rather than stored per edge.

An FtM record cites its datasets, its ``sourceUrl`` when it has one, and the file and line
it came from; building these on demand keeps a million edges free of per-edge citation lists.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    datasets = attrs.get("datasets") or ()
    citation: dict[str, Any] = {
        "publisher": f"FtM dataset {', '.join(datasets)}" if datasets else "FtM file",
        "title": f"{attrs['ftm_file']}, line {attrs.get('ftm_line')}",
    }
    if attrs.get("source_url"):
        citation["url"] = attrs["source_url"]
    if attrs.get("last_seen"):
        citation["retrieved"] = attrs["last_seen"]
    return [citation]
