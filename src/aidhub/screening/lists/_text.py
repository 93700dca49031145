"""Text and values as list files write them: white space, encodings, ISO dates."""

import datetime as dt
import unicodedata
from collections.abc import Iterable


def clean(text: str | None) -> str:
    """Text with runs of white space (new lines included) made one space, and trimmed."""
    return " ".join(text.split()) if text else ""


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty values in the order first given, each once."""
    return tuple(dict.fromkeys(v for v in values if v))


def parse_timestamp(text: str | None) -> dt.datetime | None:
    """An ISO 8601 date or date-time ("2020-11-24T20:23:07.617-05:00"), or None."""
    text = clean(text)
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_day(text: str | None) -> dt.date | None:
    """The date at the start of an ISO date ("2015-04-14-04:00" included), or None."""
    text = clean(text)
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def decode_text(data: bytes) -> str:
    """Bytes of a text file as text: UTF-8 (with or without a byte order mark), else
    Windows-1252, which older list files use."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return unicodedata.normalize("NFC", text)
