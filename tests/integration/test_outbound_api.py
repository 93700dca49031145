"""Outbound through the JSON API and the pages, on both databases: pick list → load
proposal → waybill → dispatch → tracking → proof of delivery → loss report review, and
the bad inputs on the way, each a clear 4xx naming the problem."""

import base64
import datetime as dt

import pytest

from aidhub.services import stock
from tests.helpers import as_user, make_outbound_hub, web_client

TRUCK = {"plate": "SY-12345", "capacity_kg": 20000, "capacity_m3": 60}


@pytest.fixture
def hub(ctx):
    make_outbound_hub(ctx)
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


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def released(client, qty=100):
    """An accepted release order for ``qty`` bags of rice from DAM-HUB to DP-A."""
    body = {"organisation": "SARC", "point": "DP-A", "submit": True, "by": "partner",
            "lines": [{"item": "RICE", "quantity": qty, "priority": 1}]}
    number = ok(post(client, "/api/v1/requests", body, "rq"), 201)["request"]
    ok(post(client, f"/api/v1/requests/{number}/state", {"state": "approved",
                                                      "by": "coordinator"}, "rq-ok"))
    plan = ok(post(client, "/api/v1/plans", {"by": "planner"}, "plan"), 201)["plan"]
    (ro,) = ok(post(client, f"/api/v1/plans/{plan}/approve", {"by": "manager"},
                    "plan-ok"))["release_orders"]
    ok(post(client, f"/api/v1/release-orders/{ro}/state", {"state": "accepted",
                                                         "by": "hub manager"}, "ro-acc"))
    return number, ro


def picked(client, qty=100):
    """A release order whose pick list is wholly picked: (request, order, pick list)."""
    request, ro = released(client, qty)
    pl = ok(post(client, f"/api/v1/release-orders/{ro}/pick-lists", {"by": "picker"}, "pl"),
            201)["pick_list"]
    for line in ok(client.get(f"/api/v1/pick-lists/{pl}"))["lines"]:
        ok(post(client, f"/api/v1/pick-lists/{pl}/lines/{line['line_no']}/pick",
                {"by": "picker"}, f"pick-{line['line_no']}"))
    return request, ro, pl


def issued(client, qty=100):
    """A waybill issued for everything picked: (order, pick list, waybill)."""
    _, ro, pl = picked(client, qty)
    body = {"release_order": ro, "point": "DP-A", **TRUCK, "driver": "Khaled Haddad",
            "transporter": "TRANSCO", "seals": ["S-0091"], "by": "dispatcher"}
    return ro, pl, ok(post(client, "/api/v1/waybills", body, "wb"), 201)["waybill"]


def on_hand(client, site, location=None):
    rows = client.get("/api/v1/stock", params={"site": site, "location": location}).json()
    return sum(r["quantity"] for r in rows)


def test_the_whole_chain_over_the_api(client):
    request, ro = released(client, 100)
    made = post(client, f"/api/v1/release-orders/{ro}/pick-lists",
                {"by": "picker", "ship_date": "2026-01-10"}, "pl")
    pl = ok(made, 201)["pick_list"]
    assert pl.startswith("PL-DAM-HUB-")
    assert ok(post(client, f"/api/v1/release-orders/{ro}/pick-lists", {"by": "picker",
                                                                    "ship_date": "2026-01-10"},
                   "pl"), 201)["pick_list"] == pl  # retried: the same pick list
    shown = ok(client.get(f"/api/v1/pick-lists/{pl}"))
    assert (shown["state"], shown["release_order"], shown["hub"]) == ("open", ro, "DAM-HUB")
    assert sorted((x["batch"], x["location"], x["quantity"]) for x in shown["lines"]) == [
        ("B1", "A-01", 40), ("B2", "A-02", 60)]
    for x in shown["lines"]:
        done = ok(post(client, f"/api/v1/pick-lists/{pl}/lines/{x['line_no']}/pick",
                       {"by": "picker"}, f"pick-{x['line_no']}"))
        assert done["picked"] == x["quantity"]
    assert ok(client.get(f"/api/v1/pick-lists/{pl}"))["state"] == "done"
    assert on_hand(client, "DAM-HUB", "STAGE") == 100

    proposal = ok(post(client, f"/api/v1/release-orders/{ro}/load-proposal",
                       {"vehicles": [TRUCK]}, "unused"))
    assert proposal["left_over"] == []
    (load,) = proposal["proposals"]
    assert (load["destination"], load["plate"], float(load["kg"])) == ("DP-A", "SY-12345",
                                                                       2510.0)
    lines = [{"pick_line": x["pick_line"], "quantity": x["quantity"]} for x in load["lines"]]
    convoy = ok(post(client, "/api/v1/convoys", {"hub": "DAM-HUB", "route": "M5",
                                              "checkpoints": "Saraqeb", "notification":
                                              "HN-22", "by": "dispatcher"}, "cv"),
                201)["convoy"]
    body = {"release_order": ro, "point": "DP-A", **TRUCK, "driver": "Khaled Haddad",
            "transporter": "TRANSCO", "seals": ["S-0091", "S-0092"], "lines": lines,
            "convoy": convoy, "by": "dispatcher"}
    wb = ok(post(client, "/api/v1/waybills", body, "wb"), 201)["waybill"]
    assert wb.startswith("WB-DAM-HUB-")
    waybill = ok(client.get(f"/api/v1/waybills/{wb}"))
    assert (waybill["state"], waybill["destination"], waybill["convoy"], waybill["seals"],
            waybill["driver"], float(waybill["weight_kg"])) == (
        "issued", "DP-A", convoy, "S-0091, S-0092", "Khaled Haddad", 2510.0)
    (row,) = ok(client.get("/api/v1/board", params={"hub": "DAM-HUB"}))
    assert (row["waybill"], row["state"], row["last_event"]) == (wb, "issued", "issued")

    ok(post(client, f"/api/v1/waybills/{wb}/dispatch", {"by": "dispatcher"}, "go"))
    assert on_hand(client, "DAM-HUB", "STAGE") == 0
    at = dt.datetime.now(dt.UTC).isoformat()
    ok(post(client, f"/api/v1/waybills/{wb}/events", {"event": "at_checkpoint",
                                                   "place": "Saraqeb", "at": at,
                                                   "by": "dispatcher"}, "t1"), 201)
    (row,) = ok(client.get("/api/v1/board"))
    assert (row["state"], row["last_event"], row["place"]) == ("dispatched", "at_checkpoint",
                                                               "Saraqeb")
    ok(post(client, f"/api/v1/waybills/{wb}/events", {"event": "arrived", "by": "driver"},
            "t2"), 201)
    assert ok(client.get(f"/api/v1/waybills/{wb}"))["state"] == "arrived"

    photo = base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()
    no = {x["batch"]: x["line_no"] for x in ok(client.get(f"/api/v1/waybills/{wb}"))["lines"]}
    pod = ok(post(client, f"/api/v1/waybills/{wb}/pod", {
        "lines": [{"line_no": no["B1"], "good": 40},
                  {"line_no": no["B2"], "good": 55, "damaged": 2}],
        "signer": "Amal", "seal_state": "intact", "photo": photo, "photo_type": "image/png",
        "by": "manager"}, "pod"), 201)
    assert pod["not_good"] == 5 and pod["loss_report"].startswith("LR-DAM-HUB-")
    assert ok(client.get(f"/api/v1/waybills/{wb}"))["state"] == "delivered"
    assert ok(client.get(f"/api/v1/requests/{request}"))["state"] == "partly_fulfilled"
    assert ok(client.get("/api/v1/board")) == []

    (report,) = ok(client.get("/api/v1/loss-reports", params={"state": "open"}))
    assert (report["number"], report["waybill"], report["pod_recorded_by"]) == (
        pod["loss_report"], wb, "manager")
    assert client.get("/api/v1/loss-reports", params={"state": "lost"}).status_code == 422
    self_review = post(client, f"/api/v1/loss-reports/{pod['loss_report']}/review",
                       {"decision": "claim", "by": "manager"}, "rv0")
    assert self_review.status_code == 400 and "four-eyes" in self_review.json()["detail"]
    not_a_manager = post(client, f"/api/v1/loss-reports/{pod['loss_report']}/review",
                         {"decision": "claim", "by": "receiver"}, "rv1")
    assert not_a_manager.status_code == 403 and "may not" in not_a_manager.json()["detail"]
    ok(post(client, f"/api/v1/loss-reports/{pod['loss_report']}/review",
            {"decision": "3 bags short at the checkpoint: claim against Transco",
             "by": "hub manager"}, "rv"))
    assert ok(client.get("/api/v1/loss-reports", params={"state": "open"})) == []
    (reviewed,) = ok(client.get("/api/v1/loss-reports", params={"state": "reviewed"}))
    assert (reviewed["reviewed_by"], reviewed["decision"]) == (
        "hub-manager", "3 bags short at the checkpoint: claim against Transco")


def test_bad_inputs_are_clear_4xx_naming_the_problem(hub, client):
    _, ro, pl = picked(client, 100)
    small = {**TRUCK, "plate": "SY-1", "capacity_kg": 1000, "capacity_m3": 10}
    proposal = ok(post(client, f"/api/v1/release-orders/{ro}/load-proposal",
                       {"vehicles": [small]}, "unused"))
    assert sum(x["quantity"] for x in proposal["left_over"]) > 0  # nothing silently dropped
    base = {"release_order": ro, "point": "DP-A", "driver": "Khaled", "transporter":
            "TRANSCO", "by": "dispatcher"}
    over = post(client, "/api/v1/waybills", {**base, **small}, "wb0")
    assert over.status_code == 400
    assert "over its capacity of 1,000 kg" in over.json()["detail"]
    wrong_point = post(client, "/api/v1/waybills", {**base, **TRUCK, "point": "DP-B"}, "wb1")
    assert wrong_point.status_code == 400
    assert "release orders go to their points only" in wrong_point.json()["detail"]
    bad_line = post(client, "/api/v1/waybills", {**base, **TRUCK, "lines": [
        {"pick_line": "not-an-id", "quantity": 1}]}, "wb2")
    assert bad_line.status_code == 422
    assert bad_line.json()["errors"][0]["loc"] == ["body", "lines", 0, "pick_line"]
    no_lines = post(client, "/api/v1/waybills", {**base, **TRUCK, "lines": []}, "wb4")
    assert no_lines.status_code == 422 and no_lines.json()["errors"][0]["loc"] == [
        "body", "lines"]
    (load,) = ok(post(client, f"/api/v1/release-orders/{ro}/load-proposal",
                      {"vehicles": [TRUCK]}, "unused"))["proposals"]
    twice = {"pick_line": load["lines"][0]["pick_line"], "quantity": 1}
    doubled = post(client, "/api/v1/waybills", {**base, **TRUCK, "lines": [twice, twice]}, "wb5")
    assert doubled.status_code == 422 and "given twice" in doubled.text
    no_capacity = post(client, "/api/v1/waybills", {**base, **TRUCK, "capacity_kg": 0}, "wb3")
    assert no_capacity.status_code == 422
    assert post(client, "/api/v1/release-orders/RO-NOPE/load-proposal", {"vehicles": [TRUCK]},
                "x").status_code == 404
    assert client.get("/api/v1/pick-lists/PL-NOPE").status_code == 404
    closed = post(client, f"/api/v1/pick-lists/{pl}/lines/1/pick", {"by": "picker"}, "p9")
    assert closed.status_code == 400 and f"pick list {pl} is done" in closed.json()["detail"]

    wb = ok(post(client, "/api/v1/waybills", {**base, **TRUCK}, "wb"), 201)["waybill"]
    early = post(client, f"/api/v1/waybills/{wb}/pod", {
        "lines": [{"line_no": 1, "good": 1}], "signer": "Amal", "seal_state": "intact",
        "by": "receiver"}, "pod-early")
    assert early.status_code == 400 and "issued" in early.json()["detail"]
    no_reason = post(client, f"/api/v1/waybills/{wb}/cancel", {"reason": " ", "by": "d"}, "c0")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"] == [
        "body", "reason"]

    # dispatch is idempotent: the retry answers the same and moves nothing twice
    first = ok(post(client, f"/api/v1/waybills/{wb}/dispatch", {"by": "dispatcher"}, "go"))
    again = ok(post(client, f"/api/v1/waybills/{wb}/dispatch", {"by": "dispatcher"}, "go"))
    assert again == first and first["state"] == "dispatched"
    in_transit = stock.on_hand(hub, site="DP-A", location="IN-TRANSIT", include_virtual=True)
    assert sum(r.quantity for r in in_transit) == 100
    twice = post(client, f"/api/v1/waybills/{wb}/dispatch", {"by": "dispatcher"}, "go-2")
    assert twice.status_code == 400 and "dispatched" in twice.json()["detail"]
    reused = post(client, f"/api/v1/waybills/{wb}/cancel", {"reason": "x", "by": "d"}, "go")
    assert reused.status_code == 409 and "idempotency key 'go'" in reused.json()["detail"]

    unknown = post(client, "/api/v1/waybills/WB-NOPE/events", {"event": "delayed", "by": "d"},
                   "t0")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "no waybill WB-NOPE: check the number on the paper"
    bad_event = post(client, f"/api/v1/waybills/{wb}/events", {"event": "stolen", "by": "d"},
                     "t1")
    assert bad_event.status_code == 400 and "'event'" in bad_event.json()["detail"]
    no_place = post(client, f"/api/v1/waybills/{wb}/events", {"event": "at_checkpoint",
                                                           "by": "d"}, "t2")
    assert no_place.status_code == 400 and "name the checkpoint" in no_place.json()["detail"]
    naive = post(client, f"/api/v1/waybills/{wb}/events", {"event": "delayed", "by": "d",
                                                        "at": "2026-01-10T08:00"}, "t3")
    assert naive.status_code == 422 and naive.json()["errors"][0]["loc"] == ["body", "at"]

    pod = {"signer": "Amal", "seal_state": "intact", "by": "receiver"}
    too_many = post(client, f"/api/v1/waybills/{wb}/pod", {
        **pod, "lines": [{"line_no": 1, "good": 41}]}, "pod0")
    assert too_many.status_code == 400
    assert "line 1: 41 counted" in too_many.json()["detail"]
    assert "only 40 were shipped" in too_many.json()["detail"]
    no_line = post(client, f"/api/v1/waybills/{wb}/pod", {**pod, "lines": [{"line_no": 9,
                                                                          "good": 1}]}, "pod1")
    assert no_line.status_code == 400 and "has no line 9" in no_line.json()["detail"]
    bad_seal = post(client, f"/api/v1/waybills/{wb}/pod", {
        **pod, "seal_state": "cut", "lines": [{"line_no": 1, "good": 40}]}, "pod2")
    assert bad_seal.status_code == 400 and "seal_state" in bad_seal.json()["detail"]
    bad_photo = post(client, f"/api/v1/waybills/{wb}/pod", {
        **pod, "photo": "%%%", "photo_type": "image/png",
        "lines": [{"line_no": 1, "good": 40}]}, "pod3")
    assert bad_photo.status_code == 400 and "not base64" in bad_photo.json()["detail"]
    negative = post(client, f"/api/v1/waybills/{wb}/pod", {
        **pod, "lines": [{"line_no": 1, "good": -1}]}, "pod4")
    assert negative.status_code == 422
    lines = [{"line_no": 1, "good": 40}, {"line_no": 2, "good": 60}]
    done = ok(post(client, f"/api/v1/waybills/{wb}/pod", {**pod, "lines": lines}, "pod"), 201)
    assert done["loss_report"] is None and done["not_good"] == 0
    assert ok(post(client, f"/api/v1/waybills/{wb}/pod", {**pod, "lines": lines}, "pod"),
              201) == done
    second = post(client, f"/api/v1/waybills/{wb}/pod", {**pod, "lines": lines}, "pod-2")
    assert second.status_code == 400
    assert "already has its proof of delivery" in second.json()["detail"]
    assert client.get("/api/v1/loss-reports").json() == []
    assert post(client, "/api/v1/loss-reports/LR-NOPE/review", {"decision": "x", "by": "m"},
                "rv").status_code == 404
    nowhere = post(client, "/api/v1/convoys", {"hub": "NOWHERE", "by": "d"}, "cv")
    assert (nowhere.status_code, nowhere.json()["field"]) == (400, "hub")  # a body's code
    assert client.get("/api/v1/board", params={"hub": "NOWHERE"}).status_code == 404


def test_every_write_needs_a_key_and_a_signed_in_user_with_the_role(client):
    _, ro = released(client, 10)
    assert client.post(f"/api/v1/release-orders/{ro}/pick-lists", json={}).status_code == 422
    anonymous = client.post(f"/api/v1/release-orders/{ro}/pick-lists", json={},
                            headers={"Authorization": "", "Idempotency-Key": "a"})
    assert anonymous.status_code == 401 and "sign in" in anonymous.json()["detail"]
    forged = client.post(f"/api/v1/release-orders/{ro}/pick-lists", json={},
                         headers={"Authorization": "Bearer ahk_forged", "Idempotency-Key": "b"})
    assert forged.status_code == 401
    partner = post(client, f"/api/v1/release-orders/{ro}/pick-lists", {"by": "partner"}, "c")
    assert partner.status_code == 403 and "partner" in partner.json()["detail"]
    assert client.get(f"/api/v1/release-orders/{ro}").json()["pick_lists"] == []
    made = ok(post(client, f"/api/v1/release-orders/{ro}/pick-lists", {"by": "picker"}, "d"), 201)
    assert ok(client.get(f"/api/v1/pick-lists/{made['pick_list']}"))["lines"]


def test_a_cancelled_waybill_frees_its_goods_to_load_again(client):
    ro, _, wb = issued(client, 50)
    ok(post(client, f"/api/v1/waybills/{wb}/cancel", {"reason": "truck broke down",
                                                   "by": "dispatcher"}, "c1"))
    shown = ok(client.get(f"/api/v1/waybills/{wb}"))
    assert (shown["state"], shown["reason"]) == ("cancelled", "truck broke down")
    proposal = ok(post(client, f"/api/v1/release-orders/{ro}/load-proposal",
                       {"vehicles": [TRUCK]}, "unused"))
    assert sum(x["quantity"] for x in proposal["proposals"][0]["lines"]) == 50


def test_the_pdfs(client):
    pytest.importorskip("aidhub.services.outbound_documents")
    _, pl, wb = issued(client, 100)
    ok(post(client, f"/api/v1/waybills/{wb}/dispatch", {"by": "dispatcher"}, "go"))
    report = ok(post(client, f"/api/v1/waybills/{wb}/pod", {
        "lines": [{"line_no": 1, "good": 30}, {"line_no": 2, "good": 60}],
        "signer": "Amal", "seal_state": "broken", "by": "receiver"}, "pod"), 201)
    for url in (f"/api/v1/waybills/{wb}/pdf", f"/api/v1/pick-lists/{pl}/pdf",
                f"/api/v1/loss-reports/{report['loss_report']}/pdf"):
        got = client.get(url)
        assert got.status_code == 200 and got.content.startswith(b"%PDF"), url
        assert got.headers["content-type"] == "application/pdf"


# pages ----------------------------------------------------------------------------------
def test_the_waybill_page_records_dispatch_events_and_the_proof_of_delivery(client):
    _, _, wb = issued(client, 100)
    page = client.get(f"/waybills/{wb}")
    assert page.status_code == 200
    html = page.text
    assert "Khaled Haddad" in html and "S-0091" in html and 'id="dispatch"' in html
    assert f'href="/api/v1/waybills/{wb}/pdf"' in html and 'id="pod"' not in html
    token = client.cookies.get("aidhub_csrf")
    assert token and f'value="{token}"' in html

    forged = client.post(f"/waybills/{wb}/dispatch", data={"csrf_token": "x", "by": "d",
                                                           "key": "k1"})
    assert forged.status_code == 403
    picker = client.post(f"/waybills/{wb}/dispatch", data={"csrf_token": token, "key": "k0"},
                         headers=as_user(client, "picker"))
    assert picker.status_code == 403 and "may not dispatch" in picker.text
    sent = client.post(f"/waybills/{wb}/dispatch", data={"csrf_token": token,
                                                         "by": "dispatcher", "key": "k1"},
                       follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"/waybills/{wb}"
    no_place = client.post(f"/waybills/{wb}/events", data={
        "csrf_token": token, "by": "dispatcher", "key": "k2", "event": "at_checkpoint"})
    assert no_place.status_code == 400 and "name the checkpoint" in no_place.text
    bad_time = client.post(f"/waybills/{wb}/events", data={
        "csrf_token": token, "by": "dispatcher", "key": "k3", "event": "delayed",
        "at": "yesterday"})
    assert bad_time.status_code == 400 and "not a date and time" in bad_time.text
    event = client.post(f"/waybills/{wb}/events", data={
        "csrf_token": token, "by": "dispatcher", "key": "k3", "event": "at_checkpoint",
        "place": "Saraqeb", "note": "queue of 40 trucks"}, follow_redirects=False)
    assert event.status_code == 303, event.text

    html = client.get(f"/waybills/{wb}").text
    assert "at Saraqeb" in html and "queue of 40 trucks" in html and 'id="pod"' in html
    assert 'name="good_1" inputmode="numeric" value="40"' in html  # prefilled: shipped
    assert 'name="good_2" inputmode="numeric" value="60"' in html
    pod = {"csrf_token": token, "key": "k4", "by": "receiver", "signer": "Amal",
           "seal_state": "broken", "good_1": "40", "good_2": "61", "damaged_2": "0"}
    forged = client.post(f"/waybills/{wb}/pod", data={**pod, "csrf_token": "forged"})
    assert forged.status_code == 403
    over = client.post(f"/waybills/{wb}/pod", data=pod)
    assert over.status_code == 400 and "only 60 were shipped" in over.text
    assert 'value="61"' in over.text and 'value="Amal"' in over.text  # kept to correct
    bad = client.post(f"/waybills/{wb}/pod", data={**pod, "good_2": "many"})
    assert bad.status_code == 400 and "good_2" in bad.text
    done = client.post(f"/waybills/{wb}/pod", data={**pod, "good_2": "50", "damaged_2": "4"},
                       files={"photo": ("pod.png", b"\x89PNG fake", "image/png")},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    html = client.get(f"/waybills/{wb}").text
    assert "delivered" in html and 'id="pod"' not in html and 'id="loss-report"' in html
    assert "LR-DAM-HUB-" in html
    again = client.post(f"/waybills/{wb}/pod", data={**pod, "key": "k5", "good_2": "60"})
    assert again.status_code == 400 and "already has its proof of delivery" in again.text

    (report,) = client.get("/api/v1/loss-reports").json()
    losses = client.get("/loss-reports")
    assert losses.status_code == 200 and report["number"] in losses.text
    review = {"csrf_token": token, "key": "k6", "decision": "claim"}
    self_review = client.post(f"/loss-reports/{report['number']}/review", data=review)
    assert self_review.status_code == 400 and "four-eyes" in self_review.text
    reviewed = client.post(f"/loss-reports/{report['number']}/review", data=review,
                           headers=as_user(client, "hub manager"), follow_redirects=False)
    assert reviewed.status_code == 303
    assert "hub-manager" in client.get("/loss-reports", params={"state": "reviewed"}).text
    assert client.get("/waybills/WB-NOPE").status_code == 404


def test_the_board_highlights_vehicles_without_news(client, monkeypatch):
    empty = client.get("/board")
    assert empty.status_code == 200 and "No vehicle is issued or on the road" in empty.text
    assert 'href="/board"' in empty.text  # in the navigation
    _, _, wb = issued(client, 100)
    ok(post(client, f"/api/v1/waybills/{wb}/dispatch", {"by": "dispatcher"}, "go"))
    fresh = client.get("/board", params={"hub": "DAM-HUB"})
    assert fresh.status_code == 200 and wb in fresh.text and 'class="stale"' not in fresh.text
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=30)
    monkeypatch.setattr("aidhub.services.waybills.utcnow", lambda: later)
    stale = client.get("/board").text
    assert 'class="stale"' in stale and "no news" in stale and "departed" in stale
    assert ">30.0" in stale or ">29.9" in stale
    assert client.get("/board", params={"hub": "NOWHERE"}).status_code == 404


def test_a_pick_list_is_made_and_picked_from_the_pages(client):
    _, ro = released(client, 100)
    page = client.get("/pick-lists/new", params={"order": ro})
    assert page.status_code == 200 and f'value="{ro}"' in page.text
    token = client.cookies.get("aidhub_csrf")
    bad_days = client.post("/pick-lists", data={"csrf_token": token, "order": ro, "by": "p",
                                                "key": "g0", "min_shelf_life_days": "x"})
    assert bad_days.status_code == 400 and "min_shelf_life_days" in bad_days.text
    made = client.post("/pick-lists", data={"csrf_token": token, "order": ro, "by": "picker",
                                            "key": "g1"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    pl = url.rsplit("/", 1)[1]
    html = client.get(url).text
    assert html.index(">A-01<") < html.index(">A-02<")  # walking order
    assert f'href="/api/v1/pick-lists/{pl}/pdf"' in html and "passed over" in html
    lines = {x["location"]: x for x in client.get(f"/api/v1/pick-lists/{pl}").json()["lines"]}
    first = lines["A-01"]["line_no"]
    other = client.post(f"{url}/lines/{first}/pick", data={
        "csrf_token": token, "by": "picker", "key": "p1", "location": "A-02", "batch": "B2",
        "quantity": "5"})
    assert other.status_code == 400 and "give the reason" in other.text
    assert "Line 1 not picked" in other.text or f"Line {first} not picked" in other.text
    done = client.post(f"{url}/lines/{first}/pick", data={
        "csrf_token": token, "by": "picker", "key": "p2", "quantity": "10"},
        follow_redirects=False)
    assert done.status_code == 303
    assert client.get(f"/api/v1/pick-lists/{pl}").json()["lines"][first - 1]["picked"] == 10
    assert client.post(f"{url}/lines/{first}/pick", data={"by": "p"}).status_code == 403
