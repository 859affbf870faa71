"""How alike two names are: a weighted match of their words, or of an acronym, with how it matched.

Two names score by the words they share, each word weighed by what it says (a distinctive
word 1, a generic word 0.5, a place 0.3, see :func:`graph.xref.names.weight`): twice the
weight matched over the weight of both names (a weighted Dice coefficient). Words match
exactly, joined (``xi an`` and ``xian``, pinyin syllables and the word lists write), by
their stem (``wheeled`` and ``wheel``) or by spelling (``rapidfuzz``'s ``fuzz.ratio`` of
at least :data:`SPELLING_MIN`, for words of five letters or more; shorter words must be
equal: ``utek`` is not ``utec``). Word order does not matter. So a word found on one side
only costs the more the more distinctive it is: "Xi'an Longi Technology Development" and
"Xi'an Longde Technology Development" share only their generic words and a place.

A name that is one short word (:data:`~graph.xref.names.MAX_ACRONYM` letters or fewer) is
taken as an acronym: it matches the same acronym or the initials of a longer name, and
scores no more than :func:`acronym_strength` (three letters say less than five).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from graph.xref.lexicon import SUFFIXES
from graph.xref.names import DISTINCT_WEIGHT, SHORT_WORD, Name

__all__ = ["SPELLING_MIN", "STEM_CREDIT", "NameMatch", "acronym_strength", "compare"]

#: ``fuzz.ratio`` (0-100) two long words need to count as one word spelt differently.
SPELLING_MIN = 85.0
#: Credit for two words with one stem (``enterprises``, ``enterprise``): almost a match.
STEM_CREDIT = 0.92
_ACRONYM_STRENGTH = {2: 0.6, 3: 0.75, 4: 0.82, 5: 0.88}
_LONG = 5


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The similarity of two names in [0, 1], how they matched, and the words found on one side only.

    ``acronym`` is the acronym the match rests on ("" for a match of words); ``distinct``
    whether a distinctive word (not a generic or place word) is among those matched, and
    ``shared`` how many words (or joined runs) matched.
    """

    score: float
    how: str
    only_left: tuple[str, ...] = ()
    only_right: tuple[str, ...] = ()
    acronym: str = ""
    distinct: bool = True
    shared: int = 0


NO_MATCH = NameMatch(0.0, "")


def acronym_strength(acronym: str) -> float:
    """The most an acronym match can score: short acronyms are shared by many organisations.

    >>> acronym_strength("cuc"), acronym_strength("mzkt"), acronym_strength("riamb")
    (0.75, 0.82, 0.88)
    """
    return _ACRONYM_STRENGTH.get(len(acronym), 0.0 if len(acronym) < 2 else max(_ACRONYM_STRENGTH.values()))


def compare(left: Name, right: Name) -> NameMatch:
    """How alike ``left`` and ``right`` are.

    >>> from graph.xref.names import names_of
    >>> def one(text: str) -> Name:
    ...     return names_of(text)[0]
    >>> match = compare(
    ...     one("XIAN LONGDE TECHNOLOGY DEVELOPMENT CO., LTD"), one("Xi'an Longde Technology Development Co Ltd")
    ... )
    >>> match.score, match.how
    (1.0, 'after removing legal forms')
    >>> match = compare(
    ...     one("Xi'an Longi Technology Development Co., Ltd."), one("Xi'an Longde Technology Development Co Ltd")
    ... )
    >>> round(match.score, 2), match.only_left, match.only_right
    (0.57, ('longi',), ('longde',))
    >>> compare(one("MWTP"), one("Minsk Wheel Tractor Plant")).how
    'initials MWTP'
    """
    if left.acronym or right.acronym:
        return _acronyms(left, right)
    if left.words == right.words:
        distinct = max(left.weights + right.weights) >= DISTINCT_WEIGHT
        return NameMatch(1.0, _how(left, right, []), distinct=distinct, shared=len(left.words))
    return _words(left, right)


def _acronyms(left: Name, right: Name) -> NameMatch:
    if left.acronym and right.acronym:
        if left.acronym != right.acronym:
            return NO_MATCH
        return NameMatch(acronym_strength(left.acronym), _how(left, right, ["same acronym"]), acronym=left.acronym)
    short, long = (left, right) if left.acronym else (right, left)
    if long.initials != short.acronym:
        return NO_MATCH
    notes = [f"initials {short.acronym.upper()}", *(_scripts(left, right))]
    return NameMatch(acronym_strength(short.acronym), ", ".join(notes), acronym=short.acronym)


def _words(left: Name, right: Name) -> NameMatch:
    """The weighted Dice coefficient of the two names' words (see the module docstring)."""
    free_l, free_r = set(range(len(left.words))), set(range(len(right.words)))
    pairs: list[tuple[int, int]] = []
    notes: list[str] = []
    matched = 0.0
    # equal words
    where: dict[str, list[int]] = {}
    for j, word in enumerate(right.words):
        where.setdefault(word, []).append(j)
    for i, word in enumerate(left.words):
        if where.get(word):
            j = where[word].pop(0)
            free_l.discard(i)
            free_r.discard(j)
            pairs.append((i, j))
            matched += left.weights[i] + right.weights[j]
    # words written apart on one side ("xi an", pinyin syllables) and together on the other
    for runs, singles, run_free, single_free, flip in ((left, right, free_l, free_r, False),
                                                       (right, left, free_r, free_l, True)):  # fmt: skip
        joined = _join(runs, singles, run_free, single_free)
        for run, single in joined:
            matched += sum(runs.weights[k] for k in run) + singles.weights[single]
            pairs.append((single, run[0]) if flip else (run[0], single))
            way = "pinyin" if runs.syllables[run[0]] else "joined"
            notes.append(f"{way}: {' '.join(runs.words[k] for k in run)} = {singles.words[single]}")
    # the same word spelt or inflected differently
    for i, j, credit in _spellings(left, right, free_l, free_r):
        free_l.discard(i)
        free_r.discard(j)
        pairs.append((i, j))
        matched += credit * (left.weights[i] + right.weights[j])
        notes.append(f"spelling: {left.words[i]} ~ {right.words[j]}")
    total = left.total + right.total
    score = matched / total if total else 0.0
    if len(pairs) > 1 and [j for _, j in sorted(pairs)] != sorted(j for _, j in pairs):
        notes.append("words in another order")
    matched_l = set(range(len(left.words))) - free_l
    matched_r = set(range(len(right.words))) - free_r
    return NameMatch(
        min(score, 1.0),
        _how(left, right, notes),
        tuple(left.words[i] for i in sorted(free_l) if left.weights[i] > 0),
        tuple(right.words[j] for j in sorted(free_r) if right.weights[j] > 0),
        distinct=any(left.weights[i] >= DISTINCT_WEIGHT for i in matched_l)
        or any(right.weights[j] >= DISTINCT_WEIGHT for j in matched_r),
        shared=len(pairs),
    )


def _join(runs: Name, singles: Name, run_free: set[int], single_free: set[int]) -> list[tuple[list[int], int]]:
    """Runs of 2-4 consecutive unmatched short words (or pinyin syllables) of ``runs`` that make one
    unmatched word of ``singles``: ``xi an`` and ``xian``, ``hua chang da`` and ``huachangda``."""
    found: list[tuple[list[int], int]] = []
    short = {k for k in run_free if runs.syllables[k] or len(runs.words[k]) <= SHORT_WORD}
    if not single_free or len(short) < 2:
        return found
    wanted: dict[str, list[int]] = {}
    for j in sorted(single_free):
        wanted.setdefault(singles.words[j], []).append(j)
    for size in (4, 3, 2):
        start = 0
        while start + size <= len(runs.words):
            run = list(range(start, start + size))
            if all(k in short for k in run):
                hits = wanted.get("".join([runs.words[k] for k in run]))
                if hits:
                    single = hits.pop(0)
                    found.append((run, single))
                    short.difference_update(run)
                    run_free.difference_update(run)
                    single_free.discard(single)
                    start += size
                    continue
            start += 1
    return found


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    """``word`` without an inflectional ending (``wheeled``: ``wheel``; ``zavoda``: ``zavod``)."""
    if len(word) > _LONG:
        for suffix in SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _spellings(left: Name, right: Name, free_l: set[int], free_r: set[int]) -> list[tuple[int, int, float]]:
    """One-to-one pairs of unmatched long words that are one word inflected or spelt differently, best first."""
    lefts = [(i, left.words[i]) for i in sorted(free_l) if len(left.words[i]) >= _LONG and not left.syllables[i]]
    rights = [(j, right.words[j]) for j in sorted(free_r) if len(right.words[j]) >= _LONG and not right.syllables[j]]
    if not lefts or not rights:
        return []
    options: list[tuple[float, int, int]] = []
    stems = {j: _stem(word) for j, word in rights}
    for i, word in lefts:
        stem = _stem(word)
        for j, other in rights:
            credit = fuzz.ratio(word, other, score_cutoff=SPELLING_MIN) / 100
            if stem == stems[j]:
                credit = max(credit, STEM_CREDIT)
            if credit:
                options.append((credit, i, j))
    chosen: list[tuple[int, int, float]] = []
    used_l: set[int] = set()
    used_r: set[int] = set()
    for credit, i, j in sorted(options, reverse=True):
        if i not in used_l and j not in used_r:
            used_l.add(i)
            used_r.add(j)
            chosen.append((i, j, credit))
    return chosen


def _scripts(left: Name, right: Name) -> list[str]:
    return [f"transliterated from {n.script}" for n in dict.fromkeys((left, right)) if n.script != "Latin"][:1]


def _how(left: Name, right: Name, notes: list[str]) -> str:
    """A short account of what it took to match: legal forms removed, transliteration, joins, spellings."""
    said: list[str] = []
    if left.raw == right.raw:
        return ", ".join(["exact", *notes])
    if left.legal_form or right.legal_form:
        said.append("after removing legal forms")
    said += _scripts(left, right)
    said += notes
    if not said:
        if left.raw.casefold() == right.raw.casefold():
            said.append("same ignoring case")
        elif left.words == right.words:
            said.append("same ignoring case and punctuation")
        else:
            said.append("words in common")
    return ", ".join(said)
