"""What changed between two versions of a list, entry by entry."""

from collections.abc import Sequence
from dataclasses import dataclass

from aidhub.screening.model import ListEntry


@dataclass(frozen=True, slots=True)
class ListDiff:
    """Entries of the new version not in the old (``added``), of the old not in the new
    (``removed``), and in both with something screening looks at changed (``changed``, as
    ``(old, new)`` pairs), each in list order."""

    added: tuple[ListEntry, ...]
    removed: tuple[ListEntry, ...]
    changed: tuple[tuple[ListEntry, ListEntry], ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff(old: Sequence[ListEntry], new: Sequence[ListEntry]) -> ListDiff:
    """Compares two versions by entry_id. An entry has changed when its kind, names (with
    their qualities), birth dates, nationalities, documents or programme differ, in any
    order; remarks and the listing date alone do not count."""
    before = {e.entry_id: e for e in old}
    after = {e.entry_id: e for e in new}
    return ListDiff(
        added=tuple(e for e in after.values() if e.entry_id not in before),
        removed=tuple(e for e in before.values() if e.entry_id not in after),
        changed=tuple((before[e.entry_id], e) for e in after.values()
                      if e.entry_id in before and _substance(before[e.entry_id])
                      != _substance(e)))


def _substance(entry: ListEntry) -> tuple[object, ...]:
    return (entry.kind, frozenset((n.full, n.quality) for n in entry.names),
            frozenset(entry.birth_dates), frozenset(entry.nationalities),
            frozenset(entry.documents), entry.programme)
