"""Big neighbourhoods in the explorer: groups drawn with counts, members found and pulled into the view."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.store import GraphStore
from tests.browser.conftest import Watched, click_node
from tests.live import Server, start_server
from tests.test_groups import DESIGNATED, designations, mixed_designations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hub_server() -> Iterator[Server]:
    server = start_server(GraphStore.from_graph(designations()))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mixed_server() -> Iterator[Server]:
    server = start_server(GraphStore.from_graph(mixed_designations()))
    yield server
    server.stop()


def drawn_groups(page: Watched) -> list[dict]:
    groups: list[dict] = page.page.evaluate(
        "() => linkscope.nodes.get().filter((n) => n.group_of && !n.hidden).map((n) => n.group_of)"
    )
    return groups


def test_a_hub_is_drawn_as_counted_groups(page: Watched, hub_server: Server) -> None:
    page.goto(f"{hub_server.url}/explore?center=ofac&depth=1")
    groups = drawn_groups(page)
    assert {g["value"]: g["count"] for g in groups} == DESIGNATED
    drawn = page.page.evaluate("() => linkscope.nodes.get().filter((n) => !n.hidden).length")
    assert drawn == 1 + len(DESIGNATED)  # the authority and one node per group, not 40 dots
    assert all(g["facet"] == "country" and g["direction"] == "out" for g in groups)


def test_a_member_is_two_clicks_away(page: Watched, hub_server: Server) -> None:
    page.goto(f"{hub_server.url}/explore?center=ofac&depth=1")
    ru = next(
        n for n in page.page.evaluate("() => linkscope.nodes.get()") if (n.get("group_of") or {}).get("value") == "RU"
    )
    click_node(page, ru["id"])
    page.wait("document.querySelectorAll('#details ul.members li').length > 0")
    listed = page.page.locator("#details ul.members li").count()
    assert listed == min(DESIGNATED["RU"], 20)
    page.page.fill("#details input[type=search]", "firm 03")
    page.wait("document.querySelectorAll('#details ul.members li').length === 1")
    member = page.page.locator("#details ul.members li").first.get_attribute("data-id")
    assert member == "ru-firm-03"
    page.page.locator("#details ul.members li button.show-member").first.click()
    page.page.wait_for_url("**include=ru-firm-03**")
    page.wait("window.linkscope && window.linkscope.ready")
    shown = page.page.evaluate("(id) => { const n = linkscope.nodes.get(id); return !!n && !n.hidden; }", member)
    assert shown
    counts = {g["value"]: g["count"] for g in drawn_groups(page)}
    assert counts["RU"] == DESIGNATED["RU"] - 1 and sum(counts.values()) == sum(DESIGNATED.values()) - 1


def test_a_group_splits_by_another_facet_in_the_panel(page: Watched, hub_server: Server) -> None:
    page.goto(f"{hub_server.url}/explore?center=ofac&depth=1")
    everything = page.page.evaluate("() => linkscope.nodes.get()")
    cn = next(n for n in everything if (n.get("group_of") or {}).get("value") == "CN")
    click_node(page, cn["id"])
    page.wait("document.querySelectorAll('#details .split[data-facet=year] button').length === 2")
    years = {
        b.get_attribute("data-value"): int(b.inner_text().split()[-1])
        for b in page.page.locator("#details .split[data-facet=year] button").all()
    }
    assert sum(years.values()) == DESIGNATED["CN"]
    page.page.locator("#details .split[data-facet=year] button[data-value='2023']").click()
    page.wait(f"document.querySelectorAll('#details ul.members li').length === {years['2023']}")
    assert page.page.locator("#details .split[data-facet=year] button.on").count() == 1


def test_groups_count_what_is_in_force_on_the_as_of_day(page: Watched, hub_server: Server) -> None:
    graph = designations()
    early = {
        country: sum(
            1
            for _, v, d in graph.out_edges("ofac", data=True)
            if v.startswith(country.lower() + "-") and d["start"] <= "2023-12-31"
        )
        for country in DESIGNATED
    }
    page.goto(f"{hub_server.url}/explore?center=ofac&depth=1&as_of=2023-12-31")
    page.wait("linkscope.nodes.get().some((n) => n.group_of && n.group_of.in_force !== undefined)")
    counts = {g["value"]: g["in_force"] for g in drawn_groups(page)}
    assert counts == {country: n for country, n in early.items() if n}
    labels = page.page.evaluate("() => linkscope.nodes.get().filter((n) => n.group_of).map((n) => n.label)")
    assert all(label.split()[0] == str(early[label.split()[-1]]) for label in labels)


def test_groups_count_only_the_ticked_kinds(page: Watched, mixed_server: Server) -> None:
    graph = mixed_designations()
    firms = {
        country: sum(1 for _, v in graph.out_edges("ofac") if graph.nodes[v]["country"] == country
                     and graph.nodes[v]["kind"] == "firm")
        for country in DESIGNATED
    }  # fmt: skip
    page.goto(f"{mixed_server.url}/explore?center=ofac&depth=1")
    assert {g["value"]: g["count"] for g in drawn_groups(page)} == DESIGNATED
    page.page.locator("#legend-kinds input[value=person]").uncheck()
    page.wait("linkscope.nodes.get().some((n) => n.group_of && n.group_of.in_force !== undefined)")
    assert "kinds=" in page.page.url
    counts = {g["value"]: g["in_force"] for g in drawn_groups(page)}
    assert counts == {country: n for country, n in firms.items() if n}
    labels = page.page.evaluate(
        "() => linkscope.nodes.get().filter((n) => n.group_of && !n.hidden).map((n) => n.label)"
    )
    assert sorted(int(label.split()[0]) for label in labels) == sorted(n for n in firms.values() if n)
    page.page.locator("#legend-kinds input[value=firm]").uncheck()  # no member left of a ticked kind
    page.wait("linkscope.nodes.get().filter((n) => n.group_of && !n.hidden).length === 0")
