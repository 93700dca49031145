"""The UN Security Council Consolidated List, XML format
(https://scsanctions.un.org/resources/xml/en/consolidated.xml, schema
https://www.un.org/sc/resources/sc-sanctions.xsd).

Each ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY`` becomes an entry with its
REFERENCE_NUMBER (``QDi.317``) as id: FIRST_NAME to FOURTH_NAME joined are the primary
name, NAME_ORIGINAL_SCRIPT is the primary name in its own script, aliases of QUALITY
"Good" (or "a.k.a."/"f.k.a." for entities) are strong and "Low" weak. Birth dates follow
TYPE_OF_DATE (EXACT, APPROXIMATELY: one year either side, BETWEEN: FROM_YEAR to TO_YEAR);
UN_LIST_TYPE is the programme and the root's ``dateGenerated`` the generation time.
"""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from aidhub.screening.lists._collector import Collector, Progress, unique_dates
from aidhub.screening.lists._countries import country
from aidhub.screening.lists._dates import UnreadableDate, around, parse_date, year_range
from aidhub.screening.lists._names import list_name, script_of, unique_names, unpack_names
from aidhub.screening.lists._text import parse_day, parse_timestamp, unique
from aidhub.screening.lists._xml import records, text, texts
from aidhub.screening.model import BirthDate, EntityKind, ListEntry, ListFile, NameQuality

LIST = "un-sc"
FORMAT = "un-xml"
WHAT = "the UN Security Council Consolidated List (XML)"
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def load(data: bytes, *, progress: Progress | None = None) -> ListFile:
    """The list in ``data``, complete, or InvalidInput saying why not."""
    collector = Collector(LIST, data, progress)
    generated: list[dt.datetime | None] = []

    def on_root(tag: str, attributes: dict[str, str]) -> None:
        generated.append(parse_timestamp(attributes.get("dateGenerated")))

    for element in records(data, ("INDIVIDUAL", "ENTITY"), roots=("CONSOLIDATED_LIST",),
                           what=WHAT, on_root=on_root, tick=collector.tick):
        collector.add(_entry(element, collector))
    return collector.result(FORMAT, generated[0] if generated else None)


def _entry(element: Element, collector: Collector) -> ListEntry:
    person = element.tag == "INDIVIDUAL"
    entry_id = text(element, "REFERENCE_NUMBER") or text(element, "DATAID")
    alias_tag = "INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"
    primary = " ".join(text(element, part) for part in _NAME_PARTS)
    names = [list_name(primary, NameQuality.PRIMARY),
             list_name(_original(text(element, "NAME_ORIGINAL_SCRIPT")), NameQuality.PRIMARY)]
    for alias in element.iterfind(alias_tag):
        quality = _quality(text(alias, "QUALITY"))
        names.extend(list_name(n, quality) for n in unpack_names(alias.findtext("ALIAS_NAME")))
    return ListEntry(
        list=LIST, entry_id=entry_id,
        kind=EntityKind.PERSON if person else EntityKind.ORGANIZATION,
        names=unique_names(names),
        birth_dates=_birth_dates(element, alias_tag, entry_id, collector),
        nationalities=unique(country(v) for v in texts(element, "NATIONALITY/VALUE")),
        documents=unique(texts(element, "INDIVIDUAL_DOCUMENT/NUMBER")),
        programme=text(element, "UN_LIST_TYPE"),
        listed_on=parse_day(text(element, "LISTED_ON")),
        remarks=text(element, "COMMENTS1"))


def _birth_dates(element: Element, alias_tag: str, entry_id: str,
                 collector: Collector) -> tuple[BirthDate, ...]:
    """The entry's birth dates, and those its aliases give (the UN writes some there)."""
    readings: list[tuple[Callable[[Any], BirthDate | None], Any]] = [
        (_birth_date, b) for b in element.iterfind("INDIVIDUAL_DATE_OF_BIRTH")]
    readings += [(parse_date, text(a, "DATE_OF_BIRTH")) for a in element.iterfind(alias_tag)]
    found = []
    for read, value in readings:
        try:
            found.append(read(value))
        except UnreadableDate as error:
            collector.warn(entry_id, f"{error}; skipped")
    return unique_dates(d for d in found if d)


def _original(name: str) -> str:
    """The name in original script without a note of its language ("ፍትዊ ዓብዱረዛቕ
    (Tigrinya)")."""
    match = re.fullmatch(r"(.+?)\s*\(\s*[A-Za-z]+\s*\)", name)
    return match.group(1) if match and script_of(match.group(1)) != "latin" else name


def _quality(quality: str) -> NameQuality:
    """"Good", "a.k.a.", "f.k.a." are strong; "Low" (and "a.k.a. low") weak."""
    return NameQuality.WEAK if "low" in quality.lower() else NameQuality.STRONG


def _birth_date(element: Element) -> BirthDate | None:
    """One INDIVIDUAL_DATE_OF_BIRTH: a DATE, a YEAR (with a month in its NOTE, "Sep."),
    FROM_YEAR to TO_YEAR, or a NOTE alone ("Nov. 1973"); None when it is empty."""
    kind = text(element, "TYPE_OF_DATE").upper()
    date, year, note = text(element, "DATE"), text(element, "YEAR"), text(element, "NOTE")
    if kind == "BETWEEN" and text(element, "FROM_YEAR"):
        start, end = text(element, "FROM_YEAR"), text(element, "TO_YEAR")
        if not (start.isdigit() and (end or start).isdigit()):
            return parse_date(f"{start} to {end}")
        return year_range(int(start), int(end or start), text=f"{start} to {end}")
    approximate = kind == "APPROXIMATELY"
    if date:
        found = parse_date(date)
    elif year and note and not note[:1].isdigit():  # YEAR 1958 with NOTE "Sep."
        try:
            found = parse_date(f"{note} {year}")
        except UnreadableDate:
            found = parse_date(year)
    elif year:
        found = parse_date(year)
    elif note:
        found = parse_date(note)
    else:
        return None
    return around(found) if approximate and found else found

