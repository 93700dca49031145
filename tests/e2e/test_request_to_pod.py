"""From a partner's request to its proof of delivery, in a real browser, each step by the
demo person whose job it is (each signs in in turn, as on a shared office computer):
the partner writes and submits a request; the coordinator approves it and solves a plan;
the hub manager approves the plan and accepts the release order; the warehouse picks
the lines for the partner's point; the dispatcher proposes the loads, issues the waybill
and dispatches it; the receiver's proof of delivery is recorded. Screenshots of each
step go to tests/e2e/artifacts/."""

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

ARTIFACTS = Path(__file__).parent / "artifacts"
POINT = "DP-HMS-HOMS"  # a point SARC runs, served from the Homs and Tartous hubs
ITEM = "WASH-TANK-1000L"


def _as(browser, server: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server, username)
    return page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"request-to-pod-{name}.png"), full_page=True)


def test_a_request_goes_from_the_partner_to_a_proof_of_delivery(browser, server):
    # the partner writes the request: a mistake first, kept and shown by its field
    partner = _as(browser, server, "partner")
    partner.get_by_role("link", name="Requests").click()
    partner.get_by_role("link", name="New request").click()
    form = partner.locator("form#new-request")
    form.get_by_label("Distribution point").select_option(POINT)
    needed = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    form.get_by_label("Needed by").fill(needed)
    form.get_by_label(re.compile(r"^Priority")).select_option("1")
    form.get_by_label("line 1 item code").fill(ITEM)
    form.get_by_label("line 1 quantity").fill("twelve")
    form.get_by_role("button", name="Submit the request").click()
    expect(partner.locator("#error-qty_0")).to_contain_text("not a number")
    expect(partner.get_by_label("line 1 item code")).to_have_value(ITEM)
    partner.get_by_label("line 1 quantity").fill("12")
    partner.get_by_role("button", name="Submit the request").click()
    heading = partner.get_by_role("heading", name=re.compile(r"Request REQ-SARC-\d{4}-\d{4}"))
    expect(heading).to_be_visible()
    number = re.search(r"REQ-SARC-\d{4}-\d{4}", heading.inner_text())[0]
    expect(partner.locator("h1 .state")).to_have_text("submitted")
    expect(partner.locator("#lines")).to_contain_text(ITEM)
    _shot(partner, "1-submitted")
    partner.context.close()

    # the coordinator approves it (another person: four-eyes) and solves a plan
    coordinator = _as(browser, server, "coordinator")
    coordinator.goto(f"{server}/requests/{number}")
    coordinator.locator("#decide").get_by_label("New state").select_option("approved")
    coordinator.locator("#decide").get_by_role("button", name="Change state").click()
    expect(coordinator.locator("h1 .state")).to_have_text("approved")
    coordinator.get_by_role("link", name="Plans").click()
    coordinator.get_by_role("button", name="Solve a new plan").click()
    expect(coordinator.get_by_role("heading", name=re.compile(r"Plan PLAN-\d{4}-\d{4}"))
           ).to_be_visible()
    plan_url = coordinator.url
    expect(coordinator.locator("#needs")).to_contain_text(POINT)
    _shot(coordinator, "2-plan")
    coordinator.context.close()

    # the hub manager approves the plan and accepts the release order serving the request
    manager = _as(browser, server, "manager")
    manager.goto(plan_url)
    manager.locator("form#approve").get_by_role("button", name="Approve plan").click()
    expect(manager.locator("h1 .state")).to_have_text("approved")
    manager.goto(f"{server}/requests/{number}")
    expect(manager.locator("h1 .state")).to_have_text("planned")
    manager.locator("#served a", has_text="RO-").first.click()
    expect(manager.get_by_role("heading", name=re.compile("Release order RO-"))).to_be_visible()
    order_url = manager.url
    expect(manager.locator("#lines")).to_contain_text(number)
    state = manager.locator("#order-state")
    state.get_by_label("New state").select_option("accepted")
    state.get_by_role("button", name="Change state").click()
    expect(manager.locator("h1 .state")).to_have_text("accepted")
    _shot(manager, "3-release-order")
    manager.context.close()

    # the warehouse starts the pick list and picks the lines for the partner's point
    warehouse = _as(browser, server, "warehouse")
    warehouse.goto(order_url)
    warehouse.locator("#pick-lists").get_by_role("link", name="start one").click()
    warehouse.get_by_role("button", name="Make the pick list").click()
    expect(warehouse.get_by_role("heading", name=re.compile("Pick list PL-"))).to_be_visible()
    mine = warehouse.locator("#lines tbody tr", has_text=POINT)
    assert mine.count() >= 1
    while warehouse.locator("#lines tbody tr", has_text=POINT).locator("form.pick").count():
        row = warehouse.locator("#lines tbody tr", has_text=POINT).filter(
            has=warehouse.locator("form.pick")).first
        row.get_by_role("button", name="Picked").click()
        expect(warehouse.locator(".problem")).to_have_count(0)
    _shot(warehouse, "4-picked")
    warehouse.context.close()

    # the dispatcher proposes the loads, issues the waybill and dispatches the truck
    dispatcher = _as(browser, server, "dispatcher")
    dispatcher.goto(order_url)
    loads = dispatcher.locator("#load-proposal")
    loads.get_by_label("vehicle 1 plate").fill("SY-7781")
    loads.get_by_label("vehicle 1 capacity in kg").fill("20000")
    loads.get_by_label("vehicle 1 capacity in m³").fill("80")
    loads.get_by_role("button", name="Propose loads").click()
    issue = dispatcher.locator("form#issue-waybills")
    expect(issue).to_contain_text(f"SY-7781 to {POINT}")
    expect(issue).to_contain_text(ITEM)
    _shot(dispatcher, "5-load-proposal")
    issue.get_by_label("Driver").fill("Khaled Haddad")
    issue.get_by_label("Transporter").select_option("DHL")
    issue.get_by_label("Seal numbers (comma between)").fill("S-448811")
    issue.get_by_role("button", name="Issue the waybills").click()
    expect(dispatcher.get_by_role("heading", name=re.compile(r"WB-[A-Z]+-HUB-\d{4}-\d{5}"))
           ).to_be_visible()
    dispatcher.locator("form#dispatch").get_by_role("button", name="Dispatch").click()
    expect(dispatcher.locator("h1")).to_contain_text("dispatched")

    # the proof of delivery, as the receiver signed it
    pod = dispatcher.locator("form#pod")
    # the truck also carries what other requests to the point were given from this hub
    mine = pod.locator("tbody tr", has_text=ITEM)
    expect(mine.locator("td.num").nth(1)).to_have_text("12")
    pod.get_by_label("Seal state").select_option("intact")
    pod.get_by_label("Signed by (receiver)").fill("Sami Najjar")
    pod.get_by_role("button", name="Record proof of delivery").click()
    expect(dispatcher.locator("h1")).to_contain_text("delivered")
    _shot(dispatcher, "6-delivered")
    dispatcher.context.close()

    # the partner sees the waybill that served the request
    partner = _as(browser, server, "partner")
    partner.goto(f"{server}/requests/{number}")
    expect(partner.locator("#planned")).to_contain_text("12 of 12")
    expect(partner.locator("#served")).to_contain_text("delivered")
    _shot(partner, "7-partner-sees-delivery")
    partner.set_viewport_size({"width": 360, "height": 740})  # a small phone
    for path in (f"/requests/{number}", "/requests", "/requests/new"):
        partner.goto(server + path)
        wide = partner.evaluate("document.documentElement.scrollWidth")
        assert wide <= 360, f"{path} is {wide} px wide at 360 px"
    expect(partner.get_by_label("line 1 quantity")).to_be_visible()  # no column hidden
    partner.screenshot(path=str(ARTIFACTS / "request-to-pod-8-new-request-360.png"),
                       full_page=True)
    partner.context.close()


def test_the_admin_pages_fit_a_small_phone(browser, server):
    admin = _as(browser, server, "admin")
    admin.get_by_role("link", name="Admin").click()
    expect(admin.locator("#users")).to_contain_text("dispatcher")
    admin.set_viewport_size({"width": 360, "height": 740})
    for path in ("/admin/users", "/admin/users/partner", "/admin/tokens",
                 "/admin/organisations", "/convoys"):
        admin.goto(server + path)
        wide = admin.evaluate("document.documentElement.scrollWidth")
        assert wide <= 360, f"{path} is {wide} px wide at 360 px"
    admin.goto(server + "/admin/users")
    expect(admin.locator("#users td", has_text="dispatcher · WFP").first).to_be_visible()
    _shot(admin, "9-admin-users-360")
    admin.context.close()
