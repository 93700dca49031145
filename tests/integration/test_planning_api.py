"""Requests, plans and release orders through the JSON API and the plan pages, on both
databases."""

from decimal import Decimal

import pytest

from aidhub.services import reference
from tests.helpers import as_user, make_planning_hub, web_client


@pytest.fixture
def hub(ctx):
    make_planning_hub(ctx)
    return ctx


@pytest.fixture
def client(hub):
    return web_client(hub)


def post(client, url, body, key):
    """POST as the person the body names in ``by`` (signed in with their role)."""
    body = dict(body) if isinstance(body, dict) else body
    who = body.pop("by", None) if isinstance(body, dict) else None
    people = as_user(client, who) if who else {}
    return client.post(url, json=body, headers={**people, "Idempotency-Key": key})


def approved_request(client, point, qty, key):
    body = {"organisation": "SARC", "point": point, "submit": True, "by": "partner",
            "lines": [{"item": "RICE", "quantity": qty, "priority": 1}]}
    created = post(client, "/api/v1/requests", body, key)
    assert created.status_code == 201, created.text
    number = created.json()["request"]
    ok = post(client, f"/api/v1/requests/{number}/state", {"state": "approved",
                                                         "by": "coordinator"}, f"{key}-ok")
    assert ok.status_code == 200, ok.text
    return number


def test_a_request_is_written_submitted_and_approved_by_another_person(client):
    body = {"organisation": "SARC", "point": "DP-A", "submit": True, "by": "partner",
            "note": "new arrivals", "needed_by": "2026-12-15",
            "lines": [{"item": "RICE", "quantity": 40, "priority": 1},
                      {"item": "TARP", "quantity": 10, "priority": 3}]}
    created = post(client, "/api/v1/requests", body, "q1")
    assert created.status_code == 201, created.text
    number = created.json()["request"]
    assert created.json() == {"request": number, "state": "submitted", "lines": 2}
    assert post(client, "/api/v1/requests", body, "q1").json()["request"] == number  # retried

    refused = post(client, f"/api/v1/requests/{number}/state",
                   {"state": "approved", "by": "partner"}, "q1-self")
    assert refused.status_code == 403  # a partner may not approve requests at all
    assert "may not approve or reject requests" in refused.json()["detail"]
    own = post(client, "/api/v1/requests", {**body, "by": "coordinator"}, "q2").json()["request"]
    refused = post(client, f"/api/v1/requests/{own}/state",
                   {"state": "approved", "by": "coordinator"}, "q2-self")
    assert refused.status_code == 400
    assert refused.json()["detail"] == (f"coordinator submitted request {own} and cannot decide "
                                       "on it: another person must (four-eyes rule)")
    no_reason = post(client, f"/api/v1/requests/{number}/state",
                     {"state": "rejected", "by": "coordinator"}, "q1-rej")
    assert no_reason.status_code == 400 and "say why" in no_reason.json()["detail"]
    ok = post(client, f"/api/v1/requests/{number}/state",
              {"state": "approved", "by": "coordinator"}, "q1-ok")
    assert ok.status_code == 200 and ok.json()["state"] == "approved"

    shown = client.get(f"/api/v1/requests/{number}").json()
    assert (shown["state"], shown["point"], shown["pcode"], shown["quantity"],
            shown["planned"], shown["created_by"]) == ("approved", "DP-A", "SY0200", 50, 0,
                                                       "partner")
    assert [ln["item"] for ln in shown["lines"]] == ["RICE", "TARP"]
    assert [r["number"] for r in client.get("/api/v1/requests",
                                            params={"state": "approved"}).json()] == [number]
    assert client.get("/api/v1/requests", params={"organisation": "WFP"}).json() == []
    bad_state = client.get("/api/v1/requests", params={"state": "lost"})
    assert bad_state.status_code == 400 and "not a request state" in bad_state.json()["detail"]
    assert client.get("/api/v1/requests/REQ-NOPE").status_code == 404


def test_a_bad_request_body_names_the_field(client):
    good = {"organisation": "SARC", "point": "DP-A", "by": "partner",
            "lines": [{"item": "RICE", "quantity": 5, "priority": 1}]}
    bad = post(client, "/api/v1/requests", {**good, "lines": [{"item": "RICE", "quantity": -5,
                                                            "priority": 1}]}, "b1")
    assert bad.status_code == 422
    assert [e["loc"] for e in bad.json()["errors"]] == [["body", "lines", 0, "quantity"]]
    donor = post(client, "/api/v1/requests", {**good, "by": "donor"}, "b2")
    assert donor.status_code == 403 and "donor" in donor.json()["detail"]
    no_priority = post(client, "/api/v1/requests",
                       {**good, "lines": [{"item": "RICE", "quantity": 5}]}, "b3")
    assert no_priority.status_code == 400
    assert "lines[1].priority" in no_priority.json()["detail"]
    hub_as_point = post(client, "/api/v1/requests", {**good, "point": "DAM-HUB"}, "b4")
    assert hub_as_point.status_code == 400 and "'point'" in hub_as_point.json()["detail"]
    assert client.post("/api/v1/requests", json=good).status_code == 422  # no key


def test_figure_lines_through_the_api(hub, client):
    catalog = (b"code,name_en,suma_category,unit,weight_kg,volume_m3,shelf_life,cold_chain\n"
               b"WASH-JERRY-20L,Jerrycan 20 L,water_sanitation,piece,1.1,0.03,no,no\n")
    reference.import_catalog(hub, catalog, key="cat2")
    body = {"organisation": "SARC", "point": "DP-A", "by": "partner",
            "lines": [{"figure": "water_containers", "households": 210}]}
    created = post(client, "/api/v1/requests", body, "fig")
    assert created.status_code == 201, created.text
    (line,) = client.get(f"/api/v1/requests/{created.json()['request']}").json()["lines"]
    assert (line["item"], line["quantity"], line["priority"]) == ("WASH-JERRY-20L", 420, 2)
    assert "210 households" in line["basis"]


def test_routes_are_listed_and_set(client):
    routes = client.get("/api/v1/routes", params={"point": "DP-B"}).json()
    assert [(r["hub"], r["open"], r["note"]) for r in routes] == [
        ("ALP-HUB", False, "crossing closed"), ("DAM-HUB", True, "")]
    body = {"hub": "ALP-HUB", "point": "DP-B", "cost_per_kg": "0.02", "lead_days": 1,
            "open": True, "capacity_kg": 5000, "by": "logistics"}
    assert client.put("/api/v1/routes", json=body, headers={"Idempotency-Key": "rt1"}
                      ).status_code == 200
    (route,) = client.get("/api/v1/routes", params={"hub": "ALP-HUB"}).json()
    assert (route["open"], Decimal(route["capacity_kg"]), Decimal(route["cost_per_kg"])) == (
        True, 5000, Decimal("0.02"))
    closed = client.put("/api/v1/routes", json={**body, "open": False},
                        headers={"Idempotency-Key": "rt2"})
    assert closed.status_code == 400 and "'note'" in closed.json()["detail"]


def test_a_plan_is_solved_approved_and_becomes_release_orders(client):
    a = approved_request(client, "DP-A", 100, "qa")
    approved_request(client, "DP-B", 100, "qb")
    problem = client.get("/api/v1/planning/problem", params={"min_shelf_life_days": 0}).json()
    assert {h["id"] for h in problem["problem"]["hubs"]} == {"DAM-HUB", "ALP-HUB"}
    assert problem["problem"]["min_shelf_life_days"] == 0
    assert isinstance(problem["notes"], list)

    solved = post(client, "/api/v1/plans", {"by": "planner"}, "plan1")
    assert solved.status_code == 201, solved.text
    number = solved.json()["plan"]
    assert number.startswith("PLAN-")
    assert post(client, "/api/v1/plans", {"by": "planner"}, "plan1").json()["plan"] == number
    assert [p["number"] for p in client.get("/api/v1/plans").json()] == [number]

    plan = client.get(f"/api/v1/plans/{number}").json()
    assert (plan["state"], plan["created_by"]) == ("draft", "planner")
    assert {(n["point"], n["planned"]) for n in plan["result"]["needs"]} == {
        ("DP-A", 80), ("DP-B", 80)}
    assert "problem" not in client.get(f"/api/v1/plans/{number}",
                                       params={"problem": False}).json()

    approved = post(client, f"/api/v1/plans/{number}/approve", {"by": "manager"}, "ok1")
    assert approved.status_code == 200, approved.text
    (ro,) = approved.json()["release_orders"]
    again = post(client, f"/api/v1/plans/{number}/approve", {"by": "manager"}, "ok2")
    assert again.status_code == 400 and "approved is final" in again.json()["detail"]
    assert client.get(f"/api/v1/requests/{a}").json()["state"] == "planned"

    (listed,) = client.get("/api/v1/release-orders", params={"plan": number}).json()
    assert listed["number"] == ro
    assert client.get("/api/v1/release-orders", params={"state": "released"}).json() == []
    assert client.get("/api/v1/release-orders", params={"state": "lost"}).status_code == 422
    order = client.get(f"/api/v1/release-orders/{ro}").json()
    assert (order["state"], order["hub"], order["plan"], order["reserved"]) == (
        "verified", "DAM-HUB", number, 160)
    assert sum(ln["quantity"] for ln in order["lines"]) == 160
    pdf = client.get(f"/api/v1/release-orders/{ro}/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    accepted = post(client, f"/api/v1/release-orders/{ro}/state",
                    {"state": "accepted", "by": "hub manager"}, "acc")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    cancelled = post(client, f"/api/v1/release-orders/{ro}/state",
                     {"state": "cancelled", "reason": "road cut", "by": "hub manager"}, "c")
    assert cancelled.json()["freed"] == 160
    assert client.get(f"/api/v1/requests/{a}").json()["state"] == "approved"


def test_a_plan_can_be_discarded_with_a_reason(client):
    approved_request(client, "DP-A", 10, "qa")
    number = post(client, "/api/v1/plans", {"by": "planner"}, "p").json()["plan"]
    no_reason = post(client, f"/api/v1/plans/{number}/discard", {"by": "m"}, "d0")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"] == [
        "body", "reason"]
    done = post(client, f"/api/v1/plans/{number}/discard", {"by": "m", "reason": "redo"}, "d1")
    assert done.status_code == 200 and done.json()["state"] == "discarded"


def test_nothing_to_plan_is_a_clear_error(client):
    refused = post(client, "/api/v1/plans", {"by": "planner"}, "empty")
    assert refused.status_code == 400 and "no approved request" in refused.json()["detail"]
    assert client.get("/api/v1/plans/PLAN-NOPE").status_code == 404


# pages ----------------------------------------------------------------------------------
def test_the_plan_page_shows_fill_rates_and_is_approved_with_a_name(client):
    approved_request(client, "DP-A", 100, "qa")
    approved_request(client, "DP-B", 100, "qb")
    listing = client.get("/requests", params={"state": "approved"})
    assert listing.status_code == 200
    assert "DP-A" in listing.text and "SY0200" in listing.text and "SARC" in listing.text
    number = post(client, "/api/v1/plans", {"by": "planner"}, "plan1").json()["plan"]

    page = client.get(f"/plans/{number}")
    assert page.status_code == 200
    html = page.text
    assert 'id="needs"' in html and "DP-A" in html and "80.0%" in html
    assert "closed" in html  # the reason DP-B got no more from ALP-HUB
    assert 'id="shipments"' in html and "B2" in html
    assert 'action="/plans/' + number + '/approve"' in html
    token = client.cookies.get("aidhub_csrf")
    assert token and f'value="{token}"' in html

    forged = client.post(f"/plans/{number}/approve",
                         data={"csrf_token": "forged", "by": "manager", "key": "k1"})
    assert forged.status_code == 403
    done = client.post(f"/plans/{number}/approve",
                       data={"csrf_token": token, "by": "manager", "key": "k1"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/plans/{number}"
    shown = client.get(f"/plans/{number}").text
    assert "approved" in shown and 'href="/release-orders/RO-DAM-HUB-' in shown
    assert 'id="approve"' not in shown
    ro = client.get(f"/api/v1/plans/{number}").json()["release_orders"][0]
    order = client.get(f"/release-orders/{ro}")
    assert order.status_code == 200
    assert f'href="/api/v1/release-orders/{ro}/pdf"' in order.text and "160 units" in order.text
    again = client.post(f"/plans/{number}/discard",
                        data={"csrf_token": token, "by": "manager", "reason": "x", "key": "k2"})
    assert again.status_code == 400 and "approved is final" in again.text
    assert client.get("/release-orders/RO-NOPE").status_code == 404


def test_a_plan_is_solved_from_the_plans_page(client):
    page = client.get("/plans")
    assert page.status_code == 200 and "Solve a new plan" in page.text
    token = client.cookies.get("aidhub_csrf")
    empty = client.post("/plans", data={"csrf_token": token, "key": "s1"})
    assert empty.status_code == 400 and "no approved request" in empty.text
    bad = client.post("/plans", data={"csrf_token": token, "key": "s1",
                                      "min_shelf_life_days": "many"})
    assert bad.status_code == 400 and "min_shelf_life_days" in bad.text
    assert client.post("/plans", data={"key": "s1"}).status_code == 403
    approved_request(client, "DP-A", 30, "qa")
    made = client.post("/plans", data={"csrf_token": token, "key": "s2",
                                       "min_shelf_life_days": "10"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    number = made.headers["location"].rsplit("/", 1)[1]
    plan = client.get(f"/api/v1/plans/{number}").json()
    assert (plan["created_by"], plan["problem"]["min_shelf_life_days"]) == ("admin", 10)
    assert number in client.get("/plans").text
