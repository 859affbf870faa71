"""Exports open in the tools people use: XSD-valid GraphML for networkx and igraph; node-link JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from graph.exports import EXPORT_FORMATS
from graph.exports.flatten import LIST_SEPARATOR
from graph.exports.graphml import generate_graphml
from graph.exports.node_link import generate_node_link
from tests.conftest import GRAPHML_XSD

etree = pytest.importorskip("lxml.etree")


def graphml_bytes(graph: nx.MultiDiGraph) -> bytes:
    return b"".join(generate_graphml(graph))


@pytest.fixture(scope="module")
def xsd() -> object:
    if not GRAPHML_XSD.is_file():
        pytest.skip(f"GraphML schema not found at {GRAPHML_XSD} (../shared is absent outside CI)")
    return etree.XMLSchema(etree.parse(str(GRAPHML_XSD)))


def test_bundled_graphml_is_xsd_valid(bundled: nx.MultiDiGraph, xsd: object) -> None:
    doc = etree.fromstring(graphml_bytes(bundled))
    assert xsd.validate(doc), xsd.error_log  # type: ignore[attr-defined]


def test_each_attribute_name_has_one_type_and_no_value_is_empty(bundled: nx.MultiDiGraph) -> None:
    doc = etree.fromstring(graphml_bytes(bundled))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = doc.findall("g:key", ns)
    names = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(names) == len(set(names))
    assert all((d.text or "").strip() for d in doc.iterfind(".//g:data", ns))


def test_graphml_round_trip_through_networkx(bundled: nx.MultiDiGraph) -> None:
    read = nx.read_graphml(io.BytesIO(graphml_bytes(bundled)))
    assert read.is_directed() and read.is_multigraph()
    assert (read.number_of_nodes(), read.number_of_edges()) == (bundled.number_of_nodes(), bundled.number_of_edges())
    longde = read.nodes["xian-longde"]
    assert longde["label"] == "Xi'an Longde Technology Development Company Limited"
    assert longde["kind"] == "firm" and longde["country"] == "CN" and "Lontek" in longde["aliases"]
    assert read.nodes["shaheen-3"]["range_km"] == 2750
    sanction = read.get_edge_data("us-state-dept", "xian-longde")["us-state-dept:sanctioned-2024-09-12:xian-longde"]
    assert sanction["relation"] == "sanctioned" and sanction["start"] == "2024-09-12"
    assert sanction["key"] == "sanctioned-2024-09-12"
    assert sanction["status"] == "designated" and "Arms Export Control Act" in sanction["legal_basis"]
    original = bundled.edges["us-state-dept", "xian-longde", "sanctioned-2024-09-12"]
    assert sanction["sources"].split(LIST_SEPARATOR) == [s["url"] for s in original["sources"]]
    assert read.get_edge_data("mzkt", "ndc")["mzkt:supplied:ndc"]["item"] == "special vehicle chassis"


def test_graphml_loads_in_igraph_with_the_same_counts_and_attributes(bundled: nx.MultiDiGraph, tmp_path) -> None:
    ig = pytest.importorskip("igraph")
    path = tmp_path / "bundled.graphml"
    path.write_bytes(graphml_bytes(bundled))
    g = ig.Graph.Read_GraphML(str(path))
    assert g.is_directed()
    assert (g.vcount(), g.ecount()) == (bundled.number_of_nodes(), bundled.number_of_edges())
    by_id = {v["id"]: v for v in g.vs}
    assert by_id["riamb"]["label"].startswith("Beijing Research Institute")
    designations = [e for e in g.es if e["relation"] == "sanctioned" and g.vs[e.target]["id"] == "xian-longde"]
    assert sorted(e["key"] for e in designations) == ["sanctioned-2024-04-19", "sanctioned-2024-09-12"]
    assert {e["edge_id"] for e in g.es} == {d["id"] for *_, d in bundled.edges(data=True)}


def test_graphml_escapes_markup_and_replaces_xml_invalid_characters(xsd: object) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", label='<script>alert("x")</script> & \x01', tags=["x", "y"], score=1)
    graph.add_node("b", label="B", score=2.5)
    graph.add_edge("a", "b", key="k", relation="supplied", derived=True)
    data = graphml_bytes(graph)
    assert xsd.validate(etree.fromstring(data)), xsd.error_log  # type: ignore[attr-defined]
    read = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert read.nodes["a"]["label"] == '<script>alert("x")</script> & \ufffd'
    assert read.nodes["a"]["tags"] == "x | y"
    assert read.nodes["a"]["score"] == 1.0 and read.nodes["b"]["score"] == 2.5  # one type: double
    assert read.edges["a", "b", "a:k:b"]["derived"] is True


def test_node_link_json_round_trips(bundled: nx.MultiDiGraph) -> None:
    data = json.loads(b"".join(generate_node_link(bundled)))
    read = nx.node_link_graph(data, edges="edges")
    assert read.is_multigraph() and read.is_directed()
    assert sorted(read.nodes) == sorted(bundled.nodes)
    assert sorted(read.edges(keys=True)) == sorted(bundled.edges(keys=True))
    assert read.nodes["xian-longde"] == bundled.nodes["xian-longde"]
    assert read.edges["riamb", "ndc", "supplied"] == bundled.edges["riamb", "ndc", "supplied"]


def test_node_link_json_streams_in_batches_and_stays_valid() -> None:
    graph = nx.MultiDiGraph()
    for i in range(1500):
        graph.add_edge(f"n{i}", f"n{i + 1}", key="k", relation="part_of")
    chunks = list(generate_node_link(graph))
    assert len(chunks) > 4
    data = json.loads(b"".join(chunks))
    assert len(data["nodes"]) == 1501 and len(data["edges"]) == 1500


def test_every_format_writes_the_same_bytes_in_every_process() -> None:
    """Two processes with different string hashes export the bundled graph byte for byte
    alike (GraphML and GEXF number their attribute columns: those ids once followed a set's
    order). GEXF's ``lastmodifieddate`` is today's date, the same in both unless midnight
    falls between them, so it is left out of the comparison."""
    root = Path(__file__).resolve().parents[1]
    code = (
        "import hashlib, re\n"
        "from graph.exports import EXPORT_FORMATS\n"
        "from graph.store.build import load_graph\n"
        "graph = load_graph()\n"
        "for name, spec in EXPORT_FORMATS.items():\n"
        "    data = re.sub(rb'lastmodifieddate=\"[^\"]*\"', b'', b''.join(spec.write(graph)))\n"
        "    print(name, len(data), hashlib.sha256(data).hexdigest())\n"
    )
    answers = [
        subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]  # fmt: skip
    assert answers[0] == answers[1]
    assert sorted(line.split()[0] for line in answers[0].splitlines()) == sorted(EXPORT_FORMATS)
