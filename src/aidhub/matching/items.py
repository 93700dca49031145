"""Finding the catalog item a consignor's line means, by code or by name (en, ar, ru).

Consignors write the same goods many ways: 'Wheat Flour 50kg', 'wheat flour, 50 kg bag',
'دقيق القمح ٥٠ كغ'. Texts are normalised (case, accents, punctuation, units, Arabic letter
forms) and compared word by word with rapidfuzz; numbers must agree exactly, since
'25 kg' and '50 kg' are different items.

A candidate scoring at least :data:`AUTO_ACCEPT` may be taken without asking (see
:func:`accepted`); one scoring at least :data:`SUGGEST` is shown for the user to confirm;
anything lower is not offered at all.
"""

import enum
import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from aidhub.domain.catalog import Item

AUTO_ACCEPT = 95.0
"""Safe to take without asking: the code (or barcode) is the item's, or, for a name, the
whole name is the same once normalised."""

SUGGEST = 70.0
"""Worth showing to the user for confirmation; below this a line stays unidentified."""

_EXACT_NAME = 95.0  # the whole normalised name is the same
_MAX_SIMILAR = 90.0  # anything merely similar has to be confirmed
_SAME_CODE_SPELLING = 96.0  # the code differs only in case, spaces or punctuation
_NUMBER_MISMATCH = 20.0  # taken off when the numbers in two names differ
_CODE_NUMBER_MISMATCH = 30.0  # and when those in two codes do (RICE-25KG, RICE-50KG)


class Reason(enum.StrEnum):
    """Why a catalog item is a candidate."""

    EXACT_CODE = "exact code"
    GTIN = "barcode (GTIN)"
    CODE_SIMILAR = "code similar"
    NAME_EN = "name similar (en)"
    NAME_AR = "name similar (ar)"
    NAME_RU = "name similar (ru)"


@dataclass(frozen=True)
class Candidate:
    """A catalog item a line may mean, with a score from 0 to 100 and the reason."""

    item: Item
    score: float
    reason: Reason


def match_item(code: str | None, description: str | None, catalog: Sequence[Item], *,
               limit: int = 5) -> list[Candidate]:
    """The items of ``catalog`` the line (code and/or description) may mean, best first:
    at most ``limit``, each scoring at least :data:`SUGGEST`, one per item."""
    code = (code or "").strip().upper()
    query = _words(description or "")
    names = [[(_words(name), reason) for name, reason in ((item.name_en, Reason.NAME_EN),
                                                          (item.name_ar, Reason.NAME_AR),
                                                          (item.name_ru, Reason.NAME_RU))
              if name] for item in catalog] if query else [[] for _ in catalog]
    similar = _similar_words(query, {w for n in names for words, _ in n for w in words})
    hits = {w for w in query if _weight(w) == 1.0} | _pairs(query)
    hits.update(w for found in similar.values() for w in found)
    found: list[Candidate] = []
    for item, item_names in zip(catalog, names, strict=True):
        best: tuple[float, Reason] = (0.0, Reason.NAME_EN)
        if code:
            best = max(best, _code_score(code, item))
        for words, reason in item_names:
            if not (hits.isdisjoint(words) and hits.isdisjoint(_pairs(words))):
                best = max(best, (_name_score(query, words, similar), reason))
        if best[0] >= SUGGEST:
            found.append(Candidate(item, round(best[0], 1), best[1]))
    found.sort(key=lambda c: (-c.score, c.item.code))
    return found[:limit]


def accepted(candidates: Sequence[Candidate]) -> Candidate | None:
    """The candidate to take without asking: the best one, if it reaches
    :data:`AUTO_ACCEPT` and no other does."""
    sure = [c for c in candidates if c.score >= AUTO_ACCEPT]
    return sure[0] if len(sure) == 1 else None


# Codes -----------------------------------------------------------------------------------
def _code_score(code: str, item: Item) -> tuple[float, Reason]:
    if code == item.code:
        return 100.0, Reason.EXACT_CODE
    if item.gtin and code.lstrip("0") == item.gtin.lstrip("0"):
        return 100.0, Reason.GTIN
    mine, theirs = _compact(item.code), _compact(code)
    if not mine or not theirs:
        return 0.0, Reason.CODE_SIMILAR
    if mine == theirs:
        return _SAME_CODE_SPELLING, Reason.CODE_SIMILAR
    score = fuzz.ratio(mine, theirs)
    if re.sub(r"\D", "", mine) != re.sub(r"\D", "", theirs):
        score -= _CODE_NUMBER_MISMATCH
    return min(score, _MAX_SIMILAR), Reason.CODE_SIMILAR


@functools.lru_cache(maxsize=65536)
def _compact(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", code.upper())


# Names -----------------------------------------------------------------------------------
def _name_score(query: tuple[str, ...], name: tuple[str, ...],
                similar: dict[str, dict[str, float]]) -> float:
    """How well a line's words (see :func:`normalise`) fit an item name's, 0-100.

    Each word of the line is looked for among the name's: equal, misspelt (counts in
    part), shortened ('tabs' for 'tablets') or split ('jerry can' for 'jerrycan'); a
    number only counts if equal, and units and packaging words count half. The share of the
    line found counts three times as much as the share of the name covered, since packing
    lists shorten names. ``similar`` gives, for each word of the line, the words it
    resembles (see :func:`_similar_words`).
    """
    if not query or not name:
        return 0.0
    if query == name:
        return _EXACT_NAME
    query = _join_split_words(query, name)
    fits = [_word_fit(w, name, similar.get(w, {})) for w in query]
    if not any(f for w, f in zip(query, fits, strict=True) if _weight(w) == 1.0):
        return 0.0  # no word in common but numbers, units or packaging
    found = sum(_weight(w) * f for w, f in zip(query, fits, strict=True))
    recall = found / sum(_weight(w) for w in query)
    covered = min(found / sum(_weight(w) for w in name), 1.0)
    score = max(100 * (0.75 * recall + 0.25 * covered),
                fuzz.token_sort_ratio(" ".join(query), " ".join(name)))
    numbers = {w for w in query if _is_number(w)}
    theirs = {w for w in name if _is_number(w)}
    if numbers and theirs and not numbers <= theirs:
        score -= _NUMBER_MISMATCH
    return min(score, _MAX_SIMILAR)


def _join_split_words(query: tuple[str, ...], name: tuple[str, ...]) -> tuple[str, ...]:
    words = list(query)
    i = 0
    while i < len(words) - 1:
        if words[i] + words[i + 1] in name:
            words[i:i + 2] = [words[i] + words[i + 1]]
        i += 1
    return tuple(words)


def _word_fit(word: str, name: tuple[str, ...], similar: dict[str, float]) -> float:
    if word in name or word in _pairs(name):
        return 1.0
    return max((similar.get(w, 0.0) for w in name), default=0.0)


def _similar_words(query: tuple[str, ...], vocabulary: set[str]) -> dict[str, dict[str, float]]:
    """For each word of the line, the words of ``vocabulary`` it may be a misspelling
    (0.8-1) or a shortening (0.85: 'tabs', 'tab' for 'tablets') of."""
    words = [w for w in vocabulary if not _is_number(w)]
    similar: dict[str, dict[str, float]] = {}
    for word in set(query):
        if _is_number(word) or len(word) < 3:
            continue
        stem = word[:-1] if word.endswith("s") and len(word) > 3 else word
        found = {w: 0.85 for w in words if w.startswith(stem) and w != word}
        for w, score, _ in process.extract(word, words, scorer=fuzz.ratio, score_cutoff=80,
                                           limit=None):
            found[w] = max(found.get(w, 0.0), score / 100)
        similar[word] = found
    return similar


@functools.lru_cache(maxsize=65536)
def _pairs(name: tuple[str, ...]) -> frozenset[str]:
    """Adjacent words written together ('wheat flour' → 'wheatflour')."""
    return frozenset(a + b for a, b in itertools.pairwise(name))


def _weight(word: str) -> float:
    return 0.5 if word in _MINOR_WORDS or _is_number(word) else 1.0


def _is_number(word: str) -> bool:
    return word[:1].isdigit()


_ARABIC_LETTERS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي",
    "ـ": None,  # tatweel
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},
    "٫": ".", "×": " x ",
})
_TASHKEEL = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_UNITS = {
    "kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg",
    "kilograms": "kg", "кг": "kg", "كغ": "kg", "كجم": "kg", "كيلو": "kg", "كيلوغرام": "kg",
    "كيلوجرام": "kg",
    "g": "g", "gr": "g", "gm": "g", "gram": "g", "grams": "g", "г": "g", "гр": "g",
    "غ": "g", "غرام": "g", "جرام": "g",
    "mg": "mg", "мг": "mg", "ملغ": "mg",
    "l": "l", "lt": "l", "ltr": "l", "litre": "l", "litres": "l", "liter": "l",
    "liters": "l", "л": "l", "لتر": "l", "لترا": "l", "لترات": "l", "ليتر": "l",
    "ml": "ml", "мл": "ml", "مل": "ml",
    "m": "m", "м": "m", "cm": "cm", "см": "cm", "mm": "mm", "мм": "mm",
    "pc": "pc", "pcs": "pc", "piece": "pc", "pieces": "pc", "шт": "pc",
}
_MINOR_WORDS = frozenset({
    *_UNITS.values(), "bag", "bags", "box", "boxes", "carton", "cartons", "pack", "packs",
    "sachet", "sachets", "tin", "tins", "drum", "bottle", "bottles", "roll", "rolls", "set",
    "كيس", "كرتونه", "علبه", "عبوه", "мешок", "коробка", "упаковка", "банка"})
_STOP_WORDS = frozenset({"of", "the", "a", "an", "and", "with", "for", "per", "in", "x",
                         "и", "с", "по", "для", "в", "из", "من", "مع", "في"})


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(normalise(text).split())


def normalise(text: str) -> str:
    """Text reduced for comparison: lower case, no accents or tashkeel, one form of each
    Arabic letter (أ إ آ → ا, ة → ه, ى → ي), digits apart from units ('25kg' → '25 kg'),
    one spelling per unit, no punctuation and no small words ('of', 'with'...)."""
    text = _TASHKEEL.sub("", text.translate(_ARABIC_LETTERS))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 1,000 → 1000
    text = re.sub(r"(?<=\d),(?=\d)", ".", text)  # 1,5 → 1.5
    text = re.sub(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)", " ", text)  # 25kg → 25 kg
    text = re.sub(r"[^\w.]+|_|(?<!\d)\.|\.(?!\d)", " ", text)
    words = []
    for word in text.split():
        if _is_number(word) and "." in word:
            word = word.rstrip("0").rstrip(".")
        word = _UNITS.get(word, word)
        if word.startswith("ال") and len(word) > 4:  # the Arabic article
            word = word[2:]
        if word not in _STOP_WORDS:
            words.append(word)
    return " ".join(words)
