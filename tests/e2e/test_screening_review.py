"""A screening officer opens the hits queue in a real browser, reviews a hit with the
screened driver and the list entry side by side, and clears it; the one who registered
the driver is refused. Screenshots of the pages go to tests/e2e/artifacts/."""

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect

from aidhub.demo.scenario import load
from aidhub.services import consignments, screening
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import open_context
from aidhub.web.app import create_app
from tests.e2e.conftest import sign_in

ARTIFACTS = Path(__file__).parent / "artifacts"
FTM = Path(__file__).parents[1] / "fixtures" / "lists" / "opensanctions-sample.ftm.json"
DRIVER = "Karim Mahmoud al-Halabi"  # on the (synthetic) sample list


@pytest.fixture(scope="module")
def flagged_server(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The demo with a sanctions list loaded and a consignment held in screening because
    its driver (registered by the demo's reception officer) is on it."""
    path = tmp_path_factory.mktemp("e2e-screening") / "demo.sqlite3"
    ctx = open_context(f"sqlite:///{path}")
    load(ctx, seed=7, start=dt.date(2026, 10, 1), weeks=1)
    screening.load_list(ctx, FTM.read_bytes(), key="e2e-ftm")
    reception = ctx.as_actor("reception")
    advice = PreAdvice("DAM-HUB", "WFP", "WFP", [AdviceLine(20, item="FOOD-RICE-25KG",
                                                            batch="E2E-S", expiry="2028-01-31")],
                       driver=DRIVER)
    number = consignments.register_preadvice(reception, advice, key="e2e-pa")["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(reception, number, state, key=f"e2e-s{n}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", number
    srv.should_exit = True
    thread.join(timeout=10)


def _tab(browser, server: str, username: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, server, username)
    return context, page


def test_a_screening_officer_reviews_a_hit_side_by_side_and_clears_it(browser, flagged_server):
    server, number = flagged_server
    ARTIFACTS.mkdir(exist_ok=True)
    # the reception officer who registered the driver also opens it: he may not decide
    context, page = _tab(browser, server, "reception")
    page.goto(server + "/hits")
    assert page.url.endswith("/hits")  # reception cannot screen: refused
    expect(page.locator("body")).to_contain_text("may not")
    context.close()

    context, page = _tab(browser, server, "screening")
    page.get_by_role("link", name="Screening", exact=True).click()
    expect(page.get_by_role("heading", name="Screening hits (open)")).to_be_visible()
    hit = page.locator("article.hit", has_text=DRIVER).first
    expect(hit).to_be_visible()
    hit.get_by_role("link", name="Review and decide").click()

    expect(page.get_by_role("heading", name=f"{DRIVER} may be")).to_be_visible()
    compare = page.locator("#compare")
    expect(compare.locator("tr", has_text="Name that matched")).to_contain_text(
        "Karim Mahmoud Al-Halabi")
    expect(compare.locator("tr", has_text="Date of birth")).to_contain_text("1971-03-12")
    expect(compare.locator("tr", has_text="Identity document")).to_contain_text("N012345678")
    expect(compare.locator("tr", has_text="Submitted by")).to_contain_text("reception")
    expect(page.locator("#name-parts tr", has_text="AL-HALABI")).to_contain_text(
        "family name")
    expect(page.locator("#consignments")).to_contain_text(number)
    expect(page.locator("#consignments tr", has_text=number)).to_contain_text("held")
    page.screenshot(path=str(ARTIFACTS / "screening-1-review.png"), full_page=True)

    page.get_by_label("Clear: not the listed party (a false match)").check()
    page.get_by_role("button", name="Record the decision").click()
    # the browser asks for the reason before sending (required); type it
    page.get_by_label("Reason (kept and shown to auditors)").fill(
        "Driver born 1990 in Homs, national ID 02120033 checked at the gate")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decided")).to_contain_text("Decision recorded")
    expect(page.locator("#decision")).to_contain_text("screening")  # who decided
    expect(page.locator("#decision")).to_contain_text("national ID 02120033 checked")
    expect(page.locator("#holds")).to_contain_text("No hold from this hit is in force.")
    expect(page.locator("#decide")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "screening-2-cleared.png"), full_page=True)

    page.goto(server + "/hits?state=cleared")
    expect(page.locator("article.hit", has_text=DRIVER).first).to_contain_text(
        "decided by screening")
    context.close()

    # at 360 px the comparison scrolls inside its own box, not the page
    context, page = _tab(browser, server, "screening", width=360)
    page.goto(server + "/hits?state=cleared")
    page.locator("article.hit", has_text=DRIVER).first.get_by_role(
        "link", name="Review", exact=True).click()
    expect(page.locator("#compare")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    page.screenshot(path=str(ARTIFACTS / "screening-3-review-360.png"), full_page=True)
    context.close()
