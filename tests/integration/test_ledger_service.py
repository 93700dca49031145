"""Posting movements through the services, on both databases."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from aidhub.domain.errors import (
    IdempotencyConflict,
    InsufficientStock,
    InvalidInput,
    LedgerError,
    NotFound,
)
from aidhub.services import movements, stock, verify
from aidhub.services.movements import LineRequest, MovementRequest
from aidhub.store.tables import audit_records, balances, commands, lots, postings
from aidhub.store.tables import movements as movements_table
from tests.helpers import make_hub, move, receive


@pytest.fixture
def hub(ctx):
    make_hub(ctx)
    return ctx


def counts(ctx) -> dict[str, int]:
    with ctx.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (movements_table, postings, balances, audit_records, commands, lots)}


def on_hand(ctx, **kw) -> dict[tuple[str, str, str], int]:
    return {(r.location, r.item, r.batch): r.quantity for r in stock.on_hand(ctx, **kw)}


def test_receive_put_away_and_dispatch(hub):
    receive(hub, "RICE", 100, key="k1")
    move(hub, "transfer", "RICE", 40, "DAM-HUB/A-01", "DAM-HUB/A-02", key="k2")
    move(hub, "dispatch", "RICE", 15, "DAM-HUB/A-02", "ALP-HUB/IN-TRANSIT", key="k3")
    assert on_hand(hub, site="DAM-HUB") == {("A-01", "RICE", "B1"): 60,
                                            ("A-02", "RICE", "B1"): 25}
    in_transit = stock.on_hand(hub, site="ALP-HUB", include_virtual=True)
    assert [(r.location, r.quantity) for r in in_transit] == [("IN-TRANSIT", 15)]
    row = stock.on_hand(hub, site="DAM-HUB", location="A-01")[0]
    assert row.expiry == dt.date(2027, 6, 30) and row.owner == "ECHO"
    assert row.weight_kg == pytest.approx(60 * 25.1)
    assert verify.verify_ledger(hub).ok and verify.verify_audit(hub).ok


def test_the_stock_card_shows_opening_every_movement_and_running_balance(hub):
    receive(hub, "TARP", 500, key="k1", batch=None, expiry=None)
    move(hub, "dispatch", "TARP", 120, "DAM-HUB/A-01", "DAM-HUB/DISTRIBUTED", key="k2",
         batch=None)
    move(hub, "transfer", "TARP", 80, "DAM-HUB/A-01", "DAM-HUB/A-02", key="k3", batch=None)
    card = stock.card(hub, "TARP", site="DAM-HUB")
    assert card.opening == 0
    assert [(ln.kind, ln.quantity_in, ln.quantity_out, bal) for ln, bal in card.lines] == [
        ("receipt", 500, 0, 500), ("dispatch", 0, 120, 380), ("transfer", 80, 80, 380)]
    assert card.lines[2][0].counterpart == "A-01 → A-02"
    bin_card = stock.card(hub, "TARP", site="DAM-HUB", location="A-02")
    assert [(ln.kind, bal) for ln, bal in bin_card.lines] == [("transfer", 80)]
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    later = stock.card(hub, "TARP", site="DAM-HUB", since=tomorrow)
    assert later.opening == 380 and later.lines == []


def test_a_retry_with_the_same_key_changes_nothing(hub):
    first = receive(hub, "RICE", 100, key="same")
    before = counts(hub)
    again = receive(hub, "RICE", 100, key="same")
    assert again.replayed and (again.id, again.seq) == (first.id, first.seq)
    assert counts(hub) == before
    assert on_hand(hub) == {("A-01", "RICE", "B1"): 100}


def test_a_reused_key_with_another_request_is_refused(hub):
    receive(hub, "RICE", 100, key="same")
    before = counts(hub)
    with pytest.raises(IdempotencyConflict, match="already used for a different request"):
        receive(hub, "RICE", 101, key="same")
    assert counts(hub) == before


@pytest.mark.parametrize("change,error,message", [
    ({"item": "NOPE"}, NotFound, "no item with code 'NOPE'"),
    ({"destination": "DAM-HUB/Z-99"}, NotFound, "no location 'Z-99'"),
    ({"destination": "NOWHERE/A-01"}, NotFound, "no site with code 'NOWHERE'"),
    ({"quantity": 0}, InvalidInput, "above zero"),
    ({"quantity": -5}, InvalidInput, "above zero"),
    ({"quantity": "2.5"}, InvalidInput, "whole number"),
    ({"expiry": "31/02/2027"}, InvalidInput, "field 'expiry'"),
    ({"expiry": None}, InvalidInput, "give the lot's expiry"),
    ({"owner": "NOBODY"}, NotFound, "no organisation with code 'NOBODY'"),
    ({"source": "DAM-HUB/A-02"}, LedgerError, "receipt goes from EXTERNAL"),
])
def test_bad_input_names_what_is_wrong_and_writes_nothing(hub, change, error, message):
    receive(hub, "RICE", 10, key="ok")
    before = counts(hub)
    fields = {"item": "RICE", "quantity": 5, "source": "DAM-HUB/EXTERNAL",
              "destination": "DAM-HUB/A-01", "batch": "B2", "expiry": "2027-01-31",
              "owner": "ECHO", **change}
    with pytest.raises(error, match=message):
        movements.post_movement(hub, MovementRequest("receipt", [LineRequest(**fields)], "k"))
    assert counts(hub) == before


def test_taking_more_than_a_physical_location_holds_is_refused(hub):
    receive(hub, "RICE", 10, key="k1")
    before = counts(hub)
    with pytest.raises(InsufficientStock, match=re.escape(
            "DAM-HUB/A-01 (RICE lot B1) holds 10, the movement takes 11")):
        move(hub, "dispatch", "RICE", 11, "DAM-HUB/A-01", "DAM-HUB/DISTRIBUTED", key="k2")
    assert counts(hub) == before


def test_a_batch_of_movements_is_all_or_nothing(hub):
    receive(hub, "RICE", 10, key="k0")
    before = counts(hub)
    good = MovementRequest("transfer", [LineRequest("RICE", 5, "DAM-HUB/A-01", "DAM-HUB/A-02",
                                                    "B1", None, "ECHO")], "k1")
    bad = MovementRequest("dispatch", [LineRequest("RICE", 6, "DAM-HUB/A-01",
                                                   "DAM-HUB/DISTRIBUTED", "B1", None, "ECHO")],
                          "k2")
    with pytest.raises(InsufficientStock, match="movement 2: not enough stock"):
        movements.post_movements(hub, [good, bad])
    assert counts(hub) == before


def test_a_lot_keeps_its_expiry(hub):
    receive(hub, "RICE", 10, key="k1", expiry="2027-06-30")
    with pytest.raises(InvalidInput, match="expires on 2027-06-30, not 2027-07-31"):
        receive(hub, "RICE", 10, key="k2", expiry="2027-07-31")


def test_batch_and_owner_are_filled_in_when_only_one_is_held(hub):
    receive(hub, "RICE", 10, key="k1")
    move(hub, "dispatch", "RICE", 4, "DAM-HUB/A-01", "DAM-HUB/DISTRIBUTED", key="k2",
         batch=None, owner=None)
    receive(hub, "RICE", 10, key="k3", batch="B2", expiry="2027-09-30")
    with pytest.raises(InvalidInput, match=re.escape("2 lots (B1, B2); say which")):
        move(hub, "dispatch", "RICE", 1, "DAM-HUB/A-01", "DAM-HUB/DISTRIBUTED", key="k4",
             batch=None)


def test_a_receipt_without_owner_belongs_to_the_site_operator(hub):
    receive(hub, "TARP", 3, key="k1", batch=None, expiry=None, owner=None)
    assert stock.on_hand(hub)[0].owner == "WFP"


def test_reversal_undoes_a_movement_once(hub):
    receive(hub, "RICE", 10, key="k1")
    wrong = move(hub, "transfer", "RICE", 10, "DAM-HUB/A-01", "DAM-HUB/A-02", key="k2")
    back = movements.reverse_movement(hub, str(wrong.seq), key="k3", reason="wrong bin")
    assert on_hand(hub) == {("A-01", "RICE", "B1"): 10}
    again = movements.reverse_movement(hub, str(wrong.seq), key="k3", reason="wrong bin")
    assert again.replayed and again.id == back.id
    with pytest.raises(LedgerError, match="already been reversed"):
        movements.reverse_movement(hub, str(wrong.id), key="k4", reason="again")
    with pytest.raises(LedgerError, match="cannot itself be reversed"):
        movements.reverse_movement(hub, str(back.seq), key="k5", reason="undo the undo")
    assert verify.verify_ledger(hub).ok


def test_a_reversal_that_would_make_stock_negative_is_refused(hub):
    first = receive(hub, "RICE", 10, key="k1")
    move(hub, "dispatch", "RICE", 8, "DAM-HUB/A-01", "DAM-HUB/DISTRIBUTED", key="k2")
    with pytest.raises(InsufficientStock):
        movements.reverse_movement(hub, str(first.seq), key="k3", reason="not received")


def test_movements_are_numbered_in_order_and_listed_newest_first(hub):
    for n in range(3):
        receive(hub, "TARP", 1, key=f"k{n}", batch=None, expiry=None)
    listed = stock.recent_movements(hub, limit=2)
    assert [m.seq for m in listed] == [3, 2]
    assert listed[0].actor == "tester"


def test_future_movements_are_refused(hub):
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(InvalidInput, match="in the future"):
        movements.post_movement(hub, MovementRequest(
            "receipt", [LineRequest("TARP", 1, "DAM-HUB/EXTERNAL", "DAM-HUB/A-01")], "k",
            at=soon))
