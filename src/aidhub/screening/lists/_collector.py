"""The collector that turns a loader's entries into a complete :class:`ListFile`, or
nothing: entries, warnings, progress and the file's hash."""

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import replace

from aidhub.domain.errors import InvalidInput
from aidhub.screening.lists._names import unique_names
from aidhub.screening.lists._text import unique
from aidhub.screening.model import BirthDate, ListEntry, ListFile

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)``: how much of the file has been read (bytes, or
characters for text formats), now and then while a big file loads."""


def unique_dates(dates: Iterable[BirthDate]) -> tuple[BirthDate, ...]:
    """Birth dates in the order first given, each once."""
    return tuple(dict.fromkeys(dates))


class Collector:
    """Gathers a loader's entries and warnings, reports progress, and makes the result.

    Entries are held until the whole file has been read: the loader returns a complete
    :class:`ListFile` or raises, never half a list.
    """

    def __init__(self, list_id: str, data: bytes, progress: Progress | None = None, *,
                 total: int | None = None):
        self.list = list_id
        self.file_hash = hashlib.sha256(data).hexdigest()
        self.total = len(data) if total is None else total
        self.warnings: list[str] = []
        self._entries: dict[str, ListEntry] = {}
        self._progress = progress
        self._step = max(self.total // 50, 1 << 16)
        self._next = self._step

    def warn(self, entry_id: str | None, message: str) -> None:
        self.warnings.append(f"{entry_id}: {message}" if entry_id else message)

    def tick(self, done: int) -> None:
        """Reports progress when enough more of the file has been read since last time."""
        if self._progress is not None and done >= self._next:
            self._next = done + self._step
            self._progress(min(done, self.total), self.total)

    def add(self, entry: ListEntry) -> None:
        """Keeps an entry; one without a name is skipped (it cannot be screened), and one
        whose id came before is merged into the earlier one."""
        if not entry.entry_id:
            self.warn(None, f"an entry without a reference was skipped ({entry.caption})")
            return
        if not entry.names:
            self.warn(entry.entry_id, "the entry has no name and was skipped")
            return
        earlier = self._entries.get(entry.entry_id)
        if earlier is not None:
            self.warn(entry.entry_id, "the reference appears twice; the two were merged")
            entry = merge(earlier, entry)
        self._entries[entry.entry_id] = entry

    def result(self, format: str, generated: dt.datetime | None) -> ListFile:
        """The list; InvalidInput when it has no entries (no published list is empty, and
        loading one would make every entry look removed)."""
        if not self._entries:
            raise InvalidInput("The file holds no list entries, so it was not loaded; a "
                               "published list is never empty. Check the file.")
        if self._progress is not None:
            self._progress(self.total, self.total)
        return ListFile(self.list, format, generated, self.file_hash,
                        tuple(self._entries.values()), tuple(dict.fromkeys(self.warnings)))


def merge(a: ListEntry, b: ListEntry) -> ListEntry:
    """One entry holding everything two entries with the same reference say."""
    return replace(
        a, names=unique_names(a.names + b.names),
        birth_dates=unique_dates(a.birth_dates + b.birth_dates),
        nationalities=unique(a.nationalities + b.nationalities),
        documents=unique(a.documents + b.documents),
        programme="; ".join(unique(a.programme.split("; ") + b.programme.split("; "))),
        listed_on=min((d for d in (a.listed_on, b.listed_on) if d), default=None),
        remarks=a.remarks or b.remarks)
