"""The inbound flow, end to end through the services, on both databases."""

import pytest

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import InvalidInput
from aidhub.services import channels, consignments, receiving, reference, stock, verify
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.receiving import CountLine
from tests.helpers import make_hub


@pytest.fixture
def hub(ctx):
    make_hub(ctx)
    reference.add_location(ctx, key="recv", site_code="DAM-HUB", code="RECV", kind="zone")
    reference.add_site(ctx, key="poe", code="JDEIDET-YABOUS", name="Jdeidet Yabous crossing",
                       kind="point_of_entry", pcode="SY03")
    channels.add_channel(ctx, key="ch", code="LB-ROAD", name="Beirut by road", mode="road",
                         route="commercial", provider_type="un_agency")
    channels.set_setting(ctx, "gs1.company_prefix", "0614141", key="gs1")
    return ctx


def advise(ctx, key="pa", **kw):
    advice = PreAdvice(
        hub="DAM-HUB", consignor="WFP", consignee="WFP", donor="ECHO", channel="LB-ROAD",
        point_of_entry="JDEIDET-YABOUS", eta="2026-12-05", document_type="cmr",
        document_number="CMR-7781", vehicle="LB 123456", driver="Hassan", seals="S-1, S-2",
        lines=[AdviceLine(100, item="RICE", batch="B1", expiry="2027-06-30",
                          earmark="NW-SYRIA"),
               AdviceLine(40, item="TARP"),
               AdviceLine(5, description="Assorted winter clothes", unit="carton")], **kw)
    return consignments.register_preadvice(ctx, advice, key=key)["number"]


def to_cleared(ctx, number):
    for n, state in enumerate(["in_transit", "arrived", "screening", "cleared"]):
        consignments.change_state(ctx, number, state, key=f"{number}-{n}")


def test_full_inbound_flow(hub):
    number = advise(hub)
    assert number.startswith("DAM-HUB-IN-")
    to_cleared(hub, number)
    in_transit = stock.on_hand(hub, site="DAM-HUB", location="IN-TRANSIT",
                               include_virtual=True)
    assert {(r.location, r.item, r.quantity, r.earmark) for r in in_transit} == {
        ("IN-TRANSIT", "RICE", 100, "NW-SYRIA"), ("IN-TRANSIT", "TARP", 40, "")}
    result = receiving.receive(hub, number, [
        CountLine(1, good=60, damaged=2, per_unit=25, priority=1),
        CountLine(2, good=40, close=True, priority=2),
        CountLine(3, good=5, item="TARP", close=True, priority=3, disposition="donate_on",
                  reason="not needed in winter stock"),
    ], key="grn1", received_by="Reception officer")
    assert result["state"] == "partially_received"
    assert len(result["handling_units"]) == 3 + 1  # 60 in pallets of 25, and one of 40
    held = {(r.location, r.item, r.quantity) for r in stock.on_hand(hub, site="DAM-HUB")}
    assert held == {("RECV", "RICE", 60), ("QUARANTINE", "RICE", 2), ("RECV", "TARP", 40),
                    ("QUARANTINE", "TARP", 5)}
    sscc = result["handling_units"][0]
    receiving.put_away(hub, f"(00){sscc}", "A-01", key="put1")
    unit = receiving.find_unit(hub, sscc)
    assert (unit.location, unit.quantity, unit.item) == ("A-01", 25, "RICE")
    final = receiving.receive(hub, number, [CountLine(1, good=30, close=True, priority=1)],
                              key="grn2", received_by="Reception officer")
    assert final["state"] == "received"
    lost = stock.on_hand(hub, site="DAM-HUB", location="LOST", include_virtual=True)
    assert [(r.item, r.quantity) for r in lost] == [("RICE", 8)]  # announced, never came
    assert verify.verify_ledger(hub).ok and verify.verify_audit(hub).ok
    view = consignments.view(hub, number)
    actions = [e.action for e in view.events]
    assert actions[:5] == ["registered", "in_transit", "arrived", "screening", "cleared"]
    assert actions.count("GRN issued") == 2 and "put away" in actions


def test_more_than_announced_must_be_declared_over(hub):
    number = advise(hub)
    to_cleared(hub, number)
    with pytest.raises(InvalidInput, match="declare it as over"):
        receiving.receive(hub, number, [CountLine(2, good=45)], key="g",
                          received_by="R")
    receiving.receive(hub, number, [CountLine(2, good=45, over=True)], key="g2",
                      received_by="R")


def test_nothing_is_received_while_held(hub):
    number = advise(hub)
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(hub, number, state, key=f"s{n}")
    consignments.change_state(hub, number, "held", key="h", reason="name matches a list")
    with pytest.raises(IllegalTransition, match="nothing can be received until a reviewer"):
        receiving.receive(hub, number, [CountLine(1, good=1)], key="g", received_by="R")


def test_grn_pdf_and_labels_come_from_the_records(hub):
    import io

    from pypdf import PdfReader

    from aidhub.services import documents

    number = advise(hub)
    to_cleared(hub, number)
    grn = receiving.receive(hub, number, [CountLine(1, good=50, damaged=3, per_unit=25,
                                                    priority=1),
                                          CountLine(2, good=38, close=True, priority=2)],
                            key="g", received_by="Amal", delivered_by="Hassan")["grn"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        documents.grn_pdf(hub, grn))).pages)
    for expected in (grn, number, "RICE", "TARP", "CMR-7781", "Amal"):
        assert expected in text
    labels = PdfReader(io.BytesIO(documents.labels_pdf(hub, grn)))
    assert len(labels.pages) == 3  # 25 + 25 rice, 38 tarpaulins


PACKING_LIST = """Item code,Item Description,Qty,UOM,Batch No.,Exp. date,Gross Wt (kg),Donor
RICE,"Rice, 25 kg bag",100,bag,B1,2027-06-30,2510,ECHO
,Tarpaulin 4x6 m,40,piece,,,168,ECHO
,Winter jackets for children,12,carton,,,96,ECHO
"""


def test_a_packing_list_is_previewed_then_imported_once(hub):
    from aidhub.services import preadvice

    data = PACKING_LIST.encode()
    preview = preadvice.preview(hub, data)
    fields = {c.field: c.column for c in preview.columns}
    assert fields["quantity"] == "Qty" and fields["expiry"] == "Exp. date"
    rows = {ln.row: (ln.item, ln.sure) for ln in preview.lines}
    assert rows[2] == ("RICE", True)
    assert rows[3][0] == "TARP"  # matched by name: shown for confirmation
    assert rows[4] == (None, False)  # nothing like it in the catalog
    assert preview.needs_confirmation
    header = PreAdvice("DAM-HUB", "WFP", "WFP", [], donor="ECHO", channel="LB-ROAD")
    result = preadvice.import_file(hub, data, header, key="imp-1")
    view = consignments.view(hub, result["number"])
    assert [(ln.quantity, item.code if item else None) for ln, item in view.lines] == [
        (100, "RICE"), (40, "TARP"), (12, None)]
    # a retry of the same import (same key: the answer was lost) gets the first answer
    assert preadvice.import_file(hub, data, header, key="imp-1") == result
    with pytest.raises(InvalidInput, match="already imported as consignment"):
        preadvice.import_file(hub, data, header, key="imp-2")
    again = preadvice.import_file(hub, data, header, key="imp-3", force=True)
    assert again["number"] != result["number"]


def test_a_packing_list_in_the_wrong_unit_imports_nothing(hub):
    from aidhub.services import preadvice

    wrong = PACKING_LIST.replace("100,bag", "100,kg").encode()
    header = PreAdvice("DAM-HUB", "WFP", "WFP", [])
    with pytest.raises(InvalidInput, match="row 2"):
        preadvice.import_file(hub, wrong, header, key="imp")
    assert consignments.list_consignments(hub) == []


def test_a_consignment_lost_on_the_way_goes_from_in_transit_to_lost(hub):
    number = advise(hub)
    consignments.change_state(hub, number, "in_transit", key="go")
    consignments.change_state(hub, number, "lost", key="lost", reason="truck looted")
    lost = {(r.item, r.quantity) for r in stock.on_hand(hub, site="DAM-HUB", location="LOST",
                                                          include_virtual=True)}
    assert lost == {("RICE", 100), ("TARP", 40)}
    assert all(r.quantity == 0 for r in stock.on_hand(hub, site="DAM-HUB",
                                                      location="IN-TRANSIT",
                                                      include_virtual=True))
    assert verify.verify_ledger(hub).ok
