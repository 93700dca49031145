"""The admin's pages: people, their roles, passwords, lockouts, API tokens and
organisations; only admins get in, and every change is in the audit chain."""

import pytest
from fastapi.testclient import TestClient

from aidhub.services import accounts, reference, verify
from aidhub.services.accounts import SignInRefused
from aidhub.web.app import create_app
from tests.helpers import audit_trail, make_hub, post_form, web_client

PASSWORD = "four unrelated words here"


@pytest.fixture
def hub(ctx):
    make_hub(ctx)
    return ctx


def test_an_admin_adds_a_person_with_a_role_who_can_then_sign_in(hub):
    admin = web_client(hub, "admin")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and 'name="password"' in page.text
    made = post_form(admin, "/admin/users", key="u1", username="Nadia.K", name="Nadia Karim",
                 email="nadia@example.org", language="ar", password=PASSWORD,
                 confirm=PASSWORD, role="warehouse", organisation="WFP", hub="DAM-HUB")
    assert made.status_code == 303 and made.headers["location"] == "/admin/users/nadia.k"
    shown = admin.get("/admin/users/nadia.k")
    assert "Nadia Karim" in shown.text and "DAM-HUB" in shown.text and "warehouse" in shown.text
    listed = admin.get("/admin/users")
    assert 'href="/admin/users/nadia.k"' in listed.text
    _, who = accounts.sign_in(hub, "nadia.k", PASSWORD)
    assert who.roles() and {g.role.value for g in who.grants} == {"warehouse"}
    assert ("admin", "user.add", "nadia.k") in audit_trail(hub)
    assert ("admin", "user.grant", "nadia.k") in audit_trail(hub)
    # the password is checked, never shown again, and the rest of the input is kept
    weak = post_form(admin, "/admin/users", key="u2", username="omar", name="Omar",
                 password="short", confirm="short")
    assert weak.status_code == 400 and 'id="error-password"' in weak.text
    assert 'value="Omar"' in weak.text and 'value="short"' not in weak.text
    differ = post_form(admin, "/admin/users", key="u3", username="omar", name="Omar",
                   password=PASSWORD, confirm=PASSWORD + "x")
    assert differ.status_code == 400 and 'id="error-confirm"' in differ.text
    taken = post_form(admin, "/admin/users", key="u4", username="nadia.k", name="Other",
                  password=PASSWORD, confirm=PASSWORD)
    assert taken.status_code == 400 and "already" in taken.text
    assert "omar" not in {u.username for u in accounts.list_users(hub)}
    # the person is added even when the first role is refused, and the page says so
    half = post_form(admin, "/admin/users", key="u5", username="layla", name="Layla",
                 password=PASSWORD, confirm=PASSWORD, role="partner", organisation="WFP",
                 hub="DAM-HUB")
    assert half.status_code == 400 and "layla was added, but the role was not" in half.text
    assert 'action="/admin/users/layla/grants"' in half.text
    assert next(u for u in accounts.list_users(hub) if u.username == "layla").grants == []


def test_roles_are_granted_and_revoked_with_their_rules(hub):
    admin = web_client(hub, "admin")
    accounts.add_user(hub, "sami", name="Sami", password=PASSWORD, key="sami")
    admin.get("/admin/users/sami")
    per_hub = post_form(admin, "/admin/users/sami/grants", key="g1", role="partner",
                    organisation="WFP", hub="DAM-HUB")
    assert per_hub.status_code == 400 and 'id="error-hub"' in per_hub.text
    ok = post_form(admin, "/admin/users/sami/grants", key="g2", role="partner",
               organisation="ECHO")
    assert ok.status_code == 303
    page = admin.get("/admin/users/sami")
    assert "Revoke partner" in page.text
    gone = post_form(admin, "/admin/users/sami/grants/revoke", key="g3", role="partner",
                 organisation="ECHO", hub="")
    assert gone.status_code == 303
    assert next(u for u in accounts.list_users(hub) if u.username == "sami").grants == []
    assert ("admin", "user.revoke", "sami") in audit_trail(hub)
    myself = post_form(admin, "/admin/users/admin/grants/revoke", key="g4", role="admin",
                   organisation="WFP", hub="")
    assert myself.status_code == 400 and "your own admin role" in myself.text
    assert admin.get("/admin/users/nobody").status_code == 404


def test_a_locked_out_person_is_shown_and_a_new_password_lets_them_in(hub):
    admin = web_client(hub, "admin")
    accounts.add_user(hub, "rania", name="Rania", password=PASSWORD, key="rania")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            accounts.sign_in(hub, "rania", "wrong password typed")
    with pytest.raises(SignInRefused, match="too many"):
        accounts.sign_in(hub, "rania", PASSWORD)
    assert "locked until" in admin.get("/admin/users").text
    page = admin.get("/admin/users/rania")
    assert 'id="locked"' in page.text
    new = "another four words please"
    reset = post_form(admin, "/admin/users/rania/password", key="p1", password=new, confirm=new)
    assert reset.status_code == 303
    accounts.sign_in(hub, "rania", new)  # the lock is lifted
    assert 'id="locked"' not in admin.get("/admin/users/rania").text
    weak = post_form(admin, "/admin/users/rania/password", key="p2", password="rania rania rania",
                 confirm="rania rania rania")
    assert weak.status_code == 400 and "username" in weak.text
    assert ("admin", "user.password", "rania") in audit_trail(hub)
    off = post_form(admin, "/admin/users/rania/active", key="a1", active="0")
    assert off.status_code == 303
    with pytest.raises(SignInRefused):
        accounts.sign_in(hub, "rania", new)
    assert "disabled" in admin.get("/admin/users").text
    assert post_form(admin, "/admin/users/rania/active", key="a2", active="1").status_code == 303
    accounts.sign_in(hub, "rania", new)
    own = post_form(admin, "/admin/users/admin/active", key="a3", active="0")
    assert own.status_code == 400 and "your own account" in own.text


def test_api_tokens_are_shown_once_and_can_be_revoked(hub):
    admin = web_client(hub, "admin")
    accounts.add_user(hub, "script", name="Nightly export", password=PASSWORD, key="s")
    accounts.grant(hub, "script", "donor", "ECHO", key="sg")
    admin.get("/admin/tokens")
    beyond = post_form(admin, "/admin/tokens", key="t0", username="script", name="export",
                   scopes=["read", "plan"], days="30")
    assert beyond.status_code == 400 and 'id="error-scopes"' in beyond.text
    issued = post_form(admin, "/admin/tokens", key="t1", username="script", name="export",
                   scopes=["read", "report"], days="30")
    assert issued.status_code == 200
    secret = issued.text.split('<code id="secret">')[1].split("<")[0]
    assert secret.startswith("ahk_")
    api = TestClient(create_app(hub))
    assert api.get("/api/v1/sites", headers={"Authorization": f"Bearer {secret}"}
                   ).status_code == 200
    listed = admin.get("/admin/tokens")
    assert secret not in listed.text and "export" in listed.text
    token_id = next(t["id"] for t in accounts.tokens(hub, "script"))
    revoked = post_form(admin, f"/admin/tokens/{token_id}/revoke", key="t2")
    assert revoked.status_code == 303
    assert api.get("/api/v1/sites", headers={"Authorization": f"Bearer {secret}"}
                   ).status_code == 401
    assert ("admin", "token.revoke", token_id) in audit_trail(hub)
    assert post_form(admin, "/admin/tokens/not-an-id/revoke", key="t3").status_code == 400


def test_organisations_are_added_and_hubs_listed(hub):
    admin = web_client(hub, "admin")
    page = admin.get("/admin/organisations")
    assert "DAM-HUB" in page.text and "ECHO" in page.text
    bad = post_form(admin, "/admin/organisations", key="o1", code="IRC", name="IRC",
                type="ngo", country="United States")
    assert bad.status_code == 400 and 'id="error-country"' in bad.text
    assert 'value="IRC"' in bad.text
    ok = post_form(admin, "/admin/organisations", key="o2", code="IRC",
               name="International Rescue Committee", type="ngo", country="us")
    assert ok.status_code == 303
    assert "IRC" in {o.code for o in reference.list_organisations(hub)}
    assert ("admin", "organisation.add", "IRC") in audit_trail(hub)
    assert verify.verify_audit(hub).ok  # every change above is in an unbroken chain


def test_only_admins_get_in(hub):
    for role in ("coordinator", "hub_manager", "partner"):
        client = web_client(hub, role)
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/tokens").status_code == 403
    assert "/admin/users" not in web_client(hub, "coordinator").get("/").text
    assert 'href="/admin/users"' in web_client(hub, "admin").get("/").text
