"""What a sanctions list holds, and what is screened against it.

Loaders turn each list format into these types; the matcher indexes :class:`ListEntry`
values and screens :class:`Query` values against them.
"""

import datetime as dt
import enum
from dataclasses import dataclass


class EntityKind(enum.StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    OTHER = "other"  # vessels, aircraft...


class NameQuality(enum.StrEnum):
    """How much a name says: the entry's primary name, a good (strong) alias, or a low
    quality (weak) alias, which lists publish but say not to rely on alone."""

    PRIMARY = "primary"
    STRONG = "strong"
    WEAK = "weak"


@dataclass(frozen=True, slots=True)
class ListName:
    """One name of an entry as the list writes it. ``script`` is "latin", "arabic",
    "cyrillic"... (None when unknown)."""

    full: str
    quality: NameQuality = NameQuality.PRIMARY
    script: str | None = None


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A birth date as precise as the list knows it: an inclusive range of days (an exact
    date is a range of one day, a year alone is 1 January to 31 December)."""

    start: dt.date
    end: dt.date

    @classmethod
    def exact(cls, day: dt.date) -> "BirthDate":
        return cls(day, day)

    @classmethod
    def year(cls, year: int, to_year: int | None = None) -> "BirthDate":
        return cls(dt.date(year, 1, 1), dt.date(to_year or year, 12, 31))

    def agrees(self, day: dt.date | None = None, year: int | None = None) -> bool | None:
        """True or False when a query's date or year can be compared, None otherwise."""
        if day is not None:
            return self.start <= day <= self.end
        if year is not None:
            return self.start.year <= year <= self.end.year
        return None


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One designated person, organisation or other thing on a list.

    ``entry_id`` is the list's own reference (UN ``QDi.317``, OFAC ent_num, EU reference);
    ``nationalities`` are ISO 3166-1 alpha-2 codes where the list's country can be mapped,
    else the country as written; ``documents`` are passport and ID numbers as written.
    """

    list: str
    entry_id: str
    kind: EntityKind
    names: tuple[ListName, ...]
    birth_dates: tuple[BirthDate, ...] = ()
    nationalities: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    programme: str = ""
    listed_on: dt.date | None = None
    remarks: str = ""

    @property
    def caption(self) -> str:
        primary = next((n for n in self.names if n.quality is NameQuality.PRIMARY), None)
        return (primary or self.names[0]).full if self.names else self.entry_id


@dataclass(frozen=True, slots=True)
class ListFile:
    """A list as loaded from one file: which list, which format, when the publisher
    generated it, the SHA-256 of the file, and the entries. ``warnings`` name what the
    loader skipped (an impossible birth date, an entry without a name...)."""

    list: str
    format: str
    generated: dt.datetime | None
    file_hash: str
    entries: tuple[ListEntry, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    """What is screened: a party's name and whatever else is known about it."""

    name: str
    kind: EntityKind | None = None
    original_name: str | None = None  # the name in its own script, when known
    birth_date: dt.date | None = None
    birth_year: int | None = None
    nationality: str | None = None
    id_number: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A possible match of a query to a list entry: the list name that matched, a score
    in [0, 1], and an explanation a reviewer can check."""

    entry: ListEntry
    name: str
    score: float
    explanation: str
