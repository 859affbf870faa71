"""FollowTheMoney export: one entity per line (``entities.ftm.json`` style), for Aleph and OpenSanctions tools.

Nodes become Company, PublicBody, Organization, Person, Project, Address or LegalEntity;
designations become ``Sanction`` entities (``entity``, ``authority``, ``program``,
``startDate``, ``reason``, ``sourceUrl``); development links ``ProjectParticipant``;
memberships and employments their own schemata; every other relation an ``UnknownLink``
whose ``role`` names it. Ids keep Linkscope's, folded to FtM's id alphabet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx
import orjson

from graph.exports.source import Source, as_source
from graph.exports.stream import CHUNK_SIZE
from graph.ingest.ftm.mapping import EDGE_PROPERTIES
from graph.ingest.ftm.schemata import ftm_model
from graph.store import records

__all__ = ["MEDIA_TYPE", "NODE_SCHEMATA", "ftm_entities", "ftm_id", "generate_ftm"]

MEDIA_TYPE = "application/jsonl"

#: Linkscope kind -> FtM schema, for curated entities (imported ones keep their own schema).
#: A country is a LegalEntity: FtM has no country entity in its core.
NODE_SCHEMATA = {
    "firm": "Company",
    "agency": "PublicBody",
    "institute": "Organization",
    "organization": "Organization",
    "legal-entity": "LegalEntity",
    "person": "Person",
    "programme": "Project",
    "project": "Project",
    "place": "Address",
    "address": "Address",
    "country": "LegalEntity",
    "territory": "Territory",
    "vessel": "Vessel",
    "airplane": "Airplane",
    "vehicle": "Vehicle",
    "security": "Security",
    "account": "BankAccount",
    "asset": "Asset",
    "contract": "Contract",
    "court-case": "CourtCase",
    "position": "Position",
    "document": "Document",
    "event": "Event",
}
_ORGANIZATIONS = {"Company", "PublicBody", "Organization"}
_LEGAL_ENTITIES = _ORGANIZATIONS | {"Person", "LegalEntity"}
_NOT_ID = re.compile(r"[^0-9A-Za-z.-]+")


def ftm_id(value: str) -> str:
    """An id in FtM's alphabet (letters, digits, '.', '-'): ``a:b_c`` -> ``a.b-c``."""
    return _NOT_ID.sub("-", value.replace(":", ".")).strip(".-") or "x"


def _schema(data: dict[str, Any]) -> str:
    """The schema a node was imported with (if it can hold a name), else the one of its kind."""
    imported = ftm_model().get(str(data.get("schema"))) if records.is_imported(data) else None
    if imported is not None and imported.is_a("Thing") and not imported.abstract:
        return imported.name
    return str(data.get("ftm_schema") or NODE_SCHEMATA.get(str(data.get("kind")), "LegalEntity"))


def _imported_edge(u: str, v: str, data: Mapping[str, Any], props: dict[str, list[str]]) -> dict[str, Any] | None:
    """An edge imported from an FtM relationship entity, written back with its own schema and id."""
    schema = ftm_model().get(str(data.get("schema"))) if records.is_imported(data) else None
    if schema is None or schema.edge is None:
        return None
    props.pop("description", None)
    props[schema.edge.source], props[schema.edge.target] = [ftm_id(u)], [ftm_id(v)]
    for prop, attr in EDGE_PROPERTIES.items():
        if data.get(attr) and prop in schema.properties and prop != "status":
            props[prop] = [str(data[attr])]
    return {"id": ftm_id(str(data.get("ftm_id") or f"{u}:{v}")), "schema": schema.name, "properties": props}


def _evidence(data: Mapping[str, Any]) -> dict[str, list[str]]:
    sources = data.get("sources") or []
    props: dict[str, list[str]] = {
        "sourceUrl": [s["url"] for s in sources if s.get("url")],
        "publisher": list(dict.fromkeys(s["publisher"] for s in sources if s.get("publisher"))),
    }
    if data.get("source_url"):  # imported records: their own source and datasets
        props["sourceUrl"].append(str(data["source_url"]))
    props["publisher"].extend(str(d) for d in data.get("datasets") or ())
    return props


def _node(node: str, data: dict[str, Any]) -> dict[str, Any]:
    schema = _schema(data)
    props: dict[str, list[str]] = {"name": [str(data.get("label", node))], "alias": list(data.get("aliases") or [])}
    if data.get("country"):
        props["country"] = [str(data["country"]).lower()]
    notes = [str(data[k]) for k in ("description", "note") if data.get(k)]
    if notes:
        props["notes"] = notes
    if schema == "Address":
        props["full"] = props["name"]
        props["city"] = props.pop("name")
        props.pop("alias")
    props.update(_evidence(data))
    return {"id": ftm_id(node), "schema": schema, "properties": props}


def _edge(source: Source, u: str, v: str, key: str, data: Mapping[str, Any]) -> dict[str, Any]:
    relation = str(data.get("relation", "related"))
    when = records.when(data)
    props: dict[str, list[str]] = _evidence(data)
    if when:
        props["startDate"] = [str(when)]
    if data.get("end"):
        props["endDate"] = [str(data["end"])]
    described = [f"{k.replace('_', ' ')}: {data[k]}" for k in ("status", "confidence", "claimed_by") if data.get(k)]
    if data.get("note"):
        described.append(str(data["note"]))
    props["description"] = ["; ".join(described)] if described else []
    imported = _imported_edge(u, v, data, props)
    if imported is not None:
        return imported
    start, end = source.entity(u), source.entity(v)
    source_schema, target_schema = _schema(start), _schema(end)
    if relation == "sanctioned":
        schema = "Sanction"
        provisions = data.get("action") or data.get("provisions") or ()
        props.update(
            entity=[ftm_id(v)],
            authority=[str(start.get("label", u))],
            program=[str(p) for p in (data.get("legal_basis"), data.get("program")) if p],
            provisions=[provisions] if isinstance(provisions, str) else list(provisions),
            reason=[str(data["reason"])] if data.get("reason") else [],
        )
        if data.get("listing_date"):
            props["listingDate"] = [str(data["listing_date"])]
    elif relation == "develops" and target_schema == "Project" and source_schema in _LEGAL_ENTITIES:
        schema = "ProjectParticipant"
        props.update(participant=[ftm_id(u)], project=[ftm_id(v)], role=["develops"])
    elif relation == "official_of" and source_schema == "Person" and target_schema in _ORGANIZATIONS:
        schema = "Employment"
        props.update(employee=[ftm_id(u)], employer=[ftm_id(v)], role=[str(data.get("role", "official"))])
    elif relation == "part_of" and source_schema in _LEGAL_ENTITIES and target_schema in _ORGANIZATIONS:
        schema = "Membership"
        props.update(member=[ftm_id(u)], organization=[ftm_id(v)], role=["part of"])
    else:
        schema = "UnknownLink"
        label = records.vocabulary(source.graph).relation_label(relation)
        detail = next((str(data[k]) for k in ("item", "role", "quote") if data.get(k)), None)
        props.update(subject=[ftm_id(u)], object=[ftm_id(v)], role=[f"{label}: {detail}" if detail else str(label)])
        if data.get("quote"):
            props["summary"] = [str(data["quote"])]
    stored = data.get("ftm_id") if records.is_imported(data) else None
    return {"id": ftm_id(str(stored or records.relation_id(u, v, key, data))), "schema": schema, "properties": props}


def ftm_entities(graph: nx.MultiDiGraph | Source) -> Iterator[dict[str, Any]]:
    """Every node, then every edge, as an FtM entity dict (empty properties dropped)."""
    source = as_source(graph)
    for node, data in source.entities():
        yield _clean(_node(node, data))
    for u, v, key, attrs in source.relations():
        yield _clean(_edge(source, u, v, key, attrs))


def _clean(entity: dict[str, Any]) -> dict[str, Any]:
    entity["properties"] = {k: [str(x) for x in vals] for k, vals in entity["properties"].items() if vals}
    return entity


def generate_ftm(graph: nx.MultiDiGraph | Source) -> Iterator[bytes]:
    """Yield FtM JSON lines in chunks."""
    buffer: list[bytes] = []
    size = 0
    for entity in ftm_entities(graph):
        line = orjson.dumps(entity) + b"\n"
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_SIZE:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)
