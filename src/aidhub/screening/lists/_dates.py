"""Birth dates as lists write them ("1975-03-02", "17 Jan 1941", "circa 1965", "00/00/1970",
"1960 to 1962"...) turned into :class:`BirthDate` ranges.

A date the list marks approximate becomes a range one year wider on each side. A date
that cannot be read, or is impossible (30 February, a year in the future or before
1850), raises :class:`UnreadableDate`: loaders skip it and say so in the warnings.
"""

import calendar
import datetime as dt
import re

from aidhub.screening.lists._text import clean
from aidhub.screening.model import BirthDate

EARLIEST_YEAR = 1850
APPROXIMATE_YEARS = 1

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_name)
                if name})
_MONTHS["sept"] = 9
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][\d:.]+)?(?:Z|[+-]\d\d:\d\d)?")
_DAY_MONTH_YEAR = re.compile(r"(?:(\d{1,2})\s+)?([a-z]+)\.?,?\s+(\d{4})")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_APPROXIMATE = re.compile(r"^(?:circa|ca\.?|c\.|approximately|approx\.?|about|around)\s+")
_RANGE = re.compile(r"^(?:between\s+)?(.+?)\s*(?:\bto\b|\band\b|-|–|/)\s*(.+)$")


class UnreadableDate(ValueError):
    """A birth date that cannot be read or cannot be true; the message says which."""


def parse_date(text: str | None, *, approximate: bool = False) -> BirthDate | None:
    """The birth date ``text`` says, None when it says nothing. Reads ISO dates (whole
    or partial), "17 Jan 1941", "Jan 1941", "1941", "01/02/1941" (day first, "00" for an
    unknown day or month), "circa ...", and ranges ("1960 to 1962", "1975-1979",
    "Between Aug. and Sep. 1977")."""
    original = clean(text)
    text = original.lower().rstrip(".").strip()
    if not text:
        return None
    if match := _APPROXIMATE.match(text):
        text, approximate = text[match.end():], True
    found = _single(text, original)
    if found is None and (match := _RANGE.match(text)):
        found = _range(match.group(1), match.group(2), original)
    if found is None:
        raise UnreadableDate(f"birth date '{original}' is not a date we can read")
    return around(found) if approximate else found


def around(date: BirthDate, years: int = APPROXIMATE_YEARS) -> BirthDate:
    """An approximate date: the whole years from ``years`` before to ``years`` after."""
    return checked(BirthDate.year(date.start.year - years, date.end.year + years), "")


def day(year: int, month: int, day_: int, text: str = "") -> BirthDate:
    """One day; a zero day or month means the list does not know it."""
    if month == 0:
        return year_range(year, text=text)
    if day_ == 0:
        return month_range(year, month, text)
    try:
        return checked(BirthDate.exact(dt.date(year, month, day_)), text)
    except ValueError:
        raise UnreadableDate(f"birth date '{text or f'{year}-{month}-{day_}'}' is "
                             "impossible") from None


def month_range(year: int, month: int, text: str = "") -> BirthDate:
    if not 1 <= month <= 12 or year < 1:
        raise UnreadableDate(f"birth date '{text or f'{year}-{month}'}' is impossible")
    last = calendar.monthrange(year, month)[1]
    return checked(BirthDate(dt.date(year, month, 1), dt.date(year, month, last)), text)


def year_range(year: int, to_year: int | None = None, *, text: str = "") -> BirthDate:
    if year < 1 or (to_year is not None and to_year < 1):
        raise UnreadableDate(f"birth year '{text or year}' is impossible")
    return checked(BirthDate.year(year, to_year), text or str(year))


def checked(date: BirthDate, text: str) -> BirthDate:
    """The date if it could be someone's birth date (1850 to next year, start before
    end)."""
    if (date.start.year < EARLIEST_YEAR or date.end.year > dt.date.today().year + 1
            or date.start > date.end):
        shown = text or f"{date.start.isoformat()} to {date.end.isoformat()}"
        raise UnreadableDate(f"birth date '{shown}' is impossible")
    return date


def _single(text: str, original: str) -> BirthDate | None:
    if match := _ISO.fullmatch(text):
        year, month, day_ = match.groups()
        if day_:
            return day(int(year), int(month), int(day_), original)
        if month:
            return month_range(int(year), int(month), original)
        return year_range(int(year), text=original)
    if match := _SLASHED.fullmatch(text):
        return day(int(match.group(3)), int(match.group(2)), int(match.group(1)), original)
    if (match := _DAY_MONTH_YEAR.fullmatch(text)) and match.group(2) in _MONTHS:
        month = _MONTHS[match.group(2)]
        if match.group(1):
            return day(int(match.group(3)), month, int(match.group(1)), original)
        return month_range(int(match.group(3)), month, original)
    return None


def _range(first: str, last: str, original: str) -> BirthDate | None:
    end = _single(last.strip(), original)
    if end is None:
        return None
    first = first.strip().rstrip(".")
    start = _single(first, original)
    if start is None and first in _MONTHS:  # "Between Aug. and Sep. 1977"
        start = month_range(end.end.year, _MONTHS[first], original)
    if start is None:
        return None
    return checked(BirthDate(start.start, end.end), original)
