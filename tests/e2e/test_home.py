"""The first page in a real browser."""

from playwright.sync_api import expect


def test_the_hub_manager_sees_stock_and_switches_hub(page, server):
    page.goto(server + "/")
    expect(page.get_by_role("heading", name="Stock on hand at ALP-HUB")).to_be_visible()
    rows = page.locator("#stock tbody tr")
    assert rows.count() > 5
    expect(page.locator("#movements tbody tr").first).to_be_visible()
    page.select_option("#site", "SRM-HUB")
    expect(page.get_by_role("heading", name="Stock on hand at SRM-HUB")).to_be_visible()
    assert page.url.endswith("?site=SRM-HUB")
    first_location = page.locator("#stock tbody tr td").first.inner_text()
    assert first_location  # a location code, e.g. A-01
    page.screenshot(path=str(_shots() / "home.png"), full_page=False)


def _shots():
    from pathlib import Path

    out = Path(__file__).parent.parent.parent / "build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out
