"""Requests: a partner's ask for items for one distribution point.

    draft → submitted → approved | rejected (with a reason) → planned
    → fulfilled | partly fulfilled; cancelled from any open state (with a reason)

A planned request whose plan left part of it unserved can go back to approved, so that
the rest is planned again; its lines then ask only for what is still missing.
"""

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from aidhub.domain import lifecycle
from aidhub.domain.errors import InvalidInput
from aidhub.domain.lifecycle import IllegalTransition


class RequestState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PLANNED = "planned"
    FULFILLED = "fulfilled"
    PARTLY_FULFILLED = "partly_fulfilled"
    CANCELLED = "cancelled"


class Priority(enum.IntEnum):
    LIFE_SAVING = 1
    IMPORTANT = 2
    OTHER = 3

    @property
    def label(self) -> str:
        return {1: "life-saving", 2: "important", 3: "other"}[self.value]


R = RequestState
TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    R.DRAFT: frozenset({R.SUBMITTED, R.CANCELLED}),
    R.SUBMITTED: frozenset({R.APPROVED, R.REJECTED, R.CANCELLED}),
    R.APPROVED: frozenset({R.PLANNED, R.CANCELLED}),
    R.PLANNED: frozenset({R.FULFILLED, R.PARTLY_FULFILLED, R.APPROVED, R.CANCELLED}),
    R.REJECTED: frozenset(),
    R.FULFILLED: frozenset(),
    R.PARTLY_FULFILLED: frozenset(),
    R.CANCELLED: frozenset(),
}
NEEDS_REASON = frozenset({R.REJECTED, R.CANCELLED})
# Lines can be added and removed only while the partner is still writing the request.
EDITABLE = frozenset({R.DRAFT})
REFUSALS = lifecycle.Refusals(
    elsewhere=lambda **v: IllegalTransition(
        "request %(number)s cannot go from %(current)s to %(target)s; "
        "from %(current)s it can go to: %(options)s", **v),
    final=lambda **v: IllegalTransition(
        "request %(number)s cannot go from %(current)s to %(target)s; %(current)s is final",
        **v),
    reason=lambda **v: IllegalTransition("say why request %(number)s is %(target)s", **v),
)


def transition(number: str, current: RequestState, target: RequestState,
               reason: str = "") -> RequestState:
    lifecycle.check(REFUSALS, number, current, target, TRANSITIONS, reason=reason,
                    needs_reason=NEEDS_REASON)
    return target


def parse_priority(raw: object, field: str = "priority") -> Priority:
    try:
        return Priority(int(str(raw).strip()))
    except ValueError:
        raise InvalidInput("priority '%(priority)s' is not 1 (life-saving), 2 (important) "
                           "or 3 (other)", field=field, priority=raw) from None


@dataclass(frozen=True, slots=True)
class Request:
    id: uuid.UUID
    number: str
    organisation_id: uuid.UUID
    point_id: uuid.UUID
    state: RequestState
    created_at: dt.datetime
    created_by: str
    needed_by: dt.date | None = None
    note: str = ""
    reason: str = ""
    submitted_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class RequestLine:
    """An item and quantity with a priority. ``basis`` explains a quantity computed from
    planning figures (empty when the partner gave the quantity); ``planned`` is what
    approved plans have promised so far."""

    id: uuid.UUID
    request_id: uuid.UUID
    line_no: int
    item_id: uuid.UUID
    quantity: int
    priority: Priority
    needed_by: dt.date | None = None
    basis: str = ""
    planned: int = 0

    @property
    def outstanding(self) -> int:
        return max(self.quantity - self.planned, 0)
