"""FEFO picking: earliest expiry first, and every lot passed over says why."""

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidhub.domain.errors import InvalidInput
from aidhub.domain.picking import Holding, check_override, plan_picks, usable_until
from aidhub.domain.sites import LocationKind

SHIP = dt.date(2026, 12, 1)
OWNER = uuid.uuid4()


def holding(code, batch, expiry, qty, *, kind=LocationKind.BIN, free=None, lot=None):
    return Holding(uuid.uuid5(uuid.NAMESPACE_URL, code), code, kind,
                   lot or uuid.uuid5(uuid.NAMESPACE_URL, batch), batch,
                   dt.date.fromisoformat(expiry) if expiry else None, OWNER, qty,
                   qty if free is None else free)


def plan(qty, holdings, **kw):
    return plan_picks(qty, holdings, ship_date=SHIP, lead_days=kw.pop("lead", 2),
                      min_shelf_days=kw.pop("shelf", 30), held=kw.pop("held", {}), **kw)


def test_earliest_expiry_goes_first_across_bins():
    p = plan(120, [holding("A-02", "L2", "2027-06-30", 100),
                   holding("A-01", "L1", "2027-03-31", 80),
                   holding("B-01", "L3", None, 500)])
    assert [(x.location_code, x.batch, x.quantity) for x in p.picks] == [
        ("A-01", "L1", 80), ("A-02", "L2", 40)]
    assert p.short == 0 and p.skipped == []


def test_held_quarantined_and_short_dated_lots_are_skipped_with_reasons():
    held_lot = uuid.uuid4()
    p = plan(50, [holding("A-01", "OLD", "2026-12-20", 10),
                  holding("A-02", "HELD", "2027-01-31", 10, lot=held_lot),
                  holding("QUARANTINE", "Q", "2027-05-01", 10, kind=LocationKind.QUARANTINE),
                  holding("A-03", "OK", "2027-05-01", 30)],
             held={held_lot: "consignment on hold: screening hit"})
    assert [(x.batch, x.quantity) for x in p.picks] == [("OK", 30)]
    assert p.short == 20
    reasons = {s.batch: s.reason for s in p.skipped}
    assert reasons["OLD"].startswith("expires 2026-12-20, before 2027-01-02")
    assert reasons["HELD"] == "on hold: consignment on hold: screening hit"
    assert reasons["Q"] == "in quarantine"


def test_stock_promised_to_others_is_not_taken():
    p = plan(40, [holding("A-01", "L1", "2027-03-31", 50, free=10),
                  holding("A-02", "L2", "2027-04-30", 50)])
    assert [(x.batch, x.quantity) for x in p.picks] == [("L1", 10), ("L2", 30)]
    assert p.skipped == []  # the line is served: what others were promised is no news
    short = plan(40, [holding("A-01", "L1", "2027-03-31", 50, free=10)])
    assert (short.short, short.skipped[0].quantity) == (30, 40)
    assert short.skipped[0].reason == "promised to other release order lines"


def test_the_reserved_lot_comes_first_among_equal_expiries():
    mine = uuid.uuid4()
    p = plan(10, [holding("A-01", "X", "2027-03-31", 50),
                  holding("A-09", "MINE", "2027-03-31", 50, lot=mine)], preferred_lot=mine)
    assert p.picks[0].batch == "MINE"


def test_overrides_need_a_reason():
    p = plan(10, [holding("A-01", "L1", "2027-03-31", 50)])
    with pytest.raises(InvalidInput, match="say why"):
        check_override(uuid.uuid4(), p, "")
    check_override(uuid.uuid4(), p, "pallet on top, L1 behind it")
    with pytest.raises(InvalidInput, match="above zero"):
        plan(0, [])


def test_the_shelf_life_date_counts_the_trip():
    assert usable_until(SHIP, 3, 30) == dt.date(2027, 1, 3)


bins = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 40), st.booleans()),
                min_size=0, max_size=8)


@given(bins, st.integers(1, 200))
def test_picks_never_exceed_what_is_free_and_account_for_the_quantity(rows, qty):
    holdings = [holding(f"B-{n:02d}", f"L{n}", (SHIP + dt.timedelta(days=d)).isoformat(),
                        q, free=q if free else q // 2)
                for n, (d, q, free) in enumerate(rows)]
    p = plan(qty, holdings, lead=0, shelf=10)
    by_code = {h.location_code: h for h in holdings}
    for pick in p.picks:
        h = by_code[pick.location_code]
        assert 0 < pick.quantity <= h.free and h.expiry >= SHIP + dt.timedelta(days=10)
    assert p.quantity + p.short == qty
    expiries = [x.expiry for x in p.picks]
    assert expiries == sorted(expiries)
