"""A reception officer types a pre-advice in a real browser and follows it."""

from playwright.sync_api import expect


def test_typing_a_pre_advice_and_seeing_its_timeline(page, server):
    page.goto(server + "/consignments")
    expect(page.get_by_role("heading", name="Inbound pipeline")).to_be_visible()
    assert page.locator("#pipeline tbody tr").count() >= 5
    page.get_by_role("link", name="Type a new pre-advice").click()
    page.select_option("select[name=hub]", "DAM-HUB")
    page.select_option("select[name=consignor]", "WFP")
    page.select_option("select[name=consignee]", "WFP")
    page.select_option("select[name=donor]", "ECHO")
    page.select_option("select[name=document_type]", "cmr")
    page.fill("input[name=document_number]", "CMR-E2E-1")
    page.fill("input[name=item_0]", "FOOD-RICE-25KG")
    page.fill("input[name=qty_0]", "-5")
    page.get_by_role("button", name="Register pre-advice").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("line 1")
    expect(alert).to_contain_text("above zero")
    assert page.input_value("input[name=item_0]") == "FOOD-RICE-25KG"  # nothing retyped
    page.fill("input[name=qty_0]", "250")
    page.fill("input[name=batch_0]", "E2E-1")
    page.fill("input[name=expiry_0]", "2027-09-30")
    page.fill("input[name=desc_1]", "Children's winter boots")
    page.fill("input[name=qty_1]", "40")
    page.fill("input[name=unit_1]", "pair")
    page.get_by_role("button", name="Register pre-advice").click()
    expect(page.get_by_role("heading", name="Consignment DAM-HUB-IN-")).to_be_visible()
    expect(page.locator("#lines tbody tr")).to_have_count(2)
    expect(page.locator("#lines")).to_contain_text("unidentified")
    expect(page.locator("#timeline")).to_contain_text("registered")
