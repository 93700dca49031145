"""Posting movements: receipts, transfers, dispatches, adjustments, disposals, reversals.

All movements go through :func:`post_movements`, one or many in one transaction (all or
nothing). Each carries an idempotency key: a retry with the same key and the same request
returns the first result and writes nothing.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aidhub.domain.catalog import Item
from aidhub.domain.errors import (
    AidhubError,
    InsufficientStock,
    InvalidInput,
    LedgerError,
    NotFound,
)
from aidhub.domain.ledger import (
    Movement,
    MovementKind,
    MovementLine,
    check_balanced,
    check_line,
    postings_of,
    reversing_postings,
)
from aidhub.domain.sites import Location, Site, SiteKind
from aidhub.domain.values import parse_date, parse_quantity
from aidhub.services import reference
from aidhub.services.context import Context, utcnow
from aidhub.services.idempotency import check_key, ensure_same, request_hash
from aidhub.services.lots import lot_for
from aidhub.services.posting import (
    Draft,
    PostedMovement,
    at_line,
    at_movement,
    replayed,
    write_drafts,
)
from aidhub.store.repositories.commands import StoredCommand
from aidhub.store.repositories.ledger import StockFilter
from aidhub.store.uow import UnitOfWork

CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class LineRequest:
    """One line as a user gives it: codes and text, not yet checked.

    ``source`` and ``destination`` are ``SITE/LOCATION`` codes. ``batch`` may be left out
    where the source holds one lot of the item; ``owner`` where it holds stock of one owner
    (or, for receipts, where the receiving site has an operator). Those defaults look at the
    stock as it was before the call: in a batch where one movement fills a bin and the next
    takes from it, give the batch and owner.
    """

    item: str
    quantity: Any
    source: str
    destination: str
    batch: str | None = None
    expiry: Any = None
    owner: str | None = None


@dataclass(frozen=True)
class MovementRequest:
    kind: MovementKind | str
    lines: Sequence[LineRequest]
    key: str
    at: dt.datetime | None = None
    reference: str = ""
    note: str = ""


def post_movement(ctx: Context, request: MovementRequest) -> PostedMovement:
    return post_movements(ctx, [request])[0]


def post_movements(ctx: Context, requests: Sequence[MovementRequest]) -> list[PostedMovement]:
    """Post movements in one transaction: all are written, or none."""
    now = utcnow()
    with ctx.uow(write=True) as uow:
        known = uow.commands.find(r.key for r in requests)
        drafts: list[Draft] = []
        for n, request in enumerate(requests, start=1):
            try:
                drafts.append(_draft(uow, request, now, known))
            except AidhubError as exc:
                raise at_movement(exc, n, len(requests)) from None
        results = write_drafts(uow, drafts, ctx.actor, now)
        uow.commit()
    return results


def reverse_movement(ctx: Context, movement: str, *, key: str, reason: str) -> PostedMovement:
    """Post the exact opposite of an earlier movement (by id or sequence number)."""
    if not reason.strip():
        raise InvalidInput("say why the movement is reversed", field="reason")
    key = check_key(key)
    now = utcnow()
    with ctx.uow(write=True) as uow:
        original = _find_movement(uow, movement)
        digest = request_hash("movement.reverse", {"movement": str(original.id),
                                                   "reason": reason.strip()})
        stored = uow.commands.find([key]).get(key)
        if stored is not None:
            ensure_same(key, stored.name, stored.request_hash, "movement.post", digest)
            return replayed(stored.result)
        if uow.ledger.reversal_of(original.id) is not None:
            raise LedgerError("movement %(seq)s has already been reversed", seq=original.seq)
        draft = Draft(key, digest, MovementKind.REVERSAL, now, reversing_postings(original),
                       reference=original.reference, note=reason.strip(),
                       reverses=original.id)
        result = write_drafts(uow, [draft], ctx.actor, now)[0]
        uow.commit()
    return result


def _find_movement(uow: UnitOfWork, ref: str) -> Movement:
    ref = str(ref).strip()
    found = None
    if ref.isdigit():
        found = uow.ledger.movement_by_seq(int(ref))
    else:
        try:
            found = uow.ledger.movement(uuid.UUID(ref))
        except ValueError:
            raise InvalidInput("'%(movement)s' is not a movement number or id",
                               field="movement", movement=ref) from None
    if found is None:
        raise NotFound("no movement %(movement)s; see `aidhub movements`", movement=ref)
    return found



# turning a request into postings -------------------------------------------------------
def _request_data(request: MovementRequest, kind: MovementKind) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "at": request.at.isoformat() if request.at else None,
        "reference": request.reference,
        "note": request.note,
        "lines": [
            {"item": ln.item, "quantity": str(ln.quantity), "source": ln.source,
             "destination": ln.destination, "batch": ln.batch,
             "expiry": str(ln.expiry) if ln.expiry is not None else None, "owner": ln.owner}
            for ln in request.lines
        ],
    }


def _draft(uow: UnitOfWork, request: MovementRequest, now: dt.datetime,
           known: dict[str, StoredCommand]) -> Draft:
    key = check_key(request.key)
    try:
        kind = MovementKind(str(request.kind).lower())
    except ValueError:
        raise InvalidInput("'%(kind)s' is not a kind of movement", field="kind",
                           kind=request.kind) from None
    if kind is MovementKind.REVERSAL:
        raise InvalidInput("reverse a movement with `aidhub reverse`", field="kind")
    digest = request_hash("movement.post", _request_data(request, kind))
    at = request.at or now
    if at.tzinfo is None:
        raise InvalidInput("give the time with its time zone", field="at")
    if at > now + CLOCK_SKEW:
        raise InvalidInput("%(at)s is in the future", field="at",
                           at=at.strftime("%Y-%m-%d %H:%M"))
    if not request.lines:
        raise InvalidInput("a movement needs at least one line", field="lines")
    if len(request.reference) > 100:
        raise InvalidInput("a reference has at most 100 characters", field="reference")
    draft = Draft(key, digest, kind, at, (), request.reference, request.note)
    stored = known.get(key)
    if stored is not None:
        ensure_same(key, stored.name, stored.request_hash, "movement.post", digest)
        draft.result = replayed(stored.result)
        return draft
    lines = []
    for n, line in enumerate(request.lines, start=1):
        try:
            lines.append(_line(uow, kind, line))
        except AidhubError as exc:
            if len(request.lines) == 1:
                raise
            raise at_line(exc, n) from None
    draft.postings = postings_of(lines)
    check_balanced(draft.postings)
    return draft


def _location(uow: UnitOfWork, ref: str, field: str) -> Location:
    text = str(ref or "").strip()
    if "/" not in text:
        raise InvalidInput("'%(location)s' should be SITE/LOCATION, like DAM-HUB/A-01",
                           field=field, location=ref)
    site_code, loc_code = text.split("/", 1)
    return reference.location(uow, reference.site(uow, site_code), loc_code, field)


def _line(uow: UnitOfWork, kind: MovementKind, line: LineRequest) -> MovementLine:
    item = reference.item(uow, line.item)
    quantity = parse_quantity(line.quantity)
    source = _location(uow, line.source, "from")
    destination = _location(uow, line.destination, "to")
    expiry = parse_date(line.expiry, "expiry") if line.expiry not in (None, "") else None
    inbound = kind is MovementKind.RECEIPT or (kind is MovementKind.ADJUSTMENT
                                               and not source.physical)
    owner_code = line.owner
    batch = line.batch
    if not inbound and (owner_code is None or batch is None):
        batch, owner_code = _only_holding(uow, item, source, batch, owner_code)
    if owner_code is None:
        site = _site_of(uow, destination if inbound else source)
        if site.operator_id is None:
            raise InvalidInput("say who owns the goods (site %(site)s has no operator)",
                               field="owner", site=site.code)
        owner_id = site.operator_id
    else:
        owner_id = reference.organisation(uow, owner_code).id
    lot = lot_for(uow, item, batch, expiry, create=inbound)
    moved = MovementLine(item.id, lot.id, owner_id, quantity, source, destination)
    check_line(kind, moved)
    if kind is MovementKind.DISPATCH:
        _check_direct_dispatch(uow, source, destination)
    return moved


def _check_direct_dispatch(uow: UnitOfWork, source: Location, destination: Location) -> None:
    """Goods for a distribution point run by another organisation than the hub's go out
    on a release order and a waybill (`aidhub pick`, `aidhub waybills`), never by a bare
    dispatch: the point's organisation has to have asked, and the driver has to be
    screened."""
    point, hub = _site_of(uow, destination), _site_of(uow, source)
    if (point.kind is SiteKind.DISTRIBUTION_POINT and point.operator_id is not None
            and point.operator_id != hub.operator_id):
        raise InvalidInput("%(point)s is run by another organisation than %(hub)s: "
                           "send goods there on a release order and a waybill, not by a "
                           "direct dispatch", field="to", point=point.code, hub=hub.code)


def _site_of(uow: UnitOfWork, loc: Location) -> Site:
    found = uow.reference.site_by_id(loc.site_id)
    assert found is not None  # a location's site always exists (foreign key)
    return found


def _only_holding(uow: UnitOfWork, item: Item, source: Location, batch: str | None,
                  owner: str | None) -> tuple[str | None, str | None]:
    """Fill in the batch and owner when the source holds only one of them."""
    rows = uow.ledger.stock(StockFilter(location_id=source.id, item_id=item.id))
    if batch is not None:
        rows = [r for r in rows if r.batch == batch.strip()]
    if owner is not None:
        rows = [r for r in rows if r.owner == owner.strip().upper()]
    if not rows:
        place = f"{_site_of(uow, source).code}/{source.code}"
        if batch:
            raise InsufficientStock("not enough stock: %(place)s holds no %(item)s lot %(batch)s",
                                    place=place, item=item.code, batch=batch)
        raise InsufficientStock("not enough stock: %(place)s holds no %(item)s",
                                place=place, item=item.code)
    batches = {r.batch for r in rows}
    owners = {r.owner for r in rows}
    if batch is None:
        if len(batches) > 1:
            raise InvalidInput(
                "%(location)s holds %(item)s in %(count)s lots (%(lots)s); say which",
                field="lot", location=source.code, item=item.code, count=len(batches),
                lots=", ".join(sorted(b or "no batch" for b in batches)),
            )
        batch = batches.pop()
    if owner is None:
        if len(owners) > 1:
            raise InvalidInput(
                "%(location)s holds %(item)s for %(count)s owners (%(owners)s); say whose",
                field="owner", location=source.code, item=item.code, count=len(owners),
                owners=", ".join(sorted(owners)),
            )
        owner = owners.pop()
    return batch, owner
