"""The HTML page a browser gets for a bad explorer or brief URL: what was wrong, and a way back."""

from __future__ import annotations

from app.explorer_page import TEMPLATES_ENV

__all__ = ["render_error_page"]


def render_error_page(status: int, message: str, hint: str | None, details: list[str]) -> str:
    """Every value is autoescaped: a message may quote the URL the reader typed."""
    return TEMPLATES_ENV.get_template("error.html").render(
        status=status, message=message, hint=hint, details=[d for d in details if d != message]
    )
