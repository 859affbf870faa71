"""A dataset with script payloads in every text field runs no script anywhere in the explorer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import DataError
from graph.ingest.curated import load_dataset
from graph.store import GraphStore
from tests.browser.conftest import Server, Watched, click_node, node_position, start_server
from tests.hostile import hostile_data, hostile_ftm

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = hostile_data(tmp_path_factory.mktemp("hostile"))
    ftm = hostile_ftm(tmp_path_factory.mktemp("hostile-ftm") / "hostile.ftm.json")
    server = start_server(GraphStore.load([folder], ftm=[ftm]))
    yield server
    server.server.should_exit = True
    server.thread.join(timeout=10)


def test_javascript_urls_do_not_validate(tmp_path: Path) -> None:
    folder = hostile_data(tmp_path)
    text = (folder / "hostile.yaml").read_text(encoding="utf-8")
    (folder / "hostile.yaml").write_text(text.replace("https://example.org/report", "javascript:alert(1)//"))
    with pytest.raises(DataError, match="only http and https URLs"):
        load_dataset([folder])


def open_everything(page: Watched) -> None:
    page.page.evaluate("document.querySelectorAll('details').forEach((d) => d.open = true)")


def test_payloads_render_as_text_everywhere(page: Watched, hostile_server: Server) -> None:
    page.goto(hostile_server.url + "/explore?view=subgraph&center=supplier&depth=2")
    kinds = {"supplier": "firm", "body": "agency", "missile": "programme", "spokesman": "person"}
    for node, kind in kinds.items():
        click_node(page, node)
        page.wait(f"document.querySelector('#details h2')?.textContent.startsWith('{kind} <img')")
        open_everything(page)
    text = page.page.locator("#details").inner_text()
    assert "<img src=x onerror=alert('img')>" in text  # shown as the text it is
    assert page.page.locator("#details img, #details svg, #details script").count() == 0
    # the supply chain and paths panels, and the search suggestions, with the same data
    page.goto(hostile_server.url + "/explore?view=supply-chain&center=missile")
    page.wait("document.querySelector('#details .chain') !== null")
    open_everything(page)
    page.page.fill("#path-from", "spokesman")
    page.page.fill("#path-to", "missile")
    page.page.click("#path-form button[type=submit]")
    page.wait("linkscope.highlighted.length > 0")
    open_everything(page)
    page.page.fill("#search", "alias")
    page.page.wait_for_selector("#suggestions li")
    page.page.hover("#suggestions li")
    # hover every node and edge so vis-network shows each tooltip
    for node in ("supplier", "body", "missile"):
        position = node_position(page, node)
        page.page.mouse.move(position["x"], position["y"])
        page.page.wait_for_timeout(300)
    assert page.dialogs == []
    assert "49" not in page.page.title()  # {{7*7}} was not evaluated by a template
    links = page.page.locator("a[href]")
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        assert not href.lower().startswith("javascript"), href


def test_imported_ftm_payloads_render_as_text(page: Watched, hostile_server: Server) -> None:
    page.goto(hostile_server.url + "/explore?view=subgraph&center=ftm-evil-co&depth=1")
    for node in ("ftm-evil-person", "ftm-evil-co"):  # the company last: its panel holds the one link
        click_node(page, node)
        page.wait("document.querySelector('#details h2')?.textContent.startsWith('Caption <img')")
        open_everything(page)
        text = page.page.locator("#details").inner_text()
        assert "<img src=x onerror=alert('img')>" in text and "\u202e" not in text  # text, bidi override removed
        assert page.page.locator("#details img, #details svg, #details script").count() == 0
    links = [
        page.page.locator("a[href]").nth(i).get_attribute("href") for i in range(page.page.locator("a[href]").count())
    ]
    assert "https://example.org/ok?%3Cscript%3E" in links  # the http(s) sourceUrl, URL-encoded, is a link
    assert not any(h.lower().startswith("javascript") for h in links)
    assert page.dialogs == []
