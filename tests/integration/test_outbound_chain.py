"""The whole chain on both databases: pre-advice → receive → put away → request → plan →
release → pick (by scanning the pallet) → load → waybill → dispatch → proof of delivery
with a loss; every balance checked, the audit chain verified, and the lot traced."""

import io
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from aidhub.domain.loads import Vehicle
from aidhub.domain.waybills import PodLine
from aidhub.services import (
    channels,
    consignments,
    delivery,
    outbound_documents,
    picking,
    planning,
    receiving,
    reference,
    release_orders,
    requests,
    stock,
    verify,
    waybills,
)
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.receiving import CountLine
from aidhub.services.requests import LineInput
from aidhub.services.trace import trace
from tests.helpers import make_hub


@pytest.fixture
def hub(ctx):
    make_hub(ctx)
    for code, kind in (("RECV", "zone"), ("STAGE", "staging")):
        reference.add_location(ctx, key=f"loc-{code}", site_code="DAM-HUB", code=code,
                               kind=kind)
    reference.add_site(ctx, key="poe", code="JDEIDET-YABOUS", name="Jdeidet Yabous",
                       kind="point_of_entry", pcode="SY03")
    reference.add_site(ctx, key="dp", code="DP-A", name="Point A", kind="distribution_point",
                       pcode="SY0200", population=5000)
    for code, name, kind in (("SARC", "Syrian Arab Red Crescent", "ngo"),
                             ("TRANSCO", "Transco Trucking", "private")):
        reference.add_organisation(ctx, key=f"org-{code}", code=code, name=name, type=kind)
    channels.add_channel(ctx, key="ch", code="LB-ROAD", name="Beirut by road", mode="road",
                         route="commercial", provider_type="un_agency")
    channels.set_setting(ctx, "gs1.company_prefix", "0614141", key="gs1")
    requests.set_route(ctx, "DAM-HUB", "DP-A", key="route", cost_per_kg="0.05", lead_days=1)
    return ctx


def totals(ctx, site, location=None, virtual=False):
    out: dict[str, int] = {}
    for r in stock.on_hand(ctx, site=site, location=location, include_virtual=virtual):
        out[r.location] = out.get(r.location, 0) + r.quantity
    return out


def test_from_pre_advice_to_proof_of_delivery(hub):
    number = consignments.register_preadvice(hub, PreAdvice(
        hub="DAM-HUB", consignor="WFP", consignee="WFP", donor="ECHO", channel="LB-ROAD",
        point_of_entry="JDEIDET-YABOUS", eta="2026-12-05", document_type="cmr",
        document_number="CMR-1", vehicle="LB 1", driver="Hassan", seals="S-1",
        lines=[AdviceLine(100, item="RICE", batch="G1", expiry="2027-09-30")]),
        key="pa")["number"]
    for n, state in enumerate(["in_transit", "arrived", "screening", "cleared"]):
        consignments.change_state(hub, number, state, key=f"st-{n}")
    grn = receiving.receive(hub, number, [CountLine(1, good=100, per_unit=50, priority=1)],
                            key="grn", received_by="Amal")
    pallets = grn["handling_units"]
    for n, sscc in enumerate(pallets):
        receiving.put_away(hub, f"(00){sscc}", "A-01", key=f"put-{n}")
    assert totals(hub, "DAM-HUB") == {"A-01": 100}

    req = requests.create(hub.as_actor("partner"), key="rq", organisation_code="SARC",
                          point="DP-A", submit=True,
                          lines=[LineInput(item="RICE", quantity=80, priority=1)])["request"]
    requests.change_state(hub.as_actor("coordinator"), req, "approved", key="rq-ok")
    plan = planning.solve(hub.as_actor("planner"), key="plan")["plan"]
    (ro,) = planning.approve(hub.as_actor("manager"), plan, key="ok")["release_orders"]
    release_orders.change_state(hub, ro, "accepted", key="acc")

    pl = picking.generate(hub, ro, key="pl")["pick_list"]
    (line,) = picking.view(hub, pl).lines
    assert (line.location, line.batch, line.quantity) == ("A-01", "G1", 80)
    first = picking.confirm(hub, pl, 1, key="scan", sscc=f"(00){pallets[0]}")
    assert first["picked"] == 50 and not first["done"]
    assert picking.confirm(hub, pl, 1, key="rest")["done"]
    assert totals(hub, "DAM-HUB") == {"A-01": 20, "STAGE": 80}
    assert receiving.find_unit(hub, pallets[0]).location == "STAGE"

    truck = Vehicle("SY-777", D(10000), D(30))
    wb = waybills.issue(hub.as_actor("dispatcher"), ro, "DP-A", key="wb", vehicle=truck,
                        driver="Khaled Haddad", transporter="TRANSCO",
                        seals=["S-9"])["waybill"]
    waybills.dispatch(hub.as_actor("dispatcher"), wb, key="go")
    assert totals(hub, "DAM-HUB") == {"A-01": 20}
    assert totals(hub, "DP-A", "IN-TRANSIT", virtual=True) == {"IN-TRANSIT": 80}
    waybills.track(hub, wb, "arrived", key="arr")
    result = delivery.confirm(hub.as_actor("receiver"), wb, [PodLine(1, good=70, short=10)],
                              key="pod", signer="Amal", seal_state="broken")
    assert result["loss_report"]  # 12.5 % of the weight did not arrive
    assert totals(hub, "DP-A", virtual=True) == {"DISTRIBUTED": 70, "LOST": 10}
    assert requests.view(hub, req).state == "partly_fulfilled"
    assert verify.verify_ledger(hub).ok and verify.verify_audit(hub).ok

    # the printed waybill says what the ledger moved: its lines, lot and quantities
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        outbound_documents.waybill_pdf(hub, wb))).pages)
    moved = [m for m in trace(hub, item="RICE", batch="G1").movements
             if m["kind"] == "dispatch" and m["quantity"] > 0]
    assert [(m["reference"], m["quantity"]) for m in moved] == [(wb, 80)]
    assert wb in text and "RICE" in text and "G1" in text and "80" in text
    assert text.count(wb) >= 4 and "SY-777" in text and "S-9" in text and pallets[0] in text
    report = outbound_documents.loss_report_pdf(hub, result["loss_report"])
    assert result["loss_report"] in "".join(p.extract_text() for p in PdfReader(
        io.BytesIO(report)).pages)

    path = trace(hub, sscc=pallets[0])
    (receipt,) = path.receipts
    assert (receipt["consignment"], receipt["donor"], receipt["channel"]) == (
        number, "ECHO", "LB-ROAD")
    (bill,) = path.waybills
    assert (bill["waybill"], bill["pod"]["good"], bill["pod"]["short"]) == (wb, 70, 10)
