"""Names as the matcher compares them: cleaned, romanised, split into tagged parts.

A name goes through, in order:

1. :func:`clean`: NFKC, invisible characters removed (zero-width spaces and joiners, bidi
   marks, soft hyphens, the Arabic tatweel and vowel marks), Cyrillic and Greek letters
   that look Latin folded back to Latin inside Latin-looking words (``Оsama`` with a
   Cyrillic О), casefold, spaces squashed.
2. Each word is romanised by its script: Arabic (and Persian, Pashto, Urdu letters) by a
   letter table that writes the long vowels and drops ʿayn and hamza; Cyrillic by several
   schemes (BGN/PCGN, ICAO passports, German, French), all kept; Latin diacritics are
   stripped; Greek, Armenian, Georgian and Hangul go through rigour; any other script is
   romanised by a generic rule with a warning.
3. Particles are split off and tagged: the article (``al-``, ``el-``, the assimilated
   ``ash-``, ``ad-``, ``ar-``...; glued ``Alrawi`` keeps an article-less alternative),
   ``Abdul``/``Abdel``/``Abd al-`` compounds (one part ``abd`` + the divine name),
   ``...uddin`` and ``...ullah`` compounds, nasab particles (``bin``, ``ibn``, ``bint``,
   ``ould``, ``ag``: order kept, the next part is a patronymic), kunya markers (``abu``,
   ``umm``: the next part is the kunya), honorifics (sheikh, mullah, haji...).
4. Every part gets a role (given, middle, patronymic, family, kunya... or for
   organisations word, generic word, legal form, number), a fold (the romanisation
   variants Arabic and Cyrillic names are written in, folded: ``kh``/``h``,
   ``ou``/``u``, ``ee``/``i``, ``q``/``k``, ``dh``/``d``, ``sch``/``sh``, doubled
   letters...) and a consonant skeleton (vowels and glides dropped, consonants in
   classes), which also exists for Arabic script, so that ``الجولاني`` and ``Jawlani``
   meet.

Nothing here depends on a list: :func:`normalise_name` is a pure function of the text
(cached).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rigour.names import NameTypeTag, analyze_names, extract_org_types
from rigour.text.translit import ascii_text, maybe_ascii

from aidhub.domain.errors import InvalidInput
from aidhub.screening.model import EntityKind

__all__ = [
    "NormalName",
    "Part",
    "Role",
    "clean",
    "comparable",
    "fold",
    "normalise_name",
    "skeleton",
    "transliterate",
    "transliterations",
]


class Role(enum.StrEnum):
    """What a part of a name is. Persons: given, middle, patronymic (a father's name,
    after bin/ibn or a Slavic -ovich), family (the last part, a nisba or laqab with al-),
    kunya (the name after abu/umm); markers (abu, umm), honorifics and particles weigh
    little. Organisations: word, generic word (company, group...), legal form, number."""

    GIVEN = "given name"
    MIDDLE = "middle name"
    PATRONYMIC = "father's name"
    FAMILY = "family name"
    KUNYA = "kunya"
    MARKER = "kunya marker"
    HONORIFIC = "honorific"
    PARTICLE = "particle"
    WORD = "word"
    GENERIC = "generic word"
    LEGAL = "legal form"
    NUMBER = "number"
    INITIAL = "initial"


# --------------------------------------------------------------------------- cleaning
_INVISIBLE = {
    0x00AD, 0x034F, 0x061C, 0x0640, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D,
    0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
    0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0x206A, 0x206B,
    0x206C, 0x206D, 0x206E, 0x206F, 0x3164, 0xFEFF, 0xFFA0,
}
_INVISIBLE.update(range(0xFE00, 0xFE10))  # variation selectors
_INVISIBLE.update(range(0xE0000, 0xE0080))  # tags
# Arabic vowel marks (harakat), Quranic annotation marks, superscript alef
_ARABIC_MARKS = set(range(0x0610, 0x061B)) | set(range(0x064B, 0x0660)) | {0x0670}
_ARABIC_MARKS |= set(range(0x06D6, 0x06DD)) | set(range(0x06DF, 0x06E9)) | set(
    range(0x06EA, 0x06EE))
_DROP = dict.fromkeys(_INVISIBLE | _ARABIC_MARKS)

# Cyrillic and Greek letters that look like Latin ones (upper and lower case).
_HOMOGLYPHS = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y",
    "Һ": "H", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I", "Ԁ": "D",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s",
    "і": "i", "ј": "j", "ү": "y", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ԁ": "d",
    "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ё": "e", "ї": "i", "ɡ": "g",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "α": "a", "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ϲ": "c", "ε": "e", "ı": "i", "ɑ": "a", "ȷ": "j",
})
_LOOKALIKE = frozenset(k for k in _HOMOGLYPHS if isinstance(k, int))
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def _script(char: str) -> str:
    """'latin', 'arabic', 'cyrillic', 'greek'... for a letter; '' for anything else."""
    code = ord(char)
    if code < 0x80:
        return "latin" if char.isalpha() else ""
    if not char.isalpha():
        return ""
    if code <= 0x024F or 0x1E00 <= code <= 0x1EFF or 0x2C60 <= code <= 0x2C7F or (
            0xA720 <= code <= 0xA7FF) or 0x0250 <= code <= 0x02AF:
        return "latin"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF or (
            0xFB50 <= code <= 0xFDFF) or 0xFE70 <= code <= 0xFEFF:
        return "arabic"
    if 0x0400 <= code <= 0x052F or 0x1C80 <= code <= 0x1C8F or 0x2DE0 <= code <= 0x2DFF or (
            0xA640 <= code <= 0xA69F):
        return "cyrillic"
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return "greek"
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0].lower() if name else ""
    if first in ("cjk", "hiragana", "katakana", "bopomofo"):
        return "han"
    return first or "other"


def _fold_homoglyphs(text: str) -> str:
    """Cyrillic and Greek look-alike letters, written inside a Latin word or making up a
    whole word in an otherwise Latin name, become the Latin letters they imitate."""
    if text.isascii():
        return text
    words = list(_WORD.finditer(text))
    if not words:
        return text
    latin_words = 0
    foreign_words = []
    for m in words:
        scripts = {_script(c) for c in m.group()} - {""}
        if "latin" in scripts:
            latin_words += 1
        if scripts & {"cyrillic", "greek"}:
            foreign_words.append((m, scripts))
    if not foreign_words:
        return text
    out = []
    last = 0
    for m, scripts in foreign_words:
        word = m.group()
        lookalike_only = all(ord(c) in _LOOKALIKE or _script(c) in ("latin", "")
                             for c in word)
        if ("latin" in scripts and lookalike_only) or (
                "latin" in scripts and sum(_script(c) == "latin" for c in word) * 2 >= len(word)
        ) or (lookalike_only and latin_words > 0 and latin_words >= sum(
                1 for _, sc in foreign_words if "latin" not in sc)):
            out.append(text[last:m.start()])
            out.append(word.translate(_HOMOGLYPHS))
            last = m.end()
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """NFKC, invisible characters and Arabic vowel marks removed, homoglyphs folded,
    casefolded, whitespace squashed. Idempotent."""
    text = unicodedata.normalize("NFKC", text).translate(_DROP)
    text = _fold_homoglyphs(text)
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_DROP)
    return _SPACES.sub(" ", text).strip()


# ------------------------------------------------------------------- transliteration
_ARABIC = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ء": "", "ؤ": "u", "ئ": "i", "ة": "a", "ى": "a",
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ۀ": "a", "ە": "a", "ڤ": "v",
    "ڨ": "g", "ټ": "t", "ډ": "d", "ړ": "r", "ږ": "zh", "ښ": "sh", "ځ": "z", "څ": "s",
    "ڼ": "n", "ې": "e", "ۍ": "ai", "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n", "ھ": "h",
    "ے": "e", "ڭ": "ng", "ﻻ": "la",
}
_ARABIC_SKELETON = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ط": "t", "ټ": "t", "ٹ": "t", "ج": "j", "چ": "S",
    "ژ": "j", "ږ": "j", "ح": "h", "خ": "h", "ه": "h", "ھ": "h", "د": "d", "ذ": "d", "ض": "d",
    "ډ": "d", "ڈ": "d", "ر": "r", "ړ": "r", "ڑ": "r", "ز": "z", "ظ": "z", "ځ": "z", "س": "s",
    "ص": "s", "څ": "s", "ش": "S", "ښ": "S", "غ": "j", "گ": "j", "ڨ": "j", "ف": "f", "ڤ": "v",
    "ق": "k", "ك": "k", "ک": "k", "ل": "l", "م": "m", "ن": "n", "ڼ": "n", "ں": "n",
}
_ALEFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ې": "ي",
                        "ۍ": "ي", "ے": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه",
                        "ؤ": "و", "ئ": "ي"})
_AR_VOWELS = "اأإآٱوي"


def _arabic_to_latin(word: str) -> str:
    """Romanise one Arabic-script word: consonants by table, long vowels written (ا a,
    و u or w, ي i or y), short vowels unknown, ʿayn and hamza dropped."""
    out: list[str] = []
    for i, ch in enumerate(word):
        prev_vowel = i == 0 or word[i - 1] in _AR_VOWELS + "ءع"
        if ch in "اٱ" or ch in "أآ":
            out.append("a")
        elif ch == "إ":
            out.append("i")
        elif ch == "و":
            out.append("w" if prev_vowel else "u")
        elif ch in "يی":
            out.append("y" if i == 0 or (prev_vowel and i < len(word) - 1) else "i")
        else:
            out.append(_ARABIC.get(ch, ""))
    return "".join(out)


def _arabic_skeleton(word: str) -> str:
    out: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        if ch in "وي" and i == 0:
            c = "v" if ch == "و" else "y"
        elif ch in "هة" and i == n - 1 and n > 2:
            continue
        else:
            c = _ARABIC_SKELETON.get(ch, "")
        if c and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


# Cyrillic: one table per scheme, letters not listed come from the BGN table.
_CYR_BGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "џ": "dz", "ә": "a", "ғ": "gh", "қ": "q", "ң": "n", "ө": "o",
    "ұ": "u", "ү": "u", "һ": "h", "ӣ": "i", "ӯ": "u", "ҳ": "h", "ҷ": "j", "ѓ": "g", "ќ": "k",
    "ѕ": "dz",
}
_CYR_SCHEMES = {
    "bgn": {},
    "icao": {"ё": "e", "й": "i", "ъ": "ie", "ю": "iu", "я": "ia", "ї": "i", "є": "ie"},
    "german": {"в": "w", "ж": "sch", "з": "s", "й": "j", "х": "ch", "ц": "z", "ч": "tsch",
               "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja", "ё": "jo", "є": "je"},
    "french": {"ж": "j", "х": "kh", "ч": "tch", "ш": "ch", "щ": "chtch", "у": "ou",
               "ю": "iou", "я": "ia", "й": "i", "ё": "io"},
}
CYRILLIC_SCHEMES = tuple(_CYR_SCHEMES)


def _cyrillic_to_latin(word: str, scheme: str = "bgn") -> str:
    table = _CYR_SCHEMES[scheme]
    out = []
    for i, ch in enumerate(word):
        t = table.get(ch)
        if t is None:
            t = _CYR_BGN.get(ch)
            if t is None:
                t = _latin_ascii(ch) if _script(ch) == "latin" else ""
        if ch == "е" and scheme == "bgn" and (i == 0 or word[i - 1] in "аеёиоуыэюяьъ"):
            t = "ye"
        out.append(t)
    return "".join(out)


_LATIN_EXTRA = str.maketrans({"ə": "a", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                              "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i", "ŀ": "l", "ħ": "h",
                              "ŧ": "t", "ŋ": "ng", "ʒ": "zh", "ɛ": "e", "ɔ": "o"})


def _latin_ascii(word: str) -> str:
    if word.isascii():
        return word
    word = word.translate(_LATIN_EXTRA)
    decomposed = unicodedata.normalize("NFKD", word)
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    if out.isascii():
        return out
    return maybe_ascii(out, drop=True)


def _other_to_latin(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_text(word).lower())


# scripts written with letters for sounds: two names in one of them are compared on their
# romanisation; in any other script (Han, Hangul, Bengali...) on the characters as written
_ALPHABETS = frozenset({"latin", "cyrillic", "greek", "armenian", "georgian"})
KNOWN_SCRIPTS = frozenset({"latin", "arabic", "cyrillic", "greek", "armenian", "georgian",
                           "hangul"})


def _word_script(word: str) -> str:
    if word.isascii():
        return "latin" if word else ""
    counts: dict[str, int] = {}
    for c in word:
        s = _script(c)
        if s:
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return "latin" if word else ""
    return max(counts.items(), key=lambda kv: kv[1])[0]


def transliterate(text: str, scheme: str = "bgn") -> str:
    """``text`` cleaned and written in lower-case ASCII Latin. ``scheme`` chooses the
    Cyrillic romanisation ("bgn", "icao", "german", "french"); Arabic is written with its
    long vowels and without ʿayn and hamza."""
    words = []
    for word in clean(text).split(" "):
        pieces = []
        for chunk in re.split(r"([\W_]+)", word):
            if not chunk or not re.match(r"\w", chunk):
                pieces.append(chunk)
                continue
            script = _word_script(chunk)
            if script == "arabic":
                pieces.append(_arabic_to_latin(chunk))
            elif script == "cyrillic":
                pieces.append(_cyrillic_to_latin(chunk, scheme))
            elif script == "latin":
                pieces.append(_latin_ascii(chunk))
            else:
                pieces.append(_other_to_latin(chunk))
        words.append("".join(pieces))
    return " ".join(w for w in words if w)


def transliterations(text: str) -> list[str]:
    """Every distinct romanisation of ``text``, one per Cyrillic scheme (one only when
    there is no Cyrillic)."""
    seen: list[str] = []
    for scheme in CYRILLIC_SCHEMES:
        t = transliterate(text, scheme)
        if t not in seen:
            seen.append(t)
    return seen


# ----------------------------------------------------------------------------- folding
_FOLD_RULES = [
    (re.compile(r"ck|q"), "k"), (re.compile(r"tsch|tch"), "ch"), (re.compile(r"sch"), "sh"),
    (re.compile(r"dzh|dj|zh"), "j"), (re.compile(r"kh"), "h"), (re.compile(r"gh"), "g"),
    (re.compile(r"ph"), "f"), (re.compile(r"th"), "t"), (re.compile(r"dh"), "d"),
    (re.compile(r"c(?![hieyj])"), "k"),
    (re.compile(r"c(?=[iey])"), "s"), (re.compile(r"x"), "ks"),
    (re.compile(r"^i(?=[aeou])"), "y"),
    (re.compile(r"(?<=[^aeiou])aw(?=[^aeiouy])"), "o"), (re.compile(r"ou|oo|uu"), "u"),
    (re.compile(r"ee|ii$|iy$|yi$|yy$|ij$|y$"), "i"),
    (re.compile(r"ey(?![aeiou])"), "ei"), (re.compile(r"ay(?![aeiou])"), "ai"),
    (re.compile(r"(?<=[^aeiou])y(?=[^aeiou])"), "i"),
]
_DOUBLE = re.compile(r"(.)\1+")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")


@lru_cache(maxsize=131072)
def fold(token: str) -> str:
    """A lower-case ASCII token with romanisation variants folded: Mohammed, Muhammad
    and Mouhammad keep their vowels but lose ``ou``/``u``, doubled letters and the like
    (``muhamad``, ``mohamed``); Khalid/Halid (``halid``), Qasim/Kasim (``kasim``),
    Shchukin/Schtschukin, Yuriy/Iurii (``yuri``)."""
    s = token
    for _ in range(4):  # until nothing changes, so that folding a fold changes nothing
        before = s
        for pattern, repl in _FOLD_RULES:
            s = pattern.sub(repl, s)
        s = _DOUBLE.sub(r"\1", s)
        if len(s) > 3:
            s = _FINAL_H.sub("", s)
        if s == before:
            break
    return s


_SKELETON_CLASS = str.maketrans({"p": "b", "g": "j", "q": "k", "c": "k", "w": "v", "x": "k",
                                 "z": "z", "a": None, "e": None, "i": None, "o": None,
                                 "u": None})


@lru_cache(maxsize=131072)
def skeleton(folded: str) -> str:
    """The consonant skeleton of a folded token: vowels and inner glides dropped,
    ``sh``/``ch`` one class, ``g``/``j`` one class, ``q``/``k``/``c`` one class; the same
    shape as the skeleton of the word in Arabic script."""
    s = folded.replace("sh", "S").replace("ch", "S")
    if len(s) > 1:
        head, tail = s[0], s[1:].replace("y", "").replace("w", "")
        if head in "aeiou" and tail[:1] in ("y", "v"):
            tail = tail[1:]
        s = head + tail
    s = s.translate(_SKELETON_CLASS)
    if len(s) > 2 and s.endswith("h"):
        s = s[:-1]
    return _DOUBLE.sub(r"\1", s)


# --------------------------------------------------------------------------- particles
ARTICLES = frozenset({"al", "el", "ul", "il"})
SUN_ARTICLES = {"ash": "sh", "as": "s", "ad": "d", "adh": "dh", "ar": "r", "az": "z",
                "at": "t", "ath": "th", "an": "n", "ud": "d", "ur": "r", "us": "s", "un": "n",
                "ut": "t", "uz": "z", "ush": "sh", "ed": "d", "es": "s", "er": "r", "et": "t",
                "en": "n", "ez": "z", "esh": "sh"}
NASAB = frozenset({"bin", "ben", "ibn", "ebn", "bn", "bint", "binti", "binte", "ibnu", "ould",
                   "wuld", "walad", "ag", "bte"})
KUNYA_MARKERS = {"abu": "abu", "abou": "abu", "abo": "abu", "aboo": "abu", "abul": "abu",
                 "abi": "abu", "umm": "umm", "um": "umm", "oum": "umm", "om": "umm",
                 "ummu": "umm", "abuu": "abu"}
HONORIFICS = frozenset({
    "sheikh", "shaikh", "shaykh", "sheik", "shaik", "cheikh", "cheick", "sheyh", "seyh",
    "mullah", "mulla", "molla", "mullo", "mawlawi", "maulawi", "maulavi", "moulavi", "mawlavi",
    "maulvi", "molvi", "mawlana", "maulana", "moulana", "haji", "hajji", "hadji", "hajj",
    "hadj", "alhaj", "alhaji", "alhajj", "qari", "qazi", "hafiz", "hafez", "mufti", "ustad",
    "ustaz", "ustadh", "imam", "sayyid", "sayed", "syed", "sayyed", "seyed", "seyyed",
    "sayid", "mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "prof",
    "professor", "eng", "engineer", "gen", "general", "col", "colonel", "capt", "captain",
    "maj", "major", "lt", "brig", "sir", "dame", "lord", "lady", "madam", "madame",
    "monsieur", "mme", "herr", "frau", "sheikha", "shaikha", "emir", "hon",
})
# sayyid/sayed can be a given name: as honorifics they still count, a little.
_GIVEN_LIKE_HONORIFICS = frozenset({"sayyid", "sayed", "syed", "sayyed", "seyed", "seyyed",
                                    "sayid", "emir"})
ORG_STOPWORDS = frozenset({"the", "of", "and", "for", "de", "du", "des", "la", "le", "les",
                           "der", "die", "das", "und", "y", "e", "i", "et", "in", "on", "at",
                           "to", "a", "an", "von", "van", "del", "della", "di", "da", "do",
                           "dos", "al", "el"})
ORG_GENERIC = frozenset({
    "company", "co", "group", "grp", "international", "intl", "holding", "holdings",
    "trading", "trade", "services", "service", "industries", "industry", "industrial",
    "corporation", "corp", "enterprise", "enterprises", "organization", "organisation",
    "foundation", "association", "society", "institute", "center", "centre", "fund",
    "trust", "partners", "global", "general", "import", "export", "commercial", "limited",
    "incorporated", "inc", "ltd", "firm", "network", "agency", "establishment", "est",
    "bureau", "office", "committee", "front", "movement", "brigade", "brigades", "battalion",
    "army", "party", "council", "charity", "charitable", "relief", "aid",
})
_ROMAN = re.compile(r"^(?=[ivxlc]+$)(x{0,3})(ix|iv|v?i{0,3})$")
_DIGITS = re.compile(r"^\d+$")


def _is_number(t: str) -> bool:
    return bool(_DIGITS.match(t)) or (len(t) <= 4 and t not in ("i", "v", "x", "l", "c", "li",
                                                                    "xi", "vi", "di", "ci")
                                      and bool(_ROMAN.match(t)) and t != "")


_ALLAH = re.compile(r"^(?:u|a|o|e|i)?l?lah?$")
_DIN_GLUED = re.compile(r"^([a-z]{3,}?)(?:ud|ad|ed|id|od|ul|al|el|u|a|e|i)?(?:d)(?:din|deen|dine|"
                        r"dien)$")
_DIN_GLUED2 = re.compile(r"^([a-z]{3,}?)(?:u|a|e|o)ddin$")
_ULLAH_GLUED = re.compile(r"^([a-z]{3,}?)(?:u|a|o|e)(?:llah?|lah)$")
_ABU_GLUED = re.compile(r"^(abu|abou|abo)([b-df-hj-np-tv-z][a-z]{2,})$")
_ABD_STANDALONE = frozenset({"abd", "abdul", "abdel", "abdal", "abdol", "abdil", "abdur",
                             "abdar", "abdus", "abdas", "abdu", "abdou", "abdo", "abdi",
                             "abdulla"})
_ABD_ALWAYS = frozenset({"abd", "abdul", "abdel", "abdal", "abdol", "abdil", "abdur", "abdar",
                         "abdus", "abdas"})
_DIN = frozenset({"din", "deen", "dine", "dien", "uddin", "uddeen", "eddine", "eddin",
                  "addin", "aldin", "eldin", "uldin", "eldine", "aldine", "iddin", "udeen",
                  "edine", "udin", "edin"})
_ALLAH_WORDS = frozenset({"allah", "ullah", "ulla", "alla", "olah", "ollah", "ulah", "allahu"})

_PARTICLE_WORDS = (ARTICLES | frozenset(SUN_ARTICLES) | NASAB | frozenset(KUNYA_MARKERS)
                   | (HONORIFICS - _GIVEN_LIKE_HONORIFICS) | {"abd"})
# Arabic-script particles, on the letters after _ALEFS folding
_AR_ARTICLE = "ال"
_AR_ABD = "عبد"
_AR_NASAB = frozenset({"بن", "ابن", "بنت", "ولد"})
_AR_KUNYA = {"ابو": "abu", "ابي": "abu", "ابا": "abu", "ام": "umm"}
_AR_PARTICLES_BASE = frozenset({"ال", "عبد", "بن", "ابن", "بنت", "ابو", "ام", "ابي"})
_AR_HONORIFIC = frozenset({"شيخ", "الشيخ", "ملا", "مولوي", "مولانا", "حاجي", "الحاج", "حاج",
                           "سيد", "السيد", "قاري", "حافظ", "مفتي", "امام", "الامام", "دكتور",
                           "المهندس", "مهندس"})

_AR_PARTICLES = _AR_PARTICLES_BASE | _AR_HONORIFIC

# Common given names (folds): matching one of them says little.
_COMMON = ("muhamad mohamad mohamed muhamed mohammad mahamad mohd mhd md mehmet "
           "ahmad ahmed ali hasan hasen hassan husain husein hosein hussain abdalah abdula "
           "omar umar ibrahim ebrahim mahmud mahmoud mustafa mostafa yusuf yusef yosef "
           "halid khalid salim selim said saeed saed karim abdrahman abdalah kasim abdakadir "
           "abdaziz hamid abdulah jan gul khan mir nur shah kim ri pak choe jong li")
COMMON_FOLDS = frozenset(fold(w) for w in _COMMON.split())


# ------------------------------------------------------------------------------ types
@dataclass(frozen=True, slots=True, eq=False)
class Part:
    """One part of a name. ``text`` is its romanised form (``sharaa``; ``abdrahman`` for
    a compound), ``display`` what the name wrote (``al-Shara'a``), ``fold`` and
    ``skel`` its folded form and consonant skeleton, ``alts`` further folds (other
    Cyrillic schemes, a glued article taken off, ``ch`` read as ``sh``), ``article``
    whether it had al- (or el-, ash-...), ``compound`` and ``core`` the kind of compound
    and the fold of its distinctive name (``rahman`` in Abd al-Rahman, ``nur`` in
    Nur al-Din), ``vowelled`` False for Arabic script (short vowels unwritten), ``raw``
    the letters as written for Arabic and the syllabic scripts, ``key`` what identifies
    it, ``common`` whether it is a very common given name."""

    text: str
    display: str
    role: Role
    script: str
    fold: str
    skel: str
    alts: tuple[str, ...] = ()
    article: bool = False
    core: str = ""
    vowelled: bool = True
    key: str = ""
    common: bool = False
    compound: str = ""  # "abd" (abd al-X), "din" (X ad-din), "allah" (X-ullah)
    raw: str = ""
    core_text: str = ""

    @property
    def symbols(self) -> frozenset[str]:
        """The Wikidata name ids rigour knows for this part (computed when first
        asked)."""
        return _part_symbols(self.text, self.script, self.raw, self.article, self.compound,
                             self.core_text)


@dataclass(frozen=True, slots=True, eq=False)
class NormalName:
    """A name ready to compare: its parts in the order written (family name last when
    the name was written ``FAMILY, Given``), the kind of thing named, the scripts it was
    written in and warnings (a script the matcher does not know)."""

    original: str
    parts: tuple[Part, ...]
    kind: EntityKind
    scripts: frozenset[str]
    warnings: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.parts if p.role is not Role.PARTICLE)



# ------------------------------------------------------------------------- tokenising
@dataclass(slots=True)
class _Piece:
    text: str  # romanised ascii
    display: str
    script: str
    joined: bool  # hyphen/apostrophe-joined to the next piece in the same word
    raw: str  # the cleaned word piece in its own script
    alts: tuple[str, ...] = ()
    article: bool = False
    role: Role | None = None
    core: str = ""
    comma_before: bool = False
    compound: str = ""
    initial: bool = False  # written with a full stop after it


_STOP = "\u2024"  # marks a lone letter written with a full stop (an initial)
_SPLIT = re.compile(r"[\s,;:/()\[\]{}\"“”„«»<>|+*!?@#$%^=~_\\]+")
_APOSTROPHES = re.compile(r"['`´ʹʻʼʽʾʿˈˊˋ’‘′‛]")
_HYPHENS = re.compile(r"[-‐‑‒–—―−]+")


def _pieces(cleaned: str, warnings: list[str]) -> list[_Piece]:
    text = cleaned.replace("&", " and ")
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)
    text = re.sub(r"(?<![\w])(\w)\.", r"\1" + _STOP + " ", text).replace(".", " ")
    comma = ","
    out: list[_Piece] = []
    unknown: set[str] = set()
    unromanised: set[str] = set()
    chunks = re.split(r"(,)", text.replace("،", ","))
    comma_pending = False
    for chunk in chunks:
        if chunk == comma:
            comma_pending = True
            continue
        for word in _SPLIT.split(chunk):
            if not word:
                continue
            stopped = word.endswith(_STOP)
            word = word.replace(_STOP, "")
            shown = [s for s in _HYPHENS.split(word) if _APOSTROPHES.sub("", s)]
            subs = [_APOSTROPHES.sub("", s) for s in shown]
            for k, sub in enumerate(subs):
                script = _word_script(sub)
                alts: tuple[str, ...] = ()
                if script == "arabic":
                    out.extend(_arabic_pieces(sub, k < len(subs) - 1))
                    if comma_pending and out:
                        out[-1].comma_before = True
                        comma_pending = False
                    continue
                if script == "cyrillic":
                    forms = [_cyrillic_to_latin(sub, s) for s in CYRILLIC_SCHEMES]
                    latin = forms[0]
                    alts = tuple(dict.fromkeys(f for f in forms[1:] if f != latin))
                elif script == "latin":
                    latin = _latin_ascii(sub)
                elif script == "hangul" and len(sub) <= 4:
                    for syllable in sub:
                        roman = re.sub(r"[^a-z]", "", _other_to_latin(syllable))
                        if roman:
                            out.append(_Piece(roman, syllable, script, False, syllable))
                    continue
                else:
                    latin = _other_to_latin(sub)
                    if script not in KNOWN_SCRIPTS:
                        unknown.add(script)
                latin = re.sub(r"[^a-z0-9]", "", latin.lower())
                if not latin:
                    if script in ("latin", "cyrillic", "greek", ""):
                        continue
                    latin = sub  # cannot be romanised: kept as written, compared as is
                    unromanised.add(script)
                piece = _Piece(latin, shown[k].strip("'`´ʹʻʼʽʾʿˈˊˋ’‘′‛"), script,
                               k < len(subs) - 1, sub, alts)
                piece.initial = stopped and len(latin) == 1
                if comma_pending:
                    piece.comma_before = True
                    comma_pending = False
                out.append(piece)
    for script in sorted(unknown - unromanised):
        warnings.append(f"the name is partly written in {script.title()} script, which the "
                        "matcher does not know: those parts were romanised by a generic rule "
                        "and may be missed")
    for script in sorted(unromanised):
        warnings.append(f"the name is partly written in {script.title()} script, which the "
                        "matcher cannot romanise: those parts only match names written the "
                        "same way in that script")
    return out


def _arabic_pieces(word: str, joined: bool) -> list[_Piece]:
    """One Arabic-script word as pieces: an article, ``عبد`` and ``ابو`` split off a
    glued compound."""
    norm = word.translate(_ALEFS)
    pieces: list[_Piece] = []
    if norm.startswith(_AR_ABD) and len(norm) > 4 and norm not in ("عبده", "عبدو"):
        pieces.append(_Piece("abd", word[:3], "arabic", True, _AR_ABD))
        norm, word = norm[3:], word[3:]
    elif norm.startswith("ابو") and len(norm) > 5:
        pieces.append(_Piece("abu", word[:3], "arabic", True, "ابو"))
        norm, word = norm[3:], word[3:]
    article = False
    display = word
    if norm.startswith(_AR_ARTICLE) and len(norm) > 3 and norm != "الله":
        article = True
        norm, word = norm[2:], word[2:]
    elif norm in ("الله", "لله"):
        norm = "الله"
    latin = _arabic_to_latin(norm)
    if norm == "الله":
        latin = "allah"
    if not latin:  # a lone ʿayn or hamza
        return pieces
    piece = _Piece(latin, display, "arabic", joined, norm)
    piece.article = article
    pieces.append(piece)
    return pieces


def _assemble(pieces: list[_Piece], kind: EntityKind | None) -> list[_Piece]:
    """Particles, compounds, kunyas and honorifics: tag or merge the pieces."""
    out: list[_Piece] = []
    i = 0
    n = len(pieces)
    while i < n:
        p = pieces[i]
        t = p.text
        nxt = pieces[i + 1] if i + 1 < n else None
        arabic = p.script == "arabic"
        # the article, on its own or joined to the next piece
        if nxt is not None and not arabic and (
                t in ("al", "el", "ul") or (t in ARTICLES and p.joined) or (t in SUN_ARTICLES and (
                    p.joined or nxt.text.startswith(SUN_ARTICLES[t])))):
            nxt.article = True
            nxt.display = f"{p.display}-{nxt.display}" if p.joined else f"{p.display} {nxt.display}"
            nxt.comma_before = nxt.comma_before or p.comma_before
            i += 1
            continue
        # abd compounds: abd al-rahman, abdul rahman, abdulrahman, عبد الرحمن
        if (t in _ABD_STANDALONE or (arabic and p.raw == _AR_ABD)) and nxt is not None and (
                t in _ABD_ALWAYS or arabic or p.joined or nxt.text in ARTICLES
                or nxt.text in SUN_ARTICLES):
            j = i + 1
            display = [p.display]
            while j < n and j < i + 3 and (pieces[j].text in ARTICLES or (
                    pieces[j].text in SUN_ARTICLES and j + 1 < n)) and j + 1 < n:
                display.append(pieces[j].display)
                j += 1
            if j < n:
                core = pieces[j]
                display.append(core.display)
                core_text = "allah" if core.text in _ALLAH_WORDS or core.raw == "الله" else \
                    core.text
                out.append(_compound("abd", core_text, " ".join(display), core, p))
                i = j + 1
                continue
        if not arabic and t.startswith("abd") and len(t) > 5:
            split = _split_abd(t)
            if split is not None:
                out.append(_compound("abd", split, p.display, p, p))
                i += 1
                continue
        # ...ad-din and ...ullah compounds written apart: nur al-din, asad ullah
        if out and out[-1].role is None and not arabic and (
                t in _DIN or t in _ALLAH_WORDS or (
                    t in ARTICLES | set(SUN_ARTICLES) and nxt is not None
                    and nxt.text in _DIN | _ALLAH_WORDS)):
            prev = out[-1]
            if _ULLAH_GLUED.match(prev.text) or _DIN_GLUED.match(prev.text):
                out.append(p)  # already a compound (Hamdullah Allah Noor)
                i += 1
                continue
            if t in ARTICLES or t in SUN_ARTICLES:
                assert nxt is not None
                word, display, i = nxt.text, f"{p.display} {nxt.display}", i + 2
            else:
                word, display, i = t, p.display, i + 1
            suffix = "uddin" if word in _DIN else "ullah"
            if prev.core == "" and len(prev.text) >= 3:
                prev.core = prev.text
                prev.compound = "din" if word in _DIN else "allah"
                prev.text = prev.text + suffix
                prev.display = f"{prev.display} {display}"
                continue
            out.append(p)
            continue
        if arabic and p.raw == "الله" and out and out[-1].role is None and out[-1].core == "":
            out[-1].core, out[-1].compound = out[-1].text, "allah"
            out[-1].text += "ullah"
            out[-1].raw += "الله"
            out[-1].display += " " + p.display
            i += 1
            continue
        if arabic and p.raw == "دين" and p.article and out and out[-1].role is None and \
                out[-1].core == "":
            out[-1].core, out[-1].compound = out[-1].text, "din"
            out[-1].text += "uddin"
            out[-1].raw += "الدين"
            out[-1].display += " " + p.display
            i += 1
            continue
        # kunya markers: abu, umm (and glued abubakar)
        marker = KUNYA_MARKERS.get(t) if not arabic else _AR_KUNYA.get(p.raw)
        if marker is not None and nxt is not None:
            p.text = marker
            p.role = Role.MARKER
            out.append(p)
            nxt.role = Role.KUNYA
            if t == "abul":
                nxt.article = True
            i += 1
            continue
        if not arabic:
            m = _ABU_GLUED.match(t)
            if m and len(t) >= 7 and kind is not EntityKind.ORGANIZATION:
                cut = len(p.display) - len(m.group(2))
                out.append(_Piece("abu", p.display[:cut], p.script, True, p.raw,
                                  role=Role.MARKER))
                rest = _Piece(m.group(2), p.display[cut:], p.script, p.joined, p.raw)
                rest.role = Role.KUNYA
                out.append(rest)
                i += 1
                continue
        # nasab: bin, ibn, bint, ould, ag; the next part is a father's name
        is_nasab = (t in NASAB and not arabic) or (arabic and p.raw in _AR_NASAB)
        if is_nasab and nxt is not None and not out and t in ("bin", "ibn", "bint"):
            p.role = Role.PARTICLE  # a name written starting with its nasab
            p.text = "bin"
            out.append(p)
            i += 1
            continue
        if is_nasab and nxt is not None and out and not (t == "ben" and p.comma_before):
            p.role = Role.PARTICLE
            p.text = "bin" if t in ("ben", "ibn", "ebn", "bn", "ibnu") or p.raw in (
                "بن", "ابن") else t
            out.append(p)
            if nxt.role is None:
                nxt.role = Role.PATRONYMIC
            i += 1
            continue
        if ((t in HONORIFICS and not arabic) or (arabic and p.raw in _AR_HONORIFIC)) and (
                nxt is not None or not out):
            p.role = Role.HONORIFIC
        out.append(p)
        i += 1
    # glued ...uddin / ...ullah and glued articles
    for p in out:
        if p.core or p.role is not None or p.script == "arabic":
            continue
        m = _DIN_GLUED.match(p.text) or _DIN_GLUED2.match(p.text)
        if m and len(p.text) >= 7:
            p.text = m.group(1) + "uddin"
            p.core, p.compound = m.group(1), "din"
            continue
        m = _ULLAH_GLUED.match(p.text)
        if m and len(p.text) >= 7 and not p.text.startswith("abd"):
            p.text = m.group(1) + "ullah"
            p.core, p.compound = m.group(1), "allah"
            continue
        if not p.article and len(p.text) >= 6 and p.text[:2] in ("al", "el") and \
                p.text[2] not in "aeiouy":
            p.alts = (*p.alts, p.text[2:])
    return out


def _split_abd(t: str) -> str | None:
    """The name inside a glued abd compound: abdulrahman -> rahman, abdurrahman -> rahman,
    abdullah -> allah, abdelaziz -> aziz; None when ``t`` is not one."""
    rest = t[3:]
    if _ALLAH.match(rest):
        return "allah"
    # an assimilated article: abdurrahman, abdussalam, abdunnur
    for art, cons in (("ur", "r"), ("us", "s"), ("un", "n"), ("ud", "d"), ("ut", "t"),
                      ("uz", "z"), ("ush", "sh"), ("ar", "r"), ("as", "s"), ("an", "n"),
                      ("ad", "d"), ("at", "t"), ("az", "z"), ("ash", "sh"), ("er", "r"),
                      ("es", "s"), ("en", "n"), ("ed", "d")):
        if rest.startswith(art + cons) and len(rest) - len(art) >= 3:
            return rest[len(art):]
    for art in ("ul", "el", "al", "ol", "il"):
        if rest.startswith(art) and len(rest) - 2 >= 3:
            return rest[2:]
    if rest[:1] in "aeiou" and len(rest) - 1 >= 4 and rest[1] not in "aeiou":
        return rest[1:]
    if rest[:1] not in "aeiouy" and len(rest) >= 4:
        return rest
    return None


def _compound(head: str, core: str, display: str, source: _Piece, first: _Piece) -> _Piece:
    core = "allah" if _ALLAH.match(core) or core in _ALLAH_WORDS else core
    piece = _Piece(head + core, display, first.script if first.script == source.script
                   else source.script, False, source.raw)
    piece.core = core
    piece.compound = head
    piece.role = source.role if source.role is not None else None
    piece.comma_before = first.comma_before
    return piece


_ORG_HINTS = frozenset({
    "company", "corporation", "corp", "bank", "group", "holding", "holdings", "trading",
    "foundation", "organization", "organisation", "association", "front", "brigade",
    "brigades", "battalion", "army", "movement", "ministry", "council", "committee",
    "society", "institute", "establishment", "industries", "industrial", "enterprise",
    "enterprises", "agency", "charity", "ltd", "inc", "llc", "jsc", "gmbh", "plc", "limited",
    "incorporated", "shipping", "airlines", "airline", "university", "factory", "center",
    "centre", "office", "network", "party", "exchange", "services", "international",
    "fund", "trust", "mission", "commission", "bureau", "jamaat", "jamaah", "jemaah",
    "harakat", "jabhat", "katibat", "tanzim", "lashkar", "jaish", "ansar", "ansaru",
    "islamic", "brothers", "tehrik", "taliban", "qaida", "qaeda", "state", "emirate"})
_AMBIGUOUS_LEGAL = frozenset({"ag", "sa", "as", "ii", "iii", "co", "bv", "nv", "ab", "oy",
                              "se", "kg", "ug", "ev", "ps", "pp", "ek", "ou", "sp", "ik",
                              "aps", "ad", "dd", "ao", "ip"})
_LEGAL_WORDS = frozenset({"llc", "jsc", "ltd", "plc", "gmbh", "inc", "corp", "ooo", "oao", "zao",
                          "pjsc", "ojsc", "cjsc", "llp", "lp", "spa", "srl", "coltd", "pte",
                          "pvt", "sarl", "fze", "fzco", "wll", "fzc", "fzllc", "bhd", "sdn"})


def _legal_spans(texts: list[str]) -> list[tuple[int, int, str]]:
    """Where legal forms (Ltd, Joint Stock Company, GmbH...) are among the words, as
    (start, end, generic form), longest first."""
    joined = " ".join(texts)
    found = extract_org_types(joined, generic=True)
    spans: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for phrase, generic in sorted(found, key=lambda f: -len(f[0])):
        words = phrase.split()
        if len(words) == 1 and (_is_number(words[0])):
            continue
        for k in range(len(texts) - len(words) + 1):
            if texts[k:k + len(words)] == words and not taken & set(range(k, k + len(words))):
                spans.append((k, k + len(words), generic))
                taken.update(range(k, k + len(words)))
                break
    for k, t in enumerate(texts):
        if k not in taken and t in _LEGAL_WORDS:
            spans.append((k, k + 1, t))
    return sorted(spans)


def _org_kind(texts: list[str]) -> bool:
    if any(t in _ORG_HINTS for t in texts):
        return True
    for start, end, _ in _legal_spans(texts):
        words = texts[start:end]
        if len(words) > 1 or words[0] not in _AMBIGUOUS_LEGAL:
            return True
    return False


@lru_cache(maxsize=262144)
def _symbols(text: str) -> frozenset[str]:
    """Wikidata name ids rigour knows for a single name part (in any script): the same
    id for Mohammed and Muhammad, for حسين and Hussein."""
    if len(text) < 3:
        return frozenset()
    try:
        names = analyze_names(NameTypeTag.PER, [text], consolidate=False, phonetics=False,
                              numerics=False)
    except Exception:  # pragma: no cover - rigour refusing a token is not our problem
        return frozenset()
    ids = set()
    for name in names:
        if len(name.parts) != 1:
            continue
        for span in name.spans:
            if span.symbol.category.value in ("NAME", "NICK"):
                ids.add(span.symbol.id)
    return frozenset(ids)


@lru_cache(maxsize=262144)
def _part_symbols(text: str, script: str, raw: str, article: bool, compound: str,
                  core: str) -> frozenset[str]:
    if script == "arabic":
        if compound == "abd":
            return _symbols("عبد " + ("ال" + raw if raw != "الله" else raw))
        return _symbols(raw) | (_symbols(_AR_ARTICLE + raw) if article else frozenset())
    symbols = _symbols(text)
    if compound == "abd":
        symbols = symbols | _symbols("abdul" + core) | _symbols(f"abd al {core}")
    return symbols


@lru_cache(maxsize=131072)
def _part(text: str, display: str, role: Role, script: str, alts: tuple[str, ...],
          article: bool, core: str, raw: str, compound: str = "") -> Part:
    vowelled = script != "arabic"
    if script == "arabic":
        folded = fold(text) if text else ""
        skel = _arabic_skeleton(raw) if raw and compound != "abd" else skeleton(folded)
        if compound == "abd" and raw:
            skel = "bd" + _arabic_skeleton(raw)
        key = "ar:" + (("abd" + raw) if compound == "abd" else raw)
    else:
        folded = fold(text)
        skel = skeleton(folded)
        key = text
    if script != "arabic" and "ch" in text and not compound:
        # "ch" is "sh" in French spellings of Arabic names (Cherif, Achraf), and "j" in
        # the other romanisation of Korean syllables (Cho / Jo)
        alts = (*alts, text.replace("ch", "sh"))
        if len(text) <= 4 and text.startswith("ch"):
            alts = (*alts, "j" + text[2:])
    alt_folds = tuple(dict.fromkeys(fold(a) for a in alts if fold(a) != folded))
    core_fold = fold(core) if core else ""
    common = folded in COMMON_FOLDS or (script == "arabic" and text in _COMMON_ARABIC_TEXT)
    return Part(text, display, role, script, folded, skel, alt_folds, article, core_fold,
                vowelled, key, common, compound, raw, core)


_COMMON_ARABIC_TEXT = frozenset({"mhmd", "ahmd", "ali", "hsn", "hsin", "mhmud", "ibrahim",
                                 "mstfa", "ysf", "yusf", "amr", "khalid", "khald"})


def _roles(pieces: list[_Piece], kind: EntityKind) -> None:
    if kind is not EntityKind.PERSON:
        for p in pieces:
            if p.role is not None and p.role not in (Role.KUNYA, Role.PATRONYMIC):
                continue
            if _is_number(p.text):
                p.role = Role.NUMBER
            elif p.text in ORG_STOPWORDS:
                p.role = Role.PARTICLE
            elif p.text in ORG_GENERIC:
                p.role = Role.GENERIC
            else:
                p.role = Role.WORD
        return
    core = [p for p in pieces if p.role is None or p.role in (Role.PATRONYMIC,)]
    for p in pieces:
        # an initial: one consonant, or one letter written with a full stop (A. Khamenei);
        # a lone vowel is a syllable (the Korean U, O)
        if p.role is None and len(p.text) == 1 and p.script != "arabic" and len(core) > 1 and (
                p.text not in "aeiou" or p.initial):
            p.role = Role.INITIAL
        elif p.role is None and _DIGITS.match(p.text):
            p.role = Role.NUMBER
    free = [p for p in pieces if p.role in (None, Role.PATRONYMIC, Role.KUNYA)]
    if not free:
        return
    last = free[-1]
    initials = any(p.role is Role.INITIAL for p in pieces)
    if (len(free) >= 2 or initials) and last.role in (None, Role.PATRONYMIC):
        last.role = Role.FAMILY
    first = free[0]
    if first.role is None:
        first.role = Role.GIVEN
    for p in free:
        if p.role is None:
            p.role = Role.MIDDLE


@lru_cache(maxsize=65536)
def normalise_name(name: str, kind: EntityKind | None = None) -> NormalName:
    """``name`` cleaned, romanised and split into tagged parts. ``kind`` None guesses
    (an organisation when the name holds a legal form such as Ltd or LLC).

    Raises InvalidInput for an empty name or a name made only of particles ("al-")."""
    if name is None or not name.strip():
        raise InvalidInput("The name is empty: give the name to screen.", field="name")
    cleaned = clean(name)
    warnings: list[str] = []
    pieces = _pieces(cleaned, warnings)
    if not pieces:
        raise InvalidInput("The name '%(name)s' has no letters or digits to screen.",
                           field="name", name=name.strip())
    if kind is None:
        kind = EntityKind.ORGANIZATION if _org_kind([p.text for p in pieces]) else \
            EntityKind.PERSON
    person = kind is EntityKind.PERSON
    if person:
        # "FAMILY, Given": the part before a single comma is the family name
        commas = [k for k, p in enumerate(pieces) if p.comma_before]
        if len(commas) == 1 and 0 < commas[0] < len(pieces):
            k = commas[0]
            pieces = pieces[k:] + pieces[:k]
        pieces = _assemble(pieces, kind)
    else:
        pieces = _org_pieces(pieces)
    substantive = [p for p in pieces if p.role not in (Role.PARTICLE, Role.HONORIFIC,
                                                       Role.MARKER)
                   and not (p.text in _PARTICLE_WORDS and not p.core)
                   and not (p.script == "arabic" and p.raw in _AR_PARTICLES)]
    if not substantive:
        raise InvalidInput("The name '%(name)s' is made only of particles or titles "
                           "(such as al-, bin, abu, sheikh); give the name itself.",
                           field="name", name=name.strip())
    _roles(pieces, kind)
    scripts = frozenset(p.script for p in pieces)
    parts = tuple(_part(p.text, p.display, p.role or Role.WORD, p.script, p.alts, p.article,
                        p.core, p.raw if p.script == "arabic" or p.script not in _ALPHABETS
                        else "", p.compound)
                  for p in pieces)
    return NormalName(name, parts, kind, scripts, tuple(warnings))


_ORG_SYNONYMS = {"co": "company", "corp": "corporation", "intl": "international",
                 "grp": "group", "bros": "brothers", "mfg": "manufacturing",
                 "assn": "association", "dept": "department", "natl": "national",
                 "svcs": "services", "inst": "institute", "univ": "university",
                 "1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth",
                 "5th": "fifth", "centre": "center", "organisation": "organization"}
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _number_text(t: str) -> str:
    """Digits as they are (without leading zeros), Roman numerals as digits."""
    if t.isdigit():
        return str(int(t))
    total = 0
    for k, ch in enumerate(t):
        v = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[t[k + 1]] if k + 1 < len(t) else 0
        total += -v if v < nxt else v
    return str(total)


def _org_pieces(pieces: list[_Piece]) -> list[_Piece]:
    """Organisation names keep their words; legal forms become one part each, in their
    generic form (Limited Liability Company, OOO and LLC all ``llc``); an article joined
    by a hyphen (al-Nusrah) goes with its word; Co, Corp, Intl... are written out and
    numbers (2, II) are digits."""
    for p in pieces:
        p.text = _ORG_SYNONYMS.get(p.text, p.text)
        if _is_number(p.text) and len(pieces) > 1:
            p.text = _number_text(p.text)
    texts = [p.text for p in pieces]
    spans = {start: (end, generic) for start, end, generic in _legal_spans(texts)}
    out: list[_Piece] = []
    k = 0
    while k < len(pieces):
        p = pieces[k]
        if k in spans:
            end, generic = spans[k]
            display = " ".join(q.display for q in pieces[k:end])
            legal = _Piece(generic, display, "latin", False, "")
            legal.role = Role.LEGAL
            out.append(legal)
            k = end
            continue
        if p.text in ARTICLES and k + 1 < len(pieces) and p.script != "arabic" and p.joined:
            pieces[k + 1].article = True
            pieces[k + 1].display = f"{p.display}-{pieces[k + 1].display}"
            k += 1
            continue
        if not p.article and len(p.text) >= 6 and p.text[:2] in ("al", "el") and \
                p.text[2] not in "aeiouy":
            p.alts = (*p.alts, p.text[2:])
        out.append(p)
        k += 1
    return out


def comparable(name: str, kind: EntityKind | None = None) -> str:
    """The normalised name as one string: its parts' romanised forms (particles and the
    article left out), in order. Idempotent: ``comparable(comparable(x)) == comparable(x)``
    for names in Latin script."""
    try:
        return normalise_name(name, kind).text
    except InvalidInput:
        return ""
