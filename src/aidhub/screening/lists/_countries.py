"""Countries as lists write them, as ISO 3166-1 alpha-2 codes where they can be: by
pycountry's names ("Syrian Arab Republic", "Türkiye"...), the short and older names lists
use ("Iran", "Turkey", "Libyan Arab Jamahiriya") and nationality adjectives ("Afghan")."""

import re

import pycountry

from aidhub.screening.lists._text import clean

_PLACEHOLDERS = frozenset({"", "-", "--", "-0-", "na", "n/a", "none", "unknown", "00",
                           "not known", "nil", "null"})
_HEDGES = re.compile(r"^(?:possibly|probably|reportedly|allegedly)\s+|\s+by birth$", re.I)


def country(text: str | None) -> str:
    """A country as a list writes it in words ("Syrian Arab Republic", "Afghan",
    "Iran (Islamic Republic of)") as an ISO 3166-1 alpha-2 code ("SY"), or the text as
    written when it names no country we know; "" for placeholders like "na"."""
    text = clean(text)
    if text.casefold() in _PLACEHOLDERS:
        return ""
    for candidate in (text, re.sub(r"\s*\(.*?\)\s*", " ", text).strip(),
                      _HEDGES.sub("", text)):
        if len(candidate) > 2:  # two letters would be read as a code ("na")
            found = _lookup(candidate)
            if found:
                return found
    return text


def _lookup(name: str) -> str | None:
    key = name.casefold().strip(" .")
    if key in _OTHER_NAMES:
        return _OTHER_NAMES[key]
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return None


def country_code(code: str | None) -> str:
    """An ISO code a list gives ("SY", "sy", "su") as an upper-case alpha-2 code, or as
    written when it is not one; "" for placeholders like "00"."""
    code = clean(code)
    if code.casefold() in _PLACEHOLDERS:
        return ""
    if len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None:
        return code.upper()
    if code.upper() == "SU":  # the Soviet Union, still on old entries
        return "SU"
    return code.upper() if len(code) == 2 else code


# Names and adjectives lists use that are not pycountry's names of the country.
_OTHER_NAMES = {
    "turkey": "TR", "iran": "IR", "syria": "SY", "russia": "RU", "palestine": "PS",
    "state of palestine": "PS", "occupied palestinian territory": "PS", "libya": "LY",
    "libyan arab jamahiriya": "LY", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "moldova": "MD", "north korea": "KP", "south korea": "KR", "korea, north": "KP",
    "korea, south": "KR", "united states": "US", "usa": "US", "uk": "GB",
    "great britain": "GB", "united kingdom": "GB", "laos": "LA", "vietnam": "VN",
    "czech republic": "CZ", "macedonia": "MK", "swaziland": "SZ", "burma": "MM",
    "democratic republic of the congo": "CD", "congo, democratic republic of the": "CD",
    "republic of the congo": "CG", "ivory coast": "CI", "cote d'ivoire": "CI",
    "gaza strip": "PS", "west bank": "PS", "kosovo": "XK", "taiwan": "TW",
    "afghan": "AF", "albanian": "AL", "algerian": "DZ", "american": "US", "australian": "AU",
    "azerbaijani": "AZ", "bahraini": "BH", "bangladeshi": "BD", "belgian": "BE",
    "bosnian": "BA", "british": "GB", "canadian": "CA", "chadian": "TD", "chinese": "CN",
    "danish": "DK", "dutch": "NL", "egyptian": "EG", "emirati": "AE", "eritrean": "ER",
    "ethiopian": "ET", "filipino": "PH", "french": "FR", "georgian": "GE", "german": "DE",
    "indian": "IN", "indonesian": "ID", "iranian": "IR", "iraqi": "IQ", "israeli": "IL",
    "italian": "IT", "jordanian": "JO", "kazakh": "KZ", "kenyan": "KE", "kuwaiti": "KW",
    "kyrgyz": "KG", "lebanese": "LB", "libyan": "LY", "malaysian": "MY", "malian": "ML",
    "mauritanian": "MR", "moroccan": "MA", "nigerian": "NG", "nigerien": "NE",
    "norwegian": "NO", "omani": "OM", "pakistani": "PK", "palestinian": "PS",
    "qatari": "QA", "russian": "RU", "saudi": "SA", "saudi arabian": "SA", "somali": "SO",
    "spanish": "ES", "sudanese": "SD", "swedish": "SE", "swiss": "CH", "syrian": "SY",
    "tajik": "TJ", "tunisian": "TN", "turkish": "TR", "turkmen": "TM", "ukrainian": "UA",
    "uzbek": "UZ", "yemeni": "YE",
}
