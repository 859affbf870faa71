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
