"""Stream FollowTheMoney JSON-lines files into a graph, line by line, under the mapping in :mod:`graph.ftm.mapping`.

A file is never parsed whole: each line is one entity, read, checked and added. Lines
that cannot be read (not JSON, no id, an unknown or abstract schema, a malformed date or
country) and references to entities no loaded file contains are *problems*: by default any
problem fails the whole load (:class:`~graph.errors.DataError`, first 50 listed with file
and line, then a count); with ``skip_invalid`` they are skipped and counted by reason.
Memory is what keeps a million entities within budget: ids and repeated values are
shared strings, attribute dicts hold only present values, all ``based_in`` edges of a file
share one attribute dict (so edge attributes must never be edited in place; nothing in
Linkscope does), and the full record stays in the file (nodes and edges keep ``ftm_file``
and ``ftm_line`` to find it).
"""

from __future__ import annotations

import gc
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from graph.dates import parse_partial_date
from graph.errors import DataError, Problem
from graph.ftm import mapping as m
from graph.ftm.schema import FtmSchema, ftm_model
from graph.models import FORBIDDEN_CHARS

__all__ = ["FtmReport", "Progress", "load_ftm"]

#: Problems listed by name in an error; the rest are counted.
MAX_LISTED = 50
#: Longer text values are cut here, so one hostile line cannot take the memory.
MAX_TEXT = 5_000
MAX_ID = 200  # the API takes ids of up to 200 characters
#: Lines between two progress reports.
PROGRESS_EVERY = 50_000

#: ``progress(bytes_read, bytes_total, lines_read)``, called every few thousand lines and at the end.
Progress = Callable[[int, int, int], None]

# A line without these bytes (JSON escapes, raw C1 controls, bidi overrides) has no value to clean.
_SUSPECT_BYTES = re.compile(rb"\\[ubf]|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


@dataclass
class FtmReport:
    """What a load read, built and skipped."""

    files: list[str] = field(default_factory=list)
    lines: int = 0
    entities: int = 0
    nodes: int = 0
    edges: int = 0
    sanctions: int = 0
    authorities: int = 0
    merged: int = 0
    cleaned: int = 0
    """Text values from which control or bidi-override characters were removed."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Skipped lines and dropped references by reason (``skip_invalid`` only)."""
    unknown_schemata: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def summary(self) -> str:
        """One paragraph for a log line or the CLI."""
        text = (
            f"{self.entities:,} FtM entities from {self.lines:,} lines in {len(self.files)} file(s): "
            f"{self.nodes:,} nodes, {self.edges:,} edges ({self.sanctions:,} sanctions from "
            f"{self.authorities:,} authorities), {self.merged:,} merged into curated entities"
        )
        if self.cleaned:
            text += f"; control characters removed from {self.cleaned:,} values"
        if self.skipped:
            text += "; skipped: " + ", ".join(f"{n:,} {reason}" for reason, n in self.skipped.most_common())
        if self.unknown_schemata:
            text += "; unknown schemata: " + ", ".join(f"{s} ({n:,})" for s, n in self.unknown_schemata.most_common())
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "lines": self.lines,
            "entities": self.entities,
            "nodes": self.nodes,
            "edges": self.edges,
            "sanctions": self.sanctions,
            "authorities": self.authorities,
            "merged": self.merged,
            "cleaned": self.cleaned,
            "skipped": dict(self.skipped.most_common()),
            "unknown_schemata": dict(self.unknown_schemata.most_common()),
        }


class _Bad(Exception):
    """One line that cannot be loaded; ``reason`` groups it in the report."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def load_ftm(
    graph: nx.MultiDiGraph,
    paths: Sequence[Path | str],
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> FtmReport:
    """Add the entities of FtM JSON-lines files to ``graph`` (normally holding the curated data).

    Raises :class:`~graph.errors.DataError` when a line or reference is bad and
    ``skip_invalid`` is false; ``graph`` must then be thrown away.
    """
    loader = _Loader(graph, skip_invalid)
    enabled = gc.isenabled()
    gc.disable()  # millions of new containers, none of them garbage: the cyclic GC only costs time
    try:
        for path in paths:
            loader.read(Path(path), progress)
        loader.finish()
    finally:
        if enabled:
            gc.enable()
    report = loader.report
    if report.problem_count and not skip_invalid:
        problems = list(report.problems)
        if report.problem_count > len(problems):
            more = report.problem_count - len(problems)
            problems.append(Problem(problems[-1].file, None, "", f"... and {more:,} more bad lines not listed"))
        raise DataError(problems)
    return report


class _Loader:
    """The state of one load: the graph, the id merges and the shared values."""

    def __init__(self, graph: nx.MultiDiGraph, skip_invalid: bool) -> None:
        self.graph = graph
        self.skip_invalid = skip_invalid
        self.model = ftm_model()
        self.report = FtmReport()
        self.merge: dict[str, str] = {}
        for node, data in graph.nodes(data=True):
            for other in data.get("same_as") or ():
                self.merge[other] = node
        self.countries: dict[str, str] = {
            str(data["country"]).lower(): node
            for node, data in graph.nodes(data=True)
            if data.get("kind") == "country" and data.get("country")
        }
        self.shared: dict[Any, Any] = {}
        self.dates: dict[str, str | None] = {}
        self.plans: dict[str, dict[str, tuple[str, str]]] = {}
        self.relations: dict[str, m.RelationSpec] = {}
        self.kinds: set[str] = set()
        self.file = ""
        self.line = 0
        self.clean = False
        self.based_in: dict[str, Any] = {}

    # ---- reading ------------------------------------------------------------------

    def read(self, path: Path, progress: Progress | None) -> None:
        self.file = sys.intern(str(path))
        self.report.files.append(self.file)
        # One attribute dict shared by every based_in edge of the file: half a million edges
        # need not hold half a million equal dicts (the node's own line is its provenance).
        self.based_in = {**self._line_attrs(), "derived": True, "relation": m.BASED_IN.name}
        del self.based_in["ftm_line"]
        try:
            total = os.path.getsize(path)
            handle = open(path, "rb")  # noqa: SIM115 - closed below; the loop needs the handle
        except OSError as err:
            self._problem("unreadable file", f"cannot read the file: {err.strerror or err}", line=None)
            return
        done = 0
        with handle:
            for number, raw in enumerate(handle, start=1):
                done += len(raw)
                self.line = number
                if number % PROGRESS_EVERY == 0 and progress:
                    progress(done, total, number)
                if not raw.strip():
                    continue
                self.report.lines += 1
                self.clean = len(raw) <= MAX_TEXT and _SUSPECT_BYTES.search(raw) is None
                try:
                    self._entity(raw)
                except _Bad as bad:
                    self._problem(bad.reason, str(bad))
        if progress:
            progress(done, total, self.line)

    def _problem(self, reason: str, message: str, line: int | None = -1) -> None:
        self.report.problem_count += 1
        self.report.skipped[reason] += 1
        if len(self.report.problems) < MAX_LISTED:
            self.report.problems.append(Problem(self.file, self.line if line == -1 else line, "", message))

    def _entity(self, raw: bytes) -> None:
        try:
            entity = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            raise _Bad("not JSON", f"not valid JSON: {err}") from None
        if not isinstance(entity, dict):
            raise _Bad("not an entity", "a line must be one JSON object (an FtM entity)")
        entity_id = entity.get("id")
        if not isinstance(entity_id, str) or not entity_id.strip() or len(entity_id) > MAX_ID:
            raise _Bad("bad id", f"'id' must be a non-empty string of at most {MAX_ID} characters")
        if not self.clean and FORBIDDEN_CHARS.search(entity_id):
            raise _Bad("bad id", f"id {entity_id!r} contains control or bidi-override characters")
        name = entity.get("schema")
        schema = self.model.get(name) if isinstance(name, str) else None
        if schema is None:
            shown = str(name)[:80]
            self.report.unknown_schemata[shown] += 1
            raise _Bad(
                "unknown schema",
                f"entity {entity_id!r}: unknown schema {shown!r} (the mapping knows the "
                f"{len(self.model.schemata)} schemata of followthemoney {self.model.version})",
            )
        if schema.abstract:
            raise _Bad("abstract schema", f"entity {entity_id!r}: schema {name!r} is abstract; entities cannot use it")
        props = entity.get("properties", {})
        if not isinstance(props, dict):
            raise _Bad("bad properties", f"entity {entity_id!r}: 'properties' must be an object of value lists")
        entity_id = sys.intern(entity_id)
        # each of these checks the whole line before it adds anything: a bad line adds nothing
        if schema.edge is not None:
            self._relationship(entity_id, schema, props, entity)
        elif schema.name == "Sanction":
            self._sanction(entity_id, props, entity)
        else:
            self._node(entity_id, schema, props, entity)
        self.report.entities += 1

    # ---- values -------------------------------------------------------------------

    def _values(self, entity_id: str, props: dict[str, Any], prop: str) -> list[str]:
        """The checked (and, on a suspect line, cleaned) values of one property."""
        values = props.get(prop)
        if values is None:
            return []
        return self._checked(entity_id, prop, values)

    def _checked(self, entity_id: str, prop: str, values: Any) -> list[str]:
        try:
            if type(values) is not list:
                raise TypeError
            "".join(values)  # a C-speed check that every value is a string
        except TypeError:
            raise _Bad("bad properties", f"entity {entity_id!r}: property {prop!r} must be a list of strings") from None
        if self.clean:
            return [v for v in values if v] if "" in values else values
        return [self._text(v) for v in values if v]

    def _read(
        self, entity_id: str, props: dict[str, Any], plan: dict[str, tuple[str, str]], attrs: dict[str, Any]
    ) -> dict[str, list[tuple[str, list[str]]]]:
        """One pass over a line's properties: dates and kept values go into ``attrs``; the
        rest (names, countries, references, edge ends) come back grouped by what they are."""
        found: dict[str, list[tuple[str, list[str]]]] = {}
        for prop, raw in props.items():
            step = plan.get(prop)
            if step is None:
                continue
            values = self._checked(entity_id, prop, raw)
            if not values:
                continue
            action, attr = step
            if action == "date":
                attrs[attr] = self._date(entity_id, prop, values[0])
            elif action == "keep":
                self._keep(attrs, attr, values)
            else:
                found.setdefault(action, []).append((prop, values))
        return found

    def _plan(self, schema: FtmSchema) -> dict[str, tuple[str, str]]:
        """What to do with each property of a schema, worked out once per schema (see :mod:`graph.ftm.mapping`)."""
        plan = self.plans.get(schema.name)
        if plan is not None:
            return plan
        plan = {}
        if schema.edge is not None:
            plan[schema.edge.source] = ("source", schema.edge.source)
            plan[schema.edge.target] = ("target", schema.edge.target)
            plan.update({p: ("date", a) for p, a in m.EDGE_DATES.items() if p in schema.properties})
            plan.update({p: ("keep", a) for p, a in m.EDGE_PROPERTIES.items() if p in schema.properties})
        elif schema.name == "Sanction":
            plan.update({p: ("date", a) for p, a in m.EDGE_DATES.items()})
            plan.update({p: ("keep", a) for p, a in m.SANCTION_PROPERTIES.items()})
            plan.update({p: (p, p) for p in ("entity", "authority", "publisher", "country")})
        else:
            for prop, kind in schema.properties.items():
                if prop in m.NAME_PROPERTIES:
                    plan[prop] = ("name", prop)
                elif prop in m.COUNTRY_PROPERTIES:
                    plan[prop] = ("country", prop)
                elif prop in m.NODE_PROPERTIES:
                    plan[prop] = ("keep", m.NODE_PROPERTIES[prop])
                elif kind == "date":
                    plan[prop] = ("date", m.snake(prop))
                elif kind.startswith("entity"):
                    plan[prop] = ("ref", prop)
        self.plans[schema.name] = plan
        return plan

    def _text(self, value: str) -> str:
        if len(value) > MAX_TEXT:
            value = value[: MAX_TEXT - 1] + "\u2026"
        if FORBIDDEN_CHARS.search(value):
            self.report.cleaned += 1
            value = FORBIDDEN_CHARS.sub("", value)
        return value

    def _share(self, value: Any) -> Any:
        return self.shared.setdefault(value, value)

    def _date(self, entity_id: str, prop: str, value: str) -> str:
        known = self.dates.get(value, "")
        if known == "":
            day = value[:10]
            try:
                parse_partial_date(day)
                known = sys.intern(day)
            except ValueError:
                known = None
            self.dates[value] = known
        if known is None:
            raise _Bad("bad date", f"entity {entity_id!r}: {prop} {value[:40]!r} is not an ISO 8601 date")
        return known

    def _country(self, entity_id: str, prop: str, code: str) -> str:
        folded = code.lower()
        if folded not in self.model.countries:
            raise _Bad(
                "bad country", f"entity {entity_id!r}: {prop} {code[:40]!r} is not a FollowTheMoney country code"
            )
        return folded

    def _provenance(self, attrs: dict[str, Any], entity: dict[str, Any]) -> None:
        datasets = entity.get("datasets")
        if type(datasets) is list and datasets:
            names = tuple(datasets)
            shared = self.shared.get(names)
            if shared is None:
                try:
                    "".join(names)  # all strings
                except TypeError:
                    names = ()
                shared = self._share(tuple(self._text(d)[:200] for d in names))
            if shared:
                attrs["datasets"] = shared
        for key in ("first_seen", "last_seen"):
            value = entity.get(key)
            if value:
                day = self.dates.get(value) if type(value) is str else None
                attrs[key] = day or self._date(str(entity.get("id")), key, str(value))
        attrs["ftm_file"] = self.file
        attrs["ftm_line"] = self.line

    def _keep(self, attrs: dict[str, Any], attr: str, values: list[str]) -> None:
        if attr == "source_url":
            url = next((v for v in values if v.startswith(("https://", "http://"))), None)
            if url:
                attrs[attr] = url
            return
        value = tuple(values) if attr in m.LIST_VALUES else values[0] if len(values) == 1 else "; ".join(values)
        attrs[attr] = self._share(value) if attr in m.SHARED_VALUES else value

    # ---- nodes --------------------------------------------------------------------

    def _resolve(self, entity_id: str) -> str:
        return self.merge.get(entity_id, entity_id)

    def _node(self, entity_id: str, schema: FtmSchema, props: dict[str, Any], entity: dict[str, Any]) -> None:
        node = self.merge.get(entity_id)
        referents = entity.get("referents") if self.merge else None
        if node is None and isinstance(referents, list):
            node = next((self.merge[r] for r in referents if isinstance(r, str) and r in self.merge), None)
        if node is not None:
            self._merge_into(node, entity_id, props)
            return
        existing = self.graph._node.get(entity_id)
        if existing:
            if "ftm_line" in existing:
                first = f"{existing['ftm_file']}:{existing['ftm_line']}"
                raise _Bad("duplicate id", f"entity {entity_id!r} appears twice (first at {first})")
            raise _Bad(
                "duplicate id",
                f"entity {entity_id!r} has the id of a curated entity; list it in that entity's same_as to merge them",
            )
        attrs: dict[str, Any] = {}
        found = self._read(entity_id, props, self._plan(schema), attrs)
        names = dict(found.get("name", ()))
        countries = [self._country(entity_id, p, v) for p, values in found.get("country", ()) for v in values]
        ordered = [n for prop in m.NAME_PROPERTIES for n in names.get(prop, ())]
        caption = entity.get("caption")
        if isinstance(caption, str) and caption.strip():
            label = caption if self.clean else self._text(caption)
        else:
            label = ordered[0] if ordered else ""
        if not label:
            label = next((v for p in schema.caption for v in self._values(entity_id, props, p)), entity_id)
        kind = sys.intern(m.kind_for(schema, attrs.get("topics")))
        attrs = {"label": label, "kind": kind, "schema": schema.name, "ftm_id": entity_id, **attrs}
        aliases = [n for n in dict.fromkeys(ordered) if n != label][:20]
        if aliases:
            attrs["aliases"] = aliases
        countries = list(dict.fromkeys(countries))
        if countries:
            attrs["country"] = sys.intern(countries[0].upper())
            if len(countries) > 1:
                attrs["countries"] = self._share(tuple(c.upper() for c in countries))
        attrs["confidence"] = m.CONFIDENCE
        self._provenance(attrs, entity)
        graph = self.graph
        if entity_id in graph._node:  # referred to by an earlier line
            graph._node[entity_id] = attrs
        else:
            graph._node[entity_id], graph._succ[entity_id], graph._pred[entity_id] = attrs, {}, {}
        self.kinds.add(kind)
        self.report.nodes += 1
        for code in countries:
            self._edge(entity_id, self._country_node(code), "based_in", m.BASED_IN, self.based_in)
        for prop, targets in found.get("ref", ()):
            spec = m.reference_relation(prop)
            for target in targets:
                self._edge(entity_id, self._resolve(sys.intern(target)), spec.name, spec, self._line_attrs())

    def _countries(self, entity_id: str, props: dict[str, Any]) -> list[str]:
        found: list[str] = []
        for prop in m.COUNTRY_PROPERTIES:
            found.extend(self._country(entity_id, prop, v) for v in self._values(entity_id, props, prop))
        return list(dict.fromkeys(found))

    def _line_attrs(self) -> dict[str, Any]:
        """Attributes of an edge made from a node's own line (an entity reference such as a holder)."""
        return {
            "status": m.RELATIONSHIP_STATUS,
            "confidence": m.CONFIDENCE,
            "ftm_file": self.file,
            "ftm_line": self.line,
        }

    def _merge_into(self, node: str, entity_id: str, props: dict[str, Any]) -> None:
        """The curated ``node`` stands for this FtM entity: its edges (also earlier ones) attach there."""
        countries = self._countries(entity_id, props)  # checked before anything changes
        self.merge[entity_id] = node
        if entity_id in self.graph._node:  # edges added under the FtM id before this line
            self._move_edges(entity_id, node)
        data = self.graph.nodes[node]
        data["ftm_ids"] = [*data.get("ftm_ids", ()), entity_id]
        self.report.merged += 1
        for code in countries:
            target = self._country_node(code)
            if not self.graph.has_edge(node, target):
                self._edge(node, target, "based_in", m.BASED_IN, self.based_in)

    def _move_edges(self, old: str, new: str) -> None:
        """Re-point edges added under an FtM id before the line saying it merges into ``new``."""
        graph = self.graph
        moved = [(new, v, k, d) for _, v, k, d in graph.out_edges(old, keys=True, data=True)]
        moved += [(u, new, k, d) for u, _, k, d in graph.in_edges(old, keys=True, data=True)]
        graph.remove_node(old)
        graph.add_edges_from(moved)

    def _country_node(self, code: str) -> str:
        node = self.countries.get(code)
        if node is None:
            node = self._resolve(m.country_node_id(code))
            if node not in self.graph:
                self.graph.add_node(
                    node,
                    label=self.model.countries[code],
                    kind="country",
                    country=code.upper(),
                    confidence=m.CONFIDENCE,
                    derived=True,
                )
                self.kinds.add("country")
                self.report.nodes += 1
            self.countries[code] = node
        return node

    # ---- edges --------------------------------------------------------------------

    def _edge(self, u: str, v: str, key: str, spec: m.RelationSpec, attrs: dict[str, Any]) -> None:
        """Add one edge unless it is a loop or already there.

        Writes networkx's adjacency dicts directly (what ``MultiDiGraph.add_edge`` does,
        without copying ``attrs`` or looking the nodes up twice): the loader's hot path.
        """
        if u == v:
            return
        graph = self.graph
        succ, pred = graph._succ, graph._pred
        if u not in succ:
            succ[u], pred[u], graph._node[u] = {}, {}, {}
        if v not in succ:
            succ[v], pred[v], graph._node[v] = {}, {}, {}
        keys = succ[u].get(v)
        if keys is None:
            keys = succ[u][v] = pred[v][u] = {}
        elif key in keys:
            return
        attrs["relation"] = spec.name
        keys[key] = attrs
        self.relations.setdefault(spec.name, spec)
        self.report.edges += 1

    def _relationship(self, entity_id: str, schema: FtmSchema, props: dict[str, Any], entity: dict[str, Any]) -> None:
        assert schema.edge is not None
        attrs: dict[str, Any] = {"status": m.RELATIONSHIP_STATUS, "confidence": m.CONFIDENCE}
        found = self._read(entity_id, props, self._plan(schema), attrs)
        sources, targets = _first(found, "source"), _first(found, "target")
        if not sources or not targets:
            raise _Bad(
                "incomplete relationship",
                f"entity {entity_id!r}: a {schema.name} needs both {schema.edge.source!r} and {schema.edge.target!r}",
            )
        self._stamp(attrs, entity_id, schema.name, entity)
        self._edges(sources, targets, entity_id, m.relation_for(schema), attrs)

    def _stamp(self, attrs: dict[str, Any], entity_id: str, schema: str, entity: dict[str, Any]) -> None:
        """What every relationship and sanction edge carries besides its own properties."""
        if "date" in attrs and "start" in attrs:
            del attrs["date"]
        attrs["ftm_id"] = entity_id
        attrs["schema"] = schema
        self._provenance(attrs, entity)

    def _edges(
        self, sources: list[str], targets: list[str], key: str, spec: m.RelationSpec, attrs: dict[str, Any]
    ) -> None:
        """An edge from every source to every target, each with its own copy of ``attrs``."""
        pairs = [(self._resolve(sys.intern(u)), self._resolve(sys.intern(v))) for u in sources for v in targets]
        for i, (u, v) in enumerate(pairs):
            self._edge(u, v, key, spec, attrs if i == len(pairs) - 1 else dict(attrs))

    def _sanction(self, entity_id: str, props: dict[str, Any], entity: dict[str, Any]) -> None:
        attrs: dict[str, Any] = {"status": m.SANCTION_STATUS, "confidence": m.CONFIDENCE}
        found = self._read(entity_id, props, self._plan(self.model.schemata["Sanction"]), attrs)
        targets = _first(found, "entity")
        if not targets:
            raise _Bad("incomplete sanction", f"sanction {entity_id!r} names no sanctioned 'entity'")
        authorities = _first(found, "authority") or _first(found, "publisher")
        if not authorities:
            datasets = entity.get("datasets")
            first = next((d for d in datasets if isinstance(d, str)), "") if isinstance(datasets, list) else ""
            authorities = [f"Unnamed authority ({first})" if first else "Unnamed authority"]
        countries = [self._country(entity_id, "country", c) for c in _first(found, "country")]
        if "start" not in attrs and "date" not in attrs and "listing_date" in attrs:
            attrs["start"] = attrs["listing_date"]
        self._stamp(attrs, entity_id, "Sanction", entity)
        before = self.report.edges
        issuers = [self._authority(authority, countries) for authority in authorities]
        self._edges(issuers, targets, entity_id, m.SANCTIONED, attrs)
        self.report.sanctions += self.report.edges - before

    def _authority(self, name: str, countries: list[str]) -> str:
        node = self._resolve(m.authority_node_id(name))
        if node not in self.graph:
            attrs: dict[str, Any] = {"label": name[:300], "kind": m.AUTHORITY_KIND, "confidence": m.CONFIDENCE}
            if countries:
                attrs["country"] = countries[0].upper()
            attrs["derived"] = True
            attrs["note"] = "Created from the 'authority' of FollowTheMoney Sanction entities."
            self.graph.add_node(node, **attrs)
            self.kinds.add(m.AUTHORITY_KIND)
            self.report.authorities += 1
            self.report.nodes += 1
        return node

    # ---- the end --------------------------------------------------------------------

    def finish(self) -> None:
        """Find references to entities no file held; add the vocabulary the data used."""
        graph = self.graph
        dangling = [node for node, data in graph._node.items() if not data]
        for node in dangling:
            for u, v, _, data in _edges_of(graph, node):
                self.file, self.line = data.get("ftm_file", ""), data.get("ftm_line", 0)
                referrer = u if v == node else v
                self._problem(
                    "reference to a missing entity",
                    f"{data.get('schema', 'entity')} {data.get('ftm_id', referrer)!r} refers to {node!r}, "
                    "which no loaded file contains",
                )
            if self.skip_invalid:
                self.report.edges -= graph.degree(node)
                graph.remove_node(node)
        vocabulary = graph.graph.setdefault("relation_types", {})
        all_kinds = set(graph.graph.get("kinds", {})) | self.kinds
        for name, spec in m.relation_types(list(self.relations.values()), all_kinds).items():
            if name in vocabulary:  # a curated type (sanctioned, based_in): widen the kinds it allows
                for side in ("source_kinds", "target_kinds"):
                    vocabulary[name][side] = sorted(set(vocabulary[name][side]) | all_kinds)
            else:
                vocabulary[name] = spec
        kinds = graph.graph.setdefault("kinds", {})
        for name, spec in m.kinds_vocabulary(self.kinds - set(kinds)).items():
            kinds[name] = spec
        graph.graph.setdefault("ftm", {})["files"] = list(self.report.files)


def _first(found: dict[str, list[tuple[str, list[str]]]], action: str) -> list[str]:
    """The values of the (one) property read for ``action``, or none."""
    entries = found.get(action)
    return entries[0][1] if entries else []


def _edges_of(graph: nx.MultiDiGraph, node: str) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    yield from graph.in_edges(node, keys=True, data=True)
    yield from graph.out_edges(node, keys=True, data=True)
