"""OFAC's SDN list in the Advanced Sanctions List Standard (``sdn_advanced.xml``), loaded
as format "ofac-xml" like the classic ``sdn.xml``.

The file is relational: reference value sets (alias types, name part types, feature
types, countries...), locations and identity documents come first, then each
``DistinctParty`` (its ``FixedRef`` is OFAC's uid, the entry id), then the
``SanctionsEntries`` that give each profile its programmes and listing date. Names are
built from their parts in natural order ("First Middle Last"); an alias marked
``Primary="true"`` is the primary name (in each script it is documented in), one marked
``LowQuality="true"`` is weak. Birth dates come from "Birthdate" features (a
``DatePeriod`` from the start's earliest to the end's latest day, one year wider each side
when marked approximate), nationalities from "Nationality" and "Citizenship" features.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from aidhub.screening.lists._collector import Collector, Progress, unique_dates
from aidhub.screening.lists._countries import country, country_code
from aidhub.screening.lists._dates import UnreadableDate, around, checked, day, year_range
from aidhub.screening.lists._names import list_name, unique_names
from aidhub.screening.lists._ofac import LIST
from aidhub.screening.lists._text import clean, unique
from aidhub.screening.lists._xml import local, records, text
from aidhub.screening.model import BirthDate, EntityKind, ListEntry, ListFile, NameQuality

FORMAT = "ofac-xml"
WHAT = "OFAC's SDN list in the advanced XML format (sdn_advanced.xml)"
_RECORDS = ("DateOfIssue", "ReferenceValueSets", "Location", "IDRegDocument",
            "DistinctParty", "SanctionsEntry")
# Name part types, in the order a name is written.
_PART_ORDER = ("first name", "middle name", "patronymic", "matronymic", "last name",
               "maiden name", "entity name", "vessel name", "aircraft name", "nickname")
# Ids the published files use, for files that leave out their reference value sets.
_DEFAULT_SUBTYPES = {"1": EntityKind.OTHER, "2": EntityKind.OTHER,
                     "3": EntityKind.ORGANIZATION, "4": EntityKind.PERSON}
_DEFAULT_FEATURES = {"8": "birthdate", "10": "nationality", "11": "citizenship"}
_DEFAULT_PARTS = {"1520": "last name", "1521": "first name", "1522": "middle name",
                  "1523": "maiden name", "1524": "aircraft name", "1525": "entity name",
                  "1526": "vessel name", "1528": "nickname", "91708": "patronymic",
                  "91709": "matronymic"}
_DOCUMENT_TYPES = re.compile(r"passport|\bid\b|identification|cedula|registration|tax|"
                             r"licen[cs]e|\bcard\b|number|\bno\.", re.I)


def is_advanced(data: bytes) -> bool:
    """Whether ``data`` looks like the advanced format (its root is <Sanctions>)."""
    head = data[:4096].decode("utf-8", errors="ignore")
    head = re.sub(r"<\?.*?\?>|<!--.*?-->", "", head, flags=re.S)
    return re.match(r"\s*<(?:\w+:)?Sanctions[\s>]", head) is not None


@dataclass
class _Party:
    uid: str
    subtype: str
    names: list[tuple[NameQuality, str]] = field(default_factory=list)
    birth_dates: list[BirthDate] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    identities: list[str] = field(default_factory=list)
    remarks: str = ""


@dataclass
class _Tables:
    """The reference value sets, locations, documents and sanctions entries read so far."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    iso2: dict[str, str] = field(default_factory=dict)
    party_types: dict[str, str] = field(default_factory=dict)
    locations: dict[str, list[str]] = field(default_factory=dict)
    documents: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    programmes: dict[str, list[str]] = field(default_factory=dict)
    listed: dict[str, dt.date] = field(default_factory=dict)

    def value(self, kind: str, id_: str, default: str = "") -> str:
        return self.values.get(kind, {}).get(id_, default).lower()


def load(data: bytes, *, progress: Progress | None = None) -> ListFile:
    """The list in ``data`` (sdn_advanced.xml), complete, or InvalidInput."""
    collector = Collector(LIST, data, progress)
    tables, parties = _Tables(), []
    generated: dt.datetime | None = None
    for element in records(data, _RECORDS, roots=("Sanctions",), what=WHAT,
                           tick=collector.tick):
        if element.tag == "DateOfIssue":
            generated = _issue_date(element)
        elif element.tag == "ReferenceValueSets":
            _read_values(element, tables)
        elif element.tag == "Location":
            tables.locations[element.get("ID", "")] = [
                c.get("CountryID", "") for c in element.iterfind("LocationCountry")]
        elif element.tag == "IDRegDocument":
            number = text(element, "IDRegistrationNo")
            if number:
                tables.documents.setdefault(element.get("IdentityID", ""), []).append(
                    (element.get("IDRegDocTypeID", ""), number))
        elif element.tag == "SanctionsEntry":
            _read_sanctions_entry(element, tables)
        else:
            parties.append(_read_party(element, tables, collector.warn))
    for party in parties:
        collector.add(_entry(party, tables))
    return collector.result(FORMAT, generated)


def _read_values(element: Element, tables: _Tables) -> None:
    for value_set in element:
        kind = local(value_set.tag).removesuffix("Values")
        tables.values[kind] = {v.get("ID", ""): clean(v.text) for v in value_set}
        if kind == "Country":
            tables.iso2.update({v.get("ID", ""): v.get("ISO2", "") for v in value_set})
        elif kind == "PartySubType":
            tables.party_types.update({v.get("ID", ""): v.get("PartyTypeID", "")
                                       for v in value_set})


def _read_sanctions_entry(element: Element, tables: _Tables) -> None:
    profile = element.get("ProfileID", "")
    for measure in element.iterfind("SanctionsMeasure"):
        kind = tables.value("SanctionsType", measure.get("SanctionsTypeID", ""), "program")
        if kind == "program" and (comment := text(measure, "Comment")):
            tables.programmes.setdefault(profile, []).append(comment)
    for event in element.iterfind("EntryEvent"):
        if (date := _ymd(event.find("Date"))) is not None:
            earlier = tables.listed.get(profile)
            tables.listed[profile] = min(date, earlier) if earlier else date


def _read_party(element: Element, tables: _Tables,
                warn: Callable[[str | None, str], None]) -> _Party:
    profile = element.find("Profile")
    uid = element.get("FixedRef", "")
    party = _Party(uid, profile.get("PartySubTypeID", "") if profile is not None else "",
                   remarks=text(element, "Comment"))
    if profile is None:
        return party
    for identity in profile.iterfind("Identity"):
        party.identities.append(identity.get("ID", ""))
        parts = {g.get("ID", ""): _part_type(g.get("NamePartTypeID", ""), tables)
                 for g in identity.iterfind("NamePartGroups/MasterNamePartGroup/"
                                            "NamePartGroup")}
        for alias in identity.iterfind("Alias"):
            quality = (NameQuality.PRIMARY if alias.get("Primary") == "true"
                       and identity.get("Primary", "true") == "true"
                       else NameQuality.WEAK if alias.get("LowQuality") == "true"
                       else NameQuality.STRONG)
            for documented in alias.iterfind("DocumentedName"):
                party.names.append((quality, _documented_name(documented, parts)))
    for feature in profile.iterfind("Feature"):
        type_id = feature.get("FeatureTypeID", "")
        kind = tables.value("FeatureType", type_id, _DEFAULT_FEATURES.get(type_id, ""))
        for version in feature.iterfind("FeatureVersion"):
            if "birth" in kind and "place" not in kind:
                try:
                    if (found := _period(version.find("DatePeriod"))) is not None:
                        party.birth_dates.append(found)
                except UnreadableDate as error:
                    warn(uid, f"{error}; skipped")
            elif "nationality" in kind or "citizenship" in kind:
                party.locations += [v.get("LocationID", "")
                                    for v in version.iterfind("VersionLocation")]
    return party


def _entry(party: _Party, tables: _Tables) -> ListEntry:
    kind = _kind(party.subtype, tables)
    countries = [_country(c, tables) for loc in party.locations
                 for c in tables.locations.get(loc, [])]
    documents = [number for identity in party.identities
                 for type_id, number in tables.documents.get(identity, [])
                 if _DOCUMENT_TYPES.search(tables.value("IDRegDocType", type_id, "id no."))]
    return ListEntry(
        list=LIST, entry_id=party.uid, kind=kind,
        names=unique_names(list_name(n, q) for q, n in party.names),
        birth_dates=unique_dates(party.birth_dates), nationalities=unique(countries),
        documents=unique(documents),
        programme="; ".join(unique(tables.programmes.get(party.uid, []))),
        listed_on=tables.listed.get(party.uid), remarks=party.remarks)


def _kind(subtype: str, tables: _Tables) -> EntityKind:
    """Vessel and Aircraft sub-types are other things; the rest follow their party type
    (Individual, Entity)."""
    name = tables.value("PartySubType", subtype)
    party_type = tables.value("PartyType", tables.party_types.get(subtype, ""))
    if name in ("vessel", "aircraft") or party_type in ("transport", "location"):
        return EntityKind.OTHER
    if party_type == "individual":
        return EntityKind.PERSON
    if party_type == "entity":
        return EntityKind.ORGANIZATION
    return _DEFAULT_SUBTYPES.get(subtype, EntityKind.ORGANIZATION)


def _part_type(type_id: str, tables: _Tables) -> str:
    return tables.value("NamePartType", type_id, _DEFAULT_PARTS.get(type_id, ""))


def _documented_name(element: Element, parts: dict[str, str]) -> str:
    values = [(parts.get(v.get("NamePartGroupID", ""), ""), clean(v.text))
              for v in element.iterfind("DocumentedNamePart/NamePartValue")]
    order = {name: i for i, name in enumerate(_PART_ORDER)}
    values.sort(key=lambda part: order.get(part[0], len(order)))
    return " ".join(value for _, value in values if value)


def _country(country_id: str, tables: _Tables) -> str:
    if code := country_code(tables.iso2.get(country_id)):
        return code
    return country(tables.values.get("Country", {}).get(country_id, ""))


def _period(element: Element | None) -> BirthDate | None:
    """A DatePeriod as a range: from the start's earliest to the end's latest day."""
    if element is None:
        return None
    start, end = element.find("Start"), element.find("End")
    first = _bound(start, "From", early=True) or _bound(start, "To", early=True)
    last = (_bound(end, "To", early=False) or _bound(end, "From", early=False)
            or _bound(start, "To", early=False) or _bound(start, "From", early=False))
    if first is None or last is None:
        return None
    found = checked(BirthDate(first, last), f"{first.isoformat()} to {last.isoformat()}")
    approximate = any(e is not None and e.get("Approximate") == "true" for e in (start, end))
    return around(found) if approximate else found


def _bound(element: Element | None, which: str, *, early: bool) -> dt.date | None:
    """The earliest (or latest) day a Start/End's From (or To) may mean."""
    part = element.find(which) if element is not None else None
    if part is None or not text(part, "Year").isdigit():
        return None
    year, month, day_ = (_number(text(part, p)) for p in ("Year", "Month", "Day"))
    found = year_range(year) if month == 0 else day(year, month, day_)
    return found.start if early else found.end


def _number(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _ymd(element: Element | None) -> dt.date | None:
    try:
        return dt.date(*(int(text(element, p)) for p in ("Year", "Month", "Day")))
    except (TypeError, ValueError):
        return None


def _issue_date(element: Element) -> dt.datetime | None:
    date = _ymd(element)
    return dt.datetime(date.year, date.month, date.day) if date else None
