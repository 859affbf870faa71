"""What changed between two dates: the same rule as the as-of views, grouped by round and by entity."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import networkx as nx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from app.cli import cli
from graph.ingest.curated import load_dataset
from graph.limits import Deadline
from graph.queries.changes import changes
from graph.store import records
from graph.store.build import build_graph
from tests.conftest import WriteData, entity, relation

SANCTION = {"legal_basis": "AECA", "measure": "missile-sanctions"}


def in_force(graph: nx.MultiDiGraph, day: date) -> set[str]:
    return {
        records.relation_id(u, v, k, d)
        for u, v, k, d in records.iter_relations(graph)
        if records.when(d) and records.counts_on(d, day)
    }


def test_the_view_of_to_is_the_view_of_from_plus_what_began_minus_what_ended(bundled: nx.MultiDiGraph) -> None:
    rng = random.Random(15)
    for _ in range(30):
        start = date(2014, 1, 1) + timedelta(days=rng.randrange(13 * 365))
        end = start + timedelta(days=rng.randrange(1, 3 * 365))
        found = changes(bundled, start, end)
        began = {e["id"] for r in found["rounds"] if r["change"] == "began" for e in r["edges"]}
        ended = {e["id"] for r in found["rounds"] if r["change"] == "ended" for e in r["edges"]}
        assert (in_force(bundled, start) | began) - ended == in_force(bundled, end), (start, end)
        assert found["began"] == len(began) and found["ended"] == len(ended)


def test_the_december_2024_round_between_october_and_january(bundled: nx.MultiDiGraph) -> None:
    found = changes(bundled, date(2024, 10, 1), date(2025, 1, 1), relations=["sanctioned"])
    expected = {
        v
        for u, v, _, d in records.iter_relations(bundled)
        if u == "us-state-dept" and d.get("relation") == "sanctioned" and records.when(d) == "2024-12-18"
    }
    [december] = [r for r in found["rounds"] if r["date"] == "2024-12-18"]
    assert december["actor"]["id"] == "us-state-dept" and december["change"] == "began"
    assert {e["target"] for e in december["edges"]} == expected and december["count"] == len(expected)
    assert "ndc" in expected
    assert all(e["sources"] for e in december["edges"])  # each with its evidence
    touched = {group["entity"]["id"] for group in found["entities"]}
    assert expected <= touched


def test_changes_around_a_centre(bundled: nx.MultiDiGraph) -> None:
    around = changes(bundled, date(2024, 1, 1), date(2025, 1, 1), centers=["mzkt"], depth=1)
    ids = {e["target"] for r in around["rounds"] for e in r["edges"]} | {r["actor"]["id"] for r in around["rounds"]}
    neighbourhood = {"mzkt", *bundled.successors("mzkt"), *bundled.predecessors("mzkt")}
    assert ids and ids <= neighbourhood


def test_an_ended_measure_and_a_partial_date(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("state", "agency"), entity("acme"), entity("globex")],
        relations=[
            relation(
                "sanctioned", "state", "acme", start="2022-03-01", end="2024-03-01", end_basis="statutory", **SANCTION
            ),
            relation("sanctioned", "state", "globex", start="2024-12", **SANCTION),
        ],
    )
    graph = build_graph(load_dataset([folder]))
    ended = changes(graph, date(2024, 1, 1), date(2024, 6, 1))
    assert ended["ended"] == 1 and ended["began"] == 0
    assert "statutory term" in ended["rounds"][0]["explanation"]
    assert changes(graph, date(2024, 11, 30), date(2024, 12, 31))["began"] == 1
    assert changes(graph, date(2024, 12, 1), date(2024, 12, 30))["began"] == 0  # "2024-12" counts from the 31st
    assert changes(graph, date(2025, 1, 1), date(2024, 1, 1))["rounds"] == []  # an empty period


def test_a_round_of_ends_is_statutory_only_when_every_end_is(write_data: WriteData) -> None:
    ends = {"start": "2022-03-01", "end": "2024-03-01", **SANCTION}
    later = {**ends, "start": "2022-04-01", "end": "2024-04-01"}
    folder = write_data(
        entities=[entity("state", "agency"), *(entity(name) for name in ("acme", "globex", "initech", "hooli"))],
        relations=[
            relation("sanctioned", "state", "acme", end_basis="statutory", **ends),
            relation("sanctioned", "state", "globex", end_basis="statutory", **ends),
            relation("sanctioned", "state", "initech", end_basis="statutory", **later),
            relation("sanctioned", "state", "hooli", **later),
        ],
    )
    graph = build_graph(load_dataset([folder]))
    statutory, mixed = changes(graph, date(2024, 1, 1), date(2024, 6, 1))["rounds"]
    assert statutory["count"] == mixed["count"] == 2
    assert "statutory term" in statutory["explanation"] and "statutory" not in mixed["explanation"]


def test_changes_past_the_time_budget_are_counted_not_listed(bundled: nx.MultiDiGraph) -> None:
    """Past its budget an answer still counts every change, and says it lists none."""
    whole = changes(bundled, date(2020, 1, 1), date(2026, 1, 1))
    assert whole["rounds"] and not whole["truncated"]
    spent = Deadline(0.0)
    cut = changes(bundled, date(2020, 1, 1), date(2026, 1, 1), deadline=spent)
    assert (cut["began"], cut["ended"]) == (whole["began"], whole["ended"])
    assert cut["rounds"] == [] and cut["entities"] == []
    assert cut["truncated"] and cut["truncated_reason"] == "time_budget"


def test_changes_around_a_neighbourhood_cut_at_its_size_are_listed(
    bundled: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A neighbourhood cut at its size bound still lists the changes within what it kept."""
    monkeypatch.setattr("graph.queries.changes.MAX_NODES", 3)
    cut = changes(bundled, date(2020, 1, 1), date(2026, 1, 1), centers=["us-state-dept"], depth=2)
    assert cut["truncated_reason"] == "max_nodes"
    assert cut["rounds"] and cut["entities"]


def test_api_changes(client: TestClient, bundled: nx.MultiDiGraph) -> None:
    answer = client.get("/api/changes", params={"from": "2024-10-01", "to": "2025-01-01"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["from"] == "2024-10-01" and body["to"] == "2025-01-01"
    assert any(r["date"] == "2024-12-18" and r["actor"]["id"] == "us-state-dept" for r in body["rounds"])
    scoped = client.get("/api/changes", params={"from": "2024-01-01", "to": "2025-01-01", "center": "mzkt"}).json()
    assert scoped == json.loads(json.dumps(changes(bundled, date(2024, 1, 1), date(2025, 1, 1), centers=["mzkt"])))
    assert client.get("/api/changes", params={"from": "2024-10-01", "to": "soon"}).status_code == 422
    missing = client.get("/api/changes", params={"from": "2024-10-01", "to": "2025-01-01", "center": "nope"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_entity"


def test_cli_changes(bundled: nx.MultiDiGraph) -> None:
    runner = CliRunner()
    text = runner.invoke(cli, ["changes", "--from", "2024-10-01", "--to", "2025-01-01"])
    assert text.exit_code == 0, text.output
    assert "2024-12-18  US Department of State sanctioned" in text.output
    as_json = runner.invoke(cli, ["changes", "--from", "2024-10-01", "--to", "2025-01-01", "--json"])
    assert json.loads(as_json.output)["began"] == changes(bundled, date(2024, 10, 1), date(2025, 1, 1))["began"]
    backwards = runner.invoke(cli, ["changes", "--from", "2025-01-01", "--to", "2024-10-01"])
    assert backwards.exit_code == 2 and "must be after" in backwards.output
