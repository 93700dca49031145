"""The inbound pages and API."""

from tests.helpers import web_client
from tests.integration.test_inbound import advise, hub, to_cleared  # noqa: F401


def test_a_pre_advice_typed_in_the_form_shows_its_timeline(hub):  # noqa: F811
    client = web_client(hub)
    page = client.get("/consignments/new")
    assert page.status_code == 200
    token = client.cookies.get("aidhub_csrf")
    form = {"csrf_token": token, "key": "form-1", "hub": "DAM-HUB", "consignor": "WFP",
            "consignee": "WFP", "donor": "ECHO", "document_type": "cmr",
            "document_number": "CMR-1", "item_0": "RICE", "qty_0": "120", "batch_0": "B9",
            "expiry_0": "2027-04-30", "desc_1": "Winter jackets", "qty_1": "30",
            "unit_1": "carton"}
    created = client.post("/consignments/new", data=form, follow_redirects=False)
    assert created.status_code == 303
    shown = client.get(created.headers["location"])
    assert "pre advised" in shown.text and "Winter jackets" in shown.text
    assert "registered" in shown.text
    again = client.post("/consignments/new", data=form, follow_redirects=False)
    assert again.headers["location"] == created.headers["location"]  # same key, same one


def test_the_form_refuses_bad_lines_and_forged_posts(hub):  # noqa: F811
    client = web_client(hub)
    client.get("/consignments/new")
    token = client.cookies.get("aidhub_csrf")
    bad = {"csrf_token": token, "key": "k", "hub": "DAM-HUB", "consignor": "WFP",
           "consignee": "WFP", "item_0": "RICE", "qty_0": "-4"}
    page = client.post("/consignments/new", data=bad)
    assert page.status_code == 400 and "line 1" in page.text and "above zero" in page.text
    forged = {**bad, "csrf_token": "not-the-token", "qty_0": "4"}
    assert client.post("/consignments/new", data=forged).status_code == 403


def test_the_api_runs_the_inbound_flow(hub):  # noqa: F811
    client = web_client(hub)
    body = {"hub": "DAM-HUB", "consignor": "WFP", "consignee": "WFP", "donor": "ECHO",
            "lines": [{"item": "TARP", "quantity": 50}]}
    created = client.post("/api/v1/consignments", json=body, headers={"Idempotency-Key": "a1"})
    assert created.status_code == 201
    number = created.json()["number"]
    for n, state in enumerate(["arrived", "screening", "cleared"]):
        r = client.post(f"/api/v1/consignments/{number}/state", json={"state": state},
                        headers={"Idempotency-Key": f"s{n}"})
        assert r.status_code == 200, r.text
    grn = client.post(f"/api/v1/consignments/{number}/grns", headers={"Idempotency-Key": "g"},
                      json={"counts": [{"line": 1, "good": 50, "priority": 1}],
                            "received_by": "Amal"})
    assert grn.status_code == 201, grn.text
    assert client.get(f"/api/v1/grns/{grn.json()['grn']}.pdf").content.startswith(b"%PDF")
    sscc = grn.json()["handling_units"][0]
    assert client.get(f"/api/v1/units/{sscc}").json()["quantity"] == 50
    assert client.get("/api/v1/pipeline").json()[0]["stage"] == "received"
    refused = client.post(f"/api/v1/consignments/{number}/state", json={"state": "in_transit"},
                          headers={"Idempotency-Key": "s9"})
    assert refused.status_code == 400 and "cannot go from received" in refused.json()["detail"]
    assert client.post("/api/v1/consignments", json=body).status_code == 422  # no key
