"""Counting goods in: what a GRN line may say, and SUMA triage.

A consignment line may be received in several parts (partial receipts) and split into
several lot/expiry combinations; goods not on the pre-advice may arrive too. The rules:

- good + damaged is what was physically counted; damaged goods go to quarantine;
- receiving more than was announced must be declared as *over*;
- *short* is what the pre-advice announced and will not come, declared when the line is
  closed; until then the rest stays expected.
"""

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from aidhub.domain.catalog import SumaCategory
from aidhub.domain.errors import InvalidInput
from aidhub.domain.ledger import Posting, StockKey, check_balanced


@dataclass(frozen=True, slots=True)
class LineCount:
    """What was counted for one consignment line (or unannounced goods) in one GRN."""

    good: int
    damaged: int = 0
    over_declared: bool = False
    close_line: bool = False


@dataclass(frozen=True, slots=True)
class LineOutcome:
    good: int
    damaged: int
    over: int
    short: int


def assess(expected: int, already: int, counts: list[LineCount], line_ref: str) -> LineOutcome:
    """Check the counts of one announced line in one GRN against what was expected and
    already received; return the totals with over and short worked out."""
    good = sum(c.good for c in counts)
    damaged = sum(c.damaged for c in counts)
    for c in counts:
        if c.good < 0 or c.damaged < 0:
            raise InvalidInput("%(line)s: counts cannot be negative", field="good",
                               line=line_ref)
    if good + damaged <= 0:
        raise InvalidInput("%(line)s: nothing counted; give the good and damaged "
                           "quantities", field="good", line=line_ref)
    after = already + good + damaged
    over = max(0, after - expected) - max(0, already - expected)
    if over and not any(c.over_declared for c in counts):
        raise InvalidInput(
            "%(line)s: %(counted)s counted in all against %(expected)s announced; if "
            "%(over)s more really arrived, declare it as over",
            field="over", line=line_ref, counted=after, expected=expected, over=over,
        )
    short = max(0, expected - after) if any(c.close_line for c in counts) else 0
    return LineOutcome(good, damaged, over, short)


class Priority(enum.IntEnum):
    """SUMA priority at the point of entry."""

    URGENT = 1  # immediate distribution
    NON_URGENT = 2  # non-urgent distribution
    NON_PRIORITY = 3  # unneeded, inappropriate, unidentifiable or expired


class Disposition(enum.StrEnum):
    """What happens to priority-3 goods: they never become usable stock."""

    RETURN = "return"
    REROUTE = "reroute"
    DONATE_ON = "donate_on"
    DISPOSE = "dispose"


@dataclass(frozen=True, slots=True)
class Triage:
    priority: Priority
    category: SumaCategory
    disposition: Disposition | None = None
    reason: str = ""


def check_triage(triage: Triage, expiry: dt.date | None, today: dt.date) -> None:
    """Priority 3 needs a disposition and a reason; expired goods are priority 3."""
    if triage.priority is Priority.NON_PRIORITY:
        if triage.disposition is None:
            raise InvalidInput("priority 3 goods need a disposition: return, reroute, "
                               "donate_on or dispose", field="disposition")
        if not triage.reason.strip():
            raise InvalidInput("say why the goods are priority 3 (unneeded, inappropriate, "
                               "unidentifiable, expired)", field="reason")
    elif triage.disposition is not None:
        raise InvalidInput("only priority 3 goods get a disposition", field="disposition")
    if expiry is not None and expiry < today and triage.priority is not Priority.NON_PRIORITY:
        raise InvalidInput("the goods expired on %(expiry)s: they are blocked and can only "
                           "be priority 3", field="priority", expiry=expiry)


@dataclass(frozen=True, slots=True)
class GrnPlaces:
    """The hub's locations a GRN posts between."""

    external: uuid.UUID
    in_transit: uuid.UUID
    receiving: uuid.UUID
    quarantine: uuid.UUID
    lost: uuid.UUID


@dataclass(frozen=True, slots=True)
class ReceiptPart:
    """One counted lot of a GRN. ``from_transit`` of the good + damaged quantity comes out
    of what the consignment line has in IN-TRANSIT (under ``transit_lot_id``); the rest
    (goods not announced, or more than announced) comes straight from EXTERNAL."""

    item_id: uuid.UUID
    lot_id: uuid.UUID
    owner_id: uuid.UUID
    earmark: str
    good: int
    damaged: int
    transit_lot_id: uuid.UUID | None = None
    from_transit: int = 0


@dataclass(frozen=True, slots=True)
class ShortClosure:
    """What a closed line leaves in IN-TRANSIT: announced, never received; written off to
    LOST (the carrier's or consignor's loss, reported as such)."""

    item_id: uuid.UUID
    lot_id: uuid.UUID
    owner_id: uuid.UUID
    earmark: str
    quantity: int


def grn_postings(parts: list[ReceiptPart], shorts: list[ShortClosure],
                 places: GrnPlaces) -> tuple[Posting, ...]:
    """The postings of a GRN: announced goods out of IN-TRANSIT, anything else out of
    EXTERNAL; good into the receiving area, damaged into quarantine. When the lot counted
    is not the lot announced, the announcement is handed back to EXTERNAL and the counted
    lot comes from EXTERNAL, so that every (item, lot, owner, earmark) still balances."""
    out: list[Posting] = []

    def post(location: uuid.UUID, item, lot, owner, earmark: str, qty: int) -> None:
        if qty:
            out.append(Posting(StockKey(location, item, lot, owner, earmark), qty))

    for p in parts:
        counted = p.good + p.damaged
        taken = min(p.from_transit, counted)
        if taken and p.transit_lot_id is None:
            raise ValueError("from_transit needs the lot the line has in transit")
        if taken:
            post(places.in_transit, p.item_id, p.transit_lot_id, p.owner_id, p.earmark, -taken)
            if p.transit_lot_id != p.lot_id:
                post(places.external, p.item_id, p.transit_lot_id, p.owner_id, p.earmark, taken)
                post(places.external, p.item_id, p.lot_id, p.owner_id, p.earmark, -taken)
        post(places.external, p.item_id, p.lot_id, p.owner_id, p.earmark, -(counted - taken))
        post(places.receiving, p.item_id, p.lot_id, p.owner_id, p.earmark, p.good)
        post(places.quarantine, p.item_id, p.lot_id, p.owner_id, p.earmark, p.damaged)
    for s in shorts:
        post(places.in_transit, s.item_id, s.lot_id, s.owner_id, s.earmark, -s.quantity)
        post(places.lost, s.item_id, s.lot_id, s.owner_id, s.earmark, s.quantity)
    check_balanced(out)
    return tuple(out)
