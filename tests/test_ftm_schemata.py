"""The committed FtM schema facts match the followthemoney library they were generated from."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_facts_match_the_installed_library() -> None:
    pytest.importorskip("followthemoney", reason="the [ftm] extra is not installed (make ftm-schemata installs it)")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from ftm_schemata import TARGET, schema_facts
    finally:
        sys.path.remove(str(ROOT / "tools"))
    committed = json.loads(TARGET.read_text(encoding="utf-8"))
    assert committed == schema_facts(), "graph/ftm/schemata.json is stale: run make ftm-schemata"
