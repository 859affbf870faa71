"""Names as the matcher compares them: transliterated, folded, legal forms and list boilerplate removed.

Official lists print a firm's name in their own way: upper case, ``CO., LTD`` or ``(Pvt) Ltd``,
``Xi'an`` as ``XIAN``, an acronym in brackets, further names in ``[aka ...]``, a name in
Cyrillic or Chinese script. :func:`names_of` turns one printed name into the
:class:`Name` values to compare: words in ASCII (``anyascii``; Chinese characters one
pinyin syllable each, common words read in English), lower case, legal forms and stop words
left out, each word weighed by how much it says (see :func:`weight`), plus the name's
initials and whether it is itself an acronym.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple

from anyascii import anyascii

from graph.xref.lexicon import (
    ABBREVIATIONS,
    GENERIC_WORDS,
    HAN_LEGAL_FORMS,
    HAN_WORDS,
    LEGAL_ABBREVIATIONS,
    LEGAL_PHRASES,
    PERSON_TITLES,
    STOP_WORDS,
    STRUCTURE_WORDS,
    place_words,
)

__all__ = [
    "DISTINCT_WEIGHT",
    "GENERIC_WEIGHT",
    "MAX_ACRONYM",
    "PLACE_WEIGHT",
    "SHORT_WORD",
    "SYLLABLE_WEIGHT",
    "Name",
    "Words",
    "acronym_key",
    "acronym_of",
    "fold",
    "initials_of",
    "listing",
    "names_of",
    "split_listing",
    "weight",
]

#: Weight of a word that identifies (``longde``, ``utek``, a surname).
DISTINCT_WEIGHT = 1.0
#: Weight of a word many organisations share (``technology``).
GENERIC_WEIGHT = 0.5
#: Weight of a place (``beijing``, ``pakistan``): a qualifier more than a name, and often
#: printed on one side only ("US National Security Council").
PLACE_WEIGHT = 0.3
#: Weight of one pinyin syllable read from a Chinese character (two of them make a word).
SYLLABLE_WEIGHT = 0.5
#: Words this short may be written apart or together ("Xi'an" as ``XI AN``, ``LUOLUO``).
SHORT_WORD = 4
#: A name of one word this short is treated as an acronym: an exact match is weaker evidence.
MAX_ACRONYM = 5


class Name(NamedTuple):
    """One name, ready to compare.

    ``words`` are folded (ASCII, lower case; legal forms and stop words left out) with their
    ``weights`` (``total`` is their sum); ``syllables`` marks the words read one Chinese
    character at a time. ``acronym`` is the word itself when the name is one short word
    (``mzkt``), ``initials`` the first letters of a name of three words or more (``mwtp`` for
    Minsk Wheel Tractor Plant), and ``stands_for`` the acronym printed after the name in
    brackets (``ndc`` in "National Development Complex (NDC)").
    """

    raw: str
    words: tuple[str, ...]
    weights: tuple[float, ...]
    syllables: tuple[bool, ...]
    script: str
    """``Latin``, or the script the name was transliterated from (``Cyrillic``, ``Chinese``...)."""
    legal_form: bool
    """Whether a legal form (``Co., Ltd``, ``OJSC``) was left out."""
    acronym: str
    initials: str
    stands_for: str
    total: float


# ---- list boilerplate -----------------------------------------------------------------------

_SUCCESSORS = re.compile(
    r",?\s*\band (?:all )?(?:of )?its (?:sub-?units|subsidiaries|successors|affiliates)"
    r"(?:,? (?:and )?(?:sub-?units|subsidiaries|successors|affiliates))*\.?\s*$",
    re.IGNORECASE,
)
_AKA_BRACKET = re.compile(r"\[\s*((?:[afn]\.?k\.?a\.?)\s.*?)\]", re.IGNORECASE)
_AKA = re.compile(r"(?:^|[,;])\s*[afn]\.?k\.?a\.?,?\s+", re.IGNORECASE)
_ENTITY_NOTE = re.compile(r"\((?:[^()]*\s)?entity\)", re.IGNORECASE)
_TRAILING_BRACKET = re.compile(r"^(.*\S)\s*[(\[]\s*([^()\[\]]{2,12}?)\s*[)\]]\s*$")


def split_listing(raw: str) -> list[tuple[str, str]]:
    """The names in one printed list name, each with the acronym it carries in brackets ("" if none).

    Removes "and its sub-units and successors" and notes such as "(Hong Kong Entity)", and
    splits out names given as ``[aka ...]``.

    >>> split_listing("Innovative Equipment, and its sub-units and successors")
    [('Innovative Equipment', '')]
    >>> split_listing(
    ...     "Universal Enterprise Limited [aka General Technology Limited, aka Tiger Force] (Hong Kong Entity)"
    ... )
    [('Universal Enterprise Limited', ''), ('General Technology Limited', ''), ('Tiger Force', '')]
    >>> split_listing("National Development Complex (NDC)")
    [('National Development Complex', 'NDC')]
    >>> split_listing("RACHNA SUPPLIES (PVT)")
    [('RACHNA SUPPLIES (PVT)', '')]
    """
    text = _SUCCESSORS.sub("", raw.strip())
    akas: list[str] = []
    for found in _AKA_BRACKET.finditer(text):
        akas += [a.strip(" ,;") for a in _AKA.split(found.group(1)) if a.strip(" ,;")]
    text = _ENTITY_NOTE.sub(" ", _AKA_BRACKET.sub(" ", text))
    text = " ".join(text.split())
    listed: list[tuple[str, str]] = []
    for name in [text, *akas]:
        bracket = _TRAILING_BRACKET.match(name)
        if bracket and _is_acronym_text(bracket.group(2)) and len(bracket.group(1).split()) > 1:
            listed.append((bracket.group(1).strip(" ,"), bracket.group(2)))
        elif name:
            listed.append((name, ""))
    return listed


def _is_acronym_text(text: str) -> bool:
    """Whether bracketed text is an acronym: upper case, one or two words, not a legal form,
    place or common word ("(NDC)" is; "(PVT)", "(HK)", "(GROUP)" are not)."""
    letters = [c for c in text if c.isalpha()]
    if not letters or any(c.islower() for c in letters) or len(text.split()) > 2:
        return False
    key = acronym_key(text)
    return not (
        key in LEGAL_ABBREVIATIONS
        or (key,) in LEGAL_PHRASES
        or key in GENERIC_WORDS
        or key in STRUCTURE_WORDS
        or key in place_words()
    )


# ---- folding --------------------------------------------------------------------------------

#: Apostrophes and the marks lists print for them (right and left quotes, modifier letters, accent).
_APOSTROPHES = re.compile("['`\u2019\u2018\u02bc\u02bb\u00b4]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORDS = re.compile(r"[a-z0-9]+")
_HAN_LEXICON: dict[str, list[str]] = {}
for _word in sorted(HAN_WORDS, key=len, reverse=True):
    _HAN_LEXICON.setdefault(_word[0], []).append(_word)


def _script(text: str) -> str:
    for char in text:
        if ord(char) > 0x24F and char.isalpha():
            name = unicodedata.name(char, "")
            if name.startswith("CJK"):
                return "Chinese"
            return name.split(" ")[0].title() if name else "other"
    return "Latin"


def _han_words(text: str) -> list[tuple[str, bool]]:
    """Chinese text as words: known words in English, other characters one pinyin syllable each."""
    for form in HAN_LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form):
            text = text[: -len(form)]
            break
    words: list[tuple[str, bool]] = []
    at = 0
    while at < len(text):
        known = next((w for w in _HAN_LEXICON.get(text[at], ()) if text.startswith(w, at)), None)
        if known:
            words += [(w, False) for w in HAN_WORDS[known].split()]
            at += len(known)
        else:
            words += [(w, True) for w in _WORDS.findall(anyascii(text[at]).casefold())]
            at += 1
    return words


def _fold(raw: str) -> tuple[list[str], list[bool] | None, str]:
    """``raw`` as words, which of them are pinyin syllables (None: none), and its script."""
    if raw.isascii():
        text = raw.casefold()
        return _WORDS.findall(_APOSTROPHES.sub("", text) if "'" in text or "`" in text else text), None, "Latin"
    script = _script(raw)
    if script != "Chinese":
        return _plain(raw), None, script
    pairs: list[tuple[str, bool]] = []
    at = 0
    for han in _HAN.finditer(raw):
        pairs += [(w, False) for w in _plain(raw[at : han.start()])]
        pairs += _han_words(han.group())
        at = han.end()
    pairs += [(w, False) for w in _plain(raw[at:])]
    return [w for w, _ in pairs], [s for _, s in pairs], script


def _plain(text: str) -> list[str]:
    return _WORDS.findall(_APOSTROPHES.sub("", anyascii(_APOSTROPHES.sub("", text))).casefold())


def _join_letters(words: list[str]) -> list[str]:
    """Runs of single letters become one word: ``U.S.`` is ``us``, ``M.Z.K.T.`` is ``mzkt``."""
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if run:
            joined.append("".join(run))
            run = []
        if word:
            joined.append(word)
    return joined


def _legal_index(at: int) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in LEGAL_PHRASES:  # longest first
        index.setdefault(phrase[at], []).append(phrase)
    return index


_LEGAL_LAST = _legal_index(-1)
_LEGAL_FIRST = _legal_index(0)


def _strip_legal(words: list[str], syllables: list[bool] | None) -> tuple[list[str], list[bool] | None]:
    """``words`` without legal forms: abbreviations anywhere, other forms at the start or end.

    Never all of them, and never a pinyin syllable (``ao`` is also a syllable).
    """
    if syllables is None:
        kept = words if LEGAL_ABBREVIATIONS.isdisjoint(words) else [w for w in words if w not in LEGAL_ABBREVIATIONS]
        flags: list[bool] = []
        if kept and kept[-1] not in _LEGAL_LAST and kept[0] not in _LEGAL_FIRST and kept[-1] not in STOP_WORDS:
            return kept, None
    else:
        pairs = [(w, s) for w, s in zip(words, syllables, strict=True) if s or w not in LEGAL_ABBREVIATIONS]
        kept, flags = [w for w, _ in pairs], [s for _, s in pairs]
    if not kept:
        return words, syllables
    start, end = 0, len(kept)
    changed = True
    while changed:
        changed = False
        for phrase in _LEGAL_LAST.get(kept[end - 1], ()):
            n = len(phrase)
            if end - start > n and tuple(kept[end - n : end]) == phrase and not any(flags[end - n : end]):
                end, changed = end - n, True
                break
        for phrase in _LEGAL_FIRST.get(kept[start], ()):
            n = len(phrase)
            if end - start > n and tuple(kept[start : start + n]) == phrase and not any(flags[start : start + n]):
                start, changed = start + n, True
                break
        while end - start > 1 and kept[end - 1] in STOP_WORDS:  # "... Company of" after a cut
            end, changed = end - 1, True
    return kept[start:end], (flags[start:end] if syllables is not None else None)


def weight(word: str, *, person: bool = False) -> float:
    """How much ``word`` says about identity: generic and place words count for less.

    >>> weight("longde"), weight("technology"), weight("beijing"), weight("of")
    (1.0, 0.5, 0.3, 0.0)
    """
    if word in STOP_WORDS:
        return 0.0
    if person:
        return GENERIC_WEIGHT if len(word) == 1 else DISTINCT_WEIGHT
    if word in place_words():
        return PLACE_WEIGHT
    if word in GENERIC_WORDS or (len(word) == 1 and word.isalpha()):
        return GENERIC_WEIGHT
    return DISTINCT_WEIGHT


_NO_SYLLABLES = tuple((False,) * n for n in range(64))
_ONES = (DISTINCT_WEIGHT,) * 64
_ABBREVIATED = frozenset(ABBREVIATIONS)
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


@cache
def _word_weights() -> dict[str, float]:
    """The weight of every word that does not weigh :data:`DISTINCT_WEIGHT` (see :func:`weight`)."""
    weights = dict.fromkeys("abcdefghijklmnopqrstuvwxyz", GENERIC_WEIGHT)
    weights.update(dict.fromkeys(GENERIC_WORDS, GENERIC_WEIGHT))
    weights.update(dict.fromkeys(place_words(), PLACE_WEIGHT))
    return weights


#: A name's folded words: (words, which are pinyin syllables, script, whether a legal form was removed).
Words = tuple[tuple[str, ...], tuple[bool, ...], str, bool]


def fold(raw: str, *, person: bool = False) -> Words | None:
    """The words of one name as they are compared (None when nothing is left of it).

    The one place names are folded: :func:`names_of` builds on it, and the index calls it
    directly for millions of names, so it avoids every step a name does not need.

    >>> fold("OJSC Minsk Wheel Tractor Plant")
    (('minsk', 'wheel', 'tractor', 'plant'), (False, False, False, False), 'Latin', True)
    """
    words, syllables, script = _fold(raw)
    if not person and syllables is None and not _LETTERS.isdisjoint(words):
        words = _join_letters(words)
    if not _ABBREVIATED.isdisjoint(words):
        words = [ABBREVIATIONS.get(w, w) for w in words]
    legal = False
    if person:
        while len(words) > 1 and words[0] in PERSON_TITLES:
            words = words[1:]
    else:
        before = len(words)
        words, syllables = _strip_legal(words, syllables)
        legal = len(words) < before or (syllables is not None and raw.rstrip().endswith(HAN_LEGAL_FORMS))
    if syllables is None:
        tokens = tuple(words) if STOP_WORDS.isdisjoint(words) else tuple(w for w in words if w not in STOP_WORDS)
        flags = _NO_SYLLABLES[len(tokens)] if len(tokens) < len(_NO_SYLLABLES) else (False,) * len(tokens)
    else:
        kept = [(w, s) for w, s in zip(words, syllables, strict=True) if s or w not in STOP_WORDS]
        tokens, flags = tuple(w for w, _ in kept), tuple(s for _, s in kept)
    return (tokens, flags, script, legal) if tokens else None


def acronym_of(words: tuple[str, ...], syllables: tuple[bool, ...], *, person: bool = False) -> str:
    """The word itself when a name is one short word (an acronym), else ""."""
    if len(words) == 1 and not person and not syllables[0] and 2 <= len(words[0]) <= MAX_ACRONYM:
        return "" if words[0].isdigit() else words[0]
    return ""


def initials_of(words: tuple[str, ...], syllables: tuple[bool, ...], *, person: bool = False) -> str:
    """The first letters of a name of three words or more (not of people, not of Chinese syllables)."""
    if len(words) < 3 or person or any(syllables):
        return ""
    return "".join([w[0] for w in words])


def listing(raw: str, *, person: bool = False) -> list[tuple[str, str]]:
    """:func:`split_listing`, skipped for names that cannot hold list boilerplate (most)."""
    if person or not ("(" in raw or "[" in raw or "its" in raw or "ITS" in raw or "Its" in raw):
        return [(raw.strip(), "")]
    return split_listing(raw)


def _name(raw: str, stands_for: str, person: bool) -> Name | None:
    folded = fold(raw, person=person)
    if folded is None:
        return None
    words, syllables, script, legal = folded
    ones = _ONES if len(words) <= len(_ONES) else (DISTINCT_WEIGHT,) * len(words)
    if person:  # every name counts, an initial less ("Alan F. Estevez" is "ESTEVEZ, Alan")
        weights = tuple(GENERIC_WEIGHT if len(w) == 1 else DISTINCT_WEIGHT for w in words)
    elif not any(syllables):
        weights = tuple(map(_word_weights().get, words, ones))
    else:
        weighed = _word_weights()
        weights = tuple(
            SYLLABLE_WEIGHT if s else weighed.get(w, DISTINCT_WEIGHT) for w, s in zip(words, syllables, strict=True)
        )
    return Name(
        raw,
        words,
        weights,
        syllables,
        script,
        legal,
        acronym_of(words, syllables, person=person),
        initials_of(words, syllables, person=person),
        acronym_key(stands_for),
        sum(weights),
    )


_cached_name = lru_cache(maxsize=100_000)(_name)


def acronym_key(text: str) -> str:
    """An acronym as compared: ASCII, lower case, letters and digits only (``МЗКТ`` is ``mzkt``)."""  # noqa: RUF002
    return "".join(_WORDS.findall(_APOSTROPHES.sub("", anyascii(text)).casefold())) if text else ""


def names_of(raw: str, *, person: bool = False, cache: bool = True) -> tuple[Name, ...]:
    """The names to compare for one printed name (the name itself, its ``aka`` names, its acronym).

    ``cache`` keeps recent names folded (queries meet the same list entries again).

    >>> [(n.words, n.legal_form) for n in names_of("XIAN LONGDE TECHNOLOGY DEVELOPMENT CO., LTD")]
    [(('xian', 'longde', 'technology', 'development'), True)]
    >>> [(n.words, n.acronym, n.stands_for) for n in names_of("Minskogo zavoda (MZKT)")]
    [(('minskogo', 'zavoda'), '', 'mzkt'), (('mzkt',), 'mzkt', '')]
    >>> names_of("Минский завод колёсных тягачей")[0].initials
    'mzkt'
    >>> names_of("湖北华昌达智能装备股份有限公司")[0].words
    ('hu', 'bei', 'hua', 'chang', 'da', 'intelligent', 'equipment')
    """
    make = _cached_name if cache else _name
    found: list[Name] = []
    for text, acronym in listing(raw, person=person):
        for name in (make(text, acronym, person), make(acronym, "", person) if acronym else None):
            if name is not None and name not in found:
                found.append(name)
    return tuple(found)
