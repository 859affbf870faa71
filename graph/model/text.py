"""Plain text: the characters no value in Linkscope may hold, curated or imported."""

from __future__ import annotations

import re

__all__ = ["FORBIDDEN_CHARS", "check_plain_text"]

# C0 controls other than tab, newline and carriage return, DEL, C1 controls, and the
# bidi overrides/isolates that can make text display differently from what it says.
FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_plain_text(value: str) -> str:
    """Reject control and bidi-override characters, which no curated text needs.

    >>> check_plain_text("Xi'an Longde")
    "Xi'an Longde"
    """
    bad = FORBIDDEN_CHARS.search(value)
    if bad:
        raise ValueError(
            f"contains the control or bidi-override character U+{ord(bad.group()):04X} at position {bad.start()}"
        )
    return value
