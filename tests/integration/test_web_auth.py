"""The web app's doors, on both databases: nothing is seen or changed without signing in,
sessions and tokens end, a role without the permission is refused, and the sign-in form
cannot be forged, used to redirect elsewhere, or guessed at without a lockout."""

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import update

from aidhub.services import accounts
from aidhub.store.tables import sessions
from aidhub.web.app import create_app
from tests.helpers import make_hub, signed_in

PASSWORD = "olive trees in spring"


def _app(ctx):
    make_hub(ctx)
    accounts.add_user(ctx, "amal", name="Amal Khoury", password=PASSWORD, key="u")
    accounts.grant(ctx, "amal", "reception", "WFP", key="g")
    return TestClient(create_app(ctx))


def _sign_in(client, password=PASSWORD, next_="/"):
    client.get("/sign-in")
    return client.post("/sign-in", data={
        "csrf_token": client.cookies.get("aidhub_csrf"), "username": "amal",
        "password": password, "next": next_}, follow_redirects=False)


def test_nothing_is_seen_without_signing_in(ctx):
    client = _app(ctx)
    page = client.get("/consignments", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=%2Fconsignments"
    api = client.get("/api/v1/stock")
    assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/static/app.css").status_code == 200


def test_signing_in_sets_a_protected_cookie_and_goes_back(ctx):
    client = _app(ctx)
    done = _sign_in(client, next_="/consignments?state=held")
    assert done.status_code == 303 and done.headers["location"] == "/consignments?state=held"
    cookie = done.headers["set-cookie"]
    assert "aidhub_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/consignments")
    assert page.status_code == 200 and "Amal Khoury" in page.text
    # elsewhere is never a destination
    assert _sign_in(client, next_="//evil.example/x").headers["location"] == "/"
    assert _sign_in(client, next_="https://evil.example").headers["location"] == "/"


def test_a_forged_or_wrong_sign_in_is_refused_and_repeated_guesses_lock(ctx):
    client = _app(ctx)
    forged = client.post("/sign-in", data={"csrf_token": "x", "username": "amal",
                                           "password": PASSWORD})
    assert forged.status_code == 403
    for _ in range(5):
        wrong = _sign_in(client, "guess guess guess")
        assert wrong.status_code == 401 and "wrong username or password" in wrong.text
        assert 'value="amal"' in wrong.text  # the username is kept in the form
    locked = _sign_in(client)
    assert locked.status_code == 401 and "try again in" in locked.text


def test_sessions_end_on_sign_out_and_expire_when_idle(ctx):
    client = _app(ctx)
    _sign_in(client)
    assert client.get("/consignments").status_code == 200
    client.post("/sign-out", data={"csrf_token": client.cookies.get("aidhub_csrf")})
    assert client.get("/consignments", follow_redirects=False).status_code == 303
    _sign_in(client)
    with ctx.engine.begin() as conn:
        conn.execute(update(sessions).values(
            last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(hours=9)))
    assert client.get("/api/v1/stock").json()["detail"] == "your session has expired; sign in again"


def test_a_role_without_the_permission_is_refused_and_nothing_changes(ctx):
    client = _app(ctx)
    _sign_in(client)  # reception: may register consignments, may not plan
    page = client.get("/plans")
    token = client.cookies.get("aidhub_csrf")
    refused = client.post("/plans", data={"csrf_token": token, "key": "s1"})
    assert page.status_code == 200 and refused.status_code == 403
    assert "amal (reception) may not plan" in refused.text
    assert client.get("/api/v1/plans").json() == []
    # a token limited to reading cannot write, even for an admin
    reader = accounts.new_token(ctx, "amal", "reader", scopes=["read"], key="t")["token"]
    body = {"hub": "DAM-HUB", "consignor": "WFP", "consignee": "WFP",
            "lines": [{"item": "TARP", "quantity": 5}]}
    scoped = client.post("/api/v1/consignments", json=body, headers={
        "Authorization": f"Bearer {reader}", "Idempotency-Key": "c1"})
    assert scoped.status_code == 403
    allowed = client.post("/api/v1/consignments", json=body, headers={
        **signed_in(ctx, "reception", username="rima"), "Idempotency-Key": "c2"})
    assert allowed.status_code == 201, allowed.text


def test_partners_and_hub_staff_see_only_their_own(ctx):
    from aidhub.services import consignments, reference
    from aidhub.services.consignments import AdviceLine, PreAdvice
    from tests.helpers import receive

    client = _app(ctx)
    reference.add_organisation(ctx, key="o-sarc", code="SARC", name="SARC", type="ngo")
    reference.add_site(ctx, key="s-hms", code="HMS-HUB", name="Homs", kind="hub",
                       operator="SARC")
    receive(ctx, "RICE", 10, key="r1", owner="ECHO")  # at DAM-HUB (WFP)
    mine = consignments.register_preadvice(ctx, PreAdvice(
        hub="DAM-HUB", consignor="WFP", consignee="WFP", donor="ECHO",
        lines=[AdviceLine(5, item="TARP")]), key="c1")["number"]
    theirs = consignments.register_preadvice(ctx, PreAdvice(
        hub="HMS-HUB", consignor="SARC", consignee="SARC",
        lines=[AdviceLine(5, item="TARP")]), key="c2")["number"]
    donor = signed_in(ctx, "donor", username="echo-auditor", organisation="ECHO")
    sarc = signed_in(ctx, "partner", username="sarc-officer", organisation="SARC")
    staff = signed_in(ctx, "warehouse", username="dam-clerk", organisation="WFP")

    def numbers(headers):
        return {c["number"] for c in client.get("/api/v1/consignments", headers=headers).json()}

    assert numbers(donor) == {mine} and numbers(sarc) == {theirs}
    assert numbers(staff) == {mine}  # WFP operates DAM-HUB, not HMS-HUB
    hidden = client.get(f"/api/v1/consignments/{theirs}", headers=donor)
    unknown = client.get("/api/v1/consignments/DAM-HUB-IN-2026-99999", headers=donor)
    assert hidden.status_code == unknown.status_code == 404  # existence does not leak
    assert client.get(f"/api/v1/consignments/{mine}", headers=donor).status_code == 200
    assert {r["owner"] for r in client.get("/api/v1/stock", headers=donor).json()} == {"ECHO"}
    assert client.get("/api/v1/stock", headers=sarc).json() == []
    assert client.get("/api/v1/movements", headers=sarc).status_code == 404
    assert client.get("/api/v1/movements", params={"site": "DAM-HUB"},
                      headers=staff).status_code == 200


def test_hub_pages_are_for_staff_and_screening_for_screeners(ctx):
    from aidhub.services import requests
    from aidhub.services.requests import LineInput

    client = _app(ctx)
    for code in ("SARC", "IRC"):
        reference_org(ctx, code)
    reference_point(ctx)
    ours = requests.create(ctx, key="rq1", organisation_code="SARC", point="DP-A",
                           lines=[LineInput(item="RICE", quantity=5, priority=1)])["request"]
    other = requests.create(ctx, key="rq2", organisation_code="IRC", point="DP-A",
                            lines=[LineInput(item="RICE", quantity=5, priority=1)])["request"]
    sarc = signed_in(ctx, "partner", username="sarc-officer", organisation="SARC")
    staff = signed_in(ctx, "warehouse", username="dam-clerk", organisation="WFP")
    screener = signed_in(ctx, "screening", username="screener", organisation="WFP")
    assert [r["number"] for r in client.get("/api/v1/requests", headers=sarc).json()] == [ours]
    assert client.get(f"/api/v1/requests/{other}", headers=sarc).status_code == 404
    assert {r["number"] for r in client.get("/api/v1/requests", headers=staff).json()} == {
        ours, other}
    for url in ("/api/v1/plans", "/api/v1/board", "/api/v1/release-orders", "/api/v1/routes"):
        refused = client.get(url, headers=sarc)
        assert refused.status_code == 403 and "hub staff" in refused.json()["detail"], url
        assert client.get(url, headers=staff).status_code == 200, url
    assert client.get("/board", headers=sarc).status_code == 403
    assert client.get("/api/v1/hits", headers=staff).status_code == 403
    assert client.get("/api/v1/hits", headers=screener).status_code == 200


def reference_org(ctx, code):
    from aidhub.services import reference

    reference.add_organisation(ctx, key=f"o-{code}", code=code, name=code, type="ngo")


def reference_point(ctx):
    from aidhub.services import reference

    reference.add_site(ctx, key="dp-a", code="DP-A", name="Point A",
                       kind="distribution_point", pcode="SY0200", population=100)
