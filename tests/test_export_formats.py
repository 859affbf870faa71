"""Every export format, read back by the tools people use, for the whole graph and for selections."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from app.cli import cli
from graph.exports import EXPORT_FORMATS
from graph.exports.csv_zip import generate_csv_zip
from graph.exports.ftm import ftm_entities
from graph.exports.gexf import generate_gexf
from graph.store import records

FTM_ID = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.-]*[0-9a-zA-Z])?$")
ENTITY_PROPERTIES = {"entity", "subject", "object", "participant", "project", "member", "organization",
                     "employee", "employer"}  # fmt: skip


def read_gexf(data: bytes) -> nx.MultiDiGraph:
    return nx.read_gexf(io.BytesIO(data), version="1.3")


def read_csv_zip(data: bytes) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["nodes.csv", "edges.csv"]
    read = lambda name: list(csv.DictReader(io.TextIOWrapper(archive.open(name), "utf-8", newline="")))  # noqa: E731
    return read("nodes.csv"), read("edges.csv")


def read_ftm(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines()]


def test_gexf_opens_in_networkx_styled(bundled: nx.MultiDiGraph) -> None:
    data = b"".join(generate_gexf(bundled))
    read = read_gexf(data)
    assert (read.number_of_nodes(), read.number_of_edges()) == (len(bundled), bundled.number_of_edges())
    firm = read.nodes["mzkt"]
    assert firm["label"] == "Minsk Wheel Tractor Plant" and firm["kind"] == "firm" and firm["country"] == "BY"
    style = records.vocabulary(bundled).kind_style("firm")
    assert firm["viz"]["color"]["r"] == int(style.color[1:3], 16) and firm["viz"]["size"] == style.size
    sanction = read.get_edge_data("us-state-dept", "mzkt")["us-state-dept:sanctioned-2024-04-19:mzkt"]
    assert sanction["start"] == "2024-04-19" and sanction["legal_basis"].startswith("Executive Order 13382")
    assert sanction["edge_key"] == "sanctioned-2024-04-19"
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    edge = ElementTree.fromstring(data).find(".//g:edge[@id='us-state-dept:sanctioned-2024-04-19:mzkt']", ns)
    assert edge is not None and edge.find("viz:color", ns).get("r") == "220"  # sanctions drawn red
    assert read.nodes["shaheen-3"]["range_km"] == 2750 and read.nodes["ababeel"]["mirv"] is True


def test_csv_zip_reads_with_the_csv_module(bundled: nx.MultiDiGraph) -> None:
    nodes, edges = read_csv_zip(b"".join(generate_csv_zip(bundled)))
    assert len(nodes) == len(bundled) and len(edges) == bundled.number_of_edges()
    assert all(None not in row.values() and None not in row for row in nodes + edges)  # complete rows
    longde = next(r for r in nodes if r["id"] == "xian-longde")
    assert longde["aliases"].split(" | ")[0] == "Lontek"
    sanctions = [r for r in edges if r["relation"] == "sanctioned" and r["target"] == "xian-longde"]
    assert sorted(r["start"] for r in sanctions) == ["2024-04-19", "2024-09-12"]
    assert all(r["sources"].startswith("http") for r in edges)


def test_csv_reads_with_pandas_without_options(bundled: nx.MultiDiGraph, tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(generate_csv_zip(bundled))))
    archive.extractall(tmp_path)
    assert pandas.read_csv(tmp_path / "edges.csv").shape[0] == bundled.number_of_edges()


def test_ftm_lines_are_consistent_followthemoney_entities(bundled: nx.MultiDiGraph) -> None:
    entities = list(ftm_entities(bundled))
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities) == len(bundled) + bundled.number_of_edges()
    for entity in entities:
        assert FTM_ID.match(entity["id"]), entity["id"]
        for prop, values in entity["properties"].items():
            assert values and all(isinstance(v, str) for v in values)
            if prop in ENTITY_PROPERTIES:
                assert set(values) <= ids, (entity["id"], prop, values)
    sanctions = [e for e in entities if e["schema"] == "Sanction"]
    assert len(sanctions) == sum(1 for *_, d in bundled.edges(data=True) if d["relation"] == "sanctioned")
    riamb = next(s for s in sanctions if s["properties"]["entity"] == ["riamb"])
    assert riamb["properties"]["authority"] == ["US Department of State"]
    assert riamb["properties"]["program"] == ["Executive Order 13382"]
    assert riamb["properties"]["startDate"] == ["2024-09-12"] and riamb["properties"]["sourceUrl"]
    schemata = {e["schema"] for e in entities}
    assert {"Company", "PublicBody", "Organization", "Person", "Project", "ProjectParticipant", "Employment",
            "Membership", "UnknownLink", "LegalEntity", "Address"} <= schemata  # fmt: skip
    supply = next(e for e in entities if e["id"] == "mzkt.supplied.ndc")
    assert supply["schema"] == "UnknownLink" and supply["properties"]["role"] == ["supplied: special vehicle chassis"]


def test_ftm_validates_with_the_followthemoney_library(bundled: nx.MultiDiGraph) -> None:
    followthemoney = pytest.importorskip("followthemoney", reason="the [ftm] extra is not installed")
    model = followthemoney.model
    for entity in ftm_entities(bundled):
        proxy = model.get_proxy(entity)  # cleans values: any that do not fit their type are dropped
        assert proxy.schema.name == entity["schema"]
        for prop, values in entity["properties"].items():
            assert prop in proxy.schema.properties, (entity["schema"], prop)
            assert len(proxy.get(prop)) == len(values), (entity["schema"], prop, values)


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_whole_graph_export_over_http(client: TestClient, fmt: str) -> None:
    response = client.get("/api/export", params={"format": fmt})
    spec = EXPORT_FORMATS[fmt]
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(spec.media_type)
    assert f'filename="linkscope.{spec.extension}"' in response.headers["content-disposition"]
    assert len(response.content) > 1000


def node_ids_in(fmt: str, data: bytes) -> tuple[set[str], int]:
    """The node ids and the number of edges of an exported file."""
    if fmt == "graphml":
        graph = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
        return set(graph.nodes), graph.number_of_edges()
    if fmt == "gexf":
        graph = read_gexf(data)
        return set(graph.nodes), graph.number_of_edges()
    if fmt == "csv":
        nodes, edges = read_csv_zip(data)
        return {r["id"] for r in nodes}, len(edges)
    entities = read_ftm(data)
    edges = [e for e in entities if {"entity", "subject", "participant", "member", "employee"} & set(e["properties"])]
    return {e["id"] for e in entities if e not in edges}, len(edges)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv", "ftm"])
def test_subgraph_exports_equal_the_subgraph_json(client: TestClient, fmt: str) -> None:
    params = {"center": "ndc", "depth": 1, "relations": ["supplied", "develops", "sanctioned"]}
    as_json = client.get("/api/subgraph", params=params).json()
    response = client.get("/api/subgraph", params={**params, "format": fmt})
    nodes, edge_count = node_ids_in(fmt, response.content)
    assert nodes == {n["id"] for n in as_json["nodes"]} and edge_count == len(as_json["edges"])
    assert "linkscope-subgraph-ndc-depth1" in response.headers["content-disposition"]


def test_paths_and_supply_chain_exports(client: TestClient) -> None:
    paths = client.get("/api/paths", params={"source": "riamb", "target": "shaheen-3", "max_hops": 2, "format": "gexf"})
    graph = read_gexf(paths.content)
    assert {"riamb", "ndc", "shaheen-3"} <= set(graph.nodes)
    assert 'filename="linkscope-paths-riamb-shaheen-3.gexf"' in paths.headers["content-disposition"]
    chain = client.get("/api/entities/shaheen-3/supply-chain", params={"as_of": "2024-05-01", "format": "csv"})
    nodes, _ = read_csv_zip(chain.content)
    assert {"mzkt", "riamb", "xian-longde", "us-state-dept"} <= {r["id"] for r in nodes}
    assert "linkscope-supply-chain-shaheen-3-2024-05-01.csv.zip" in chain.headers["content-disposition"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--center", "ndc", "--depth", "1", "--relations", "supplied"], {"ndc", "mzkt", "riamb", "granpect"}),
        (["--supply-chain", "shaheen-3", "--as-of", "2024-05-01"], {"shaheen-3", "ndc", "mzkt", "us-state-dept"}),
        (["--path-from", "riamb", "--path-to", "shaheen-3", "--max-hops", "2"], {"riamb", "ndc", "shaheen-3"}),
    ],
)
def test_cli_exports_selections(tmp_path: Path, args: list[str], expected: set[str]) -> None:
    target = tmp_path / "selection.gexf"
    result = CliRunner().invoke(cli, ["export", "--format", "gexf", "-o", str(target), *args])
    assert result.exit_code == 0, result.output
    assert expected <= set(read_gexf(target.read_bytes()).nodes)


def test_cli_export_rejects_unknown_ids() -> None:
    result = CliRunner().invoke(cli, ["export", "--format", "csv", "--center", "nobody"])
    assert result.exit_code == 2 and "unknown entity id 'nobody'" in result.output


def test_hostile_strings_survive_every_format() -> None:
    graph = nx.MultiDiGraph(name="hostile")
    text = "quote \" apostrophe ' <tag> & amp \x01 ctl\nnewline, comma"
    graph.add_node("a", label=text, kind="firm", aliases=[text, "b | c"])
    graph.add_node("b", label="B", kind="agency")
    graph.add_edge("a", "b", key="k", relation="supplied", item=text, id="a:k:b")
    assert read_gexf(b"".join(generate_gexf(graph))).nodes["a"]["label"] == text.replace("\x01", "\ufffd")
    nodes, edges = read_csv_zip(b"".join(generate_csv_zip(graph)))
    assert nodes[0]["label"] == text and edges[0]["item"] == text
    lines = read_ftm(b"".join(EXPORT_FORMATS["ftm"].write(graph)))
    assert lines[0]["properties"]["name"] == [text]
