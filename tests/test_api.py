"""The HTTP API in-process (TestClient as a context manager, so the lifespan runs)."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.errors import DataError
from graph.store import GraphStore
from tests.conftest import WriteData, entity

ERROR_KEYS = {"status", "code", "message", "hint", "details"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status and body["error"]["code"] == code
    return body["error"]


def test_app_loads_the_bundled_data_in_its_lifespan(bundled: nx.MultiDiGraph) -> None:
    with TestClient(create_app(Settings())) as c:
        health = c.get("/healthz").json()
    assert health == {"status": "ok", "nodes": len(bundled), "edges": bundled.number_of_edges()}


def test_invalid_data_stops_start_up(write_data: WriteData) -> None:
    folder = write_data(entities=[entity("acme", kind="spaceship")])
    app = create_app(Settings(data=[folder]))
    with pytest.raises(DataError, match="unknown kind 'spaceship'"), TestClient(app):
        pass


def test_settings_read_linkscope_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINKSCOPE_DATA", f"{tmp_path / 'a'}:{tmp_path / 'b.yaml'}")
    monkeypatch.setenv("LINKSCOPE_QUERY_TIMEOUT", "0.5")
    settings = Settings()
    assert settings.data == [tmp_path / "a", tmp_path / "b.yaml"] and settings.query_timeout == 0.5
    assert settings.host == "127.0.0.1"


def test_search(client: TestClient) -> None:
    body = client.get("/api/entities", params={"q": "lontek"}).json()
    assert body["total"] == 1 and body["results"][0]["id"] == "xian-longde"
    assert {"total", "limit", "offset", "results", "facets"} <= set(body)
    firms = client.get("/api/entities", params={"kind": "firm", "country": "BY"}).json()
    assert [r["id"] for r in firms["results"]] == ["mzkt"] and firms["facets"]["country"] == {"BY": 1}


def test_entity_detail_and_unknown_ids(client: TestClient) -> None:
    body = client.get("/api/entities/xian-longde").json()
    assert body["entity"]["aliases"][0] == "Lontek"
    sanctions = next(g for g in body["relations"] if g["relation"] == "sanctioned")
    assert sanctions["total"] == 2 and all(i["edge"]["sources"] for i in sanctions["items"])
    error = assert_error(client.get("/api/entities/ndcc"), 404, "unknown_entity")
    assert "ndc" in error["hint"]


def test_entity_relation_filter_and_paging(client: TestClient, bundled: nx.MultiDiGraph) -> None:
    page = client.get("/api/entities/us-state-dept", params={"relation": "sanctioned", "limit": 4, "offset": 4}).json()
    (group,) = page["relations"]
    designations = sum(1 for *_, d in bundled.out_edges("us-state-dept", data=True) if d["relation"] == "sanctioned")
    assert group["total"] == designations and len(group["items"]) == min(4, designations - 4) and group["offset"] == 4
    assert_error(client.get("/api/entities/ndc", params={"relation": "befriends"}), 422, "invalid_parameter")


def test_subgraph(client: TestClient) -> None:
    body = client.get("/api/subgraph", params={"center": "riamb", "depth": 2, "direction": "out"}).json()
    assert {"nodes", "edges", "truncated"} <= set(body)
    assert {"riamb", "ndc", "shaheen-3"} <= {n["id"] for n in body["nodes"]}
    edge = body["edges"][0]
    assert {"source", "target", "key", "relation"} <= set(edge)


def test_subgraph_many_centres_filters_and_truncation(client: TestClient) -> None:
    params = {
        "center": ["mzkt", "riamb"],
        "kinds": ["agency", "firm"],
        "relations": ["supplied", "sanctioned"],
        "max_nodes": 3,
    }
    body = client.get("/api/subgraph", params=params).json()
    assert body["truncated"] and len(body["nodes"]) == 3 and body["truncated_reason"] == "max_nodes"
    assert [n["distance"] for n in body["nodes"]][:2] == [0, 0]


def test_subgraph_as_of(client: TestClient) -> None:
    params = {"center": "xian-longde", "relations": "sanctioned", "as_of": "2024-05-01"}
    assert len(client.get("/api/subgraph", params=params).json()["edges"]) == 1


def test_subgraph_as_graphml(client: TestClient) -> None:
    response = client.get("/api/subgraph", params={"center": "ndc", "format": "graphml"})
    assert response.headers["content-type"].startswith("application/graphml+xml")
    assert 'filename="linkscope-subgraph-ndc-depth1.graphml"' in response.headers["content-disposition"]
    as_json = client.get("/api/subgraph", params={"center": "ndc"}).json()
    read = nx.read_graphml(io.BytesIO(response.content))
    assert set(read.nodes) == {n["id"] for n in as_json["nodes"]}
    assert read.number_of_edges() == len(as_json["edges"])


def test_paths(client: TestClient) -> None:
    body = client.get("/api/paths", params={"source": "riamb", "target": "shaheen-3", "max_hops": 3}).json()
    first = body["paths"][0]["hops"]
    assert [h["relation"] for h in first] == ["supplied", "develops"]
    assert all({"source", "target", "relation", "status", "sources", "explanation"} <= set(h) for h in first)
    assert first[0]["from"] == "riamb"


def test_supply_chain(client: TestClient) -> None:
    body = client.get("/api/entities/shaheen-3/supply-chain", params={"as_of": "2024-05-01"}).json()
    status = {u["entity"]["id"]: u["sanctioned"] for u in body["upstream"]}
    assert status["mzkt"] and status["xian-longde"] and not status["riamb"]
    today = client.get("/api/entities/shaheen-3/supply-chain").json()
    assert all(u["sanctioned"] for u in today["upstream"] if u["entity"]["id"] in ("riamb", "mzkt", "xian-longde"))


def test_timeline(client: TestClient) -> None:
    body = client.get("/api/timeline", params={"relations": "sanctioned"}).json()
    dates = [d["date"] for d in body["dates"]]
    assert {"2023-10-20", "2024-04-19", "2024-09-12", "2024-12-18"} <= set(dates)
    assert_error(client.get("/api/timeline", params={"start": "Sept 2024"}), 422, "invalid_parameter")


def test_stats_and_exports(client: TestClient, bundled: nx.MultiDiGraph) -> None:
    stats = client.get("/api/stats").json()
    sanctions = sum(1 for *_, d in bundled.edges(data=True) if d["relation"] == "sanctioned")
    assert stats["nodes"] == len(bundled) and stats["relations"]["sanctioned"] == sanctions
    assert "sanctioned" in stats["relation_types"]
    graphml = client.get("/api/export", params={"format": "graphml"})
    assert graphml.status_code == 200 and 'filename="linkscope.graphml"' in graphml.headers["content-disposition"]
    assert nx.read_graphml(io.BytesIO(graphml.content)).number_of_edges() == bundled.number_of_edges()
    as_json = client.get("/api/export", params={"format": "json"})
    assert nx.node_link_graph(as_json.json(), edges="edges").number_of_nodes() == len(bundled)


@pytest.mark.parametrize(
    ("url", "params", "status", "code"),
    [
        ("/api/subgraph", {"center": "ndc", "depth": 5}, 422, "invalid_parameter"),
        ("/api/subgraph", {"center": "ndc", "max_nodes": 10**6}, 422, "invalid_parameter"),
        ("/api/subgraph", {}, 422, "invalid_parameter"),
        ("/api/subgraph", {"center": "nobody"}, 404, "unknown_entity"),
        ("/api/subgraph", {"center": "ndc", "as_of": "2024-02-30"}, 422, "invalid_parameter"),
        ("/api/subgraph", {"center": "ndc", "kinds": "spaceship"}, 422, "invalid_parameter"),
        ("/api/paths", {"source": "ndc", "target": "ndc"}, 400, "bad_query"),
        ("/api/paths", {"source": "ndc", "target": "pk", "max_hops": 99}, 422, "invalid_parameter"),
        ("/api/entities", {"limit": 0}, 422, "invalid_parameter"),
        ("/api/entities", {"q": "x" * 500}, 422, "invalid_parameter"),
        ("/api/nothing-here", {}, 404, "not_found"),
    ],
)
def test_errors_share_one_body(client: TestClient, url: str, params: dict, status: int, code: str) -> None:
    assert_error(client.get(url, params=params), status, code)


def test_method_not_allowed_uses_the_error_body(client: TestClient) -> None:
    assert_error(client.post("/api/stats"), 405, "method_not_allowed")


def test_explorer_pages_and_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"] == "no-referrer"
    assert client.get("/vendor/vis-network.min.js").headers["content-type"].startswith("application/javascript")
    assert_error(client.get("/vendor/secrets.txt"), 404, "not_found")
    assert_error(client.get("/explore", params={"center": "nobody"}), 404, "unknown_entity")
    data = client.get("/explore/data", params={"center": "ndc", "depth": 0}).json()
    assert [n["id"] for n in data["nodes"]] == ["ndc"] and data["edges"] == []
    docs = client.get("/docs")
    assert "/docs-static/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text.lower()


def test_timeline_pages_through_dates_and_summarises_for_the_time_bar(client: TestClient) -> None:
    whole = client.get("/api/timeline").json()
    first = client.get("/api/timeline", params={"limit": 3}).json()
    second = client.get("/api/timeline", params={"limit": 3, "offset": 3}).json()
    assert first["truncated"] is True and first["total_dates"] == whole["total_dates"] > 6
    assert [d["date"] for d in first["dates"] + second["dates"]] == [d["date"] for d in whole["dates"][:6]]
    summary = client.get("/api/timeline", params={"summary": "true", "limit": 100_000}).json()
    assert [(d["date"], d["count"]) for d in summary["dates"]] == [(d["date"], d["count"]) for d in whole["dates"]]
    assert all(d["rounds"] == [] for d in summary["dates"])
    assert client.get("/api/timeline", params={"limit": 100_000}).json()["limit"] == 500  # full rounds: capped


def test_the_best_connected_entity_is_counted_as_networkx_counts_without_a_view_kept_on_the_graph() -> None:
    store = GraphStore.load()
    found = store.best_connected
    assert not {"degree", "adj", "succ", "pred"} & set(vars(store.graph))  # a cached view: a reference cycle
    assert found == max(store.graph.degree, key=lambda pair: pair[1])[0]


def test_counts_are_kept_with_the_store(bundled: nx.MultiDiGraph) -> None:
    store = GraphStore.from_graph(bundled)
    assert (store.nodes, store.edges) == (bundled.number_of_nodes(), bundled.number_of_edges())
    assert store.stats["edges"] == bundled.number_of_edges() and store.best_connected in bundled
