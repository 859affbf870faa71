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
    assert problem.line == 8 and problem.path == "entities[0].kind"
    assert "unknown kind 'company'" in problem.message


def test_unknown_relation_type(write_data: WriteData) -> None:
    folder = write_data(entities=[entity("a"), entity("b")], relations=[relation("befriends", "a", "b")])
    problem = only_problem(folder)
    assert problem.path == "relations[0].type" and problem.line is not None
    assert "unknown relation type 'befriends'" in problem.message


def test_relation_between_kinds_its_type_forbids(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("acme"), entity("shaheen", "programme")],
        relations=[
            relation("sanctioned", "acme", "shaheen", date="2024-01-01", legal_basis="x", measure="eo13382-blocking")
        ],
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
    assert messages["relations[0].measure"] == "a 'sanctioned' relation needs 'measure'"


def test_parallel_relations_need_distinct_keys(write_data: WriteData) -> None:
    sanction = relation("sanctioned", "state", "acme", date="2024-04-19", legal_basis="x", measure="eo13382-blocking")
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
    assert "data.yaml:8 (entities[0].kind): unknown kind 'spaceship'" in bad.output


# --- evidence: source types, confidence, measures, inferences -----------------------------

WIRE_A = {**SOURCE, "id": "wire-a", "type": "wire", "publisher": "Outlet A"}
WIRE_B = {**SOURCE, "id": "wire-b", "type": "wire", "publisher": "Outlet B"}
FORUM = {**SOURCE, "id": "forum", "type": "weak", "publisher": "A forum"}


def test_a_source_type_must_be_declared(write_data: WriteData) -> None:
    problem = only_problem(write_data(entities=[entity("acme")], sources=[{**SOURCE, "type": "rumour"}]))
    assert problem.path == "sources[0].type" and "unknown source type 'rumour'" in problem.message


def test_confidence_must_follow_from_the_sources(write_data: WriteData) -> None:
    claimed = entity("acme", confidence="primary")
    problem = only_problem(write_data(entities=[claimed]))
    assert problem.path == "entities[0].confidence" and problem.line is not None
    assert "needs a source of type primary or official-mirror" in problem.message
    assert "they support 'press'" in problem.message


def test_press_quoting_primary_needs_two_outlets_printing_the_words(write_data: WriteData, tmp_path: Path) -> None:
    one = entity("acme", confidence="press-quoting-primary", sources=["wire-a"])
    problem = only_problem(write_data(entities=[one], sources=[WIRE_A, WIRE_B]))
    assert "needs 2 sources from different publishers" in problem.message
    two = entity("acme", confidence="press-quoting-primary", sources=["wire-a", "wire-b"])
    assert load_dataset([write_data(entities=[two], sources=[WIRE_A, WIRE_B])]).entities["acme"]


def test_a_forum_supports_only_weak(write_data: WriteData) -> None:
    problem = only_problem(write_data(entities=[entity("acme", sources=["forum"])], sources=[FORUM]))
    assert "cited: A forum (weak)" in problem.message and "they support 'weak'" in problem.message
    assert load_dataset([write_data(entities=[entity("acme", sources=["forum"], confidence="weak")], sources=[FORUM])])


def sanction(**extra: object) -> dict:
    return relation("sanctioned", "state", "acme", legal_basis="x", measure="eo13382-blocking", **extra)


def test_a_measure_must_be_declared(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("state", "agency"), entity("acme")],
        relations=[{**sanction(start="2024-01-02"), "measure": "ban"}],
    )
    problem = only_problem(folder)
    assert problem.path == "relations[0].measure" and "unknown measure 'ban'" in problem.message


def test_a_statutory_end_is_the_start_plus_the_term(write_data: WriteData) -> None:
    missile = {**sanction(start="2024-09-12", end="2026-09-13", end_basis="statutory"), "measure": "missile-sanctions"}
    problem = only_problem(write_data(entities=[entity("state", "agency"), entity("acme")], relations=[missile]))
    assert problem.path == "relations[0].end" and "2026-09-12, not 2026-09-13" in problem.message
    blocking = sanction(start="2024-09-12", end="2026-09-12", end_basis="statutory")
    problem = only_problem(write_data(entities=[entity("state", "agency"), entity("acme")], relations=[blocking]))
    assert "a statutory end needs a 'measure' whose vocabulary entry declares a term" in problem.message


def test_an_end_basis_needs_an_end(write_data: WriteData) -> None:
    folder = write_data(
        entities=[entity("state", "agency"), entity("acme")],
        relations=[sanction(start="2024-01-02", end_basis="observed")],
    )
    assert "'end_basis' says how an 'end' is known" in only_problem(folder).message


def test_an_inference_gives_its_reasoning_and_is_nobodys_claim(write_data: WriteData) -> None:
    entities = [entity("acme"), entity("missile", "programme")]
    bare = relation("develops", "acme", "missile", status="inferred")
    problem = only_problem(write_data(entities=entities, relations=[bare]))
    assert problem.path == "relations[0].reasoning" and "says how it was derived" in problem.message
    attributed = {**bare, "reasoning": "from the statement", "claimed_by": "US Department of State"}
    problem = only_problem(write_data(entities=entities, relations=[attributed]))
    assert problem.path == "relations[0].claimed_by" and "the curator's, not a claim by" in problem.message
    reasoned_claim = relation("develops", "acme", "missile", reasoning="because")
    problem = only_problem(write_data(entities=entities, relations=[reasoned_claim]))
    assert "'reasoning' belongs to inferred relations" in problem.message
    ok = {**bare, "reasoning": "from the statement"}
    assert load_dataset([write_data(entities=entities, relations=[ok])]).relations[0].status == "inferred"
