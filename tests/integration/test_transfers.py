"""Transfers between hubs and returns from distribution points, on both databases: the
same documents as any release (pick list, waybill), received at the other end with a GRN,
and the ledger in step all the way."""

from decimal import Decimal as D

import pytest

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import InvalidInput
from aidhub.domain.loads import Vehicle
from aidhub.domain.waybills import PodLine
from aidhub.services import (
    channels,
    consignments,
    delivery,
    receiving,
    reference,
    release_orders,
    stock,
    verify,
    waybills,
)
from aidhub.services.receiving import CountLine
from aidhub.services.transfers import ReturnLine, TransferLine, order_transfer, register_return
from tests.helpers import make_outbound_hub, web_client
from tests.integration.test_outbound import picked, released

TRUCK = Vehicle("SY-555", D(20000), D(60))


@pytest.fixture
def hub(ctx):
    make_outbound_hub(ctx)
    for site in ("DAM-HUB", "ALP-HUB"):
        reference.add_location(ctx, key=f"recv-{site}", site_code=site, code="RECV",
                               kind="zone")
    channels.set_setting(ctx, "gs1.company_prefix", "0614141", key="gs1")
    return ctx


def by_location(ctx, site, virtual=False):
    out: dict[str, int] = {}
    for r in stock.on_hand(ctx, site=site, include_virtual=virtual):
        out[r.location] = out.get(r.location, 0) + r.quantity
    return out


def on_the_way(ctx, order, destination):
    """Pick the whole order, load it on one truck to ``destination`` and dispatch it."""
    picked(ctx, order)
    wb = waybills.issue(ctx, order, destination, key="wb", vehicle=TRUCK,
                        driver="Khaled Haddad", transporter="TRANSCO")["waybill"]
    return wb, waybills.dispatch(ctx, wb, key="go")


def cleared(ctx, number):
    for n, state in enumerate(["arrived", "screening", "cleared"]):
        consignments.change_state(ctx, number, state, key=f"{number}-{n}")


def test_a_transfer_goes_out_on_a_waybill_and_comes_in_with_a_grn(hub):
    ro = order_transfer(hub, "DAM-HUB", "ALP-HUB", [TransferLine("RICE", 80)], key="tr",
                        reason="Aleppo runs short")["release_order"]
    order = release_orders.view(hub, ro)
    # first expiry first out: all 60 of B2 (March), then 20 of B1 (June); all reserved
    assert [(x.batch, x.quantity, x.point_code) for x in order.lines] == [
        ("B2", 60, "ALP-HUB"), ("B1", 20, "ALP-HUB")]
    assert order.plan == "" and order.reserved == 80 and "Aleppo runs short" in order.reason
    release_orders.change_state(hub, ro, "accepted", key="acc")
    wb, sent = on_the_way(hub, ro, "ALP-HUB")
    c = sent["consignment"]
    assert by_location(hub, "DAM-HUB") == {"A-01": 80}
    assert by_location(hub, "ALP-HUB", virtual=True)["IN-TRANSIT"] == 80
    view = consignments.view(hub, c)
    assert (view.consignment.state, view.consignment.document_number) == ("in_transit", wb)
    assert (view.consignor, view.hub) == ("WFP", "ALP-HUB")
    assert verify.verify_ledger(hub).ok

    with pytest.raises(InvalidInput, match="received there with a GRN"):
        delivery.confirm(hub, wb, [PodLine(1, good=60)], key="pod", signer="x",
                         seal_state="intact")
    with pytest.raises(IllegalTransition, match="closed short"):
        consignments.change_state(hub, c, "cancelled", key="cx", reason="never mind")

    cleared(hub, c)
    receiving.receive(hub, c, [CountLine(1, good=60, priority=1),
                               CountLine(2, good=15, close=True, priority=1)],
                      key="grn", received_by="Amal")
    assert by_location(hub, "ALP-HUB", virtual=True)["RECV"] == 75
    assert by_location(hub, "ALP-HUB", virtual=True)["LOST"] == 5
    # ownership travels with the goods: WFP's B2 and ECHO's B1
    owners = {(r.batch, r.owner) for r in stock.on_hand(hub, site="ALP-HUB", location="RECV")}
    assert owners == {("B2", "WFP"), ("B1", "ECHO")}
    bill = waybills.view(hub, wb)
    assert bill.state == "delivered"
    assert all(x.closed for x in hub_lines(hub, ro))
    assert verify.verify_ledger(hub).ok and verify.verify_audit(hub).ok


def hub_lines(ctx, ro):
    with ctx.uow() as uow:
        return uow.planning.release_order_lines(release_orders.order(uow, ro).id)


def test_transfer_bad_input_is_refused_whole(hub):
    def order(to="ALP-HUB", lines=None, reason="stock balancing"):
        return order_transfer(hub, "DAM-HUB", to, lines or [TransferLine("RICE", 10)],
                              key=f"tr-{to}-{reason}", reason=reason)

    with pytest.raises(InvalidInput, match="distribution point is served through a request"):
        order(to="DP-A")
    with pytest.raises(InvalidInput, match="cannot send goods to itself"):
        order(to="DAM-HUB")
    with pytest.raises(InvalidInput, match="say why"):
        order(reason=" ")
    with pytest.raises(InvalidInput, match=r"line 2: 161 bag of RICE asked, 160 can be"):
        order(lines=[TransferLine("TARP", 1), TransferLine("RICE", 161)])
    with pytest.raises(InvalidInput, match=r"line 1: .*lot B9"):
        order(lines=[TransferLine("RICE", 1, lot="B9")])
    assert release_orders.list_orders(hub) == []
    # what is reserved for another order cannot be promised twice
    order(lines=[TransferLine("RICE", 150)])
    with pytest.raises(InvalidInput, match="10 can be promised"):
        order(lines=[TransferLine("RICE", 11)], reason="again")


def test_goods_come_back_from_a_distribution_point(hub):
    _, ro = released(hub, 100)
    wb, _ = on_the_way(hub, ro, "DP-A")
    with pytest.raises(InvalidInput, match="no proof of delivery yet"):
        register_return(hub, wb, [ReturnLine(1, 5)], key="early", reason="too early")
    lines = waybills.view(hub, wb).lines
    delivery.confirm(hub, wb, [PodLine(x.line_no, good=x.quantity) for x in lines],
                     key="pod", signer="Amal", seal_state="intact")
    first = lines[0]
    r = register_return(hub, wb, [ReturnLine(first.line_no, 30)], key="back",
                        reason="point closed", vehicle="SY-1", driver="Omar")
    assert (r["hub"], r["from"]) == ("DAM-HUB", "DP-A")
    assert by_location(hub, "DP-A", virtual=True)["DISTRIBUTED"] == 70
    assert by_location(hub, "DAM-HUB", virtual=True)["IN-TRANSIT"] == 30
    assert verify.verify_ledger(hub).ok
    with pytest.raises(InvalidInput, match=(rf"{first.quantity:,} were delivered good and "
                                            "30 already returned")):
        register_return(hub, wb, [ReturnLine(first.line_no, first.quantity - 29)],
                        key="more", reason="again")
    with pytest.raises(InvalidInput, match="has no line 9"):
        register_return(hub, wb, [ReturnLine(9, 1)], key="nine", reason="again")

    cleared(hub, r["consignment"])
    receiving.receive(hub, r["consignment"], [CountLine(1, good=30, priority=1)],
                      key="grn-back", received_by="Amal")
    assert by_location(hub, "DAM-HUB")["RECV"] == 30
    assert consignments.view(hub, r["consignment"]).consignment.state == "received"
    assert verify.verify_ledger(hub).ok and verify.verify_audit(hub).ok


def test_verify_checks_what_a_transfer_consignment_says_is_in_transit(hub):
    from sqlalchemy import update

    from aidhub.store.tables import consignment_lines

    ro = order_transfer(hub, "DAM-HUB", "ALP-HUB", [TransferLine("RICE", 10)], key="tr",
                        reason="balancing")["release_order"]
    release_orders.change_state(hub, ro, "accepted", key="acc")
    _, sent = on_the_way(hub, ro, "ALP-HUB")
    assert verify.verify_ledger(hub).ok
    with hub.engine.begin() as conn:  # a line edited behind the ledger's back
        conn.execute(update(consignment_lines).values(in_transit=11))
    report = verify.verify_ledger(hub)
    assert not report.ok
    assert f"consignment {sent['consignment']} carry 11 but only 10" in report.differences[0]


def test_transfers_and_returns_from_the_terminal_and_the_api(hub, db_url):
    from typer.testing import CliRunner

    from aidhub.cli.app import app

    def cli(*args):
        return CliRunner().invoke(app, ["--database", db_url, *args])

    out = cli("transfers", "new", "--hub", "DAM-HUB", "--to", "ALP-HUB", "--line",
              "RICE:20:B1", "--reason", "balancing")
    assert out.exit_code == 0 and "to ALP-HUB" in out.output, out.output
    bad = cli("transfers", "new", "--hub", "DAM-HUB", "--to", "ALP-HUB", "--line", "RICE:x",
              "--reason", "r")
    assert bad.exit_code == 1 and "ITEM:QUANTITY" in bad.output
    api = web_client(hub)
    body = {"by": "clerk", "hub": "DAM-HUB", "to": "ALP-HUB", "reason": "balancing",
            "lines": [{"item": "RICE", "quantity": 500}]}
    refused = api.post("/api/v1/transfers", json=body, headers={"Idempotency-Key": "t1"})
    assert refused.status_code == 400 and "can be promised" in refused.text
    body["lines"][0]["quantity"] = 5
    made = api.post("/api/v1/transfers", json=body, headers={"Idempotency-Key": "t2"})
    assert made.status_code == 201 and made.json()["to"] == "ALP-HUB"
    assert len(release_orders.list_orders(hub)) == 2
    unknown = api.post("/api/v1/waybills/WB-NOPE/returns", headers={"Idempotency-Key": "ret-1"},
                       json={"by": "clerk", "reason": "x", "lines": [{"line_no": 1,
                                                                      "quantity": 1}]})
    assert unknown.status_code == 404
