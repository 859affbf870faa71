"""The OpenAPI schema, completed with the loaded vocabulary.

Relation types and kinds are data, so their allowed values are only known once the graph
is loaded; they are added to the schema as enums on first request of /openapi.json.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

__all__ = ["install_vocabulary_openapi"]

# query parameter -> key of graph.graph holding its allowed values
_VOCABULARY_PARAMETERS = {
    "relation": "relation_types",
    "relations": "relation_types",
    "kind": "kinds",
    "kinds": "kinds",
}


def install_vocabulary_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` list the loaded relation types and kinds as enums."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        schema = base()
        store = getattr(app.state, "store", None)
        if store is None or schema.get("x-vocabulary-loaded"):
            return schema
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for parameter in operation.get("parameters", []):
                    source = _VOCABULARY_PARAMETERS.get(parameter.get("name", ""))
                    if source and parameter.get("in") == "query":
                        _add_enum(parameter["schema"], sorted(store.graph.graph.get(source, {})))
        schema["x-vocabulary-loaded"] = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_enum(schema: dict[str, Any], values: list[str]) -> None:
    """Put ``enum`` on every string schema inside ``schema`` (also inside arrays and anyOf)."""
    if schema.get("type") == "string":
        schema["enum"] = values
        schema.pop("maxLength", None)
    for key in ("items",):
        if isinstance(schema.get(key), dict):
            _add_enum(schema[key], values)
    for option in schema.get("anyOf", []):
        _add_enum(option, values)
