"""Regenerate ``graph/ingest/ftm/schemata.json`` from the followthemoney library (``pip install .[ftm]``).

Linkscope reads FtM files from these facts alone, so a plain install needs neither the
library nor its PyICU build. Run ``make ftm-schemata`` after upgrading followthemoney;
``tests/test_ftm_schemata.py`` compares the committed file with the installed library.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "graph" / "ingest" / "ftm" / "schemata.json"


def schema_facts() -> dict[str, Any]:
    """Every schema's ancestry, edge declaration and property types, and the country names."""
    from followthemoney import model
    from followthemoney.types import registry

    schemata: dict[str, Any] = {}
    for schema in sorted(model.schemata.values(), key=lambda s: s.name):
        properties = {}
        for name, prop in sorted(schema.properties.items()):
            kind = prop.type.name
            if kind == "entity" and prop.range is not None:
                kind = f"entity:{prop.range.name}"
            properties[name] = kind
        schemata[schema.name] = {
            "label": schema.label,
            "plural": schema.plural,
            "abstract": schema.abstract,
            "ancestors": sorted(s.name for s in schema.schemata if s.name != schema.name),
            "caption": list(schema.caption),
            "edge": (
                {
                    "source": schema.edge_source,
                    "target": schema.edge_target,
                    "label": schema.edge_label,
                    "directed": schema.edge_directed,
                }
                if schema.edge
                else None
            ),
            "properties": properties,
        }
    countries = dict(sorted(registry.country.names.items()))
    return {"followthemoney": version("followthemoney"), "countries": countries, "schemata": schemata}


def main() -> int:
    text = json.dumps(schema_facts(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is out of date; run make ftm-schemata", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
