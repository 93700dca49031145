"""The tamper-evident audit chain.

Each record holds the SHA-256 of its own content and of the previous record's hash, so
changing, removing or inserting any record breaks every hash after it. Records are kept
per node: each site node numbers its records 1, 2, 3... and chains them.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def format_time(at: dt.datetime) -> str:
    """UTC time as text with microseconds, the form hashed into the chain."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    payload: str  # canonical JSON
    prev_hash: str
    hash: str

    def content(self) -> str:
        """What the hash covers: every field but the hash, as a JSON array in a fixed
        order (the payload is already canonical JSON text)."""
        return json.dumps([self.seq, self.at, self.actor, self.action, self.subject,
                           self.payload, self.prev_hash], ensure_ascii=False,
                          separators=(",", ":"))


def compute_hash(seq: int, at: str, actor: str, action: str, subject: str, payload: str,
                 prev_hash: str) -> str:
    record = AuditRecord(seq, at, actor, action, subject, payload, prev_hash, "")
    return hashlib.sha256(record.content().encode()).hexdigest()


def make_record(prev_seq: int, prev_hash: str, at: dt.datetime, actor: str, action: str,
                subject: str, payload: Any) -> AuditRecord:
    """The record that follows (prev_seq, prev_hash) in the chain."""
    text = canonical_json(payload)
    when = format_time(at)
    seq = prev_seq + 1
    return AuditRecord(seq, when, actor, action, subject, text, prev_hash,
                       compute_hash(seq, when, actor, action, subject, text, prev_hash))


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(records: Iterable[AuditRecord]) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return how many records were checked and the first break."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for rec in records:
        if rec.seq != expected_seq:
            return checked, ChainBreak(
                expected_seq, f"record {expected_seq} is missing (next found is {rec.seq})"
            )
        if rec.prev_hash != expected_prev:
            return checked, ChainBreak(
                rec.seq, "its previous-hash does not match the record before it"
            )
        actual = compute_hash(rec.seq, rec.at, rec.actor, rec.action, rec.subject, rec.payload,
                              rec.prev_hash)
        if actual != rec.hash:
            return checked, ChainBreak(rec.seq, "its content does not match its hash (edited)")
        expected_prev, expected_seq = rec.hash, rec.seq + 1
        checked += 1
    return checked, None
