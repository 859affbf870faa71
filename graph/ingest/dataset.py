"""A validated dataset: the entries of all data files, merged, with where each came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.model.datafile import (
    Defaults,
    Entity,
    KindSpec,
    LevelSpec,
    MeasureSpec,
    Relation,
    RelationType,
    Source,
    SourceTypeSpec,
    StatusSpec,
)

__all__ = ["Dataset", "Origin"]


@dataclass(frozen=True)
class Origin:
    """Where an entry was written: file, line and entry path (``relations[3]``)."""

    file: str
    line: int | None
    path: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} ({self.path})" if self.path else where


@dataclass
class Dataset:
    """Everything the files declare. Only :func:`graph.load.load_dataset` builds a valid one.

    ``relations`` keep file order; each relation's ``key`` is resolved (explicit or default).
    ``origins`` maps ``("entity", id)``, ``("source", id)``, ``("relation", index)`` and the
    vocabulary's entries (``("kind", name)``...) to the place the entry was written.
    """

    kinds: dict[str, KindSpec] = field(default_factory=dict)
    relation_types: dict[str, RelationType] = field(default_factory=dict)
    statuses: dict[str, StatusSpec] = field(default_factory=dict)
    confidence: dict[str, LevelSpec] = field(default_factory=dict)
    """Confidence levels, strongest first."""
    source_types: dict[str, SourceTypeSpec] = field(default_factory=dict)
    """Source types, strongest first."""
    measures: dict[str, MeasureSpec] = field(default_factory=dict)
    defaults: Defaults | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    origins: dict[tuple[str, str | int], Origin] = field(default_factory=dict)
