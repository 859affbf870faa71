"""Answers an analyst can publish, in real headless Chromium: connecting paths, what changed, the brief."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import networkx as nx
import pytest
import yaml

from graph.store import GraphStore, records
from tests.browser.conftest import Server, Watched
from tests.conftest import SOURCE, entity, relation
from tests.live import start_server

pytestmark = pytest.mark.browser


def path_sections(page: Watched) -> list[dict]:
    return page.page.evaluate(
        """() => [...document.querySelectorAll('#details section.path')].map((s) => ({
            shared: s.classList.contains('shared'), text: s.innerText }))"""
    )


def test_paths_connect_unless_shared_hubs_are_asked_for(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=mzkt&depth=1&path_from=mzkt&path_to=shaheen-3")
    page.wait("document.querySelectorAll('#details section.path').length > 0")
    sections = path_sections(page)
    assert sections and not any(s["shared"] for s in sections)
    assert "Minsk Wheel Tractor Plant supplied National Development Complex" in sections[0]["text"]
    page.page.check("#via-shared")  # reloads the view with via=shared, keeping the paths
    page.wait("window.linkscope && linkscope.ready && linkscope.state.via === 'shared'")
    page.wait("document.querySelectorAll('#details section.path.shared').length > 0")
    sections = path_sections(page)
    shared = [s["shared"] for s in sections]
    assert shared == sorted(shared)  # the real connections first
    assert "both" in next(s for s in sections if s["shared"])["text"]
    assert parse_qs(urlsplit(page.page.url).query)["via"] == ["shared"]


def test_compare_with_an_earlier_date_highlights_the_december_round(
    page: Watched, live_server: Server, bundled: nx.MultiDiGraph
) -> None:
    december = {
        records.relation_id(u, v, k, d)
        for u, v, k, d in records.iter_relations(bundled)
        if u == "us-state-dept" and d.get("relation") == "sanctioned" and records.when(d) == "2024-12-18"
    }
    page.goto(live_server.url + "/explore?view=subgraph&center=us-state-dept&depth=1&as_of=2025-01-01")
    page.page.fill("#compare-date", "2024-10-01")
    page.page.dispatch_event("#compare-date", "change")
    page.wait("linkscope.changed.size > 0")
    changed = page.page.evaluate("Object.fromEntries(linkscope.changed)")
    assert december <= {i for i, kind in changed.items() if kind == "began"}
    colours = page.page.evaluate(
        "(ids) => ids.map((id) => network.body.data.edges.get(id).color.color)", sorted(december)
    )
    assert set(colours) == {"#16a34a"}
    assert "What changed from 2024-10-01 to 2025-01-01" in page.page.locator("#details").inner_text()
    query = parse_qs(urlsplit(page.page.url).query)
    assert query["compare"] == ["2024-10-01"] and query["as_of"] == ["2025-01-01"]
    page.goto(page.page.url)  # the URL reproduces the comparison
    page.wait("linkscope.changed.size > 0")
    assert page.page.evaluate("Object.fromEntries(linkscope.changed)") == changed


def test_brief_button_opens_the_report_of_the_view(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=supply-chain&center=shaheen-3&as_of=2025-01-01")
    href = page.page.get_attribute("#brief", "href")
    assert href.startswith("/report?") and "center=shaheen-3" in href and "as_of=2025-01-01" in href
    page.page.goto(live_server.url + href)
    assert page.page.locator("figure svg").count() == 1
    assert page.page.locator("figure svg text").count() > 5
    citations = page.page.locator("ol.citations > li")
    assert citations.count() > 0
    for i in range(citations.count()):
        item = citations.nth(i)
        assert item.get_attribute("id") == f"cite-{i + 1}"
        link = item.locator("a")
        if link.count():
            assert link.get_attribute("href").startswith(("https://", "http://"))
    refs = page.page.evaluate("[...document.querySelectorAll('li[data-edge] a')].map((a) => a.getAttribute('href'))")
    assert refs and all(page.page.locator(ref).count() == 1 for ref in set(refs))


def test_a_bad_explorer_url_answers_a_page_that_says_what_was_wrong(page: Watched, live_server: Server) -> None:
    response = page.page.goto(live_server.url + "/explore?view=subgraph&center=no-such-entity")
    assert response is not None and response.status == 404
    assert page.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    page.errors.clear()  # Chromium logs the page's own status; nothing else failed
    assert "no-such-entity" in page.page.locator(".message").inner_text()
    page.page.click("text=Back to the explorer")
    page.wait("window.linkscope && linkscope.ready")


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A body linked to more firms than one expansion page shows, through four relation types
    none of which has enough of them to be grouped (so the view pages instead)."""
    folder = tmp_path_factory.mktemp("hub")
    firms = [f"firm-{i:03d}" for i in range(100)]
    types = ("owns", "controls", "paid", "represents")
    content = {
        "sources": [SOURCE],
        "entities": [entity("hub", "agency"), *(entity(f) for f in firms)],
        "relations": [relation(types[i % len(types)], "hub", f) for i, f in enumerate(firms)],
    }
    (folder / "data.yaml").write_text(yaml.safe_dump(content), encoding="utf-8")
    server = start_server(GraphStore.load([folder]).warm())
    yield server
    server.stop()


def test_every_expansion_page_is_reproduced_from_the_url(page: Watched, hub_server: Server) -> None:
    page.goto(hub_server.url + "/explore?view=subgraph&center=firm-000&depth=1")
    counts = [page.page.evaluate("network.body.data.nodes.length")]
    for _ in range(2):
        before = page.page.evaluate("linkscope.state.expand.length")
        page.page.evaluate("linkscope.expand('hub')")
        page.wait(f"linkscope.state.expand.length > {before}")
        counts.append(page.page.evaluate("network.body.data.nodes.length"))
    assert counts[0] < counts[1] < counts[2] < 101  # two pages, not everything
    drawn = set(page.page.evaluate("network.body.data.nodes.getIds()"))
    assert parse_qs(urlsplit(page.page.url).query)["expand"] == ["hub", "hub"]
    page.goto(page.page.url)
    assert set(page.page.evaluate("network.body.data.nodes.getIds()")) == drawn


def test_labels_do_not_collide_around_a_designating_authority(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=us-state-dept&depth=2")
    boxes = page.page.evaluate(
        """() => network.body.data.nodes.get({filter: (n) => !n.hidden}).map((n) => {
            const node = network.body.nodes[n.id];
            node.labelModule.calculateLabelSize(network.canvas.getContext(), false, false, node.x, node.y, 'normal');
            const s = node.labelModule.size;
            return [n.id, s.left, s.top, s.left + s.width, s.top + s.height];
        })"""
    )
    assert len(boxes) > 20
    for a, b in itertools.combinations(boxes, 2):
        overlap = a[1] < b[3] - 1 and b[1] < a[3] - 1 and a[2] < b[4] - 1 and b[2] < a[4] - 1
        assert not overlap, (a[0], b[0])
