"""OFAC's SDN list in XML: the classic ``sdn.xml`` here, the Advanced Sanctions List
Standard ``sdn_advanced.xml`` in :mod:`aidhub.screening.lists.ofac_advanced` (both are
format "ofac-xml"; the root element tells them apart).

Each ``sdnEntry`` becomes an entry with its ``uid`` as id: firstName and lastName are the
primary name, ``akaList/aka`` the aliases (category "strong" or "weak"), sdnType
Individual / Entity / Vessel / Aircraft the kind, ``programList/program`` the programme.
Birth dates come from ``dateOfBirthList`` ("17 Jan 1941", "1941", "circa 1965", "1960 to
1962"), nationalities from ``nationalityList`` and ``citizenshipList``, documents from
the passports and ID numbers of ``idList``; ``publshInformation/Publish_Date`` (sic) is
the generation date.
"""

import datetime as dt
import re
from xml.etree.ElementTree import Element

from aidhub.screening.lists import ofac_advanced
from aidhub.screening.lists._collector import Collector, Progress, unique_dates
from aidhub.screening.lists._countries import country
from aidhub.screening.lists._dates import UnreadableDate, parse_date
from aidhub.screening.lists._names import list_name, unique_names
from aidhub.screening.lists._ofac import LIST
from aidhub.screening.lists._text import clean, unique
from aidhub.screening.lists._xml import records, text, texts
from aidhub.screening.model import BirthDate, EntityKind, ListEntry, ListFile, NameQuality

FORMAT = "ofac-xml"
WHAT = "OFAC's SDN list as XML (sdn.xml or sdn_advanced.xml)"
_KINDS = {"individual": EntityKind.PERSON, "vessel": EntityKind.OTHER,
          "aircraft": EntityKind.OTHER}
# idList also holds things that are not papers (gender, website, sanctions notes...).
_DOCUMENT_TYPES = re.compile(
    r"passport|\bid\b|identification|cedula|registration|tax|licen[cs]e|\bcard\b|"
    r"c\.u\.r\.p|r\.f\.c|d\.n\.i|\bssn\b|\bnit\b|\bruc\b|\bimo\b|number|\bno\.", re.I)
_NOT_DOCUMENTS = re.compile(r"gender|website|e-?mail|phone|sanctions|linked to|"
                            r"executive order|digital currency|organization|secondary", re.I)


def load(data: bytes, *, progress: Progress | None = None) -> ListFile:
    """The list in ``data`` (sdn.xml or sdn_advanced.xml), complete, or InvalidInput."""
    if ofac_advanced.is_advanced(data):
        return ofac_advanced.load(data, progress=progress)
    collector = Collector(LIST, data, progress)
    generated: dt.datetime | None = None
    for element in records(data, ("sdnEntry", "publshInformation"), roots=("sdnList",),
                           what=WHAT, tick=collector.tick):
        if element.tag == "publshInformation":
            generated = _publish_date(text(element, "Publish_Date"))
        else:
            collector.add(_entry(element, collector))
    return collector.result(FORMAT, generated)


def _entry(element: Element, collector: Collector) -> ListEntry:
    uid = text(element, "uid")
    kind = _KINDS.get(text(element, "sdnType").lower(), EntityKind.ORGANIZATION)
    names = [list_name(_name(element), NameQuality.PRIMARY)]
    for aka in element.iterfind("akaList/aka"):
        weak = text(aka, "category").lower() == "weak"
        names.append(list_name(_name(aka), NameQuality.WEAK if weak else NameQuality.STRONG))
    dates: list[BirthDate] = []
    for born in texts(element, "dateOfBirthList/dateOfBirthItem/dateOfBirth"):
        try:
            if found := parse_date(born):
                dates.append(found)
        except UnreadableDate as error:
            collector.warn(uid, f"{error}; skipped")
    countries = (texts(element, "nationalityList/nationality/country")
                 + texts(element, "citizenshipList/citizenship/country"))
    documents = [text(i, "idNumber") for i in element.iterfind("idList/id")
                 if _DOCUMENT_TYPES.search(text(i, "idType"))
                 and not _NOT_DOCUMENTS.search(text(i, "idType"))]
    return ListEntry(
        list=LIST, entry_id=uid, kind=kind, names=unique_names(names),
        birth_dates=unique_dates(dates), nationalities=unique(country(c) for c in countries),
        documents=unique(documents), programme="; ".join(unique(texts(
            element, "programList/program"))), remarks=text(element, "remarks"))


def _name(element: Element) -> str:
    return clean(f"{text(element, 'firstName')} {text(element, 'lastName')}")


def _publish_date(value: str) -> dt.datetime | None:
    """OFAC's "11/24/2023" (month first)."""
    try:
        return dt.datetime.strptime(value, "%m/%d/%Y")
    except ValueError:
        return None
