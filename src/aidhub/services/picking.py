"""Pick lists: taking an accepted release order off the shelves, first expired first out.

A pick list proposes, for every open line of the release order, the bins and lots to take
from (see :mod:`aidhub.domain.picking`) and keeps every lot passed over with the reason.
Confirming a pick moves the goods from the bin to the hub's staging area; scanning the
pallet's SSCC confirms it at once. Picking another lot or bin than proposed needs a
reason, and so does picking a lot that is on hold or too short-dated. A picked quantity is
no longer reserved: it waits in staging, where plans never count it, to be loaded.
"""

import datetime as dt
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from aidhub.documents.gs1 import parse_scan
from aidhub.domain.errors import (
    AidhubError,
    InsufficientStock,
    InvalidInput,
    NotFound,
    Several,
    Term,
)
from aidhub.domain.ids import new_id
from aidhub.domain.ledger import MovementKind, Posting, StockKey
from aidhub.domain.picking import Holding, plan_picks, usable_until
from aidhub.domain.release_orders import ReleaseState
from aidhub.domain.sites import LocationKind
from aidhub.services import release_orders
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.services.planning import DEFAULT_MIN_SHELF_LIFE_DAYS, lot_label
from aidhub.services.posting import post_for_document
from aidhub.store.uow import UnitOfWork

PICK_OPEN, PICK_DONE = "open", "done"


def staging(uow: UnitOfWork, hub_id: uuid.UUID) -> Any:
    """The hub's staging area (a location of kind staging)."""
    for loc in uow.reference.locations(hub_id):
        if loc.kind is LocationKind.STAGING:
            return loc
    hub = uow.reference.site_by_id(hub_id)
    raise InvalidInput("hub %(hub)s has no staging area for picked goods; add one with "
                       "`aidhub locations add %(hub)s STAGE --kind staging`",
                       field="hub", hub=hub.code)


def _lead_days(uow: UnitOfWork, hub_id: uuid.UUID, point_id: uuid.UUID) -> int:
    route = uow.planning.route(hub_id, point_id)
    return route.lead_days if route else 0


def _holdings(rows_of_item: list[Any], hub_id: uuid.UUID, reserved: dict, own: dict,
              taken: dict) -> list[Holding]:
    """The item's stock at the hub, each location with what is free for this line: on
    hand less what is promised to others (per lot and owner) and less what earlier lines
    of the same pick list take, spread over the locations."""
    rows = [SimpleNamespace(**{**r._asdict(), "quantity": r.quantity - taken.get(
        (r.location_id, r.lot_id, r.owner_id), 0)}) for r in rows_of_item]
    free: dict[tuple, int] = defaultdict(int)
    for r in rows:
        if LocationKind(r.kind) in (LocationKind.BIN, LocationKind.ZONE):
            free[(r.lot_id, r.owner_id)] += r.quantity
    for (lot, owner), q in list(free.items()):
        free[(lot, owner)] = q - reserved.get((hub_id, lot, owner), 0) + own.get((lot, owner),
                                                                                  0)
    out = []
    for r in sorted(rows, key=lambda r: r.code):
        kind = LocationKind(r.kind)
        share = 0
        if kind in (LocationKind.BIN, LocationKind.ZONE):
            share = max(min(free[(r.lot_id, r.owner_id)], r.quantity), 0)
            free[(r.lot_id, r.owner_id)] -= share
        out.append(Holding(r.location_id, r.code, kind, r.lot_id, r.batch, r.expiry,
                           r.owner_id, r.quantity, share))
    return out


def generate(ctx: Context, order_number: str, *, key: str, ship_date: dt.date | None = None,
             min_shelf_life_days: int | None = None) -> dict[str, Any]:
    """A pick list for what an accepted release order still has to pick."""
    shelf = DEFAULT_MIN_SHELF_LIFE_DAYS if min_shelf_life_days is None else min_shelf_life_days
    request = {"order": order_number.strip().upper(),
               "ship_date": ship_date and ship_date.isoformat(), "min_shelf_life": shelf}

    def work(uow: UnitOfWork, now: dt.datetime):
        order = release_orders.order(uow, request["order"], lock=True)
        if ReleaseState(order.state) is not ReleaseState.ACCEPTED:
            raise InvalidInput("release order %(order)s is %(state)s; pick lists are made "
                               "from accepted release orders", field="order",
                               order=order.number, state=Term(order.state))
        for pl in uow.outbound.pick_lists_of(order.id):
            if pl.state == PICK_OPEN:
                raise InvalidInput("pick list %(pick_list)s for %(order)s is still open: "
                                   "finish or cancel it first", field="order",
                                   pick_list=pl.number, order=order.number)
        day = ship_date or now.date()
        held = uow.planning.held_lots()
        reserved = uow.planning.reserved([order.hub_id])
        promised: dict[uuid.UUID, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
        for r in uow.planning.reservations_of(order.id):
            promised[r.release_order_line_id][(r.lot_id, r.owner_id)] += r.quantity
        lead = {r.point_id: r.lead_days for r in uow.planning.routes()
                if r.hub_id == order.hub_id}
        stock_of: dict[uuid.UUID, list] = {}
        list_id, lines, skipped = new_id(), [], []
        taken: dict[tuple, int] = defaultdict(int)
        for ln in uow.planning.release_order_lines(order.id):
            wanted = ln.quantity - ln.picked
            if wanted <= 0 or ln.closed:
                continue
            own = promised[ln.id]
            if ln.item_id not in stock_of:
                stock_of[ln.item_id] = uow.outbound.holdings(order.hub_id, ln.item_id,
                                                             lock=True)
            plan = plan_picks(wanted, _holdings(stock_of[ln.item_id], order.hub_id, reserved,
                                                own, taken),
                              ship_date=day, lead_days=lead.get(ln.point_id, 0),
                              min_shelf_days=shelf, held=held, preferred_lot=ln.lot_id)
            for p in plan.picks:
                taken[(p.location_id, p.lot_id, p.owner_id)] += p.quantity
                # what the line takes of its own promise is no longer promised to it
                spent = min(p.quantity, own.get((p.lot_id, p.owner_id), 0))
                own[(p.lot_id, p.owner_id)] -= spent
                reserved[(order.hub_id, p.lot_id, p.owner_id)] = reserved.get(
                    (order.hub_id, p.lot_id, p.owner_id), 0) - spent
                lines.append({"id": new_id(), "pick_list_id": list_id,
                              "line_no": len(lines) + 1, "release_order_line_id": ln.id,
                              "location_id": p.location_id, "lot_id": p.lot_id,
                              "owner_id": p.owner_id, "quantity": p.quantity})
            code = uow.reference.item_by_id(ln.item_id).code
            skipped += [{"release_line": ln.line_no, "item": code, "location": s.location_code,
                         "batch": lot_label(s.batch), "expiry": s.expiry and
                         s.expiry.isoformat(), "quantity": s.quantity, "reason": s.reason}
                        for s in plan.skipped]
            if plan.short:
                skipped.append({"release_line": ln.line_no, "item": code, "location": "",
                                "batch": "",
                                "expiry": None, "quantity": plan.short,
                                "reason": f"nothing left to pick: {plan.short:,} short"})
        if not lines and not skipped:
            raise InvalidInput("nothing can be picked for %(order)s: every line is picked",
                               field="order", order=order.number)
        if not lines:
            reasons = "; ".join(f"{s['batch']} {s['reason']}" for s in skipped[:5])
            raise InvalidInput("nothing can be picked for %(order)s: %(reasons)s",
                               field="order", order=order.number, reasons=reasons)
        hub = uow.reference.site_by_id(order.hub_id)
        number = (f"PL-{hub.code}-{now.year}-"
                  f"{uow.inbound.next_number(f'pick:{hub.code}:{now.year}'):05d}")
        uow.outbound.add_pick_list(
            {"id": list_id, "number": number, "release_order_id": order.id,
             "hub_id": order.hub_id, "state": PICK_OPEN, "ship_date": day,
             "skipped": json.dumps(skipped, ensure_ascii=False), "created_at": now,
             "created_by": ctx.actor}, lines)
        return number, {"pick_list": number, "lines": len(lines), "skipped": len(skipped)}

    return run_command(ctx, key, "pick_list.generate", request, work)


def confirm(ctx: Context, number: str, line_no: int, *, key: str, quantity: int | None = None,
            sscc: str | None = None, location: str | None = None, batch: str | None = None,
            reason: str = "") -> dict[str, Any]:
    """Confirm a pick: the goods go from their bin to staging. Give the SSCC scanned, or
    the quantity; another bin or lot than proposed needs a reason."""
    code = None
    if sscc:
        code = parse_scan(sscc).sscc
        if code is None:
            raise InvalidInput("that scan is not a pallet label (no SSCC in it)", field="sscc")
    request = {"pick_list": number.strip().upper(), "line": line_no, "quantity": quantity,
               "sscc": code, "location": location, "batch": batch, "reason": reason.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        pl = uow.outbound.pick_list(request["pick_list"], lock=True)
        if pl is None:
            raise NotFound("no pick list %(pick_list)s", pick_list=number)
        if pl.state != PICK_OPEN:
            raise InvalidInput("pick list %(pick_list)s is %(state)s", field="pick_list",
                               pick_list=pl.number, state=Term(pl.state))
        line = uow.outbound.pick_line_by_no(pl.id, line_no)
        if line is None:
            raise NotFound("pick list %(pick_list)s has no line %(line)s",
                           pick_list=pl.number, line=line_no)
        ro_line = uow.outbound.release_line(line.release_order_line_id, lock=True)
        item = uow.reference.item_by_id(ro_line.item_id)
        loc_id, lot_id, unit = line.location_id, line.lot_id, None
        if code:
            unit = uow.inbound.unit_with_line(code)
            if unit is None:
                raise NotFound("no pallet with SSCC %(sscc)s", sscc=code)
            loc_id, lot_id = unit[0].location_id, unit[2].lot_id
            if unit[2].item_id != ro_line.item_id:
                raise InvalidInput("pallet %(sscc)s holds another item, not %(item)s",
                                   field="sscc", sscc=code, item=item.code)
        if location:
            found = uow.reference.location(pl.hub_id, location.strip().upper())
            if found is None:
                raise NotFound("no location %(location)s at this hub", location=location)
            loc_id = found.id
        if batch is not None:
            found_lot = uow.reference.lot(item.id, batch.strip())
            if found_lot is None:
                raise NotFound("%(item)s has no lot %(batch)s", item=item.code, batch=batch)
            lot_id = found_lot.id
        lot = uow.reference.lot_by_id(lot_id)
        _check_choice(uow, pl, line, loc_id, lot, request["reason"], ro_line)
        owner = unit[2].owner_id if unit else _owner_at(uow, pl.hub_id, item, loc_id, lot,
                                                         line.owner_id)
        left = line.quantity - line.picked
        qty = quantity if quantity is not None else (
            min(unit[0].quantity, left) if unit else left)
        if qty <= 0:
            raise InvalidInput("the quantity picked must be above zero", field="quantity")
        if line.picked + qty > line.quantity:
            asked, picked, most = f"{line.quantity:,}", f"{line.picked:,}", f"{left:,}"
            raise InvalidInput("line %(line)s asks for %(asked)s; %(picked)s already picked, "
                               "so at most %(most)s more", field="quantity", line=line_no,
                               asked=asked, picked=picked, most=most)
        stage = staging(uow, pl.hub_id)
        key_from = StockKey(loc_id, item.id, lot_id, owner)
        key_to = StockKey(stage.id, item.id, lot_id, owner)
        movement = post_for_document(
            uow, MovementKind.TRANSFER, (Posting(key_from, -qty), Posting(key_to, qty)),
            document=("pick", pl.number), key=f"{key}:pick", now=now, actor=ctx.actor,
            note=f"pick line {line_no}")
        uow.outbound.update_pick_line(line.id, picked=line.picked + qty, picked_at=now,
                                      picked_by=ctx.actor, location_id=loc_id, lot_id=lot_id,
                                      owner_id=owner,
                                      override_reason=request["reason"],
                                      sscc=code or line.sscc, movement_id=movement)
        uow.outbound.add_to_release_line(ro_line.id, picked=qty)
        uow.planning.consume_reservations(ro_line.id, qty)
        if unit and unit[0].quantity <= qty:
            uow.inbound.move_unit(unit[0].id, stage.id, now)
        done = uow.outbound.lines_left_to_pick(pl.id) == 0
        if done:
            uow.outbound.update_pick_list(pl.id, state=PICK_DONE)
        return pl.number, {"pick_list": pl.number, "line": line_no, "picked": qty,
                           "done": done, "movement": str(movement)}

    return run_command(ctx, key, "pick.confirm", request, work)


def _owner_at(uow: UnitOfWork, hub_id: uuid.UUID, item: Any, loc_id: uuid.UUID, lot: Any,
              preferred: uuid.UUID) -> uuid.UUID:
    """Whose goods are taken from a bin: the proposed owner's if it has that lot there,
    else the largest holding's."""
    there = {r.owner_id: r.quantity for r in uow.outbound.holdings(hub_id, item.id)
             if r.location_id == loc_id and r.lot_id == lot.id}
    if not there:
        loc = uow.reference.locations_by_id([loc_id])[loc_id]
        raise InsufficientStock("not enough stock: %(location)s holds no %(item)s lot "
                                "%(lot)s", location=loc.code, item=item.code,
                                lot=lot_label(lot.batch))
    if preferred in there:
        return preferred
    return max(there, key=lambda o: (there[o], str(o)))


def _check_choice(uow: UnitOfWork, pl: Any, line: Any, loc_id: uuid.UUID, lot: Any,
                  reason: str, ro_line: Any) -> None:
    """Another bin or lot than proposed, or a lot on hold or short-dated, needs a reason."""
    problems = []
    if loc_id != line.location_id or lot.id != line.lot_id:
        problems.append(AidhubError("it is not the bin and lot the pick list proposes"))
    held = uow.planning.held_lots([lot.id])
    if lot.id in held:
        problems.append(AidhubError("lot %(lot)s is on hold (%(reason)s)",
                                    lot=lot_label(lot.batch), reason=held[lot.id]))
    needed = usable_until(pl.ship_date, _lead_days(uow, pl.hub_id, ro_line.point_id),
                          DEFAULT_MIN_SHELF_LIFE_DAYS)
    if lot.expiry is not None and lot.expiry < needed:
        problems.append(AidhubError("lot %(lot)s expires %(expiry)s, before %(needed)s",
                                    lot=lot_label(lot.batch), expiry=lot.expiry.isoformat(),
                                    needed=needed.isoformat()))
    if problems and not reason:
        raise InvalidInput("%(problems)s: give the reason for picking it anyway (it is "
                           "kept)", field="reason", problems=Several(problems))


# reading -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PickLineView:
    line_no: int
    release_line: int
    location: str
    item: str
    item_name: str
    unit: str
    batch: str
    expiry: dt.date | None
    quantity: int
    picked: int
    point: str
    sscc: str
    override_reason: str


@dataclass(frozen=True)
class PickListView:
    number: str
    release_order: str
    hub: str
    state: str
    ship_date: dt.date
    created_at: dt.datetime
    created_by: str
    lines: list[PickLineView] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def view(ctx: Context, number: str) -> PickListView:
    with ctx.uow() as uow:
        pl = uow.outbound.pick_list(number.strip().upper())
        if pl is None:
            raise NotFound("no pick list %(pick_list)s", pick_list=number)
        order = uow.planning.release_order_by_id(pl.release_order_id)
        ro_lines = {x.id: x for x in uow.planning.release_order_lines(order.id)}
        lines = []
        for x in uow.outbound.pick_lines(pl.id):
            ro = ro_lines[x.release_order_line_id]
            item = uow.reference.item_by_id(ro.item_id)
            lot = uow.reference.lot_by_id(x.lot_id)
            loc = uow.reference.locations_by_id([x.location_id])[x.location_id]
            lines.append(PickLineView(x.line_no, ro.line_no, loc.code, item.code, item.name_en,
                                      item.unit, lot_label(lot.batch), lot.expiry, x.quantity,
                                      x.picked, uow.reference.site_by_id(ro.point_id).code,
                                      x.sscc, x.override_reason))
        return PickListView(pl.number, order.number, uow.reference.site_by_id(pl.hub_id).code,
                            pl.state, pl.ship_date, pl.created_at, pl.created_by, lines,
                            json.loads(pl.skipped))

