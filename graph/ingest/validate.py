"""Checks across entries and files: references, the vocabulary's kinds, statuses, confidence
levels, source types and measures, kinds each relation type allows, keys, dates, and whether
each entry's sources support the confidence it claims (:mod:`graph.ingest.evidence`).

Each entry was already checked on its own by the pydantic models; this module checks
what only the whole dataset can tell, and reports problems at the line of the entry.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any
from urllib.parse import urlsplit

from graph.errors import Problem
from graph.ingest.dataset import Dataset, Origin
from graph.ingest.evidence import unsupported_claim
from graph.model.datafile import AttributeSpec, Citation, Relation, RelationType
from graph.model.dates import parse_partial_date
from graph.model.text import check_plain_text

__all__ = ["check_dataset"]


def check_dataset(ds: Dataset, broken: Set[str] = frozenset()) -> list[Problem]:
    """Every cross-reference problem in ``ds``; empty when the dataset is consistent.

    ``broken`` holds ids of entries already reported invalid on their own; references to
    them are not reported again as unknown.
    """
    problems: list[Problem] = []
    for section in ("kinds", "relation_types", "statuses", "confidence", "source_types"):
        if not getattr(ds, section):
            problems.append(Problem("(dataset)", None, "", f"no vocabulary: declare '{section}'"))
    if ds.defaults is None:
        problems.append(Problem("(dataset)", None, "", "no vocabulary: declare 'defaults'"))
    for name, spec in ds.source_types.items():
        if spec.supports not in ds.confidence and ds.confidence:
            where = ds.origins[("source_type", name)]
            problems.append(_at(where, "supports", f"unknown confidence level {spec.supports!r}"))
    for name, rtype in ds.relation_types.items():
        problems.extend(_check_relation_type(ds, name, rtype, broken))
    for source_id, source in ds.sources.items():
        if ds.source_types and source.type not in ds.source_types:
            where = ds.origins[("source", source_id)]
            problems.append(
                _at(where, "type", f"unknown source type {source.type!r}; known: {', '.join(ds.source_types)}")
            )
    claimed: dict[str, str] = {}  # an FtM id -> the curated entity whose same_as lists it
    for entity_id, entity in ds.entities.items():
        where = ds.origins[("entity", entity_id)]
        for other in entity.same_as:
            first = claimed.setdefault(other, entity_id)
            if first != entity_id:
                problems.append(
                    _at(
                        where,
                        "same_as",
                        f"{other!r} is already in the same_as of {first!r}; an id merges into one entity",
                    )
                )
        if entity.kind not in ds.kinds and entity.kind not in broken:
            problems.append(_at(where, "kind", f"unknown kind {entity.kind!r}; known: {_names(ds.kinds)}"))
        problems.extend(_check_level(ds, where, entity.confidence, entity.sources))
        problems.extend(_check_citations(ds, where, entity.sources, broken))
    seen_keys: dict[tuple[str, str, str], Origin] = {}
    for index, relation in enumerate(ds.relations):
        where = ds.origins[("relation", index)]
        problems.extend(_check_relation(ds, where, relation, broken))
        key = relation.key or relation.default_key()
        edge = (relation.source, relation.target, key)
        if edge in seen_keys:
            problems.append(
                _at(
                    where,
                    "key",
                    f"a {relation.type!r} relation from {relation.source!r} to {relation.target!r} "
                    f"with key {key!r} already exists at {seen_keys[edge]}; give one of them "
                    "a distinct 'key'",
                )
            )
        else:
            seen_keys[edge] = where
            relation.key = key
    return problems


def _at(origin: Origin, field: str, message: str) -> Problem:
    path = f"{origin.path}.{field}" if field else origin.path
    return Problem(origin.file, origin.line, path, message)


def _names(table: dict[str, Any]) -> str:
    return ", ".join(sorted(table)) or "(none)"


def _check_level(ds: Dataset, where: Origin, level: str, citations: list[Citation]) -> list[Problem]:
    """The level must be declared, and the sources must support it."""
    if not ds.confidence:
        return []
    if level not in ds.confidence:
        return [_at(where, "confidence", f"unknown confidence level {level!r}; known: {', '.join(ds.confidence)}")]
    if any(c.ref is not None and (c.ref not in ds.sources or ds.sources[c.ref].type not in ds.source_types)
           for c in citations):  # fmt: skip
        return []  # an unknown source or source type is reported on its own; what it would support is unknowable
    why = unsupported_claim(ds, level, citations)
    return [_at(where, "confidence", why)] if why else []


def _check_relation_type(ds: Dataset, name: str, rtype: RelationType, broken: Set[str]) -> list[Problem]:
    where = ds.origins[("relation_type", name)]
    problems = [
        _at(where, side, f"unknown kind {kind!r}; known: {_names(ds.kinds)}")
        for side in ("source_kinds", "target_kinds")
        for kind in getattr(rtype, side)
        if kind not in ds.kinds and kind not in broken
    ]
    rule = rtype.chain_rule
    for kind in (rule.between or []) if rule is not None else []:
        if kind not in ds.kinds and kind not in broken:
            problems.append(_at(where, "supply_chain.between", f"unknown kind {kind!r}; known: {_names(ds.kinds)}"))
    for attr, spec in rtype.attributes.items():
        if attr in Relation.model_fields:
            problems.append(_at(where, f"attributes.{attr}", f"{attr!r} is a common relation field"))
        for kind in spec.kinds or []:
            if kind not in ds.kinds and kind not in broken:
                problems.append(_at(where, f"attributes.{attr}.kinds", f"unknown kind {kind!r}"))
    return problems


def _check_citations(ds: Dataset, where: Origin, citations: list[Citation], broken: Set[str]) -> list[Problem]:
    problems = []
    for i, c in enumerate(citations):
        if c.ref is not None and c.ref not in ds.sources and c.ref not in broken:
            problems.append(_at(where, f"sources[{i}]", f"unknown source {c.ref!r}; declare it in a 'sources' section"))
        if c.type is not None and ds.source_types and c.type not in ds.source_types:
            problems.append(_at(where, f"sources[{i}].type", f"unknown source type {c.type!r}"))
    return problems


def _check_relation(ds: Dataset, where: Origin, rel: Relation, broken: Set[str]) -> list[Problem]:
    problems = _check_citations(ds, where, rel.sources, broken) + _check_level(ds, where, rel.confidence, rel.sources)
    problems.extend(_check_status(ds, where, rel))
    rtype = ds.relation_types.get(rel.type)
    if rtype is None:
        if rel.type in broken:
            return problems
        return [
            *problems,
            _at(where, "type", f"unknown relation type {rel.type!r}; known: {_names(ds.relation_types)}"),
        ]
    if rel.source == rel.target:
        problems.append(_at(where, "target", f"a relation cannot link {rel.source!r} to itself"))
    for side, allowed in (("source", rtype.source_kinds), ("target", rtype.target_kinds)):
        entity_id = getattr(rel, side)
        entity = ds.entities.get(entity_id)
        if entity is None:
            if entity_id not in broken:
                problems.append(_at(where, side, f"unknown entity id {entity_id!r}"))
        elif entity.kind not in allowed:
            problems.append(
                _at(
                    where,
                    side,
                    f"{rel.type!r} cannot have a {entity.kind} as its {side} ({entity_id!r}); "
                    f"allowed: {', '.join(allowed)}",
                )
            )
    if rtype.dates == "required" and rel.when is None:
        problems.append(_at(where, "date", f"a {rel.type!r} relation needs a 'date' (or 'start')"))
    if rtype.dates == "none" and (rel.when or rel.end):
        problems.append(_at(where, "date", f"a {rel.type!r} relation carries no dates"))
    extra = rel.model_extra or {}
    for attr, value in extra.items():
        spec = rtype.attributes.get(attr)
        if spec is None:
            declared = ", ".join(rtype.attributes) or "none"
            problems.append(_at(where, attr, f"unknown field {attr!r} for {rel.type!r} (its attributes: {declared})"))
        else:
            problems.extend(_at(where, attr, msg) for msg in _attribute_errors(ds, spec, value, broken))
    for attr, spec in rtype.attributes.items():
        if spec.required and attr not in extra:
            problems.append(_at(where, attr, f"a {rel.type!r} relation needs {attr!r}"))
    problems.extend(_check_term(ds, where, rel))
    return problems


def _check_status(ds: Dataset, where: Origin, rel: Relation) -> list[Problem]:
    """A declared status; an inference gives its reasoning and is nobody's claim."""
    if not ds.statuses:
        return []
    spec = ds.statuses.get(rel.status)
    if spec is None:
        return [_at(where, "status", f"unknown status {rel.status!r}; known: {', '.join(ds.statuses)}")]
    problems = []
    if spec.inference and rel.reasoning is None:
        problems.append(_at(where, "reasoning", f"a {rel.status!r} relation says how it was derived in 'reasoning'"))
    if spec.inference and rel.claimed_by is not None:
        problems.append(
            _at(where, "claimed_by", f"a {rel.status!r} relation is the curator's, not a claim by {rel.claimed_by!r}")
        )
    if not spec.inference and rel.reasoning is not None:
        problems.append(_at(where, "reasoning", f"'reasoning' belongs to inferred relations, not {rel.status!r} ones"))
    return problems


def _check_term(ds: Dataset, where: Origin, rel: Relation) -> list[Problem]:
    """A statutory end is the start plus the term the relation's measure declares."""
    if rel.end_basis != "statutory" or rel.end is None:
        return []
    measure = ds.measures.get(str((rel.model_extra or {}).get("measure")))
    if measure is None or measure.term is None:
        return [_at(where, "end_basis", "a statutory end needs a 'measure' whose vocabulary entry declares a term")]
    start = rel.when
    if start is None:
        return [_at(where, "start", "a statutory end is counted from the 'start'")]
    expected = f"{int(start[:4]) + measure.term.years}{start[4:]}"
    if rel.end != expected:
        years = measure.term.years
        return [
            _at(where, "end", f"the statutory end is {years} years after the start {start}: {expected}, not {rel.end}")
        ]
    return []


def _attribute_errors(ds: Dataset, spec: AttributeSpec, value: Any, broken: Set[str]) -> list[str]:
    """Why ``value`` does not fit ``spec``; empty when it does."""
    many = spec.type in ("texts", "entities")
    values = value if isinstance(value, list) else [value]
    if many != isinstance(value, list) or (many and not value):
        return [f"expected {'a non-empty list' if many else 'a single value'} ({spec.type})"]
    errors: list[str] = []
    for v in values:
        if spec.type in ("date", "url", "measure"):
            errors.extend(_scalar_errors(ds, spec.type, v))
        elif spec.type in ("text", "texts", "entity", "entities"):
            if not isinstance(v, str) or not v.strip():
                errors.append(f"expected text, got {v!r}")
                continue
            if len(v) > 20_000:
                errors.append(f"text of {len(v)} characters is longer than 20,000")
            try:
                check_plain_text(v)
            except ValueError as err:
                errors.append(str(err))
            if spec.type in ("entity", "entities"):
                target = ds.entities.get(v)
                if target is None:
                    if v not in broken:
                        errors.append(f"unknown entity id {v!r}")
                elif spec.kinds and target.kind not in spec.kinds:
                    errors.append(f"{v!r} is a {target.kind}; expected {', '.join(spec.kinds)}")
        elif spec.type == "number" and (isinstance(v, bool) or not isinstance(v, (int, float))):
            errors.append(f"expected a number, got {v!r}")
        elif spec.type == "boolean" and not isinstance(v, bool):
            errors.append(f"expected true or false, got {v!r}")
    return errors


def _scalar_errors(ds: Dataset, kind: str, value: Any) -> list[str]:
    """Why a date, URL or measure value is not one; empty when it is."""
    if kind == "date" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a year
    if not isinstance(value, str):
        return [f"expected a {kind} as text, got {value!r}"]
    if kind == "date":
        try:
            parse_partial_date(value)
        except ValueError as err:
            return [str(err)]
    elif kind == "url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
            return [f"only complete http and https URLs are allowed, not {value!r}"]
    elif ds.measures and value not in ds.measures:
        return [f"unknown measure {value!r}; known: {', '.join(ds.measures)}"]
    return []
