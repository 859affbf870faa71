"""The committed JSON Schema matches the models, and the bundled files satisfy it."""

from __future__ import annotations

import json

import pytest
import yaml

from graph.ingest.curated import BUNDLED_DATA
from graph.ingest.json_schema import SCHEMA_PATH, data_file_schema, data_file_schema_text
from graph.ingest.yamlfile import _Loader


def test_committed_schema_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == data_file_schema_text(), (
        "docs/schema/data-file.schema.json is stale: run `linkscope schema -o docs/schema/data-file.schema.json`"
    )


@pytest.mark.parametrize("path", sorted(BUNDLED_DATA.rglob("*.yaml")), ids=lambda p: p.name)
def test_bundled_files_satisfy_the_json_schema(path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    jsonschema.validate(json.loads(json.dumps(data)), data_file_schema())


def test_schema_rejects_what_the_loader_rejects() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    bad = {"entities": [{"id": "Not A Slug", "label": "x", "kind": "firm", "sources": [], "confidence": "Sure!"}]}
    errors = list(jsonschema.Draft202012Validator(data_file_schema()).iter_errors(bad))
    assert len(errors) >= 3
