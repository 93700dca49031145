"""Identifiers that stay unique when several site nodes create records offline.

Records get UUIDv7 ids (RFC 9562): 48 bits of Unix time in milliseconds, then random
bits. They sort by creation time, which keeps database indexes compact, and two nodes
that never talk to each other will not produce the same id. Within one process ids are
strictly increasing (a counter fills the sub-millisecond bits), so records created in
one transaction keep their order.
"""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> uuid.UUID:
    """A new UUIDv7, strictly greater than the previous one made by this process."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms = ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x7FF  # leave room to count up
        else:
            _counter += 1
            if _counter > 0xFFF:  # 4096 ids in one millisecond: borrow the next one
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        rand_a = _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= rand_a << 64
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand_b
    return uuid.UUID(int=value)


def id_time_ms(value: uuid.UUID) -> int:
    """The Unix time in milliseconds encoded in a UUIDv7."""
    return value.int >> 80


NAMES = uuid.UUID("0194a7c2-6a1e-7c3b-9f5d-2b8e4a6c1d00")


def natural_id(kind: str, *parts: object) -> uuid.UUID:
    """The id of a record that is what its natural key says (a lot is an item's batch; the
    party of an organisation is that organisation): the same wherever it is first made,
    so two site nodes that make it offline make the same record, and their copies merge
    instead of clashing (RFC 9562 name-based, version 5)."""
    return uuid.uuid5(NAMES, "/".join([kind, *(str(p) for p in parts)]))


def lot_id(item_id: uuid.UUID, batch: str) -> uuid.UUID:
    return natural_id("lot", item_id, batch)
