"""The JSON Schema of a data file, generated from the pydantic models and committed.

``docs/schema/data-file.schema.json`` is this function's output; a test fails when the
committed copy is stale, and ``linkscope schema -o docs/schema/data-file.schema.json``
regenerates it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.model.datafile import DataFile

__all__ = ["SCHEMA_PATH", "data_file_schema", "data_file_schema_text"]

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "schema" / "data-file.schema.json"


def data_file_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for one curated data file."""
    schema = DataFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def data_file_schema_text() -> str:
    """The schema as committed: indented, keys in model order, newline at the end."""
    return json.dumps(data_file_schema(), indent=2, ensure_ascii=False) + "\n"
