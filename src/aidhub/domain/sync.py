"""The sync protocol's rules, free of storage and transport: how a batch of a node's
changes is hashed, chained and signed, and how the central server judges one it receives.

A site node sends its outbox in numbered batches of consecutive entries. Each batch names
the hash of the batch before it, so the central server sees at once when a batch is
missing or was altered, and a batch sent twice (its answer lost on a bad link) is
recognised by its number and hash and applied once. The signature is an HMAC of the
hash with a key only the node and the central server know (the SHA-256 of the node's
token: the central server keeps that, never the token).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from aidhub.domain.errors import AidhubError

GENESIS = "0" * 64
BATCH_ENTRIES = 500  # fixed, so that a batch rebuilt after a cut is the same batch


class SyncError(AidhubError):
    """A batch the central server cannot take; ``expected`` is the batch it wants next.
    ``expected`` is not a value of the message: the message names its own (``batch``...)."""

    def __init__(self, message: str, /, *, expected: int | None = None, **values: Any):
        super().__init__(message, **values)
        self.expected = expected


def key_of(token: str) -> str:
    """The signing key both sides hold: the SHA-256 of the node's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def batch_hash(node: str, batch_no: int, prev_hash: str, entries: list[dict[str, Any]]) -> str:
    body = json.dumps({"node": node, "batch_no": batch_no, "prev_hash": prev_hash,
                       "entries": entries}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def sign(key: str, digest: str) -> str:
    return hmac.new(key.encode(), digest.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Batch:
    node: str
    batch_no: int
    prev_hash: str
    entries: list[dict[str, Any]]
    hash: str
    signature: str

    @classmethod
    def make(cls, node: str, batch_no: int, prev_hash: str, entries: list[dict[str, Any]],
             key: str) -> "Batch":
        digest = batch_hash(node, batch_no, prev_hash, entries)
        return cls(node, batch_no, prev_hash, entries, digest, sign(key, digest))

    def as_json(self) -> dict[str, Any]:
        return {"node": self.node, "batch_no": self.batch_no, "prev_hash": self.prev_hash,
                "entries": self.entries, "hash": self.hash, "signature": self.signature}


@dataclass(frozen=True)
class Verdict:
    """What to do with a batch: apply it, or acknowledge it again without applying."""

    apply: bool


def judge(batch: Batch, *, key: str, received: int, head_hash: str,
          stored_hash: str | None) -> Verdict:
    """``received`` is how many batches of this node were applied, ``head_hash`` the last
    one's hash, ``stored_hash`` the hash recorded for ``batch.batch_no`` if it was."""
    digest = batch_hash(batch.node, batch.batch_no, batch.prev_hash, batch.entries)
    if digest != batch.hash or not hmac.compare_digest(sign(key, digest), batch.signature):
        raise SyncError("batch %(batch)s does not match its hash or signature: it "
                        "was altered on the way, or signed with another node's key",
                        expected=received + 1, batch=batch.batch_no)
    if batch.batch_no <= received:
        if stored_hash == batch.hash:
            return Verdict(apply=False)
        raise SyncError("batch %(batch)s was received before with other contents",
                        expected=received + 1, batch=batch.batch_no)
    if batch.batch_no > received + 1:
        raise SyncError("batch %(batch)s arrived but batch %(missing)s is "
                        "missing; send from there", expected=received + 1,
                        batch=batch.batch_no, missing=received + 1)
    if batch.prev_hash != head_hash:
        raise SyncError("batch %(batch)s does not follow the last batch received "
                        "(its chain is broken)", expected=received + 1, batch=batch.batch_no)
    seqs = [e["seq"] for e in batch.entries]
    if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
        raise SyncError("batch %(batch)s's entries are out of order",
                        expected=received + 1, batch=batch.batch_no)
    return Verdict(apply=True)
