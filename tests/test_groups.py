"""Big neighbourhoods as groups: exact counts, a telling split, members listed, real entities exported."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.limits import Deadline
from graph.queries.groups import GROUP_THRESHOLD, facet_value, group_members
from graph.queries.part import GROUP_KIND
from graph.queries.subgraph import subgraph
from graph.store import GraphStore, records
from graph.store.build import load_graph

#: country -> how many firms the authority designated there (above the threshold together).
DESIGNATED = {"CN": 20, "RU": 15, "BY": 5}


@pytest.fixture(scope="module")
def hub() -> nx.MultiDiGraph:
    return designations()


def designations() -> nx.MultiDiGraph:
    """An authority that designated 40 firms in three countries, over two years; one of them
    also supplies a programme the authority is not linked to otherwise."""
    graph = records.new_graph(records.vocabulary(load_graph()))
    records.add_entity(graph, "ofac", {"label": "OFAC", "kind": "agency", "country": "US"})
    records.add_entity(graph, "prog", {"label": "Programme", "kind": "programme", "country": "PK"})
    number = 0
    for country, count in DESIGNATED.items():
        for i in range(count):
            firm = f"{country.lower()}-firm-{i:02d}"
            records.add_entity(graph, firm, {"label": f"{country} Firm {i:02d}", "kind": "firm", "country": country})
            start = "2023-05-01" if number % 2 else "2024-09-12"
            records.add_relation(graph, "ofac", firm, f"s{number}", {"relation": "sanctioned", "start": start})
            number += 1
    records.add_relation(graph, "cn-firm-00", "prog", "d0", {"relation": "supplied"})
    return graph


def test_below_the_threshold_nothing_groups(bundled: nx.MultiDiGraph) -> None:
    for node in sorted(bundled)[:40]:
        grouped = subgraph(bundled, [node], depth=2, group=GROUP_THRESHOLD)
        plain = subgraph(bundled, [node], depth=2)
        degrees = [d for _, d in bundled.degree([node, *plain.nodes])]
        if max(degrees) <= GROUP_THRESHOLD:
            assert grouped == plain


def test_groups_count_every_neighbour_exactly(hub: nx.MultiDiGraph) -> None:
    part = subgraph(hub, ["ofac"], depth=1, group=10)
    total = sum(DESIGNATED.values())
    (summary,) = part.grouped
    assert summary["total"] == total and summary["shown"] + summary["grouped"] == total
    assert summary["shown"] == len(set(part.nodes) - {"ofac"}) == 0
    assert sum(g.count for g in part.groups) == summary["grouped"]
    assert summary["facet"] == "country"  # three countries split more tellingly than two years
    assert {g.value: g.count for g in part.groups} == DESIGNATED
    assert [g.count for g in part.groups] == sorted(DESIGNATED.values(), reverse=True)


def test_a_neighbour_reached_another_way_is_shown_and_counted_as_shown(hub: nx.MultiDiGraph) -> None:
    part = subgraph(hub, ["ofac", "prog"], depth=1, group=10)
    (summary,) = part.grouped
    assert "cn-firm-00" in part.nodes  # the programme's supplier, drawn as itself
    assert summary["shown"] == 1 and summary["grouped"] == sum(DESIGNATED.values()) - 1
    assert {g.value: g.count for g in part.groups}["CN"] == DESIGNATED["CN"] - 1


def test_the_answer_draws_groups_as_nodes_with_their_members_query(hub: nx.MultiDiGraph) -> None:
    answer = subgraph(hub, ["ofac"], depth=1, group=10).to_json(hub)
    groups = [n for n in answer["nodes"] if n["kind"] == GROUP_KIND]
    assert len(groups) == len(DESIGNATED)
    cn = next(g for g in groups if g["value"] == "CN")
    assert cn["label"].startswith("20 ") and "OFAC" in cn["label"] and cn["count"] == 20
    edges = [e for e in answer["edges"] if e["target"] == cn["id"]]
    assert len(edges) == 1 and edges[0]["source"] == "ofac" and edges[0]["relation"] == "sanctioned"
    page = group_members(hub, **cn["members"], limit=100)  # type: ignore[typeddict-item]
    assert page["total"] == 20 and {r["id"] for r in page["results"]} == {f"cn-firm-{i:02d}" for i in range(20)}


def test_members_page_by_label_and_narrow_by_words(hub: nx.MultiDiGraph) -> None:
    first = group_members(hub, "ofac", "sanctioned", "out", limit=7)
    second = group_members(hub, "ofac", "sanctioned", "out", limit=7, offset=7)
    labels = [r["label"] for r in first["results"] + second["results"]]
    assert first["total"] == sum(DESIGNATED.values()) and labels == sorted(labels, key=str.casefold)
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    narrowed = group_members(hub, "ofac", "sanctioned", "out", facet="country", value="RU", q="firm 1")
    assert narrowed["total"] == 5 and all(r["label"].startswith("RU Firm 1") for r in narrowed["results"])
    assert group_members(hub, "prog", "supplied", "in")["total"] == 1


def test_as_of_groups_only_what_was_in_force(hub: nx.MultiDiGraph) -> None:
    from datetime import date

    early = subgraph(hub, ["ofac"], depth=1, group=10, as_of=date(2023, 12, 31))
    in_force = Counter(
        d["start"] <= "2023-12-31" for _, _, d in hub.out_edges("ofac", data=True) if d["relation"] == "sanctioned"
    )[True]
    assert early.grouped[0]["total"] == in_force == sum(g.count for g in early.groups)


def test_members_past_the_time_budget_come_back_truncated(hub: nx.MultiDiGraph) -> None:
    """A member search whose budget has run out answers at once, saying so, never an error."""
    whole = group_members(hub, "ofac", "sanctioned", "out", q="firm")
    assert not whole["truncated"] and whole["truncated_reason"] is None and whole["total"] == sum(DESIGNATED.values())
    cut = group_members(hub, "ofac", "sanctioned", "out", q="firm", deadline=Deadline(0.0))
    assert cut["truncated"] and cut["truncated_reason"] == "time_budget"
    assert (cut["total"], cut["results"], cut["facets"]) == (0, [], {})
    with TestClient(create_app(Settings(query_timeout=1e-9), store=GraphStore.from_graph(hub))) as client:
        response = client.get(
            "/api/groups/members", params={"of": "ofac", "relation": "sanctioned", "direction": "out"}
        )
    assert response.status_code == 200 and response.json()["truncated_reason"] == "time_budget"


def test_exports_hold_the_real_entities_unless_asked_for_the_groups(hub: nx.MultiDiGraph) -> None:
    store = GraphStore.from_graph(hub)
    with TestClient(create_app(Settings(), store=store)) as client:
        params = {"center": "ofac", "group": "auto", "format": "graphml"}
        real = nx.read_graphml(io.BytesIO(client.get("/api/subgraph", params=params).content))
        drawn = nx.read_graphml(io.BytesIO(client.get("/api/subgraph", params={**params, "grouped": "true"}).content))
    assert len(real) == 1 + sum(DESIGNATED.values()) and real.number_of_edges() == sum(DESIGNATED.values())
    kinds = Counter(kind for _, kind in drawn.nodes(data="kind"))
    assert kinds[GROUP_KIND] == len(DESIGNATED) and len(drawn) == 1 + len(DESIGNATED)
    assert sorted(c for _, _, c in drawn.edges(data="count")) == sorted(DESIGNATED.values())


def test_the_api_groups_on_request_only(hub: nx.MultiDiGraph) -> None:
    with TestClient(create_app(Settings(), store=GraphStore.from_graph(hub))) as client:
        plain = client.get("/api/subgraph", params={"center": "ofac"}).json()
        grouped = client.get("/api/subgraph", params={"center": "ofac", "group": "auto"}).json()
        members = client.get(
            "/api/groups/members", params={"of": "ofac", "relation": "sanctioned", "direction": "out", "limit": 5}
        )
        wrong = client.get("/api/groups/members", params={"of": "ofac", "relation": "sanctioned", "direction": "out",
                                                           "facet": "country"})  # fmt: skip
        unknown = client.get(
            "/api/groups/members", params={"of": "nobody", "relation": "sanctioned", "direction": "in"}
        )
    assert plain["grouped"] == [] and len(plain["nodes"]) == 1 + sum(DESIGNATED.values())
    assert grouped["grouped"][0]["total"] == sum(DESIGNATED.values()) and len(grouped["nodes"]) == 1 + len(DESIGNATED)
    assert members.status_code == 200 and members.json()["total"] == sum(DESIGNATED.values())
    assert len(members.json()["results"]) == 5
    assert wrong.status_code == 400 and "facet and value together" in wrong.json()["error"]["message"]
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_entity"


def test_the_fast_facet_counts_are_the_facet_values(hub: nx.MultiDiGraph) -> None:
    from graph.queries.groups import FACETS, _facet_counts, facet_value, neighbour_groups

    members = neighbour_groups(hub, "ofac", ("out",), None)[("sanctioned", "out")]
    entities = records.entities(hub)
    for facet in FACETS:
        expected = Counter(facet_value(entities[m], data, facet) for m, (_, data) in members.items())
        assert _facet_counts(entities, members, facet) == expected, facet


def test_the_brief_says_what_the_groups_stand_for(hub: nx.MultiDiGraph) -> None:
    with TestClient(create_app(Settings(), store=GraphStore.from_graph(hub))) as client:
        page = client.get("/report", params={"center": "ofac", "depth": 1}).text
    split = ", ".join(f"{country} {count}" for country, count in sorted(DESIGNATED.items(), key=lambda kv: -kv[1]))
    total = sum(DESIGNATED.values())
    assert f"{total} entities sanctioned by OFAC are counted, not listed (by country: {split})." in page
    assert page.count("sanctioned by OFAC ·") >= len(DESIGNATED)  # the figure draws the groups


def test_groups_hold_only_the_kinds_a_view_reaches(hub: nx.MultiDiGraph) -> None:
    assert subgraph(hub, ["ofac"], depth=1, group=10, kinds=["programme"]).groups == []
    firms = subgraph(hub, ["ofac"], depth=1, group=10, kinds=["firm"])
    assert sum(g.count for g in firms.groups) == sum(DESIGNATED.values())


def test_a_group_splits_by_another_facet(hub: nx.MultiDiGraph) -> None:
    whole = group_members(hub, "ofac", "sanctioned", "out", limit=1)
    assert whole["facets"]["country"] == dict(sorted(DESIGNATED.items(), key=lambda kv: -kv[1]))
    years = whole["facets"]["year"]
    assert sum(years.values()) == sum(DESIGNATED.values()) and set(years) == {"2023", "2024"}
    ru_2024 = group_members(hub, "ofac", "sanctioned", "out", facet="country", value="RU", narrow={"year": "2024"})
    expected = sum(
        1
        for _, v, d in hub.out_edges("ofac", data=True)
        if d["relation"] == "sanctioned" and v.startswith("ru-") and d["start"].startswith("2024")
    )
    assert ru_2024["total"] == expected == ru_2024["facets"]["year"]["2024"] and ru_2024["narrow"] == {"year": "2024"}
    with TestClient(create_app(Settings(), store=GraphStore.from_graph(hub))) as client:
        params = {"of": "ofac", "relation": "sanctioned", "direction": "out"}
        narrowed = client.get("/api/groups/members", params={**params, "narrow": ["country:RU", "year:2024"]})
        bad = client.get("/api/groups/members", params={**params, "narrow": "country"})
    assert narrowed.status_code == 200 and narrowed.json()["total"] == expected
    assert bad.status_code == 400 and "facet:value" in bad.json()["error"]["message"]


def mixed_designations() -> nx.MultiDiGraph:
    """:func:`designations` with every third firm a person instead."""
    graph = designations()
    for index, (_, firm) in enumerate(sorted(graph.out_edges("ofac"))):
        if index % 3 == 0:
            graph.nodes[firm]["kind"] = "person"
    return graph


def test_members_of_some_kinds_only() -> None:
    graph = mixed_designations()
    by_kind = Counter(graph.nodes[v]["kind"] for _, v in graph.out_edges("ofac"))
    ru_people = sum(1 for _, v in graph.out_edges("ofac") if v.startswith("ru-") and graph.nodes[v]["kind"] == "person")
    assert set(by_kind) == {"firm", "person"}
    with TestClient(create_app(Settings(), store=GraphStore.from_graph(graph))) as client:
        params = {"of": "ofac", "relation": "sanctioned", "direction": "out", "limit": 100}
        people = client.get("/api/groups/members", params={**params, "kinds": "person"}).json()
        both = client.get("/api/groups/members", params={**params, "kinds": ["person", "firm"]}).json()
        ru = client.get("/api/groups/members", params={**params, "facet": "country", "value": "RU", "kinds": "person"})
        unknown = client.get("/api/groups/members", params={**params, "kinds": ["person", "starship"]})
    assert people["total"] == by_kind["person"] and people["kinds"] == ["person"]
    assert {graph.nodes[r["id"]]["kind"] for r in people["results"]} == {"person"}
    assert people["facets"]["kind"] == {"person": by_kind["person"]}
    assert both["total"] == sum(by_kind.values())
    assert ru.json()["total"] == ru_people
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_parameter"
    assert "starship" in unknown.json()["error"]["message"]


def test_the_brief_counts_the_groups_on_its_as_of_day() -> None:
    graph = records.new_graph(records.vocabulary(load_graph()))
    records.add_entity(graph, "ofac", {"label": "OFAC", "kind": "agency", "country": "US"})
    periods = [
        ("2020-01-01", "2022-01-01"),
        ("2021-01-01", "2025-01-01"),
        ("2024-03-01", None),
    ]  # ended, in force, later
    for country, count in (("CN", 20), ("RU", 15)):
        for i in range(count):
            firm = f"{country.lower()}-firm-{i:02d}"
            records.add_entity(graph, firm, {"label": f"{country} Firm {i:02d}", "kind": "firm", "country": country})
            start, end = periods[i % len(periods)]
            attrs = {"relation": "sanctioned", "start": start, **({"end": end} if end else {})}
            records.add_relation(graph, "ofac", firm, f"s-{firm}", attrs)
    day = date(2023, 6, 30)
    facet = subgraph(graph, ["ofac"], group=GROUP_THRESHOLD).grouped[0]["facet"]
    assert facet is not None
    in_force = Counter(
        facet_value(graph.nodes[v], d, facet)
        for _, v, d in graph.out_edges("ofac", data=True)
        if records.counts_on(d, day)
    )
    assert 0 < sum(in_force.values()) < graph.out_degree("ofac")
    with TestClient(create_app(Settings(), store=GraphStore.from_graph(graph))) as client:
        page = client.get("/report", params={"center": "ofac", "depth": 1, "as_of": day.isoformat()}).text
        every = client.get("/report", params={"center": "ofac", "depth": 1}).text
    split = ", ".join(f"{country} {n}" for country, n in sorted(in_force.items(), key=lambda kv: (-kv[1], kv[0])))
    assert (
        f"{sum(in_force.values())} entities sanctioned by OFAC (the relations in force on {day.isoformat()}) "
        f"are counted, not listed (by {facet}: {split})." in page
    )
    assert f"{graph.out_degree('ofac')} entities sanctioned by OFAC are counted, not listed" in every


def test_an_export_of_groups_standing_for_too_many_members_is_refused(
    hub: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the members an export writes, the file is refused with a 400 saying what to do
    instead, before a byte is streamed; the groups as drawn still export."""
    from graph.exports import part_source

    monkeypatch.setattr(part_source, "MAX_EXPORT_MEMBERS", sum(DESIGNATED.values()) - 1)
    params = {"center": "ofac", "depth": 1, "group": "auto", "format": "graphml"}
    with TestClient(create_app(Settings(), store=GraphStore.from_graph(hub))) as client:
        refused = client.get("/api/subgraph", params=params)
        drawn = client.get("/api/subgraph", params={**params, "grouped": "true"})
    assert refused.status_code == 400 and "grouped=true" in refused.json()["error"]["message"]
    assert drawn.status_code == 200 and b'attr.name="count"' in drawn.content
