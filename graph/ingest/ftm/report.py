"""What an FtM load read, built and skipped, and the problems it found (file, line, reason)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.errors import DataError, Problem

__all__ = ["MAX_LISTED", "FtmReport", "Progress"]

#: Problems listed by name in an error; the rest are counted.
MAX_LISTED = 50
#: Unresolved references listed with their file and line; the rest are counted by property.
MAX_UNRESOLVED_LISTED = 10

#: ``progress(bytes_read, bytes_total, lines_read)``, called every few thousand lines and at the end.
Progress = Callable[[int, int, int], None]


@dataclass
class FtmReport:
    """What a load read, built and skipped."""

    files: list[str] = field(default_factory=list)
    lines: int = 0
    entities: int = 0
    nodes: int = 0
    edges: int = 0
    sanctions: int = 0
    authorities: int = 0
    merged: int = 0
    cleaned: int = 0
    """Text values from which control or bidi-override characters were removed."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Skipped lines and dropped references by reason (``skip_invalid`` only)."""
    unknown_schemata: Counter[str] = field(default_factory=Counter)
    unresolved: Counter[str] = field(default_factory=Counter)
    """References to entities no loaded file holds, by property (``addressEntity``, ``Ownership.asset``...)."""
    unresolved_examples: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def reference_not_loaded(self, prop: str, file: str, line: int | None, message: str) -> None:
        """Count one reference to an entity no loaded file holds; list the first few."""
        self.unresolved[prop] += 1
        if len(self.unresolved_examples) < MAX_UNRESOLVED_LISTED:
            self.unresolved_examples.append(Problem(file, line, "", message))

    def problem(self, reason: str, file: str, line: int | None, message: str) -> None:
        """Record one problem: counted by reason, listed while fewer than :data:`MAX_LISTED` are."""
        self.problem_count += 1
        self.skipped[reason] += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(file, line, "", message))

    def error(self) -> DataError:
        """Every problem as one error: the first :data:`MAX_LISTED` listed, then a count."""
        problems = list(self.problems)
        if self.problem_count > len(problems):
            more = self.problem_count - len(problems)
            problems.append(Problem(problems[-1].file, None, "", f"... and {more:,} more bad lines not listed"))
        return DataError(problems)

    def summary(self) -> str:
        """One paragraph for a log line or the CLI."""
        text = (
            f"{self.entities:,} FtM entities from {self.lines:,} lines in {len(self.files)} file(s): "
            f"{self.nodes:,} nodes, {self.edges:,} edges ({self.sanctions:,} sanctions from "
            f"{self.authorities:,} authorities), {self.merged:,} merged into curated entities"
        )
        if self.cleaned:
            text += f"; control characters removed from {self.cleaned:,} values"
        if self.skipped:
            text += "; skipped: " + ", ".join(f"{n:,} {reason}" for reason, n in self.skipped.most_common())
        if self.unknown_schemata:
            text += "; unknown schemata: " + ", ".join(f"{s} ({n:,})" for s, n in self.unknown_schemata.most_common())
        if self.unresolved:
            total = sum(self.unresolved.values())
            text += f"; {total:,} references to entities no loaded file holds (kept on the referring entity): "
            text += ", ".join(f"{n:,} {prop}" for prop, n in self.unresolved.most_common())
        return text

    def unresolved_lines(self) -> list[str]:
        """The first few unresolved references, each with its file and line."""
        return [str(example) for example in self.unresolved_examples]

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "lines": self.lines,
            "entities": self.entities,
            "nodes": self.nodes,
            "edges": self.edges,
            "sanctions": self.sanctions,
            "authorities": self.authorities,
            "merged": self.merged,
            "cleaned": self.cleaned,
            "skipped": dict(self.skipped.most_common()),
            "unknown_schemata": dict(self.unknown_schemata.most_common()),
            "unresolved": dict(self.unresolved.most_common()),
            "unresolved_examples": self.unresolved_lines(),
        }

    def dump(self) -> dict[str, Any]:
        """Everything, as plain JSON that :meth:`load` reads back (snapshots and databases keep it)."""
        raw = asdict(self)
        for name in ("skipped", "unknown_schemata", "unresolved"):
            raw[name] = dict(getattr(self, name))
        return raw

    @classmethod
    def load(cls, raw: dict[str, Any]) -> FtmReport:
        raw = dict(raw)
        for name in ("skipped", "unknown_schemata", "unresolved"):
            raw[name] = Counter(raw[name])
        for name in ("unresolved_examples", "problems"):
            raw[name] = [Problem(**p) for p in raw[name]]
        return cls(**raw)
