"""Loads, waybills and convoys in the browser: accepting a release order, the load
proposal on its page, issuing the waybills from it, and forming a convoy."""

import pytest

from aidhub.services import release_orders, waybills
from tests.helpers import make_outbound_hub, post_form, web_client
from tests.integration.test_outbound import picked, released


@pytest.fixture
def hub(ctx):
    make_outbound_hub(ctx)
    return ctx


def test_a_manager_accepts_a_release_order_on_its_page(hub):
    _, ro = released(hub, 100)
    manager = web_client(hub, "hub_manager")
    # released() accepted it already: only released or cancelled are offered now
    page = manager.get(f"/release-orders/{ro}")
    assert 'action="/release-orders/' + ro + '/state"' in page.text
    assert 'value="released"' in page.text and 'value="accepted"' not in page.text
    no_reason = post_form(manager, f"/release-orders/{ro}/state", key="s1", state="cancelled")
    assert no_reason.status_code == 400 and "say why" in no_reason.text
    assert release_orders.view(hub, ro).state == "accepted"
    picker = web_client(hub, "warehouse")
    assert post_form(picker, f"/release-orders/{ro}/state", key="s2",
                 state="released").status_code == 403


def test_the_load_proposal_and_the_waybills_issued_from_it(hub):
    _, ro = released(hub, 100)
    dispatcher = web_client(hub, "dispatcher")
    page = dispatcher.get(f"/release-orders/{ro}")
    assert 'id="load-proposal"' in page.text
    nothing = post_form(dispatcher, f"/release-orders/{ro}/load-proposal", plate_0="SY-1",
                    kg_0="20000", m3_0="60")
    assert nothing.status_code == 200 and "Nothing picked is waiting" in nothing.text
    picked(hub, ro)
    bad = post_form(dispatcher, f"/release-orders/{ro}/load-proposal", plate_0="SY-1",
                kg_0="twenty", m3_0="60")
    assert bad.status_code == 400 and 'id="error-kg_0"' in bad.text
    assert 'value="twenty"' in bad.text
    # a small truck takes 40 bags (1,004 kg); the rest goes on the second
    shown = post_form(dispatcher, f"/release-orders/{ro}/load-proposal", plate_0="sy-small",
                  kg_0="1100", m3_0="10", plate_1="SY-BIG", kg_1="20000", m3_1="60")
    assert shown.status_code == 200 and 'id="issue-waybills"' in shown.text
    assert "SY-SMALL to DP-A" in shown.text or "SY-BIG to DP-A" in shown.text
    form = {k: v for k, v in _fields(shown.text).items()}
    loads = int(form["loads"])
    assert loads >= 1
    refused = post_form(dispatcher, f"/release-orders/{ro}/waybills",
                    **{**form, "driver_0": "Khaled Haddad", "transporter_0": ""})
    assert refused.status_code == 400 and 'id="error-transporter_0"' in refused.text
    assert 'value="Khaled Haddad"' in refused.text  # input kept
    filled = {**form, "convoy": ""}
    for n in range(loads):
        filled.update({f"driver_{n}": f"Driver {n}", f"transporter_{n}": "TRANSCO",
                       f"seals_{n}": f"S-{n}"})
    issued = post_form(dispatcher, f"/release-orders/{ro}/waybills", **filled)
    assert issued.status_code == 303, issued.text
    bills = release_orders.view(hub, ro).waybills
    assert len(bills) == loads
    assert sum(sum(ln.quantity for ln in waybills.view(hub, b).lines) for b in bills) == 100
    again = post_form(dispatcher, f"/release-orders/{ro}/waybills", **filled)
    assert again.status_code == 303  # the same form again issues nothing more
    assert release_orders.view(hub, ro).waybills == bills

    # the vehicles form a convoy
    convoys = dispatcher.get("/convoys")
    assert all(b in convoys.text for b in bills) and 'id="ready"' in convoys.text
    none = post_form(dispatcher, "/convoys", key="c0")
    assert none.status_code == 400 and 'id="error-waybills"' in none.text
    formed = dispatcher.post("/convoys", data={
        "csrf_token": dispatcher.cookies.get("aidhub_csrf"), "key": "c1", "waybills": bills,
        "route": "M5 north", "notification": "HNS-2291"}, follow_redirects=False)
    assert formed.status_code == 303
    (convoy,) = waybills.convoys(hub)
    assert sorted(v["waybill"] for v in convoy.vehicles) == sorted(bills)
    assert convoy.notification == "HNS-2291" and convoy.hub == "DAM-HUB"
    assert waybills.view(hub, bills[0]).convoy == convoy.number
    listed = dispatcher.get("/convoys")
    assert convoy.number in listed.text and "HNS-2291" in listed.text
    twice = dispatcher.post("/convoys", data={
        "csrf_token": dispatcher.cookies.get("aidhub_csrf"), "key": "c2",
        "waybills": bills[:1], "hub": "DAM-HUB"})
    assert twice.status_code == 400 and "already travels in convoy" in twice.text
    assert web_client(hub, "partner", organisation="SARC").get("/convoys").status_code == 403


def _fields(html: str) -> dict[str, str]:
    """The hidden fields of the waybills form (what a browser would send back)."""
    import re

    part = html.split('id="issue-waybills"', 1)[1].split("</form>", 1)[0]
    return {m[0]: m[1] for m in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', part)
        if m[0] != "csrf_token"}
