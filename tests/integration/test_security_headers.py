"""Security hygiene of every answer: headers that stop framing, sniffing and inline
scripts; HSTS over https; no caching of private pages; and a session planted before
signing in never becomes the session."""

from fastapi.testclient import TestClient

from aidhub.services import accounts
from aidhub.web.app import create_app
from aidhub.web.headers import CSP
from tests.helpers import make_hub

PASSWORD = "olive trees in spring"


def test_every_answer_carries_the_security_headers(ctx):
    make_hub(ctx)
    client = TestClient(create_app(ctx))
    for response in (client.get("/sign-in"), client.get("/api/v1/stock"),
                     client.get("/consignments", follow_redirects=False),
                     client.get("/static/app.css")):
        h = response.headers
        assert h["content-security-policy"] == CSP
        assert "script-src 'self';" in CSP and "frame-ancestors 'none'" in CSP
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in h  # plain http: HSTS would be ignored
    assert client.get("/sign-in").headers["cache-control"] == "no-store"
    secure = TestClient(create_app(ctx), base_url="https://hub.example")
    assert secure.get("/sign-in").headers["strict-transport-security"].startswith("max-age=")


def test_a_session_planted_before_sign_in_is_never_used(ctx):
    make_hub(ctx)
    accounts.add_user(ctx, "amal", name="Amal", password=PASSWORD, key="u")
    client = TestClient(create_app(ctx))
    client.cookies.set("aidhub_session", "planted-by-an-attacker")
    client.get("/sign-in")
    done = client.post("/sign-in", data={"csrf_token": client.cookies.get("aidhub_csrf"),
                                         "username": "amal", "password": PASSWORD},
                       follow_redirects=False)
    issued = done.cookies.get("aidhub_session")
    assert issued and issued != "planted-by-an-attacker"
    other = TestClient(create_app(ctx))
    other.cookies.set("aidhub_session", "planted-by-an-attacker")
    assert other.get("/api/v1/stock").status_code == 401
