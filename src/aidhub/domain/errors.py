"""Domain errors. Each one names what is wrong and, where it can, what to do about it.

Entry points show the message to the user: the CLI and the API as it is (English), the web
pages in the reader's language. So a message is written for a person in a warehouse, not
for a developer, and as a template with named values::

    raise NotFound("no item with code %(code)s; see `aidhub items list`", code=code)

``str(error)`` is the English text; :meth:`AidhubError.translated` is the same message
through a catalog (the web app's ``gettext``). Extraction finds the template because the
error's class is one of the catalog's keywords (``aidhub.web.locale.catalog``). A message
typed as an f-string could not be translated, and a test refuses it.
"""

import enum
from collections.abc import Callable, Sequence
from typing import Any, Protocol

Gettext = Callable[[str], str]


class Translatable(Protocol):
    """A value of a message that has words of its own to translate (an error, a problem
    of a file, several of them)."""

    def translated(self, gettext: Gettext) -> str: ...


class Term(str):
    """A word of the domain's own vocabulary given as a value of a message: a state, a
    kind of site, a role (``partly_fulfilled`` is written "partly fulfilled"). A page
    shows it in the reader's language, as its templates show states and kinds (the words
    are in the catalog through ``aidhub.web.locale.terms``)."""

    def __new__(cls, word: Any) -> "Term":
        text = word.value if isinstance(word, enum.Enum) else word
        return super().__new__(cls, str(text).replace("_", " "))

    def translated(self, gettext: Gettext) -> str:
        return gettext(str(self))


def localised(gettext: Gettext, value: Any) -> Any:
    """A value of a message through ``gettext``: translated if it has words of its own."""
    return value.translated(gettext) if hasattr(value, "translated") else value


def fill(template: str, values: dict[str, Any], gettext: Gettext = str) -> str:
    """A message's template through ``gettext`` with its values in, each of them through
    ``gettext`` too if it has words of its own (an error, a Term); left as it is when there
    are no values, so that a template without values may hold a bare %."""
    text = gettext(template)
    if not values:
        return text
    return text % {name: localised(gettext, value) for name, value in values.items()}


def where(gettext: Gettext, *, row: int | None = None, column: str | None = None,
          field: str | None = None, line: int | None = None,
          count: int | None = None) -> str:
    """Where something is wrong, ahead of what ("row 3, field 'quantity': "), through
    ``gettext`` into a reader's language; empty when nothing is named. ``line`` is a line
    of a record (a consignment's third line), ``count`` the place of an entry among those
    given (the second count of a GRN)."""
    parts = []
    if row is not None:
        parts.append(gettext("row %(row)s") % {"row": row})
    if line is not None:
        parts.append(gettext("line %(line)s") % {"line": line})
    if count is not None:
        parts.append(gettext("count %(count)s") % {"count": count})
    if column is not None:
        parts.append(gettext("column '%(column)s'") % {"column": column})
    if field is not None:
        parts.append(gettext("field '%(field)s'") % {"field": field})
    return (", ".join(parts) + ": ") if parts else ""


class AidhubError(Exception):
    """Base class of every error a user can cause and fix."""

    def __init__(self, message: str = "", /, **values: Any):
        super().__init__(fill(message, values))
        self.template = message
        self.values = values

    def translated(self, gettext: Gettext) -> str:
        """The message in another language: ``gettext`` finds the template's translation
        (or gives it back as it is) and the values fill it in (an error among them in the
        same language: "line 3: %(error)s")."""
        if not self.template:
            return str(self)
        return fill(self.template, self.values, gettext)


class Several:
    """Several errors (or problems) given as one value of a message, "a; b": each is
    translated along with the message."""

    def __init__(self, items: Sequence[Translatable], separator: str = "; "):
        self.items = tuple(items)
        self.separator = separator

    def translated(self, gettext: Gettext) -> str:
        return self.separator.join(item.translated(gettext) for item in self.items)

    def __str__(self) -> str:
        return self.translated(str)

    def __bool__(self) -> bool:
        return bool(self.items)


class InvalidInput(AidhubError):
    """A value is malformed: a quantity that is not a whole number, an impossible date...

    ``detail`` is the message without where it happened (the row and field), for a page
    that shows it next to the field."""

    def __init__(self, message: str, /, *, field: str | None = None, row: int | None = None,
                 **values: Any):
        super().__init__(message, **values)
        self.detail = str(self)
        self.field = field
        self.row = row
        self.args = (where(str, row=row, field=field) + self.detail,)

    def translated_detail(self, gettext: Gettext) -> str:
        return super().translated(gettext)

    def translated(self, gettext: Gettext) -> str:
        return where(gettext, row=self.row, field=self.field) + self.translated_detail(gettext)


class NotFound(AidhubError):
    """A code or id names nothing known (an unknown item, site, location...)."""


class AlreadyExists(AidhubError):
    """A record with that code already exists."""


class LedgerError(AidhubError):
    """A movement breaks a rule of the stock ledger."""


class UnbalancedMovement(LedgerError):
    """The postings of a movement do not sum to zero for some (item, lot, owner)."""


class InsufficientStock(LedgerError):
    """A movement would take a physical location below zero."""


class IdempotencyConflict(AidhubError):
    """An idempotency key was reused for a different request."""


class StorageError(AidhubError):
    """The database cannot be reached or read (wrong URL, server down, corrupt file)."""
