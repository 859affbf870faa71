"""The cross-reference as people use it: `linkscope xref`, `--write`, and /api/entities/{id}/matches."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from app.cli import cli
from app.main import create_app
from app.settings import Settings
from graph.errors import DataError
from graph.ingest.curated import BUNDLED_DATA, load_dataset
from graph.store import GraphStore
from graph.store import store as store_module
from tests.conftest import WriteData, entity


def ftm(entity_id: str, schema: str, **props: Any) -> dict[str, Any]:
    properties = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
    return {"id": entity_id, "schema": schema, "properties": properties, "datasets": ["us_ofac_sdn"]}


@pytest.fixture
def list_file(tmp_path: Path) -> Path:
    """A list spelling curated entities the way official lists do, beside look-alikes."""
    lines = [
        ftm("NK-longde", "Company", name="XIAN LONGDE TECHNOLOGY DEVELOPMENT CO., LTD", alias="LONTEK", country="cn"),
        ftm("NK-mzkt", "Company", name="OJSC MINSK WHEEL TRACTOR PLANT", alias="MZKT", country="by"),
        ftm("NK-longi", "Company", name="XI'AN LONGI SILICON MATERIALS CORP.", country="cn"),
        ftm("NK-mtz", "Company", name="MINSK TRACTOR WORKS", alias="MTZ", country="by"),
        ftm("NK-luo", "Person", name="LUO, Dongmei", alias="LUO, Steed", country="cn"),
    ]
    path = tmp_path / "list.ftm.json"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_xref_finds_the_list_entries_of_curated_entities_with_reasons(list_file: Path) -> None:
    code, out, _ = run("xref", "--ftm", str(list_file), "--json")
    assert code == 0
    results = {r["id"]: r for r in json.loads(out)}
    assert [c["ftm_id"] for c in results["xian-longde"]["candidates"]] == ["NK-longde"]
    assert [c["ftm_id"] for c in results["mzkt"]["candidates"]] == ["NK-mzkt"]
    assert [c["ftm_id"] for c in results["luo-dongmei"]["candidates"]] == ["NK-luo"]
    best = results["xian-longde"]["candidates"][0]
    assert set(best) == {"ftm_id", "label", "score", "reasons"} and 0 <= best["score"] <= 1 and best["reasons"]
    quiet = {c["ftm_id"] for r in results.values() for c in r["candidates"]}
    assert not {"NK-longi", "NK-mtz"} & quiet  # the look-alikes stay below the threshold


def test_xref_text_output_and_one_entity(list_file: Path) -> None:
    code, out, err = run("xref", "--ftm", str(list_file), "--id", "mzkt")
    assert code == 0 and "Minsk Wheel Tractor Plant (mzkt)" in out and "NK-mzkt" in out
    assert "1 of 1 curated entities have a candidate" in err
    code, _, err = run("xref", "--ftm", str(list_file), "--id", "shaheen-3")
    assert code == 2 and "cross-referenced" in err  # a programme is not matched against lists
    code, _, err = run("xref")
    assert code == 2 and "--ftm" in err


def test_xref_write_adds_same_as_as_a_reviewable_change(list_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, data)
    before = (data / "entities" / "suppliers.yaml").read_text(encoding="utf-8")
    code, _, err = run("xref", "--data", str(data), "--ftm", str(list_file), "--id", "xian-longde", "--write")
    assert code == 0 and "+    same_as: [NK-longde]" in err  # the diff is shown
    after = (data / "entities" / "suppliers.yaml").read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["    same_as: [NK-longde]"]  # one line: the curator's layout and comments stay
    assert load_dataset([data]).entities["xian-longde"].same_as == ["NK-longde"]
    store = GraphStore.load([data], ftm=[list_file])  # the list entry now merges into the curated one
    assert "NK-longde" not in store.graph and store.graph.nodes["xian-longde"]["ftm_ids"] == ["NK-longde"]
    code, _, err = run("xref", "--data", str(data), "--ftm", str(list_file), "--id", "xian-longde", "--write")
    assert code == 0 and "nothing written" in err


def test_an_ftm_id_merges_into_one_curated_entity(write_data: WriteData) -> None:
    folder = write_data(entities=[entity("a", same_as=["NK-1"]), entity("b", same_as=["NK-1"])])
    with pytest.raises(DataError, match="'NK-1' is already in the same_as of 'a'"):
        load_dataset([folder])


@pytest.fixture
def client(list_file: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(ftm=[list_file]))) as c:
        yield c


def test_api_matches(client: TestClient) -> None:
    body = client.get("/api/entities/xian-longde/matches").json()
    assert body["id"] == "xian-longde" and [c["ftm_id"] for c in body["candidates"]] == ["NK-longde"]
    assert client.get("/api/entities/nobody/matches").status_code == 404
    programme = client.get("/api/entities/shaheen-3/matches")
    assert programme.status_code == 400 and programme.json()["error"]["code"] == "bad_query"
    assert client.get("/api/entities/mzkt/matches", params={"threshold": 2}).status_code == 422


def test_a_large_index_is_built_in_the_background(list_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "XREF_BACKGROUND_FROM", 0)
    with TestClient(create_app(Settings(ftm=[list_file]))) as c:
        first = c.get("/api/entities/mzkt/matches")
        if first.status_code == 503:  # the build may already be done on a fast machine
            assert first.json()["error"]["code"] == "not_ready" and int(first.headers["Retry-After"]) > 0
            store = c.app.state.live.store  # type: ignore[attr-defined]
            assert store._xref_building is not None
            store._xref_building.join(timeout=60)
        assert c.get("/api/entities/mzkt/matches").json()["candidates"][0]["ftm_id"] == "NK-mzkt"


def test_unresolved_references_and_strict_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "slice.ftm.json"
    path.write_bytes(orjson.dumps(ftm("co", "Company", name="Slice LLC", addressEntity="addr-9")) + b"\n")
    code, out, _ = run("validate", "--ftm", str(path))
    assert code == 0 and "1 references to entities no loaded file holds" in out and "not loaded:" in out
    code, _, err = run("validate", "--ftm", str(path), "--strict")
    assert code == 1 and "refers to 'addr-9' (addressEntity)" in err
    stats = json.loads(run("stats", "--ftm", str(path), "--json")[1])
    assert stats["ftm"]["unresolved"] == {"addressEntity": 1}


def test_status_reports_unresolved_references(tmp_path: Path) -> None:
    path = tmp_path / "slice.ftm.json"
    path.write_bytes(orjson.dumps(ftm("co", "Company", name="Slice LLC", parent="NK-parent")) + b"\n")
    with TestClient(create_app(Settings(ftm=[path]))) as c:
        status = c.get("/api/status").json()
        detail = c.get("/api/entities/co").json()["entity"]
    assert status["ftm"]["unresolved"] == {"parent": 1} and status["ftm"]["unresolved_examples"]
    assert detail["unresolved"] == [{"property": "parent", "target": "NK-parent"}]
    assert yaml.safe_dump(detail)  # plain data
