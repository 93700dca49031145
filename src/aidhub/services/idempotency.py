"""Idempotency keys: a retried command returns its first result and changes nothing."""

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from aidhub.domain.audit import canonical_json
from aidhub.domain.errors import IdempotencyConflict, InvalidInput
from aidhub.services.context import Context, utcnow
from aidhub.store.uow import UnitOfWork

Work = Callable[[UnitOfWork, dt.datetime], tuple[str, Any]]



def request_hash(name: str, request: Any) -> str:
    return hashlib.sha256(canonical_json({"command": name, "request": request}).encode()
                          ).hexdigest()


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > 200:
        raise InvalidInput("give an idempotency key of 1 to 200 characters", field="key")
    return key


def replay(uow: UnitOfWork, key: str, name: str, request_digest: str) -> Any | None:
    """The stored result if this key already ran with the same request; None if it never
    ran; IdempotencyConflict if it ran with a different request."""
    stored = uow.commands.find([key]).get(key)
    if stored is None:
        return None
    ensure_same(key, stored.name, stored.request_hash, name, request_digest)
    return stored.result


def ensure_same(key: str, stored_name: str, stored_hash: str, name: str, digest: str) -> None:
    if stored_name != name or stored_hash != digest:
        raise IdempotencyConflict(
            "the idempotency key '%(key)s' was already used for a different request "
            "(%(command)s); use a new key for a new request", key=key, command=stored_name
        )


def run_command(ctx: Context, key: str, name: str, request: dict[str, Any], work: Work) -> Any:
    """Run ``work(uow, now)`` once per idempotency key, in one transaction: record the command
    and its result, append its audit record, commit. ``work`` returns (subject, result);
    the result must be JSON-ready. A retry with the same key returns the stored result."""
    key = check_key(key)
    digest = request_hash(name, request)
    now = utcnow()
    with ctx.uow(write=True) as uow:
        previous = replay(uow, key, name, digest)
        if previous is not None:
            return previous
        subject, result = work(uow, now)
        uow.commands.add_many(
            [{"key": key, "name": name, "request_hash": digest, "result": result}],
            ctx.actor, now,
        )
        uow.audit.append(now, ctx.actor, name, subject, request)
        uow.audit.flush()
        uow.commit()
    return result
