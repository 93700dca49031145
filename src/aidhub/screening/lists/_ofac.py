"""What OFAC's files share: names written "LAST, First", programme lists, and the facts
OFAC writes into an entry's remarks ("DOB 01 Jan 1980; POB Aleppo, Syria; nationality
Syria; Passport 123 (Syria); a.k.a. 'ABU X'.")."""

import re
from dataclasses import dataclass, field

from aidhub.screening.lists._countries import country
from aidhub.screening.lists._dates import UnreadableDate, parse_date
from aidhub.screening.lists._text import clean
from aidhub.screening.model import BirthDate

LIST = "us-ofac"

_DOB = re.compile(r"^(?:alt\.\s+)?DOB\s+(.+)$", re.I)
_NATIONALITY = re.compile(r"^(?:alt\.\s+)?(?:nationality|citizen)\s+(.+)$", re.I)
_WEAK = re.compile(r"^[afn]\.k\.a\.,?\s+['\"‘’“”](.+)['\"‘’“”]$", re.I)
_DOCUMENT = re.compile(
    r"^(?:alt\.\s+)?(?:(?:diplomatic|official|service)\s+)?"
    r"(?:passport(?:\s+no\.?)?|(?:national\s+)?id(?:entification)?\s+(?:no\.?|number|card)"
    r"|identification\s+number|cedula\s+no\.?|personal\s+id\s+card|tax\s+id\s+no\.?"
    r"|registration\s+(?:id|number)|travel\s+document\s+number|residency\s+number"
    r"|driver'?s\s+license\s+no\.?|nit\s+#|ruc\s+#|c\.u\.r\.p\.|r\.f\.c\.|d\.n\.i\.|ssn"
    r"|vessel\s+registration\s+identification)"
    r"\s+(.+?)(?=\s+\(|\s+issued\b|\s+expires\b|$)", re.I)


@dataclass
class RemarkFacts:
    """What the remarks say: weak aliases, birth dates, nationalities, documents, and the
    dates that could not be read (as warnings)."""

    weak_aliases: list[str] = field(default_factory=list)
    birth_dates: list[BirthDate] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_remarks(remarks: str) -> RemarkFacts:
    """The facts in OFAC remarks, which are ';'-separated and end with a full stop."""
    facts = RemarkFacts()
    for part in clean(remarks).split(";"):
        part = part.strip().removesuffix(".").strip()
        if match := _WEAK.match(part):
            facts.weak_aliases.append(clean(match.group(1)))
        elif match := _DOB.match(part):
            try:
                if found := parse_date(match.group(1)):
                    facts.birth_dates.append(found)
            except UnreadableDate as error:
                facts.problems.append(f"{error}; skipped")
        elif match := _NATIONALITY.match(part):
            facts.nationalities.append(country(match.group(1)))
        elif match := _DOCUMENT.match(part):
            facts.documents.append(clean(match.group(1)))
    return facts


def person_name(name: str) -> str:
    """OFAC's "AL-ZAWAHIRI, Ayman" in natural order: "Ayman AL-ZAWAHIRI"."""
    last, comma, first = clean(name).partition(", ")
    return f"{first} {last}" if comma and first else clean(name).strip(",")


def programmes(text: str) -> str:
    """"SDGT] [IRGC" (the CSV's way of listing programmes) as "SDGT; IRGC"."""
    parts = [clean(p) for p in re.split(r"\]\s*\[", text.strip(" []"))]
    return "; ".join(dict.fromkeys(p for p in parts if p))
