"""A planner reviews the demo's draft allocation plan in a real browser and approves it."""

import re

from playwright.sync_api import expect


def test_reviewing_and_approving_the_demo_plan(page, server):
    page.goto(server + "/plans")
    expect(page.get_by_role("heading", name="Allocation plans")).to_be_visible()
    expect(page.get_by_role("button", name="Solve a new plan")).to_be_visible()
    draft = page.locator("#plans tbody tr", has_text="draft").first
    expect(draft).to_be_visible()
    draft.get_by_role("link").click()

    expect(page.get_by_role("heading", name=re.compile(r"Plan PLAN-\d{4}-\d{4}"))).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("Mean fill rate")
    rows = page.locator("#needs tbody tr")
    assert rows.count() >= 5
    expect(rows.first).to_contain_text("%")
    expect(page.locator("#needs")).to_contain_text("DP-")
    expect(page.locator("#shipments tbody tr").first).to_be_visible()

    approve = page.locator("form#approve")
    approve.get_by_role("button", name="Approve plan").click()

    links = page.locator("#release-orders a")
    expect(links.first).to_be_visible()
    expect(links.first).to_have_text(re.compile(r"RO-[A-Z]+-HUB-\d{4}-\d{5}"))
    expect(page.locator("h1 .state")).to_have_text("approved")
    expect(page.locator("form#approve")).to_have_count(0)
    links.first.click()
    expect(page.get_by_role("heading", name=re.compile("Release order RO-"))).to_be_visible()
    assert page.locator("#lines tbody tr").count() >= 1
    pdf = page.get_by_role("link", name="Download PDF")
    assert pdf.get_attribute("href").endswith("/pdf")
