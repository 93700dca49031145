"""Domain errors. Each one names what is wrong and, where it can, what to do about it.

Entry points (CLI, API, web) show ``str(error)`` to the user as it is, so messages are
written for a person in a warehouse, not for a developer.
"""


class AidhubError(Exception):
    """Base class of every error a user can cause and fix."""


class InvalidInput(AidhubError):
    """A value is malformed: a quantity that is not a whole number, an impossible date..."""

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None):
        where = []
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)
        self.detail = message
        self.field = field
        self.row = row


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
