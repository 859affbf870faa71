"""CSV export: a zip of ``nodes.csv`` and ``edges.csv``, streamed.

One row per node or edge, one column per attribute (lists joined with `` | ``, citations
as their URLs), UTF-8 without a byte-order mark, so ``csv``, spreadsheets and
``pandas.read_csv`` read it without options.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import networkx as nx

from graph.exports.flatten import flatten_attributes
from graph.exports.source import Source, as_source

__all__ = ["MEDIA_TYPE", "generate_csv_zip"]

MEDIA_TYPE = "application/zip"
_FLUSH_ROWS = 1000
_NODE_FIRST = ["id", "label", "kind", "country"]
_EDGE_FIRST = ["id", "source", "target", "key", "relation", "date", "start", "end", "status", "confidence"]


class _Sink(io.RawIOBase):
    """A write-only, unseekable file whose bytes are taken out as they come (zipfile streams to it)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _columns(first: list[str], rows: Iterator[dict[str, Any]]) -> list[str]:
    seen = dict.fromkeys(first)
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _node_rows(source: Source) -> Iterator[dict[str, Any]]:
    for node, data in source.entities():
        yield {"id": node, **flatten_attributes(data)}


def _edge_rows(source: Source) -> Iterator[dict[str, Any]]:
    for u, v, key, data in source.relations():
        yield {**flatten_attributes(data), "source": u, "target": v, "key": key}


def generate_csv_zip(graph: nx.MultiDiGraph | Source) -> Iterator[bytes]:
    """Yield the zip file, a few hundred kilobytes at a time."""
    source = as_source(graph)
    node_columns = [c for c in _columns(_NODE_FIRST, _node_rows(source)) if c]
    edge_columns = [c for c in _columns(_EDGE_FIRST, _edge_rows(source)) if c]
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, columns, rows in (
            ("nodes.csv", node_columns, _node_rows(source)),
            ("edges.csv", edge_columns, _edge_rows(source)),
        ):
            with archive.open(name, "w", force_zip64=True) as raw, io.TextIOWrapper(raw, "utf-8", newline="") as text:
                writer = csv.writer(text)
                writer.writerow(columns)
                for count, row in enumerate(rows, 1):
                    writer.writerow([_text(row[c]) if c in row else "" for c in columns])
                    if count % _FLUSH_ROWS == 0:
                        text.flush()
                        yield sink.drain()
                text.flush()
            yield sink.drain()
    yield sink.drain()
