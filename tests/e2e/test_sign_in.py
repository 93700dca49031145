"""Signing in, in a real browser: a page asked for before signing in comes back after,
a wrong password says so without saying which part was wrong, and signing out ends it."""

from playwright.sync_api import expect

from aidhub.demo.users import DEMO_PASSWORD


def test_sign_in_returns_to_the_page_asked_for_and_sign_out_ends_it(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 800})  # a phone
    page = context.new_page()
    page.goto(server + "/board")
    expect(page).to_have_url(server + "/sign-in?next=%2Fboard")
    page.get_by_label("Username").fill("dispatcher")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong username or password")
    expect(page.get_by_label("Username")).to_have_value("dispatcher")  # input kept
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server + "/board")
    expect(page.locator("#who")).to_have_text("Khaled Haddad")
    cookie = next(c for c in context.cookies() if c["name"] == "aidhub_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(server + "/sign-in")
    page.goto(server + "/board")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()
