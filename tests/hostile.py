"""Hostile data: script payloads, bidi overrides, control characters, huge strings and
``javascript:`` URLs in every field, as curated YAML and as an FtM file."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

__all__ = ["CONTROLS", "HUGE", "PAYLOADS", "P", "hostile_data", "hostile_ftm"]

PAYLOADS = [
    "<img src=x onerror=alert('img')>",
    "</script><script>alert('script')</script>",
    '"><svg onload=alert("svg")>',
    "{{7*7}} ${alert('template')}",
    "javascript:alert('text')",
]
P = " ".join(PAYLOADS)


def hostile_data(folder: Path) -> Path:
    """A curated data folder with every payload in every text field."""
    source = {
        "id": "evil",
        "url": "https://example.org/report?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "type": "press",
        "publisher": "Publisher " + P,
        "title": "Title " + P,
        "published": "2024-01-02",
        "note": "Note " + P,
    }
    cite = [{"ref": "evil", "quote": "Quote " + P}]

    def entity(id: str, kind: str, **extra: object) -> dict:
        return {"id": id, "label": f"{kind} {P}", "kind": kind, "aliases": [f"Alias {P}"], "description": f"About {P}",
                "note": f"Note {P}", "sources": cite, "confidence": "press", **extra}  # fmt: skip

    common = {"status": "alleged", "confidence": "press", "sources": cite, "note": "Note " + P, "claimed_by": "By " + P}
    data = {
        "sources": [source],
        "entities": [
            entity("authority", "agency"),
            entity("supplier", "firm", attributes={"remark": "Remark " + P}),
            entity("body", "agency"),
            entity("missile", "programme"),
            entity("spokesman", "person"),
        ],
        "relations": [
            {"type": "sanctioned", "source": "authority", "target": "supplier", "date": "2024-03-04",
             "legal_basis": "Basis " + P, "action": "Action " + P, "reason": "Reason " + P,
             "measure": "eo13382-blocking", "document": "Document " + P,
             "document_url": "https://example.org/doc?q=%3Cscript%3Ealert(1)%3C/script%3E", **common},
            {"type": "supplied", "source": "supplier", "target": "body", "item": "Item " + P,
             "end_use": "Use " + P, "for_programme": ["missile"], **common},
            {"type": "develops", "source": "body", "target": "missile", **common},
            {"type": "official_of", "source": "spokesman", "target": "body", "role": "Role " + P, **common},
            {"type": "responded_to", "source": "spokesman", "target": "authority", "date": "2024-03-05",
             "quote": "Said " + P, "paraphrase": "Reportedly " + P, "regarding": "Regarding " + P, **common},
        ],
    }  # fmt: skip
    (folder / "hostile.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


#: Right-to-left override, a C0 and a C1 control, and a zero-width joiner: rejected in
#: curated text (validation), removed from imported text.
CONTROLS = "\u202e\x07\x85\u2066"
HUGE = "A" * 200_000


def hostile_ftm(path: Path) -> Path:
    """An FtM file with every payload in every field the mapping reads, and more."""
    text = f"{P} {CONTROLS}"
    js = "javascript:alert('ftm')"

    def line(entity_id: str, schema: str, **props: object) -> str:
        properties = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
        entity = {"id": entity_id, "schema": schema, "caption": f"Caption {text}", "properties": properties}
        return json.dumps({**entity, "datasets": [f"dataset {P}"], "first_seen": "2024-01", "last_seen": "2026"})

    lines = [
        line("ftm-evil-co", "Company", name=[f"Company {text}", HUGE], alias=text, notes=HUGE, country="ru",
             topics=[text], registrationNumber=text, sourceUrl=[js, "https://example.org/ok?<script>"]),
        line("ftm-evil-person", "Person", name=f"Person {text}", position=text, nationality="ru", sourceUrl=js),
        line("ftm-evil-own", "Ownership", owner="ftm-evil-person", asset="ftm-evil-co", role=text,
             percentage=text, summary=HUGE, sourceUrl=js),
        line("ftm-evil-sanction", "Sanction", entity="ftm-evil-co", authority=f"Authority {text}",
             program=text, reason=HUGE, provisions=[text], sourceUrl=js, startDate="2024-05-06"),
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
