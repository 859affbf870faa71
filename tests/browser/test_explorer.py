"""The explorer in real headless Chromium: each step an analyst takes, proven."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest

from graph.store import GraphStore
from graph.store.build import load_graph
from tests.browser.conftest import Server, Watched, click_node
from tests.live import start_server

pytestmark = pytest.mark.browser


def visible_edges(page: Watched) -> list[dict]:
    return page.page.evaluate(
        """() => linkscope.edges.get({filter: (e) => !e.hidden}).map((e) => linkscope.records.get(e.id))"""
    )


def test_default_page_draws_the_shaheen_3_supply_chain(page: Watched, live_server: Server, tmp_path) -> None:
    page.goto(live_server.url + "/")
    ids = page.page.evaluate("network.body.data.nodes.getIds()")
    assert {"shaheen-3", "ndc", "riamb", "mzkt", "xian-longde", "us-state-dept"} <= set(ids)
    assert page.page.evaluate("network.body.data.edges.length") > 10
    assert "Supply chain of Shaheen-3" in page.page.locator("#details").inner_text()
    shot = tmp_path / "explorer.png"
    page.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert page.requests and all(r.startswith(live_server.url) for r in page.requests)


def test_explore_url_centres_the_view(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=riamb&depth=1")
    assert page.page.evaluate("network.getSelectedNodes()") == ["riamb"]
    assert page.page.evaluate("linkscope.state.center") == ["riamb"]
    page.wait("document.querySelector('#details h2') !== null")
    assert page.page.locator("#details h2").inner_text().startswith("Beijing Research Institute")


def test_clicking_a_node_shows_its_sources_as_safe_links(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/")
    click_node(page, "mzkt")
    page.wait("document.querySelector('#details h2')?.textContent === 'Minsk Wheel Tractor Plant'")
    links = page.page.locator("#details > ul.sources a")
    assert links.count() == len(load_graph().nodes["mzkt"]["sources"])
    for i in range(links.count()):
        link = links.nth(i)
        assert link.get_attribute("href").startswith("https://")
        assert link.get_attribute("target") == "_blank"
        assert link.get_attribute("rel") == "noopener noreferrer"
    assert "republicworld.com" in links.first.get_attribute("href")


def test_clicking_an_edge_shows_its_evidence(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=xian-longde&depth=1&relations=sanctioned")
    straight = page.page.evaluate(
        "network.body.data.edges.get({filter: (e) => e.to === 'xian-longde' && !e.smooth}).map((e) => e.id)"
    )
    assert len(straight) == 1  # the second designation is drawn curved, apart from the first
    edge_id = straight[0]
    expected = page.page.evaluate("(id) => linkscope.records.get(id)", edge_id)
    position = page.page.evaluate(
        """(id) => {
            const e = network.body.edges[id];
            const mid = {x: (e.from.x + e.to.x) / 2, y: (e.from.y + e.to.y) / 2};
            const dom = network.canvasToDOM(mid);
            const box = document.querySelector('#graph canvas').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        edge_id,
    )
    page.page.mouse.click(position["x"], position["y"])
    page.wait("document.querySelector('#details h2')?.textContent.includes('sanctioned')")
    text = page.page.locator("#details").inner_text()
    assert (expected.get("date") or expected["start"]) in text and expected["legal_basis"] in text
    assert "designated" in text


def test_double_click_expands_a_node(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=riamb&depth=1")
    before = page.page.evaluate("network.body.data.nodes.length")
    assert "nescom" not in page.page.evaluate("network.body.data.nodes.getIds()")
    click_node(page, "ndc", double=True)
    page.wait(f"network.body.data.nodes.length > {before}")
    assert "nescom" in page.page.evaluate("network.body.data.nodes.getIds()")
    assert "expand=ndc" in page.page.url  # the state is in the URL


def test_as_of_slider_removes_september_2024_designations_in_may_2024(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/")
    dated = {e.get("date") or e["start"] for e in visible_edges(page) if e["relation"] == "sanctioned"}
    assert "2024-09-12" in dated
    may = (date(2024, 5, 1) - date(1970, 1, 1)).days
    page.wait("Number(document.querySelector('#asof').max) > 0")
    page.page.evaluate(
        """(day) => {
            const slider = document.querySelector('#asof');
            slider.value = String(day);
            slider.dispatchEvent(new Event('input', {bubbles: true}));
        }""",
        may,
    )
    sanctions = [e for e in visible_edges(page) if e["relation"] == "sanctioned"]
    assert {e.get("date") or e["start"] for e in sanctions} == {"2024-04-19"}
    assert "as_of=2024-05-01" in page.page.url
    ringed = page.page.evaluate("linkscope.nodes.get({filter: (n) => n.sanctioned}).map((n) => n.id)")
    assert set(ringed) == {"mzkt", "xian-longde", "granpect"}


def test_as_of_in_the_url_reproduces_the_view(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=supply-chain&center=shaheen-3&as_of=2023-01-01")
    assert [e for e in visible_edges(page) if e["relation"] == "sanctioned"] == []
    assert page.page.locator("#asof-date").input_value() == "2023-01-01"


def test_a_path_is_highlighted_with_its_evidence(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=riamb&depth=1")
    page.page.fill("#path-from", "riamb")
    page.page.fill("#path-to", "shaheen-3")
    page.page.click("#path-form button[type=submit]")
    page.wait("linkscope.highlighted.length > 0")
    widths = page.page.evaluate("linkscope.highlighted.map((id) => network.body.data.edges.get(id).width)")
    assert widths and set(widths) == {7}
    assert "shaheen-3" in page.page.evaluate("network.body.data.nodes.getIds()")
    panel = page.page.locator("#details").inner_text()
    assert "supplied National Development Complex" in panel and "develops Shaheen-3" in panel
    assert "path_from=riamb" in page.page.url


def test_search_suggests_and_centres(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/")
    page.page.fill("#search", "lontek")
    page.page.wait_for_selector("#suggestions li")
    assert "Xi'an Longde" in page.page.locator("#suggestions li").first.inner_text()
    page.page.locator("#suggestions li").first.click()
    page.page.wait_for_url("**/explore?**center=xian-longde**")
    page.wait("window.linkscope && window.linkscope.ready")
    assert page.page.evaluate("linkscope.state.center") == ["xian-longde"]


def test_filters_hide_kinds_and_relations(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=ndc&depth=1")
    page.page.uncheck("#legend-kinds input[value=firm]")
    shown_kinds = page.page.evaluate("linkscope.nodes.get({filter: (n) => !n.hidden}).map((n) => n.kind)")
    assert "firm" not in shown_kinds
    assert "kinds=" in page.page.url
    page.page.uncheck("#legend-relations input[value=part_of]")
    assert all(e["relation"] != "part_of" for e in visible_edges(page))


def test_exports_of_the_current_view(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=ndc&depth=1")
    href = page.page.get_attribute("#export-graphml", "href")
    assert href.startswith("/api/subgraph?") and "format=graphml" in href
    with page.page.expect_download() as download:
        page.page.click("#export-graphml")
    assert download.value.suggested_filename.endswith(".graphml")
    with page.page.expect_download() as png:
        page.page.click("#export-png")
    assert png.value.suggested_filename.endswith(".png")


def test_inferred_links_are_dotted_and_can_be_hidden(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=ndc&depth=1")
    inferred = [e for e in visible_edges(page) if e["status"] == "inferred"]
    assert {e["target"] for e in inferred} >= {"shaheen-3", "ababeel"}
    dashes = page.page.evaluate("(id) => network.body.data.edges.get(id).dashes", inferred[0]["id"])
    assert dashes == [2, 5]  # the inferred status's own pattern, whatever the relation
    page.page.uncheck("#legend-evidence input[value=inferred]")
    assert all(e["status"] != "inferred" for e in visible_edges(page))
    assert "hide=inferred" in page.page.url
    page.goto(page.page.url)  # the URL reproduces the choice
    assert page.page.locator("#legend-evidence input[value=inferred]").is_checked() is False
    assert all(e["status"] != "inferred" for e in visible_edges(page))


def test_what_rests_only_on_weak_sources_can_be_hidden(page: Watched, live_server: Server) -> None:
    page.goto(live_server.url + "/explore?view=subgraph&center=ndc&depth=1")
    weak = [e for e in visible_edges(page) if e["weak_only"]]
    assert weak and all(all(s["type"] == "weak" for s in e["sources"]) for e in weak)
    page.page.uncheck("#legend-evidence input[value=weak]")
    assert not any(e["weak_only"] for e in visible_edges(page))
    assert "hide=weak" in page.page.url


def test_the_in_force_ring_follows_the_statutory_term(page: Watched, live_server: Server) -> None:
    ringed = "linkscope.nodes.get({filter: (n) => n.sanctioned && !n.hidden}).map((n) => n.id)"
    page.goto(live_server.url + "/explore?view=subgraph&center=us-state-dept&depth=1&as_of=2025-06-01")
    within = set(page.page.evaluate(ringed))
    assert {"hubei-huachangda", "luo-dongmei", "xian-longde"} <= within
    page.goto(live_server.url + "/explore?view=subgraph&center=us-state-dept&depth=1&as_of=2026-10-01")
    after = set(page.page.evaluate(ringed))
    assert "xian-longde" in after  # its EO 13382 blocking is open-ended
    assert not {"hubei-huachangda", "luo-dongmei", "universal-enterprise"} & after  # missile sanctions: 2-year term


@pytest.fixture(scope="module")
def list_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The bundled data with a small list that spells two curated firms the way lists do."""
    lines = [
        {"id": "NK-mzkt", "schema": "Company", "datasets": ["us_ofac_sdn"],
         "properties": {"name": ["OJSC MINSK WHEEL TRACTOR PLANT"], "alias": ["MZKT"], "country": ["by"],
                        "addressEntity": ["addr-somewhere"]}},
        {"id": "NK-mtz", "schema": "Company", "datasets": ["us_ofac_sdn"],
         "properties": {"name": ["MINSK TRACTOR WORKS"], "country": ["by"]}},
    ]  # fmt: skip
    path = tmp_path_factory.mktemp("lists") / "list.ftm.json"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    server = start_server(GraphStore.load(ftm=[path]).warm())
    yield server
    server.server.should_exit = True
    server.thread.join(timeout=10)


def test_a_curated_entity_lists_its_likely_list_entries(page: Watched, list_server: Server) -> None:
    page.goto(list_server.url + "/explore?view=subgraph&center=mzkt&depth=1")
    page.wait("document.querySelector('#details .matches li') !== null")
    matches = page.page.locator("#details .matches")
    text = matches.inner_text()
    assert "OJSC MINSK WHEEL TRACTOR PLANT" in text and "MINSK TRACTOR WORKS" not in text
    score = float(matches.locator("summary").first.inner_text().split(" · ")[0])
    assert 0.85 <= score <= 1.0
    matches.locator("summary").first.click()
    assert "country BY = BY" in matches.inner_text()  # the reasons
    matches.locator("button", has_text="Centre here").first.click()
    page.page.wait_for_url("**/explore?**center=NK-mzkt**")
    page.wait("document.querySelector('#details .unresolved') !== null")
    assert (
        "addressEntity: refers to addr-somewhere — not loaded" in page.page.locator("#details .unresolved").inner_text()
    )


def test_the_time_bar_shows_each_round_as_a_peak(page: Watched, live_server: Server) -> None:
    graph = load_graph()
    rounds = Counter(
        str(d.get("date") or d.get("start"))[:7]
        for _, _, d in graph.out_edges("us-state-dept", data=True)
        if d["relation"] == "sanctioned"
    )
    page.goto(live_server.url + "/explore?view=subgraph&center=us-state-dept&depth=1")
    page.wait("document.querySelectorAll('#histogram .bar').length > 0")
    bars = page.page.evaluate(
        """() => [...document.querySelectorAll('#histogram .bar')].map((b) => {
            const r = b.getBoundingClientRect();
            return {key: b.dataset.key, count: Number(b.dataset.count), left: r.left, right: r.right, height: r.height};
        })"""
    )
    by_key = {b["key"]: b for b in bars}
    assert len(rounds) >= 2 and set(rounds) <= set(by_key)
    for month, count in rounds.items():
        assert by_key[month]["count"] >= count
    drawn = sorted((by_key[m] for m in rounds), key=lambda b: b["left"])
    assert all(a["right"] <= b["left"] for a, b in itertools.pairwise(drawn))  # distinct peaks, not one smear
    first = min(rounds)
    page.page.locator(f"#histogram .bar[data-key='{first}']").click()
    as_of = page.page.evaluate("linkscope.state.as_of")
    assert as_of.startswith(first) and as_of >= f"{first}-28"
    assert "as_of=" + as_of in page.page.url


def test_many_relations_between_two_entities_fold_into_one_counted_edge(page: Watched, live_server: Server) -> None:
    graph = load_graph()
    pairs = Counter(frozenset((u, v)) for u, v in graph.edges())
    pair, count = max(pairs.items(), key=lambda item: item[1])
    if count < 3:
        pytest.skip("the bundled data has no pair with three relations or more")
    a, b = sorted(pair)
    page.goto(f"{live_server.url}/explore?view=subgraph&center={a}&depth=1")
    fold = page.page.evaluate(
        """([a, b]) => linkscope.edges.get({filter: (e) => !e.hidden && linkscope.records.get(e.id)?.key === 'folded'
            && [e.from, e.to].sort().join() === [a, b].sort().join()}).map((e) => ({id: e.id, label: e.label}))""",
        [a, b],
    )
    assert len(fold) == 1 and fold[0]["label"] == f"\u00d7{count}"  # the multiplication sign, then N
    parts = page.page.evaluate("(id) => linkscope.records.get(id).parts", fold[0]["id"])
    assert len(parts) == count
    assert page.page.evaluate("(ids) => ids.every((id) => linkscope.edges.get(id).hidden)", parts)
    position = page.page.evaluate(
        """(id) => {
            const e = network.body.edges[id];
            const dom = network.canvasToDOM({x: (e.from.x + e.to.x) / 2, y: (e.from.y + e.to.y) / 2});
            const box = document.querySelector('#graph canvas').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        fold[0]["id"],
    )
    page.page.mouse.click(position["x"], position["y"])
    page.wait(f"document.querySelectorAll('#details ul.parts > li').length === {count}")
    page.page.locator("#details button.unfold").click()
    page.wait(f"({parts!r}).every((id) => !linkscope.edges.get(id).hidden)")
    assert page.page.evaluate("(id) => linkscope.edges.get(id).hidden", fold[0]["id"])
