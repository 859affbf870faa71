"""The OpenAPI schema, completed with the loaded vocabulary.

Relation types and kinds are data, so their allowed values are only known once the graph
is loaded; they are added to the schema as enums on first request of /openapi.json.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

from fastapi import FastAPI

__all__ = ["install_vocabulary_openapi"]

# query parameter -> the part of the vocabulary holding its allowed values
_VOCABULARY_PARAMETERS = {
    "relation": "relation_types",
    "relations": "relation_types",
    "kind": "kinds",
    "kinds": "kinds",
}


def install_vocabulary_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` list the relation types and kinds of the graph being served as enums
    (worked out again after a reload)."""
    base = app.openapi
    cached: list[tuple[weakref.ref[Any], dict[str, Any]]] = []  # (the store it was made for, the schema)

    def openapi() -> dict[str, Any]:
        live = getattr(app.state, "live", None)
        if live is None:
            return base()
        store = live.store
        if not cached or cached[0][0]() is not store:
            schema = copy.deepcopy(base())
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    for parameter in operation.get("parameters", []):
                        source = _VOCABULARY_PARAMETERS.get(parameter.get("name", ""))
                        if source and parameter.get("in") == "query":
                            _add_enum(parameter["schema"], sorted(getattr(store.vocabulary, source)))
            cached[:] = [(weakref.ref(store), schema)]
        return cached[0][1]

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
