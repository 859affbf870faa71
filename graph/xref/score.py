"""Scoring one curated entity against one list entry: a score in [0, 1] and the reasons for it.

The score is the best similarity of any of the entry's names to any of the curated names
(:func:`graph.xref.compare.compare`; an acronym match is dropped when both sides spell the
acronym out and the spelled-out names disagree: NDC the National Development Complex is not
NDC the National Defence College), then:

* country: agreeing adds :data:`COUNTRY_AGREES`, disagreeing takes off
  :data:`COUNTRY_DIFFERS`; a country missing on either side is neutral, and so are codes
  often listed for one another (a Chinese firm registered in Hong Kong);
* identifiers (registration number, IMO number): one in common adds
  :data:`IDENTIFIER_AGREES`; both given and none in common takes off :data:`IDENTIFIER_DIFFERS`;
* words: names that share only one or two generic words (no distinctive one) and differ by
  a word that is not a place lose :data:`GENERIC_ONLY` ("Innovative Engineering Solutions"
  is not "Engineering Solutions"); names with a different place each lose :data:`PLACES_DIFFER`;
* kinds: a person is only compared with a person, an organisation with an organisation.

Every step that moved the score is given as a short reason, the best name pair first.
:data:`DEFAULT_THRESHOLD` was chosen on the labelled pairs in ``tests/fixtures/xref``
(``python -m bench.xref`` prints precision and recall around it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from graph.model.vocabulary import Vocabulary
from graph.store import records
from graph.xref.compare import NameMatch, compare
from graph.xref.lexicon import COMPATIBLE_COUNTRIES, place_words
from graph.xref.names import Name, names_of

__all__ = [
    "ACRONYM_AGREEMENT",
    "COUNTRY_AGREES",
    "COUNTRY_DIFFERS",
    "DEFAULT_THRESHOLD",
    "GENERIC_ONLY",
    "IDENTIFIERS",
    "IDENTIFIER_AGREES",
    "IDENTIFIER_DIFFERS",
    "ORGANISATION",
    "PERSON",
    "PLACES_DIFFER",
    "Record",
    "Scored",
    "party_of",
    "record_of",
    "score_candidate",
]

#: The score from which a list entry is reported as a likely match, precision first. On the
#: labelled pairs the different entities score at most about 0.81 (a shared name with another
#: country, a look-alike with one generic word more), and a four-letter acronym with the
#: country agreeing scores 0.87: 0.85 reports no look-alike and keeps acronym matches.
DEFAULT_THRESHOLD = 0.85
COUNTRY_AGREES = 0.05
COUNTRY_DIFFERS = 0.2
IDENTIFIER_AGREES = 0.3
IDENTIFIER_DIFFERS = 0.1
GENERIC_ONLY = 0.1
PLACES_DIFFER = 0.1
#: Generic words in common from which a name is specific enough without a distinctive one.
_SPECIFIC = 3
#: How alike the names two sides spell an acronym out as must be for the acronym to count.
ACRONYM_AGREEMENT = 0.75

PERSON = "person"
ORGANISATION = "organisation"
#: Attributes holding identifiers, with how a reason names them.
IDENTIFIERS = {"registration_number": "registration number", "imo_number": "IMO number"}
_NOT_ID = re.compile(r"[^0-9A-Z]+")


def party_of(vocabulary: Vocabulary, kind: object) -> str | None:
    """``person``, ``organisation``, or None for kinds never matched (countries, places, programmes,
    vessels): what the vocabulary declares as the kind's ``party``."""
    return vocabulary.party(kind if isinstance(kind, str) else None)


@dataclass(frozen=True, slots=True)
class Record:
    """What the matcher knows of one entity: its names (each with its role), countries and identifiers."""

    id: str
    label: str
    kind: str
    party: str
    names: tuple[tuple[str, Name], ...]
    """(role, name): roles are ``label``/``alias`` for curated entities, ``name``/``alias`` for list entries."""
    countries: frozenset[str]
    identifiers: Mapping[str, frozenset[str]]
    linked: frozenset[str]
    """FtM ids already linked to this entity (``same_as``): not offered again."""


class Scored(NamedTuple):
    score: float
    reasons: list[str]


def record_of(node: str, attrs: Mapping[str, Any], vocabulary: Vocabulary) -> Record | None:
    """The record of a graph entity, or None when its kind is never matched."""
    party = party_of(vocabulary, attrs.get("kind"))
    if party is None:
        return None
    label = str(attrs.get("label") or node)
    imported = records.is_imported(attrs)
    texts = [label, *(str(a) for a in attrs.get("aliases") or () if a)]
    names: list[tuple[str, Name]] = []
    seen: set[Name] = set()
    for i, text in enumerate(dict.fromkeys(texts)):
        role = ("name" if imported else "label") if i == 0 else "alias"
        for name in names_of(text, person=party == PERSON):
            if name not in seen:
                seen.add(name)
                names.append((role, name))
    countries = {str(attrs["country"]).upper()} if attrs.get("country") else set()
    countries.update(str(c).upper() for c in attrs.get("countries") or ())
    identifiers = {field: _identifiers(attrs.get(field)) for field in IDENTIFIERS}
    linked = frozenset(str(i) for key in ("same_as", "ftm_ids") for i in attrs.get(key) or ())
    return Record(
        id=node,
        label=label,
        kind=str(attrs.get("kind")),
        party=party,
        names=tuple(names),
        countries=frozenset(countries),
        identifiers={k: v for k, v in identifiers.items() if v},
        linked=linked,
    )


def _identifiers(value: object) -> frozenset[str]:
    """Identifier values compared without spaces, punctuation or case ("IMO 9123456" is ``9123456``)."""
    if value is None:
        return frozenset()
    parts = value if isinstance(value, list | tuple) else re.split(r"[;,]", str(value))
    found = (_NOT_ID.sub("", str(p).upper()) for p in parts)
    return frozenset(v.removeprefix("IMO") for v in found if len(v) >= 4)


def score_candidate(subject: Record, candidate: Record) -> Scored:
    """How likely ``candidate`` (a list entry) is the curated ``subject``, and why.

    >>> from graph.store.build import load_graph
    >>> vocabulary = records.vocabulary(load_graph())
    >>> subject = record_of(
    ...     "x", {"label": "Granpect Co. Ltd.", "kind": "firm", "country": "CN", "sources": []}, vocabulary
    ... )
    >>> entry = record_of("y", {"label": "GRANPECT COMPANY LIMITED", "kind": "firm", "country": "CN", "ftm_file": "f"},
    ...                   vocabulary)  # fmt: skip
    >>> scored = score_candidate(subject, entry)
    >>> scored.score
    1.0
    >>> scored.reasons  # doctest: +NORMALIZE_WHITESPACE
    ['name "GRANPECT COMPANY LIMITED" = label "Granpect Co. Ltd." (1.00, after removing legal forms)',
     'country CN = CN']
    """
    if subject.party != candidate.party:
        return Scored(0.0, [f"{candidate.kind} is not comparable with {subject.kind}"])
    best, roles = _best_names(subject, candidate)
    if best.score <= 0:
        return Scored(0.0, ["no name in common"])
    (entry_role, entry_name), (subject_role, subject_name) = roles
    sign = "=" if best.score >= 1 else "~"
    reasons = [
        f'{entry_role} "{entry_name.raw}" {sign} {subject_role} "{subject_name.raw}" ({best.score:.2f}, {best.how})'
    ]
    if best.only_left:
        reasons.append("only in the list entry: " + ", ".join(best.only_left))
    if best.only_right:
        reasons.append("only in the curated name: " + ", ".join(best.only_right))
    score = best.score
    shift, said = _words_apart(best)
    score += shift
    reasons += said
    shift, said = _countries(subject.countries, candidate.countries)
    score += shift
    reasons += said
    shift, said = _identifiers_agree(subject, candidate)
    score += shift
    reasons += said
    return Scored(round(min(max(score, 0.0), 1.0), 3), reasons)


def _best_names(subject: Record, candidate: Record) -> tuple[NameMatch, tuple[tuple[str, Name], tuple[str, Name]]]:
    best = NameMatch(0.0, "")
    roles = (candidate.names[0], subject.names[0]) if candidate.names and subject.names else None
    for entry in candidate.names:
        for curated in subject.names:
            match = compare(entry[1], curated[1])
            if match.score > best.score and (not match.acronym or _acronym_holds(match.acronym, subject, candidate)):
                best, roles = match, (entry, curated)
    assert roles is not None or best.score == 0
    return best, roles if roles is not None else (("name", _EMPTY), ("label", _EMPTY))


_EMPTY = Name("", (), (), (), "Latin", False, "", "", "", 0.0)


def _acronym_holds(acronym: str, subject: Record, candidate: Record) -> bool:
    """False when both sides spell ``acronym`` out and the names they spell it out as differ."""
    ours = [n for _, n in subject.names if not n.acronym and acronym in (n.initials, n.stands_for)]
    theirs = [n for _, n in candidate.names if not n.acronym and acronym in (n.initials, n.stands_for)]
    if not ours or not theirs:
        return True
    return max(compare(a, b).score for a in theirs for b in ours) >= ACRONYM_AGREEMENT


def _words_apart(best: NameMatch) -> tuple[float, list[str]]:
    """What the words found on one side only say beyond the name score (see the module docstring)."""
    if best.acronym or best.score >= 1:
        return 0.0, []
    places = place_words()
    shift, said = 0.0, []
    ours = [w for w in best.only_right if w in places]
    theirs = [w for w in best.only_left if w in places]
    if ours and theirs:
        shift -= PLACES_DIFFER
        said.append(f"different places: {', '.join(theirs)} / {', '.join(ours)} (-{PLACES_DIFFER:.2f})")
    if not best.distinct and best.shared < _SPECIFIC and any(w not in places for w in best.only_left + best.only_right):
        shift -= GENERIC_ONLY
        said.append(f"only generic words in common (-{GENERIC_ONLY:.2f})")
    return shift, said


def _countries(ours: frozenset[str], theirs: frozenset[str]) -> tuple[float, list[str]]:
    if not ours or not theirs:
        return 0.0, ["country not given on " + ("the list entry" if ours else "the curated entity")]
    shown = f"{'/'.join(sorted(ours))} {{}} {'/'.join(sorted(theirs))}"
    if ours & theirs:
        return COUNTRY_AGREES, ["country " + shown.format("=")]
    if any(theirs & COMPATIBLE_COUNTRIES.get(code, frozenset()) for code in ours):
        return 0.0, ["country " + shown.format("~") + " (often listed for one another)"]
    return -COUNTRY_DIFFERS, ["country " + shown.format("≠") + f" (-{COUNTRY_DIFFERS:.2f})"]


def _identifiers_agree(subject: Record, candidate: Record) -> tuple[float, list[str]]:
    shift, said = 0.0, []
    for field, shown in IDENTIFIERS.items():
        ours, theirs = subject.identifiers.get(field), candidate.identifiers.get(field)
        if not ours or not theirs:
            continue
        common = ours & theirs
        if common:
            shift += IDENTIFIER_AGREES
            said.append(f"{shown} {min(common)} = {min(common)} (+{IDENTIFIER_AGREES:.2f})")
        else:
            shift -= IDENTIFIER_DIFFERS
            said.append(f"{shown} differs: {', '.join(sorted(ours))} vs {', '.join(sorted(theirs))}")
    return shift, said
