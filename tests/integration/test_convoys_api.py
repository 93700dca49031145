"""Convoys through the JSON API, on both databases: forming one from waybills in one
all-or-nothing command (as the /convoys page does, through the same service), reading
them back with their waybills, and the refusals, each an RFC 9457 problem naming the
field. Waybills and hubs outside the caller's hubs are as unknown as ones that do not
exist."""

import pytest

from aidhub.services import waybills
from tests.helpers import make_outbound_hub, signed_in, web_client
from tests.integration.test_outbound_api import ok, picked, post

SMALL = {"plate": "SY-SMALL", "capacity_kg": 1100, "capacity_m3": 10}
BIG = {"plate": "SY-BIG", "capacity_kg": 20000, "capacity_m3": 60}


@pytest.fixture
def client(ctx):
    make_outbound_hub(ctx)
    return web_client(ctx)


def two_waybills(client) -> list[str]:
    """100 bags picked for DP-A at DAM-HUB, on two vehicles: two issued waybills."""
    _, ro, _ = picked(client, 100)
    proposal = ok(post(client, f"/api/v1/release-orders/{ro}/load-proposal",
                       {"vehicles": [SMALL, BIG]}, "unused"))
    assert proposal["left_over"] == [] and len(proposal["proposals"]) == 2
    out = []
    for n, load in enumerate(proposal["proposals"]):
        body = {"release_order": ro, "point": "DP-A", "plate": load["plate"],
                "capacity_kg": 20000, "capacity_m3": 60, "driver": f"Driver {n}",
                "transporter": "TRANSCO", "by": "dispatcher",
                "lines": [{"pick_line": x["pick_line"], "quantity": x["quantity"]}
                          for x in load["lines"]]}
        out.append(ok(post(client, "/api/v1/waybills", body, f"wb-{n}"), 201)["waybill"])
    return sorted(out)


def problem(response, status, field):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["field"] == field, body
    return body["detail"]


def test_a_convoy_is_formed_from_waybills_and_read_back(client):
    bills = two_waybills(client)
    body = {"waybills": [bills[1], bills[0].lower(), bills[0]], "route": "M5 north",
            "checkpoints": "Saraqeb", "notification": "HNS-2291", "by": "dispatcher"}
    made = ok(post(client, "/api/v1/convoys", body, "cv"), 201)
    assert made["convoy"].startswith("CV-DAM-HUB-")
    assert (made["hub"], made["route"], made["checkpoints"], made["notification"],
            made["created_by"]) == ("DAM-HUB", "M5 north", "Saraqeb", "HNS-2291",
                                    "dispatcher")
    assert sorted(w["waybill"] for w in made["waybills"]) == bills
    assert {(w["state"], w["destination"]) for w in made["waybills"]} == {("issued", "DP-A")}
    assert {w["plate"] for w in made["waybills"]} == {"SY-SMALL", "SY-BIG"}

    again = ok(post(client, "/api/v1/convoys", body, "cv"), 201)  # retried: the same
    assert again == made
    assert len(waybills.convoys(client.app.state.ctx)) == 1
    changed = post(client, "/api/v1/convoys", {**body, "route": "M4"}, "cv")
    assert changed.status_code == 409  # the key of another request

    assert ok(client.get(f"/api/v1/convoys/{made['convoy'].lower()}")) == made
    listed = client.get("/api/v1/convoys", params={"hub": "DAM-HUB"})
    assert ok(listed) == [made] and listed.headers["X-Total-Count"] == "1"
    assert ok(client.get("/api/v1/convoys", params={"hub": "ALP-HUB"})) == []
    for wb in bills:
        assert ok(client.get(f"/api/v1/waybills/{wb}"))["convoy"] == made["convoy"]
    assert client.get("/api/v1/convoys/CV-NOPE").status_code == 404

    # the hub, when named, must be the one the waybills leave from
    empty = ok(post(client, "/api/v1/convoys", {"hub": "DAM-HUB", "route": "M5",
                                                "by": "dispatcher"}, "cv-empty"), 201)
    assert empty["waybills"] == [] and empty["convoy"] != made["convoy"]


def test_refusals_name_the_field_and_change_nothing(client):
    bills = two_waybills(client)
    ctx = client.app.state.ctx

    def form(body, key):
        return post(client, "/api/v1/convoys", {**body, "by": "dispatcher"}, key)

    blank = form({"waybills": ["  "]}, "k1")
    assert blank.status_code == 422 and blank.json()["errors"][0]["loc"] == [
        "body", "waybills", 0]
    assert "or the hub" in problem(form({}, "k2"), 400, "waybills")
    detail = problem(form({"waybills": [bills[0], "WB-DAM-HUB-2026-99999"]}, "k3"), 400,
                     "waybills")
    assert "no waybill WB-DAM-HUB-2026-99999" in detail
    assert "another hub" in problem(form({"hub": "ALP-HUB", "waybills": bills}, "k4"), 400,
                                    "waybills")
    assert "no hub NOWHERE" in problem(form({"hub": "NOWHERE", "waybills": bills}, "k5"),
                                       400, "hub")
    assert waybills.convoys(ctx) == []  # all or nothing: the good waybill is still free
    assert form({"waybills": "not a list"}, "k6").status_code == 422
    assert client.post("/api/v1/convoys", json={"waybills": bills}).status_code == 422  # key

    first = ok(form({"waybills": bills[:1]}, "k7"), 201)["convoy"]
    detail = problem(form({"waybills": bills}, "k8"), 400, "waybills")
    assert f"{bills[0]} already travels in convoy {first}" in detail
    ok(post(client, f"/api/v1/waybills/{bills[1]}/dispatch", {"by": "dispatcher"}, "go"))
    assert f"{bills[1]} is dispatched" in problem(form({"waybills": bills[1:]}, "k9"), 400,
                                                  "waybills")
    (only,) = waybills.convoys(ctx)
    assert [v["waybill"] for v in only.vehicles] == bills[:1]


def test_other_hubs_convoys_and_waybills_are_unknown(client):
    bills = two_waybills(client)
    ctx = client.app.state.ctx
    made = ok(post(client, "/api/v1/convoys", {"waybills": bills[:1], "by": "dispatcher"},
                   "cv"), 201)["convoy"]
    aleppo = signed_in(ctx, "dispatcher", username="alp-dispatcher", hub="ALP-HUB")

    def form(body, key):
        return client.post("/api/v1/convoys", json=body,
                           headers={**aleppo, "Idempotency-Key": key})

    detail = problem(form({"waybills": bills[1:]}, "a1"), 400, "waybills")
    assert f"no waybill {bills[1]}" in detail and "another hub" not in detail
    assert "no hub DAM-HUB" in problem(form({"hub": "DAM-HUB"}, "a2"), 400, "hub")
    assert client.get(f"/api/v1/convoys/{made}", headers=aleppo).status_code == 404
    assert ok(client.get("/api/v1/convoys", headers=aleppo)) == []
    assert ok(form({"hub": "ALP-HUB", "route": "M4"}, "a3"), 201)["hub"] == "ALP-HUB"
    assert [c["hub"] for c in ok(client.get("/api/v1/convoys", headers=aleppo))] == [
        "ALP-HUB"]
    assert waybills.view(ctx, bills[1]).convoy is None

    # the page offers them only the vehicles of their hubs, and lists only their convoys
    page = web_client(ctx, "dispatcher", username="alp-dispatcher", hub="ALP-HUB")
    shown = page.get("/convoys")
    assert shown.status_code == 200 and bills[1] not in shown.text and made not in shown.text

    partner = signed_in(ctx, "partner", organisation="SARC")
    assert client.post("/api/v1/convoys", json={"waybills": bills[1:]},
                       headers={**partner, "Idempotency-Key": "p1"}).status_code == 403
    assert client.get("/api/v1/convoys", headers=partner).status_code == 403
