"""Response models: the documented shape of every JSON answer (and of /openapi.json).

Each model describes, with descriptions and examples for the API's readers, a typed result
of the domain (``graph.store.records``, ``graph.queries.*``); ``tests/test_api_models.py``
checks that both name the same fields, required alike, so the two cannot drift. Nodes and
edges carry every attribute of the data, so their models name the common fields and allow
more (type-specific attributes such as ``legal_basis`` or ``item``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class EntitySummary(BaseModel):
    id: str = Field(examples=["xian-longde"])
    label: str = Field(examples=["Xi'an Longde Technology Development Company Limited"])
    kind: str | None = Field(examples=["firm"])
    country: str | None = Field(examples=["CN"])


class SearchHit(EntitySummary):
    match: str | None = Field(description="exact, prefix, word-prefix or substring; null when listing.")
    matched_alias: bool | None = Field(description="True when the best match was an alias; null when listing.")


class SearchPage(BaseModel):
    total: int
    limit: int
    offset: int
    results: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(description="Counts of all matches by kind and by country.")
    truncated: bool = Field(description="The time budget ran out; total and facets count what was scanned.")


class CitationOut(_Open):
    url: str | None = Field(
        None,
        examples=["https://www.dawn.com/news/1879649/us-sanctions-four-pakistani-firms"],
        description="Always present for curated data; an imported FtM record without a sourceUrl has none.",
    )
    type: str | None = Field(
        None, examples=["wire"], description="Source type: primary, official-mirror, wire, press or weak."
    )
    publisher: str = Field(examples=["Dawn"])
    title: str | None = None
    published: str | None = None
    retrieved: str | None = None
    quote: str | None = None
    source_id: str | None = None


class UnresolvedReference(BaseModel):
    property: str = Field(examples=["addressEntity"], description="The FtM property, e.g. Ownership.asset.")
    target: str = Field(examples=["addr-4f1c"], description="The id no loaded file holds.")


class NodeOut(_Open):
    """An entity with all its attributes."""

    id: str
    label: str
    kind: str
    country: str | None = None
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    confidence: str | None = None
    sources: list[CitationOut] = Field(default_factory=list)
    unresolved: list[UnresolvedReference] = Field(
        default_factory=list, description="References to entities no loaded file holds (imported data only)."
    )


class EdgeOut(_Open):
    """A relation with its evidence: dates, status, confidence, sources and type-specific attributes."""

    source: str
    target: str
    key: str = Field(examples=["sanctioned-2024-09-12"])
    relation: str = Field(examples=["sanctioned"])
    id: str = Field(examples=["us-state-dept:sanctioned-2024-09-12:xian-longde"], description="Unique in the graph.")
    date: str | None = None
    start: str | None = None
    end: str | None = None
    status: str | None = Field(None, examples=["designated"])
    confidence: str | None = None
    claimed_by: str | None = None
    sources: list[CitationOut] = Field(
        default_factory=list, description="Always on a record shown alone; subgraphs leave imported records' out."
    )


class RelatedItem(BaseModel):
    other: EntitySummary
    edge: EdgeOut


class RelationGroup(BaseModel):
    relation: str
    direction: str = Field(description="out: the entity is the source; in: it is the target.")
    label: str = Field(examples=["sanctioned by"])
    total: int
    offset: int
    limit: int
    items: list[RelatedItem]


class EntityDetailOut(BaseModel):
    entity: NodeOut
    relations: list[RelationGroup]
    truncated: bool = Field(description="The time budget ran out while grouping: totals count what was read.")


class SubgraphNode(NodeOut):
    distance: int = Field(description="Hops from the nearest centre.")


class GroupNodeOut(SubgraphNode):
    """A node standing for some of an entity's neighbours (`group=auto`): kind `group`."""

    of: str = Field(description="The entity whose neighbours the group holds.")
    relation: str
    direction: str = Field(description="out: the members are the entity's targets; in: its sources.")
    facet: str | None = Field(description="kind, country, year or program; null: all of them.")
    value: str | None = Field(examples=["CN"])
    count: int = Field(description="Members in the group (exact).")
    members: dict[str, str] = Field(description="The parameters of GET /api/groups/members that list them.")


class GroupedRelationOut(BaseModel):
    """An entity's neighbours through one relation and direction, as grouped: shown + grouped = total."""

    of: str
    relation: str
    direction: str
    total: int
    shown: int = Field(description="Drawn individually (in the view for another reason).")
    grouped: int = Field(description="In the groups.")
    facet: str | None


class SubgraphOut(BaseModel):
    nodes: list[SubgraphNode | GroupNodeOut]
    edges: list[EdgeOut]
    truncated: bool
    truncated_reason: str | None = Field(description="max_nodes or time_budget")
    grouped: list[GroupedRelationOut] = Field(description="group=auto: each relation whose neighbours are grouped.")


class GroupMembersOut(BaseModel):
    """A page of a group's members, by label."""

    of: str
    relation: str
    direction: str
    facet: str | None
    value: str | None
    narrow: dict[str, str] = Field(description="The other facet values the members were narrowed to.")
    q: str
    kinds: list[str] = Field(description="The kinds the members were narrowed to (empty: every kind).")
    total: int = Field(description="Members matching q (exact; 0 when truncated).")
    offset: int
    limit: int
    results: list[EntitySummary]
    facets: dict[str, dict[str, int]] = Field(
        description="For each facet, how many matching members have each value (the 20 commonest).",
        examples=[{"country": {"CN": 20, "RU": 15}, "kind": {"firm": 35}}],
    )
    truncated: bool = Field(description="The members could not be counted within the query time budget: none given.")
    truncated_reason: str | None = Field(description="time_budget (narrow the search down and ask again)")


class ChainHop(EdgeOut):
    """One hop of a path or chain: its edge, read in path order, with a sentence explaining it."""

    from_: str = Field(alias="from", description="The node this hop leaves, in path order.")
    to: str = Field(description="The node this hop reaches, in path order.")
    forward: bool = Field(description="False when the hop goes against the edge's direction.")
    explanation: str = Field(examples=["National Development Complex develops Shaheen-3"])


class Hop(ChainHop):
    parallel: list[EdgeOut] = Field(description="Other edges between the same two nodes.")


class SharedStep(BaseModel):
    entity: str = Field(description="The entity both sides share (an authority, a country...).")
    position: int = Field(description="Its place in the path: between hop position-1 and hop position.")
    explanation: str = Field(examples=["US Department of State sanctioned both MZKT and NDC on 2024-12-18"])


class PathOut(BaseModel):
    length: int
    connects: bool = Field(description="Every entity on the path links its two sides (no shared step).")
    weakest_confidence: str | None = Field(description="The weakest confidence along the path (paths rank by it).")
    shared: list[SharedStep] = Field(description="Entities passed through only because both sides share them.")
    hops: list[Hop]


class PathsOut(BaseModel):
    source: EntitySummary
    target: EntitySummary
    via: Literal["connections", "shared"]
    paths: list[PathOut]
    truncated: bool
    truncated_reason: str | None = Field(description="limit or time_budget")


class Designation(EdgeOut):
    in_force: bool = Field(description="Whether the designation counts on the as-of day.")


class Upstream(BaseModel):
    entity: EntitySummary
    roles: list[str] = Field(description="Relations by which it feeds the chain: supplied, develops, part_of.")
    distance: int
    sanctioned: bool = Field(description="A designation of it is in force on the as-of day.")
    designations: list[Designation]
    chain: list[ChainHop] = Field(description="From this entity to the target, hop by hop.")
    weakest_confidence: str
    disputed: bool
    inferred: bool = Field(description="A hop of the chain is the curator's inference, not anyone's claim.")


class SupplyChainOut(BaseModel):
    target: EntitySummary
    as_of: str
    upstream: list[Upstream]
    truncated: bool
    truncated_reason: str | None = Field(description="max_nodes or time_budget")


class TimelineRound(BaseModel):
    relation: str
    label: str
    actor: EntitySummary
    count: int = Field(description="Relations in the round; targets and edges list the first 50.")
    targets: list[EntitySummary]
    edges: list[EdgeOut]


class TimelineDate(BaseModel):
    date: str
    count: int
    rounds: list[TimelineRound]


class TimelineOut(BaseModel):
    dates: list[TimelineDate]
    total: int = Field(description="Dated relations in the range, on all pages.")
    total_dates: int = Field(description="Dates in the range, on all pages.")
    limit: int
    offset: int
    truncated: bool = Field(
        description="More dates follow (ask again with offset + limit), or the time budget cut the page."
    )
    truncated_reason: str | None = Field(
        description="time_budget: the page was cut short by the time budget (the dates listed are whole; "
        "ask again with offset + the number of dates listed); null otherwise.",
    )


class StatsOut(BaseModel):
    nodes: int
    edges: int
    kinds: dict[str, int]
    relations: dict[str, int]
    statuses: dict[str, int]
    first_date: str | None
    last_date: str | None
    data_paths: list[str]
    loaded_at: str
    relation_types: dict[str, Any] = Field(description="The relation vocabulary: labels, direction, kinds.")
    kind_labels: dict[str, str]


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    nodes: int
    edges: int


class ReloadOut(BaseModel):
    """One reload attempt."""

    at: str = Field(description="When it finished (UTC, ISO 8601).")
    trigger: str = Field(description="admin (POST /api/admin/reload) or watch (a data file changed).")
    ok: bool = Field(description="True when the new data replaced the old; false: the old data is still served.")
    seconds: float
    message: str
    problems: list[str] = Field(default_factory=list, description="Why the data did not validate (first 100).")
    accepted: bool = Field(
        False,
        description="True (status 202) when a worker passed the request to the main process, which reloads and "
        "restarts the workers: /api/status then shows the outcome.",
    )


class StatusOut(BaseModel):
    """What is being served and how the last reload went."""

    status: str = Field(description="ok, or stale when the last reload failed and older data is still served.")
    loaded_at: str
    nodes: int
    edges: int
    data_paths: list[str]
    ftm: dict[str, Any] | None = Field(None, description="What the FtM files added and skipped, if any were loaded.")
    watching: bool
    reloads: int
    failed_reloads: int
    last_reload: ReloadOut | None
    snapshot: dict[str, Any] | None = Field(
        None, description="The snapshot served (path, when it was made, its format version), if any."
    )
    workers: int = Field(description="Worker processes serving the graph (forked from the main process, sharing it).")
    pid: int = Field(description="The process that answered (one of the workers).")


class MatchCandidate(BaseModel):
    ftm_id: str = Field(description="The id of the list entry in the graph.", examples=["NK-2Xe9ZcTq"])
    label: str
    score: float = Field(ge=0, le=1, description="1: certainly the same; the default threshold is calibrated.")
    reasons: list[str] = Field(description="Which names matched and how, country agreement, identifiers.")


class MatchesOut(BaseModel):
    """The likely list entries of one curated entity (``linkscope xref`` prints the same)."""

    id: str
    label: str
    candidates: list[MatchCandidate] = Field(description="Best first.")


class ChangeRound(BaseModel):
    date: str = Field(description="As written in the data (a partial date changes on the last day it may mean).")
    change: Literal["began", "ended"]
    relation: str
    label: str
    actor: EntitySummary
    count: int = Field(description="Every relation of the round; `edges` lists the first 50.")
    explanation: str
    edges: list[EdgeOut]


class EntityChange(BaseModel):
    change: Literal["began", "ended"]
    date: str
    relation: str
    other: EntitySummary
    edge: str = Field(description="The relation's id; its evidence is in the round that lists it.")
    explanation: str


class EntityChanges(BaseModel):
    entity: EntitySummary
    count: int
    changes: list[EntityChange]


class ChangesOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    centers: list[str]
    depth: int
    began: int
    ended: int
    rounds: list[ChangeRound]
    entities: list[EntityChanges] = Field(description="Entities touched by a change, most changed first (500 at most).")
    truncated: bool
    truncated_reason: str | None = Field(
        description="time_budget, max_nodes (the neighbourhood), max_rounds or max_entities (500 of each are listed)"
    )
