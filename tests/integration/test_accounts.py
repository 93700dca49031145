"""Accounts on both databases: Argon2 hashes, roles, sign-in with lockout, sessions that
end, API tokens with scopes that can be revoked; no secret stored in clear."""

import datetime as dt

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from aidhub.cli.app import app
from aidhub.domain.access import Permission, Role
from aidhub.domain.errors import AlreadyExists, InvalidInput
from aidhub.services import accounts
from aidhub.services.accounts import NotSignedIn, SignInRefused
from aidhub.store.tables import audit_records, sessions, sign_in_attempts, users
from tests.helpers import make_hub

PASSWORD = "olive trees in spring"


@pytest.fixture
def hub(ctx):
    make_hub(ctx)
    accounts.add_user(ctx, "Amal", name="Amal Khoury", password=PASSWORD, key="u1")
    accounts.grant(ctx, "amal", "reception", "WFP", hub="DAM-HUB", key="g1")
    return ctx


def test_a_user_signs_in_with_an_argon2_password_and_holds_their_roles(hub):
    with hub.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
        logged = " ".join(str(r) for r in conn.execute(select(audit_records)))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PASSWORD not in logged
    secret, who = accounts.sign_in(hub, "AMAL", PASSWORD, address="10.0.0.5")
    assert (who.username, who.roles()) == ("amal", {Role.RECEPTION})
    assert accounts.session(hub, secret).username == "amal"
    with hub.engine.connect() as conn:
        assert secret not in {r.id for r in conn.execute(select(sessions))}
    accounts.sign_out(hub, secret)
    with pytest.raises(NotSignedIn, match="ended"):
        accounts.session(hub, secret)


def test_wrong_passwords_are_logged_and_lock_the_username_for_a_while(hub):
    for _ in range(5):
        with pytest.raises(SignInRefused, match="wrong username or password"):
            accounts.sign_in(hub, "amal", "not the password", address="10.0.0.9")
    with pytest.raises(SignInRefused, match=r"try again in 1[56] minutes"):
        accounts.sign_in(hub, "amal", PASSWORD)  # even the right password, while locked
    with pytest.raises(SignInRefused, match="wrong username or password"):
        accounts.sign_in(hub, "nobody", PASSWORD)  # the same answer: existence not leaked
    with hub.engine.connect() as conn:
        rows = list(conn.execute(select(sign_in_attempts.c.reason, sign_in_attempts.c.address)
                                 .order_by(sign_in_attempts.c.at)))
    assert [r.reason for r in rows] == ["wrong password"] * 5 + ["locked", "unknown user"]
    assert rows[0].address == "10.0.0.9"
    with hub.engine.connect() as conn:  # and the audit chain has every one of them
        actions = [r.action for r in conn.execute(
            select(audit_records.c.action).order_by(audit_records.c.seq))]
    assert actions.count("user.sign_in_refused") == 7
    # an admin setting a new password lifts the lock
    accounts.set_password(hub, "amal", "a brand new passphrase", key="pw")
    accounts.sign_in(hub, "amal", "a brand new passphrase")


def test_sessions_expire_when_idle_and_end_when_the_account_is_disabled(hub):
    secret, _ = accounts.sign_in(hub, "amal", PASSWORD)
    with hub.engine.begin() as conn:
        conn.execute(update(sessions).values(
            last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(hours=9)))
    with pytest.raises(NotSignedIn, match="expired"):
        accounts.session(hub, secret)
    secret, _ = accounts.sign_in(hub, "amal", PASSWORD)
    accounts.set_active(hub, "amal", False, key="off")
    with pytest.raises(NotSignedIn):
        accounts.session(hub, secret)
    with pytest.raises(SignInRefused):
        accounts.sign_in(hub, "amal", PASSWORD)


def test_api_tokens_carry_scopes_and_can_be_revoked(hub):
    made = accounts.new_token(hub, "amal", "scanner app", scopes=["read", "receive"],
                              key="t1")
    assert made["token"].startswith("ahk_")
    who = accounts.token(hub, made["token"])
    assert who.can(Permission.RECEIVE) and not who.can(Permission.CONSIGNMENTS)
    with pytest.raises(InvalidInput, match="do not give dispatch"):
        accounts.new_token(hub, "amal", "too much", scopes=["dispatch"], key="t2")
    accounts.revoke_token(hub, made["id"], key="rv")
    with pytest.raises(NotSignedIn, match="revoked"):
        accounts.token(hub, made["token"])
    with pytest.raises(NotSignedIn):
        accounts.token(hub, "ahk_made-up")
    (listed,) = accounts.tokens(hub, "amal")
    assert listed["revoked_at"] is not None and made["token"] not in str(listed)


def test_bad_account_input_is_refused(hub):
    with pytest.raises(AlreadyExists):
        accounts.add_user(hub, "amal", name="Another", password=PASSWORD, key="u2")
    with pytest.raises(InvalidInput, match="at least 12"):
        accounts.add_user(hub, "omar", name="Omar", password="short", key="u3")
    with pytest.raises(InvalidInput, match="not one of"):
        accounts.grant(hub, "amal", "superuser", "WFP", key="g2")
    with pytest.raises(InvalidInput, match="not granted per hub"):
        accounts.grant(hub, "amal", "partner", "WFP", hub="DAM-HUB", key="g3")
    with pytest.raises(AlreadyExists, match="already is reception"):
        accounts.grant(hub, "amal", "reception", "WFP", hub="DAM-HUB", key="g4")


def test_the_first_admin_is_made_from_the_terminal(hub, db_url):
    run = CliRunner().invoke
    base = ["--database", db_url]
    out = run(app, [*base, "users", "add", "root", "--name", "Hub Admin", "--password-stdin"],
              input="a long admin passphrase\n")
    assert out.exit_code == 0, out.output
    assert run(app, [*base, "users", "grant", "root", "admin", "WFP"]).exit_code == 0
    listed = run(app, [*base, "users", "list"]).output
    assert "root" in listed and "admin WFP" in listed and "reception WFP@DAM-HUB" in listed
    bad = run(app, [*base, "users", "grant", "root", "king", "WFP"])
    assert bad.exit_code == 1 and "not one of" in bad.output
    token = run(app, [*base, "tokens", "new", "root", "--name", "sync", "--scope", "read"])
    assert token.exit_code == 0 and "ahk_" in token.output
