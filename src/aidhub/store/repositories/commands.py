"""Idempotency: each command's key, the hash of its request, and its result."""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from aidhub.domain.ids import new_id
from aidhub.store.tables import commands


@dataclass(frozen=True, slots=True)
class StoredCommand:
    id: Any
    key: str
    name: str
    request_hash: str
    result: Any


_FIND = select(commands).where(commands.c.key.in_(bindparam("keys", expanding=True)))
_INSERT = insert(commands)


class CommandRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def find(self, keys: Iterable[str]) -> dict[str, StoredCommand]:
        keys = list(set(keys))
        found: dict[str, StoredCommand] = {}
        for start in range(0, len(keys), 500):
            rows = self.conn.execute(_FIND, {"keys": keys[start : start + 500]})
            for r in rows:
                found[r.key] = StoredCommand(r.id, r.key, r.name, r.request_hash,
                                             json.loads(r.result))
        return found

    def add_many(self, entries: list[dict[str, Any]], actor: str, at: dt.datetime) -> None:
        """Record commands: each entry has id, key, name, request_hash and result."""
        if not entries:
            return
        self.conn.execute(
            _INSERT,
            [
                {
                    "id": e.get("id") or new_id(),
                    "key": e["key"],
                    "name": e["name"],
                    "request_hash": e["request_hash"],
                    "result": json.dumps(e["result"], sort_keys=True, default=str),
                    "actor": actor,
                    "at": at,
                }
                for e in entries
            ],
        )
