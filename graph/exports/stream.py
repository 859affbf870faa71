"""Turning a stream of small text pieces into a stream of byte chunks of bounded size."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from xml.sax.saxutils import escape

__all__ = ["CHUNK_SIZE", "chunked", "xml_attr", "xml_attr_value", "xml_id", "xml_text"]

CHUNK_SIZE = 1 << 16
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Anything that needs escaping or replacing; most values have none and are returned as they are.
_XML_SPECIAL = re.compile('[&<>"\t\n\r]|[^\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def chunked(pieces: Iterable[str], size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """UTF-8 chunks of about ``size`` characters, so memory stays flat whatever the graph's size."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()


@lru_cache(maxsize=1 << 16)  # kinds, statuses, relation names... repeat on every row
def xml_text(value: str) -> str:
    """Escaped element text; characters XML cannot hold become U+FFFD."""
    if not _XML_SPECIAL.search(value):
        return value
    return escape(_XML_INVALID.sub("\ufffd", value))


_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


@lru_cache(maxsize=1 << 16)
def xml_attr_value(value: str) -> str:
    """Escaped text for inside a double-quoted attribute."""
    if not _XML_SPECIAL.search(value):
        return value
    return escape(_XML_INVALID.sub("\ufffd", value), _ATTR_ENTITIES)


def xml_attr(value: str) -> str:
    """A double-quoted, escaped attribute value (quotes included)."""
    return f'"{xml_attr_value(value)}"'


def xml_id(value: object) -> str:
    """A quoted id attribute; ids are mostly unique, so this skips the caches the values use."""
    text = value if type(value) is str else str(value)
    if _XML_SPECIAL.search(text):
        text = escape(_XML_INVALID.sub("\ufffd", text), _ATTR_ENTITIES)
    return f'"{text}"'
