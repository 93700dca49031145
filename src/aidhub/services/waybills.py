"""Loads and waybills: picked goods onto vehicles, one waybill per vehicle, dispatch and
tracking.

aidhub proposes how to split what was picked for each distribution point across the
vehicles at hand (:mod:`aidhub.domain.loads`); the dispatcher issues a waybill per vehicle
with the lines it carries, checked against its kg and m³. The driver, the transporter and
the receiving organisation are screened when the waybill is issued and again at dispatch:
nothing is carried by, or dispatched to, a party on hold, and nothing ships from a lot on
hold. Dispatch posts the goods from staging to the destination's IN-TRANSIT location.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from aidhub.domain.access import EVERYTHING, Scope, sees_organisation_things
from aidhub.domain.errors import InvalidInput, NotFound, Term
from aidhub.domain.ids import new_id
from aidhub.domain.ledger import MovementKind, Posting, StockKey
from aidhub.domain.loads import Cargo, Load, Vehicle, check_load, check_vehicle, split
from aidhub.domain.release_orders import ReleaseState
from aidhub.domain.values import parse_code
from aidhub.domain.waybills import TrackingEvent, WaybillState, check_event, transition
from aidhub.services import release_orders, screening, transfers
from aidhub.services.context import Context, utcnow
from aidhub.services.idempotency import run_command
from aidhub.services.picking import staging
from aidhub.services.planning import lot_label
from aidhub.services.posting import post_for_document
from aidhub.services.reference import choice, organisation
from aidhub.store.uow import UnitOfWork

LOADABLE = frozenset({ReleaseState.ACCEPTED, ReleaseState.RELEASED})


@dataclass(frozen=True)
class LoadLine:
    """Units of a pick line to put on a vehicle."""

    pick_line_id: uuid.UUID
    quantity: int


def _to_load(uow: UnitOfWork, order: Any, point_id: uuid.UUID | None = None
             ) -> dict[uuid.UUID, list[tuple[Any, Any, int]]]:
    """Picked goods not yet on a waybill, per destination: (pick line, release line, units);
    of the release line, only its id, point and item are read."""
    out: dict[uuid.UUID, list] = defaultdict(list)
    for x in uow.outbound.waiting_to_load(order.id, point_id):
        ro = SimpleNamespace(id=x.release_order_line_id, point_id=x.ro_point,
                             item_id=x.ro_item)
        out[ro.point_id].append((x, ro, x.picked - x.loaded))
    return out


@dataclass(frozen=True)
class ProposedLoad:
    destination: str
    plate: str
    kg: Decimal
    m3: Decimal
    lines: list[dict[str, Any]]


def propose(ctx: Context, order_number: str, vehicles: list[Vehicle]
            ) -> tuple[list[ProposedLoad], list[dict[str, Any]]]:
    """How the picked goods of a release order could go on ``vehicles`` (each vehicle to
    one destination, the heaviest destinations first); and what would be left."""
    for v in vehicles:
        check_vehicle(v)
    with ctx.uow() as uow:
        order = release_orders.order(uow, order_number)
        waiting = _to_load(uow, order)
        free = list(vehicles)
        proposals, left_over = [], []
        weights = {}
        for point_id, rows in waiting.items():
            weights[point_id] = sum(uow.reference.item_by_id(ro.item_id).weight_kg * q
                                    for _, ro, q in rows)
        for point_id in sorted(waiting, key=lambda p: -weights[p]):
            rows = waiting[point_id]
            point = uow.reference.site_by_id(point_id)
            cargo, about = [], {}
            for x, ro, q in rows:
                item = uow.reference.item_by_id(ro.item_id)
                cargo.append(Cargo(str(x.id), q, item.weight_kg, item.volume_m3))
                about[str(x.id)] = (item, uow.reference.lot_by_id(x.lot_id))
            loads, left = split(cargo, free)
            for load in loads:
                free.remove(load.vehicle)
                proposals.append(_proposal(point.code, load, about))
            left_over += [{"destination": point.code, "pick_line": k, "item": about[k][0].code,
                           "quantity": q} for k, q in left.items()]
        return proposals, left_over


def _proposal(point: str, load: Load, about: dict) -> ProposedLoad:
    lines = [{"pick_line": k, "item": about[k][0].code, "batch": lot_label(about[k][1].batch),
              "quantity": q} for k, q in load.lines.items()]
    return ProposedLoad(point, load.vehicle.plate, load.kg, load.m3, lines)


def issue(ctx: Context, order_number: str, point: str, *, key: str, vehicle: Vehicle,
          driver: str, transporter: str, seals: list[str] = (),
          lines: list[LoadLine] | None = None, convoy: str | None = None) -> dict[str, Any]:
    """Issue the waybill for one vehicle to one distribution point. Without ``lines`` it
    carries everything picked for the point and not yet loaded (and must fit)."""
    check_vehicle(vehicle)
    if not driver.strip():
        raise InvalidInput("give the driver's name: the driver is screened", field="driver")
    request = {"order": order_number.strip().upper(), "point": parse_code(point, "point"),
               "plate": vehicle.plate.strip().upper(), "kg": str(vehicle.capacity_kg),
               "m3": str(vehicle.capacity_m3), "driver": driver.strip(),
               "transporter": parse_code(transporter, "transporter"),
               "seals": [s.strip() for s in seals if s.strip()],
               "convoy": convoy.strip().upper() if convoy and convoy.strip() else None,
               "lines": None if lines is None else [[str(x.pick_line_id), x.quantity]
                                                    for x in lines]}

    def work(uow: UnitOfWork, now: dt.datetime):
        # locked: vehicles loaded from the same order at once take each picked unit once
        order = release_orders.order(uow, request["order"], lock=True)
        if ReleaseState(order.state) not in LOADABLE:
            raise InvalidInput("release order %(order)s is %(state)s; waybills are issued for "
                               "accepted or released orders", field="order",
                               order=order.number, state=Term(order.state))
        dest = uow.reference.site(request["point"])
        if dest is None:
            raise NotFound("no site %(code)s", code=request["point"])
        waiting = {x.id: (x, ro, q) for x, ro, q in _to_load(uow, order, dest.id)[dest.id]}
        if not waiting:
            raise InvalidInput("nothing picked for %(point)s is waiting to be loaded from "
                               "%(order)s: release orders go to their points only",
                               field="point", point=dest.code, order=order.number)
        chosen = ([(x, ro, q) for x, ro, q in waiting.values()] if lines is None else
                  _chosen(waiting, lines))
        load = Load(Vehicle(request["plate"], vehicle.capacity_kg, vehicle.capacity_m3))
        rows = []
        for x, ro, q in chosen:
            item = uow.reference.item_by_id(ro.item_id)
            load.add(Cargo(str(x.id), q, item.weight_kg, item.volume_m3), q)
            rows.append((x, ro, q))
        check_load(load)
        consignees = uow.planning.organisations_served([ro.id for _, ro, _ in rows]) or (
            [dest.operator_id] if dest.operator_id else [])
        transporter_org = organisation(uow, request["transporter"])
        parties, holds = screening.holds_on_parties(
            uow, people=[request["driver"]], organisations=[transporter_org.id, *consignees],
            actor=ctx.actor, now=now)
        if holds:
            raise InvalidInput("cannot issue the waybill, a party is on hold: %(holds)s",
                               field="parties", holds="; ".join(holds))
        convoy_id = None
        if request["convoy"]:
            found = uow.outbound.convoy(request["convoy"])
            if found is None:
                raise NotFound("no convoy %(convoy)s", convoy=convoy)
            convoy_id = found.id
        hub = uow.reference.site_by_id(order.hub_id)
        number = (f"WB-{hub.code}-{now.year}-"
                  f"{uow.inbound.next_number(f'waybill:{hub.code}:{now.year}'):05d}")
        waybill_id = new_id()
        stage = staging(uow, order.hub_id).id
        lines_out = [{"id": new_id(), "waybill_id": waybill_id, "line_no": n,
                      "pick_line_id": x.id, "release_order_line_id": ro.id,
                      "item_id": ro.item_id, "lot_id": x.lot_id, "owner_id": x.owner_id,
                      "from_location_id": stage, "quantity": q, "sscc": x.sscc}
                     for n, (x, ro, q) in enumerate(rows, start=1)]
        uow.outbound.add_waybill({
            "id": waybill_id, "number": number, "hub_id": order.hub_id,
            "destination_id": dest.id, "consignee_id": consignees[0] if consignees else None,
            "state": WaybillState.ISSUED.value, "plate": request["plate"],
            "capacity_kg": vehicle.capacity_kg, "capacity_m3": vehicle.capacity_m3,
            "driver_party_id": parties[0].id, "transporter_party_id": parties[1].id,
            "seals": ", ".join(request["seals"]), "convoy_id": convoy_id,
            "issued_at": now, "issued_by": ctx.actor}, lines_out)
        for x, _, q in rows:
            uow.outbound.update_pick_line(x.id, loaded=x.loaded + q)
        return number, {"waybill": number, "lines": len(lines_out),
                        "kg": str(load.kg), "m3": str(load.m3)}

    return run_command(ctx, key, "waybill.issue", request, work)


def _chosen(waiting: dict, lines: list[LoadLine]) -> list[tuple[Any, Any, int]]:
    if not lines:
        raise InvalidInput("give the lines the vehicle carries (or none, to load everything "
                           "waiting for the point)", field="lines")
    seen: set = set()
    out = []
    for n, ln in enumerate(lines, start=1):
        where = f"lines[{n}]"
        if ln.pick_line_id in seen:
            raise InvalidInput("line %(line)s: that pick line is given twice; give its units "
                               "once", field=where, line=n)
        seen.add(ln.pick_line_id)
        found = waiting.get(ln.pick_line_id)
        if found is None:
            raise InvalidInput("line %(line)s: that pick line has nothing waiting to be loaded "
                               "for this point", field=where, line=n)
        x, ro, q = found
        if not 0 < ln.quantity <= q:
            asked, left = f"{ln.quantity:,}", f"{q:,}"
            raise InvalidInput("line %(line)s: %(asked)s asked, %(waiting)s waiting to be "
                               "loaded", field=where + ".quantity", line=n, asked=asked,
                               waiting=left)
        out.append((x, ro, ln.quantity))
    return out


def waybill(uow: UnitOfWork, number: str, *, lock: bool = False) -> Any:
    """The waybill with this number, or NotFound."""
    row = uow.outbound.waybill(number.strip().upper(), lock=lock)
    if row is None:
        raise NotFound("no waybill %(waybill)s: check the number on the paper", waybill=number)
    return row


def dispatch(ctx: Context, number: str, *, key: str) -> dict[str, Any]:
    """The vehicle leaves: the goods go from staging to the destination's IN-TRANSIT."""
    request = {"number": number.strip().upper()}

    def work(uow: UnitOfWork, now: dt.datetime):
        wb = waybill(uow, request["number"], lock=True)
        target = transition(wb.number, WaybillState(wb.state), WaybillState.DISPATCHED)
        lines = uow.outbound.waybill_lines(wb.id)
        held = uow.planning.held_lots()
        on_hold = [f"lot {lot_label(uow.reference.lot_by_id(x.lot_id).batch)}: "
                   f"{held[x.lot_id]}" for x in lines if x.lot_id in held]
        people = [uow.screening.party(wb.driver_party_id).name]
        orgs = [o for o in (uow.screening.party(wb.transporter_party_id).organisation_id,
                            wb.consignee_id) if o]
        _, holds = screening.holds_on_parties(uow, people=people, organisations=orgs,
                                              actor=ctx.actor, now=now)
        if on_hold or holds:
            raise InvalidInput("waybill %(waybill)s cannot leave: %(holds)s", field="waybill",
                               waybill=wb.number, holds="; ".join(on_hold + holds))
        transit = uow.reference.location(wb.destination_id, "IN-TRANSIT")
        postings = []
        for x in lines:
            postings += [Posting(StockKey(x.from_location_id, x.item_id, x.lot_id,
                                          x.owner_id), -x.quantity),
                         Posting(StockKey(transit.id, x.item_id, x.lot_id, x.owner_id),
                                 x.quantity)]
        movement = post_for_document(uow, MovementKind.DISPATCH, postings,
                                     document=("waybill", wb.number), key=f"{key}:dispatch",
                                     now=now, actor=ctx.actor, note=f"waybill {wb.number}")
        for x in lines:
            uow.outbound.add_to_release_line(x.release_order_line_id, dispatched=x.quantity)
        uow.outbound.update_waybill(wb.id, state=target.value, dispatched_at=now,
                                    dispatch_movement_id=movement)
        consignment = None
        if transfers.is_transfer(uow, wb.destination_id):
            consignment = transfers.consign(uow, wb, lines, movement, now, ctx.actor)
        uow.outbound.add_event({"id": new_id(), "waybill_id": wb.id, "at": now,
                                "recorded_at": now, "actor": ctx.actor,
                                "event": TrackingEvent.DEPARTED.value, "place": "",
                                "note": "dispatched"})
        return wb.number, {"waybill": wb.number, "state": target.value,
                           "movement": str(movement), "consignment": consignment}

    return run_command(ctx, key, "waybill.dispatch", request, work)


def track(ctx: Context, number: str, event: str, *, key: str, place: str = "",
          at: dt.datetime | None = None, note: str = "") -> dict[str, Any]:
    """Record where a vehicle is: departed, at_checkpoint, delayed, arrived."""
    kind = choice(TrackingEvent, event, "event")
    at = check_time(at, "at")
    request = {"number": number.strip().upper(), "event": kind.value, "place": place.strip(),
               "at": at.isoformat() if at else None, "note": note.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        wb = waybill(uow, request["number"], lock=True)
        target = check_event(wb.number, WaybillState(wb.state), kind, place)
        _not_before_dispatch(wb, at, "at")
        if target is not None:
            uow.outbound.update_waybill(wb.id, state=target.value)
        uow.outbound.add_event({"id": new_id(), "waybill_id": wb.id, "at": at or now,
                                "recorded_at": now, "actor": ctx.actor, "event": kind.value,
                                "place": request["place"], "note": request["note"]})
        return wb.number, {"waybill": wb.number, "event": kind.value,
                           "state": (target or WaybillState(wb.state)).value}

    return run_command(ctx, key, "waybill.track", request, work)


def cancel(ctx: Context, number: str, *, key: str, reason: str) -> dict[str, Any]:
    """Cancel a waybill before dispatch; its number is kept, its goods wait to be loaded."""
    request = {"number": number.strip().upper(), "reason": reason.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        wb = waybill(uow, request["number"], lock=True)
        target = transition(wb.number, WaybillState(wb.state), WaybillState.CANCELLED, reason)
        lines = uow.outbound.waybill_lines(wb.id)
        if lines:  # its order locked, as issuing does: no update of the pick lines is lost
            ro_line = uow.outbound.release_line(lines[0].release_order_line_id)
            release_orders.order(uow, uow.planning.release_order_by_id(
                ro_line.release_order_id).number, lock=True)
        for x in lines:
            pick = uow.outbound.pick_line(x.pick_line_id)
            uow.outbound.update_pick_line(pick.id, loaded=pick.loaded - x.quantity)
        uow.outbound.update_waybill(wb.id, state=target.value, reason=request["reason"])
        return wb.number, {"waybill": wb.number, "state": target.value}

    return run_command(ctx, key, "waybill.cancel", request, work)


def check_time(at: dt.datetime | None, field: str) -> dt.datetime | None:
    """A reported time: one without a zone is taken as UTC; none may be in the future."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    if at > utcnow() + dt.timedelta(minutes=5):
        raise InvalidInput("%(time)s is in the future; give the time it happened",
                           field=field, time=at.isoformat())
    return at


def _not_before_dispatch(wb: Any, at: dt.datetime | None, field: str) -> None:
    if at is not None and wb.dispatched_at is not None and at < wb.dispatched_at:
        raise InvalidInput("%(time)s is before waybill %(waybill)s was dispatched "
                           "(%(dispatched)s)", field=field, time=at.isoformat(),
                           waybill=wb.number, dispatched=wb.dispatched_at.isoformat())


# reading -------------------------------------------------------------------------------
@dataclass(frozen=True)
class WaybillLineView:
    line_no: int
    item: str
    item_name: str
    name_ar: str | None
    unit: str
    batch: str
    expiry: dt.date | None
    quantity: int
    sscc: str
    weight_kg: Decimal
    volume_m3: Decimal
    release_order: str


@dataclass(frozen=True)
class WaybillView:
    number: str
    state: str
    hub: str
    hub_name: str
    destination: str
    destination_name: str
    destination_pcode: str | None
    consignee: str | None
    plate: str
    capacity_kg: Decimal
    capacity_m3: Decimal
    driver: str
    transporter: str
    seals: str
    convoy: str | None
    issued_at: dt.datetime
    issued_by: str
    dispatched_at: dt.datetime | None
    reason: str
    lines: list[WaybillLineView] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    pod: dict[str, Any] | None = None  # the proof of delivery, once recorded
    loss_report: str | None = None
    consignment: str | None = None  # to a hub: the consignment it became there

    @property
    def weight_kg(self) -> Decimal:
        return sum((ln.weight_kg for ln in self.lines), Decimal(0))


def view(ctx: Context, number: str, scope: Scope = EVERYTHING) -> WaybillView:
    """One waybill; partners see those to their organisation's points, and another's
    answers as if it did not exist."""
    with ctx.uow() as uow:
        wb = waybill(uow, number)
        dest_operator = uow.reference.site_by_id(wb.destination_id).operator_id
        if not sees_organisation_things(scope, {wb.consignee_id, dest_operator}):
            raise NotFound("no waybill %(waybill)s: check the number on the paper",
                           waybill=number)
        hub = uow.reference.site_by_id(wb.hub_id)
        dest = uow.reference.site_by_id(wb.destination_id)
        orders: dict[uuid.UUID, str] = {}
        lines = []
        for x in uow.outbound.waybill_lines(wb.id):
            item = uow.reference.item_by_id(x.item_id)
            lot = uow.reference.lot_by_id(x.lot_id)
            ro_line = uow.outbound.release_line(x.release_order_line_id)
            if ro_line.release_order_id not in orders:
                orders[ro_line.release_order_id] = uow.planning.release_order_by_id(
                    ro_line.release_order_id).number
            lines.append(WaybillLineView(
                x.line_no, item.code, item.name_en, item.name_ar, item.unit,
                lot_label(lot.batch), lot.expiry, x.quantity, x.sscc,
                item.weight_kg * x.quantity, item.volume_m3 * x.quantity,
                orders[ro_line.release_order_id]))
        consignee = (uow.reference.organisation_by_id(wb.consignee_id).code
                     if wb.consignee_id else None)
        convoy = uow.outbound.convoy_by_id(wb.convoy_id).number if wb.convoy_id else None
        events = [{"at": e.at, "event": e.event, "place": e.place, "note": e.note,
                   "actor": e.actor} for e in uow.outbound.events(wb.id)]
        pod_row = uow.outbound.pod_of(wb.id)
        pod = None if pod_row is None else {
            "received_at": pod_row.received_at, "signer": pod_row.signer,
            "seal_state": pod_row.seal_state, "recorded_by": pod_row.recorded_by,
            "photo": bool(pod_row.photo),
            "lines": [{"line": x.line_no, "good": x.good, "damaged": x.damaged,
                       "short": x.short, "lost": x.lost}
                      for x in uow.outbound.pod_lines(pod_row.id)]}
        report = uow.outbound.loss_report_of(wb.id)
        return WaybillView(
            wb.number, wb.state, hub.code, hub.name, dest.code, dest.name, dest.pcode,
            consignee, wb.plate, wb.capacity_kg, wb.capacity_m3,
            uow.screening.party(wb.driver_party_id).name,
            uow.screening.party(wb.transporter_party_id).name, wb.seals, convoy,
            wb.issued_at, wb.issued_by, wb.dispatched_at, wb.reason, lines, events, pod,
            report.number if report else None,
            uow.inbound.consignment_by_id(wb.consignment_id).number if wb.consignment_id
            else None)


# convoys and the board -----------------------------------------------------------------
def _hub_in_scope(uow: UnitOfWork, code: str, scope: Scope) -> Any:
    """The hub a convoy leaves from; one outside ``scope`` is as unknown as one that does
    not exist."""
    site = uow.reference.site(code)
    if site is None or not _sees_hub(scope, site.id):
        raise InvalidInput("no hub %(code)s among yours: check the code", field="hub",
                           code=code)
    return site


def _sees_hub(scope: Scope, hub_id: uuid.UUID) -> bool:
    return scope.everything or hub_id in (scope.hub_ids or ())


def create_convoy(ctx: Context, hub: str, *, key: str, route: str = "", checkpoints: str = "",
                  notification: str = "", scope: Scope = EVERYTHING) -> dict[str, Any]:
    """A convoy: several vehicles that travel together, with their route, checkpoints and
    the escort or humanitarian notification reference cross-line convoys need. Its
    vehicles join it when their waybills are issued."""
    request = {"hub": parse_code(hub, "hub"), "route": route.strip(),
               "checkpoints": checkpoints.strip(), "notification": notification.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        site = _hub_in_scope(uow, request["hub"], scope)
        number = _add_convoy(ctx, uow, site, request, now)
        return number, {"convoy": number}

    return run_command(ctx, key, "convoy.create", request, work)


def _add_convoy(ctx: Context, uow: UnitOfWork, site: Any, request: dict[str, Any],
                now: dt.datetime, convoy_id: uuid.UUID | None = None) -> str:
    number = (f"CV-{site.code}-{now.year}-"
              f"{uow.inbound.next_number(f'convoy:{site.code}:{now.year}'):04d}")
    uow.outbound.add_convoy({"id": convoy_id or new_id(), "number": number,
                             "hub_id": site.id, "route": request["route"],
                             "checkpoints": request["checkpoints"],
                             "notification": request["notification"],
                             "created_at": now, "created_by": ctx.actor})
    return number


def form_convoy(ctx: Context, hub: str | None, waybill_numbers: list[str], *, key: str,
                route: str = "", checkpoints: str = "", notification: str = "",
                scope: Scope = EVERYTHING) -> dict[str, Any]:
    """A convoy made of waybills ready to go: issued at ``hub`` (when not named, the hub
    the waybills leave from), not yet dispatched and in no other convoy. All or nothing.
    A waybill, or a hub, outside ``scope`` is treated as unknown."""
    numbers = sorted({n.strip().upper() for n in waybill_numbers if n and n.strip()})
    if not numbers:
        raise InvalidInput("choose the waybills (vehicles) that travel together",
                           field="waybills")
    request = {"hub": parse_code(hub, "hub") if hub and hub.strip() else None,
               "waybills": numbers, "route": route.strip(),
               "checkpoints": checkpoints.strip(), "notification": notification.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        site = (_hub_in_scope(uow, request["hub"], scope) if request["hub"] else None)
        rows = []
        for n in numbers:
            wb = uow.outbound.waybill(n, lock=True)
            if wb is None or not _sees_hub(scope, wb.hub_id):
                raise InvalidInput("no waybill %(waybill)s: check the number on the paper",
                                   field="waybills", waybill=n)
            rows.append(wb)
        if site is None:
            site = uow.reference.site_by_id(rows[0].hub_id)
        for wb in rows:
            if wb.hub_id != site.id:
                raise InvalidInput("waybill %(waybill)s leaves from another hub, not %(hub)s",
                                   field="waybills", waybill=wb.number, hub=site.code)
            if wb.state != WaybillState.ISSUED.value:
                raise InvalidInput("waybill %(waybill)s is %(state)s; a convoy is formed "
                                   "before its vehicles are dispatched", field="waybills",
                                   waybill=wb.number, state=Term(wb.state))
            if wb.convoy_id is not None:
                raise InvalidInput("waybill %(waybill)s already travels in convoy %(convoy)s",
                                   field="waybills", waybill=wb.number,
                                   convoy=uow.outbound.convoy_by_id(wb.convoy_id).number)
        convoy_id = new_id()
        number = _add_convoy(ctx, uow, site, request, now, convoy_id)
        for wb in rows:
            uow.outbound.update_waybill(wb.id, convoy_id=convoy_id)
        return number, {"convoy": number, "waybills": numbers}

    return run_command(ctx, key, "convoy.form", request, work)


@dataclass(frozen=True)
class ConvoyView:
    number: str
    hub: str
    route: str
    checkpoints: str
    notification: str
    created_at: dt.datetime
    created_by: str
    vehicles: list[dict[str, Any]] = field(default_factory=list)


def _convoy_view(uow: UnitOfWork, c: Any) -> ConvoyView:
    vehicles = [{"waybill": wb.number, "state": wb.state, "plate": wb.plate,
                 "driver": uow.screening.party(wb.driver_party_id).name,
                 "destination": uow.reference.site_by_id(wb.destination_id).code}
                for wb in uow.outbound.waybills(convoy_id=c.id)]
    return ConvoyView(c.number, uow.reference.site_by_id(c.hub_id).code, c.route,
                      c.checkpoints, c.notification, c.created_at, c.created_by, vehicles)


def convoys(ctx: Context, *, hub: str | None = None, scope: Scope = EVERYTHING
            ) -> list[ConvoyView]:
    """Every convoy (of the hubs in ``scope``), newest first, with its vehicles: waybill,
    state, plate, driver and destination."""
    with ctx.uow() as uow:
        hub_id = None
        if hub:
            found = uow.reference.site(parse_code(hub, "hub"))
            if found is None:
                raise NotFound("no site %(code)s", code=hub)
            hub_id = found.id
        return [_convoy_view(uow, c) for c in uow.outbound.convoys(hub_id)
                if _sees_hub(scope, c.hub_id)]


def convoy(ctx: Context, number: str, scope: Scope = EVERYTHING) -> ConvoyView:
    """One convoy with its vehicles; one of a hub outside ``scope`` answers as if it did
    not exist."""
    with ctx.uow() as uow:
        c = uow.outbound.convoy(number.strip().upper())
        if c is None or not _sees_hub(scope, c.hub_id):
            raise NotFound("no convoy %(convoy)s: check the number", convoy=number.strip())
        return _convoy_view(uow, c)


@dataclass(frozen=True)
class BoardRow:
    waybill: str
    state: str
    hub: str
    destination: str
    plate: str
    driver: str
    convoy: str | None
    last_event: str
    place: str
    since: dt.datetime
    hours: float


def board(ctx: Context, *, hub: str | None = None, now: dt.datetime | None = None
          ) -> list[BoardRow]:
    """Every vehicle issued or on the road: where it was last seen and for how long."""
    now = now or utcnow()
    with ctx.uow() as uow:
        hub_id = None
        if hub:
            found = uow.reference.site(parse_code(hub, "hub"))
            if found is None:
                raise NotFound("no site %(code)s", code=hub)
            hub_id = found.id
        rows = uow.outbound.waybills(hub_id=hub_id, states=[
            WaybillState.ISSUED.value, WaybillState.DISPATCHED.value,
            WaybillState.ARRIVED.value])
        last = uow.outbound.last_events([r.id for r in rows])
        out = []
        for r in rows:
            ev = last.get(r.id)
            since = ev.at if ev else r.issued_at
            out.append(BoardRow(
                r.number, r.state, uow.reference.site_by_id(r.hub_id).code,
                uow.reference.site_by_id(r.destination_id).code, r.plate,
                uow.screening.party(r.driver_party_id).name,
                uow.outbound.convoy_by_id(r.convoy_id).number if r.convoy_id else None,
                ev.event if ev else "issued", ev.place if ev else "", since,
                round((now - since).total_seconds() / 3600, 1)))
        return sorted(out, key=lambda b: -b.hours)
