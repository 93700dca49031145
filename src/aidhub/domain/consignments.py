"""Consignments and their life cycle.

A consignment is goods sent by one consignor to one consignee, arriving together by one
means of transport. Every change of state goes through :func:`transition`, which refuses
anything the life cycle does not allow with a message that says what is allowed.

    pledged → pre-advised → in transit → arrived → screening → (held ⇄ under review)
    → cleared | rejected → partially received → received → closed
    also: cancelled (before arrival), lost (in transit), returned (rejected or refused)
"""

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from decimal import Decimal

from aidhub.domain.channels import TransportDocument
from aidhub.domain.errors import AidhubError, Several, Term


class State(enum.StrEnum):
    PLEDGED = "pledged"
    PRE_ADVISED = "pre_advised"
    IN_TRANSIT = "in_transit"
    ARRIVED = "arrived"
    SCREENING = "screening"
    HELD = "held"
    UNDER_REVIEW = "under_review"
    CLEARED = "cleared"
    REJECTED = "rejected"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    LOST = "lost"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


S = State
TRANSITIONS: dict[State, frozenset[State]] = {
    S.PLEDGED: frozenset({S.PRE_ADVISED, S.CANCELLED}),
    S.PRE_ADVISED: frozenset({S.IN_TRANSIT, S.ARRIVED, S.CANCELLED}),
    S.IN_TRANSIT: frozenset({S.ARRIVED, S.LOST, S.CANCELLED}),
    S.ARRIVED: frozenset({S.SCREENING}),
    S.SCREENING: frozenset({S.CLEARED, S.HELD, S.REJECTED}),
    S.HELD: frozenset({S.UNDER_REVIEW}),
    S.UNDER_REVIEW: frozenset({S.HELD, S.CLEARED, S.REJECTED}),
    S.CLEARED: frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED, S.HELD}),
    S.PARTIALLY_RECEIVED: frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED, S.HELD}),
    S.RECEIVED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset({S.RETURNED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
    S.LOST: frozenset(),
    S.RETURNED: frozenset(),
}

# Where goods can be counted in: a consignment that was cleared and not yet fully received.
RECEIVABLE = frozenset({S.CLEARED, S.PARTIALLY_RECEIVED})
# The consignment is on its way to the hub or at its door: announced goods are in transit.
ON_THE_WAY = frozenset({S.IN_TRANSIT, S.ARRIVED})
# States that need a reason when entered.
NEEDS_REASON = frozenset({S.HELD, S.REJECTED, S.CANCELLED, S.LOST, S.RETURNED,
                          S.UNDER_REVIEW})


class IllegalTransition(AidhubError):
    """The life cycle does not allow this change."""


def transition(number: str, current: State, target: State, reason: str = "") -> State:
    """Check that ``current`` may become ``target``; return ``target``."""
    allowed = TRANSITIONS[current]
    values = {"number": number, "current": Term(current), "target": Term(target)}
    if target not in allowed:
        if current in (S.HELD, S.UNDER_REVIEW, S.REJECTED) and target in (
                S.PARTIALLY_RECEIVED, S.RECEIVED):
            raise IllegalTransition(
                "consignment %(number)s cannot go from %(current)s to %(target)s; it is "
                "%(current)s: nothing can be received until a reviewer clears it", **values)
        if allowed:
            raise IllegalTransition(
                "consignment %(number)s cannot go from %(current)s to %(target)s; "
                "from %(current)s it can go to: %(options)s",
                options=Several(sorted(Term(s) for s in allowed), ", "), **values)
        raise IllegalTransition(
            "consignment %(number)s cannot go from %(current)s to %(target)s; "
            "%(current)s is final", **values)
    if target in NEEDS_REASON and not reason.strip():
        raise IllegalTransition("say why consignment %(number)s is %(target)s", **values)
    return target


class ClearanceState(enum.StrEnum):
    """Customs and port clearance at the point of entry."""

    DOCUMENTS_RECEIVED = "documents_received"
    ARRIVED = "arrived"
    CLEARED = "cleared"


CLEARANCE_ORDER = (ClearanceState.DOCUMENTS_RECEIVED, ClearanceState.ARRIVED,
                   ClearanceState.CLEARED)


def check_clearance_step(current: ClearanceState | None, target: ClearanceState) -> None:
    """Clearance only moves forward, one step or more at a time."""
    if current is not None and CLEARANCE_ORDER.index(target) < CLEARANCE_ORDER.index(current):
        raise IllegalTransition(
            "customs clearance is already %(current)s; it cannot go back to %(target)s",
            current=Term(current), target=Term(target))


class SealCheck(enum.StrEnum):
    INTACT = "intact"
    BROKEN = "broken"
    NUMBER_MISMATCH = "number_mismatch"


@dataclass(frozen=True, slots=True)
class Consignment:
    id: uuid.UUID
    number: str
    hub_id: uuid.UUID
    consignor_id: uuid.UUID
    consignee_id: uuid.UUID
    channel_id: uuid.UUID | None
    point_of_entry_id: uuid.UUID | None
    state: State
    eta: dt.date | None = None
    document_type: TransportDocument | None = None
    document_number: str = ""
    vehicle: str = ""
    driver: str = ""
    seals: str = ""
    donor_id: uuid.UUID | None = None
    arrived_at: dt.datetime | None = None
    documents_checked: str = ""
    clearance: ClearanceState | None = None
    seal_check: SealCheck | None = None
    seals_found: str = ""
    protest_letter: str = ""
    survey_report: str = ""
    source_hash: str | None = None


@dataclass(frozen=True, slots=True)
class ConsignmentLine:
    """One line of a pre-advice. ``item_id`` is None while the goods are unidentified."""

    id: uuid.UUID
    consignment_id: uuid.UUID
    line_no: int
    item_id: uuid.UUID | None
    description: str
    quantity: int
    unit: str
    batch: str = ""
    expiry: dt.date | None = None
    weight_kg: Decimal | None = None
    volume_m3: Decimal | None = None
    value: Decimal | None = None
    currency: str = ""
    donor_id: uuid.UUID | None = None
    earmark: str = ""
    sscc: str = ""
    received: int = 0
    short: int = 0
    closed: bool = False
    transit_lot_id: uuid.UUID | None = None
    in_transit: int = 0

    @property
    def outstanding(self) -> int:
        """What is still expected: announced, not received, not declared short."""
        return 0 if self.closed else max(0, self.quantity - self.received)
