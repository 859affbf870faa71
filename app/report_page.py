"""The printable brief of an explorer view: the figure, a summary, every relation as a sentence,
numbered citations. One page of HTML with no script, its style inline, so a saved copy or a
PDF of it reads the same anywhere.

The brief takes the explorer's own view (:class:`~app.explorer_page.ExplorerView`): the same
selection (neighbourhood with its expansions, supply chain, or the paths panel's paths) and
the same filters (kinds, relation types, as-of day, hidden evidence), so it says what the
reader saw. Sanctions are judged in force on the as-of day, or today for an undated view.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

import networkx as nx
from markupsafe import Markup

from app.explorer_page import TEMPLATES_ENV, ExplorerView
from app.figure_svg import figure_svg
from graph.errors import BadQuery
from graph.limits import Deadline
from graph.queries.brief import Brief, brief
from graph.queries.selection import Paths, Query, SupplyChainOf, select
from graph.queries.view_filter import ViewFilter, filter_part
from graph.store import Store, records

__all__ = ["PdfUnavailable", "Report", "build_report", "html_to_pdf", "render_report"]

#: As many paths as the explorer's paths panel shows.
PATHS_SHOWN = 5
#: The favicon inlined, so a saved brief (or Chromium printing one) asks for no other file.
_FAVICON = (
    "data:image/svg+xml;base64,"
    + base64.b64encode((Path(__file__).resolve().parents[1] / "static" / "favicon.svg").read_bytes()).decode()
)


@dataclass
class Report:
    """A view's brief and figure."""

    brief: Brief
    svg: str
    view: ExplorerView

    def html(self) -> str:
        explore = "/explore?" + urlencode(self.view.url_query(), doseq=True)
        return TEMPLATES_ENV.get_template("report.html").render(
            brief=self.brief,
            figure=Markup(self.svg),  # built by figure_svg, every data string escaped there
            explore_url=explore,
            generated=date.today().isoformat(),
            favicon=_FAVICON,
            version=version("linkscope"),
        )


def build_report(store: Store, view: ExplorerView, max_nodes: int, deadline: Deadline | None = None) -> Report:
    """The brief and figure of ``view``."""
    as_of = view.as_of or date.today()
    paths = bool(view.path_from and view.path_to)
    query: Query
    if paths:
        assert view.path_from and view.path_to
        query = Paths(view.path_from, view.path_to, as_of=view.as_of, via=view.via, limit=PATHS_SHOWN)
    elif view.view == "supply-chain":
        if len(view.center) != 1:
            raise BadQuery("the supply-chain view takes exactly one centre")
        query = SupplyChainOf(view.center[0], as_of)
    else:
        query = view.query(max_nodes)
    selection = select(store, query, deadline=deadline)
    assert selection.part is not None
    graph = selection.source
    shown = ViewFilter(
        kinds=tuple(view.kinds),
        relations=tuple(view.relations),
        as_of=view.as_of,
        hide_inferred="inferred" in view.hide,
        hide_weak="weak" in view.hide,
    )
    centers = selection.centers if paths else [store.require(c, graph) for c in view.center]
    part = filter_part(graph, selection.part, centers, shown)
    title = _title(store, graph, view, paths) + (f", as of {view.as_of.isoformat()}" if view.as_of else "")
    text = brief(graph, part, title=title, as_of=as_of, centers=centers, paths=selection.paths)
    svg = figure_svg(graph, part, centers, layered=view.view == "supply-chain" and not paths, as_of=as_of, title=title)
    return Report(text, svg, view)


def render_report(store: Store, view: ExplorerView, max_nodes: int, deadline: Deadline | None = None) -> str:
    return build_report(store, view, max_nodes, deadline).html()


def _title(store: Store, graph: nx.MultiDiGraph, view: ExplorerView, paths: bool) -> str:
    if paths:
        assert view.path_from and view.path_to
        source, target = store.require(view.path_from, graph), store.require(view.path_to, graph)
        return f"Paths from {records.label(graph, source)} to {records.label(graph, target)}"
    names = ", ".join(records.label(graph, store.require(c)) for c in view.center)
    if view.view == "supply-chain":
        return f"Supply chain of {names}"
    return f"Around {names} ({view.depth} hop{'s' if view.depth != 1 else ''})"


class PdfUnavailable(RuntimeError):
    """No Chromium to print with."""


def html_to_pdf(html: str, output: Path, chromium: str | None = None, timeout: float = 120.0) -> None:
    """Print ``html`` to ``output`` with Chromium in headless mode (Debian's ``chromium``).

    The page is written to a temporary file first: it has no script and no external
    resource, so Chromium loads nothing else.
    """
    binary = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        raise PdfUnavailable(
            "writing a PDF needs Chromium, which is not installed: install Debian's chromium package "
            "(apt-get install chromium), or write the brief as .html and print it from a browser"
        )
    with tempfile.TemporaryDirectory(prefix="linkscope-report-") as folder:
        page = Path(folder) / "brief.html"
        page.write_text(html, encoding="utf-8")
        target = output.resolve()
        command = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-pdf-header-footer",
            f"--user-data-dir={folder}/profile",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"Chromium did not finish printing within {timeout:.0f} s") from None
        if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable(f"Chromium could not print the brief (exit {done.returncode}): {done.stderr[-500:]}")
