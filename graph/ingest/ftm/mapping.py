"""How FollowTheMoney entities become Linkscope nodes and edges: every mapping decision, in one place.

``docs/ftm.md`` documents it for users (a test keeps its tables in step with this module).
Node schemata map to kinds, edge schemata to relation types (from each schema's declared
source to its target), ``Sanction`` entities to ``sanctioned`` edges from one authority
node per distinct authority, other entity references to edges named after the property,
and countries to ``based_in`` edges. :func:`plan_for` turns these decisions into what the
loader does with each property of a schema. Everything imported carries ``confidence:
dataset``. Labels and styles of the relation types come from the vocabulary
(``data/vocabulary.yaml``); types it does not declare are added with generic ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Literal

from graph.ingest.ftm.schemata import FtmSchema, ftm_model
from graph.model.datafile import KindSpec, LevelSpec, RelationType
from graph.model.vocabulary import Vocabulary

__all__ = [
    "AUTHORITY_KIND",
    "BASED_IN",
    "CONFIDENCE",
    "COUNTRY_PROPERTIES",
    "EDGE_DATES",
    "EDGE_PROPERTIES",
    "EDGE_RELATIONS",
    "LIST_VALUES",
    "NAME_PROPERTIES",
    "NODE_KINDS",
    "NODE_PROPERTIES",
    "RELATIONSHIP_STATUS",
    "SANCTIONED",
    "SANCTION_PROPERTIES",
    "SANCTION_STATUS",
    "SHARED_VALUES",
    "Action",
    "Plan",
    "authority_node_id",
    "country_node_id",
    "imported_vocabulary",
    "kind_for",
    "plan_for",
    "reference_relation",
    "relation_for",
    "snake",
]

#: Every imported node and edge: taken from a published dataset, not reviewed entry by entry.
CONFIDENCE = "dataset"
#: Status of relationship edges (Ownership, Directorship...) and of sanctions.
RELATIONSHIP_STATUS = "reported"
SANCTION_STATUS = "designated"

#: Every node schema of followthemoney to the kind it becomes (each declared in the vocabulary,
#: with its style). An Organization whose topics say it is a government body (``gov``,
#: ``gov.*``) is an agency. A schema a newer followthemoney adds becomes a kind named after it.
NODE_KINDS = {
    "Person": "person",
    "Company": "firm",
    "Organization": "organization",
    "PublicBody": "agency",
    "LegalEntity": "legal-entity",
    "Project": "project",
    "Vessel": "vessel",
    "Airplane": "airplane",
    "Vehicle": "vehicle",
    "Address": "address",
    "Security": "security",
    "BankAccount": "account",
    "CryptoWallet": "account",
    "UserAccount": "account",
    "Asset": "asset",
    "RealEstate": "asset",
    "License": "asset",
    "Contract": "contract",
    "CallForTenders": "contract",
    "CourtCase": "court-case",
    "Position": "position",
    "Territory": "territory",
    "Identification": "identification",
    "Passport": "identification",
    "Event": "event",
    "Call": "event",
    "Trip": "event",
    "EconomicActivity": "event",
    "Article": "document",
    "Audio": "document",
    "Document": "document",
    "Email": "document",
    "Folder": "document",
    "HyperText": "document",
    "Image": "document",
    "Message": "document",
    "Note": "document",
    "Package": "document",
    "Page": "document",
    "Pages": "document",
    "PlainText": "document",
    "Table": "document",
    "Video": "document",
    "Workbook": "document",
    "Mention": "record",
    "Risk": "record",
    "Similar": "record",
    "TaxRoll": "record",
}
GOVERNMENT_TOPIC = re.compile(r"^gov(\.|$)")
#: The kind of the authority nodes that sanctions come from.
AUTHORITY_KIND = "agency"

#: Edge schemata to relation types (declared in the vocabulary), read from the schema's
#: edge source to its edge target.
EDGE_RELATIONS = {
    "Ownership": "owns",
    "Directorship": "director_of",
    "Membership": "member_of",
    "Employment": "employed_by",
    "Family": "family_of",
    "Associate": "associate_of",
    "Representation": "represents",
    "UnknownLink": "linked_to",
    "Occupancy": "holds_position",
    "ProjectParticipant": "participates_in",
    "Succession": "succeeded_by",
    "Control": "controls",
    "Debt": "owes",
    "Payment": "paid",
    "ContractAward": "awarded_to",
    "CourtCaseParty": "party_to",
    "Documentation": "documents",
}
SANCTIONED = "sanctioned"
BASED_IN = "based_in"

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

#: What the loader does with a property: read an edge end, a name, a country, a reference,
#: a date or a value to keep (``entity``, ``authority``, ``publisher``: a sanction's parts).
Action = Literal[
    "source", "target", "name", "country", "ref", "date", "keep", "entity", "authority", "publisher", "sanction_country"
]
#: Property -> (action, attribute it is stored under).
Plan = Mapping[str, tuple[Action, str]]

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
    >>> kind_for(model.schemata["Company"]), kind_for(model.schemata["Organization"])
    ('firm', 'organization')
    >>> kind_for(model.schemata["Organization"], ["gov.soe"]), kind_for(model.schemata["BankAccount"])
    ('agency', 'account')
    """
    if schema.name == "Organization" and topics and any(GOVERNMENT_TOPIC.match(t) for t in topics):
        return "agency"
    return NODE_KINDS.get(schema.name) or snake(schema.name).replace("_", "-")


def relation_for(schema: FtmSchema) -> str:
    """The relation type of an edge schema; one the mapping does not name is named after it."""
    return EDGE_RELATIONS.get(schema.name) or snake(schema.name)


def reference_relation(prop: str) -> str:
    """Any other entity reference of a node (``Passport.holder``) becomes an edge named after it.

    >>> reference_relation("addressEntity")
    'address_entity'
    """
    return snake(prop)


def authority_node_id(authority: str) -> str:
    """One node per distinct authority, keyed by its folded name.

    >>> authority_node_id("Office of Foreign Assets Control (OFAC)")
    'authority-office-of-foreign-assets-control-ofac'
    """
    return "authority-" + (_NOT_SLUG.sub("-", authority.casefold()).strip("-")[:100] or "unnamed")


def country_node_id(code: str) -> str:
    """The node of an FtM country code when no curated country has that code."""
    return f"country-{code.lower()}"


@cache
def _plan(name: str) -> Plan:
    schema = ftm_model().schemata[name]
    plan: dict[str, tuple[Action, str]] = {}
    if schema.edge is not None:
        plan[schema.edge.source] = ("source", schema.edge.source)
        plan[schema.edge.target] = ("target", schema.edge.target)
        plan.update({p: ("date", a) for p, a in EDGE_DATES.items() if p in schema.properties})
        plan.update({p: ("keep", a) for p, a in EDGE_PROPERTIES.items() if p in schema.properties})
    elif schema.name == "Sanction":
        plan.update({p: ("date", a) for p, a in EDGE_DATES.items()})
        plan.update({p: ("keep", a) for p, a in SANCTION_PROPERTIES.items()})
        plan.update(
            entity=("entity", "entity"),
            authority=("authority", "authority"),
            publisher=("publisher", "publisher"),
            country=("sanction_country", "country"),
        )
    else:
        for prop, kind in schema.properties.items():
            if prop in NAME_PROPERTIES:
                plan[prop] = ("name", prop)
            elif prop in COUNTRY_PROPERTIES:
                plan[prop] = ("country", prop)
            elif prop in NODE_PROPERTIES:
                plan[prop] = ("keep", NODE_PROPERTIES[prop])
            elif kind == "date":
                plan[prop] = ("date", snake(prop))
            elif kind.startswith("entity"):
                plan[prop] = ("ref", prop)
    return plan


def plan_for(schema: FtmSchema) -> Plan:
    """What to do with each property of ``schema`` (properties it does not list are not kept).

    >>> plan_for(ftm_model().schemata["Ownership"])["owner"], plan_for(ftm_model().schemata["Company"])["name"]
    (('source', 'owner'), ('name', 'name'))
    """
    return _plan(schema.name)


def imported_vocabulary(vocab: Vocabulary, kinds: Iterable[str], relations: Iterable[str]) -> Vocabulary:
    """``vocab`` with what imported data used: kinds and relation types it does not declare are
    added (named after the FtM schema or property, drawn in the default styles), and every
    relation the data used may connect any kind (imported data is not held to curated kind rules)."""
    kinds, relations = set(kinds), set(relations)
    model = ftm_model()
    labels = {kind_for(s): s.label for s in model.schemata.values() if not s.edge}
    edge_labels = {relation_for(s): s.edge.label for s in model.schemata.values() if s.edge is not None}
    all_kinds = sorted(set(vocab.kinds) | kinds)
    new_kinds = {
        kind: KindSpec(
            label=labels.get(kind, kind),
            description="Imported from FollowTheMoney data.",
            style=vocab.defaults.kind_style,
        )
        for kind in kinds - set(vocab.kinds)
    }
    new_types = {}
    for name in relations - set(vocab.relation_types):
        verb = edge_labels.get(name) or f"has {name.replace('_', ' ')}"
        new_types[name] = RelationType(
            label=verb,
            inverse_label=edge_labels.get(name, name.replace("_", " "))
            + (" (reverse)" if name in edge_labels else " of"),
            description=f"Imported from FollowTheMoney data ({verb}).",
            source_kinds=all_kinds,
            target_kinds=all_kinds,
            style=vocab.defaults.relation_style,
        )
    level = {CONFIDENCE: LevelSpec(label="published dataset", description="Imported from a published dataset.")}
    return vocab.extended(kinds=new_kinds, relation_types=new_types, confidence=level).widened(relations, all_kinds)
