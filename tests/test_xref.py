"""The cross-reference matcher (graph.xref): names as lists print them, scores, the index, end to end."""

# ruff: noqa: RUF001 - names in Cyrillic script and curly apostrophes are what these tests are about

from __future__ import annotations

import doctest
import random
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pytest

from graph.errors import BadQuery, UnknownEntity
from graph.ingest.dataset import Dataset
from graph.ingest.ftm import load_ftm
from graph.store import records
from graph.store.build import build_graph, load_graph
from graph.xref import DEFAULT_THRESHOLD, XrefIndex, curated_subjects, xref
from graph.xref import compare as compare_module
from graph.xref import index as index_module
from graph.xref import names as names_module
from graph.xref import score as score_module
from graph.xref.evaluate import load_pairs, measure, score_pairs
from graph.xref.index import MAX_CANDIDATES, blocking_keys, text_keys
from graph.xref.names import names_of
from graph.xref.score import Record, Scored, record_of, score_candidate

PAIRS = Path(__file__).resolve().parent / "fixtures" / "xref" / "pairs.yaml"
VOCABULARY = records.vocabulary(load_graph())


# ---- helpers --------------------------------------------------------------------------------


def curated(label: str, *aliases: str, kind: str = "firm", country: str | None = None, **attrs: Any) -> Record:
    """A curated entity's record, as the graph would hold it."""
    data: dict[str, Any] = {"label": label, "kind": kind, "aliases": list(aliases), "sources": [], **attrs}
    if country:
        data["country"] = country
    record = record_of("subject", data, VOCABULARY)
    assert record is not None
    return record


def listed(name: str, *aliases: str, kind: str = "firm", country: str | None = None, **attrs: Any) -> Record:
    """A list entry's record, as the FtM loader would leave it."""
    data: dict[str, Any] = {"label": name, "kind": kind, "ftm_file": "list.ftm.json", "ftm_line": 1, **attrs}
    if aliases:
        data["aliases"] = list(aliases)
    if country:
        data["country"] = country
    record = record_of("entry", data, VOCABULARY)
    assert record is not None
    return record


def ftm(entity_id: str, schema: str, **props: Any) -> dict[str, Any]:
    """One FtM entity; keyword values become one-value lists unless already lists."""
    properties = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
    return {"id": entity_id, "schema": schema, "properties": properties, "datasets": ["test_list"]}


def write_ftm(path: Path, *entities: dict[str, Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in entities))
    return path


MZKT = curated("Minsk Wheel Tractor Plant", "MZKT", country="BY")
LONGDE = curated(
    "Xi'an Longde Technology Development Company Limited",
    "Lontek",
    "Xi'an Longde Technology Development Co Ltd",
    country="CN",
)


# ---- the labelled set ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def labelled(bundled: nx.MultiDiGraph) -> list[Any]:
    return score_pairs(bundled, load_pairs(PAIRS))


def test_labelled_pairs_are_well_formed(bundled: nx.MultiDiGraph) -> None:
    pairs = load_pairs(PAIRS)
    assert len(pairs) >= 200
    for number, pair in enumerate(pairs, start=1):
        assert pair["curated_id"] in records.entities(bundled), f"pair {number}: unknown {pair['curated_id']}"
        assert isinstance(pair["same"], bool) and pair["list_name"] and pair["origin"], f"pair {number}"
        assert pair["origin"] == "constructed" or pair["origin"].startswith(("http", "github-code-index:"))
    assert {p["same"] for p in pairs} == {True, False}


def test_precision_on_the_labelled_pairs_at_the_default_threshold(labelled: list[Any]) -> None:
    result = measure(labelled, DEFAULT_THRESHOLD)
    wrong = [
        f"{s.score:.3f} {s.pair['curated_id']} ~ {s.pair['list_name']!r}"
        for s in labelled
        if s.score >= DEFAULT_THRESHOLD and not s.same
    ]
    assert result.precision >= 0.95, f"{result}; false positives: {wrong}"
    # precision alone is met by reporting nothing: the matcher must still find most pairs
    assert result.recall >= 0.70, str(result)


def test_scores_are_in_range_and_explained(labelled: list[Any]) -> None:
    for one in labelled:
        assert 0.0 <= one.score <= 1.0
        assert one.reasons and all(isinstance(r, str) and r for r in one.reasons)


# ---- names as lists print them -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "XIAN LONGDE TECHNOLOGY DEVELOPMENT CO., LTD",
        "Xi’an Longde Technology Development Company Limited",
        "XI AN LONGDE TECHNOLOGY DEVELOPMENT COMPANY LIMITED",
        "xian longde technology development co ltd",
    ],
)
def test_case_punctuation_apostrophes_and_legal_forms_do_not_matter(name: str) -> None:
    scored = score_candidate(LONGDE, listed(name, country="CN"))
    assert scored.score >= 0.95, scored
    assert scored.reasons[0].startswith(f'name "{name}" = ')


def test_legal_forms_are_named_in_the_reason() -> None:
    scored = score_candidate(curated("Granpect Co. Ltd.", country="CN"), listed("GRANPECT COMPANY LIMITED"))
    assert "after removing legal forms" in scored.reasons[0]
    for form in ("OJSC", "Open Joint Stock Company", "JSC", "PJSC", "OAO"):
        assert score_candidate(MZKT, listed(f"{form} Minsk Wheel Tractor Plant", country="BY")).score == 1.0
    akhtar = curated("Akhtar and Sons Private Limited", "Akhtar & Sons", country="PK")
    for name in ("AKHTAR & SONS (PVT) LTD", "Akhtar and Sons (Private) Limited", "Akhtar & Sons Pvt. Ltd."):
        assert score_candidate(akhtar, listed(name, country="PK")).score == 1.0


def test_a_cyrillic_name_matches_its_acronym_alias() -> None:
    scored = score_candidate(MZKT, listed("Минский завод колёсных тягачей", country="BY"))
    assert scored.score >= DEFAULT_THRESHOLD, scored
    assert "initials MZKT" in scored.reasons[0] and "transliterated from Cyrillic" in scored.reasons[0]
    # an acronym in Cyrillic, in brackets after an inflected name
    assert score_candidate(MZKT, listed("Минского завода колёсных тягачей (МЗКТ)", country="BY")).score >= (
        DEFAULT_THRESHOLD
    )
    # another Minsk plant: other initials
    assert score_candidate(MZKT, listed("Минский тракторный завод", country="BY")).score < DEFAULT_THRESHOLD


def test_a_chinese_name_matches_its_pinyin_spelling() -> None:
    huachangda = curated("Hubei Huachangda Intelligent Equipment Company", country="CN")
    scored = score_candidate(huachangda, listed("湖北华昌达智能装备股份有限公司", country="CN"))
    assert scored.score >= DEFAULT_THRESHOLD, scored
    assert "transliterated from Chinese" in scored.reasons[0]
    pinyin = score_candidate(LONGDE, listed("西安龙德科技发展有限公司", country="CN"))
    assert pinyin.score >= DEFAULT_THRESHOLD, pinyin
    assert "pinyin: long de = longde" in pinyin.reasons[0]
    joined = score_candidate(
        curated("Beijing Luo Luo Technology Development Co Ltd", country="CN"),
        listed("BEIJING LUOLUO TECHNOLOGY DEVELOPMENT CO., LTD.", country="CN"),
    )
    assert joined.score >= DEFAULT_THRESHOLD and "joined: luo luo = luoluo" in joined.reasons[0]


def test_word_order_does_not_matter() -> None:
    luo = curated("Luo Dongmei", "Steed Luo", kind="person", country="CN")
    for name in ("LUO, Dongmei", "Dongmei Luo", "LUO Steed", "罗冬梅"):
        assert score_candidate(luo, listed(name, kind="person", country="CN")).score == 1.0
    estevez = curated("Alan F. Estevez", kind="person", country="US")
    assert score_candidate(estevez, listed("ESTEVEZ, Alan", kind="person")).score >= DEFAULT_THRESHOLD
    assert score_candidate(estevez, listed("ESTEVEZ, Alan G.", kind="person")).score < DEFAULT_THRESHOLD
    reordered = score_candidate(
        curated("Beijing Research Institute of Automation for Machine-Building Industry", country="CN"),
        listed("Research Institute of Automation for Machine-Building Industry, Beijing", country="CN"),
    )
    assert reordered.score >= 0.95 and "words in another order" in reordered.reasons[0]


def test_an_acronym_on_either_side_counts_as_a_name() -> None:
    scored = score_candidate(MZKT, listed("MZKT", country="BY"))
    assert scored.score >= DEFAULT_THRESHOLD and "same acronym" in scored.reasons[0]
    # the list's acronym is the initials of the curated name
    initials = score_candidate(MZKT, listed("OJSC MWTP", country="BY"))
    assert initials.score >= DEFAULT_THRESHOLD and "initials MWTP" in initials.reasons[0]
    # an alias on the list side only
    assert score_candidate(curated("Lontek Ltd", country="CN"), listed("Unrelated Name", "LONTEK")).score == 1.0


def test_an_acronym_spelled_out_differently_is_not_a_match() -> None:
    ndc = curated("National Development Complex", "NDC", "National Defense Complex", kind="agency", country="PK")
    college = score_candidate(ndc, listed("National Defence College", "NDC", country="PK"))
    assert college.score < DEFAULT_THRESHOLD, college
    bis = curated("Bureau of Industry and Security", "BIS", kind="agency", country="US")
    assert score_candidate(bis, listed("Bank for International Settlements", "BIS", country="CH")).score < 0.5


def test_short_acronyms_alone_stay_below_the_threshold() -> None:
    utek = curated("Changzhou Utek Composite Company Ltd", country="CN")
    assert score_candidate(utek, listed("CUC", country="CN")).score < DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("subject", "entry"),
    [
        (curated("General Technology Limited", country="CN"),
         listed("China General Technology (Group) Holding Co., Ltd.", "GENERTEC", country="CN")),
        (curated("General Technology Limited", country="CN"),
         listed("General Technology Group Co., Ltd.", country="CN")),
        (LONGDE, listed("Xi'an LONGi Technology Development Co., Ltd.", country="CN")),
        (LONGDE, listed("Xi'an LONGi Silicon Materials Corporation", country="CN")),
        (MZKT, listed("Minsk Tractor Works", "MTZ", "Minski Traktorny Zavod", country="BY")),
        (MZKT, listed("Minsk Automobile Plant (MAZ)", country="BY")),
        (MZKT, listed("Open Joint Stock Company Belarusian Automobile Plant (BelAZ)", country="BY")),
        (MZKT, listed("Minsk Wheel Tractor Plant Service LLC", country="RU")),
        (curated("National Engineering and Scientific Commission", "NESCOM", kind="agency", country="PK"),
         listed("National Engineering Services Pakistan (Pvt) Limited", "NESPAK", country="PK")),
        (curated("Changzhou Utek Composite Company Ltd", country="CN"),
         listed("Changzhou Utec Composites Technology Co., Ltd.", country="CN")),
        (curated("Engineering Solutions Pvt. Ltd.", country="PK"),
         listed("Innovative Engineering Solutions", country="PK")),
        (curated("Tianjin Alpha Trading Co Ltd", country="CN"), listed("Shanghai Alpha Trading Co Ltd", country="CN")),
    ],
)  # fmt: skip
def test_look_alikes_stay_below_the_threshold(subject: Record, entry: Record) -> None:
    scored = score_candidate(subject, entry)
    assert scored.score < DEFAULT_THRESHOLD, scored


def test_a_different_distinctive_word_is_named() -> None:
    scored = score_candidate(LONGDE, listed("Xi'an LONGi Technology Development Co., Ltd.", country="CN"))
    assert "only in the list entry: longi" in scored.reasons
    assert "only in the curated name: longde" in scored.reasons


def test_list_boilerplate_and_aka_names_are_read() -> None:
    csl = (
        "Universal Enterprise Limited [aka General Technology Limited, aka Beijing Luo Luo Tech Development "
        "Limited] (Hong Kong Entity), and its sub-units and successors"
    )
    scored = score_candidate(curated("General Technology Limited", country="CN"), listed(csl, country="HK"))
    assert scored.score >= DEFAULT_THRESHOLD, scored
    assert scored.reasons[0].startswith('name "General Technology Limited" = label')
    innovative = score_candidate(
        curated("Innovative Equipment", country="PK"), listed("Innovative Equipment, and its sub-units and successors")
    )
    assert innovative.score == 1.0


# ---- kinds, countries, identifiers ---------------------------------------------------------------


def test_a_person_never_matches_an_organisation() -> None:
    person = curated("Luo Dongmei", kind="person", country="CN")
    assert score_candidate(person, listed("Luo Dongmei", country="CN")).score == 0.0
    assert score_candidate(curated("Luo Dongmei", country="CN"), listed("Luo Dongmei", kind="person")).score == 0.0
    assert record_of("p", {"label": "Pakistan", "kind": "country"}, VOCABULARY) is None
    assert record_of("v", {"label": "Ocean Star", "kind": "vessel", "ftm_file": "f"}, VOCABULARY) is None


def test_country_agreement_raises_and_disagreement_lowers_the_score() -> None:
    subject = curated("Global Traders", country="PK")
    same = score_candidate(subject, listed("GLOBAL TRADERS", country="PK"))
    unknown = score_candidate(subject, listed("GLOBAL TRADERS"))
    other = score_candidate(subject, listed("GLOBAL TRADERS", country="AE"))
    assert same.score > other.score and unknown.score > other.score
    assert other.score < DEFAULT_THRESHOLD, other
    assert "country PK = PK" in same.reasons
    assert "country not given on the list entry" in unknown.reasons
    assert any(r.startswith("country PK ≠ AE") for r in other.reasons)


def test_hong_kong_and_china_are_compatible() -> None:
    subject = curated("General Technology Limited", country="CN")
    hong_kong = score_candidate(subject, listed("GENERAL TECHNOLOGY LIMITED", country="HK"))
    missing = score_candidate(subject, listed("GENERAL TECHNOLOGY LIMITED"))
    assert hong_kong.score == missing.score >= DEFAULT_THRESHOLD
    assert any("often listed for one another" in r for r in hong_kong.reasons)
    # several countries on the entry: one agreeing is enough
    several = score_candidate(subject, listed("GENERAL TECHNOLOGY LIMITED", country="US", countries=("US", "CN")))
    assert any(r.startswith("country CN = CN/US") for r in several.reasons)


def test_identifiers_in_common_raise_the_score_and_different_ones_lower_it() -> None:
    subject = curated("Granpect Co. Ltd.", registration_number="2676701")
    weak = listed("Granpect Trading", country="CN")
    shared = listed("Granpect Trading", country="CN", registration_number="2676701; 91-1200")
    other = listed("Granpect Trading", country="CN", registration_number="99887766")
    base, up, down = (score_candidate(subject, e) for e in (weak, shared, other))
    assert up.score > base.score > down.score
    assert any(r.startswith("registration number 2676701 = 2676701") for r in up.reasons)
    assert any(r.startswith("registration number differs") for r in down.reasons)
    imo = score_candidate(
        curated("Ocean Shipping Co", imo_number="IMO 9123456"), listed("OCEAN SHIPPING", imo_number="9123456")
    )
    assert any(r.startswith("IMO number 9123456") for r in imo.reasons)


# ---- the index and the graph ----------------------------------------------------------------------


@pytest.fixture
def loaded(bundled_dataset: Dataset, tmp_path: Path) -> nx.MultiDiGraph:
    """The bundled graph with a small list file loaded beside it."""
    graph = build_graph(bundled_dataset)
    path = write_ftm(
        tmp_path / "list.ftm.json",
        ftm("ofac-longde", "Company", name="XIAN LONGDE TECHNOLOGY DEVELOPMENT CO., LTD", alias="LONTEK", country="cn"),
        ftm("ofac-longi", "Company", name="Xi'an LONGi Technology Development Co., Ltd.", country="cn"),
        ftm("ofac-genertec", "Company", name="China General Technology (Group) Holding Co., Ltd.", country="cn"),
        ftm("ofac-45716", "Company", name="GENERAL TECHNOLOGY LIMITED", country="hk", registrationNumber="2676701"),
        ftm("ofac-gt-person", "Person", name="General Technology Limited"),
        ftm("ofac-luo", "Person", name="LUO, Dongmei", alias="LUO, Steed", country="cn"),
        ftm("ofac-mzkt", "Company", name="Минский завод колёсных тягачей", country="by"),
        ftm("ofac-mtz", "Company", name="Minsk Tractor Works", alias="MTZ", country="by"),
    )
    load_ftm(graph, [path])
    return graph


def test_xref_finds_the_listed_firm_and_not_its_look_alike(loaded: nx.MultiDiGraph) -> None:
    results = {r["id"]: r for r in xref(loaded, ["xian-longde", "general-technology", "mzkt", "luo-dongmei"])}
    assert [c["ftm_id"] for c in results["xian-longde"]["candidates"]] == ["ofac-longde"]
    assert [c["ftm_id"] for c in results["general-technology"]["candidates"]] == ["ofac-45716"]
    assert [c["ftm_id"] for c in results["mzkt"]["candidates"]] == ["ofac-mzkt"]
    assert [c["ftm_id"] for c in results["luo-dongmei"]["candidates"]] == ["ofac-luo"]
    found = results["xian-longde"]["candidates"][0]
    assert found["label"] == "XIAN LONGDE TECHNOLOGY DEVELOPMENT CO., LTD"
    assert found["score"] >= DEFAULT_THRESHOLD and found["reasons"]
    assert results["xian-longde"]["label"] == records.label(loaded, "xian-longde")


def test_xref_of_every_curated_entity_matches_kinds_with_kinds(loaded: nx.MultiDiGraph) -> None:
    results = xref(loaded)
    assert [r["id"] for r in results] == curated_subjects(loaded)
    entities = records.entities(loaded)
    for result in results:
        ours = entities[result["id"]]["kind"] == "person"
        for candidate in result["candidates"]:
            assert (entities[candidate["ftm_id"]]["kind"] == "person") == ours
            assert records.is_imported(entities[candidate["ftm_id"]])
    kinds = {entities[r["id"]]["kind"] for r in results}
    assert kinds <= {"firm", "agency", "institute", "person"}


def test_candidates_come_best_first_with_reasons(loaded: nx.MultiDiGraph) -> None:
    index = XrefIndex.build(loaded)
    result = index.matches(loaded, "general-technology", threshold=0.3, limit=10)
    scores = [c["score"] for c in result["candidates"]]
    assert len(scores) >= 2 and scores == sorted(scores, reverse=True)
    assert result["candidates"][0]["ftm_id"] == "ofac-45716"
    for candidate in result["candidates"]:
        assert candidate["reasons"][0].startswith(('name "', 'alias "'))
        assert candidate["ftm_id"] != "ofac-gt-person"  # a person is never a firm's candidate
    assert len(index.matches(loaded, "general-technology", threshold=0.3, limit=1)["candidates"]) == 1


def test_matches_checks_what_it_is_asked(loaded: nx.MultiDiGraph) -> None:
    index = XrefIndex.build(loaded)
    with pytest.raises(UnknownEntity):
        index.matches(loaded, "no-such-entity")
    with pytest.raises(BadQuery, match="of kind 'country'"):
        index.matches(loaded, "pk")
    with pytest.raises(BadQuery, match="a list entry"):
        index.matches(loaded, "ofac-longde")
    with pytest.raises(BadQuery, match="threshold"):
        index.matches(loaded, "mzkt", threshold=1.5)
    with pytest.raises(BadQuery, match="limit"):
        index.matches(loaded, "mzkt", limit=0)


def _unrelated_graph(bundled_dataset: Dataset, size: int) -> nx.MultiDiGraph:
    """The bundled graph beside ``size`` list entries named from syllables (none of them a curated entity)."""
    rng = random.Random(11)
    syllables = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su", "da", "ri", "go", "mu", "le", "fa")
    generic = ("Trading", "Technology", "Industrial", "Engineering", "International", "Holding", "Services")
    graph = build_graph(bundled_dataset)
    for n in range(size):
        words = ["".join(rng.choice(syllables) for _ in range(3)).title() for _ in range(rng.randint(1, 2))]
        person = n % 4 == 0
        label = " ".join(words + ([] if person else [rng.choice(generic), rng.choice(("Co., Ltd.", "LLC", "JSC"))]))
        records.add_entity(
            graph,
            f"syn-{n}",
            {"label": label, "kind": "person" if person else "firm", "ftm_id": f"syn-{n}", "ftm_file": "syn",
             "ftm_line": n + 1, "country": rng.choice(("CN", "RU", "PK", "BY"))},
        )  # fmt: skip
    records.add_entity(
        graph,
        "listed-mzkt",
        {"label": "OJSC MINSK WHEEL TRACTOR PLANT", "kind": "firm", "ftm_id": "listed-mzkt", "ftm_file": "syn",
         "ftm_line": size + 1, "country": "BY"},
    )  # fmt: skip
    return graph


def test_the_index_scores_only_candidates_that_share_a_key(
    bundled_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 5000
    graph = _unrelated_graph(bundled_dataset, size)
    index = XrefIndex.build(graph)
    assert len(index) == size + 1
    calls: list[str] = []

    def counting(subject: Record, candidate: Record) -> Scored:
        calls.append(candidate.id)
        return score_candidate(subject, candidate)

    monkeypatch.setattr(index_module, "score_candidate", counting)
    result = index.matches(graph, "mzkt")
    assert [c["ftm_id"] for c in result["candidates"]] == ["listed-mzkt"]
    assert "listed-mzkt" in calls
    assert len(calls) < size // 20, f"{len(calls)} of {size} entries scored"
    for node in curated_subjects(graph):
        subject = record_of(node, records.entity_attrs(graph, node), records.vocabulary(graph))
        assert subject is not None
        assert len(index.candidates(subject)) <= MAX_CANDIDATES
    assert len(index.candidates(subject, cap=10)) <= 10


def test_the_index_files_a_name_under_the_keys_a_query_looks_up(bundled: nx.MultiDiGraph) -> None:
    texts = [t for p in load_pairs(PAIRS) for t in [p["list_name"], *(p.get("list_aliases") or ())]]
    texts += [str(records.entity_attrs(bundled, n)["label"]) for n in curated_subjects(bundled)]
    for text in texts:
        for person in (False, True):
            expected = set().union(*(blocking_keys(n) for n in names_of(text, person=person)))
            assert text_keys(text, person=person) == expected, text


def test_the_index_finds_a_name_spelt_differently(bundled_dataset: Dataset) -> None:
    graph = _unrelated_graph(bundled_dataset, 500)
    records.add_entity(
        graph,
        "typo",
        {"label": "GRANPEKT CO., LTD.", "kind": "firm", "ftm_id": "typo", "ftm_file": "syn", "ftm_line": 1,
         "country": "CN"},
    )  # fmt: skip
    result = XrefIndex.build(graph).matches(graph, "granpect")
    assert [c["ftm_id"] for c in result["candidates"]] == ["typo"]
    assert "spelling: granpekt ~ granpect" in result["candidates"][0]["reasons"][0]


# ---- the modules' own examples ----------------------------------------------------------------


@pytest.mark.parametrize("module", [names_module, compare_module, score_module, index_module], ids=lambda m: m.__name__)
def test_docstring_examples(module: Any) -> None:
    """The examples in the modules' docstrings (the full suite also collects them with --doctest-modules)."""
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert attempted and not failed
