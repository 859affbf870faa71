"""Snapshots: what is read back is the graph that was written, indexes included, and a file
that is not a complete snapshot of this format is refused whole."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from app.cli import cli
from app.main import create_app
from app.settings import Settings
from bench.synthetic import synthetic_graph
from graph.errors import DataError
from graph.exports import export
from graph.queries.entity_detail import entity_detail
from graph.queries.selection import WholeGraph, select
from graph.store import GraphStore, records
from graph.store.snapshot import changed_inputs, make_snapshot, read_manifest, read_snapshot, write_snapshot
from tests.conftest import WriteData, entity
from tests.test_ftm import ftm, write_ftm


def same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert sorted(a.edges(keys=True, data=True), key=repr) == sorted(b.edges(keys=True, data=True), key=repr)
    assert {k: v for k, v in a.graph.items() if k != "vocabulary"} == {
        k: v for k, v in b.graph.items() if k != "vocabulary"
    }
    assert records.vocabulary(a).dump() == records.vocabulary(b).dump()


def words(graph: nx.MultiDiGraph, count: int = 40) -> list[str]:
    """Queries taken from the labels: whole words, prefixes and infixes."""
    found: list[str] = []
    for _, label in list(graph.nodes(data="label"))[:count]:
        first = str(label).split()[0]
        found += [first, first[:3], first[1:5]]
    return [w for w in found if len(w) >= 2]


def same_answers(written: GraphStore, read: GraphStore) -> None:
    same_graph(written.graph, read.graph)
    assert (written.nodes, written.edges, written.stats) == (read.nodes, read.edges, read.stats)
    for query in words(written.graph):
        assert written.index.search(query, limit=20) == read.index.search(query, limit=20), query
    hubs = sorted(written.graph.degree, key=lambda pair: -pair[1])[:3]
    for node, _ in hubs:
        assert entity_detail(written.graph, node, limit=5, hubs=written.hubs) == entity_detail(
            read.graph, node, limit=5, hubs=read.hubs
        )
    for start, end in (("2019-12-31", "2024-06-01"), (None, "2020-01-01")):
        assert written.dated.between(start, end) == read.dated.between(start, end)
        assert written.dated.ended_between(start, end) == read.dated.ended_between(start, end)


@pytest.fixture
def ftm_file(tmp_path: Path) -> Path:
    return write_ftm(
        tmp_path / "e.ftm.json",
        ftm("co", "Company", name=["Rostec Trading", "Rostec Trade House"], country="ru", topics="sanction"),
        ftm("pe", "Person", name="Ivan Petrov", nationality=["by", "ru"], addressEntity="addr-not-loaded"),
        ftm("sa", "Sanction", entity="co", authority="HM Treasury", startDate="2022-03-15", program="RUS"),
        ftm("own", "Ownership", owner="pe", asset="co", percentage="51"),
    )


def test_bundled_data_with_ftm_round_trip(tmp_path: Path, ftm_file: Path) -> None:
    path = tmp_path / "graph.snapshot"
    written = make_snapshot(path, ftm=[ftm_file])
    read = read_snapshot(path)
    same_answers(written, read)
    assert read.ftm_report is not None and written.ftm_report is not None
    assert read.ftm_report.as_dict() == written.ftm_report.as_dict()
    assert read.ftm_report.unresolved  # the unresolved reference survives, as data, not as a node
    whole = select(read, WholeGraph())
    assert b"".join(export(read.graph, whole, "graphml")) == b"".join(export(written.graph, whole, "graphml"))
    manifest = read_manifest(path)
    assert (manifest.nodes, manifest.edges) == (written.nodes, written.edges)
    assert str(ftm_file.resolve()) in {item.path for item in manifest.inputs}


def test_generated_graph_with_hubs_round_trip(tmp_path: Path) -> None:
    store = GraphStore.from_graph(synthetic_graph(4_000, sources=False)).warm()
    assert max(degree for _, degree in store.graph.degree) >= 1_000  # a hub with its own relation index
    write_snapshot(store, tmp_path / "s.snapshot", data=[])
    same_answers(store, read_snapshot(tmp_path / "s.snapshot"))


def damaged(path: Path, how: str) -> Path:
    raw = path.read_bytes()
    out = path.with_name(f"{how}.snapshot")
    if how == "truncated":
        out.write_bytes(raw[: len(raw) * 2 // 3])
    elif how == "cut-at-the-end":
        out.write_bytes(raw[:-30])
    elif how == "flipped-byte":
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("edges/keys.json")
        middle = info.header_offset + 30 + len(info.filename) + info.file_size // 2
        out.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1 :])
    elif how == "not-a-zip":
        out.write_text("entities: []\n", encoding="utf-8")
    elif how in ("other-version", "other-format", "no-manifest"):
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                body = source.read(item)
                if item.filename == "manifest.json":
                    if how == "no-manifest":
                        continue
                    manifest = orjson.loads(body)
                    manifest.update({"version": 99} if how == "other-version" else {"format": "something-else"})
                    body = orjson.dumps(manifest)
                target.writestr(item, body)
    return out


REFUSALS = {
    "truncated": "may be truncated",
    "cut-at-the-end": "may be truncated",
    "flipped-byte": "damaged",
    "not-a-zip": "not a complete snapshot",
    "other-version": "format version 99; this Linkscope reads version 1",
    "other-format": "not a Linkscope snapshot",
    "no-manifest": "no readable manifest",
}


@pytest.mark.parametrize("how", list(REFUSALS))
def test_damaged_or_foreign_files_are_refused_whole(tmp_path: Path, how: str) -> None:
    path = tmp_path / "good.snapshot"
    make_snapshot(path)
    bad = damaged(path, how)
    with pytest.raises(DataError) as refused:
        read_snapshot(bad)
    message = str(refused.value)
    assert str(bad) in message and "snapshot refused" in message and REFUSALS[how] in message
    with pytest.raises(DataError), TestClient(create_app(Settings(snapshot=bad))):  # a server does not start on it
        pass
    code, output = run("stats", "--snapshot", str(bad))
    assert code == 1 and "snapshot refused" in output


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_cli_writes_a_snapshot_that_exports_like_the_data(tmp_path: Path) -> None:
    path = tmp_path / "out" / "graph.snapshot"
    code, output = run("snapshot", "-o", str(path))
    assert code == 0 and "linkscope serve --snapshot" in output
    assert not [p for p in path.parent.iterdir() if p != path]  # no temporary file left beside it
    from_data = run("export", "--format", "gexf")
    from_snapshot = run("export", "--format", "gexf", "--snapshot", str(path))
    assert from_data == from_snapshot and from_data[0] == 0
    code, output = run("stats", "--snapshot", str(path), "--data", "data")
    assert code == 2 and "cannot be given with it" in output


def test_a_snapshot_of_invalid_data_is_not_written(write_data: WriteData, tmp_path: Path) -> None:
    folder = write_data(text="entities:\n  - id: Not A Slug\n")
    path = tmp_path / "graph.snapshot"
    code, output = run("snapshot", "--data", str(folder), "-o", str(path))
    assert code == 1 and "not a lowercase slug" in output and not path.exists()


def test_settings_refuse_a_snapshot_with_data(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be given with it"):
        Settings(snapshot=tmp_path / "s.snapshot", data=[tmp_path])


def test_changed_inputs_compare_content_not_just_times(write_data: WriteData, tmp_path: Path) -> None:
    folder = write_data(entities=[entity("acme")])
    path = tmp_path / "s.snapshot"
    make_snapshot(path, [folder])
    data = folder / "data.yaml"
    os.utime(data, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))  # touched, same content
    assert changed_inputs(read_manifest(path)) == []
    data.write_text(data.read_text(encoding="utf-8").replace("Acme", "Acme Ltd"), encoding="utf-8")
    (folder / "more.yaml").write_text("entities: []\n", encoding="utf-8")
    assert sorted(how for _, how in changed_inputs(read_manifest(path))) == ["changed", "new"]
    data.unlink()
    assert ("removed", str(data.resolve())) in {(how, name) for name, how in changed_inputs(read_manifest(path))}


def wait_for(check: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_serving_a_snapshot_and_watching_its_inputs(write_data: WriteData, tmp_path: Path) -> None:
    folder = write_data(entities=[entity("acme"), entity("globex")])
    path = tmp_path / "graph.snapshot"
    make_snapshot(path, [folder])
    settings = Settings(snapshot=path, watch=True, watch_interval=0.05)
    with TestClient(create_app(settings)) as client:
        status = client.get("/api/status").json()
        assert status["nodes"] == 2 and status["snapshot"]["path"] == str(path)
        assert status["data_paths"] == [str(folder.resolve())]

        data = folder / "data.yaml"
        data.write_text(data.read_text(encoding="utf-8").replace("id: globex", "id: initech"), encoding="utf-8")
        wait_for(lambda: client.get("/api/entities/initech").status_code == 200)
        assert read_manifest(path).nodes == 2 and read_snapshot(path).graph.has_node("initech")  # rewritten

        written = path.stat().st_mtime_ns
        data.write_text("entities:\n  - id: Not A Slug\n", encoding="utf-8")
        wait_for(lambda: client.get("/api/status").json()["failed_reloads"] >= 1)
        assert client.get("/api/entities/initech").status_code == 200  # the previous graph still serves
        assert path.stat().st_mtime_ns == written  # and the snapshot was left as it was
