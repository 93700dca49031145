"""A reception officer receives a consignment in a real browser, from the consignor's
packing list to a pallet in its bin: sign in, import the pre-advice from an Excel file,
record the arrival, clear it, count the goods in with a difference, triage, put a pallet
away and download its label. Screenshots of the pages go to tests/e2e/artifacts/."""

import re
import uuid
from pathlib import Path

from openpyxl import Workbook
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).parent / "artifacts"


def _packing_list(path: Path, batch: str) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Packing list"
    sheet.append(["Packing list, convoy from Beirut"])  # a title row above the header
    sheet.append(["Item code", "Description", "Qty", "Unit", "Lot no", "Expiry date"])
    sheet.append(["FOOD-RICE-25KG", "Rice, white, 25 kg bag", 100, "bag", batch,
                  "2027-09-30"])
    sheet.append(["SHEL-TARP-4X6M", "Tarpaulin 4 x 6 m", 40, "piece", None, None])
    book.save(path)
    return path


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"receiving-{name}.png"), full_page=True)


def test_from_packing_list_to_a_pallet_in_its_bin(page, server, tmp_path):
    batch = f"E2E-{uuid.uuid4().hex[:6].upper()}"  # a new file each run
    xlsx = _packing_list(tmp_path / "packing-list.xlsx", batch)

    # the pre-advice, from the packing list
    page.goto(server + "/consignments")
    page.get_by_role("link", name="Import a packing list").click()
    expect(page.get_by_role("heading", name="Import a packing list")).to_be_visible()
    page.set_input_files("input[name=file]", str(xlsx))
    page.select_option("select[name=hub]", "DAM-HUB")
    page.select_option("select[name=consignor]", "WFP")
    page.select_option("select[name=consignee]", "WFP")
    page.select_option("select[name=donor]", "ECHO")
    page.select_option("select[name=document_type]", "cmr")
    page.fill("input[name=document_number]", "CMR-E2E-UP")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-lines tbody tr")).to_have_count(2)
    expect(page.locator("#summary")).to_contain_text("Lines: 2.")
    assert page.input_value("select[name=map_quantity]") == "2"  # the Qty column
    assert page.input_value("input[name=document_number]") == "CMR-E2E-UP"  # kept
    _shot(page, "1-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Consignment DAM-HUB-IN-")).to_be_visible()
    expect(page.locator("#lines tbody tr")).to_have_count(2)
    expect(page.locator("#lines")).to_contain_text(batch)
    number = re.search(r"DAM-HUB-IN-\d{4}-\d+", page.url).group(0)

    # the arrival, then through screening
    arrival = page.locator("#arrival")
    arrival.get_by_label("Seal check").select_option("intact")
    arrival.get_by_label("Documents checked (comma separated)").fill("CMR, packing list")
    arrival.get_by_role("button", name="Record arrival").click()
    expect(page.locator("h1 .state")).to_have_text("arrived")
    expect(page.locator("#timeline")).to_contain_text("arrival recorded")
    for state in ("screening", "cleared"):
        page.locator("#state select[name=state]").select_option(state)
        page.get_by_role("button", name="Change state").click()
        expect(page.locator("h1 .state")).to_have_text(state)
    _shot(page, "2-consignment")

    # counting: 90 good and 4 damaged bags of rice, the rest will not come
    form = page.locator("#receive-form")
    form.locator("input[name=good_1]").fill("90")
    form.locator("input[name=damaged_1]").fill("4")
    form.locator("input[name=per_1]").fill("45")
    form.locator("select[name=priority_1]").select_option("1")
    form.locator("input[name=close_1]").check()
    form.locator("input[name=good_2]").fill("40")
    form.get_by_role("button", name="Issue GRN").click()
    expect(page.get_by_role("heading", name="Goods received note GRN-DAM-HUB-")).to_be_visible()
    differences = page.locator("#discrepancies")
    expect(differences).to_contain_text("FOOD-RICE-25KG")
    expect(differences.locator("tbody tr")).to_have_count(1)  # the tarpaulins were all there
    expect(differences.locator("tbody tr td").nth(5)).to_have_text("4")  # damaged
    expect(differences.locator("tbody tr td").nth(7)).to_have_text("6")  # short
    expect(page.locator("#pallets tbody tr")).to_have_count(3)
    grn = re.search(r"GRN-DAM-HUB-\d{4}-\d+", page.url).group(0)

    # triage the tarpaulins (priority 3 needs a reason: the page says so at the line)
    line2 = page.locator("#line-2")
    line2.locator("select[name=priority]").select_option("3")
    line2.get_by_role("button", name="Triage").click()
    expect(page.locator("#line-2")).to_contain_text("disposition")
    line2 = page.locator("#line-2")
    line2.locator("select[name=priority]").select_option("2")
    line2.get_by_role("button", name="Triage").click()
    expect(page.locator("#line-2")).to_contain_text("priority 2")
    _shot(page, "3-grn")

    # put the first pallet of rice away
    page.locator("#pallets tbody tr").first.get_by_role("link", name="put away").click()
    expect(page.locator("#unit")).to_contain_text("FOOD-RICE-25KG")
    expect(page.locator("#where")).to_have_text("DAM-HUB/RECV")
    page.get_by_label("Storage location").fill("NOWHERE")
    page.get_by_role("button", name="Put away").click()
    expect(page.locator("#error-location")).to_contain_text("not a storage location")
    page.get_by_label("Storage location").fill("A-02")
    page.get_by_role("button", name="Put away").click()
    expect(page.locator("#done")).to_contain_text("is now at A-02")
    expect(page.locator("#where")).to_have_text("DAM-HUB/A-02")
    _shot(page, "4-putaway")

    # the pallet labels, as the browser downloads them
    page.goto(f"{server}/grns/{grn}")
    href = page.locator("#labels-pdf").get_attribute("href")
    labels = page.request.get(server + href)
    assert labels.status == 200
    assert labels.headers["content-type"] == "application/pdf"
    assert labels.body().startswith(b"%PDF")
    assert page.request.get(f"{server}/api/v1/grns/{grn}.pdf").body().startswith(b"%PDF")
    page.goto(f"{server}/consignments/{number}")
    expect(page.locator("#timeline")).to_contain_text("put away")

    # on a phone: the page fits, its wide tables scroll inside their box
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{server}/grns/{grn}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    _shot(page, "5-grn-360")
