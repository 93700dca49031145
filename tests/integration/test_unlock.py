"""Unlocking an account locked out by failed sign-ins, without changing its password: on
the admin's page, at the terminal and through the service, on both databases. Only an
admin may; the audit chain says who did; the count of failures starts again."""

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from aidhub.cli import app
from aidhub.services import accounts, verify
from aidhub.services.accounts import SignInRefused
from aidhub.store.tables import sign_in_attempts
from tests.helpers import audit_trail, make_hub, post_form, web_client

PASSWORD = "four unrelated words here"


@pytest.fixture
def hub(ctx):
    make_hub(ctx)
    accounts.add_user(ctx, "rania", name="Rania Haddad", password=PASSWORD, key="rania")
    return ctx


def _lock(ctx, username: str = "rania") -> None:
    for _ in range(accounts.LOCKOUT.attempts):
        with pytest.raises(SignInRefused, match="wrong username or password"):
            accounts.sign_in(ctx, username, "not the password at all")
    with pytest.raises(SignInRefused, match="ask an admin to unlock"):
        accounts.sign_in(ctx, username, PASSWORD)  # even the right one, while locked


def _password_hash(ctx) -> str:
    with ctx.uow() as uow:
        return uow.accounts.user("rania").password_hash


def test_an_admin_unlocks_a_person_who_then_signs_in_with_their_own_password(hub):
    admin = web_client(hub, "admin", username="nadia")
    before = admin.get("/admin/users/rania")
    assert 'id="unlock"' not in before.text  # not locked: no button
    _lock(hub)
    hashed = _password_hash(hub)
    page = admin.get("/admin/users/rania")
    assert page.status_code == 200
    assert 'id="locked"' in page.text and "locked until" in page.text
    assert 'id="unlock"' in page.text and 'action="/admin/users/rania/unlock"' in page.text
    assert post_form(admin, "/admin/users/rania/unlock", csrf_token="forged",
                 key="u0").status_code == 403  # a forged form changes nothing
    with pytest.raises(SignInRefused, match="too many"):
        accounts.sign_in(hub, "rania", PASSWORD)
    done = post_form(admin, "/admin/users/rania/unlock", key="u1")
    assert done.status_code == 303 and done.headers["location"] == "/admin/users/rania"
    after = admin.get("/admin/users/rania")
    assert 'id="locked"' not in after.text and 'id="unlock"' not in after.text
    assert "locked until" not in admin.get("/admin/users").text
    secret, who = accounts.sign_in(hub, "rania", PASSWORD)  # the old password works
    assert who.username == "rania" and accounts.session(hub, secret).username == "rania"
    assert _password_hash(hub) == hashed  # and was not changed
    assert ("nadia", "user.unlock", "rania") in audit_trail(hub)
    assert verify.verify_audit(hub).ok
    # the count starts again: one more mistake does not lock, as many as the rule does
    with pytest.raises(SignInRefused, match="wrong username or password"):
        accounts.sign_in(hub, "rania", "typo in the password")
    for _ in range(accounts.LOCKOUT.attempts - 2):  # with the typo, one short
        with pytest.raises(SignInRefused, match="wrong username or password"):
            accounts.sign_in(hub, "rania", "not the password at all")
    accounts.sign_in(hub, "rania", PASSWORD)
    with pytest.raises(SignInRefused, match="wrong username or password"):
        accounts.sign_in(hub, "rania", "not the password at all")
    with pytest.raises(SignInRefused, match="too many"):  # the limit: locked again
        accounts.sign_in(hub, "rania", PASSWORD)


def test_unlocking_is_for_admins_only(hub):
    _lock(hub)
    for role in ("hub_manager", "coordinator", "screening", "partner"):
        client = web_client(hub, role)
        refused = post_form(client, "/admin/users/rania/unlock", key=f"u-{role}")
        assert refused.status_code == 403, role
        assert "may not admin" in refused.text  # refused for the role, not the form
    with pytest.raises(SignInRefused, match="too many"):
        accounts.sign_in(hub, "rania", PASSWORD)  # still locked
    assert not [a for a in audit_trail(hub) if a[1] == "user.unlock"]
    admin = web_client(hub, "admin")
    assert admin.get("/admin/users/nobody").status_code == 404
    admin.get("/admin/users")  # the CSRF cookie
    assert post_form(admin, "/admin/users/nobody/unlock", key="u-x").status_code == 404


def test_the_service_is_idempotent_and_records_the_unlock(hub):
    _lock(hub)
    first = accounts.unlock(hub.as_actor("ops"), "Rania", key="k1")
    assert first["username"] == "rania" and first["was_locked_until"]
    assert accounts.unlock(hub.as_actor("ops"), "rania", key="k1") == first  # a retry
    assert [a for a in audit_trail(hub) if a[1] == "user.unlock"] == [("ops", "user.unlock",
                                                                  "rania")]
    with hub.engine.connect() as conn:
        reasons = [r.reason for r in conn.execute(
            select(sign_in_attempts.c.reason).order_by(sign_in_attempts.c.at))]
    assert reasons[-1] == "unlocked"
    accounts.sign_in(hub, "rania", PASSWORD)
    again = accounts.unlock(hub, "rania", key="k2")  # not locked: only restarts the count
    assert again["was_locked_until"] is None
    with pytest.raises(accounts.NotFound):
        accounts.unlock(hub, "nobody", key="k3")


def test_unlocking_at_the_terminal(hub, db_url):
    _lock(hub)
    run = CliRunner().invoke
    base = ["--database", db_url, "--as", "root"]
    listed = run(app, [*base, "users", "list"])
    assert listed.exit_code == 0 and "locked until" in listed.output
    out = run(app, [*base, "users", "unlock", "rania"])
    assert out.exit_code == 0, out.output
    assert "rania unlocked" in out.output
    assert "locked until" not in run(app, [*base, "users", "list"]).output
    accounts.sign_in(hub, "rania", PASSWORD)
    assert ("root", "user.unlock", "rania") in audit_trail(hub)
    missing = run(app, [*base, "users", "unlock", "nobody"])
    assert missing.exit_code != 0 and "no user nobody" in missing.output
