"""The double-entry stock ledger.

A :class:`Movement` is one balanced change of stock: postings that move whole quantities
of an (item, lot, owner) between locations. For each (item, lot, owner) the postings of a
movement sum to zero, so stock is never created or destroyed, only moved; goods arriving
from outside come from the site's virtual EXTERNAL location, goods handed out go to the
virtual DISTRIBUTED location, and so on. A physical location never goes below zero.
History is append-only: a mistake is corrected by a reversing movement.

Everything here works on ids and plain integers; the store keeps the balances and calls
:func:`apply_postings` with the balances it read (and locked) inside its transaction.
"""

import datetime as dt
import enum
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from aidhub.domain.errors import InsufficientStock, LedgerError, UnbalancedMovement
from aidhub.domain.sites import Location, LocationKind


class MovementKind(enum.StrEnum):
    RECEIPT = "receipt"  # from EXTERNAL or IN-TRANSIT into a physical location
    TRANSFER = "transfer"  # between physical locations of one site
    DISPATCH = "dispatch"  # from a physical location to IN-TRANSIT or DISTRIBUTED
    ADJUSTMENT = "adjustment"  # a count difference: physical <-> LOST
    DISPOSAL = "disposal"  # from a physical location to DISPOSED
    DELIVERY = "delivery"  # proof of delivery: IN-TRANSIT to DISTRIBUTED (or LOST on the way)
    REVERSAL = "reversal"  # the exact opposite of an earlier movement
    INBOUND = "inbound"  # announced goods on their way: EXTERNAL to IN-TRANSIT
    RETURN = "return"  # goods sent back: to EXTERNAL, or from DISTRIBUTED back to a hub


@dataclass(frozen=True, slots=True)
class StockKey:
    """What a balance is kept for: a location holding an item's lot for an owner, under an
    earmark (a donor's restriction on use; empty when there is none). Ownership and earmark
    travel with the goods: no movement changes them."""

    location_id: uuid.UUID
    item_id: uuid.UUID
    lot_id: uuid.UUID
    owner_id: uuid.UUID
    earmark: str = ""
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Keys are looked up many times per movement; hashing four UUIDs each time is not
        # free (uuid.UUID.__hash__ is Python code), so the hash is computed once.
        object.__setattr__(self, "_hash", hash((self.location_id.int, self.item_id.int,
                                                 self.lot_id.int, self.owner_id.int,
                                                 self.earmark)))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class Posting:
    """One side of a movement: ``quantity`` (signed, in inventory units) at a stock key."""

    key: StockKey
    quantity: int


@dataclass(frozen=True, slots=True)
class MovementLine:
    """A quantity of an (item, lot, owner) moved from one location to another."""

    item_id: uuid.UUID
    lot_id: uuid.UUID
    owner_id: uuid.UUID
    quantity: int
    source: Location
    destination: Location
    earmark: str = ""

    def postings(self) -> tuple[Posting, Posting]:
        out = StockKey(self.source.id, self.item_id, self.lot_id, self.owner_id, self.earmark)
        into = StockKey(self.destination.id, self.item_id, self.lot_id, self.owner_id,
                        self.earmark)
        return Posting(out, -self.quantity), Posting(into, self.quantity)


@dataclass(frozen=True, slots=True)
class Movement:
    """A recorded movement. ``seq`` is its number in the recording node's sequence."""

    id: uuid.UUID
    kind: MovementKind
    at: dt.datetime
    actor: str
    postings: tuple[Posting, ...]
    note: str = ""
    reverses: uuid.UUID | None = None
    node_id: uuid.UUID | None = None
    seq: int | None = None
    reference: str = ""
    recorded_at: dt.datetime | None = field(default=None, compare=False)


_VIRTUAL_SOURCES = {
    MovementKind.RECEIPT: {LocationKind.EXTERNAL, LocationKind.IN_TRANSIT},
}
_VIRTUAL_DESTINATIONS = {
    MovementKind.DISPATCH: {LocationKind.IN_TRANSIT, LocationKind.DISTRIBUTED},
    MovementKind.DISPOSAL: {LocationKind.DISPOSED},
}


def check_line(kind: MovementKind, line: MovementLine) -> None:
    """Check that a line of this kind of movement goes between the right kinds of location."""
    src, dst = line.source, line.destination
    if line.quantity <= 0:
        raise LedgerError("quantity must be above zero, not %(quantity)s",
                          quantity=line.quantity)
    if src.id == dst.id:
        raise LedgerError("a movement must go somewhere: from and to are both %(location)s",
                          location=src.code)
    where = {"source": src.code, "source_kind": src.kind.value, "destination": dst.code,
             "destination_kind": dst.kind.value}
    if kind is MovementKind.RECEIPT:
        if not (src.kind in _VIRTUAL_SOURCES[kind] and dst.physical):
            raise LedgerError(
                "receipt from %(source)s (%(source_kind)s) to %(destination)s "
                "(%(destination_kind)s) is not allowed: a receipt goes from EXTERNAL or "
                "IN-TRANSIT into a physical location", **where)
    elif kind is MovementKind.TRANSFER:
        if not (src.physical and dst.physical and src.site_id == dst.site_id):
            raise LedgerError(
                "transfer from %(source)s (%(source_kind)s) to %(destination)s "
                "(%(destination_kind)s) is not allowed: a transfer goes between physical "
                "locations of one site", **where)
    elif kind is MovementKind.DISPATCH:
        if not (src.physical and dst.kind in _VIRTUAL_DESTINATIONS[kind]):
            raise LedgerError(
                "dispatch from %(source)s (%(source_kind)s) to %(destination)s "
                "(%(destination_kind)s) is not allowed: a dispatch goes from a physical "
                "location to DISTRIBUTED or IN-TRANSIT", **where)
    elif kind is MovementKind.DISPOSAL:
        if not (src.physical and dst.kind in _VIRTUAL_DESTINATIONS[kind]):
            raise LedgerError(
                "disposal from %(source)s (%(source_kind)s) to %(destination)s "
                "(%(destination_kind)s) is not allowed: a disposal goes from a physical "
                "location to DISPOSED", **where)
    elif kind is MovementKind.DELIVERY:
        if not (src.kind is LocationKind.IN_TRANSIT and dst.kind in (
                LocationKind.DISTRIBUTED, LocationKind.LOST) and src.site_id == dst.site_id):
            raise LedgerError(
                "delivery from %(source)s (%(source_kind)s) to %(destination)s "
                "(%(destination_kind)s) is not allowed: a delivery goes from IN-TRANSIT to "
                "DISTRIBUTED or LOST of the same site", **where)
    elif kind is MovementKind.INBOUND:
        if not (src.kind is LocationKind.EXTERNAL and dst.kind is LocationKind.IN_TRANSIT):
            raise LedgerError(
                "inbound from %(source)s (%(source_kind)s) to %(destination)s "
                "(%(destination_kind)s) is not allowed: inbound goods go from EXTERNAL to "
                "IN-TRANSIT", **where)
    elif kind is MovementKind.RETURN:
        if not (((src.physical or src.kind is LocationKind.IN_TRANSIT)
                 and dst.kind is LocationKind.EXTERNAL) or (
                src.kind is LocationKind.DISTRIBUTED and dst.kind is LocationKind.IN_TRANSIT)):
            raise LedgerError(
                "return from %(source)s (%(source_kind)s) to %(destination)s "
                "(%(destination_kind)s) is not allowed: a return goes from a physical "
                "location or IN-TRANSIT to EXTERNAL, or from DISTRIBUTED back into a hub's "
                "IN-TRANSIT", **where)
    elif kind is MovementKind.ADJUSTMENT:
        ok = ((src.physical or src.kind is LocationKind.IN_TRANSIT)
              and dst.kind is LocationKind.LOST) or (
            src.kind is LocationKind.LOST and dst.physical
        )
        if not (ok and src.site_id == dst.site_id):
            raise LedgerError(
                "adjustment from %(source)s (%(source_kind)s) to %(destination)s "
                "(%(destination_kind)s) is not allowed: an adjustment goes between a "
                "physical location and LOST of the same site (or from IN-TRANSIT to LOST: "
                "goods lost on the way)", **where)
    else:
        raise LedgerError("a reversal is made from the movement it reverses, not from lines")


def postings_of(lines: Iterable[MovementLine]) -> tuple[Posting, ...]:
    return tuple(p for line in lines for p in line.postings())


def check_balanced(postings: Iterable[Posting]) -> None:
    """For each (item, lot, owner, earmark) the postings must sum to zero, and none may be
    zero."""
    totals: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID, str], int] = defaultdict(int)
    count = 0
    for p in postings:
        if not isinstance(p.quantity, int) or isinstance(p.quantity, bool):
            raise UnbalancedMovement("posting quantity %(quantity)r is not a whole number",
                                     quantity=p.quantity)
        if p.quantity == 0:
            raise UnbalancedMovement("a posting of zero moves nothing")
        totals[(p.key.item_id, p.key.lot_id, p.key.owner_id, p.key.earmark)] += p.quantity
        count += 1
    if count < 2:
        raise UnbalancedMovement("a movement needs at least two postings")
    for (item, lot, owner, earmark), total in totals.items():
        if total != 0:
            raise UnbalancedMovement(
                "postings of item %(item)s lot %(lot)s owner %(owner)s earmark '%(earmark)s' "
                "sum to %(total)s, not 0",
                item=item, lot=lot, owner=owner, earmark=earmark, total=total)


def net_changes(postings: Iterable[Posting]) -> dict[StockKey, int]:
    """The change each posting makes to each stock key, summed."""
    changes: dict[StockKey, int] = defaultdict(int)
    for p in postings:
        changes[p.key] += p.quantity
    return dict(changes)


def apply_postings(
    balances: Mapping[StockKey, int],
    postings: Iterable[Posting],
    is_physical: Callable[[uuid.UUID], bool],
    describe: Callable[[StockKey], str] = str,
) -> dict[StockKey, int]:
    """The new balance of every key the postings touch, or :class:`InsufficientStock`.

    ``balances`` holds the current balance of (at least) every key touched; a key that is
    missing has zero. Nothing is changed in ``balances``: the caller writes the result.
    """
    result: dict[StockKey, int] = {}
    for key, change in net_changes(postings).items():
        before = balances.get(key, 0)
        after = before + change
        if after < 0 and is_physical(key.location_id):
            raise InsufficientStock(
                "not enough stock: %(stock)s holds %(before)s, the movement takes %(taken)s",
                stock=describe(key), before=before, taken=-change)
        result[key] = after
    return result


def reversing_postings(movement: Movement) -> tuple[Posting, ...]:
    """The postings that undo ``movement``."""
    if movement.kind is MovementKind.REVERSAL:
        raise LedgerError(
            "a reversal cannot itself be reversed; post the movement again instead"
        )
    return tuple(Posting(p.key, -p.quantity) for p in movement.postings)


class StockBook:
    """An in-memory ledger: the rules above applied to a sequence of movements.

    The store keeps the same rules against the database; this class is what property tests
    and simulations use, and the reference the database balances are compared with.
    """

    def __init__(self, locations: Mapping[uuid.UUID, Location]):
        self.locations = dict(locations)
        self.balances: dict[StockKey, int] = {}
        self.movements: list[Movement] = []

    def is_physical(self, location_id: uuid.UUID) -> bool:
        return self.locations[location_id].physical

    def post(self, movement: Movement) -> None:
        """Apply a movement, all or nothing."""
        check_balanced(movement.postings)
        new = apply_postings(self.balances, movement.postings, self.is_physical)
        self.balances.update(new)
        self.movements.append(movement)

    def recomputed(self) -> dict[StockKey, int]:
        """Balances recomputed from the movements alone."""
        totals: dict[StockKey, int] = defaultdict(int)
        for m in self.movements:
            for p in m.postings:
                totals[p.key] += p.quantity
        return dict(totals)
