"""Flatten attribute values to the scalars that tabular and XML formats can hold.

Lists become ``" | "``-joined strings; citations become their URLs; ``None`` is dropped.
One attribute name gets one type across the whole graph (igraph rejects GraphML files
where it does not), chosen by :func:`attribute_types`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "LIST_SEPARATOR",
    "SCALARS",
    "Scalar",
    "attribute_types",
    "column_types_of",
    "flatten_attributes",
    "flatten_value",
]

LIST_SEPARATOR = " | "
Scalar = str | int | float | bool


def flatten_value(name: str, value: Any) -> Scalar | None:
    """One attribute value as a scalar, or ``None`` when there is nothing to write.

    >>> flatten_value("aliases", ["Lontek", "Xi'an Longde"])
    "Lontek | Xi'an Longde"
    >>> flatten_value("sources", [{"url": "https://a.example/1", "publisher": "A"}])
    'https://a.example/1'
    """
    if value is None:
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return str(value.get("url", "")) or None
    if isinstance(value, Iterable):
        parts = [flatten_value(name, item) for item in value]
        joined = LIST_SEPARATOR.join(str(p) for p in parts if p is not None and p != "")
        return joined or None
    return str(value)


SCALARS = (str, int, float, bool)


def flatten_attributes(attrs: Mapping[str, Any]) -> dict[str, Scalar]:
    """All attributes of one node or edge, flattened, without empty values."""
    flat: dict[str, Scalar] = {}
    for name, value in attrs.items():
        if type(value) in SCALARS:  # the common case, without a call
            flat[name] = value
        else:
            scalar = flatten_value(name, value)
            if scalar is not None:
                flat[name] = scalar
    return flat


def attribute_types(rows: Iterable[Mapping[str, Any]], renames: Mapping[str, str] | None = None) -> dict[str, type]:
    """The column type of every attribute once flattened, computed without flattening the rows.

    Lists and mappings flatten to strings, so their columns are strings; ``renames`` maps
    an attribute name to the column it is written under. Columns come in the order the rows
    first hold them, so a file's column ids are the same in every process (a set of shapes
    would order them by string hashes, which differ between processes).
    """
    # Rows mostly share a shape: collect each distinct (names, value types) once, at C speed.
    shapes = dict.fromkeys((tuple(row), tuple(map(type, row.values()))) for row in rows)
    seen: dict[str, set[type]] = {}
    for names, kinds in shapes:
        for name, kind in zip(names, kinds, strict=True):
            if kind is type(None):
                continue
            column = renames.get(name, name) if renames else name
            seen.setdefault(column, set()).add(kind if kind in SCALARS else str)
    return column_types_of(seen)


def column_types_of(seen: Mapping[str, set[type]]) -> dict[str, type]:
    """One type per column from the set of value types seen in it."""
    types: dict[str, type] = {}
    for name, kinds in seen.items():
        if kinds == {bool}:
            types[name] = bool
        elif kinds <= {int}:
            types[name] = int
        elif kinds <= {int, float}:
            types[name] = float
        else:
            types[name] = str
    return types
