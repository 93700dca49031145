"""The ledger's rules, and property tests that random movements keep every invariant."""

import datetime as dt
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidhub.domain.errors import InsufficientStock, LedgerError, UnbalancedMovement
from aidhub.domain.ledger import (
    Movement,
    MovementKind,
    MovementLine,
    Posting,
    StockBook,
    StockKey,
    check_balanced,
    check_line,
    reversing_postings,
)
from aidhub.domain.sites import Location, LocationKind

SITE, OTHER = uuid.uuid4(), uuid.uuid4()
LOCS = {
    "EXT": Location(uuid.uuid4(), SITE, "EXTERNAL", "", LocationKind.EXTERNAL),
    "A": Location(uuid.uuid4(), SITE, "A-01", "", LocationKind.BIN),
    "B": Location(uuid.uuid4(), SITE, "B-01", "", LocationKind.ZONE),
    "Q": Location(uuid.uuid4(), SITE, "QUARANTINE", "", LocationKind.QUARANTINE),
    "LOST": Location(uuid.uuid4(), SITE, "LOST", "", LocationKind.LOST),
    "DIST": Location(uuid.uuid4(), SITE, "DISTRIBUTED", "", LocationKind.DISTRIBUTED),
    "TRANSIT2": Location(uuid.uuid4(), OTHER, "IN-TRANSIT", "", LocationKind.IN_TRANSIT),
    "C": Location(uuid.uuid4(), OTHER, "C-01", "", LocationKind.BIN),
    "TRANSIT": Location(uuid.uuid4(), SITE, "IN-TRANSIT", "", LocationKind.IN_TRANSIT),
    "LOST2": Location(uuid.uuid4(), OTHER, "LOST", "", LocationKind.LOST),
}
ITEMS = [uuid.uuid4() for _ in range(2)]
LOTS = [uuid.uuid4() for _ in range(2)]
OWNERS = [uuid.uuid4() for _ in range(2)]
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def line(qty, src, dst, item=0, lot=0, owner=0):
    return MovementLine(ITEMS[item], LOTS[lot], OWNERS[owner], qty, LOCS[src], LOCS[dst])


def movement(kind, *lines):
    postings = tuple(p for ln in lines for p in ln.postings())
    return Movement(uuid.uuid4(), kind, NOW, "t", postings)


@pytest.mark.parametrize("kind,src,dst", [
    (MovementKind.RECEIPT, "EXT", "A"),
    (MovementKind.RECEIPT, "TRANSIT2", "C"),
    (MovementKind.TRANSFER, "A", "Q"),
    (MovementKind.DISPATCH, "A", "DIST"),
    (MovementKind.DISPATCH, "A", "TRANSIT2"),
    (MovementKind.ADJUSTMENT, "A", "LOST"),
    (MovementKind.ADJUSTMENT, "LOST", "B"),
    (MovementKind.ADJUSTMENT, "TRANSIT", "LOST"),  # a consignment lost on the way
    (MovementKind.RETURN, "DIST", "TRANSIT2"),  # goods back from a point to a hub
    (MovementKind.RETURN, "TRANSIT", "EXT"),
])
def test_allowed_routes(kind, src, dst):
    check_line(kind, line(1, src, dst))


@pytest.mark.parametrize("kind,src,dst,why", [
    (MovementKind.RECEIPT, "A", "B", "receipt goes from EXTERNAL"),
    (MovementKind.TRANSFER, "A", "C", "physical locations of one site"),
    (MovementKind.TRANSFER, "EXT", "A", "physical locations of one site"),
    (MovementKind.DISPATCH, "A", "LOST", "IN-TRANSIT"),
    (MovementKind.ADJUSTMENT, "A", "DIST", "LOST"),
    (MovementKind.TRANSFER, "A", "A", "must go somewhere"),
    (MovementKind.ADJUSTMENT, "TRANSIT2", "LOST", "same site"),
    (MovementKind.ADJUSTMENT, "LOST", "TRANSIT", "LOST"),
    (MovementKind.RETURN, "DIST", "A", "DISTRIBUTED back into"),
])
def test_refused_routes_say_the_rule(kind, src, dst, why):
    with pytest.raises(LedgerError, match=why):
        check_line(kind, line(1, src, dst))


def test_postings_must_balance_per_item_lot_and_owner():
    a, b = StockKey(LOCS["A"].id, ITEMS[0], LOTS[0], OWNERS[0]), \
        StockKey(LOCS["B"].id, ITEMS[0], LOTS[0], OWNERS[1])
    with pytest.raises(UnbalancedMovement, match="sum to"):
        check_balanced([Posting(a, -5), Posting(b, 5)])  # changes owner: not a movement
    with pytest.raises(UnbalancedMovement, match="zero"):
        check_balanced([Posting(a, 0), Posting(b, 0)])


def test_physical_location_never_goes_negative():
    book = StockBook({loc.id: loc for loc in LOCS.values()})
    book.post(movement(MovementKind.RECEIPT, line(10, "EXT", "A")))
    with pytest.raises(InsufficientStock, match="holds 10, the movement takes 11"):
        book.post(movement(MovementKind.DISPATCH, line(11, "A", "DIST")))
    assert book.balances[StockKey(LOCS["A"].id, ITEMS[0], LOTS[0], OWNERS[0])] == 10


def test_a_reversal_restores_the_balances_and_cannot_be_reversed():
    book = StockBook({loc.id: loc for loc in LOCS.values()})
    first = movement(MovementKind.RECEIPT, line(10, "EXT", "A"))
    book.post(first)
    back = Movement(uuid.uuid4(), MovementKind.REVERSAL, NOW, "t", reversing_postings(first),
                    reverses=first.id)
    book.post(back)
    assert all(q == 0 for q in book.balances.values())
    with pytest.raises(LedgerError, match="cannot itself be reversed"):
        reversing_postings(back)


ROUTES = [
    (MovementKind.RECEIPT, "EXT", "A"), (MovementKind.RECEIPT, "EXT", "B"),
    (MovementKind.TRANSFER, "A", "B"), (MovementKind.TRANSFER, "B", "Q"),
    (MovementKind.TRANSFER, "Q", "A"), (MovementKind.DISPATCH, "A", "DIST"),
    (MovementKind.DISPATCH, "B", "TRANSIT2"), (MovementKind.RECEIPT, "TRANSIT2", "C"),
    (MovementKind.ADJUSTMENT, "A", "LOST"), (MovementKind.ADJUSTMENT, "LOST", "B"),
]
line_strategy = st.tuples(
    st.sampled_from(ROUTES), st.integers(1, 60), st.integers(0, 1), st.integers(0, 1),
    st.integers(0, 1),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(line_strategy, min_size=1, max_size=3), max_size=40))
def test_random_movements_keep_every_invariant(batches):
    book = StockBook({loc.id: loc for loc in LOCS.values()})
    for lines in batches:
        built = []
        for (kind, src, dst), qty, item, lot, owner in lines:
            built.append((kind, line(qty, src, dst, item, lot, owner)))
        kind = built[0][0]
        m = movement(kind, *[ln for _, ln in built])
        before = dict(book.balances)
        try:
            book.post(m)
        except InsufficientStock:
            assert book.balances == before, "a refused movement changed nothing"
            continue
        # every accepted movement sums to zero for each (item, lot, owner)
        check_balanced(m.postings)
    # physical locations are never negative
    for key, qty in book.balances.items():
        if book.is_physical(key.location_id):
            assert qty >= 0
    # balances are exactly what the movements sum to
    recomputed = book.recomputed()
    assert {k: v for k, v in book.balances.items() if v} == {
        k: v for k, v in recomputed.items() if v}
    # stock is neither created nor destroyed
    for item in ITEMS:
        assert sum(q for k, q in book.balances.items() if k.item_id == item) == 0
