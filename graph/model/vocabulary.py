"""The vocabulary a graph speaks, as one typed object: kinds, relation types, statuses, confidence.

Everything that gives the data its meaning lives here as data read from
``data/vocabulary.yaml`` (validated like the rest), never as code keyed by name: how each
kind and relation type is drawn, which kinds get a ``based_in`` edge from their country
field, which relations carry supplies towards a programme, which statuses are drawn faint,
the order of confidence levels, and the explorer's opening view. Adding a kind or a
relation type is a change to the vocabulary file alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from graph.model.datafile import (
    Defaults,
    KindSpec,
    KindStyle,
    LevelSpec,
    MeasureSpec,
    RelationStyle,
    RelationType,
    SourceTypeSpec,
    StatusSpec,
    ViewSpec,
)

__all__ = ["FALLBACK_DEFAULTS", "Vocabulary"]

#: Only for a vocabulary that declares no defaults at all (an empty graph built in code).
FALLBACK_DEFAULTS = Defaults(
    kind_style=KindStyle(color="#9ca3af", shape="dot", size=12),
    relation_style=RelationStyle(color="#9ca3af", width=1),
)


@dataclass(frozen=True)
class Vocabulary:
    """Kinds, relation types, statuses and confidence levels (strongest first), with the defaults."""

    kinds: Mapping[str, KindSpec] = field(default_factory=dict)
    relation_types: Mapping[str, RelationType] = field(default_factory=dict)
    statuses: Mapping[str, StatusSpec] = field(default_factory=dict)
    confidence: Mapping[str, LevelSpec] = field(default_factory=dict)
    defaults: Defaults = field(default_factory=lambda: FALLBACK_DEFAULTS)
    source_types: Mapping[str, SourceTypeSpec] = field(default_factory=dict)
    measures: Mapping[str, MeasureSpec] = field(default_factory=dict)

    # ---- drawing ---------------------------------------------------------------------

    def kind_style(self, kind: str | None) -> KindStyle:
        """How a kind is drawn; kinds named on the fly by imported data get the default style."""
        spec = self.kinds.get(kind or "")
        return spec.style if spec is not None else self.defaults.kind_style

    def relation_style(self, relation: str) -> RelationStyle:
        spec = self.relation_types.get(relation)
        return spec.style if spec is not None else self.defaults.relation_style

    def faint(self, status: str | None) -> bool:
        """Whether relations of this status are drawn fainter (contested, attributed or inferred claims)."""
        spec = self.statuses.get(status or "")
        return spec is not None and spec.faint

    def status_dashes(self, status: str | None) -> list[int] | None:
        """The dash pattern that marks a status whatever the relation (inferred: dotted), if any."""
        spec = self.statuses.get(status or "")
        return spec.dashes if spec is not None else None

    def inference(self, status: str | None) -> bool:
        """Whether a status marks the curator's inference rather than anyone's claim."""
        spec = self.statuses.get(status or "")
        return spec is not None and spec.inference

    def weak_only(self, citations: Iterable[Mapping[str, Any]]) -> bool:
        """Whether every citation is of a source type that supports only the weakest level."""
        types = [str(c.get("type")) for c in citations]
        if not types or not self.source_types or not self.confidence:
            return False
        weakest = list(self.confidence)[-1]
        return all(t in self.source_types and self.source_types[t].supports == weakest for t in types)

    # ---- reading -----------------------------------------------------------------------

    def relation_label(self, relation: str, forward: bool = True) -> str:
        """The verb read from source to target (``forward``) or back: "supplied" / "supplied by".

        >>> Vocabulary().relation_label("owns", forward=False)
        'owns (reverse)'
        """
        spec = self.relation_types.get(relation)
        if spec is None:
            return relation if forward else f"{relation} (reverse)"
        return spec.label if forward else spec.inverse_label

    def kind_label(self, kind: str) -> str:
        spec = self.kinds.get(kind)
        return spec.label if spec is not None else kind

    def directed(self, relation: str) -> bool:
        spec = self.relation_types.get(relation)
        return spec.directed if spec is not None else True

    # ---- semantics -------------------------------------------------------------------

    def party(self, kind: str | None) -> str | None:
        """``person`` or ``organisation`` for kinds a name match may identify; None for the others."""
        spec = self.kinds.get(kind or "")
        return spec.party if spec is not None else None

    def located(self, kind: str) -> bool:
        """Whether entities of ``kind`` get a ``based_in`` edge from their country field."""
        spec = self.kinds.get(kind)
        return spec is not None and spec.located

    def feeds_chain(self, relation: str | None, upstream_kind: str | None, downstream_kind: str | None) -> bool:
        """Whether an edge of ``relation`` from an ``upstream_kind`` entity carries supplies towards
        the ``downstream_kind`` one (supplied, develops; part_of only between programmes)."""
        spec = self.relation_types.get(relation or "")
        rule = spec.chain_rule if spec is not None else None
        if rule is None:
            return False
        return rule.between is None or (upstream_kind in rule.between and downstream_kind in rule.between)

    def shared(self, relation: str | None) -> bool:
        """Whether two relations of this type meeting at an entity do not connect their other ends
        (both designated by one authority, both based in one country); see ``paths`` in the vocabulary."""
        return relation in self.shared_relations

    @cached_property
    def shared_relations(self) -> frozenset[str]:
        return frozenset(name for name, spec in self.relation_types.items() if spec.paths == "shared")

    def confidence_rank(self, level: str | None) -> int:
        """0 for the strongest level; unknown levels rank below every declared one."""
        order = self._confidence_order
        return order.get(level or "", len(order))

    def weakest(self, levels: Iterable[str | None]) -> str | None:
        """The weakest of some confidence levels (None when there are none).

        >>> vocabulary = Vocabulary(
        ...     confidence=dict.fromkeys(["primary", "press", "weak"], LevelSpec(label="x", description="x"))
        ... )
        >>> vocabulary.weakest(["press", "primary"])
        'press'
        """
        chosen = [level for level in levels if level]
        return max(chosen, key=self.confidence_rank) if chosen else None

    @cached_property
    def _confidence_order(self) -> dict[str, int]:
        return {level: rank for rank, level in enumerate(self.confidence)}

    @property
    def view(self) -> ViewSpec | None:
        """The explorer's opening view, when the vocabulary names one."""
        return self.defaults.view

    # ---- building ----------------------------------------------------------------------

    def extended(
        self,
        kinds: Mapping[str, KindSpec] | None = None,
        relation_types: Mapping[str, RelationType] | None = None,
        confidence: Mapping[str, LevelSpec] | None = None,
    ) -> Vocabulary:
        """A vocabulary with these entries added (existing ones win: curated definitions stay)."""
        return replace(
            self,
            kinds={**(kinds or {}), **self.kinds},
            relation_types={**(relation_types or {}), **self.relation_types},
            confidence={**self.confidence, **{k: v for k, v in (confidence or {}).items() if k not in self.confidence}},
        )

    def widened(self, relations: Iterable[str], kinds: Iterable[str]) -> Vocabulary:
        """A vocabulary whose ``relations`` may connect any of ``kinds`` as well (imported data
        is not held to the curated kind rules: an OpenSanctions vessel can be sanctioned)."""
        extra = set(kinds)
        types = dict(self.relation_types)
        for name in relations:
            spec = types.get(name)
            if spec is None:
                continue
            types[name] = spec.model_copy(
                update={
                    "source_kinds": sorted(set(spec.source_kinds) | extra),
                    "target_kinds": sorted(set(spec.target_kinds) | extra),
                }
            )
        return replace(self, relation_types=types)

    def dump(self) -> dict[str, Any]:
        """Everything, as JSON that :meth:`load` reads back (a snapshot keeps the vocabulary so)."""
        return {
            "kinds": {name: spec.model_dump(mode="json") for name, spec in self.kinds.items()},
            "relation_types": {name: spec.model_dump(mode="json") for name, spec in self.relation_types.items()},
            "statuses": {name: spec.model_dump(mode="json") for name, spec in self.statuses.items()},
            "confidence": {name: spec.model_dump(mode="json") for name, spec in self.confidence.items()},
            "defaults": self.defaults.model_dump(mode="json"),
            "source_types": {name: spec.model_dump(mode="json") for name, spec in self.source_types.items()},
            "measures": {name: spec.model_dump(mode="json") for name, spec in self.measures.items()},
        }

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Vocabulary:
        """The vocabulary :meth:`dump` wrote, validated again."""
        return cls(
            kinds={k: KindSpec.model_validate(v) for k, v in data["kinds"].items()},
            relation_types={k: RelationType.model_validate(v) for k, v in data["relation_types"].items()},
            statuses={k: StatusSpec.model_validate(v) for k, v in data["statuses"].items()},
            confidence={k: LevelSpec.model_validate(v) for k, v in data["confidence"].items()},
            defaults=Defaults.model_validate(data["defaults"]),
            source_types={k: SourceTypeSpec.model_validate(v) for k, v in data["source_types"].items()},
            measures={k: MeasureSpec.model_validate(v) for k, v in data["measures"].items()},
        )

    def as_json(self) -> dict[str, Any]:
        """The vocabulary as plain JSON (for /api/stats and the exports' graph attributes)."""
        return {
            "kinds": {name: spec.model_dump(exclude_none=True) for name, spec in self.kinds.items()},
            "relation_types": {name: spec.model_dump(exclude_none=True) for name, spec in self.relation_types.items()},
            "statuses": {name: spec.model_dump() for name, spec in self.statuses.items()},
            "confidence": {name: spec.model_dump() for name, spec in self.confidence.items()},
            "source_types": {name: spec.model_dump() for name, spec in self.source_types.items()},
            "measures": {name: spec.model_dump(exclude_none=True) for name, spec in self.measures.items()},
        }
