"""The curated data model: what a data file may say, as pydantic models.

One data file is a :class:`DataFile` with any of its sections: the vocabulary (``kinds``,
``relation_types``, ``statuses``, ``confidence``, ``defaults``) and the facts
(``sources``, ``entities``, ``relations``); a dataset is the union of its files. These
models check each entry on its own; cross-references (unknown ids, kinds a relation type
forbids, statuses and confidence levels the vocabulary does not declare, duplicate ids)
are checked in :mod:`graph.ingest.validate`. The committed JSON Schema in
``docs/schema/`` is generated from :class:`DataFile`.
"""

from __future__ import annotations

import string
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from graph.model.countries import is_country_code
from graph.model.dates import began, earliest, latest, parse_partial_date
from graph.model.text import check_plain_text

__all__ = [
    "AttributeSpec",
    "Citation",
    "DataFile",
    "Defaults",
    "Entity",
    "KindSpec",
    "KindStyle",
    "LevelSpec",
    "MeasureSpec",
    "Relation",
    "RelationStyle",
    "RelationType",
    "Slug",
    "Source",
    "SourceTypeSpec",
    "StatusSpec",
    "SupplyChainRule",
    "TermSpec",
    "ViewSpec",
]


def _partial_date(value: Any) -> Any:
    if isinstance(value, date):  # a date given some other way than our YAML loader
        return value.isoformat()
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str):
        parse_partial_date(value)
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"only http and https URLs are allowed, not {value!r}")
    if not parts.netloc or any(c.isspace() for c in value):
        raise ValueError(f"not a complete URL: {value!r}")
    return value


def _country(value: Any) -> Any:
    if isinstance(value, str):
        code = value.upper()
        if not is_country_code(code):
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return code
    return value


def _citation(value: Any) -> Any:
    return {"ref": value} if isinstance(value, str) else value


#: Lowercase slug, safe as an XML NMTOKEN, a URL path segment and a GraphML id.
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$", max_length=120),
]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(check_plain_text)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000), AfterValidator(check_plain_text)
]
PartialDate = Annotated[
    str,
    BeforeValidator(
        _partial_date,
        json_schema_input_type=Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
        | Annotated[int, Field(ge=1000, le=9999)],
    ),
    Field(description="ISO 8601 date at day, month or year precision: 2024-09-12, 2025-03 or 2014."),
]
HttpUrl = Annotated[str, StringConstraints(max_length=2_000), AfterValidator(_http_url)]
CountryCode = Annotated[
    str,
    BeforeValidator(_country),
    Field(description="ISO 3166-1 alpha-2 code, e.g. PK; case-insensitive on input."),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


Color = Annotated[
    str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"), Field(description="An sRGB colour, e.g. '#dc2626'.")
]


class KindStyle(_Strict):
    """How entities of a kind are drawn (the explorer, GEXF, reports)."""

    color: Color
    shape: Literal["dot", "box", "ellipse", "diamond", "star", "triangle", "triangleDown", "hexagon", "square"]
    size: int = Field(16, ge=4, le=60)


class RelationStyle(_Strict):
    """How relations of a type are drawn: colour, width, and the dash pattern (none: solid)."""

    color: Color
    width: float = Field(1.5, gt=0, le=10)
    dashes: list[Annotated[int, Field(ge=1, le=50)]] | None = Field(
        None, min_length=2, max_length=4, description="Dash and gap lengths in pixels, e.g. [8, 4]; none: solid."
    )


class KindSpec(_Strict):
    """One kind of entity (country, agency, firm...)."""

    label: Label
    description: Text
    style: KindStyle
    located: bool = Field(
        False,
        description="Entities of this kind with a 'country' also get a derived 'based_in' edge to that country.",
    )
    party: Literal["person", "organisation"] | None = Field(
        None,
        description="What a name match may identify: cross-referencing with list data compares people with "
        "people and organisations with organisations; kinds without a party are not matched.",
    )


class SupplyChainRule(_Strict):
    """Where a relation type carries supplies towards a programme (see the supply-chain query)."""

    between: list[Slug] | None = Field(
        None,
        description="Only between entities of these kinds (part_of feeds a programme only from a component "
        "programme); none: any kinds.",
    )


class StatusSpec(_Strict):
    """One claim status (designated, alleged, disputed, inferred...)."""

    label: Label
    description: Text
    faint: bool = Field(False, description="Drawn fainter: a contested or attributed claim, not an established one.")
    dashes: list[Annotated[int, Field(ge=1, le=50)]] | None = Field(
        None, min_length=2, max_length=4, description="A dash pattern that marks the status whatever the relation."
    )
    inference: bool = Field(
        False,
        description="The curator's inference, not any party's claim: the relation must give its 'reasoning' and "
        "no 'claimed_by'.",
    )


class LevelSpec(_Strict):
    """One confidence level; the ``confidence`` section lists them strongest first."""

    label: Label
    description: Text
    corroboration: int = Field(
        1,
        ge=1,
        le=5,
        description="How many sources from different publishers, each of a type that supports this level, "
        "an entry needs to claim it (press-quoting-primary: two outlets printing the same wording).",
    )


class SourceTypeSpec(_Strict):
    """One kind of source (primary text, official mirror, wire, press, weak); listed strongest first."""

    label: Label
    description: Text
    supports: Slug = Field(description="The strongest confidence level a source of this type can support.")


class TermSpec(_Strict):
    """How long a measure lasts when its statute says so."""

    years: int = Field(ge=1, le=50)
    minimum: bool = Field(description="True when the statute sets a minimum ('not less than'), not a fixed term.")
    statute: Text = Field(description="Where the term is set, e.g. '22 U.S.C. 2797b(a)(2)'.")


class MeasureSpec(_Strict):
    """One kind of restrictive measure (a blocking, missile sanctions, an Entity List addition...)."""

    label: Label
    description: Text
    term: TermSpec | None = Field(None, description="The statutory term, for measures that lapse; none: open-ended.")


class ViewSpec(_Strict):
    """The explorer's opening view."""

    view: Literal["supply-chain", "subgraph"] = "subgraph"
    center: Slug = Field(description="The entity the view is centred on; the best-connected one if absent.")
    depth: int = Field(2, ge=1, le=4)


class Defaults(_Strict):
    """Defaults of a dataset: its opening view, and the styles of kinds and relation types that
    imported data names on the fly (curated ones each declare their own)."""

    view: ViewSpec | None = None
    kind_style: KindStyle
    relation_style: RelationStyle


class AttributeSpec(_Strict):
    """A type-specific attribute that relations of one type may carry."""

    type: Literal["text", "texts", "entity", "entities", "number", "boolean", "date", "url", "measure"] = Field(
        description="text: one string; texts: a list of strings; entity/entities: id(s) of "
        "entities (optionally of the given kinds); number; boolean; date: an ISO date (partial "
        "allowed); url: an http(s) URL; measure: one of the vocabulary's measures."
    )
    kinds: list[Slug] | None = Field(None, description="For entity/entities: the allowed kinds.")
    required: bool = False
    description: Text


class RelationType(_Strict):
    """One relation type of the vocabulary: its label, direction and the kinds it connects."""

    label: Label = Field(description="Verb phrase read from source to target, e.g. 'sanctioned'.")
    inverse_label: Label = Field(description="Read from target to source, e.g. 'sanctioned by'.")
    description: Text
    directed: bool = True
    source_kinds: list[Slug] = Field(min_length=1)
    target_kinds: list[Slug] = Field(min_length=1)
    dates: Literal["required", "optional", "none"] = "optional"
    attributes: dict[Slug, AttributeSpec] = Field(default_factory=dict)
    style: RelationStyle
    supply_chain: SupplyChainRule | bool = Field(
        False,
        description="Whether the relation carries supplies upstream of a programme: true, or a rule limiting "
        "the kinds it does so between.",
    )
    paths: Literal["connect", "shared"] = Field(
        "connect",
        description="Whether a path may pass through an entity by two relations of this kind: 'connect' (a supply, "
        "ownership or membership links the two sides) or 'shared' (two firms designated by the same authority, or "
        "based in the same country, are not thereby connected).",
    )

    sentence: Text | None = Field(
        None,
        description="How a brief states one relation of this type, e.g. '{source} supplied {item} to {target}': "
        "{source}, {target} and the type's attributes in braces (a measure reads as its label). A relation "
        "lacking an attribute the sentence names is stated as 'source label target'.",
    )

    @model_validator(mode="after")
    def _chain_connects(self) -> RelationType:
        if self.paths == "shared" and self.supply_chain:
            raise ValueError("a relation that carries supplies (supply_chain) connects: it cannot be paths: shared")
        return self

    @model_validator(mode="after")
    def _sentence_names_attributes(self) -> RelationType:
        if self.sentence is None:
            return self
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(self.sentence) if name is not None}
        except ValueError as err:
            raise ValueError(f"sentence: {err}") from None
        unknown = names - {"source", "target"} - set(self.attributes)
        if unknown:
            raise ValueError(f"sentence names {', '.join(sorted(unknown))}, which the type does not declare")
        return self

    @property
    def chain_rule(self) -> SupplyChainRule | None:
        """The supply-chain rule, or None when the type is not part of supply chains."""
        if isinstance(self.supply_chain, SupplyChainRule):
            return self.supply_chain
        return SupplyChainRule() if self.supply_chain else None


class Source(_Strict):
    """A publication cited as evidence, declared once and cited by id."""

    id: Slug
    url: HttpUrl
    type: Slug = Field(
        description="What kind of source it is, from the vocabulary's source_types: primary, official-mirror, "
        "wire, press or weak."
    )
    publisher: Label
    title: Label | None = None
    published: PartialDate | None = Field(None, description="Publication date, as precise as known.")
    retrieved: PartialDate | None = Field(None, description="When the page (or its archived copy) was read.")
    note: Text | None = None

    @model_validator(mode="after")
    def _dated(self) -> Source:
        if self.published is None and self.retrieved is None:
            raise ValueError("a source needs a date: 'published' or 'retrieved'")
        return self


class Citation(_Strict):
    """A citation: a declared source by ``ref`` (or a full inline source) plus an optional verbatim quote."""

    ref: Slug | None = Field(None, description="Id of a source declared in a 'sources' section.")
    url: HttpUrl | None = None
    type: Slug | None = Field(None, description="For an inline source: its source type.")
    publisher: Label | None = None
    title: Label | None = None
    published: PartialDate | None = None
    retrieved: PartialDate | None = None
    quote: Text | None = Field(None, description="Verbatim words from the source supporting the entry.")

    @model_validator(mode="after")
    def _ref_or_inline(self) -> Citation:
        inline = (self.url, self.type, self.publisher, self.title, self.published, self.retrieved)
        if self.ref is not None:
            if any(v is not None for v in inline):
                raise ValueError("a citation gives either 'ref' or an inline source, not both")
        elif self.url is None or self.publisher is None or self.type is None:
            raise ValueError("a citation needs 'ref', or an inline 'url', 'type' and 'publisher'")
        elif self.published is None and self.retrieved is None:
            raise ValueError("an inline source needs a date: 'published' or 'retrieved'")
        return self


Citations = Annotated[
    list[Annotated[Citation, BeforeValidator(_citation, json_schema_input_type=Slug | Citation)]],
    Field(min_length=1, description="At least one citation: a source id, or a mapping with ref/quote."),
]


class Entity(_Strict):
    """A node: a country, agency, firm, institute, programme, person or place."""

    id: Slug
    label: Label
    kind: Slug
    aliases: list[Label] = Field(default_factory=list)
    country: CountryCode | None = None
    description: Text | None = None
    sources: Citations
    confidence: Slug = Field(description="A confidence level the vocabulary declares, e.g. press-quoting-primary.")
    note: Text | None = None
    same_as: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list,
        description="Ids of the same entity in other datasets (e.g. OpenSanctions), for merging.",
    )
    attributes: dict[Slug, str | int | float | bool] = Field(
        default_factory=dict, description="Further scalar facts, e.g. range_km."
    )


class Relation(BaseModel):
    """An edge: ``source`` —type→ ``target``, dated, with status, confidence and evidence.

    Fields beyond the common ones are the type-specific attributes that the relation
    type declares (``legal_basis`` for ``sanctioned``, ``item`` for ``supplied``...).
    """

    model_config = ConfigDict(extra="allow")

    type: Slug
    source: Slug
    target: Slug
    key: Slug | None = Field(
        None,
        description="Distinguishes parallel relations of one type between the same pair; "
        "defaults to the type plus the date, e.g. 'sanctioned-2024-09-12'.",
    )
    date: PartialDate | None = Field(None, description="When it happened (a one-off act).")
    start: PartialDate | None = Field(None, description="When it began (a lasting state).")
    end: PartialDate | None = Field(None, description="When it ended, if it has.")
    status: Slug = Field(description="A status the vocabulary declares: designated, reported, alleged...")
    confidence: Slug = Field(description="A confidence level the vocabulary declares.")
    end_basis: Literal["observed", "statutory"] | None = Field(
        None,
        description="For an 'end': observed (a source reports the lapse or lifting) or statutory (the term "
        "the statute sets, not observed).",
    )
    claimed_by: Label | None = Field(None, description="Who makes the claim, when it is attributed.")
    reasoning: Text | None = Field(
        None, description="For an inferred relation: how the curator derived it from the cited statement."
    )
    sources: Citations
    note: Text | None = None

    @model_validator(mode="after")
    def _dates(self) -> Relation:
        if self.date is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either 'date' or 'start'/'end', not both")
        if self.end_basis is not None and self.end is None:
            raise ValueError("'end_basis' says how an 'end' is known; give the 'end'")
        if self.start is not None and self.end is not None and latest(self.end) < earliest(self.start):
            raise ValueError(f"'end' {self.end} is before 'start' {self.start}")
        return self

    @property
    def when(self) -> str | None:
        """The date the relation began (see :func:`graph.model.dates.began`)."""
        return began(self.date, self.start)

    def default_key(self) -> str:
        """The type, plus the date when there is one: stable as long as the facts are."""
        return f"{self.type}-{self.when}" if self.when else self.type


class DataFile(_Strict):
    """One curated YAML file. Every section is optional; a dataset is the union of its files."""

    model_config = ConfigDict(extra="forbid", title="Linkscope data file")

    kinds: dict[Slug, KindSpec] = Field(default_factory=dict)
    relation_types: dict[Slug, RelationType] = Field(default_factory=dict)
    statuses: dict[Slug, StatusSpec] = Field(default_factory=dict)
    confidence: dict[Slug, LevelSpec] = Field(default_factory=dict, description="Confidence levels, strongest first.")
    source_types: dict[Slug, SourceTypeSpec] = Field(default_factory=dict, description="Source types, strongest first.")
    measures: dict[Slug, MeasureSpec] = Field(default_factory=dict)
    defaults: Defaults | None = None
    sources: list[Source] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
