"""The sourced brief of a view: sentences with numbered citations, the figure, the page, the PDF."""

from __future__ import annotations

import itertools
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from lxml import etree, html

from app.cli import cli
from app.explorer_page import ExplorerView
from app.figure_svg import figure_svg
from app.layout import label_box
from app.report_page import build_report
from graph.ingest.curated import load_dataset
from graph.queries.brief import brief
from graph.queries.selection import SupplyChainOf, select
from graph.queries.subgraph import subgraph
from graph.queries.view_filter import ViewFilter, filter_part
from graph.store import GraphStore, records
from graph.store.build import build_graph
from tests.conftest import WriteData, entity, relation

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SOURCES = [
    {
        "id": "gov",
        "url": "https://gov.example/statement",
        "type": "primary",
        "publisher": "Gov",
        "published": "2024-12-18",
    },
    {"id": "news", "url": "https://news.example/a", "type": "press", "publisher": "News", "published": "2024-12-19"},
]


@pytest.fixture
def small(write_data: WriteData) -> nx.MultiDiGraph:
    folder = write_data(
        sources=SOURCES,
        entities=[
            entity("state", "agency", label="State", sources=["gov"], confidence="primary"),
            entity("acme", label="Acme <b>Ltd</b>", sources=["news"]),
            entity("lab", "institute", label="Lab", sources=["news"]),
            entity("prog", "programme", label="Prog", sources=["news"]),
        ],
        relations=[
            relation(
                "sanctioned",
                "state",
                "acme",
                start="2024-12-18",
                measure="missile-sanctions",
                legal_basis="AECA section 73",
                status="designated",
                confidence="primary",
                sources=["gov"],
            ),
            relation(
                "supplied",
                "acme",
                "lab",
                item="a filament winding machine",
                status="alleged",
                confidence="primary",
                sources=["gov", "news"],
            ),
            relation(
                "develops",
                "lab",
                "prog",
                status="inferred",
                confidence="press",
                sources=["news"],
                reasoning="The statement names the lab as the programme's developer.",
            ),
        ],
    )
    return build_graph(load_dataset([folder]))


def test_relations_read_as_sentences_with_numbered_citations(small: nx.MultiDiGraph) -> None:
    text = brief(small, subgraph(small, ["acme"], depth=2), title="t", as_of=date(2025, 1, 1), centers=["acme"])
    statements = {s["relation"]: s for section in text["sections"] for s in section["statements"]}
    assert statements["supplied"]["text"] == "Acme <b>Ltd</b> supplied a filament winding machine to Lab"
    assert (
        statements["sanctioned"]["text"]
        == "State imposed missile sanctions (AECA/ECRA) on Acme <b>Ltd</b> under AECA section 73"
    )
    assert statements["develops"]["inferred"] and statements["develops"]["reasoning"]
    numbers = [c["number"] for c in text["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    urls = {c["number"]: c["url"] for c in text["citations"]}
    assert len(set(urls.values())) == len(urls)  # one number per source
    assert {urls[n] for n in statements["supplied"]["citations"]} == {s["url"] for s in SOURCES}
    assert all(e["citations"] for e in text["entities"])  # entities cite their own sources


def test_summary_says_which_measures_are_in_force_on_the_day(small: nx.MultiDiGraph) -> None:
    part = subgraph(small, ["acme"], depth=1)
    in_force = brief(small, part, title="t", as_of=date(2025, 1, 1))
    assert [m["entities"] for m in in_force["measures"]] == [["Acme <b>Ltd</b>"]]
    assert any("under a measure in force" in line for line in in_force["summary"])
    before = brief(small, part, title="t", as_of=date(2024, 1, 1))
    assert before["measures"] == [] and any("none of them" in line for line in before["summary"])


def test_the_view_filter_keeps_what_the_explorer_shows(small: nx.MultiDiGraph) -> None:
    part = subgraph(small, ["acme"], depth=2)
    no_inference = filter_part(small, part, ["acme"], ViewFilter(hide_inferred=True))
    assert "prog" not in no_inference.nodes and len(no_inference.edges) == len(part.edges) - 1
    before = filter_part(small, part, ["acme"], ViewFilter(as_of=date(2024, 1, 1)))
    assert "state" not in before.nodes  # its only relation was not yet in force
    firms = filter_part(small, part, ["acme"], ViewFilter(kinds=("firm", "institute")))
    assert set(firms.nodes) == {"acme", "lab"}


def label_rects(svg: str) -> list[tuple[float, float, float, float]]:
    """The boxes of the drawn labels, from the SVG's own text positions."""
    root = etree.fromstring(svg.encode())
    rects = []
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        spans = list(text)
        if not spans:
            continue
        lines = [s.text or "" for s in spans]
        x, y = float(spans[0].get("x")), float(spans[0].get("y"))
        node = {"label": "\n".join(lines), "shape": "dot", "size": 0}
        width, height, _ = label_box(node)
        rects.append((x - width / 2, y - 13, x + width / 2, y - 13 + height - 6))
    return rects


@pytest.mark.parametrize(("center", "depth"), [("us-state-dept", 2), ("ndc", 2), ("pk", 2)])
def test_figure_labels_do_not_overlap(bundled: nx.MultiDiGraph, center: str, depth: int) -> None:
    part = subgraph(bundled, [center], depth=depth)
    svg = figure_svg(bundled, part, [center], layered=False, as_of=date(2025, 1, 1))
    rects = label_rects(svg)
    assert len(rects) > 10
    for a, b in itertools.combinations(rects, 2):
        assert not (a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1), (a, b)


def test_figure_is_valid_svg_with_text_only_and_a_legend(small: nx.MultiDiGraph) -> None:
    part = subgraph(small, ["acme"], depth=2)
    svg = figure_svg(small, part, ["acme"], layered=False, as_of=date(2025, 1, 1), title="Acme <script>")
    root = etree.fromstring(svg.encode())  # well-formed: every data string escaped
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
    texts = " ".join(t.xpath("string()") for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Acme <b>Ltd</b>" in texts and "under a measure in force on 2025-01-01" in texts
    vocab = records.vocabulary(small)
    assert all(vocab.relation_label(r) in texts for r in ("sanctioned", "supplied", "develops"))


def test_report_page_of_the_shaheen_3_supply_chain(client: TestClient, bundled: nx.MultiDiGraph) -> None:
    page = client.get("/report", params={"view": "supply-chain", "center": "shaheen-3", "as_of": "2025-01-01"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    doc = html.fromstring(page.text)
    assert not doc.xpath("//script")
    assert doc.xpath("//figure//*[local-name()='svg']")
    chain = select(GraphStore.from_graph(bundled), SupplyChainOf("shaheen-3", date(2025, 1, 1)))
    assert chain.chain is not None
    cited_urls = {c["url"] for e in chain.chain["upstream"] for hop in e["chain"] for c in hop["sources"]}
    links = {a.get("href") for a in doc.xpath("//ol[@class='citations']//a")}
    assert cited_urls <= links
    for ref in doc.xpath("//li[@data-edge]//a[starts-with(@href, '#cite-')]"):
        assert doc.xpath(f"//*[@id='{ref.get('href')[1:]}']")  # every [n] points at its source


def test_report_takes_the_explorers_filters(client: TestClient) -> None:
    params = {"view": "subgraph", "center": "ndc", "depth": "1"}
    everything = html.fromstring(client.get("/report", params=params).text)
    no_inference = html.fromstring(client.get("/report", params={**params, "hide": "inferred"}).text)
    assert len(no_inference.xpath("//li[@data-edge]")) < len(everything.xpath("//li[@data-edge]"))
    assert not no_inference.xpath("//span[@class='inferred']")


def test_bad_explorer_urls_answer_a_page_for_browsers_and_json_for_clients(client: TestClient) -> None:
    for url in ("/explore?center=nope", "/report?center=ndc&depth=99", "/explore?center=ndc&as_of=someday"):
        page = client.get(url, headers={"accept": "text/html,application/xhtml+xml"})
        assert page.status_code in (404, 422) and page.headers["content-type"].startswith("text/html")
        doc = html.fromstring(page.text)
        assert doc.xpath("//a[@href='/']") and doc.xpath("//*[@class='message']")[0].text_content()
        api = client.get(url)
        assert api.status_code == page.status_code and api.json()["error"]["status"] == page.status_code


def test_cli_report_writes_html_and_svg(tmp_path: Path) -> None:
    runner = CliRunner()
    page = tmp_path / "brief.html"
    done = runner.invoke(cli, ["report", "--supply-chain", "shaheen-3", "--as-of", "2025-01-01", "-o", str(page)])
    assert done.exit_code == 0, done.output
    doc = html.fromstring(page.read_text(encoding="utf-8"))
    assert doc.xpath("//ol[@class='citations']/li") and doc.xpath("//*[local-name()='svg']")
    figure = tmp_path / "figure.svg"
    assert runner.invoke(cli, ["report", "--center", "ndc", "-o", str(figure)]).exit_code == 0
    assert etree.parse(str(figure)).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    wrong = runner.invoke(cli, ["report", "--center", "ndc", "-o", str(tmp_path / "brief.docx")])
    assert wrong.exit_code == 2 and ".html, .pdf or .svg" in wrong.output


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_cli_report_writes_a_pdf_whose_text_holds_the_citations(tmp_path: Path, bundled: nx.MultiDiGraph) -> None:
    pypdf = pytest.importorskip("pypdf")
    output = tmp_path / "brief.pdf"
    args = ["report", "--supply-chain", "shaheen-3", "--as-of", "2025-01-01", "-o", str(output)]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    text = "".join(page.extract_text() for page in pypdf.PdfReader(output).pages)
    flat = "".join(unicodedata.normalize("NFKC", text).split())  # the PDF's text has ligatures (ﬁ) and line breaks
    report = build_report(
        GraphStore.from_graph(bundled),
        ExplorerView(view="supply-chain", center=["shaheen-3"], as_of=date(2025, 1, 1)),
        500,
    )
    for citation in report.brief["citations"]:
        assert "".join(citation["publisher"].split()) in flat
        assert citation["url"] is None or "".join(citation["url"].split()) in flat


def test_pdf_without_chromium_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    done = CliRunner().invoke(cli, ["report", "--center", "ndc", "-o", str(tmp_path / "x.pdf")])
    assert done.exit_code == 1 and "chromium" in done.output and not (tmp_path / "x.pdf").exists()
