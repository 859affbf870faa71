"""Deterministic OpenSanctions-shaped FollowTheMoney files for benchmarks and tests.

``write_ftm(path, entities)`` writes about ``entities`` JSON lines in the shape of
OpenSanctions' ``entities.ftm.json``: companies, people, public bodies and organisations,
sanctions from a few dozen authorities with programmes and dates, ownerships whose owners
are chosen preferentially (a few holding companies own thousands), directorships and
unknown links. Every line has ``id``, ``schema``, ``properties`` (lists of strings),
``caption``, ``datasets``, ``referents``, ``first_seen`` and ``last_seen``.

    python -m bench.ftm_synthetic 100000 /tmp/entities.ftm.json
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import orjson

COUNTRIES = ("ru", "cn", "us", "ir", "kp", "by", "pk", "ae", "tr", "gb", "de", "in", "sy", "ve", "cy", "hk", "sg", "ua")
AUTHORITIES = (
    ("Office of Foreign Assets Control", "us", "us_ofac_sdn"),
    ("Bureau of Industry and Security", "us", "us_bis_entity_list"),
    ("Department of State", "us", "us_state_nonproliferation"),
    ("Council of the European Union", "eu", "eu_fsf"),
    ("Office of Financial Sanctions Implementation", "gb", "gb_hmt_sanctions"),
    ("United Nations Security Council", "", "un_sc_sanctions"),
    ("Global Affairs Canada", "ca", "ca_dfatd_sema_sanctions"),
    ("Department of Foreign Affairs and Trade", "au", "au_dfat_sanctions"),
    ("State Secretariat for Economic Affairs", "ch", "ch_seco_sanctions"),
    ("Ministry of Finance", "jp", "jp_mof_sanctions"),
)
PROGRAMS = ("NPWMD", "UKRAINE-EO13662", "RUSSIA-EO14024", "IRAN", "DPRK3", "SDGT", "CAATSA - RUSSIA", "BELARUS-EO14038")
ROLES = ("Director", "Chairman", "General Director", "Secretary", "Board member", "Founder")
WORDS = ("Aero", "Tech", "Trade", "Global", "Nord", "Pacific", "Delta", "Star", "Machine", "Precision", "Energy",
         "Systems", "Orient", "Silk", "Baltic", "Caspian", "Atlas", "Vector", "Horizon", "Polar")  # fmt: skip
SUFFIXES = ("LLC", "Ltd", "JSC", "Co., Ltd.", "GmbH", "FZE", "Trading", "Holding")
FIRST = ("Ivan", "Li", "Ahmed", "Maria", "Wei", "Olga", "Hassan", "Sergei", "Fatima", "Chen", "Anna", "Omar")
LAST = ("Petrov", "Zhang", "Khan", "Ivanova", "Wang", "Rahimi", "Smirnov", "Liu", "Haddad", "Kim", "Volkov")


def _date(rng: random.Random, start: int = 2008, end: int = 2026) -> str:
    return f"{rng.randrange(start, end)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def _line(entity_id: str, schema: str, properties: dict[str, list[str]], datasets: list[str], caption: str) -> bytes:
    return orjson.dumps(
        {
            "id": entity_id,
            "caption": caption,
            "schema": schema,
            "properties": properties,
            "referents": [f"src-{entity_id}"],
            "datasets": datasets,
            "first_seen": "2022-03-01T00:00:00",
            "last_seen": "2026-11-01T00:00:00",
            "target": schema != "Sanction",
        }
    )


def write_ftm(path: Path, entities: int, seed: int = 11) -> dict[str, int]:
    """Write about ``entities`` lines to ``path``; returns the count per schema."""
    rng = random.Random(seed)
    nodes = max(int(entities * 0.55), 10)
    counts: dict[str, int] = {}
    node_ids: list[str] = []
    with open(path, "wb") as fh:

        def emit(entity_id: str, schema: str, props: dict[str, list[str]], datasets: list[str]) -> None:
            caption = (props.get("name") or props.get("program") or [entity_id])[0]
            fh.write(_line(entity_id, schema, props, datasets, caption) + b"\n")
            counts[schema] = counts.get(schema, 0) + 1

        for i in range(nodes):
            entity_id = f"NK-{i:07d}"
            node_ids.append(entity_id)
            country = COUNTRIES[min(int(rng.paretovariate(0.9)) - 1, len(COUNTRIES) - 1)]
            dataset = rng.choice(AUTHORITIES)[2]
            roll = rng.random()
            if roll < 0.6:
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)} {i}"
                props = {"name": [name], "country": [country], "incorporationDate": [_date(rng, 1990)],
                         "registrationNumber": [str(rng.randrange(10**9, 10**10))]}  # fmt: skip
                if rng.random() < 0.2:
                    props["alias"] = [name.upper().replace(" ", "")]
                emit(entity_id, "Company", props, [dataset])
            elif roll < 0.95:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
                props = {"name": [name], "country": [country], "nationality": [country],
                         "birthDate": [_date(rng, 1940, 2000)], "gender": [rng.choice(("male", "female"))]}  # fmt: skip
                emit(entity_id, "Person", props, [dataset])
            elif roll < 0.98:
                emit(entity_id, "PublicBody", {"name": [f"Ministry of {rng.choice(WORDS)} {i}"],
                                               "country": [country]}, [dataset])  # fmt: skip
            else:
                props = {"name": [f"{rng.choice(WORDS)} Institute {i}"], "country": [country]}
                emit(entity_id, "Organization", {**props, "topics": ["role.oligarch"]}, [dataset])
        remaining = max(entities - nodes, 0)
        for j in range(remaining):
            roll = rng.random()
            a = rng.choice(node_ids)
            if roll < 0.4:
                authority, country, dataset = rng.choice(AUTHORITIES)
                props = {"entity": [a], "authority": [authority], "program": [rng.choice(PROGRAMS)],
                         "startDate": [_date(rng)], "listingDate": [_date(rng)],
                         "reason": ["Operating in the defence and related materiel sector"],
                         "provisions": ["Asset freeze"],
                         "sourceUrl": [f"https://sanctions.example.org/{j}"]}  # fmt: skip
                if country:
                    props["country"] = [country]
                if rng.random() < 0.05:
                    props["endDate"] = [_date(rng, 2020)]
                emit(f"{dataset}-s-{j}", "Sanction", props, [dataset])
                continue
            # preferential: a few holding companies own or link to very many
            b = (
                node_ids[min(int(rng.paretovariate(1.1)) - 1, len(node_ids) - 1)]
                if rng.random() < 0.3
                else rng.choice(node_ids)
            )
            if a == b:
                continue
            dataset = rng.choice(AUTHORITIES)[2]
            if roll < 0.7:
                props = {
                    "owner": [b],
                    "asset": [a],
                    "percentage": [str(rng.randrange(1, 101))],
                    "startDate": [_date(rng)],
                }
                emit(f"own-{j}", "Ownership", props, [dataset])
            elif roll < 0.9:
                props = {
                    "director": [a],
                    "organization": [b],
                    "role": [rng.choice(ROLES)],
                    "startDate": [_date(rng, 2000)],
                }
                emit(f"dir-{j}", "Directorship", props, [dataset])
            else:
                emit(
                    f"link-{j}",
                    "UnknownLink",
                    {"subject": [a], "object": [b], "role": ["associated entity"]},
                    [dataset],
                )
    return counts


if __name__ == "__main__":
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    target = Path(sys.argv[2] if len(sys.argv) > 2 else f"/tmp/linkscope-{total}.ftm.json")
    print(write_ftm(target, total), target)
