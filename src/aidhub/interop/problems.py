"""Rejecting a whole file at once: every problem found, one line each, in one error.

Imports are all or nothing. Rather than stopping at the first bad cell, an importer
collects every :class:`Problem` (row, column as written in the file, what to do) and
raises :func:`rejected`, so the user can fix the file in one go.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from aidhub.domain.errors import InvalidInput

MAX_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where it is and how to fix it.

    ``column`` is the column's header as the file writes it (or its HXL tag), so that the
    user can find the cell; ``field`` is the field it was read as, for programs.
    """

    row: int | None
    column: str | None
    message: str
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return (", ".join(where) + ": " if where else "") + self.message


class RejectedFile(InvalidInput):
    """A file was refused as a whole; ``problems`` lists everything wrong with it."""

    def __init__(self, message: str, problems: Sequence[Problem | str]):
        super().__init__(message)
        self.problems = tuple(problems)


def rejected(problems: Sequence[Problem | str], done: str = "imported") -> RejectedFile:
    """The error for a refused import: a count, then one line per problem (at most
    ``MAX_SHOWN``, then how many more). ``done`` is what did not happen ("imported",
    "registered")."""
    shown = [str(p) for p in problems[:MAX_SHOWN]]
    more = (f"\n... and {len(problems) - MAX_SHOWN} more"
            if len(problems) > MAX_SHOWN else "")
    return RejectedFile(
        f"nothing was {done}; fix these {len(problems)} problem(s) and try again:\n"
        + "\n".join(shown) + more,
        problems,
    )
