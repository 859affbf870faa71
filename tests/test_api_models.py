"""The API's response models and the domain's typed results name the same fields, required alike.

The domain speaks in typed results (TypedDicts and dataclasses in ``graph/``); ``app/api_models.py``
describes the same shapes for the API's readers. This test walks each pair, and the pairs
nested inside them, so that a field added, renamed or made optional on one side fails here.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from pydantic import BaseModel

from app import api_models as api
from app.live import ReloadOutcome
from graph import xref
from graph.queries import changes, entity_detail, groups, part, paths, supply_chain, timeline
from graph.store import records, search, stats

PAIRS: list[tuple[Any, type[BaseModel]]] = [
    (records.EntitySummary, api.EntitySummary),
    (records.Citation, api.CitationOut),
    (records.EntityRecord, api.NodeOut),
    (records.UnresolvedReference, api.UnresolvedReference),
    (records.RelationRecord, api.EdgeOut),
    (search.SearchHit, api.SearchHit),
    (search.SearchPage, api.SearchPage),
    (entity_detail.RelatedItem, api.RelatedItem),
    (entity_detail.RelationGroup, api.RelationGroup),
    (entity_detail.EntityDetail, api.EntityDetailOut),
    (part.PartNode, api.SubgraphNode),
    (part.PartAnswer, api.SubgraphOut),
    (part.GroupNode, api.GroupNodeOut),
    (groups.GroupedRelation, api.GroupedRelationOut),
    (groups.MembersPage, api.GroupMembersOut),
    (paths.ChainHop, api.ChainHop),
    (paths.Hop, api.Hop),
    (paths.SharedStep, api.SharedStep),
    (paths.PathAnswer, api.PathOut),
    (paths.PathsAnswer, api.PathsOut),
    (supply_chain.Designation, api.Designation),
    (supply_chain.Upstream, api.Upstream),
    (supply_chain.SupplyChainAnswer, api.SupplyChainOut),
    (changes.ChangeRound, api.ChangeRound),
    (changes.EntityChange, api.EntityChange),
    (changes.EntityChanges, api.EntityChanges),
    (changes.ChangesAnswer, api.ChangesOut),
    (timeline.TimelineRound, api.TimelineRound),
    (timeline.TimelineDate, api.TimelineDate),
    (timeline.Timeline, api.TimelineOut),
    (ReloadOutcome, api.ReloadOut),
    (xref.Candidate, api.MatchCandidate),
    (xref.XrefResult, api.MatchesOut),
]


def domain_fields(kind: Any) -> dict[str, bool]:
    """Field name -> required, for a TypedDict or a dataclass."""
    if is_typeddict(kind):
        return {name: name in kind.__required_keys__ for name in get_type_hints(kind)}
    assert dataclasses.is_dataclass(kind), kind
    return {
        f.name: f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        for f in dataclasses.fields(kind)
    }


def api_fields(model: type[BaseModel]) -> dict[str, bool]:
    return {(field.alias or name): field.is_required() for name, field in model.model_fields.items()}


@pytest.mark.parametrize(("domain", "model"), PAIRS, ids=lambda k: getattr(k, "__name__", str(k)))
def test_the_api_model_names_the_domain_fields(domain: Any, model: type[BaseModel]) -> None:
    assert api_fields(model) == domain_fields(domain)


def nested(kind: Any) -> set[Any]:
    """The TypedDicts and dataclasses a result's fields hold (in lists, options...)."""
    found: set[Any] = set()
    hints = get_type_hints(kind) if is_typeddict(kind) else {f.name: f.type for f in dataclasses.fields(kind)}
    if not is_typeddict(kind):
        hints = typing.get_type_hints(kind)
    stack = list(hints.values())
    while stack:
        hint = stack.pop()
        if is_typeddict(hint) or (dataclasses.is_dataclass(hint) and isinstance(hint, type)):
            found.add(hint)
        elif get_origin(hint) is not None:
            stack.extend(get_args(hint))
    return found


def test_every_nested_result_has_its_model() -> None:
    paired = {domain for domain, _ in PAIRS}
    for domain, _ in PAIRS:
        assert nested(domain) <= paired, f"{domain.__name__} holds results no API model describes"


def test_stats_answer_extends_the_graph_stats() -> None:
    assert set(get_type_hints(stats.GraphStats)) <= set(api.StatsOut.model_fields)
