"""The EU Financial Sanctions Files (FSF) consolidated list, XML format (namespace
``http://eu.europa.ec/fpi/fsd/export``).

Each ``export/sanctionEntity`` becomes an entry with its ``euReferenceNumber``
("EU.2727.79") as id, or its ``logicalId`` when it has none. subjectType ``person`` is a
person, ``enterprise`` an organisation. The first strong ``nameAlias`` is the primary
name, other strong ones strong aliases, ``strong="false"`` weak ones; a name is its
``wholeName``, or its first, middle and last names. Birth dates come from ``birthdate``
(the full date, a year with month and day, or ``yearRangeFrom``/``yearRangeTo``; one year
wider each side when ``circa="true"``), nationalities from ``citizenship``
(countryIso2Code), documents from ``identification`` numbers, the programme from each
``regulation``'s programme; the export's ``generationDate`` is the generation time.
"""

import datetime as dt
from collections.abc import Callable
from xml.etree.ElementTree import Element

from aidhub.screening.lists._collector import Collector, Progress, unique_dates
from aidhub.screening.lists._countries import country, country_code
from aidhub.screening.lists._dates import (
    UnreadableDate,
    around,
    day,
    month_range,
    parse_date,
    year_range,
)
from aidhub.screening.lists._names import list_name, unique_names
from aidhub.screening.lists._text import clean, parse_day, parse_timestamp, unique
from aidhub.screening.lists._xml import records, text
from aidhub.screening.model import BirthDate, EntityKind, ListEntry, ListFile, NameQuality

LIST = "eu-fsf"
FORMAT = "eu-xml"
WHAT = "the EU Financial Sanctions Files consolidated list (XML)"
_KINDS = {"person": EntityKind.PERSON, "enterprise": EntityKind.ORGANIZATION}


def load(data: bytes, *, progress: Progress | None = None) -> ListFile:
    """The list in ``data``, complete, or InvalidInput saying why not."""
    collector = Collector(LIST, data, progress)
    generated: list[dt.datetime | None] = []

    def on_root(tag: str, attributes: dict[str, str]) -> None:
        generated.append(parse_timestamp(attributes.get("generationDate")))

    for element in records(data, ("sanctionEntity",), roots=("export",), what=WHAT,
                           on_root=on_root, tick=collector.tick):
        collector.add(_entry(element, collector.warn))
    return collector.result(FORMAT, generated[0] if generated else None)


def _entry(element: Element, warn: Callable[[str | None, str], None]) -> ListEntry:
    entry_id = clean(element.get("euReferenceNumber")) or clean(element.get("logicalId"))
    subject = element.find("subjectType")
    kind = _KINDS.get(clean(subject.get("code") if subject is not None else "").lower(),
                      EntityKind.OTHER)
    names, primary_given = [], False
    for alias in element.iterfind("nameAlias"):
        strong = clean(alias.get("strong", "true")).lower() != "false"
        quality = NameQuality.WEAK if not strong else (
            NameQuality.STRONG if primary_given else NameQuality.PRIMARY)
        primary_given = primary_given or quality is NameQuality.PRIMARY
        names.append(list_name(_whole_name(alias), quality))
    dates = []
    for birth in element.iterfind("birthdate"):
        try:
            dates.append(_birth_date(birth))
        except UnreadableDate as error:
            warn(entry_id, f"{error}; skipped")
    nationalities = [country_code(c.get("countryIso2Code"))
                     or country(c.get("countryDescription"))
                     for c in element.iterfind("citizenship")]
    documents = [clean(i.get("number")) or clean(i.get("latinNumber"))
                 for i in element.iterfind("identification")]
    regulations = list(element.iterfind("regulation"))
    published = (parse_day(r.get("publicationDate")) for r in regulations)
    listed_on = parse_day(element.get("designationDate")) or min(
        (d for d in published if d), default=None)
    return ListEntry(
        list=LIST, entry_id=entry_id, kind=kind, names=unique_names(names),
        birth_dates=unique_dates(d for d in dates if d), nationalities=unique(nationalities),
        documents=unique(documents),
        programme="; ".join(unique(clean(r.get("programme")) for r in regulations)),
        listed_on=listed_on,
        remarks=" ".join(t for t in (text(r) for r in element.iterfind("remark")) if t))


def _whole_name(alias: Element) -> str:
    whole = clean(alias.get("wholeName"))
    if whole:
        return whole
    return clean(" ".join(alias.get(p, "") for p in ("firstName", "middleName", "lastName")))


def _birth_date(element: Element) -> BirthDate | None:
    circa = clean(element.get("circa")).lower() == "true"
    full = clean(element.get("birthdate"))
    year = _number(element.get("year"))
    month = _number(element.get("monthOfYear") or element.get("month"))
    day_ = _number(element.get("dayOfMonth") or element.get("day"))
    start, end = _number(element.get("yearRangeFrom")), _number(element.get("yearRangeTo"))
    if full:
        found = parse_date(full)
    elif year and month and day_:
        found = day(year, month, day_)
    elif year and month:
        found = month_range(year, month)
    elif year:
        found = year_range(year)
    elif start or end:
        found = year_range(start or end, end or start,
                           text=f"{start or '?'} to {end or '?'}")
    else:
        return None
    return around(found) if circa and found else found


def _number(value: str | None) -> int:
    value = clean(value)
    return int(value) if value.isdigit() else 0
