"""OFAC's legacy SDN files in CSV (https://ofac.treasury.gov, "sdn.csv", "alt.csv",
"add.csv", "sdn_comments.csv"): the main file alone, or a ZIP holding it with the others.

``sdn.csv`` has no header; its columns are ent_num, SDN_Name, SDN_Type, Program, Title,
Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks, and "-0-" means
empty. Individuals' names are written "LAST, First" and become "First LAST". Birth
dates, nationalities, passports and ID numbers, and the weak aliases (``a.k.a. 'ABU
X'``), are read from the remarks. ``alt.csv`` (ent_num, alt_num, alt_type, alt_name,
alt_remarks) adds the strong aliases; ``sdn_comments.csv`` the rest of long remarks.
Addresses (``add.csv``) are not used: entries have no place for them.
"""

import io
import zipfile
from collections.abc import Iterator

from aidhub.domain.errors import InvalidInput
from aidhub.screening.lists._collector import Collector, Progress, unique_dates
from aidhub.screening.lists._csv import rows
from aidhub.screening.lists._names import list_name, unique_names
from aidhub.screening.lists._ofac import LIST, person_name, programmes, read_remarks
from aidhub.screening.lists._text import clean, decode_text, unique
from aidhub.screening.model import EntityKind, ListEntry, ListFile, ListName, NameQuality

FORMAT = "ofac-csv"
WHAT = "OFAC's SDN list as CSV (sdn.csv, or a ZIP holding sdn.csv and alt.csv)"
MAX_UNZIPPED = 512 * 1024 * 1024
_KINDS = {"individual": EntityKind.PERSON, "vessel": EntityKind.OTHER,
          "aircraft": EntityKind.OTHER}


def load(data: bytes, *, progress: Progress | None = None) -> ListFile:
    """The list in ``data`` (sdn.csv, or a ZIP of the legacy CSV files), complete, or
    InvalidInput saying why not."""
    if not data.strip():
        raise InvalidInput("The file is empty; expected %(what)s.", what=WHAT)
    files = _unzip(data) if data.startswith(b"PK\x03\x04") else {"sdn.csv": data}
    texts = {name: decode_text(content) for name, content in files.items()}
    main = texts["sdn.csv"]
    collector = Collector(LIST, data, progress, total=len(main))
    extra_remarks = dict(_pairs(texts.get("sdn_comments.csv", ""), "sdn_comments.csv"))
    aliases = _aliases(texts.get("alt.csv", ""))
    for line, fields in rows(main, what=WHAT, tick=collector.tick):
        entry = _entry(line, fields, aliases.pop(clean(fields[0]), []),
                       extra_remarks.get(clean(fields[0]), ""), collector)
        collector.add(entry)
    for ent_num in aliases:
        collector.warn(ent_num, "alt.csv has aliases for an entry sdn.csv does not have")
    return collector.result(FORMAT, None)


def _unzip(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename.rsplit("/", 1)[-1].lower(): info
                   for info in archive.infolist() if not info.is_dir()}
        if "sdn.csv" not in members and members:
            raise InvalidInput(
                "The ZIP file holds no sdn.csv (it holds %(files)s); expected %(what)s.",
                files=", ".join(members), what=WHAT)
        if "sdn.csv" not in members:
            raise InvalidInput("The ZIP file holds no sdn.csv (it holds nothing); expected "
                               "%(what)s.", what=WHAT)
        wanted = [members[n] for n in ("sdn.csv", "alt.csv", "sdn_comments.csv")
                  if n in members]
        if sum(info.file_size for info in wanted) > MAX_UNZIPPED:
            raise InvalidInput("The ZIP file unpacks to more than 512 MB, far more than "
                               "OFAC's list; it was refused.")
        return {info.filename.rsplit("/", 1)[-1].lower(): archive.read(info)
                for info in wanted}
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise InvalidInput("The ZIP file is damaged or cut short (%(reason)s); expected "
                           "%(what)s. Download it again.", reason=str(error),
                           what=WHAT) from None


def _pairs(text: str, name: str) -> Iterator[tuple[str, str]]:
    for _line, fields in rows(text, what=f"OFAC's {name}"):
        if len(fields) >= 2:
            yield clean(fields[0]), _value(fields[1])


def _aliases(text: str) -> dict[str, list[tuple[str, str, str]]]:
    """alt.csv as ent_num → [(alt_type, alt_name, alt_remarks)]."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for line, fields in rows(text, what="OFAC's alt.csv"):
        if len(fields) < 4 or not clean(fields[0]).isdigit():
            raise _bad_alt_row(line, len(fields))
        remarks = _value(fields[4]) if len(fields) > 4 else ""
        found.setdefault(clean(fields[0]), []).append(
            (_value(fields[2]), _value(fields[3]), remarks))
    return found


def _entry(line: int, fields: list[str], aliases: list[tuple[str, str, str]],
           extra_remarks: str, collector: Collector) -> ListEntry:
    if len(fields) != 12 or not clean(fields[0]).isdigit():
        raise _bad_sdn_row(line, len(fields), clean(fields[0]).isdigit())
    ent_num, name, sdn_type, program = (_value(f) for f in fields[:4])
    remarks = _value(fields[11])
    if extra_remarks:  # sdn_comments.csv continues remarks too long for sdn.csv
        remarks = "; ".join(r for r in (remarks.removesuffix("."), extra_remarks) if r)
    kind = _KINDS.get(sdn_type.lower(), EntityKind.ORGANIZATION)
    person = kind is EntityKind.PERSON
    facts = read_remarks(remarks)
    for problem in facts.problems:
        collector.warn(ent_num, problem)
    names: list[ListName | None] = [list_name(person_name(name) if person else name,
                                              NameQuality.PRIMARY)]
    for _type, alias, alias_remarks in aliases:
        weak = "weak" in alias_remarks.lower() or "low quality" in alias_remarks.lower()
        names.append(list_name(person_name(alias) if person else alias,
                               NameQuality.WEAK if weak else NameQuality.STRONG))
    names += (list_name(a, NameQuality.WEAK) for a in facts.weak_aliases)
    return ListEntry(
        list=LIST, entry_id=ent_num, kind=kind, names=unique_names(names),
        birth_dates=unique_dates(facts.birth_dates),
        nationalities=unique(facts.nationalities), documents=unique(facts.documents),
        programme=programmes(program), remarks=remarks)


def _bad_alt_row(line: int, count: int) -> InvalidInput:
    """A row of alt.csv with too few fields or no number first."""
    if count == 1:
        return InvalidInput(
            "alt.csv should have 5 fields a row (ent_num, alt_num, alt_type, alt_name, "
            "alt_remarks), the first a number; this row has 1 field. The file may be cut "
            "short or not OFAC's alt.csv.", row=line)
    return InvalidInput(
        "alt.csv should have 5 fields a row (ent_num, alt_num, alt_type, alt_name, "
        "alt_remarks), the first a number; this row has %(count)s fields. The file may be "
        "cut short or not OFAC's alt.csv.", row=line, count=count)


def _bad_sdn_row(line: int, count: int, numbered: bool) -> InvalidInput:
    """A row of sdn.csv without its 12 fields or without a number first."""
    if numbered and count == 1:
        return InvalidInput(
            "OFAC's sdn.csv has 12 fields a row (ent_num, SDN_Name, SDN_Type, Program, "
            "Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks), the "
            "first a number, and no header; this row has 1 field. The file may be cut short "
            "or not OFAC's sdn.csv.", row=line)
    if numbered:
        return InvalidInput(
            "OFAC's sdn.csv has 12 fields a row (ent_num, SDN_Name, SDN_Type, Program, "
            "Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks), the "
            "first a number, and no header; this row has %(count)s fields. The file may be "
            "cut short or not OFAC's sdn.csv.", row=line, count=count)
    if count == 1:
        return InvalidInput(
            "OFAC's sdn.csv has 12 fields a row (ent_num, SDN_Name, SDN_Type, Program, "
            "Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks), the "
            "first a number, and no header; this row has 1 field and does not begin with a "
            "number. The file may be cut short or not OFAC's sdn.csv.", row=line)
    return InvalidInput(
        "OFAC's sdn.csv has 12 fields a row (ent_num, SDN_Name, SDN_Type, Program, "
        "Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks), the "
        "first a number, and no header; this row has %(count)s fields and does not begin "
        "with a number. The file may be cut short or not OFAC's sdn.csv.", row=line,
        count=count)


def _value(field: str) -> str:
    """A field's text; OFAC's "-0-" (empty) is ""."""
    text = clean(field)
    return "" if text == "-0-" else text
