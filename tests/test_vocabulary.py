"""The vocabulary is data: kinds and relation types bring their own style and semantics.

Adding a relation type is a change to the vocabulary file alone; the explorer, the exports,
path explanations and the supply-chain query all pick it up from there.
"""

from __future__ import annotations

import tokenize
from datetime import date
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from app.explorer_page import ExplorerView, render_explorer
from app.main import create_app
from app.settings import Settings
from graph.errors import DataError
from graph.exports.gexf import generate_gexf
from graph.ingest.curated import BUNDLED_VOCABULARY, load_dataset
from graph.ingest.ftm.mapping import EDGE_RELATIONS, NODE_KINDS
from graph.ingest.ftm.schemata import ftm_model
from graph.queries.paths import find_paths
from graph.queries.supply_chain import supply_chain
from graph.store import GraphStore, records
from graph.store.build import build_graph
from tests.conftest import SOURCE, entity, relation

FINANCED = {
    "label": "financed",
    "inverse_label": "financed by",
    "description": "Paid for the recipient's purchases.",
    "source_kinds": ["firm", "agency"],
    "target_kinds": ["firm", "agency", "programme"],
    "style": {"color": "#123456", "width": 3, "dashes": [5, 2]},
    "supply_chain": True,
}


def vocabulary_with(tmp_path: Path, **relation_types: dict) -> Path:
    """A data folder whose vocabulary is the bundled one plus ``relation_types``."""
    vocabulary = yaml.safe_load(BUNDLED_VOCABULARY.read_text(encoding="utf-8"))
    vocabulary["relation_types"].update(relation_types)
    (tmp_path / "vocabulary.yaml").write_text(yaml.safe_dump(vocabulary, sort_keys=False), encoding="utf-8")
    data = {
        "sources": [SOURCE],
        "entities": [entity("bank", "agency"), entity("acme"), entity("missile", "programme")],
        "relations": [
            relation("financed", "bank", "acme", date="2024-01-02"),
            relation("supplied", "acme", "missile", item="valves"),
        ],
    }
    (tmp_path / "data.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return tmp_path


def test_a_new_relation_type_is_a_vocabulary_change_alone(tmp_path: Path) -> None:
    folder = vocabulary_with(tmp_path, financed=FINANCED)
    graph = build_graph(load_dataset([folder]))
    store = GraphStore.from_graph(graph)

    # drawn in its own style, in the explorer's legend and edges
    html = render_explorer(store, ExplorerView(view="subgraph", center=["bank"], depth=2), 50)
    assert '"name": "financed"' in html and '"#123456"' in html
    # exported in its own colour
    gexf = b"".join(generate_gexf(graph)).decode()
    assert '<viz:color r="18" g="52" b="86"/><viz:thickness value="3.0"/>' in gexf
    # read with its own words
    [path] = find_paths(graph, "bank", "missile", direction="out").paths
    assert path.hops[0]["explanation"] == "Bank financed Acme"
    # and it carries supplies, as declared
    upstream = {u["entity"]["id"]: u["roles"] for u in supply_chain(graph, "missile", as_of=date.today())["upstream"]}
    assert upstream == {"acme": ["supplied"], "bank": ["financed"]}


def test_a_relation_type_without_a_style_is_refused_at_its_line(tmp_path: Path) -> None:
    unstyled = {k: v for k, v in FINANCED.items() if k != "style"}
    with pytest.raises(DataError) as caught:
        load_dataset([vocabulary_with(tmp_path, financed=unstyled)])
    [problem] = caught.value.problems
    assert problem.file.endswith("vocabulary.yaml") and problem.line is not None
    assert problem.path == "relation_types.financed.style" and "missing required field 'style'" in problem.message


def test_every_kind_and_relation_type_of_the_bundled_vocabulary_has_a_style() -> None:
    raw = yaml.safe_load(BUNDLED_VOCABULARY.read_text(encoding="utf-8"))
    for section in ("kinds", "relation_types"):
        unstyled = [name for name, spec in raw[section].items() if "style" not in spec]
        assert unstyled == [], f"{section} without a style: {unstyled}"
    colours = [spec["style"]["color"] for spec in raw["kinds"].values()]
    assert len(set(colours)) == len(colours), "two kinds share a colour"


def test_what_the_ftm_mapping_produces_is_declared_vocabulary() -> None:
    vocabulary = records.vocabulary(build_graph(load_dataset()))
    assert set(EDGE_RELATIONS.values()) <= set(vocabulary.relation_types)
    assert set(NODE_KINDS.values()) <= set(vocabulary.kinds)
    node_schemata = {n for n, s in ftm_model().schemata.items() if not s.abstract and not s.edge and n != "Sanction"}
    assert node_schemata == set(NODE_KINDS), "every FtM node schema maps to a declared kind"


def test_semantics_come_from_the_vocabulary_not_from_names_in_code() -> None:
    """No module decides by a relation's or kind's name what only the vocabulary should say
    (string literals naming them; docstrings and OpenAPI examples may)."""
    root = Path(__file__).resolve().parents[1]
    names = {"supplied", "develops", "part_of", "programme", "firm", "institute", "place", "shaheen-3"}
    # the FtM mappings name what they map; the matcher's lexicon holds words of names ("inst." is "institute")
    allowed = {"graph/ingest/ftm/mapping.py", "graph/exports/ftm.py", "graph/xref/lexicon.py"}
    offenders = []
    for path in [*root.glob("graph/**/*.py"), *root.glob("app/**/*.py")]:
        relative = path.relative_to(root).as_posix()
        with path.open("rb") as fh:
            for token in tokenize.tokenize(fh.readline):
                literal = token.string.strip("\"'")
                if token.type == tokenize.STRING and literal in names and "examples=" not in token.line:
                    offenders.append(f"{relative}:{token.start[0]} {token.string}")
    assert [o for o in offenders if o.split(":")[0] not in allowed] == []


def test_the_default_view_is_the_vocabularys() -> None:
    with TestClient(create_app(Settings())) as client:
        page = client.get("/").text
    view = yaml.safe_load(BUNDLED_VOCABULARY.read_text(encoding="utf-8"))["defaults"]["view"]
    assert f'"center": ["{view["center"]}"]' in page and f'"view": "{view["view"]}"' in page
