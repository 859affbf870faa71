"""The FollowTheMoney schema facts Linkscope reads FtM files with, without the library.

``schemata.json`` is generated from the followthemoney library by
``tools/ftm_schemata.py`` (``make ftm-schemata``): each schema's ancestors, whether it is
abstract, the properties naming its caption, its edge declaration (source and target
properties) and the type of every property; plus the FtM country codes and names. A
plain install therefore needs neither the library nor its 60-second PyICU build.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["EdgeSpec", "FtmModel", "FtmSchema", "ftm_model"]

_FACTS = Path(__file__).with_name("schemata.json")


@dataclass(frozen=True)
class EdgeSpec:
    """How an edge schema points: from the entity in ``source`` to the one in ``target``."""

    source: str
    target: str
    label: str
    directed: bool


@dataclass(frozen=True)
class FtmSchema:
    """One FtM schema, reduced to what loading needs."""

    name: str
    label: str
    abstract: bool
    ancestors: frozenset[str]
    caption: tuple[str, ...]
    edge: EdgeSpec | None
    properties: Mapping[str, str]
    """Property name to type name; entity references read ``entity:<Range>``."""

    def is_a(self, name: str) -> bool:
        """Whether this schema is ``name`` or extends it."""
        return name == self.name or name in self.ancestors


@dataclass(frozen=True)
class FtmModel:
    """All schemata and country codes of the followthemoney version the facts came from."""

    version: str
    schemata: Mapping[str, FtmSchema]
    countries: Mapping[str, str]
    """Lower-case FtM country code (ISO 3166-1 and a few more, e.g. ``suhh``) to English name."""

    def get(self, name: str) -> FtmSchema | None:
        return self.schemata.get(name)


def _schema(name: str, raw: dict[str, Any]) -> FtmSchema:
    edge = raw.get("edge")
    return FtmSchema(
        name=name,
        label=raw["label"],
        abstract=raw["abstract"],
        ancestors=frozenset(raw["ancestors"]),
        caption=tuple(raw["caption"]),
        edge=EdgeSpec(edge["source"], edge["target"], edge["label"], edge["directed"]) if edge else None,
        properties=dict(raw["properties"]),
    )


@cache
def ftm_model() -> FtmModel:
    """The committed schema facts, read once.

    >>> model = ftm_model()
    >>> model.get("Ownership").edge.source, model.get("Ownership").edge.target
    ('owner', 'asset')
    >>> model.get("Company").is_a("LegalEntity"), model.countries["ru"]
    (True, 'Russia')
    """
    raw = json.loads(_FACTS.read_text(encoding="utf-8"))
    schemata = {name: _schema(name, spec) for name, spec in raw["schemata"].items()}
    return FtmModel(raw["followthemoney"], schemata, raw["countries"])
