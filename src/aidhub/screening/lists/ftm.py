"""FollowTheMoney entities as JSON lines, such as OpenSanctions' bulk
``entities.ftm.json``: one JSON object a line with ``id``, ``schema``, ``properties``
(every value a list) and, from OpenSanctions, ``datasets``, ``caption`` and ``target``.

Persons, organisations (Organization, Company, LegalEntity, PublicBody) and vessels and
aircraft become entries with the entity ``id`` as id; an entity marked ``"target":
false`` (a relative or associate, not itself listed) is left out. ``name`` values are
primary names (the caption first), ``alias`` and ``previousName`` strong aliases,
``weakAlias`` weak ones. Birth dates are "YYYY", "YYYY-MM" or "YYYY-MM-DD";
nationalities come from ``nationality`` and ``citizenship`` (else ``country`` and
``jurisdiction``); documents from ``passportNumber``, ``idNumber``,
``registrationNumber`` and ``imoNumber`` and from the Passport and Identification
entities that name a holder; the programme and listing date from ``program`` and
``createdAt`` and from the Sanction entities that name the entity, else the datasets.
"""

import io
import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from aidhub.domain.errors import InvalidInput
from aidhub.screening.lists._collector import Collector, Progress, unique_dates
from aidhub.screening.lists._countries import country_code
from aidhub.screening.lists._dates import UnreadableDate, parse_date
from aidhub.screening.lists._names import list_name, unique_names
from aidhub.screening.lists._text import clean, parse_day, unique
from aidhub.screening.model import EntityKind, ListEntry, ListFile, NameQuality

LIST = "ftm"
FORMAT = "ftm"
WHAT = "FollowTheMoney entities as JSON lines (one JSON object a line)"
_KINDS = {"Person": EntityKind.PERSON, "Organization": EntityKind.ORGANIZATION,
          "Company": EntityKind.ORGANIZATION, "LegalEntity": EntityKind.ORGANIZATION,
          "PublicBody": EntityKind.ORGANIZATION, "Vessel": EntityKind.OTHER,
          "Airplane": EntityKind.OTHER}
_DOCUMENTS = ("passportNumber", "idNumber", "registrationNumber", "imoNumber")
_NAMES = (("name", NameQuality.PRIMARY), ("alias", NameQuality.STRONG),
          ("previousName", NameQuality.STRONG), ("weakAlias", NameQuality.WEAK))


def load(data: bytes, *, progress: Progress | None = None) -> ListFile:
    """The entities in ``data``, complete, or InvalidInput saying why not."""
    if not data.strip():
        raise InvalidInput("The file is empty; expected %(what)s.", what=WHAT)
    collector = Collector(LIST, data, progress)
    entries: list[tuple[ListEntry, list[str]]] = []
    documents: dict[str, list[str]] = {}
    sanctions: dict[str, list[dict[str, list[Any]]]] = {}
    stream = io.BytesIO(data)
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        entity = _read(line, number)
        schema, props = entity["schema"], entity["properties"]
        if schema in ("Passport", "Identification"):
            for holder in _refs(props.get("holder")):
                documents.setdefault(holder, []).extend(_texts(props.get("number")))
        elif schema == "Sanction":
            for target in _refs(props.get("entity")):
                sanctions.setdefault(target, []).append(props)
        elif schema in _KINDS and entity.get("target", True) is not False:
            entries.append((_entry(entity, collector), _texts(entity.get("datasets"))))
        collector.tick(stream.tell())
    for entry, datasets in entries:
        collector.add(_with_links(entry, documents.get(entry.entry_id, []),
                                  sanctions.get(entry.entry_id, []), datasets))
    return collector.result(FORMAT, None)


def _read(line: bytes, number: int) -> dict[str, Any]:
    try:
        entity = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "not UTF-8 text"
        raise InvalidInput(
            "This line is not a complete JSON object (%(reason)s); expected %(what)s. The "
            "file may have been cut short while downloading: download it again. Nothing was "
            "loaded.", row=number, reason=reason, what=WHAT) from None
    if not (isinstance(entity, dict) and isinstance(entity.get("schema"), str)
            and isinstance(entity.get("properties"), dict) and entity.get("id")):
        raise InvalidInput(
            "This line is not a FollowTheMoney entity (an object with 'id', 'schema' and "
            "'properties'); expected %(what)s.", row=number, what=WHAT)
    return entity


def _entry(entity: dict[str, Any], collector: Collector) -> ListEntry:
    props: dict[str, Any] = entity["properties"]
    entry_id = clean(str(entity["id"]))
    caption = clean(entity.get("caption") if isinstance(entity.get("caption"), str) else "")
    names = []
    for prop, quality in _NAMES:
        values = _texts(props.get(prop))
        if prop == "name" and caption in values:
            values = [caption] + [v for v in values if v != caption]
        names += (list_name(v, quality) for v in values)
    dates = []
    for born in _texts(props.get("birthDate")):
        try:
            dates.append(parse_date(born))
        except UnreadableDate as error:
            collector.warn(entry_id, f"{error}; skipped")
    countries = _texts(props.get("nationality")) + _texts(props.get("citizenship"))
    if not countries:
        countries = _texts(props.get("country")) + _texts(props.get("jurisdiction"))
    programme = _texts(props.get("program")) + _texts(props.get("programId"))
    listed = [d for d in (parse_day(v) for v in _texts(props.get("createdAt"))) if d]
    return ListEntry(
        list=LIST, entry_id=entry_id, kind=_KINDS[entity["schema"]],
        names=unique_names(names), birth_dates=unique_dates(d for d in dates if d),
        nationalities=unique(country_code(c) for c in countries),
        documents=unique(v for p in _DOCUMENTS for v in _texts(props.get(p))),
        programme="; ".join(unique(programme)),
        listed_on=min(listed, default=None), remarks=" ".join(_texts(props.get("notes"))))


def _with_links(entry: ListEntry, documents: list[str],
                sanctions: list[dict[str, list[Any]]], datasets: list[str]) -> ListEntry:
    """The entry with the papers and sanctions other entities give it; its programme is
    the datasets it comes from when nothing names one."""
    programmes = [entry.programme] + [p for s in sanctions for p in _texts(s.get("program"))]
    listed = [d for s in sanctions for key in ("listingDate", "startDate")
              for d in (parse_day(v) for v in _texts(s.get(key))) if d]
    if entry.listed_on:
        listed.append(entry.listed_on)
    return replace(entry, documents=unique(entry.documents + tuple(documents)),
                   programme="; ".join(unique(programmes)) or "; ".join(unique(datasets)),
                   listed_on=min(listed, default=None))


def _refs(values: Any) -> list[str]:
    """Entity ids a property refers to: ids, or nested entities with an id."""
    found = []
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, str) and value:
            found.append(value)
    return found


def _texts(values: Any) -> list[str]:
    """A property's values as cleaned text (FtM values are lists of strings)."""
    items: Iterable[Any] = values if isinstance(values, list) else [values]
    return [t for t in (clean(v) for v in items if isinstance(v, str)) if t]
