"""Does the confidence an entry claims follow from its sources?

Every source declares its type (primary government text, official mirror, wire, press,
weak), and each type supports a confidence level at most (``source_types`` in the
vocabulary). An entry may claim a level when enough of its sources support it: as many
different publishers as the level's ``corroboration`` asks for (press-quoting-primary:
two outlets printing the same wording), each of a type that supports that level or a
stronger one. A forum thread cannot make a claim primary, and one wire copy cannot make it
press-quoting-primary.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.ingest.dataset import Dataset
from graph.model.datafile import Citation

__all__ = ["citation_types", "supported_level", "unsupported_claim"]


def citation_types(ds: Dataset, citations: Iterable[Citation]) -> list[tuple[str, str]]:
    """(publisher, source type) of each citation that resolves (unknown refs are reported elsewhere)."""
    found = []
    for citation in citations:
        if citation.ref is not None:
            source = ds.sources.get(citation.ref)
            if source is not None:
                found.append((source.publisher, source.type))
        elif citation.publisher is not None and citation.type is not None:
            found.append((citation.publisher, citation.type))
    return found


def _rank(ds: Dataset, level: str) -> int:
    order = list(ds.confidence)
    return order.index(level) if level in order else len(order)


def supports(ds: Dataset, citations: Iterable[Citation], level: str) -> bool:
    """Whether ``citations`` support claiming ``level`` (see the module docstring)."""
    spec = ds.confidence.get(level)
    if spec is None:
        return True  # an unknown level is reported on its own
    wanted = _rank(ds, level)
    publishers = {
        publisher
        for publisher, kind in citation_types(ds, citations)
        if kind in ds.source_types and _rank(ds, ds.source_types[kind].supports) <= wanted
    }
    return len(publishers) >= spec.corroboration


def supported_level(ds: Dataset, citations: list[Citation]) -> str | None:
    """The strongest confidence level ``citations`` support, or None when they support none."""
    return next((level for level in ds.confidence if supports(ds, citations, level)), None)


def unsupported_claim(ds: Dataset, level: str, citations: list[Citation]) -> str | None:
    """Why ``level`` is more than ``citations`` support, or None when they support it."""
    if not ds.source_types or supports(ds, citations, level):
        return None
    spec = ds.confidence[level]
    types = [kind for kind, spec_ in ds.source_types.items() if _rank(ds, spec_.supports) <= _rank(ds, level)]
    cited = ", ".join(f"{publisher} ({kind})" for publisher, kind in citation_types(ds, citations)) or "none"
    best = supported_level(ds, citations)
    needs = f"{spec.corroboration} sources from different publishers" if spec.corroboration > 1 else "a source"
    return f"confidence {level!r} needs {needs} of type {' or '.join(types)}; cited: {cited}" + (
        f"; they support {best!r}" if best else ""
    )
