"""Hostile data, curated and imported, exports as valid GraphML, GEXF, CSV and FtM."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from graph.errors import DataError
from graph.exports import EXPORT_FORMATS
from graph.ingest.curated import load_dataset
from graph.ingest.ftm import load_ftm
from graph.store.build import build_graph
from tests.conftest import GRAPHML_XSD
from tests.hostile import CONTROLS, HUGE, PAYLOADS, hostile_data, hostile_ftm

etree = pytest.importorskip("lxml.etree")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    graph = build_graph(load_dataset([hostile_data(tmp_path_factory.mktemp("data"))]))
    report = load_ftm(graph, [hostile_ftm(tmp_path_factory.mktemp("ftm") / "hostile.ftm.json")])
    assert report.cleaned > 0
    return graph


def export(graph: nx.MultiDiGraph, fmt: str) -> bytes:
    return b"".join(EXPORT_FORMATS[fmt].write(graph))


def test_curated_text_with_controls_or_bidi_overrides_is_rejected(tmp_path: Path) -> None:
    folder = hostile_data(tmp_path)
    text = (folder / "hostile.yaml").read_text(encoding="utf-8")
    (folder / "hostile.yaml").write_text(text.replace("Publisher ", "Publisher \u202e"), encoding="utf-8")
    with pytest.raises(DataError, match="bidi-override character U\\+202E"):
        load_dataset([folder])


def test_imported_text_is_cleaned_and_cut(hostile: nx.MultiDiGraph) -> None:
    company = hostile.nodes["ftm-evil-co"]
    assert not any(c in str(company) for c in CONTROLS)
    assert all(len(alias) <= 5_000 for alias in company["aliases"]) and HUGE[:5_000] not in str(company)
    assert company["source_url"] == "https://example.org/ok?<script>"
    assert "source_url" not in hostile.nodes["ftm-evil-person"]  # javascript: dropped


def test_graphml_is_schema_valid_and_round_trips_the_payloads(hostile: nx.MultiDiGraph) -> None:
    data = export(hostile, "graphml")
    if GRAPHML_XSD.is_file():
        xsd = etree.XMLSchema(etree.parse(str(GRAPHML_XSD)))
        assert xsd.validate(etree.fromstring(data)), xsd.error_log
    read = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert read.nodes["supplier"]["label"] == hostile.nodes["supplier"]["label"]
    assert read.nodes["ftm-evil-co"]["label"] == hostile.nodes["ftm-evil-co"]["label"]


def test_gexf_parses_with_the_payloads_intact(hostile: nx.MultiDiGraph) -> None:
    read = nx.read_gexf(io.BytesIO(export(hostile, "gexf")), version="1.3")
    assert all(p in read.nodes["supplier"]["label"] for p in PAYLOADS)


def test_csv_zip_keeps_one_row_per_record(hostile: nx.MultiDiGraph) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export(hostile, "csv")))
    nodes = list(csv.DictReader(io.TextIOWrapper(archive.open("nodes.csv"), "utf-8", newline="")))
    edges = list(csv.DictReader(io.TextIOWrapper(archive.open("edges.csv"), "utf-8", newline="")))
    assert (len(nodes), len(edges)) == (hostile.number_of_nodes(), hostile.number_of_edges())
    assert any(all(p in row["label"] for p in PAYLOADS) for row in nodes)


def test_ftm_lines_parse_and_keep_imported_schemata(hostile: nx.MultiDiGraph) -> None:
    lines = [json.loads(line) for line in export(hostile, "ftm").decode().splitlines()]
    assert len(lines) == hostile.number_of_nodes() + hostile.number_of_edges()
    by_id = {e["id"]: e for e in lines}
    assert by_id["ftm-evil-own"]["schema"] == "Ownership"
    assert by_id["ftm-evil-own"]["properties"]["owner"] == ["ftm-evil-person"]
    sanction = by_id["ftm-evil-sanction"]
    assert sanction["schema"] == "Sanction" and sanction["properties"]["entity"] == ["ftm-evil-co"]
