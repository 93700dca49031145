"""Partners' requests in the browser: writing one, the messages by the fields, its page
with its lines and state, submitting, approving (four-eyes) and who sees what."""

import pytest

from aidhub.services import planning, release_orders, requests
from tests.helpers import make_planning_hub, web_client


@pytest.fixture
def hub(ctx):
    make_planning_hub(ctx)
    return ctx


def _form(client, **fields):
    client.get("/requests/new")
    return {"csrf_token": client.cookies.get("aidhub_csrf"), "key": "req-form-1",
            "organisation": "SARC", "point": "DP-A", "needed_by": "2027-01-15",
            "priority": "1", "item_0": "RICE", "qty_0": "40", "item_2": "tarp",
            "qty_2": "1,200", "priority_2": "3", **fields}


def test_a_partner_writes_and_submits_a_request_and_sees_its_page(hub):
    partner = web_client(hub, "partner", organisation="SARC")
    page = partner.get("/requests/new")
    assert page.status_code == 200
    assert 'name="point"' in page.text and "DP-A" in page.text
    assert '<option value="WFP"' not in page.text  # only the partner's own organisation
    form = _form(partner, submit="1")
    created = partner.post("/requests", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    number = created.headers["location"].rsplit("/", 1)[1]
    assert number.startswith("REQ-SARC-")
    again = partner.post("/requests", data=form, follow_redirects=False)
    assert again.headers["location"] == created.headers["location"]  # same key, one request

    v = requests.view(hub, number)
    assert v.state == "submitted" and v.needed_by.isoformat() == "2027-01-15"
    assert [(ln.item, ln.quantity, ln.priority) for ln in v.lines] == [
        ("RICE", 40, 1), ("TARP", 1200, 3)]
    shown = partner.get(f"/requests/{number}")
    assert shown.status_code == 200
    assert "RICE" in shown.text and "submitted" in shown.text and "DP-A" in shown.text
    assert 'value="approved"' not in shown.text  # partners cannot approve
    assert 'value="cancelled"' in shown.text
    listed = partner.get("/requests")
    assert f'href="/requests/{number}"' in listed.text and 'href="/requests/new"' in listed.text


def test_the_form_keeps_the_input_and_puts_each_message_by_its_field(hub):
    partner = web_client(hub, "partner", organisation="SARC")
    bad = partner.post("/requests", data=_form(partner, qty_2="lots"))
    assert bad.status_code == 400
    assert 'id="error-qty_2"' in bad.text and "lots" in bad.text
    assert 'value="2027-01-15"' in bad.text and 'value="RICE"' in bad.text  # input kept
    unknown = partner.post("/requests", data=_form(partner, item_0="NOPE"))
    assert unknown.status_code == 400 and "NOPE" in unknown.text
    no_point = partner.post("/requests", data=_form(partner, point=""))
    assert no_point.status_code == 400 and 'id="error-point"' in no_point.text
    other = partner.post("/requests", data=_form(partner, organisation="WFP"))
    assert other.status_code == 400 and 'id="error-organisation"' in other.text
    bad_date = partner.post("/requests", data=_form(partner, needed_by="15/01/2027"))
    assert bad_date.status_code == 400 and 'id="error-needed_by"' in bad_date.text
    empty = partner.post("/requests", data=_form(partner, item_0="", qty_0="", item_2="",
                                                 qty_2=""))
    assert empty.status_code == 400 and 'id="error-item_0"' in empty.text
    forged = partner.post("/requests", data=_form(partner, csrf_token="forged"))
    assert forged.status_code == 403
    assert requests.list_requests(hub) == []  # nothing was written


def test_a_coordinator_approves_but_not_what_they_submitted_and_sees_the_release_order(hub):
    partner = web_client(hub, "partner", organisation="SARC")
    created = partner.post("/requests", data=_form(partner, submit="1", item_2="", qty_2=""),
                           follow_redirects=False)
    number = created.headers["location"].rsplit("/", 1)[1]
    coordinator = web_client(hub, "coordinator")
    page = coordinator.get(f"/requests/{number}")
    assert 'value="approved"' in page.text and 'value="rejected"' in page.text
    token = coordinator.cookies.get("aidhub_csrf")
    no_reason = coordinator.post(f"/requests/{number}/state",
                                 data={"csrf_token": token, "key": "rj", "state": "rejected"})
    assert no_reason.status_code == 400 and "say why" in no_reason.text
    approved = coordinator.post(f"/requests/{number}/state", data={
        "csrf_token": token, "key": "ap", "state": "approved"}, follow_redirects=False)
    assert approved.status_code == 303
    assert requests.view(hub, number).state == "approved"
    refused = partner.post(f"/requests/{number}/state", data={
        "csrf_token": partner.cookies.get("aidhub_csrf"), "key": "p", "state": "rejected",
        "reason": "x"})
    assert refused.status_code == 403

    # the coordinator's own request: four-eyes refuses their approval
    mine = coordinator.post("/requests", data=_form(coordinator, key="c-1", submit="1"),
                            follow_redirects=False)
    own = mine.headers["location"].rsplit("/", 1)[1]
    four_eyes = coordinator.post(f"/requests/{own}/state", data={
        "csrf_token": coordinator.cookies.get("aidhub_csrf"), "key": "ap2",
        "state": "approved"})
    assert four_eyes.status_code == 400 and "four-eyes" in four_eyes.text

    plan = planning.solve(hub.as_actor("coordinator"), key="plan")["plan"]
    planning.approve(hub.as_actor("manager"), plan, key="approve")
    page = coordinator.get(f"/requests/{number}")
    order = release_orders.list_orders(hub)[0].number
    assert "planned" in page.text and f'href="/release-orders/{order}"' in page.text
    seen_by_partner = partner.get(f"/requests/{number}").text
    assert order in seen_by_partner  # the order's number, but its page is for hub staff
    assert f'href="/release-orders/{order}"' not in seen_by_partner


def test_partners_see_only_their_own_organisations_requests(hub):
    from aidhub.services import reference

    reference.add_organisation(hub, key="org-irc", code="IRC", name="IRC", type="ngo")
    theirs = requests.create(hub, key="irc-1", organisation_code="IRC", point="DP-B",
                             lines=[requests.LineInput(item="RICE", quantity=5, priority=1)])
    partner = web_client(hub, "partner", organisation="SARC")
    assert partner.get(f"/requests/{theirs['request']}").status_code == 404
    assert theirs["request"] not in partner.get("/requests").text
    token = partner.get("/requests/new") and partner.cookies.get("aidhub_csrf")
    moved = partner.post(f"/requests/{theirs['request']}/state",
                         data={"csrf_token": token, "key": "x", "state": "cancelled",
                               "reason": "not ours"})
    assert moved.status_code == 404
    assert requests.view(hub, theirs["request"]).state == "draft"
    # nor through the API: not for another organisation, nor another's request
    made = partner.post("/api/v1/requests", headers={"Idempotency-Key": "api-1"}, json={
        "organisation": "IRC", "point": "DP-A",
        "lines": [{"item": "RICE", "quantity": 3, "priority": 1}]})
    assert made.status_code == 403
    cancelled = partner.post(f"/api/v1/requests/{theirs['request']}/state",
                             headers={"Idempotency-Key": "api-2"},
                             json={"state": "cancelled", "reason": "not ours"})
    assert cancelled.status_code == 404
    assert requests.view(hub, theirs["request"]).state == "draft"
    assert [r.number for r in requests.list_requests(hub)] == [theirs["request"]]
    own = partner.post("/api/v1/requests", headers={"Idempotency-Key": "api-3"}, json={
        "organisation": "sarc", "point": "DP-A",
        "lines": [{"item": "RICE", "quantity": 3, "priority": 1}]})
    assert own.status_code == 201
    staff = web_client(hub, "coordinator")
    assert staff.get(f"/requests/{theirs['request']}").status_code == 200
    donor = web_client(hub, "donor", organisation="ECHO")
    assert donor.get("/requests/new").status_code == 403
