"""Writing checked movements: stock check under lock, numbering, audit, balances.

:mod:`aidhub.services.movements` turns requests into :class:`Draft` movements; this module
writes a list of drafts in the caller's transaction.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aidhub.domain.errors import AidhubError
from aidhub.domain.ids import new_id
from aidhub.domain.ledger import (
    Movement,
    MovementKind,
    Posting,
    StockKey,
    apply_postings,
    net_changes,
)
from aidhub.domain.sites import Location
from aidhub.services.idempotency import ensure_same, request_hash
from aidhub.store.repositories.ledger import posting_values
from aidhub.store.uow import UnitOfWork


@dataclass(frozen=True)
class PostedMovement:
    """What posting returned: the movement's id and sequence number; ``replayed`` is True
    when the key had been used before and nothing new was written."""

    id: uuid.UUID
    seq: int
    kind: str
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"id": str(self.id), "seq": self.seq, "kind": self.kind}


@dataclass
class Draft:
    key: str
    digest: str
    kind: MovementKind
    at: dt.datetime
    postings: tuple[Posting, ...]
    reference: str = ""
    note: str = ""
    reverses: uuid.UUID | None = None
    result: PostedMovement | None = field(default=None)



def replayed(result: dict[str, Any]) -> PostedMovement:
    return PostedMovement(uuid.UUID(result["id"]), result["seq"], result["kind"], replayed=True)



def at_movement(exc: AidhubError, n: int, total: int) -> AidhubError:
    """The error, saying which movement of a batch it is about."""
    if total == 1:
        return exc
    return _around(exc, AidhubError("movement %(movement)s: %(error)s", movement=n, error=exc))


def at_line(exc: AidhubError, n: int) -> AidhubError:
    """The error, saying which line of a movement it is about."""
    return _around(exc, AidhubError("line %(line)s: %(error)s", line=n, error=exc))


def _around(inner: AidhubError, message: AidhubError) -> AidhubError:
    """``message`` (which holds ``inner`` as a value) as an error of ``inner``'s class,
    so that callers and the API still see the same kind of error."""
    try:
        return type(inner)(message.template, **message.values)
    except TypeError:  # a class with arguments of its own
        return message


def post_for_document(uow: UnitOfWork, kind: MovementKind, postings: Sequence[Posting], *,
                      document: tuple[str, str], key: str, now: dt.datetime, actor: str,
                      note: str, at: dt.datetime | None = None) -> uuid.UUID:
    """Post a movement a command makes for a document (a consignment, a pick list, a
    waybill...): ``document`` is (what, number), the number is the movement's reference
    and, with the key, what a retry is recognised by."""
    what, number = document
    digest = request_hash("movement.post", {what: number, "key": key})
    draft = Draft(key, digest, kind, at or now, tuple(postings), reference=number, note=note)
    return write_drafts(uow, [draft], actor, now)[0].id


def write_drafts(uow: UnitOfWork, drafts: Sequence[Draft], actor: str,
            now: dt.datetime) -> list[PostedMovement]:
    """Check stock, number and write the new movements, their audit records and balances."""
    fresh: list[Draft] = []
    by_key: dict[str, Draft] = {}
    for d in drafts:
        if d.result is not None:
            continue
        twin = by_key.get(d.key)
        if twin is not None:  # the same key twice in one batch: a retry within the batch
            ensure_same(d.key, "movement.post", twin.digest, "movement.post", d.digest)
            continue
        by_key[d.key] = d
        fresh.append(d)
    if fresh:
        _write(uow, fresh, actor, now)
    return [d.result or by_key[d.key].result for d in drafts]


def _write(uow: UnitOfWork, drafts: list[Draft], actor: str, now: dt.datetime) -> None:
    location_ids = {p.key.location_id for d in drafts for p in d.postings}
    locations = uow.reference.locations_by_id(location_ids)
    physical = {i: locations[i].physical for i in location_ids}
    decremented = {p.key for d in drafts for p in d.postings
                   if p.quantity < 0 and physical[p.key.location_id]}
    running = uow.ledger.lock_balances(decremented)
    describe = _describer(uow, locations)
    for n, d in enumerate(drafts, start=1):
        try:
            running.update(apply_postings(running, d.postings, physical.__getitem__, describe))
        except AidhubError as exc:
            raise at_movement(exc, n, len(drafts)) from None
    node = uow.audit.lock_node()
    movements: list[Movement] = []
    command_ids: list[uuid.UUID] = []
    commands: list[dict[str, Any]] = []
    for d in drafts:
        node.movement_seq += 1
        movement = Movement(new_id(), d.kind, d.at, actor, d.postings, d.note, d.reverses,
                            node.id, node.movement_seq, d.reference, now)
        d.result = PostedMovement(movement.id, movement.seq, d.kind.value)
        command_id = new_id()
        movements.append(movement)
        command_ids.append(command_id)
        commands.append({"id": command_id, "key": d.key, "name": "movement.post",
                         "request_hash": d.digest, "result": d.result.as_json()})
        uow.audit.append(now, actor, f"movement.{d.kind.value}", str(movement.id),
                         movement_payload(movement))
    uow.commands.add_many(commands, actor, now)
    uow.ledger.add_movements(movements, command_ids)
    changes = net_changes(p for d in drafts for p in d.postings)
    uow.ledger.add_to_balances(changes, physical)
    uow.audit.flush()


def movement_payload(movement: Movement) -> dict[str, Any]:
    """What the audit record of a movement holds: enough to check the stored postings."""
    return {
        "id": str(movement.id),
        "seq": movement.seq,
        "kind": movement.kind.value,
        "at": movement.at.isoformat(),
        "reference": movement.reference,
        "note": movement.note,
        "reverses": str(movement.reverses) if movement.reverses else None,
        "postings": [posting_tuple(p) for p in movement.postings],
    }


def posting_tuple(p: Posting) -> list[Any]:
    k = p.key
    return posting_values(k.location_id, k.item_id, k.lot_id, k.owner_id, p.quantity,
                          k.earmark)


def _describer(uow: UnitOfWork, locations: dict[uuid.UUID, Location]):
    def describe(key: StockKey) -> str:
        site = uow.reference.site_by_id(locations[key.location_id].site_id)
        item = uow.reference.item_by_id(key.item_id)
        lot = uow.reference.lot_by_id(key.lot_id)
        what = item.code if item else "the item"
        if lot is not None and lot.batch:
            what += f" lot {lot.batch}"
        return f"{site.code if site else '?'}/{locations[key.location_id].code} ({what})"

    return describe
