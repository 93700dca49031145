"""A receiver records a proof of delivery for a truck on the demo's board, in a real
browser: one unit short, and the waybill is delivered."""

import re

from playwright.sync_api import expect


def test_recording_a_proof_of_delivery_from_the_board(page, server):
    page.goto(server + "/board")
    rows = page.locator("#board tbody tr")
    expect(rows.first).to_be_visible()
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile(r"WB-[A-Z]+-HUB-\d{4}-\d{5}"))
           ).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("checkpoint")

    pod = page.locator("form#pod")
    good = pod.get_by_label("line 1 good")
    shipped = int(good.input_value())
    good.fill(str(shipped - 1))
    pod.get_by_label("line 1 short").fill("1")
    pod.get_by_label("Seal state").select_option("intact")
    pod.get_by_label("Signed by (receiver)").fill("Amal Khatib")
    pod.get_by_role("button", name="Record proof of delivery").click()

    expect(page.locator("h1")).to_contain_text("delivered")
    expect(page.locator("form#pod")).to_have_count(0)
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
