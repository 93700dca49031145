"""The UK's sanctions lists as CSV: the FCDO's UK Sanctions List ("Unique ID", "Name
type", "Alias strength", "D.O.B", "Nationality(/ies)"...) and OFSI's Consolidated List
("Group ID", "Alias Type", "Alias Quality", "DOB", "Nationality"...).

Both have one row per name (and per address), a title line above the header ("Report
Date: 24-Nov-2023" or "Last Updated,24/11/2023", read as the generation date), and are
grouped into entries by "Unique ID" (or "Group ID"). Name 1 to Name 5 then Name 6 (the
family or entity name) make the name; a "Primary name" row gives the primary name, a
"Primary name variation" a strong alias, an "Alias" a strong or (of low quality) weak
alias, and the name in non-Latin script the same quality as its row. Birth dates are
"dd/mm/yyyy" with "00" for an unknown day or month; documents are passport, national
identifier, business registration and IMO numbers.
"""

import datetime as dt
import re

from aidhub.domain.errors import InvalidInput
from aidhub.screening.lists._collector import Collector, Progress, unique_dates
from aidhub.screening.lists._countries import country
from aidhub.screening.lists._csv import rows
from aidhub.screening.lists._dates import UnreadableDate, parse_date
from aidhub.screening.lists._names import list_name, unique_names
from aidhub.screening.lists._text import clean, decode_text, unique
from aidhub.screening.model import EntityKind, ListEntry, ListFile, NameQuality

FORMAT = "uk-csv"
WHAT = ("the UK Sanctions List or OFSI Consolidated List as CSV (a header with 'Name 6' "
        "and 'Unique ID' or 'Group ID')")
HEADER_SEARCH_LINES = 10
# Each field and the headers either list gives it (compared without case).
_COLUMNS = {
    "id": ("unique id", "group id"),
    "name type": ("name type", "alias type"),
    "strength": ("alias strength", "alias quality"),
    "non-latin": ("name non-latin script",),
    "kind": ("designation type", "group type"),
    "dob": ("d.o.b", "dob"),
    "nationality": ("nationality(/ies)", "nationality"),
    "passport": ("passport number",),
    "national id": ("national identifier number", "national identification number"),
    "registration": ("business registration number (s)",),
    "imo": ("imo number",),
    "regime": ("regime name", "regime"),
    "designated": ("date designated", "listed on", "uk sanctions list date designated"),
    "other": ("other information",),
}
_NAMES = ("name 1", "name 2", "name 3", "name 4", "name 5", "name 6")
_KINDS = {"individual": EntityKind.PERSON, "entity": EntityKind.ORGANIZATION,
          "ship": EntityKind.OTHER}
_LIST_ITEMS = re.compile(r"\(\d+\)|[;|]")


def load(data: bytes, *, progress: Progress | None = None) -> ListFile:
    """The list in ``data``, complete, or InvalidInput saying why not."""
    if not data.strip():
        raise InvalidInput("The file is empty; expected %(what)s.", what=WHAT)
    text = decode_text(data)
    collector = Collector("", data, progress, total=len(text))
    columns: dict[str, int] | None = None
    width, title = 0, ""
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    for line, fields in rows(text, what=WHAT, tick=collector.tick):
        if columns is None:
            columns = _header(fields)
            if columns is None:
                if line > HEADER_SEARCH_LINES:
                    break
                title = title or ",".join(fields)
                continue
            width = len(fields)
            collector.list = "uk-sanctions-list" if "unique id" in _lower(fields) else "uk-ofsi"
            continue
        if len(fields) < width:
            raise InvalidInput(
                "The row has %(count)s fields where the header has %(width)s; the file may be "
                "cut short. Download it again; nothing was loaded.", row=line,
                count=len(fields), width=width)
        key = clean(fields[columns["id"]])
        if not key:
            raise InvalidInput("The row has no Unique ID / Group ID; every row of the list "
                               "has one. Check the file; nothing was loaded.", row=line,
                               field="Unique ID")
        groups.setdefault(key, []).append((line, fields))
    if columns is None:
        raise InvalidInput("No header row was found in the first %(lines)s lines; expected "
                           "%(what)s. Check the file, or the format chosen for it.",
                           lines=HEADER_SEARCH_LINES, what=WHAT)
    for key, group in groups.items():
        collector.add(_entry(collector.list, key, group, columns, collector))
    return collector.result(FORMAT, _title_date(title))


def _lower(fields: list[str]) -> list[str]:
    return [clean(f).lower() for f in fields]


def _header(fields: list[str]) -> dict[str, int] | None:
    """Field → column of a header row, or None when the row is not the header."""
    headers = _lower(fields)
    if "name 6" not in headers:
        return None
    found = {}
    for field, names in (*_COLUMNS.items(), *((n, (n,)) for n in _NAMES)):
        column = next((headers.index(n) for n in names if n in headers), None)
        if column is not None:
            found[field] = column
    return found if "id" in found else None


def _entry(list_id: str, key: str, group: list[tuple[int, list[str]]],
           columns: dict[str, int], collector: Collector) -> ListEntry:
    def get(fields: list[str], field: str) -> str:
        return clean(fields[columns[field]]) if field in columns else ""

    names, dates, nationalities, documents = [], [], [], []
    for _line, fields in group:
        quality = _quality(get(fields, "name type"), get(fields, "strength"))
        names.append(list_name(" ".join(get(fields, n) for n in _NAMES), quality))
        names.append(list_name(get(fields, "non-latin"), quality))
        for born in _items(get(fields, "dob")):
            try:
                dates.append(parse_date(born))
            except UnreadableDate as error:
                collector.warn(key, f"{error}; skipped")
        nationalities += _countries(get(fields, "nationality"))
        documents += (item for field in ("passport", "national id", "registration", "imo")
                      for item in _items(get(fields, field)))
    first = group[0][1]
    return ListEntry(
        list=list_id, entry_id=key,
        kind=_KINDS.get(get(first, "kind").lower(), EntityKind.OTHER),
        names=unique_names(names), birth_dates=unique_dates(d for d in dates if d),
        nationalities=unique(nationalities), documents=unique(documents),
        programme=get(first, "regime"),
        listed_on=_day(get(first, "designated")),
        remarks=get(first, "other"))


def _quality(name_type: str, strength: str) -> NameQuality:
    name_type, strength = name_type.lower(), strength.lower()
    if name_type in ("primary name", "prime alias"):
        return NameQuality.PRIMARY
    if "low" in strength or "weak" in strength:
        return NameQuality.WEAK
    return NameQuality.STRONG


def _items(text: str) -> list[str]:
    """The items of a cell listing several ("(1) A (2) B", "A; B", "A|B")."""
    return [clean(p) for p in _LIST_ITEMS.split(text) if clean(p)]


def _countries(text: str) -> list[str]:
    found = []
    for item in _items(text):
        code = country(item)
        if code == item and "," in item:  # "Syria, Iraq" (but keep "Korea, North")
            found += [country(p) for p in item.split(",")]
        else:
            found.append(code)
    return found


def _day(text: str) -> dt.date | None:
    """A "dd/mm/yyyy" date, or None."""
    try:
        return dt.datetime.strptime(text[:10], "%d/%m/%Y").date()
    except ValueError:
        return None


def _title_date(title: str) -> dt.datetime | None:
    """The date in "Report Date: 24-Nov-2023" or "Last Updated,24/11/2023"."""
    for pattern, form in ((r"\d{1,2}-[A-Za-z]{3}-\d{4}", "%d-%b-%Y"),
                          (r"\d{2}/\d{2}/\d{4}", "%d/%m/%Y")):
        if match := re.search(pattern, title):
            try:
                return dt.datetime.strptime(match.group(0), form)
            except ValueError:
                return None
    return None
