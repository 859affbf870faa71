"""The curated data model: what a data file may say, as pydantic models.

One data file is a :class:`DataFile` with any of five sections (``kinds``,
``relation_types``, ``sources``, ``entities``, ``relations``); a dataset is the union of
its files. These models check each entry on its own; cross-references (unknown ids,
kinds a relation type forbids, duplicate ids) are checked in :mod:`graph.validate`.
The committed JSON Schema in ``docs/schema/`` is generated from :class:`DataFile`.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
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

from graph.countries import is_country_code
from graph.dates import earliest, latest, parse_partial_date

__all__ = [
    "FORBIDDEN_CHARS",
    "AttributeSpec",
    "Citation",
    "Confidence",
    "DataFile",
    "Entity",
    "KindSpec",
    "Relation",
    "RelationType",
    "Source",
    "Status",
    "check_plain_text",
]

# C0 controls other than tab, newline and carriage return, DEL, C1 controls, and the
# bidi overrides/isolates that can make text display differently from what it says.
FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_plain_text(value: str) -> str:
    """Reject control and bidi-override characters, which no curated text needs."""
    bad = FORBIDDEN_CHARS.search(value)
    if bad:
        raise ValueError(
            f"contains the control or bidi-override character U+{ord(bad.group()):04X} at position {bad.start()}"
        )
    return value


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


class Confidence(StrEnum):
    """How strongly the cited sources support an entry (the fact sheet's levels)."""

    PRIMARY = "primary"
    """Read in a government primary text."""
    PRESS_QUOTING_PRIMARY = "press-quoting-primary"
    """Two or more outlets print the same wording and attribute it to the primary text."""
    PRESS = "press"
    """Reported by news outlets, paraphrased."""
    WEAK = "weak"
    """A single secondary source, a truncated excerpt, or a source the sheet calls weak."""


class Status(StrEnum):
    """What kind of claim a relation is."""

    DESIGNATED = "designated"
    """An official action by the authority (a designation or listing)."""
    REPORTED = "reported"
    """Reported as fact by the sources, not contested in them."""
    ALLEGED = "alleged"
    """Asserted by a party (usually the sanctioning authority); not independently shown."""
    ASSESSED = "assessed"
    """A government's assessment ("likely destined for"), as quoted or paraphrased."""
    DISPUTED = "disputed"
    """Sources disagree; each competing claim is recorded with its attribution."""
    DENIED = "denied"
    """The party concerned denies it."""
    OPINION = "opinion"
    """An opinion or analysis, attributed to its author."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class KindSpec(_Strict):
    """One kind of entity (country, agency, firm...)."""

    label: Label
    description: Text


class AttributeSpec(_Strict):
    """A type-specific attribute that relations of one type may carry."""

    type: Literal["text", "texts", "entity", "entities", "number", "boolean"] = Field(
        description="text: one string; texts: a list of strings; entity/entities: id(s) of "
        "entities (optionally of the given kinds); number; boolean."
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


class Source(_Strict):
    """A publication cited as evidence, declared once and cited by id."""

    id: Slug
    url: HttpUrl
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
    publisher: Label | None = None
    title: Label | None = None
    published: PartialDate | None = None
    retrieved: PartialDate | None = None
    quote: Text | None = Field(None, description="Verbatim words from the source supporting the entry.")

    @model_validator(mode="after")
    def _ref_or_inline(self) -> Citation:
        inline = (self.url, self.publisher, self.title, self.published, self.retrieved)
        if self.ref is not None:
            if any(v is not None for v in inline):
                raise ValueError("a citation gives either 'ref' or an inline source, not both")
        elif self.url is None or self.publisher is None:
            raise ValueError("a citation needs 'ref', or an inline 'url' and 'publisher'")
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
    confidence: Confidence
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
    status: Status
    confidence: Confidence
    claimed_by: Label | None = Field(None, description="Who makes the claim, when it is attributed.")
    sources: Citations
    note: Text | None = None

    @model_validator(mode="after")
    def _dates(self) -> Relation:
        if self.date is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either 'date' or 'start'/'end', not both")
        if self.start is not None and self.end is not None and latest(self.end) < earliest(self.start):
            raise ValueError(f"'end' {self.end} is before 'start' {self.start}")
        return self

    @property
    def when(self) -> str | None:
        """The date the relation began: ``date`` or ``start``."""
        return self.date or self.start

    def default_key(self) -> str:
        """The type, plus the date when there is one: stable as long as the facts are."""
        return f"{self.type}-{self.when}" if self.when else self.type


class DataFile(_Strict):
    """One curated YAML file. Every section is optional; a dataset is the union of its files."""

    model_config = ConfigDict(extra="forbid", title="Linkscope data file")

    kinds: dict[Slug, KindSpec] = Field(default_factory=dict)
    relation_types: dict[Slug, RelationType] = Field(default_factory=dict)
    sources: list[Source] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
