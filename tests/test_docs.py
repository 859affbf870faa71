"""The README documents every setting, and nothing that is not one."""

from __future__ import annotations

import re
from pathlib import Path

from app.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_settings_table_matches_the_settings_class() -> None:
    documented = set(re.findall(r"^\| `(LINKSCOPE_[A-Z_]+)` \|", README.read_text(encoding="utf-8"), re.MULTILINE))
    declared = {f"LINKSCOPE_{name.upper()}" for name in Settings.model_fields}
    assert documented == declared


def test_readme_quickstart_has_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quickstart = text.split("## Quickstart", 1)[1].split("##", 1)[0]
    assert "make run" in quickstart and "make test" in quickstart


DOCS = README.parent / "docs"


def table_rows(text: str, header: str) -> list[list[str]]:
    """The rows of the markdown table whose header row starts with ``header``, as cells."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_ftm_doc_edge_table_is_the_mapping() -> None:
    from graph.ingest.ftm.mapping import EDGE_RELATIONS
    from graph.ingest.ftm.schemata import ftm_model
    from graph.store import records
    from graph.store.build import load_graph

    vocabulary = records.vocabulary(load_graph())
    rows = table_rows((DOCS / "ftm.md").read_text(encoding="utf-8"), "| FtM schema | source → target |")
    documented = {}
    for schema, ends, relation, read_as in rows:
        documented[schema] = relation.strip("`")
        edge = ftm_model().schemata[schema].edge
        assert edge is not None and ends == f"{edge.source} → {edge.target}", schema
        spec = vocabulary.relation_types[relation.strip("`")]
        expected = f"{spec.label} / {spec.inverse_label}" if spec.directed else f"{spec.label} (undirected)"
        assert read_as == expected, schema
    assert documented == EDGE_RELATIONS


def test_ftm_doc_node_table_is_the_mapping() -> None:
    from graph.ingest.ftm.mapping import NODE_KINDS

    rows = table_rows((DOCS / "ftm.md").read_text(encoding="utf-8"), "| FtM schema | kind |")
    documented = {}
    for schemata, kind in rows:
        if schemata.startswith("any other"):
            continue
        first_kind = kind.split("`")[1]
        documented.update(dict.fromkeys((s.strip() for s in schemata.split(",")), first_kind))
    assert documented == NODE_KINDS


def test_exports_doc_lists_every_format_and_the_ftm_schemata() -> None:
    from graph.exports import EXPORT_FORMATS
    from graph.exports.ftm import NODE_SCHEMATA

    text = (DOCS / "exports.md").read_text(encoding="utf-8")
    formats = [row[0].strip("`") for row in table_rows(text, "| format |")]
    assert formats == list(EXPORT_FORMATS)
    documented = {}
    for left, right in table_rows(text, "| Linkscope | FtM |"):
        if left.startswith("`") or left.startswith("everything"):
            continue  # relations, not kinds
        kinds = [k.strip() for k in left.split(",")]
        schemata = [s.strip() for s in right.split("(")[0].split(",")]
        documented.update(zip(kinds, schemata, strict=True))
    assert documented == NODE_SCHEMATA
