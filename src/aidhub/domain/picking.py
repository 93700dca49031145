"""Picking: which bins and lots a release order line is taken from, first expired first out.

A line asks for a quantity of an item. The candidates are what the hub holds of that item
in its bins and zones, lot by lot. A lot is passed over, with the reason kept for the pick
list, when it is on hold, when it would not keep the minimum shelf life by the time it
reaches the distribution point, or when it is promised to another release order. The
lot the plan reserved for the line comes first among lots of the same expiry; otherwise
the earliest expiry goes first, then the smallest quantity (to empty bins), then the bin
code (a stable walking order).

Goods in quarantine or already on a vehicle are not candidates; they are reported so
that the warehouse officer knows why stock on the shelf is not offered.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from aidhub.domain.errors import InvalidInput
from aidhub.domain.sites import LocationKind

PICKABLE = frozenset({LocationKind.BIN, LocationKind.ZONE})


@dataclass(frozen=True, slots=True)
class Holding:
    """What one location holds of one lot for one owner; ``free`` is what nobody else has
    been promised (the line's own reservation counts as free for it)."""

    location_id: uuid.UUID
    location_code: str
    location_kind: LocationKind
    lot_id: uuid.UUID
    batch: str
    expiry: dt.date | None
    owner_id: uuid.UUID
    quantity: int
    free: int


@dataclass(frozen=True, slots=True)
class Pick:
    location_id: uuid.UUID
    location_code: str
    lot_id: uuid.UUID
    batch: str
    expiry: dt.date | None
    owner_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class Skipped:
    location_code: str
    batch: str
    expiry: dt.date | None
    quantity: int
    reason: str


@dataclass
class PickPlan:
    picks: list[Pick] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    short: int = 0

    @property
    def quantity(self) -> int:
        return sum(p.quantity for p in self.picks)


def usable_until(ship_date: dt.date, lead_days: int, min_shelf_days: int) -> dt.date:
    """A lot must expire on or after this day to be shipped on this trip."""
    return ship_date + dt.timedelta(days=lead_days + min_shelf_days)


def plan_picks(quantity: int, holdings: list[Holding], *, ship_date: dt.date,
               lead_days: int, min_shelf_days: int, held: dict[uuid.UUID, str],
               preferred_lot: uuid.UUID | None = None) -> PickPlan:
    """The picks for ``quantity`` units, FEFO, with every lot passed over and why."""
    if quantity <= 0:
        raise InvalidInput("the quantity to pick must be above zero", field="quantity")
    needed_by = usable_until(ship_date, lead_days, min_shelf_days)
    plan = PickPlan()
    ready: list[Holding] = []
    promised: list[Skipped] = []
    for h in holdings:
        if h.quantity <= 0:
            continue
        reason = _passed_over(h, held, needed_by)
        if reason:
            plan.skipped.append(Skipped(h.location_code, h.batch, h.expiry, h.quantity,
                                        reason))
        elif h.free < h.quantity:
            if h.free > 0:
                ready.append(h)
            promised.append(Skipped(h.location_code, h.batch, h.expiry,
                                    h.quantity - max(h.free, 0),
                                    "promised to other release order lines"))
        else:
            ready.append(h)
    ready.sort(key=lambda h: (h.expiry or dt.date.max, h.lot_id != preferred_lot,
                              min(h.free, h.quantity), h.location_code, str(h.owner_id)))
    left = quantity
    for h in ready:
        take = min(left, h.free, h.quantity)
        if take <= 0:
            continue
        plan.picks.append(Pick(h.location_id, h.location_code, h.lot_id, h.batch, h.expiry,
                               h.owner_id, take))
        left -= take
        if not left:
            break
    plan.short = left
    if left:  # stock promised elsewhere matters to the picker only when the line is short
        plan.skipped += promised
    return plan


def _passed_over(h: Holding, held: dict[uuid.UUID, str], needed_by: dt.date) -> str:
    if h.location_kind is LocationKind.QUARANTINE:
        return "in quarantine"
    if h.location_kind is LocationKind.VEHICLE:
        return "already on a vehicle"
    if h.location_kind is LocationKind.STAGING:
        return "already picked, waiting to be loaded"
    if h.location_kind not in PICKABLE:
        return f"in a {h.location_kind.value.replace('_', ' ')} location"
    if h.lot_id in held:
        return f"on hold: {held[h.lot_id]}"
    if h.expiry is not None and h.expiry < needed_by:
        return (f"expires {h.expiry.isoformat()}, before {needed_by.isoformat()} needed "
                "for the trip and the minimum shelf life")
    return ""


def check_override(pick_lot: uuid.UUID, plan: PickPlan, reason: str) -> None:
    """A warehouse officer may pick another lot than the one proposed, saying why."""
    if any(p.lot_id == pick_lot for p in plan.picks):
        return
    if not reason.strip():
        raise InvalidInput("this lot is not on the pick list: say why you pick it instead "
                           "(the reason is kept)", field="reason")
