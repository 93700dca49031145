"""Names as lists write them: their script, several packed into one alias field, and
each name once with the best quality it is given."""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from aidhub.screening.lists._text import clean
from aidhub.screening.model import ListName, NameQuality

# The first word of a letter's Unicode name is its script, nearly always ("ARABIC LETTER
# ALEF", "CYRILLIC SMALL LETTER A"); these are folded into the names ListName.script uses.
_SCRIPTS = {"cjk": "cjk", "hiragana": "cjk", "katakana": "cjk", "hangul": "cjk",
            "bopomofo": "cjk"}
_PACKED = re.compile(r"[;()،]")
_ANNOTATIONS = re.compile(r"(?<=\()\s*original script\s*:?|\s+-\s+sub-unit name\b", re.I)
_QUALITY_RANK = {NameQuality.PRIMARY: 0, NameQuality.STRONG: 1, NameQuality.WEAK: 2}


def script_of(text: str) -> str | None:
    """The script most letters of ``text`` are written in: "latin", "arabic", "cyrillic",
    "cjk" (Chinese, Japanese, Korean)...; None when it has no letters."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            script = _script(char)
            if script:
                counts[_SCRIPTS.get(script, script)] += 1
    return counts.most_common(1)[0][0] if counts else None


def _script(char: str) -> str | None:
    name = unicodedata.name(char, "")
    if not name:
        return None
    first = name.split()[0].lower()
    if first in ("modifier", "combining", "fullwidth", "halfwidth"):
        return None
    return first


def list_name(full: str | None, quality: NameQuality) -> ListName | None:
    """A cleaned name with its script detected, or None when there is no name."""
    full = clean(full)
    return ListName(full, quality, script_of(full)) if full else None


def unpack_names(text: str | None) -> list[str]:
    """The names in one alias field. The UN packs several into one, as in ``جبهة النصرة
    (the Victory Front; Jabhat al-Nusrah)`` or ``Qasim Soleimani; Qasem Sulaimani``: an
    alias holding ';' or an Arabic comma, or a name in one script followed by one in
    another in brackets (not a one-word note like "(Tigrinya)"), is split at those and
    at brackets."""
    text = re.sub(r"\(\s*\)", " ", _ANNOTATIONS.sub(" ", clean(text)))
    if ";" not in text and "،" not in text:
        outside, _, inside = text.partition("(")
        if len(inside.split()) < 2 or script_of(outside) == script_of(inside):
            return [clean(text)] if text.strip() else []
    parts = (clean(p).strip(" ,-") for p in _PACKED.split(text))
    return [p for p in parts if p]


def unique_names(names: Iterable[ListName | None]) -> tuple[ListName, ...]:
    """Names in the order first given, each once (compared without case); a name given
    twice keeps the better of its qualities."""
    best: dict[str, ListName] = {}
    for name in names:
        if name is None:
            continue
        key = name.full.casefold()
        kept = best.get(key)
        if kept is None or _QUALITY_RANK[name.quality] < _QUALITY_RANK[kept.quality]:
            best[key] = name if kept is None else replace(kept, quality=name.quality)
    return tuple(best.values())
