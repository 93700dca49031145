"""`aidhub users|tokens`: accounts, their roles, and API tokens, for an admin at the
terminal (the first admin is made here, before anyone can sign in to the web app)."""

import sys

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import JSON, KEY_HELP, new_key
from aidhub.domain.access import Permission, Role
from aidhub.services import accounts
from aidhub.services.context import utcnow

users = typer.Typer(no_args_is_help=True, help="People who sign in, and their roles.")
tokens = typer.Typer(no_args_is_help=True, help="API tokens for scripts.")
KEY = typer.Option(None, "--key", help=KEY_HELP)
ROLES = ", ".join(r.value for r in Role)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
def add(username: str, name: str = typer.Option(..., help="The person's full name."),
        email: str = typer.Option(""), language: str = typer.Option("en", help="en, ar or ru"),
        password_stdin: bool = typer.Option(False, "--password-stdin",
                                            help="Read the password from standard input."),
        key: str = KEY) -> None:
    """A new account (asks for the password twice unless --password-stdin)."""
    r = accounts.add_user(context(), username, name=name, email=email, language=language,
                          password=_password(password_stdin), key=key or new_key())
    output.ok(f"user {r['username']} added; give a role with `aidhub users grant`")


@users.command("grant")
def grant(username: str, role: str = typer.Argument(..., help=ROLES),
          organisation: str = typer.Argument(..., help="The organisation's code."),
          hub: str = typer.Option(None, help="Only at this hub (hub roles)."),
          key: str = KEY) -> None:
    """Give a role for an organisation (hub roles reach the hubs it operates, or one)."""
    r = accounts.grant(context(), username, role, organisation, hub=hub, key=key or new_key())
    output.ok(f"{r['username']} is {r['role'].replace('_', ' ')} for {r['organisation']}" +
              (f" at {r['hub']}" if r["hub"] else ""))


@users.command("revoke")
def revoke(username: str, role: str, organisation: str, hub: str = typer.Option(None),
           key: str = KEY) -> None:
    """Take a role away."""
    accounts.revoke_grant(context(), username, role, organisation, hub=hub,
                          key=key or new_key())
    output.ok(f"{username}: {role} for {organisation} revoked")


@users.command("password")
def password(username: str,
             password_stdin: bool = typer.Option(False, "--password-stdin"),
             key: str = KEY) -> None:
    """Set a new password; the user's sessions end."""
    accounts.set_password(context(), username, _password(password_stdin),
                          key=key or new_key())
    output.ok(f"password of {username} changed; their sessions have ended")


@users.command("unlock")
def unlock(username: str, key: str = KEY) -> None:
    """Lift a lockout after failed sign-ins; the password is unchanged."""
    r = accounts.unlock(context(), username, key=key or new_key())
    was = r["was_locked_until"]
    output.ok(f"{r['username']} unlocked (was locked until {was} UTC); they can sign in "
              "with their password" if was else
              f"{r['username']} was not locked; failed sign-ins so far no longer count")


@users.command("disable")
def disable(username: str, key: str = KEY) -> None:
    """Disable an account: its sessions end and its tokens stop working."""
    accounts.set_active(context(), username, False, key=key or new_key())
    output.ok(f"{username} disabled")


@users.command("enable")
def enable(username: str, key: str = KEY) -> None:
    accounts.set_active(context(), username, True, key=key or new_key())
    output.ok(f"{username} enabled")


@users.command("list")
def list_users(as_json: bool = JSON) -> None:
    """Every account with its roles."""
    rows = accounts.list_users(context())
    if as_json:
        output.print_json(rows)
        return
    now = utcnow()
    output.table(None, ["username", "name", "active", "language", "roles"],
                 [(u.username, u.name, ("yes" if u.active else "no") + (
                     f" (locked until {u.locked_until:%Y-%m-%d %H:%M} UTC)"
                     if u.locked_until and u.locked_until > now else ""), u.language,
                   "; ".join(f"{g['role']} {g['organisation']}" +
                             (f"@{g['hub']}" if g["hub"] else "") for g in u.grants) or "—")
                  for u in rows])


@tokens.command("new")
def new_token(username: str, name: str = typer.Option(..., help="What uses the token."),
              scope: list[str] = typer.Option(..., "--scope", help=", ".join(
                  p.value for p in Permission) + "; repeat."),
              days: int = typer.Option(90, help="Days it lasts (0: no end)."),
              key: str = KEY) -> None:
    """A token for scripts; printed once, keep it safe."""
    r = accounts.new_token(context(), username, name, scopes=scope, key=key or new_key(),
                           days=days or None)
    output.ok(f"token {r['id']} ({', '.join(r['scopes'])}):")
    print(r["token"])


@tokens.command("revoke")
def revoke_token(token_id: str, key: str = KEY) -> None:
    accounts.revoke_token(context(), token_id, key=key or new_key())
    output.ok(f"token {token_id} revoked")


@tokens.command("list")
def list_tokens(username: str = typer.Option(None), as_json: bool = JSON) -> None:
    rows = accounts.tokens(context(), username)
    if as_json:
        output.print_json(rows)
        return
    output.table(None, ["id", "user", "name", "prefix", "scopes", "expires", "state"],
                 [(t["id"], t["user"], t["name"], t["prefix"], " ".join(t["scopes"]),
                   t["expires_at"] or "never",
                   "revoked" if t["revoked_at"] else "active") for t in rows])


def register(root: typer.Typer) -> None:
    root.add_typer(users, name="users")
    root.add_typer(tokens, name="tokens")
