"""Stream FollowTheMoney JSON-lines files into a graph, line by line, under :mod:`.mapping`.

A file is never parsed whole: each line is one entity, read, checked (:mod:`.clean`) and
added through :mod:`graph.store.records`. Lines that cannot be read (not JSON, no id, an
unknown or abstract schema, a malformed date or country) are *problems*: by default any
problem fails the whole load (:class:`~graph.errors.DataError`, first 50 listed with file and
line, then a count); with ``skip_invalid`` they are skipped and counted by reason. References
to entities no loaded file contains are kept on the referring entity and reported
(:mod:`.references`); with ``strict`` they are problems too. Memory is what keeps a million
entities within budget: ids and repeated values are shared strings, attribute dicts hold
only present values, all ``based_in`` edges of a file share one attribute dict, and the
full record stays in the file (nodes and edges keep ``ftm_file`` and ``ftm_line`` to find it).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from graph.ingest.ftm import mapping as m
from graph.ingest.ftm.clean import BadLine, Cleaner
from graph.ingest.ftm.references import resolve_references
from graph.ingest.ftm.report import FtmReport, Progress
from graph.ingest.ftm.schemata import FtmSchema, ftm_model
from graph.store import records

__all__ = ["PROGRESS_EVERY", "load_ftm"]

#: Lines between two progress reports.
PROGRESS_EVERY = 50_000

#: Lines grouped by what the plan does with them: action -> [(property, values)].
Found = dict[str, list[tuple[str, list[str]]]]


def load_ftm(
    graph: nx.MultiDiGraph,
    paths: Sequence[Path | str],
    *,
    skip_invalid: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> FtmReport:
    """Add the entities of FtM JSON-lines files to ``graph`` (normally holding the curated data).

    Raises :class:`~graph.errors.DataError` when a line is bad (or, with ``strict``, a
    reference names an entity no file holds) and ``skip_invalid`` is false; ``graph`` must
    then be thrown away.
    """
    loader = _Loader(graph)
    enabled = gc.isenabled()
    gc.disable()  # millions of new containers, none of them garbage: the cyclic GC only costs time
    try:
        for path in paths:
            loader.read(Path(path), progress)
        resolve_references(
            graph,
            loader.report,
            loader.kinds,
            loader.relations,
            loader.reference_props,
            strict=strict,
            skip_invalid=skip_invalid,
        )
    finally:
        if enabled:
            # The entities just made live as long as the graph: straight to the oldest
            # generation, or the first collection would walk them all.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
    loader.report.cleaned = loader.clean.cleaned
    if loader.report.problem_count and not skip_invalid:
        raise loader.report.error()
    return loader.report


class _Loader:
    """One load: where it is (file, line), the id merges, and what the data used."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.model = ftm_model()
        self.clean = Cleaner(self.model)
        self.report = FtmReport()
        self.merge: dict[str, str] = {}
        self.countries: dict[str, str] = {}
        self.nodes = records.entities(graph)  # live: sees what the load adds
        for node, data in self.nodes.items():
            for other in data.get("same_as") or ():
                self.merge[other] = node
            if data.get("kind") == "country" and data.get("country"):
                self.countries[str(data["country"]).lower()] = node
        self.kinds: set[str] = set()
        self.relations: set[str] = set()
        self.plans: dict[str, m.Plan] = {}
        self.schema_kinds: dict[str, str] = {}
        self.reference_props: dict[str, str] = {}
        self.file = ""
        self.line = 0
        self.based_in: records.Attrs = {}
        self.authority_ids: dict[str, str] = {}  # a name's node id (computing one is a regex, per sanction)

    # ---- reading ------------------------------------------------------------------

    def read(self, path: Path, progress: Progress | None) -> None:
        self.file = sys.intern(str(path))
        self.report.files.append(self.file)
        # One attribute dict shared by every based_in edge of the file: half a million edges
        # need not hold half a million equal dicts (the node's own line is its provenance).
        self.based_in = {**self._line_attrs(), "derived": True, "relation": m.BASED_IN}
        del self.based_in["ftm_line"]
        try:
            total = os.path.getsize(path)
            handle = open(path, "rb")  # noqa: SIM115 - closed below; the loop needs the handle
        except OSError as err:
            self.report.problem("unreadable file", self.file, None, f"cannot read the file: {err.strerror or err}")
            return
        done = 0
        with handle:
            for number, raw in enumerate(handle, start=1):
                done += len(raw)
                self.line = number
                if number % PROGRESS_EVERY == 0 and progress:
                    progress(done, total, number)
                if raw.isspace():  # a blank line (the same whitespace as bytes.strip(), without a copy)
                    continue
                self.report.lines += 1
                self.clean.start(raw)
                try:
                    self._entity(raw)
                except BadLine as bad:
                    self.report.problem(bad.reason, self.file, self.line, str(bad))
        if progress:
            progress(done, total, self.line)

    def _entity(self, raw: bytes) -> None:
        try:
            entity = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            raise BadLine("not JSON", f"not valid JSON: {err}") from None
        if not isinstance(entity, dict):
            raise BadLine("not an entity", "a line must be one JSON object (an FtM entity)")
        entity_id = self.clean.entity_id(entity.get("id"))
        name = entity.get("schema")
        schema = self.model.get(name) if isinstance(name, str) else None
        if schema is None:
            shown = str(name)[:80]
            self.report.unknown_schemata[shown] += 1
            raise BadLine(
                "unknown schema",
                f"entity {entity_id!r}: unknown schema {shown!r} (the mapping knows the "
                f"{len(self.model.schemata)} schemata of followthemoney {self.model.version})",
            )
        if schema.abstract:
            raise BadLine(
                "abstract schema", f"entity {entity_id!r}: schema {name!r} is abstract; entities cannot use it"
            )
        props = entity.get("properties", {})
        if not isinstance(props, dict):
            raise BadLine("bad properties", f"entity {entity_id!r}: 'properties' must be an object of value lists")
        # each of these checks the whole line before it adds anything: a bad line adds nothing
        if schema.edge is not None:
            self._relationship(entity_id, schema, props, entity)
        elif schema.name == "Sanction":
            self._sanction(entity_id, schema, props, entity)
        else:
            self._node(entity_id, schema, props, entity)
        self.report.entities += 1

    def _read(self, entity_id: str, props: dict[str, Any], schema: FtmSchema, attrs: records.Attrs) -> Found:
        """One pass over a line's properties under the schema's plan: dates and kept values go
        into ``attrs``; the rest (names, countries, references, edge ends) come back by action."""
        plan = self.plans.get(schema.name)
        if plan is None:
            plan = self.plans[schema.name] = m.plan_for(schema)
        found: Found = {}
        checked = self.clean.values
        clean = self.clean.clean
        for prop, raw in props.items():
            step = plan.get(prop)
            if step is None:
                continue
            if clean and type(raw) is list and raw and "" not in raw:
                try:  # what Cleaner.values does for a line with nothing to clean, without the call
                    "".join(raw)
                except TypeError:
                    values = checked(entity_id, prop, raw)  # raises BadLine
                values = raw
            else:
                values = checked(entity_id, prop, raw)
                if not values:
                    continue
            action, attr = step
            if action == "date":
                attrs[attr] = self.clean.date(entity_id, prop, values[0])
            elif action == "keep":
                self._keep(attrs, attr, values)
            else:
                found.setdefault(action, []).append((prop, values))
        return found

    def _keep(self, attrs: records.Attrs, attr: str, values: list[str]) -> None:
        if attr == "source_url":
            url = next((v for v in values if v.startswith(("https://", "http://"))), None)
            if url:
                attrs[attr] = url
            return
        value = tuple(values) if attr in m.LIST_VALUES else values[0] if len(values) == 1 else "; ".join(values)
        attrs[attr] = self.clean.share(value) if attr in m.SHARED_VALUES else value

    def _provenance(self, attrs: records.Attrs, entity_id: str, entity: dict[str, Any]) -> None:
        datasets = self.clean.datasets(entity.get("datasets"))
        if datasets:
            attrs["datasets"] = datasets
        seen, days = self.clean.seen, self.clean.days
        for key in ("first_seen", "last_seen"):
            value = entity.get(key)
            if value:
                day = (days.get(value) if type(value) is str else None) or seen(entity_id, key, value)
                if day:
                    attrs[key] = day
        attrs["ftm_file"] = self.file
        attrs["ftm_line"] = self.line

    def _line_attrs(self) -> records.Attrs:
        """Attributes of an edge made from a node's own line (an entity reference such as a holder)."""
        return {"status": m.RELATIONSHIP_STATUS, "confidence": m.CONFIDENCE, "ftm_file": self.file,
                "ftm_line": self.line}  # fmt: skip

    # ---- nodes --------------------------------------------------------------------

    def _resolve(self, entity_id: str) -> str:
        return self.merge.get(entity_id, entity_id)

    def _node(self, entity_id: str, schema: FtmSchema, props: dict[str, Any], entity: dict[str, Any]) -> None:
        merge = self.merge
        node = merge.get(entity_id)
        referents = entity.get("referents") if merge else None
        if node is None and isinstance(referents, list):
            for referent in referents:
                if isinstance(referent, str) and referent in merge:
                    node = merge[referent]
                    break
        if node is not None:
            self._merge_into(node, entity_id, schema, props)
            return
        existing = self.nodes.get(entity_id)
        if existing:
            if "ftm_line" in existing:
                first = f"{existing['ftm_file']}:{existing['ftm_line']}"
                raise BadLine("duplicate id", f"entity {entity_id!r} appears twice (first at {first})")
            raise BadLine(
                "duplicate id",
                f"entity {entity_id!r} has the id of a curated entity; list it in that entity's same_as to merge them",
            )
        attrs: records.Attrs = {}
        found = self._read(entity_id, props, schema, attrs)
        named = found.get("name", ())
        countries = self._countries(entity_id, found)
        if len(named) == 1:  # most lines: one name property, nothing to order
            ordered = named[0][1]
        else:
            names = dict(named)
            ordered = [n for prop in m.NAME_PROPERTIES for n in names.get(prop, ())]
        label = self.clean.caption(entity.get("caption")) or (ordered[0] if ordered else "")
        if not label:
            label = next(
                (v for p in schema.caption for v in self.clean.values(entity_id, p, props.get(p, []))), entity_id
            )
        kind = self._kind(schema, attrs.get("topics"))
        attrs = {"label": label, "kind": kind, "schema": schema.name, "ftm_id": entity_id, **attrs}
        if len(ordered) > 1 or (ordered and ordered[0] != label):
            aliases = [n for n in dict.fromkeys(ordered) if n != label][:20]
            if aliases:
                attrs["aliases"] = aliases
        if countries:
            attrs["country"] = sys.intern(countries[0].upper())
            if len(countries) > 1:
                attrs["countries"] = self.clean.share(tuple(c.upper() for c in countries))
        attrs["confidence"] = m.CONFIDENCE
        self._provenance(attrs, entity_id, entity)
        records.add_entity(self.graph, entity_id, attrs)
        self.kinds.add(kind)
        self.report.nodes += 1
        for code in countries:
            self._edge(entity_id, self._country_node(code), m.BASED_IN, m.BASED_IN, self.based_in)
        for prop, targets in found.get("ref", ()):
            relation = m.reference_relation(prop)
            self.reference_props.setdefault(relation, prop)
            for target in targets:
                self._edge(entity_id, self._resolve(sys.intern(target)), relation, relation, self._line_attrs())

    def _kind(self, schema: FtmSchema, topics: Any) -> str:
        """:func:`.mapping.kind_for`, remembered per schema where topics cannot change it."""
        if schema.name == "Organization":
            return sys.intern(m.kind_for(schema, topics))
        kind = self.schema_kinds.get(schema.name)
        if kind is None:
            kind = self.schema_kinds[schema.name] = sys.intern(m.kind_for(schema))
        return kind

    def _countries(self, entity_id: str, found: Found) -> list[str]:
        codes = [self.clean.country(entity_id, p, v) for p, values in found.get("country", ()) for v in values]
        return codes if len(codes) < 2 else list(dict.fromkeys(codes))

    def _merge_into(self, node: str, entity_id: str, schema: FtmSchema, props: dict[str, Any]) -> None:
        """The curated ``node`` stands for this FtM entity: its edges (also earlier ones) attach there."""
        countries = self._countries(entity_id, self._read(entity_id, props, schema, {}))  # checked first
        self.merge[entity_id] = node
        if entity_id in self.nodes:  # edges added under the FtM id before this line
            records.move_relations(self.graph, entity_id, node)
        data = records.entity_attrs(self.graph, node)
        data["ftm_ids"] = [*data.get("ftm_ids", ()), entity_id]
        self.report.merged += 1
        for code in countries:
            target = self._country_node(code)
            if not records.has_relation(self.graph, node, target, m.BASED_IN):
                self._edge(node, target, m.BASED_IN, m.BASED_IN, self.based_in)

    def _country_node(self, code: str) -> str:
        node = self.countries.get(code)
        if node is None:
            node = self._resolve(m.country_node_id(code))
            if not self.nodes.get(node):  # neither curated nor made by an earlier line
                records.add_entity(
                    self.graph,
                    node,
                    {"label": self.model.countries[code], "kind": "country", "country": code.upper(),
                     "confidence": m.CONFIDENCE, "derived": True},
                )  # fmt: skip
                self.kinds.add("country")
                self.report.nodes += 1
            self.countries[code] = node
        return node

    # ---- edges --------------------------------------------------------------------

    def _edge(self, u: str, v: str, key: str, relation: str, attrs: records.Attrs) -> None:
        """Add one edge unless it is a loop or already there."""
        if u == v:
            return
        attrs["relation"] = relation
        if records.add_relation(self.graph, u, v, key, attrs):
            self.relations.add(relation)
            self.report.edges += 1

    def _relationship(self, entity_id: str, schema: FtmSchema, props: dict[str, Any], entity: dict[str, Any]) -> None:
        assert schema.edge is not None
        attrs: records.Attrs = {"status": m.RELATIONSHIP_STATUS, "confidence": m.CONFIDENCE}
        found = self._read(entity_id, props, schema, attrs)
        sources, targets = _first(found, "source"), _first(found, "target")
        if not sources or not targets:
            raise BadLine(
                "incomplete relationship",
                f"entity {entity_id!r}: a {schema.name} needs both {schema.edge.source!r} and {schema.edge.target!r}",
            )
        self._stamp(attrs, entity_id, schema.name, entity)
        self._edges(sources, targets, entity_id, m.relation_for(schema), attrs)

    def _stamp(self, attrs: records.Attrs, entity_id: str, schema: str, entity: dict[str, Any]) -> None:
        """What every relationship and sanction edge carries besides its own properties."""
        if "date" in attrs and "start" in attrs:
            del attrs["date"]
        attrs["ftm_id"] = entity_id
        attrs["schema"] = schema
        self._provenance(attrs, entity_id, entity)

    def _edges(self, sources: list[str], targets: list[str], key: str, relation: str, attrs: records.Attrs) -> None:
        """An edge from every source to every target, each with its own copy of ``attrs``."""
        if len(sources) == 1 and len(targets) == 1:  # most lines: one edge, no copy of ``attrs``
            source, target = self._resolve(sys.intern(sources[0])), self._resolve(sys.intern(targets[0]))
            self._edge(source, target, key, relation, attrs)
            return
        pairs = [(self._resolve(sys.intern(u)), self._resolve(sys.intern(v))) for u in sources for v in targets]
        for i, (u, v) in enumerate(pairs):
            self._edge(u, v, key, relation, attrs if i == len(pairs) - 1 else dict(attrs))

    def _sanction(self, entity_id: str, schema: FtmSchema, props: dict[str, Any], entity: dict[str, Any]) -> None:
        attrs: records.Attrs = {"status": m.SANCTION_STATUS, "confidence": m.CONFIDENCE}
        found = self._read(entity_id, props, schema, attrs)
        targets = _first(found, "entity")
        if not targets:
            raise BadLine("incomplete sanction", f"sanction {entity_id!r} names no sanctioned 'entity'")
        authorities = _first(found, "authority") or _first(found, "publisher")
        if not authorities:
            datasets = entity.get("datasets")
            first = next((d for d in datasets if isinstance(d, str)), "") if isinstance(datasets, list) else ""
            authorities = [f"Unnamed authority ({first})" if first else "Unnamed authority"]
        countries = [self.clean.country(entity_id, "country", c) for c in _first(found, "sanction_country")]
        if "start" not in attrs and "date" not in attrs and "listing_date" in attrs:
            attrs["start"] = attrs["listing_date"]
        self._stamp(attrs, entity_id, "Sanction", entity)
        before = self.report.edges
        issuers = [self._authority(authority, countries) for authority in authorities]
        self._edges(issuers, targets, entity_id, m.SANCTIONED, attrs)
        self.report.sanctions += self.report.edges - before

    def _authority(self, name: str, countries: list[str]) -> str:
        node_id = self.authority_ids.get(name)
        if node_id is None:
            node_id = self.authority_ids[name] = m.authority_node_id(name)
        node = self._resolve(node_id)
        if node not in self.nodes:
            attrs: records.Attrs = {"label": name[:300], "kind": m.AUTHORITY_KIND, "confidence": m.CONFIDENCE}
            if countries:
                attrs["country"] = countries[0].upper()
            attrs["derived"] = True
            attrs["note"] = "Created from the 'authority' of FollowTheMoney Sanction entities."
            records.add_entity(self.graph, node, attrs)
            self.kinds.add(m.AUTHORITY_KIND)
            self.report.authorities += 1
            self.report.nodes += 1
        return node


def _first(found: Found, action: str) -> list[str]:
    """The values of the (one) property read for ``action``, or none."""
    entries = found.get(action)
    return entries[0][1] if entries else []
