"""Every kind of defect is rejected, whole, with the file, the line and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.errors import DataError, Problem
from graph.ingest.curated import load_dataset
from tests.conftest import SOURCE, WriteData, entity, relation


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(DataError) as caught:
        load_dataset([folder])
    return caught.value.problems


def only_problem(folder: Path) -> Problem:
    problems = problems_of(folder)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_inline_dataset_loads(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("acme"), entity("pk", "country", country="PK")],
        relations=[relation("based_in", "acme", "pk")],
    )
    dataset = load_dataset([folder])
    assert set(dataset.entities) == {"acme", "pk"}


def test_malformed_yaml_names_file_and_line(write_data: WriteData) -> None:
    folder = write_data(text="entities:\n  - id: acme\n    label: [unclosed\n")
    problem = only_problem(folder)
    assert problem.file.endswith("data.yaml") and problem.line == 4
    assert "malformed YAML" in problem.message


def test_unknown_kind(write_data: WriteData) -> None:
    problem = only_problem(write_data(entities=[entity("acme", "company")]))
    assert problem.line == 7 and problem.path == "entities[0].kind"
    assert "unknown kind 'company'" in problem.message


def test_unknown_relation_type(write_data: WriteData) -> None:
    folder = write_data(entities=[entity("a"), entity("b")], relations=[relation("befriends", "a", "b")])
    problem = only_problem(folder)
    assert problem.path == "relations[0].type" and problem.line is not None
    assert "unknown relation type 'befriends'" in problem.message


def test_relation_between_kinds_its_type_forbids(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("acme"), entity("shaheen", "programme")],
        relations=[relation("sanctioned", "acme", "shaheen", date="2024-01-01", legal_basis="x", action="y")],
    )
    messages = [p.message for p in problems_of(folder)]
    assert "'sanctioned' cannot have a firm as its source ('acme'); allowed: agency, country" in messages
    assert any("cannot have a programme as its target" in m for m in messages)


def test_unknown_ids(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("acme")],
        relations=[relation("supplied", "acme", "nobody", item="x", for_programme=["ghost"])],
    )
    messages = {p.path: p.message for p in problems_of(folder)}
    assert messages["relations[0].target"] == "unknown entity id 'nobody'"
    assert messages["relations[0].for_programme"] == "unknown entity id 'ghost'"


def test_duplicate_entity_ids_across_files(write_data: WriteData) -> None:
    write_data(entities=[entity("acme")], name="a.yaml")
    folder = write_data(entities=[entity("acme")], sources=[], name="b.yaml")
    problem = only_problem(folder)
    assert problem.file.endswith("b.yaml") and problem.line == 3
    assert "duplicate entity id 'acme'" in problem.message and "a.yaml:" in problem.message


def test_duplicate_source_ids(write_data: WriteData) -> None:
    problem = only_problem(write_data(sources=[SOURCE, SOURCE], entities=[entity("acme")]))
    assert "duplicate source id 'src'" in problem.message and problem.path == "sources[1]"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"date": "2024-02-30"}, "impossible date '2024-02-30'"),
        ({"date": "2024-13"}, "impossible date '2024-13'"),
        ({"date": "20 Sept 2024"}, "not an ISO date"),
        ({"start": "2024-05-01", "end": "2023-01-01"}, "'end' 2023-01-01 is before 'start' 2024-05-01"),
        ({"date": "2024-05-01", "start": "2024-05-01"}, "give either 'date' or 'start'/'end'"),
    ],
)
def test_impossible_dates(write_data: WriteData, dates: dict[str, str], expected: str) -> None:
    folder = write_data(
        entities=[entity("acme"), entity("pk", "country")],
        relations=[relation("based_in", "acme", "pk", **dates)],
    )
    problem = only_problem(folder)
    assert expected in problem.message and problem.path.startswith("relations[0]") and problem.line


def test_bad_country_code(write_data: WriteData) -> None:
    problem = only_problem(write_data(entities=[entity("acme", country="XX")]))
    assert problem.path == "entities[0].country" and "'XX' is not an ISO 3166-1 alpha-2" in problem.message


def test_norway_is_a_country_not_a_boolean(write_data: WriteData) -> None:
    folder = write_data(
        text=f"sources: [{SOURCE}]\n"
        "entities:\n  - {id: acme, label: Acme, kind: firm, country: NO, sources: [src], confidence: press}\n"
    )
    assert load_dataset([folder]).entities["acme"].country == "NO"


@pytest.mark.parametrize("sources", [[], None])
def test_missing_sources(write_data: WriteData, sources: list[str] | None) -> None:
    bad = entity("acme")
    if sources is None:
        del bad["sources"]
    else:
        bad["sources"] = sources
    problem = only_problem(write_data(entities=[bad]))
    assert problem.path == "entities[0].sources" or problem.path == "entities[0]"
    assert "sources" in problem.message
    assert problem.line is not None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "file:///etc/passwd", "https://"])
def test_non_http_source_urls(write_data: WriteData, url: str) -> None:
    problem = only_problem(write_data(sources=[{**SOURCE, "url": url}], entities=[entity("acme")]))
    assert problem.path == "sources[0].url" and problem.line == 3


def test_inline_citation_needs_http_url_too(write_data: WriteData) -> None:
    bad = entity("acme", sources=[{"url": "javascript:alert(1)", "publisher": "X", "published": "2024"}])
    problem = only_problem(write_data(entities=[bad]))
    assert problem.path == "entities[0].sources[0].url" and "only http and https" in problem.message


def test_unknown_source_reference(write_data: WriteData) -> None:
    problem = only_problem(write_data(entities=[entity("acme", sources=["nowhere"])]))
    assert problem.path == "entities[0].sources[0]" and "unknown source 'nowhere'" in problem.message


def test_unknown_field_is_reported_not_ignored(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("acme", lable="typo"), entity("pk", "country")],
        relations=[relation("based_in", "acme", "pk", legal_basis="not for based_in")],
    )
    messages = {p.path: p.message for p in problems_of(folder)}
    assert messages["entities[0].lable"] == "unknown field 'lable'"
    assert messages["relations[0].legal_basis"].startswith("unknown field 'legal_basis' for 'based_in'")


def test_missing_required_attribute_and_date(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("state", "agency"), entity("acme")],
        relations=[relation("sanctioned", "state", "acme", legal_basis="EO 13382")],
    )
    messages = {p.path: p.message for p in problems_of(folder)}
    assert messages["relations[0].date"] == "a 'sanctioned' relation needs a 'date' (or 'start')"
    assert messages["relations[0].action"] == "a 'sanctioned' relation needs 'action'"


def test_parallel_relations_need_distinct_keys(write_data: WriteData) -> None:
    sanction = relation("sanctioned", "state", "acme", date="2024-04-19", legal_basis="x", action="y")
    folder = write_data(entities=[entity("state", "agency"), entity("acme")], relations=[sanction, sanction])
    problem = only_problem(folder)
    assert problem.path == "relations[1].key" and "already exists at" in problem.message


def test_duplicate_yaml_keys_are_reported(write_data: WriteData) -> None:
    text = (
        f"sources: [{SOURCE}]\nentities:\n  - id: acme\n    label: Acme\n    label: Acme Two\n"
        "    kind: firm\n    sources: [src]\n    confidence: press\n"
    )
    problem = only_problem(write_data(text=text))
    assert problem.line == 5 and "duplicate key 'label'" in problem.message


def test_control_and_bidi_characters_are_rejected(write_data: WriteData) -> None:
    folder = write_data(entities=[entity("acme", label="Acme\u202eevil"), entity("b", description="bell\x07")])
    assert {p.path for p in problems_of(folder)} == {"entities[0].label", "entities[1].description"}


def test_ids_must_be_slugs(write_data: WriteData) -> None:
    problem = only_problem(write_data(entities=[entity("Acme Corp")]))
    assert problem.path == "entities[0].id" and "not a lowercase slug" in problem.message


def test_every_problem_is_reported_and_nothing_is_half_loaded(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("acme", country="XX"), entity("b", "spaceship")],
        relations=[relation("befriends", "acme", "b")],
    )
    assert len(problems_of(folder)) == 3


def test_missing_path(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "absent")
    assert problem.message == "no such file or folder"


def test_cli_validate_exit_codes(write_data: WriteData) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate"])
    assert ok.exit_code == 0 and ok.output.startswith("OK:")
    folder = write_data(entities=[entity("acme", kind="spaceship")])
    bad = runner.invoke(cli, ["validate", str(folder)])
    assert bad.exit_code == 1
    assert "data.yaml:7 (entities[0].kind): unknown kind 'spaceship'" in bad.output
