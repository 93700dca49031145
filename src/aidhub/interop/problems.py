"""Rejecting a whole file at once: every problem found, one line each, in one error.

Imports are all or nothing. Rather than stopping at the first bad cell, an importer
collects every :class:`Problem` (row, column as written in the file, what to do) and
raises :func:`rejected`, so the user can fix the file in one go.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as attribute
from typing import Any

from aidhub.domain.errors import AidhubError, Gettext, InvalidInput, fill, where

MAX_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where it is and how to fix it.

    ``column`` is the column's header as the file writes it (or its HXL tag), so that the
    user can find the cell; ``field`` is the field it was read as, for programs.
    ``message`` is a template that ``values`` fill in (see :mod:`aidhub.domain.errors`), so
    that a page can show it in the reader's language. A problem of a record rather than a
    file names its ``line`` (the record's third line) or its ``count`` (the second count
    given), for a page to show it next to that line.
    """

    row: int | None
    column: str | None
    message: str
    field: str | None = None
    values: dict[str, Any] = attribute(default_factory=dict, compare=False, hash=False)
    line: int | None = None
    count: int | None = None

    @classmethod
    def of(cls, row: int | None, column: str | None, error: AidhubError,
           field: str | None = None, *, line: int | None = None) -> "Problem":
        """The problem an error found in a cell (or a line): its message (without where
        it happened) as the error's own template and values."""
        return cls(row, column, error.template or str(error), field, dict(error.values),
                   line=line)

    @classmethod
    def around(cls, error: AidhubError, *, row: int | None = None, line: int | None = None,
               count: int | None = None) -> "Problem":
        """An error, whole (with the row and field it names), found on a row, line or
        count."""
        return cls(row, None, "%(error)s", values={"error": error}, line=line, count=count)

    def text(self, gettext: Gettext = str) -> str:
        """What is wrong (without where), through ``gettext`` into a reader's language."""
        return fill(self.message, self.values, gettext)

    def translated(self, gettext: Gettext) -> str:
        return where(gettext, row=self.row, column=self.column, line=self.line,
                     count=self.count) + self.text(gettext)

    def __str__(self) -> str:
        return self.translated(str)


class RejectedFile(InvalidInput):
    """A file was refused as a whole; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: Sequence[Problem | str], done: str = "imported"):
        self.problems = tuple(problems)
        self.done = done
        super().__init__(self._text(str))

    def _text(self, gettext: Gettext) -> str:
        shown = [p if isinstance(p, str) else p.translated(gettext)
                 for p in self.problems[:MAX_SHOWN]]
        more = len(self.problems) - MAX_SHOWN
        done = {"imported": gettext("nothing was imported"),
                "registered": gettext("nothing was registered"),
                "planned": gettext("nothing was planned")}.get(self.done, self.done)
        head = gettext("%(done)s; fix these %(count)s problem(s) and try again:") % {
            "done": done, "count": len(self.problems)}
        tail = ("\n" + gettext("... and %(more)s more") % {"more": more}) if more > 0 else ""
        return head + "\n" + "\n".join(shown) + tail

    def translated_detail(self, gettext: Gettext) -> str:
        return self._text(gettext)


def rejected(problems: Sequence[Problem | str], done: str = "imported") -> RejectedFile:
    """The error for a refused import: a count, then one line per problem (at most
    ``MAX_SHOWN``, then how many more). ``done`` is what did not happen ("imported",
    "registered", "planned")."""
    return RejectedFile(problems, done)
