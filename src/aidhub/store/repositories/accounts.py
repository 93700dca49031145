"""Users, their grants, sessions, API tokens and sign-in attempts."""

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, bindparam, func, insert, select, update

from aidhub.store.tables import api_tokens, grants, sessions, sign_in_attempts, users


class AccountRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # users -------------------------------------------------------------------------------
    def add_user(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(users).values(**values))

    def user(self, username: str, *, lock: bool = False) -> Row | None:
        query = select(users).where(func.lower(users.c.username) == username.lower())
        if lock:
            query = query.with_for_update()
        return self.conn.execute(query).one_or_none()

    def user_by_id(self, user_id: uuid.UUID) -> Row | None:
        return self.conn.execute(select(users).where(users.c.id == user_id)).one_or_none()

    def users(self) -> list[Row]:
        return list(self.conn.execute(select(users).order_by(users.c.username)))

    def update_user(self, user_id: uuid.UUID, **values: Any) -> None:
        self.conn.execute(update(users).where(users.c.id == user_id).values(**values))

    # grants ------------------------------------------------------------------------------
    def add_grant(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(grants).values(**values))

    def grants(self, user_ids: list[uuid.UUID]) -> list[Row]:
        if not user_ids:
            return []
        return list(self.conn.execute(select(grants).where(grants.c.user_id.in_(user_ids))
                                      .order_by(grants.c.created_at)))

    def remove_grant(self, grant_id: uuid.UUID) -> None:
        self.conn.execute(grants.delete().where(grants.c.id == grant_id))

    # sessions ----------------------------------------------------------------------------
    def add_session(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(sessions).values(**values))

    def session(self, session_id: str) -> Row | None:
        return self.conn.execute(select(sessions).where(sessions.c.id == session_id)
                                 ).one_or_none()

    def update_session(self, session_id: str, **values: Any) -> None:
        self.conn.execute(update(sessions).where(sessions.c.id == session_id).values(**values))

    def end_sessions(self, user_id: uuid.UUID, at: dt.datetime) -> None:
        self.conn.execute(update(sessions).where(sessions.c.user_id == user_id,
                                                 sessions.c.ended_at.is_(None))
                          .values(ended_at=at))

    # API tokens --------------------------------------------------------------------------
    def add_token(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(api_tokens).values(**values))

    # who holds a session or a token: asked on every request --------------------------
    def session_holder(self, session_id: str) -> list[Row]:
        return list(self.conn.execute(_SESSION_HOLDER, {"secret": session_id}))

    def token_holder(self, token_hash: str) -> list[Row]:
        return list(self.conn.execute(_TOKEN_HOLDER, {"secret": token_hash}))

    def token_by_id(self, token_id: uuid.UUID) -> Row | None:
        return self.conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)
                                 ).one_or_none()

    def tokens(self, user_id: uuid.UUID | None = None) -> list[Row]:
        query = select(api_tokens).order_by(api_tokens.c.created_at)
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        return list(self.conn.execute(query))

    def update_token(self, token_id: uuid.UUID, **values: Any) -> None:
        self.conn.execute(update(api_tokens).where(api_tokens.c.id == token_id)
                          .values(**values))

    # sign-in attempts --------------------------------------------------------------------
    def add_attempt(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(sign_in_attempts).values(**values))

    def failures_since(self, username: str, since: dt.datetime) -> list[dt.datetime]:
        return list(self.conn.scalars(
            select(sign_in_attempts.c.at).where(
                func.lower(sign_in_attempts.c.username) == username.lower(),
                sign_in_attempts.c.ok.is_(False), sign_in_attempts.c.at >= since)))

    def unlocked_at(self, username: str) -> dt.datetime | None:
        """When an admin last lifted the username's lockout (failures before it no longer
        count)."""
        return self.conn.scalar(
            select(sign_in_attempts.c.at).where(
                func.lower(sign_in_attempts.c.username) == username.lower(),
                sign_in_attempts.c.ok.is_(True), sign_in_attempts.c.reason == "unlocked")
            .order_by(sign_in_attempts.c.at.desc()).limit(1))

    def attempts(self, limit: int = 100) -> list[Row]:
        return list(self.conn.execute(select(sign_in_attempts)
                                      .order_by(sign_in_attempts.c.at.desc()).limit(limit)))


def _holder(credential: Table, key: Any) -> Select:
    """The session's or token's row whose ``key`` is the ``secret`` parameter, with its
    user's columns (``holder_*``) and one row per grant of the user (``grant_*``, empty
    when the user has none), oldest grant first: one query where there were three, as
    every request asks it. No row: no such session or token.

    Built once: SQLAlchemy then keeps the statement's cache key with it instead of working
    it out again on every request (half a millisecond)."""
    return (select(credential, users.c.id.label("holder_id"),
                   users.c.username.label("holder_username"),
                   users.c.name.label("holder_name"), users.c.active.label("holder_active"),
                   users.c.language.label("holder_language"),
                   users.c.numerals.label("holder_numerals"),
                   grants.c.role.label("grant_role"),
                   grants.c.organisation_id.label("grant_organisation_id"),
                   grants.c.hub_id.label("grant_hub_id"))
            .join(users, users.c.id == credential.c.user_id)
            .outerjoin(grants, grants.c.user_id == users.c.id)
            .where(key == bindparam("secret")).order_by(grants.c.created_at))


_SESSION_HOLDER = _holder(sessions, sessions.c.id)
_TOKEN_HOLDER = _holder(api_tokens, api_tokens.c.token_hash)
