"""FollowTheMoney import: the mapping, sanctions as edges, same_as merging, bad lines, CLI and API."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from app.cli import cli
from app.main import create_app
from app.settings import Settings
from graph.errors import DataError
from graph.exports import EXPORT_FORMATS
from graph.ingest.curated import BUNDLED_DATA, load_dataset
from graph.ingest.ftm import load_ftm
from graph.ingest.ftm.mapping import EDGE_RELATIONS, authority_node_id
from graph.ingest.ftm.report import MAX_LISTED
from graph.ingest.ftm.schemata import ftm_model
from graph.queries.paths import find_paths
from graph.store import records
from graph.store.build import build_graph, load_graph
from tests.conftest import WriteData, entity


def ftm(entity_id: str, schema: str, **props: Any) -> dict[str, Any]:
    """One FtM entity; keyword values become one-value lists unless already lists."""
    properties = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
    return {"id": entity_id, "schema": schema, "properties": properties, "datasets": ["test_list"],
            "first_seen": "2023-01-02T10:00:00", "last_seen": "2026-11-01T00:00:00"}  # fmt: skip


def write_ftm(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def empty_graph() -> nx.MultiDiGraph:
    """The bundled vocabulary and no entities: FtM data on its own."""
    return records.new_graph(records.vocabulary(load_graph()))


def edges_of(graph: nx.MultiDiGraph, relation: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(u, v, d) for u, v, d in graph.edges(data=True) if d["relation"] == relation]


def test_node_schemata_map_to_kinds_with_names_countries_dates_and_ids(tmp_path: Path) -> None:
    path = write_ftm(
        tmp_path / "e.ftm.json",
        ftm("co", "Company", name=["Rostec Trading", "Rostec Trade House"], alias="RTH", country="ru",
            incorporationDate="2011-05-04", registrationNumber="77123"),
        ftm("pe", "Person", name="Ivan Petrov", nationality="by", birthDate="1971"),
        ftm("pb", "PublicBody", name="Ministry of Defence", country="ir"),
        ftm("org", "Organization", name="Institute X", country="cn"),
        ftm("soe", "Organization", name="State Plant", topics="gov.soe", country="cn"),
        ftm("le", "LegalEntity", name="Some Entity"),
        ftm("pr", "Project", name="Project Y"),
        ftm("ve", "Vessel", name="MV Example", imoNumber="IMO9999999", country="pa"),
    )  # fmt: skip
    graph = empty_graph()
    report = load_ftm(graph, [path])
    kinds = {n: graph.nodes[n]["kind"] for n in ("co", "pe", "pb", "org", "soe", "le", "pr", "ve")}
    # honest kinds: a LegalEntity is not a firm, an Organization not an institute, a Project not a programme
    assert kinds == {"co": "firm", "pe": "person", "pb": "agency", "org": "organization", "soe": "agency",
                     "le": "legal-entity", "pr": "project", "ve": "vessel"}  # fmt: skip
    company = graph.nodes["co"]
    assert company["label"] == "Rostec Trading" and company["aliases"] == ["Rostec Trade House", "RTH"]
    assert company["ftm_id"] == "co" and company["schema"] == "Company" and company["country"] == "RU"
    assert company["incorporation_date"] == "2011-05-04" and company["registration_number"] == "77123"
    assert company["datasets"] == ("test_list",) and company["first_seen"] == "2023-01-02"
    assert (company["ftm_file"], company["ftm_line"]) == (str(path), 1)
    assert company["confidence"] == "dataset"
    assert graph.nodes["pe"]["birth_date"] == "1971" and graph.nodes["pe"]["nationality"] == ("by",)
    # countries become based_in edges to one country node per code, named from the FtM country list
    assert graph.has_edge("co", "country-ru", "based_in") and graph.nodes["country-ru"]["label"] == "Russia"
    assert not any(v.startswith("country-") for _, v in graph.out_edges("pe"))  # nationality stays an attribute
    assert graph.nodes["ve"]["imo_number"] == "IMO9999999"
    assert records.vocabulary(graph).kinds["vessel"].label == "Vessel"
    assert report.nodes == 8 + 4 and report.entities == 8  # and the country nodes ru, ir, cn, pa


def test_every_edge_schema_becomes_its_relation_from_declared_source_to_target(tmp_path: Path) -> None:
    model = ftm_model()
    lines: list[dict[str, Any]] = [ftm("a", "Person", name="A"), ftm("b", "Company", name="B")]
    for name in EDGE_RELATIONS:
        edge = model.schemata[name].edge
        assert edge is not None
        props = {edge.source: "a", edge.target: "b", "startDate": "2020-02", "endDate": "2022", "role": "director"}
        lines.append(ftm(f"rel-{name}", name, **props))
    graph = empty_graph()
    load_ftm(graph, [write_ftm(tmp_path / "e.ftm.json", *lines)])
    vocabulary, bundled_vocabulary = records.vocabulary(graph), records.vocabulary(load_graph())
    for name, relation in EDGE_RELATIONS.items():
        data = graph.get_edge_data("a", "b", f"rel-{name}")
        assert data is not None, name
        assert data["relation"] == relation and data["schema"] == name
        assert (data["start"], data["end"]) == ("2020-02", "2022")
        if "role" in model.schemata[name].properties:  # properties a schema does not have are not read
            assert data["role"] == "director"
        else:
            assert "role" not in data
        assert data["status"] == "reported" and data["confidence"] == "dataset"
        declared = bundled_vocabulary.relation_types[relation]  # in data/vocabulary.yaml, with a style of its own
        assert vocabulary.relation_types[relation].label == declared.label
        assert declared.style != vocabulary.defaults.relation_style
    assert set(EDGE_RELATIONS) == {n for n, s in model.schemata.items() if s.edge}, "map every edge schema"


def test_ownership_keeps_percentage_and_direction(tmp_path: Path) -> None:
    path = write_ftm(
        tmp_path / "e.ftm.json",
        ftm("hold", "Company", name="Holding"),
        ftm("sub", "Company", name="Subsidiary"),
        ftm("own", "Ownership", owner="hold", asset="sub", percentage="51", ownershipType="direct"),
    )
    graph = empty_graph()
    load_ftm(graph, [path])
    (u, v, data), = edges_of(graph, "owns")  # fmt: skip
    assert (u, v) == ("hold", "sub") and data["percentage"] == "51" and data["ownership_type"] == "direct"


def test_sanctions_become_dated_edges_from_one_node_per_authority(tmp_path: Path) -> None:
    ofac = "Office of Foreign Assets Control"
    path = write_ftm(
        tmp_path / "e.ftm.json",
        ftm("t1", "Company", name="Target One"),
        ftm("t2", "Person", name="Target Two"),
        ftm("s1", "Sanction", entity="t1", authority=ofac, program="NPWMD", country="us",
            startDate="2024-09-12", listingDate="2024-09-13", reason="Supplied missile parts",
            provisions=["Asset freeze", "Travel ban"], sourceUrl="https://ofac.example/1", programId="US-NPWMD"),
        ftm("s2", "Sanction", entity="t2", authority=ofac, listingDate="2023-01-05", endDate="2025-06-01"),
        ftm("s3", "Sanction", entity="t2", authority="Council of the European Union", startDate="2022"),
        ftm("s4", "Sanction", entity="t1"),
    )  # fmt: skip
    graph = empty_graph()
    report = load_ftm(graph, [path])
    issuer = authority_node_id(ofac)
    assert graph.nodes[issuer]["label"] == ofac and graph.nodes[issuer]["kind"] == "agency"
    assert graph.nodes[issuer]["country"] == "US"
    first = graph.get_edge_data(issuer, "t1", "s1")
    assert first["relation"] == "sanctioned" and first["status"] == "designated"
    assert (first["start"], first["listing_date"], first["program"]) == ("2024-09-12", "2024-09-13", "NPWMD")
    assert first["provisions"] == ("Asset freeze", "Travel ban") and first["reason"] == "Supplied missile parts"
    assert first["source_url"] == "https://ofac.example/1" and first["program_id"] == "US-NPWMD"
    second = graph.get_edge_data(issuer, "t2", "s2")
    assert (second["start"], second["end"]) == ("2023-01-05", "2025-06-01")  # listing date stands in for start
    assert graph.has_edge(authority_node_id("Council of the European Union"), "t2", "s3")
    unnamed = authority_node_id("Unnamed authority (test_list)")
    assert graph.has_edge(unnamed, "t1", "s4")
    assert report.sanctions == 4 and report.authorities == 3
    assert sum(1 for n, d in graph.nodes(data=True) if d.get("kind") == "agency") == 3


def test_same_as_merges_ftm_entities_into_curated_ones(tmp_path: Path, write_data: WriteData) -> None:
    folder = write_data(
        entities=[
            entity("acme", same_as=["NK-acme"]),
            entity("ofac", kind="agency", same_as=[authority_node_id("OFAC")]),
        ]
    )
    graph = build_graph(load_dataset([folder]))
    path = write_ftm(
        tmp_path / "e.ftm.json",
        ftm("own-1", "Ownership", owner="NK-front", asset="NK-acme"),  # before either entity's line
        ftm("NK-front", "Company", name="Front Co"),
        ftm("NK-acme", "Company", name="ACME Ltd", country="cn"),
        ftm("s1", "Sanction", entity="NK-acme", authority="OFAC", startDate="2024"),
        {**ftm("NK-canonical", "Company", name="ACME"), "referents": ["NK-old"]},
    )
    report = load_ftm(graph, [path])
    assert "NK-acme" not in graph and graph.has_edge("NK-front", "acme", "own-1")
    assert graph.nodes["acme"]["ftm_ids"] == ["NK-acme"] and graph.nodes["acme"]["label"] == "Acme"
    assert graph.has_edge("ofac", "acme", "s1")  # the authority merged into the curated agency too
    assert report.merged == 1


def test_referents_merge_a_canonical_id_whose_edges_came_first(tmp_path: Path, write_data: WriteData) -> None:
    graph = build_graph(load_dataset([write_data(entities=[entity("acme", same_as=["NK-old"])])]))
    path = write_ftm(
        tmp_path / "e.ftm.json",
        ftm("x", "Company", name="X"),
        ftm("own-1", "Ownership", owner="x", asset="NK-new"),
        {**ftm("NK-new", "Company", name="ACME"), "referents": ["NK-old"]},
    )
    load_ftm(graph, [path])
    assert "NK-new" not in graph and graph.has_edge("x", "acme", "own-1")


def test_bad_lines_fail_the_load_naming_file_line_and_reason(tmp_path: Path) -> None:
    path = write_ftm(
        tmp_path / "bad.ftm.json",
        ftm("ok", "Company", name="Fine"),
        "{not json",
        json.dumps({"schema": "Company", "properties": {}}),
        ftm("u", "Spaceship", name="Enterprise"),
        ftm("d", "Company", name="Dated", incorporationDate="yesterday"),
        ftm("c", "Company", name="Nowhere", country="atlantis"),
        ftm("own", "Ownership", owner="ok", asset="ghost"),
        ftm("ok", "Person", name="Again"),
        json.dumps({"id": "p", "schema": "Person", "properties": {"name": "not a list"}}),
        ftm("thing", "Thing", name="Abstract"),
    )
    with pytest.raises(DataError) as caught:
        load_ftm(empty_graph(), [path], strict=True)
    by_line = {p.line: p.message for p in caught.value.problems}
    assert "not valid JSON" in by_line[2]
    assert "'id' must be a non-empty string" in by_line[3]
    assert "unknown schema 'Spaceship'" in by_line[4]
    assert "incorporationDate 'yesterday' is not an ISO 8601 date" in by_line[5]
    assert "'atlantis' is not a FollowTheMoney country code" in by_line[6]
    assert "refers to 'ghost' (Ownership.asset), which no loaded file contains" in by_line[7]
    assert "appears twice (first at" in by_line[8]
    assert "must be a list of strings" in by_line[9]
    assert "abstract" in by_line[10]
    assert all(p.file == str(path) for p in caught.value.problems)


def test_many_bad_lines_are_listed_up_to_a_limit_then_counted(tmp_path: Path) -> None:
    path = write_ftm(tmp_path / "bad.ftm.json", *["{nope"] * (MAX_LISTED + 25))
    with pytest.raises(DataError) as caught:
        load_ftm(empty_graph(), [path])
    assert len(caught.value.problems) == MAX_LISTED + 1
    assert "and 25 more bad lines not listed" in str(caught.value)


def test_skip_invalid_loads_the_rest_and_counts_what_it_skipped(tmp_path: Path) -> None:
    path = write_ftm(
        tmp_path / "bad.ftm.json",
        ftm("a", "Company", name="A"),
        ftm("b", "Company", name="B"),
        "{not json",
        ftm("u", "Spaceship", name="Enterprise"),
        ftm("u2", "Spaceship", name="Voyager"),
        ftm("own", "Ownership", owner="a", asset="b"),
        ftm("own2", "Ownership", owner="a", asset="ghost"),
    )
    graph = empty_graph()
    report = load_ftm(graph, [path], skip_invalid=True, strict=True)
    assert graph.has_edge("a", "b", "own") and "ghost" not in graph
    assert report.skipped == {"not JSON": 1, "unknown schema": 2, "reference to a missing entity": 1}
    assert report.unknown_schemata == {"Spaceship": 2}
    assert "unknown schemata: Spaceship (2)" in report.summary()
    assert report.edges == graph.number_of_edges()


def test_control_characters_are_removed_and_long_values_cut(tmp_path: Path) -> None:
    path = write_ftm(
        tmp_path / "e.ftm.json",
        ftm("a", "Company", name="Evil\u202eCorp\x07", notes="x" * 10_000, sourceUrl="javascript:alert(1)"),
    )
    graph = empty_graph()
    report = load_ftm(graph, [path])
    assert graph.nodes["a"]["label"] == "EvilCorp" and report.cleaned == 1
    assert "source_url" not in graph.nodes["a"]  # only http(s) links are kept


def test_cli_validate_stats_and_export_read_ftm_files(tmp_path: Path) -> None:
    good = write_ftm(
        tmp_path / "good.ftm.json",
        ftm("t1", "Company", name="Target One", country="cn"),
        ftm("s1", "Sanction", entity="t1", authority="OFAC", startDate="2024-09-12", program="NPWMD"),
    )
    bad = write_ftm(tmp_path / "bad.ftm.json", ftm("t2", "Company", name="T2"), "{oops")
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", "--ftm", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "2 FtM entities" in ok.output and "1 sanctions from 1 authorities" in ok.output
    failed = runner.invoke(cli, ["validate", "--ftm", str(bad)])
    assert failed.exit_code == 1 and f"{bad}:2" in failed.output and "not valid JSON" in failed.output
    skipped = runner.invoke(cli, ["validate", "--ftm", str(bad), "--skip-invalid"])
    assert skipped.exit_code == 0 and "skipped: 1 not JSON" in skipped.output
    stats = runner.invoke(cli, ["stats", "--json", "--ftm", str(good)])
    counts = json.loads(stats.stdout)
    assert counts["ftm"]["sanctions"] == 1 and counts["relations"]["sanctioned"] >= 1
    out = tmp_path / "t1.graphml"
    exported = runner.invoke(
        cli, ["export", "--ftm", str(good), "--format", "graphml", "--center", "t1", "-o", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    exported_graph = nx.read_graphml(out)
    relations = {(u, v, d["relation"]) for u, v, d in exported_graph.edges(data=True)}
    assert (authority_node_id("OFAC"), "t1", "sanctioned") in relations


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_every_export_format_writes_imported_data(tmp_path: Path, fmt: str) -> None:
    graph = build_graph(load_dataset())
    load_ftm(
        graph,
        [write_ftm(tmp_path / "e.ftm.json", ftm("t1", "Company", name="T <1> & \"co\"", country="pk"),
                   ftm("s1", "Sanction", entity="t1", authority="OFAC", startDate="2024", provisions=["a", "b"]))],
    )  # fmt: skip
    body = b"".join(EXPORT_FORMATS[fmt].write(graph))
    assert body
    if fmt == "graphml":
        read = nx.read_graphml(__import__("io").BytesIO(body))
        assert read.nodes["t1"]["label"] == 'T <1> & "co"' and read.has_edge(authority_node_id("OFAC"), "t1")
    if fmt == "json":
        assert any(e.get("ftm_id") == "s1" for e in orjson.loads(body)["edges"])


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The bundled data, with riamb declaring an FtM id, served beside a small FtM file."""
    root = tmp_path_factory.mktemp("mixed")
    data = root / "data"
    shutil.copytree(BUNDLED_DATA, data)
    suppliers = data / "entities" / "suppliers.yaml"
    content = yaml.safe_load(suppliers.read_text(encoding="utf-8"))
    next(e for e in content["entities"] if e["id"] == "riamb")["same_as"] = ["NK-riamb"]
    suppliers.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    path = write_ftm(
        root / "entities.ftm.json",
        ftm("NK-front", "Company", name="Harbour Front Trading Ltd", country="hk"),
        ftm("NK-riamb", "Company", name="RIAMB", country="cn"),
        ftm("own-1", "Ownership", owner="NK-front", asset="NK-riamb", startDate="2019"),
        ftm("s-1", "Sanction", entity="NK-front", authority="Office of Foreign Assets Control",
            startDate="2025-02-01", program="NPWMD", sourceUrl="https://ofac.example/front"),
    )  # fmt: skip
    with TestClient(create_app(Settings(data=[data], ftm=[path]))) as client:
        yield client


def test_api_serves_curated_and_ftm_data_with_a_path_through_both(mixed: TestClient) -> None:
    issuer = authority_node_id("Office of Foreign Assets Control")
    found = mixed.get("/api/paths", params={"source": issuer, "target": "shaheen-3", "max_hops": 4, "direction": "out"})
    assert found.status_code == 200, found.text
    hops = found.json()["paths"][0]["hops"]
    assert [h["relation"] for h in hops] == ["sanctioned", "owns", "supplied", "develops"]
    assert hops[0]["explanation"] == "Office of Foreign Assets Control sanctioned Harbour Front Trading Ltd"
    assert hops[0]["sources"][0]["url"] == "https://ofac.example/front"  # imported hops cite their record
    assert hops[2]["confidence"] != "dataset" and hops[2]["sources"][0]["publisher"]  # curated hops their sources
    detail = mixed.get("/api/entities/NK-front").json()
    assert detail["entity"]["kind"] == "firm" and detail["entity"]["sources"][0]["title"].endswith("line 1")
    groups = {(g["relation"], g["direction"]) for g in detail["relations"]}
    assert {("sanctioned", "in"), ("owns", "out"), ("based_in", "out")} <= groups
    assert "riamb" in {i["other"]["id"] for g in detail["relations"] for i in g["items"]}
    hits = mixed.get("/api/entities", params={"q": "harbour front"}).json()
    assert hits["results"][0]["id"] == "NK-front"
    relations = mixed.get("/openapi.json").json()["paths"]["/api/subgraph"]["get"]["parameters"]
    enum = next(p for p in relations if p["name"] == "relations")["schema"]
    assert "owns" in json.dumps(enum)


def test_explorer_draws_imported_sanctions(mixed: TestClient) -> None:
    issuer = authority_node_id("Office of Foreign Assets Control")
    data = mixed.get("/explore/data", params={"center": "NK-front", "depth": 1}).json()
    edges = [e for e in data["edges"] if e["from"] == issuer and e["to"] == "NK-front"]
    assert edges and edges[0]["relation"] == "sanctioned"


def test_entity_references_are_real_relations_and_dangling_ones_name_their_referrer(tmp_path: Path) -> None:
    path = write_ftm(
        tmp_path / "e.ftm.json",
        ftm("pe", "Person", name="Ivan Petrov"),
        ftm("pass", "Passport", holder="pe", number="123"),
        ftm("pass2", "Passport", holder="nobody", number="456"),
    )
    graph = empty_graph()
    load_ftm(graph, [path])
    holder = graph.get_edge_data("pass", "pe", "holder")
    assert holder["relation"] == "holder" and "derived" not in holder  # from the data, not from a country field
    assert find_paths(graph, "pass", "pe", max_hops=1).paths
    with pytest.raises(DataError, match="refers to 'nobody'") as caught:
        load_ftm(empty_graph(), [path], strict=True)
    assert "'pass2' refers to 'nobody' (holder)" in str(caught.value)


def test_references_to_entities_no_file_holds_are_kept_and_reported(tmp_path: Path) -> None:
    """A real export (or a slice of one) refers to addresses and parents it does not hold."""
    path = write_ftm(
        tmp_path / "slice.ftm.json",
        ftm("co", "Company", name="Slice Trading LLC", addressEntity="addr-1", parent="NK-parent"),
        ftm("pe", "Person", name="Ivan Petrov"),
        ftm("own", "Ownership", owner="pe", asset="NK-elsewhere", percentage="51"),
        ftm("san", "Sanction", entity="NK-unlisted", authority="OFAC"),
    )
    graph = empty_graph()
    report = load_ftm(graph, [path])  # not refused
    assert {"co", "pe"} <= set(graph) and not records.placeholders(graph)
    assert not {"addr-1", "NK-parent", "NK-elsewhere", "NK-unlisted"} & set(graph)  # no invented nodes
    assert set(graph.nodes["co"]["unresolved"]) == {("addressEntity", "addr-1"), ("parent", "NK-parent")}
    assert graph.nodes["pe"]["unresolved"] == (("Ownership.asset", "NK-elsewhere"),)
    assert report.unresolved == {"addressEntity": 1, "parent": 1, "Ownership.asset": 1, "Sanction.entity": 1}
    assert report.problem_count == 0 and report.edges == graph.number_of_edges()
    assert "4 references to entities no loaded file holds" in report.summary()
    assert all(line.startswith(f"{path}:") for line in report.unresolved_lines())
    detail = records.entity_record(graph, "co")["unresolved"]  # type: ignore[typeddict-item]
    assert {"property": "addressEntity", "target": "addr-1"} in detail
