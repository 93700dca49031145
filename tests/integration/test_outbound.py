"""Outbound through the services, on both databases: release → pick → load → waybill →
dispatch → tracking → proof of delivery with a loss, and the rules on the way."""

from decimal import Decimal as D

import pytest

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import InsufficientStock, InvalidInput
from aidhub.domain.loads import Vehicle
from aidhub.domain.screening import FourEyes
from aidhub.domain.waybills import PodLine
from aidhub.services import (
    delivery,
    picking,
    planning,
    release_orders,
    requests,
    stock,
    verify,
    waybills,
)
from aidhub.services.requests import LineInput
from tests.helpers import make_outbound_hub

TRUCK = Vehicle("SY-12345", D(20000), D(60))


@pytest.fixture
def hub(ctx):
    make_outbound_hub(ctx)
    return ctx


def released(ctx, qty=100):
    """An accepted release order for ``qty`` bags of rice from DAM-HUB to DP-A."""
    number = requests.create(ctx.as_actor("partner"), key="rq", organisation_code="SARC",
                             point="DP-A", submit=True,
                             lines=[LineInput(item="RICE", quantity=qty, priority=1)])["request"]
    requests.change_state(ctx.as_actor("coordinator"), number, "approved", key="rq-ok")
    plan = planning.solve(ctx.as_actor("planner"), key="plan")["plan"]
    (ro,) = planning.approve(ctx.as_actor("manager"), plan, key="plan-ok")["release_orders"]
    release_orders.change_state(ctx, ro, "accepted", key="ro-acc")
    return number, ro


def picked(ctx, ro):
    """Every line of the release order picked into staging; the pick list's number."""
    pl = picking.generate(ctx, ro, key="pl")["pick_list"]
    for x in picking.view(ctx, pl).lines:
        picking.confirm(ctx, pl, x.line_no, key=f"pick-{x.line_no}")
    return pl


def test_the_whole_chain_with_a_loss(hub):
    request, ro = released(hub, 100)
    pl = picking.generate(hub, ro, key="pl")["pick_list"]
    view = picking.view(hub, pl)
    # the plan's lots: all 60 bags of B2 (March) and 40 of B1 (June)
    assert sorted((x.batch, x.location, x.quantity) for x in view.lines) == [
        ("B1", "A-01", 40), ("B2", "A-02", 60)]
    for x in view.lines:
        picking.confirm(hub, pl, x.line_no, key=f"pick-{x.line_no}")
    assert picking.view(hub, pl).state == "done"
    staged = {(r.location, r.quantity) for r in stock.on_hand(hub, site="DAM-HUB",
                                                              location="STAGE")}
    assert sum(q for _, q in staged) == 100
    assert release_orders.view(hub, ro).reserved == 0  # picked, no longer only promised

    proposals, left = waybills.propose(hub, ro, [TRUCK])
    assert left == [] and proposals[0].destination == "DP-A"
    wb = waybills.issue(hub.as_actor("dispatcher"), ro, "DP-A", key="wb", vehicle=TRUCK,
                        driver="Khaled Haddad", transporter="TRANSCO",
                        seals=["S-0091", "S-0092"])["waybill"]
    assert wb.startswith("WB-DAM-HUB-")
    with pytest.raises(InvalidInput, match="tracking events are for vehicles on the road"):
        waybills.track(hub, wb, "at_checkpoint", key="t0", place="Saraqeb")
    waybills.dispatch(hub.as_actor("dispatcher"), wb, key="go")
    in_transit = stock.on_hand(hub, site="DP-A", location="IN-TRANSIT", include_virtual=True)
    assert sum(r.quantity for r in in_transit) == 100
    waybills.track(hub, wb, "at_checkpoint", key="t1", place="Saraqeb")
    waybills.track(hub, wb, "arrived", key="t2")
    assert waybills.view(hub, wb).state == "arrived"

    with pytest.raises(InvalidInput, match="only 40 were shipped"):
        delivery.confirm(hub, wb, [PodLine(1, good=41)], key="pod0", signer="Amal",
                         seal_state="intact")
    done = delivery.confirm(hub.as_actor("receiver"), wb,
                            [PodLine(1, good=40), PodLine(2, good=55, damaged=2)],
                            key="pod", signer="Amal", seal_state="intact")
    assert done["not_good"] == 5 and done["loss_report"].startswith("LR-DAM-HUB-")
    shown = release_orders.view(hub, ro)
    assert (shown.pick_lists, shown.waybills) == ([pl], [wb])
    with pytest.raises(InvalidInput, match="already has its proof of delivery"):
        delivery.confirm(hub, wb, [PodLine(1, good=40)], key="pod2", signer="Amal",
                         seal_state="intact")
    placed: dict[str, int] = {}
    for r in stock.on_hand(hub, site="DP-A", include_virtual=True):
        placed[r.location] = placed.get(r.location, 0) + r.quantity
    assert placed == {"DISTRIBUTED": 95, "LOST": 5}
    assert requests.view(hub, request).state == "partly_fulfilled"
    with pytest.raises(FourEyes):
        delivery.review(hub.as_actor("receiver"), done["loss_report"], key="rv0",
                        decision="claim")
    delivery.review(hub.as_actor("manager"), done["loss_report"], key="rv",
                    decision="3 bags short at the checkpoint: claim against Transco")
    assert verify.verify_ledger(hub).ok and verify.verify_audit(hub).ok


def test_picking_rules(hub):
    _, ro = released(hub, 50)
    pl = picking.generate(hub, ro, key="pl")["pick_list"]
    with pytest.raises(InvalidInput, match="still open"):
        picking.generate(hub, ro, key="pl2")
    with pytest.raises(InvalidInput, match="at most 50 more"):
        picking.confirm(hub, pl, 1, key="p0", quantity=51)
    with pytest.raises(InvalidInput, match="not the bin and lot the pick list proposes"):
        picking.confirm(hub, pl, 1, key="p1", batch="B1", location="A-01", quantity=10)
    picking.confirm(hub, pl, 1, key="p2", batch="B1", location="A-01", quantity=10,
                    reason="B2 pallet blocked behind the racking")
    with pytest.raises(InsufficientStock):
        picking.confirm(hub, pl, 1, key="p3", quantity=40, batch="B2", location="A-01",
                        reason="try the wrong bin")


def test_a_load_over_capacity_and_a_party_on_hold_are_refused(hub):
    _, ro = released(hub, 100)
    picked(hub, ro)
    small = Vehicle("SY-1", D(1000), D(10))
    with pytest.raises(InvalidInput, match="over its capacity of 1,000 kg"):
        waybills.issue(hub, ro, "DP-A", key="wb", vehicle=small, driver="Khaled",
                       transporter="TRANSCO")
    with pytest.raises(InvalidInput, match="release orders go to their points only"):
        waybills.issue(hub, ro, "DP-B", key="wb2", vehicle=TRUCK, driver="Khaled",
                       transporter="TRANSCO")
    wb = waybills.issue(hub, ro, "DP-A", key="wb3", vehicle=TRUCK, driver="Khaled",
                        transporter="TRANSCO")["waybill"]
    with pytest.raises(IllegalTransition, match="say why"):
        waybills.cancel(hub, wb, key="c0", reason="")
    waybills.cancel(hub, wb, key="c1", reason="truck broke down")
    assert waybills.view(hub, wb).state == "cancelled"
    again = waybills.issue(hub, ro, "DP-A", key="wb4", vehicle=TRUCK, driver="Khaled",
                           transporter="TRANSCO")["waybill"]
    assert again != wb  # the cancelled number is kept, never reused


def test_unknown_waybill_events_are_refused(hub):
    from aidhub.domain.errors import NotFound

    with pytest.raises(NotFound, match="no waybill WB-NOPE"):
        waybills.track(hub, "WB-NOPE", "delayed", key="x")


def test_ledger_verify_checks_waybills_on_the_road(hub):
    from sqlalchemy import update

    from aidhub.store.tables import waybill_lines

    _, ro = released(hub, 100)
    picked(hub, ro)
    wb = waybills.issue(hub, ro, "DP-A", key="wb", vehicle=TRUCK, driver="Khaled",
                        transporter="TRANSCO")["waybill"]
    waybills.dispatch(hub, wb, key="go")
    assert verify.verify_ledger(hub).ok
    with hub.engine.begin() as conn:  # someone edits a waybill line behind the ledger's back
        conn.execute(update(waybill_lines).where(waybill_lines.c.line_no == 1)
                     .values(quantity=waybill_lines.c.quantity + 5))
    report = verify.verify_ledger(hub)
    assert not report.ok and f"waybill {wb} carry" in report.differences[0]


def test_a_lot_is_traced_from_its_receipt_to_its_proof_of_delivery(hub):
    from aidhub.services.trace import trace

    _, ro = released(hub, 100)
    picked(hub, ro)
    wb = waybills.issue(hub, ro, "DP-A", key="wb", vehicle=TRUCK, driver="Khaled",
                        transporter="TRANSCO")["waybill"]
    waybills.dispatch(hub, wb, key="go")
    delivery.confirm(hub, wb, [PodLine(1, good=40), PodLine(2, good=60)], key="pod",
                     signer="Amal", seal_state="intact")
    t = trace(hub, item="RICE", batch="B2")
    places = [(m["kind"], m["place"], m["quantity"]) for m in t.movements]
    assert ("receipt", "DAM-HUB/A-02", 60) in places
    assert ("transfer", "DAM-HUB/STAGE", 60) in places
    assert ("dispatch", "DP-A/IN-TRANSIT", 60) in places
    assert ("delivery", "DP-A/DISTRIBUTED", 60) in places
    (bill,) = t.waybills
    assert (bill["waybill"], bill["destination"], bill["pod"]["good"]) == (wb, "DP-A", 60)


def test_waybill_lines_and_reported_times_are_checked(hub):
    import datetime as dt

    from aidhub.services.waybills import LoadLine

    _, ro = released(hub, 100)
    pl = picking.generate(hub, ro, key="pl")["pick_list"]
    lines = picking.view(hub, pl).lines
    for x in lines:
        picking.confirm(hub, pl, x.line_no, key=f"pick-{x.line_no}")
    with pytest.raises(InvalidInput, match="give the lines"):
        waybills.issue(hub, ro, "DP-A", key="w0", vehicle=TRUCK, driver="K",
                       transporter="TRANSCO", lines=[])
    proposal, _ = waybills.propose(hub, ro, [TRUCK])
    first = proposal[0].lines[0]
    import uuid

    twice = [LoadLine(uuid.UUID(first["pick_line"]), 1)] * 2
    with pytest.raises(InvalidInput, match="given twice"):
        waybills.issue(hub, ro, "DP-A", key="w1", vehicle=TRUCK, driver="K",
                       transporter="TRANSCO", lines=twice)
    wb = waybills.issue(hub, ro, "DP-A", key="w2", vehicle=TRUCK, driver="K",
                        transporter="TRANSCO")["waybill"]
    waybills.dispatch(hub, wb, key="go")
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    with pytest.raises(InvalidInput, match="in the future"):
        waybills.track(hub, wb, "delayed", key="t0", at=future)
    with pytest.raises(InvalidInput, match="before waybill"):
        waybills.track(hub, wb, "delayed", key="t1", at=dt.datetime(2020, 1, 1))
    with pytest.raises(InvalidInput, match="before they were dispatched"):
        delivery.confirm(hub, wb, [PodLine(1, good=40), PodLine(2, good=60)], key="p0",
                         signer="A", seal_state="intact",
                         received_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    delivery.confirm(hub, wb, [PodLine(1, good=40), PodLine(2, good=60)], key="p1",
                     signer=" Amal ", seal_state="intact")
    shown = waybills.view(hub, wb)
    assert shown.pod["signer"] == "Amal" and shown.loss_report is None
    assert [x["good"] for x in shown.pod["lines"]] == [40, 60]


def test_a_partners_point_is_not_served_by_a_bare_dispatch(hub):
    from aidhub.services import reference
    from tests.helpers import move

    reference.add_site(hub, key="dp-sarc", code="DP-SARC", name="SARC point",
                       kind="distribution_point", pcode="SY0200", operator="SARC")
    with pytest.raises(InvalidInput, match="on a release order and a waybill"):
        move(hub, "dispatch", "RICE", 5, "DAM-HUB/A-01", "DP-SARC/IN-TRANSIT", key="d1")
    # a point without an operator, or run by the hub's own organisation, still can be
    move(hub, "dispatch", "RICE", 5, "DAM-HUB/A-01", "DP-A/IN-TRANSIT", key="d2")
