"""Receiving in the browser and over the API: importing a packing list (upload, column
mapping, preview, import), recording the arrival, counting the goods in, the GRN with
its differences and triage, putting pallets away; on both databases."""

import io
import json
import re

import pytest

from aidhub.services import consignments, receiving
from aidhub.services.receiving import CountLine
from aidhub.web import receiving as receiving_pages
from tests.helpers import signed_in, web_client
from tests.integration.test_inbound import advise, hub, to_cleared  # noqa: F401

# "Pieces" is no name aidhub knows for the quantity: the user has to choose the column
UNKNOWN_QTY = """Article code,Goods,Pieces,UoM,Lot no,Best before
RICE,"Rice, 25 kg bag",100,bag,B1,2027-06-30
TARP,Tarpaulin,40,piece,,
"""
WRONG_UNIT = """Item code,Description,Qty,Unit
RICE,"Rice, 25 kg bag",100,bag
TARP,Tarpaulin,40,kg
"""
HEADER = {"hub": "DAM-HUB", "consignor": "WFP", "consignee": "WFP", "donor": "ECHO",
          "channel": "LB-ROAD", "eta": "2026-12-05", "document_type": "cmr",
          "document_number": "CMR-UP-1"}


def _token(client) -> str:
    return client.cookies.get("aidhub_csrf")


def _upload(client, name: str, data: bytes, **fields):
    form = {"csrf_token": _token(client), "key": "up-1", **HEADER, **fields}
    return client.post("/consignments/import", data=form,
                       files={"file": (name, data, "text/csv")}, follow_redirects=False)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"')


def test_a_packing_list_is_uploaded_mapped_previewed_and_imported(hub):  # noqa: F811
    client = web_client(hub, "reception")
    assert client.get("/consignments/import").status_code == 200
    first = _upload(client, "packing list.csv", UNKNOWN_QTY.encode(), action="preview")
    assert first.status_code == 200
    page = first.text
    assert 'id="mapping-error"' in page and "quantity" in page  # no column for it
    assert 'name="map_quantity"' in page and ">Pieces</option>" in page
    assert "File: packing list.csv" in page
    assert 'value="CMR-UP-1"' in page  # the header fields are kept
    upload = _hidden(page, "upload")
    chosen = {"map_item_code": "0", "map_description": "1", "map_quantity": "2",
              "map_unit": "3", "map_batch": "4", "map_expiry": "5"}
    form = {"csrf_token": _token(client), "key": "up-1", **HEADER, "upload": upload,
            "filename": "packing list.csv", **chosen}
    previewed = client.post("/consignments/import", data={**form, "action": "preview"})
    assert previewed.status_code == 200
    assert 'id="preview-lines"' in previewed.text and 'id="row-3"' in previewed.text
    assert "Lines: 2." in previewed.text
    seen = _hidden(previewed.text, "seen")
    # another file that is refused leaves the one sent before, and its preview, in place
    replaced = client.post("/consignments/import", data={**form, "action": "preview"},
                           files={"file": ("photo.jpg", b"\xff\xd8\xff", "image/jpeg")})
    assert replaced.status_code == 400 and 'id="error-file"' in replaced.text
    assert "File: packing list.csv" in replaced.text and 'id="row-3"' in replaced.text
    # importing with columns changed since the preview shows the preview again
    changed = client.post("/consignments/import", data={
        **form, "map_batch": "", "seen": seen, "action": "import"})
    assert changed.status_code == 200 and "check the preview" in changed.text
    assert consignments.list_consignments(hub) == []
    done = client.post("/consignments/import", data={**form, "seen": seen,
                                                     "action": "import"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    number = done.headers["location"].rsplit("/", 1)[1]
    view = consignments.view(hub, number)
    assert [(ln.quantity, item.code if item else None, ln.batch) for ln, item in view.lines
            ] == [(100, "RICE", "B1"), (40, "TARP", "")]
    assert view.consignment.document_number == "CMR-UP-1"
    # the same file again: refused, saying which consignment it became
    again = client.post("/consignments/import", data={
        **form, "key": "up-2", "seen": seen, "action": "import"})
    assert again.status_code == 400 and f"already imported as consignment {number}" in again.text
    assert len(consignments.list_consignments(hub)) == 1


def test_a_wrong_file_or_one_too_big_is_refused_with_a_message(hub, monkeypatch):  # noqa: F811
    client = web_client(hub, "reception")
    client.get("/consignments/import")
    pdf = _upload(client, "scan.pdf", b"%PDF-1.4 not a table", action="preview")
    assert pdf.status_code == 400 and 'id="error-file"' in pdf.text
    assert ".csv" in pdf.text and ".xlsx" in pdf.text
    assert 'value="CMR-UP-1"' in pdf.text  # what was typed is kept
    fake = _upload(client, "list.xlsx", b"Item code,Qty\nRICE,1\n", action="preview")
    assert fake.status_code == 400 and "not an Excel workbook" in fake.text
    monkeypatch.setattr(receiving_pages, "MAX_UPLOAD_BYTES", 1024 * 1024)
    big = _upload(client, "big.csv", b"Item code,Qty,Unit\n" + b"RICE,1,bag\n" * 120_000,
                  action="preview")
    assert big.status_code == 400 and "up to 1 MB" in big.text
    none = client.post("/consignments/import", data={"csrf_token": _token(client),
                                                     **HEADER, "action": "preview"})
    assert none.status_code == 400 and 'id="error-file"' in none.text
    forged = client.post("/consignments/import", data={"csrf_token": "forged", **HEADER},
                         files={"file": ("a.csv", b"x", "text/csv")})
    assert forged.status_code == 403
    assert consignments.list_consignments(hub) == []


def test_import_problems_are_shown_next_to_their_rows(hub):  # noqa: F811
    client = web_client(hub, "reception")
    client.get("/consignments/import")
    page = _upload(client, "wrong.csv", WRONG_UNIT.encode(), action="preview").text
    seen, upload = _hidden(page, "seen"), _hidden(page, "upload")
    mapping = json.loads(seen)  # the columns the preview was made with
    assert mapping["unit"] == 3 and mapping["batch"] is None
    form = {"csrf_token": _token(client), "key": "w-1", **HEADER, "upload": upload,
            "seen": seen, "action": "import",
            **{f"map_{f}": "" if c is None else str(c) for f, c in mapping.items()}}
    refused = client.post("/consignments/import", data=form)
    assert refused.status_code == 400
    assert 'id="error-row-3"' in refused.text and 'id="error-row-2"' not in refused.text
    row = refused.text.split('id="error-row-3"', 1)[1].split("</span>", 1)[0]
    assert "piece" in row  # the catalog's unit for TARP
    assert "Nothing was registered" in refused.text
    assert consignments.list_consignments(hub) == []


def _form(client, **fields):
    return {"csrf_token": _token(client), **fields}


def test_arrival_counting_triage_and_putaway_in_the_browser(hub):  # noqa: F811
    number = advise(hub)
    client = web_client(hub, "hub_manager")
    page = client.get(f"/consignments/{number}")
    assert 'id="arrival"' in page.text and 'id="receive-form"' not in page.text
    broken = client.post(f"/consignments/{number}/arrival", data=_form(
        client, key="arr-1", seal_check="broken", documents="CMR, invoice"))
    assert broken.status_code == 400 and 'id="error-protest_letter"' in broken.text
    assert '<option value="broken" selected>' in broken.text  # kept
    arrived = client.post(f"/consignments/{number}/arrival", data=_form(
        client, key="arr-2", seal_check="intact", documents="CMR, invoice",
        clearance="documents_received", at="2026-12-04T09:30"), follow_redirects=False)
    assert arrived.status_code == 303
    c = consignments.view(hub, number).consignment
    assert c.state.value == "arrived" and c.documents_checked == "CMR, invoice"
    assert c.arrived_at.isoformat().startswith("2026-12-04T09:30")
    bad = client.post(f"/consignments/{number}/state", data=_form(client, key="st-0",
                                                                    state="cleared"))
    assert bad.status_code == 400 and "arrived" in bad.text
    for n, state in enumerate(["screening", "cleared"]):
        moved = client.post(f"/consignments/{number}/state", data=_form(
            client, key=f"st-{n + 1}", state=state), follow_redirects=False)
        assert moved.status_code == 303, moved.text
    page = client.get(f"/consignments/{number}").text
    assert 'id="receive-form"' in page and 'name="item_3"' in page  # unidentified line
    counts = {"key": "grn-1", "received_by": "Amal", "good_1": "90", "damaged_1": "5",
              "per_1": "50", "priority_1": "1", "close_1": "1", "good_2": "40",
              "good_3": "5"}
    refused = client.post(f"/consignments/{number}/receive", data=_form(client, **counts))
    assert refused.status_code == 400 and 'id="error-line-3"' in refused.text
    assert "catalog item" in refused.text.split('id="error-line-3"', 1)[1][:300]
    assert 'name="good_1" inputmode="numeric" size="6" value="90"' in refused.text
    assert consignments.view(hub, number).grns == []  # all or nothing
    counts["item_3"] = "TARP"
    issued = client.post(f"/consignments/{number}/receive", data=_form(client, **counts),
                         follow_redirects=False)
    assert issued.status_code == 303, issued.text
    grn = issued.headers["location"].rsplit("/", 1)[1]
    assert grn.startswith("GRN-DAM-HUB-")
    shown = client.get(f"/grns/{grn}").text
    differences = shown.split('id="discrepancies"', 1)[1].split("</section>", 1)[0]
    assert "RICE" in differences and ">5<" in differences  # 5 damaged, 5 short
    assert "not announced" not in differences
    assert 'href="/api/v1/grns/' + grn + '/labels.pdf"' in shown
    # triage: priority 3 needs a disposition and a reason; the form says so at the line
    three = client.post(f"/grns/{grn}/lines/2/triage", data=_form(client, key="t-0",
                                                                   priority="3"))
    assert three.status_code == 400 and 'id="error-disposition"' in three.text
    ok = client.post(f"/grns/{grn}/lines/2/triage", data=_form(
        client, key="t-1", priority="2", category="shelter_construction"),
        follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].endswith("#line-2")
    line2 = client.get(f"/grns/{grn}").text.split('id="line-2"', 1)[1].split("</tr>", 1)[0]
    assert "priority 2" in line2
    labels = client.get(f"/api/v1/grns/{grn}/labels.pdf")
    assert labels.status_code == 200 and labels.content.startswith(b"%PDF")
    # putaway: look the pallet up, put it away, friendly errors
    units = {u.line_no: u.sscc for u in receiving_units(hub, grn)}
    sscc = units[1]
    looked = client.get(f"/putaway?scan=(00){sscc}")
    assert looked.status_code == 200 and 'id="putaway-form"' in looked.text
    assert "RICE" in looked.text and 'value="A-01"' in looked.text  # offered bins
    assert 'value="RECV"' not in looked.text.split('id="places"', 1)[1].split("</datalist>")[0]
    nowhere = client.post("/putaway", data=_form(client, key="p-0", scan=sscc,
                                                 location="NOWHERE"))
    assert nowhere.status_code == 400 and 'id="error-location"' in nowhere.text
    assert 'value="NOWHERE"' in nowhere.text
    unknown = client.get("/putaway?scan=not-a-label")
    assert unknown.status_code == 200 and 'id="error-scan"' in unknown.text
    done = client.post("/putaway", data=_form(client, key="p-1", scan=sscc, location="A-01"),
                       follow_redirects=False)
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert 'id="done"' in after and "DAM-HUB/A-01" in after
    waiting = after.split('id="waiting"', 1)[1].split("</ul>", 1)[0]
    assert units[3] in waiting and sscc not in waiting  # the next pallets to put away
    assert receiving.find_unit(hub, sscc).location == "A-01"
    untriaged = units[3]
    early = client.post("/putaway", data=_form(client, key="p-2", scan=untriaged,
                                               location="A-02"))
    assert early.status_code == 400 and "triage" in early.text
    assert receiving.find_unit(hub, untriaged).location == "RECV"


def receiving_units(ctx, grn):
    from aidhub.services import grns

    return grns.view(ctx, grn).units


def _issued(ctx):
    number = advise(ctx)
    to_cleared(ctx, number)
    result = receiving.receive(ctx, number, [
        CountLine(1, good=60, damaged=2, per_unit=30), CountLine(2, good=40, close=True)],
        key="grn-api", received_by="Amal")
    return number, result


def test_the_api_shows_a_grn_triages_and_puts_away(hub):  # noqa: F811
    number, result = _issued(hub)
    grn = result["grn"]
    client = web_client(hub, "warehouse")
    shown = client.get(f"/api/v1/grns/{grn}")
    assert shown.status_code == 200
    body = shown.json()
    assert body["consignment"] == number and len(body["units"]) == 3
    line1 = body["lines"][0]
    assert (line1["announced"], line1["good"], line1["damaged"], line1["discrepancy"]) == (
        100, 60, 2, True)
    assert body["lines"][1]["discrepancy"] is False
    assert client.get("/api/v1/grns/GRN-NOPE").status_code == 404
    key = {"Idempotency-Key": "tri-1"}
    triaged = client.post(f"/api/v1/grns/{grn}/lines/1/triage", json={"priority": 1},
                          headers=key)
    assert triaged.status_code == 200, triaged.text
    assert triaged.json() == {"grn": grn, "line": 1, "priority": 1}
    assert client.post(f"/api/v1/grns/{grn}/lines/1/triage", json={"priority": 1},
                       headers=key).json() == triaged.json()  # a retry changes nothing
    refused = client.post(f"/api/v1/grns/{grn}/lines/2/triage", json={"priority": 3},
                          headers={"Idempotency-Key": "tri-2"})
    assert refused.status_code == 400 and refused.json()["field"] == "disposition"
    assert client.post(f"/api/v1/grns/{grn}/lines/9/triage", json={"priority": 1},
                       headers={"Idempotency-Key": "tri-3"}).status_code == 404
    assert client.post(f"/api/v1/grns/{grn}/lines/1/triage",
                       json={"priority": 1}).status_code == 422  # no key
    sscc = body["units"][0]["sscc"]
    put = client.post(f"/api/v1/units/{sscc}/putaway", json={"location": "a-02"},
                      headers={"Idempotency-Key": "put-1"})
    assert put.status_code == 200 and put.json() == {"sscc": sscc, "location": "A-02"}
    assert client.post(f"/api/v1/units/{sscc}/putaway", json={"location": "a-02"},
                       headers={"Idempotency-Key": "put-1"}).json() == put.json()
    twice = client.post(f"/api/v1/units/{sscc}/putaway", json={"location": "A-01"},
                        headers={"Idempotency-Key": "put-2"})
    assert twice.status_code == 409 and "not in the receiving area" in twice.json()["detail"]
    assert client.get(f"/api/v1/grns/{grn}").json()["units"][0]["location"] == "A-02"
    # a donor sees its own GRNs but may not triage; a partner of another org sees nothing
    donor = client.get(f"/api/v1/grns/{grn}", headers=signed_in(hub, "donor",
                                                                  organisation="ECHO"))
    assert donor.status_code == 200
    partner = signed_in(hub, "partner", organisation="SARC")
    assert client.get(f"/api/v1/grns/{grn}", headers=partner).status_code == 404
    assert client.get(f"/grns/{grn}", headers=partner).status_code == 404


def test_the_api_imports_a_packing_list(hub):  # noqa: F811
    client = web_client(hub, "reception")
    form = {k: v for k, v in HEADER.items()}
    files = {"file": ("list.csv", UNKNOWN_QTY.encode(), "text/csv")}
    mapping = json.dumps({"item_code": "Article code", "description": 1, "quantity": "Pieces",
                          "unit": "UoM", "batch": "Lot no", "expiry": "Best before"})
    no_column = client.post("/api/v1/consignments/import", data=form, files=files,
                            headers={"Idempotency-Key": "i-0"})
    assert no_column.status_code == 400 and "quantity" in no_column.json()["detail"]
    dry = client.post("/api/v1/consignments/import", data={**form, "mapping": mapping,
                                                           "dry_run": "true"},
                      files=files, headers={"Idempotency-Key": "i-1"})
    assert dry.status_code == 200, dry.text
    preview = dry.json()["preview"]
    assert [ln["item"] for ln in preview["lines"]] == ["RICE", "TARP"]
    assert consignments.list_consignments(hub) == []
    done = client.post("/api/v1/consignments/import", data={**form, "mapping": mapping},
                       files=files, headers={"Idempotency-Key": "i-2"})
    assert done.status_code == 201, done.text
    assert done.json()["lines"] == 2
    retry = client.post("/api/v1/consignments/import", data={**form, "mapping": mapping},
                        files=files, headers={"Idempotency-Key": "i-2"})
    assert retry.json() == done.json()
    assert len(consignments.list_consignments(hub)) == 1
    wrong = client.post("/api/v1/consignments/import", data=form,
                        files={"file": ("list.pdf", b"%PDF-1.4", "application/pdf")},
                        headers={"Idempotency-Key": "i-3"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "file"
    bad_map = client.post("/api/v1/consignments/import", data={**form, "mapping": "[1]"},
                          files=files, headers={"Idempotency-Key": "i-4"})
    assert bad_map.status_code == 400 and bad_map.json()["field"] == "mapping"
    assert client.post("/api/v1/consignments/import", data=form,
                       files=files).status_code == 422  # no key


@pytest.mark.parametrize("path", ["/putaway", "/consignments/import"])
def test_partners_and_donors_do_not_get_the_staff_pages(hub, path):  # noqa: F811
    client = web_client(hub, "partner", organisation="SARC")
    assert client.get(path).status_code == 403


def test_an_xlsx_packing_list_is_read_like_a_csv(hub):  # noqa: F811
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Delivery note 77"])
    sheet.append(["Item code", "Description", "Qty", "Unit"])
    sheet.append(["RICE", "Rice, 25 kg bag", 80, "bag"])
    out = io.BytesIO()
    book.save(out)
    client = web_client(hub, "reception")
    client.get("/consignments/import")
    page = _upload(client, "list.xlsx", out.getvalue(), action="preview")
    assert page.status_code == 200 and 'id="row-3"' in page.text
    assert "Lines: 1." in page.text and "Matched for sure: 1" in page.text


def test_each_role_sees_the_forms_it_may_use(hub):  # noqa: F811
    number, result = _issued(hub)
    other = advise(hub, key="pa-2")
    warehouse = web_client(hub, "warehouse")
    page = warehouse.get(f"/consignments/{number}").text  # partially received
    assert 'id="receive-form"' in page and 'id="act"' not in page  # counts, no arrival
    reception = web_client(hub, "reception")
    page = reception.get(f"/consignments/{other}").text
    assert 'id="arrival"' in page and 'id="receive-form"' not in page  # not cleared yet
    refused = reception.post(f"/consignments/{other}/state", data=_form(
        reception, key="c-1", state="cancelled"))
    assert refused.status_code == 400 and "say why" in refused.text
    assert consignments.view(hub, other).consignment.state.value == "pre_advised"
    donor = web_client(hub, "donor", organisation="ECHO")
    page = donor.get(f"/consignments/{number}").text
    assert "<form method=\"post\" action=\"/consignments/" not in page
    grn = donor.get(f"/grns/{result['grn']}")
    assert grn.status_code == 200 and "/triage" not in grn.text
    assert "labels.pdf" not in grn.text and f"/api/v1/grns/{result['grn']}.pdf" in grn.text
    assert donor.post(f"/grns/{result['grn']}/lines/1/triage", data=_form(
        donor, key="d-1", priority="1")).status_code == 403
