"""Users and what they may do: accounts with Argon2id passwords, grants of roles, sign-in
with a lockout, sessions, and revocable API tokens with scopes.

Secrets never reach the database or the audit log in clear: passwords are Argon2id
hashes (argon2-cffi, its default RFC 9106 low-memory parameters), and session and token
values are kept as SHA-256 hashes (they are long random strings, so a fast hash is enough:
there is nothing to guess).
"""

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from aidhub.domain.access import (
    EVERYTHING,
    Grant,
    Lockout,
    Permission,
    Principal,
    Role,
    Scope,
    check_grant,
    check_password,
    scope_of,
)
from aidhub.domain.errors import AidhubError, AlreadyExists, InvalidInput, NotFound, Term
from aidhub.domain.ids import new_id
from aidhub.services import reference
from aidhub.services.context import Context, utcnow
from aidhub.services.idempotency import run_command
from aidhub.store.repositories.accounts import AccountRepository
from aidhub.store.uow import UnitOfWork

HASHER = PasswordHasher()
LOCKOUT = Lockout()
SESSION_IDLE = dt.timedelta(hours=8)  # a shift; a session unused for longer ends
SESSION_MAX = dt.timedelta(hours=24)
STAMP_EVERY = dt.timedelta(minutes=1)  # last seen / last used: not a write per request
LANGUAGES = ("en", "ar", "ru")
NUMERALS = ("western", "eastern")
TOKEN_PREFIX = "ahk_"
UNLOCKED = "unlocked"  # the reason of the sign-in record an admin's unlock leaves
# The same work as a real check, for unknown usernames: the answer takes as long.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class SignInRefused(AidhubError):
    """Wrong username or password, a disabled account, or a locked one."""


class NotSignedIn(AidhubError):
    """No valid session or token: expired, ended, revoked or unknown."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _username(raw: str) -> str:
    name = (raw or "").strip().lower()
    if not name or len(name) > 60 or not all(c.isalnum() or c in "._-@" for c in name):
        raise InvalidInput("a username is 1 to 60 letters, digits, '.', '_', '-' or '@'",
                           field="username")
    return name


# accounts ------------------------------------------------------------------------------
def add_user(ctx: Context, username: str, *, name: str, password: str, key: str,
             email: str = "", language: str = "en") -> dict[str, Any]:
    """A new account. The password is checked and hashed; it never leaves this call."""
    login = _username(username)
    if not name.strip():
        raise InvalidInput("give the person's full name", field="name")
    if language not in LANGUAGES:
        raise InvalidInput("language is one of %(languages)s", field="language",
                           languages=", ".join(LANGUAGES))
    check_password(password, login)
    hashed = HASHER.hash(password)
    request = {"username": login, "name": name.strip(), "email": email.strip(),
               "language": language}

    def work(uow: UnitOfWork, now: dt.datetime):
        if uow.accounts.user(login) is not None:
            raise AlreadyExists("there is already a user %(user)s", user=login)
        uow.accounts.add_user({"id": new_id(), "username": login, "name": request["name"],
                               "email": request["email"], "password_hash": hashed,
                               "language": language, "created_at": now,
                               "password_changed_at": now})
        return login, {"username": login}

    return run_command(ctx, key, "user.add", request, work)


def _user(uow: UnitOfWork, username: str, *, lock: bool = False) -> Any:
    row = uow.accounts.user(_username(username), lock=lock)
    if row is None:
        raise NotFound("no user %(user)s; see `aidhub users list`", user=username)
    return row


def grant(ctx: Context, username: str, role: str, organisation: str, *, key: str,
          hub: str | None = None) -> dict[str, Any]:
    """Give a user a role for an organisation (hub roles optionally at one hub only)."""
    the_role = reference.choice(Role, role, "role")
    request = {"username": username, "role": the_role.value, "organisation": organisation,
               "hub": hub}

    def work(uow: UnitOfWork, now: dt.datetime):
        user, org, site, held = _grant_of(uow, username, the_role, organisation, hub)
        check_grant(the_role, site.id if site else None)
        if held:
            if site:
                raise AlreadyExists("%(user)s already is %(role)s for %(organisation)s at "
                                    "%(hub)s", user=user.username, role=Term(the_role),
                                    organisation=org.code, hub=site.code)
            raise AlreadyExists("%(user)s already is %(role)s for %(organisation)s",
                                user=user.username, role=Term(the_role),
                                organisation=org.code)
        uow.accounts.add_grant({"id": new_id(), "user_id": user.id, "role": the_role.value,
                                "organisation_id": org.id,
                                "hub_id": site.id if site else None, "created_at": now,
                                "created_by": ctx.actor})
        return user.username, {"username": user.username, "role": the_role.value,
                               "organisation": org.code, "hub": site.code if site else None}

    return run_command(ctx, key, "user.grant", request, work)


def _grant_of(uow: UnitOfWork, username: str, role: Role, organisation: str,
              hub: str | None) -> tuple[Any, Any, Any, Any]:
    """The user, organisation and hub named, and the grant of ``role`` they hold if any."""
    user = _user(uow, username)
    org = reference.organisation(uow, organisation)
    site = reference.site(uow, hub) if hub else None
    held = next((g for g in uow.accounts.grants([user.id])
                 if (g.role, g.organisation_id, g.hub_id) == (role.value, org.id,
                                                              site.id if site else None)),
                None)
    return user, org, site, held


def revoke_grant(ctx: Context, username: str, role: str, organisation: str, *, key: str,
                 hub: str | None = None) -> dict[str, Any]:
    the_role = reference.choice(Role, role, "role")
    request = {"username": username, "role": the_role.value, "organisation": organisation,
               "hub": hub}

    def work(uow: UnitOfWork, now: dt.datetime):
        user, org, _, held = _grant_of(uow, username, the_role, organisation, hub)
        if held is None:
            raise NotFound("%(user)s is not %(role)s for %(organisation)s",
                           user=user.username, role=Term(the_role), organisation=org.code)
        uow.accounts.remove_grant(held.id)
        return user.username, {"username": user.username, "revoked": the_role.value}

    return run_command(ctx, key, "user.revoke", request, work)


def set_password(ctx: Context, username: str, password: str, *, key: str) -> dict[str, Any]:
    """A new password; every session of the user ends."""
    login = _username(username)
    check_password(password, login)
    hashed = HASHER.hash(password)

    def work(uow: UnitOfWork, now: dt.datetime):
        user = _user(uow, login, lock=True)
        uow.accounts.update_user(user.id, password_hash=hashed, password_changed_at=now,
                                 locked_until=None)
        uow.accounts.end_sessions(user.id, now)
        return user.username, {"username": user.username}

    return run_command(ctx, key, "user.password", {"username": login}, work)


def unlock(ctx: Context, username: str, *, key: str) -> dict[str, Any]:
    """Lift a sign-in lockout without changing the password: the failed sign-ins so far
    stop counting (a record of the unlock, kept with the sign-in attempts, marks where the
    count starts again). Sessions and tokens are untouched. Unlocking an account that is
    not locked only starts the count again."""
    login = _username(username)

    def work(uow: UnitOfWork, now: dt.datetime):
        user = _user(uow, login, lock=True)
        was = user.locked_until if user.locked_until and user.locked_until > now else None
        uow.accounts.update_user(user.id, locked_until=None)
        uow.accounts.add_attempt({"id": new_id(), "username": user.username, "at": now,
                                  "ok": True, "address": "", "reason": UNLOCKED})
        return user.username, {"username": user.username,
                               "was_locked_until": was.isoformat() if was else None}

    return run_command(ctx, key, "user.unlock", {"username": login}, work)


def set_active(ctx: Context, username: str, active: bool, *, key: str) -> dict[str, Any]:
    """Disable (or enable again) an account; disabling ends its sessions. Tokens of a
    disabled user stop working too."""

    def work(uow: UnitOfWork, now: dt.datetime):
        user = _user(uow, username, lock=True)
        uow.accounts.update_user(user.id, active=active)
        if not active:
            uow.accounts.end_sessions(user.id, now)
        return user.username, {"username": user.username, "active": active}

    return run_command(ctx, key, "user.active", {"username": username, "active": active},
                       work)


def set_preferences(ctx: Context, username: str, *, key: str, language: str | None = None,
                    numerals: str | None = None) -> dict[str, Any]:
    """The user's language (en, ar, ru) and, for Arabic, Western or Eastern numerals."""
    if language is not None and language not in LANGUAGES:
        raise InvalidInput("language is one of %(languages)s", field="language",
                           languages=", ".join(LANGUAGES))
    if numerals is not None and numerals not in NUMERALS:
        raise InvalidInput("numerals are %(numerals)s", field="numerals",
                           numerals=" or ".join(NUMERALS))
    request = {"username": username, "language": language, "numerals": numerals}

    def work(uow: UnitOfWork, now: dt.datetime):
        user = _user(uow, username)
        changes = {k: v for k, v in (("language", language), ("numerals", numerals)) if v}
        if changes:
            uow.accounts.update_user(user.id, **changes)
        return user.username, {"username": user.username, **changes}

    return run_command(ctx, key, "user.preferences", request, work)


@dataclass(frozen=True)
class UserView:
    username: str
    name: str
    email: str
    active: bool
    language: str
    numerals: str
    locked_until: dt.datetime | None
    grants: list[dict[str, str | None]]


def list_users(ctx: Context) -> list[UserView]:
    with ctx.uow() as uow:
        rows = uow.accounts.users()
        by_user: dict[uuid.UUID, list[dict[str, str | None]]] = {r.id: [] for r in rows}
        for g in uow.accounts.grants([r.id for r in rows]):
            hub = uow.reference.site_by_id(g.hub_id).code if g.hub_id else None
            by_user[g.user_id].append({
                "role": g.role,
                "organisation": uow.reference.organisation_by_id(g.organisation_id).code,
                "hub": hub})
        return [UserView(r.username, r.name, r.email, r.active, r.language, r.numerals,
                         r.locked_until, by_user[r.id]) for r in rows]


# signing in ----------------------------------------------------------------------------
def _principal(uow: UnitOfWork, user: Any, scopes: frozenset[Permission] | None = None
               ) -> Principal:
    grants = tuple(Grant(Role(g.role), g.organisation_id, g.hub_id)
                   for g in uow.accounts.grants([user.id]))
    return Principal(user.id, user.username, user.name, grants, scopes, user.language,
                     user.numerals)


def _holder(rows: list[Any], scopes: frozenset[Permission] | None = None) -> Principal:
    """The principal of a session's or token's holder (rows of ``session_holder``)."""
    r = rows[0]
    grants = tuple(Grant(Role(g.grant_role), g.grant_organisation_id, g.grant_hub_id)
                   for g in rows if g.grant_role is not None)
    return Principal(r.holder_id, r.holder_username, r.holder_name, grants, scopes,
                     r.holder_language, r.holder_numerals)


def sign_in(ctx: Context, username: str, password: str, *, address: str = ""
            ) -> tuple[str, Principal]:
    """Check the password and start a session: the session's secret (for the cookie) and
    who signed in. Every attempt is logged; too many failures lock the username for a
    while, and the answer never says whether the username exists."""
    login = (username or "").strip().lower()[:60]
    now = utcnow()
    with ctx.uow(write=True) as uow:
        user = uow.accounts.user(login) if login else None
        since = now - LOCKOUT.window
        if user is not None and user.password_changed_at > since:
            since = user.password_changed_at  # a new password starts the count again
        unlocked = uow.accounts.unlocked_at(login) if user is not None else None
        if unlocked is not None and unlocked > since:
            since = unlocked  # so does an admin's unlock
        failures = uow.accounts.failures_since(login, since)
        locked = LOCKOUT.locked_until(failures, now)
        if user is not None and user.locked_until and user.locked_until > now:
            locked = max(locked or user.locked_until, user.locked_until)
        reason = ""
        if locked is not None:
            reason = "locked"
        elif not _verify(user.password_hash if user else None, password):
            reason = "wrong password" if user else "unknown user"
        elif not user.active:
            reason = "disabled"
        uow.accounts.add_attempt({"id": new_id(), "username": login, "at": now,
                                  "ok": not reason, "address": address[:64],
                                  "reason": reason})
        # the audit chain keeps every sign-in and every refusal, with where it came from
        uow.audit.append(now, login or "(none)", "user.sign_in_refused" if reason
                         else "user.sign_in", login or "(none)",
                         {"address": address[:64], "reason": reason})
        uow.audit.flush()
        if reason:
            if reason == "wrong password":
                until = LOCKOUT.locked_until([*failures, now], now)
                if until is not None:
                    uow.accounts.update_user(user.id, locked_until=until)
            uow.commit()
            if reason == "locked":
                minutes = max(1, int((locked - now).total_seconds() // 60) + 1)
                raise SignInRefused("too many failed sign-ins: try again in %(minutes)s "
                                    "minutes, or ask an admin to unlock the account",
                                    minutes=minutes)
            raise SignInRefused("wrong username or password, or the account is disabled")
        if user.password_hash and HASHER.check_needs_rehash(user.password_hash):
            uow.accounts.update_user(user.id, password_hash=HASHER.hash(password))
        secret = secrets.token_urlsafe(32)
        uow.accounts.add_session({"id": _digest(secret), "user_id": user.id,
                                  "created_at": now, "last_seen": now,
                                  "expires_at": now + SESSION_MAX, "address": address[:64]})
        principal = _principal(uow, user)
        uow.commit()
    return secret, principal


def _verify(hashed: str | None, password: str) -> bool:
    try:
        return HASHER.verify(hashed or _DUMMY_HASH, password or "") and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def session(ctx: Context, secret: str | None) -> Principal:
    """Who holds this session; NotSignedIn when it is unknown, ended, or has expired
    (idle for longer than a shift, or older than a day)."""
    if not secret:
        raise NotSignedIn("sign in first")
    now = utcnow()
    with ctx.uow() as uow:  # read only: every request comes here
        rows = uow.accounts.session_holder(_digest(secret))
    row = rows[0] if rows else None
    if row is None or row.ended_at is not None:
        raise NotSignedIn("your session has ended; sign in again")
    expired = row.expires_at <= now or now - row.last_seen > SESSION_IDLE
    principal = None if expired or not row.holder_active else _holder(rows)
    if expired:
        _stamp(ctx, lambda accounts: accounts.update_session(row.id, ended_at=now))
        raise NotSignedIn("your session has expired; sign in again")
    if principal is None:
        raise NotSignedIn("this account is disabled")
    if now - row.last_seen > STAMP_EVERY:
        _stamp(ctx, lambda accounts: accounts.update_session(row.id, last_seen=now))
    return principal


def _stamp(ctx: Context, change: Callable[[AccountRepository], None]) -> None:
    """A short write of a session's or token's times (at most once a minute each)."""
    with ctx.uow(write=True) as uow:
        change(uow.accounts)
        uow.commit()


def sign_out(ctx: Context, secret: str | None) -> None:
    if not secret:
        return
    now = utcnow()
    with ctx.uow(write=True) as uow:
        row = uow.accounts.session(_digest(secret))
        if row is None or row.ended_at is not None:
            return
        uow.accounts.update_session(row.id, ended_at=now)
        user = uow.accounts.user_by_id(row.user_id)
        uow.audit.append(now, user.username, "user.sign_out", user.username, {})
        uow.audit.flush()
        uow.commit()


# API tokens ----------------------------------------------------------------------------
def new_token(ctx: Context, username: str, name: str, *, scopes: list[str], key: str,
              days: int | None = 90) -> dict[str, Any]:
    """A token for scripts: shown once, stored as a hash. Its scopes must be permissions
    the user's roles give."""
    if not name.strip():
        raise InvalidInput("name the token after what uses it", field="name")
    wanted = {reference.choice(Permission, s, "scopes") for s in scopes}
    if not wanted:
        raise InvalidInput("give at least one scope", field="scopes")
    if days is not None and days <= 0:
        raise InvalidInput("a token lasts at least one day", field="days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    request = {"username": username, "name": name.strip(),
               "scopes": sorted(s.value for s in wanted), "days": days,
               "token": _digest(secret)}

    def work(uow: UnitOfWork, now: dt.datetime):
        user = _user(uow, username)
        allowed = _principal(uow, user).permissions()
        beyond = sorted(s.value for s in wanted - allowed)
        if beyond:
            raise InvalidInput("%(user)s's roles do not give %(scopes)s", field="scopes",
                               user=user.username, scopes=", ".join(beyond))
        token_id = new_id()
        uow.accounts.add_token({
            "id": token_id, "user_id": user.id, "name": request["name"],
            "prefix": secret[:12], "token_hash": request["token"],
            "scopes": " ".join(request["scopes"]), "created_at": now,
            "expires_at": now + dt.timedelta(days=days) if days else None})
        return str(token_id), {"id": str(token_id), "prefix": secret[:12],
                               "scopes": request["scopes"]}

    result = run_command(ctx, key, "token.new", request, work)
    return {**result, "token": secret}


def revoke_token(ctx: Context, token_id: str, *, key: str) -> dict[str, Any]:
    try:
        tid = uuid.UUID(str(token_id).strip())
    except ValueError:
        raise InvalidInput("'%(token)s' is not a token id (see `aidhub tokens list`)",
                           field="id", token=token_id) from None

    def work(uow: UnitOfWork, now: dt.datetime):
        row = uow.accounts.token_by_id(tid)
        if row is None:
            raise NotFound("no token %(token)s", token=token_id)
        if row.revoked_at is None:
            uow.accounts.update_token(tid, revoked_at=now)
        return str(tid), {"id": str(tid), "revoked": True}

    return run_command(ctx, key, "token.revoke", {"id": str(tid)}, work)


def token(ctx: Context, secret: str | None) -> Principal:
    """Who a bearer token acts for, limited to its scopes; NotSignedIn when it is unknown,
    revoked, expired, or its user is disabled."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        raise NotSignedIn("give an API token (Authorization: Bearer ahk_...)")
    now = utcnow()
    with ctx.uow() as uow:  # read only: every API call comes here
        rows = uow.accounts.token_holder(_digest(secret))
    row = rows[0] if rows else None
    if row is None or row.revoked_at is not None:
        raise NotSignedIn("this API token is unknown or was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise NotSignedIn("this API token has expired; ask for a new one")
    if not row.holder_active:
        raise NotSignedIn("the account of this API token is disabled")
    principal = _holder(rows, frozenset(Permission(s) for s in row.scopes.split()))
    if row.last_used is None or now - row.last_used > STAMP_EVERY:
        _stamp(ctx, lambda accounts: accounts.update_token(row.id, last_used=now))
    return principal


def tokens(ctx: Context, username: str | None = None) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        user_id = _user(uow, username).id if username else None
        names = {u.id: u.username for u in uow.accounts.users()}
        return [{"id": str(t.id), "user": names[t.user_id], "name": t.name,
                 "prefix": t.prefix, "scopes": t.scopes.split(), "created_at": t.created_at,
                 "expires_at": t.expires_at, "revoked_at": t.revoked_at,
                 "last_used": t.last_used} for t in uow.accounts.tokens(user_id)]


def scope(ctx: Context, principal: Principal) -> Scope:
    """What ``principal`` may see (its hubs resolved from who operates each)."""
    if principal.sees_everything:
        return EVERYTHING  # admins and coordinators: no need to ask who operates what
    with ctx.uow() as uow:
        operators = {s.id: s.operator_id for s in uow.reference.sites()}
    return scope_of(principal, operators)
