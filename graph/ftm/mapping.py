"""How FollowTheMoney entities become Linkscope nodes and edges: the whole mapping, in one place.

``docs/ftm.md`` documents it for users; change both together. Node schemata map to kinds,
edge schemata to relation types (from each schema's declared source to its target),
``Sanction`` entities to ``sanctioned`` edges from one authority node per distinct
authority, other entity references to edges named after the property, and countries to
``based_in`` edges. Everything imported carries ``confidence: dataset``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.ftm.schema import FtmSchema, ftm_model

__all__ = [
    "AUTHORITY_KIND",
    "CONFIDENCE",
    "COUNTRY_PROPERTIES",
    "EDGE_PROPERTIES",
    "EDGE_RELATIONS",
    "NAME_PROPERTIES",
    "NODE_KINDS",
    "SANCTION_PROPERTIES",
    "RelationSpec",
    "authority_node_id",
    "country_node_id",
    "kind_for",
    "kinds_vocabulary",
    "reference_relation",
    "relation_for",
    "snake",
]

#: Every imported node and edge: taken from a published dataset, not reviewed entry by entry.
CONFIDENCE = "dataset"
#: Status of relationship edges (Ownership, Directorship...) and of sanctions.
RELATIONSHIP_STATUS = "reported"
SANCTION_STATUS = "designated"

#: Node schemata with a Linkscope kind; any other node schema becomes a kind of its own
#: (``Vessel`` -> ``vessel``). An Organization whose topics say it is a government body
#: (``gov``, ``gov.*``) is an agency.
NODE_KINDS = {
    "Person": "person",
    "Company": "firm",
    "LegalEntity": "firm",
    "Organization": "institute",
    "PublicBody": "agency",
    "Project": "programme",
}
GOVERNMENT_TOPIC = re.compile(r"^gov(\.|$)")
#: The kind of the authority nodes that sanctions come from.
AUTHORITY_KIND = "agency"


@dataclass(frozen=True)
class RelationSpec:
    """A relation type as FtM data fills it: name, labels both ways, whether direction matters."""

    name: str
    label: str
    inverse_label: str
    directed: bool = True


#: Edge schemata to relation types, read from the schema's edge source to its edge target.
EDGE_RELATIONS = {
    "Ownership": RelationSpec("owns", "owns", "owned by"),
    "Directorship": RelationSpec("director_of", "director of", "has director"),
    "Membership": RelationSpec("member_of", "member of", "has member"),
    "Employment": RelationSpec("employed_by", "works for", "employs"),
    "Family": RelationSpec("family_of", "related to", "related to", directed=False),
    "Associate": RelationSpec("associate_of", "associate of", "associate of", directed=False),
    "Representation": RelationSpec("represents", "represents", "represented by"),
    "UnknownLink": RelationSpec("linked_to", "linked to", "linked to", directed=False),
    "Occupancy": RelationSpec("holds_position", "holds position", "position held by"),
    "ProjectParticipant": RelationSpec("participates_in", "participates in", "has participant"),
    "Succession": RelationSpec("succeeded_by", "succeeded by", "succeeds"),
    "Control": RelationSpec("controls", "controls", "controlled by"),
    "Debt": RelationSpec("owes", "owes", "is owed by"),
    "Payment": RelationSpec("paid", "paid", "paid by"),
    "ContractAward": RelationSpec("awarded_to", "awarded to", "was awarded"),
    "CourtCaseParty": RelationSpec("party_to", "party to", "has party"),
    "Documentation": RelationSpec("documents", "documents", "documented by", directed=False),
}
SANCTIONED = RelationSpec("sanctioned", "sanctioned", "sanctioned by")
BASED_IN = RelationSpec("based_in", "based in", "home of")

#: Names: the first becomes the label (unless the line has a ``caption``), the rest aliases.
NAME_PROPERTIES = ("name", "alias", "previousName", "weakAlias", "abbreviation")
#: Countries that also yield a ``based_in`` edge; ``nationality`` and the like stay attributes.
COUNTRY_PROPERTIES = ("country", "jurisdiction", "mainCountry")
#: Properties kept on nodes besides names, countries and dates (dates are all kept, snake_cased).
NODE_PROPERTIES = {
    "topics": "topics",
    "nationality": "nationality",
    "citizenship": "citizenship",
    "position": "position",
    "registrationNumber": "registration_number",
    "imoNumber": "imo_number",
    "sourceUrl": "source_url",
}
#: Dates of relationship and sanction edges: the as-of view reads ``date``/``start``/``end``.
EDGE_DATES = {"startDate": "start", "endDate": "end", "date": "date"}
#: Further properties kept on relationship edges.
EDGE_PROPERTIES = {
    "role": "role",
    "relationship": "relationship",
    "percentage": "percentage",
    "ownershipType": "ownership_type",
    "sharesCount": "shares_count",
    "sharesValue": "shares_value",
    "sharesCurrency": "shares_currency",
    "legalBasis": "legal_basis",
    "amount": "amount",
    "currency": "currency",
    "purpose": "purpose",
    "summary": "summary",
    "status": "ftm_status",
    "sourceUrl": "source_url",
}
#: Properties kept on ``sanctioned`` edges (``entity`` and ``authority`` make the edge itself).
SANCTION_PROPERTIES = {
    "program": "program",
    "programId": "program_id",
    "programUrl": "program_url",
    "provisions": "provisions",
    "reason": "reason",
    "listingDate": "listing_date",
    "authorityId": "authority_id",
    "unscId": "unsc_id",
    "summary": "summary",
    "status": "ftm_status",
    "sourceUrl": "source_url",
}
#: Kept attributes that are lists by nature (a tuple, even of one value); other kept
#: properties with several values are joined with "; ".
LIST_VALUES = frozenset({"topics", "nationality", "citizenship", "position", "provisions"})
#: Values of these attributes repeat across many entities: one shared object each.
SHARED_VALUES = LIST_VALUES | {"role", "relationship", "ownership_type", "currency", "shares_currency", "program",
                               "program_id", "program_url", "ftm_status", "reason"}  # fmt: skip

_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def snake(name: str) -> str:
    """``incorporationDate`` -> ``incorporation_date``.

    >>> snake("addressEntity")
    'address_entity'
    """
    return _SNAKE.sub("_", name).lower()


def kind_for(schema: FtmSchema, topics: Sequence[str] | None = None) -> str:
    """The kind of a node schema (see :data:`NODE_KINDS`).

    >>> model = ftm_model()
    >>> kind_for(model.schemata["Company"]), kind_for(model.schemata["Vessel"])
    ('firm', 'vessel')
    >>> kind_for(model.schemata["Organization"], ["gov.soe"])
    'agency'
    """
    if schema.name == "Organization" and topics and any(GOVERNMENT_TOPIC.match(t) for t in topics):
        return "agency"
    return NODE_KINDS.get(schema.name) or snake(schema.name).replace("_", "-")


def relation_for(schema: FtmSchema) -> RelationSpec:
    """The relation type of an edge schema; one the mapping does not name yet gets a generic one."""
    spec = EDGE_RELATIONS.get(schema.name)
    if spec is not None:
        return spec
    assert schema.edge is not None
    return RelationSpec(snake(schema.name), schema.edge.label, f"{schema.edge.label} (reverse)", schema.edge.directed)


def reference_relation(prop: str) -> RelationSpec:
    """Any other entity reference of a node (``Passport.holder``) becomes an edge named after it.

    >>> reference_relation("addressEntity")
    RelationSpec(name='address_entity', label='has address entity', inverse_label='address entity of', directed=True)
    """
    words = snake(prop).replace("_", " ")
    return RelationSpec(snake(prop), f"has {words}", f"{words} of")


def authority_node_id(authority: str) -> str:
    """One node per distinct authority, keyed by its folded name.

    >>> authority_node_id("Office of Foreign Assets Control (OFAC)")
    'authority-office-of-foreign-assets-control-ofac'
    """
    return "authority-" + (_NOT_SLUG.sub("-", authority.casefold()).strip("-")[:100] or "unnamed")


def country_node_id(code: str) -> str:
    """The node of an FtM country code when no curated country has that code."""
    return f"country-{code.lower()}"


def relation_types(specs: list[RelationSpec], kinds: set[str]) -> dict[str, dict[str, Any]]:
    """Vocabulary entries for the relation types FtM data added, in the shape of curated ones."""
    return {
        spec.name: {
            "label": spec.label,
            "inverse_label": spec.inverse_label,
            "description": f"Imported from FollowTheMoney data ({spec.label}).",
            "directed": spec.directed,
            "source_kinds": sorted(kinds),
            "target_kinds": sorted(kinds),
            "dates": "optional",
            "attributes": {},
        }
        for spec in specs
    }


def kinds_vocabulary(kinds: set[str]) -> dict[str, dict[str, str]]:
    """Vocabulary entries for kinds that only FtM data uses (``vessel``, ``address``...)."""
    model = ftm_model()
    labels = {kind_for(s): s.label for s in model.schemata.values() if not s.edge}
    return {
        kind: {"label": labels.get(kind, kind), "description": "Imported from FollowTheMoney data."} for kind in kinds
    }
