"""Transfers between hubs, and returns from distribution points.

A **transfer** is a release order without a plan, to another hub. It is picked, loaded and
dispatched like any other, on the same pick list and waybill. When its waybill leaves, the
goods go into the receiving hub's IN-TRANSIT (as every dispatch does) and become a
consignment there, received like any inbound goods: arrival, screening, GRN. The GRN that
completes the consignment delivers the waybill and closes the release order lines.

A **return** is a consignment at a hub made from a delivered waybill: the partner sends
back goods it cannot use. They go from the point's DISTRIBUTED back into the hub's
IN-TRANSIT, and are received with a GRN. No more can come back than was delivered good.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from aidhub.domain.channels import TransportDocument
from aidhub.domain.consignments import Consignment, ConsignmentLine, State
from aidhub.domain.errors import InvalidInput, Several, Term
from aidhub.domain.ids import new_id
from aidhub.domain.ledger import MovementKind, Posting, StockKey
from aidhub.domain.release_orders import ReleaseState
from aidhub.domain.requests import Priority
from aidhub.domain.sites import Site, SiteKind
from aidhub.domain.values import parse_quantity
from aidhub.domain.waybills import WaybillState, transition
from aidhub.interop.problems import Problem
from aidhub.services import reference
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.services.planning import lot_label, promisable, reserve
from aidhub.services.posting import post_for_document
from aidhub.store.uow import UnitOfWork

STORES = (SiteKind.HUB, SiteKind.WAREHOUSE)


@dataclass(frozen=True)
class TransferLine:
    """An item (and, if it matters, a lot) to send to the other hub."""

    item: str
    quantity: int
    lot: str | None = None


def order_transfer(ctx: Context, hub: str, to: str, lines: list[TransferLine], *, key: str,
                   reason: str) -> dict[str, Any]:
    """A release order from ``hub`` to the hub ``to``: lots chosen first-expiry-first-out
    among what can be promised (not reserved, not on hold, not expired) and reserved."""
    if not reason.strip():
        raise InvalidInput("say why the goods move to the other hub", field="reason")
    if not lines:
        raise InvalidInput("a transfer needs at least one line", field="lines")
    request = {"hub": hub, "to": to, "reason": reason.strip(),
               "lines": [[x.item, str(x.quantity), x.lot] for x in lines]}

    def work(uow: UnitOfWork, now: dt.datetime):
        source, target = _store(uow, hub, "hub"), _store(uow, to, "to")
        if source.id == target.id:
            raise InvalidInput("%(hub)s cannot send goods to itself; pick another hub",
                               field="to", hub=source.code)
        _operator(target, "to")
        owners = promisable(uow, {source.id})
        order_id, out, reserved, problems = new_id(), [], [], []
        for n, line in enumerate(lines, start=1):
            try:
                for lot, quantity in _lots(uow, owners, source, line, now.date()):
                    line_id = new_id()
                    out.append({"id": line_id, "release_order_id": order_id,
                                "line_no": len(out) + 1, "point_id": target.id,
                                "item_id": lot.item_id, "lot_id": lot.id,
                                "priority": int(Priority.IMPORTANT), "quantity": quantity})
                    item = uow.reference.item_by_id(lot.item_id)
                    reserved += reserve(owners, source, item, lot, quantity, line_id,
                                        "transfer", lot_label(lot.batch))
            except InvalidInput as exc:
                problems.append(Problem.of(None, None, exc, line=n))
        if problems:
            raise InvalidInput("the transfer was not ordered: %(problems)s", field="lines",
                               problems=Several(problems))
        number = (f"RO-{source.code}-{now.year}-"
                  f"{uow.inbound.next_number(f'release:{source.code}:{now.year}'):05d}")
        uow.planning.add_release_order(
            {"id": order_id, "number": number, "plan_id": None, "hub_id": source.id,
             "state": ReleaseState.VERIFIED.value, "created_at": now,
             "created_by": ctx.actor, "reason": f"transfer to {target.code}: "
                                                f"{request['reason']}"}, out, [])
        uow.planning.add_reservations(reserved)
        return number, {"release_order": number, "to": target.code, "lines": len(out)}

    return run_command(ctx, key, "transfer.order", request, work)


def _store(uow: UnitOfWork, code: str, field: str) -> Site:
    found = reference.site(uow, code)
    if found.kind not in STORES:
        raise InvalidInput("%(site)s is a %(kind)s; transfers go between hubs and warehouses "
                           "(a distribution point is served through a request and a plan)",
                           field=field, site=found.code,
                           kind=Term(found.kind))
    return found


def _operator(site: Site, field: str) -> uuid.UUID:
    if site.operator_id is None:
        raise InvalidInput("%(site)s has no operating organisation to receive the goods; set "
                           "it on the site first", field=field, site=site.code)
    return site.operator_id


def _lots(uow: UnitOfWork, owners: dict, source: Site, line: TransferLine,
          today: dt.date) -> list[tuple[Any, int]]:
    """The lots to send, first expiry first, and how much of each."""
    item = reference.item(uow, line.item)
    wanted = parse_quantity(line.quantity)
    candidates = []
    for (site_id, lot_id), holding in owners.items():
        lot = uow.reference.lot_by_id(lot_id)
        if site_id != source.id or lot.item_id != item.id:
            continue
        if line.lot and lot_label(lot.batch) != line.lot.strip():
            continue
        if lot.expiry is not None and lot.expiry < today:
            continue
        usable = sum(max(q, 0) for q in holding.values())
        if usable > 0:
            candidates.append((lot, usable))
    candidates.sort(key=lambda c: (c[0].expiry is None, c[0].expiry or today, c[0].batch))
    have = sum(q for _, q in candidates)
    if have < wanted:
        asked, promised = f"{wanted:,}", f"{have:,}"
        if line.lot:
            raise InvalidInput("%(asked)s %(unit)s of lot %(lot)s of %(item)s asked, "
                               "%(promised)s can be promised at %(hub)s (not reserved, on hold "
                               "or expired)", field="quantity", asked=asked, unit=item.unit,
                               lot=line.lot, item=item.code, promised=promised,
                               hub=source.code)
        raise InvalidInput("%(asked)s %(unit)s of %(item)s asked, %(promised)s can be promised "
                           "at %(hub)s (not reserved, on hold or expired)", field="quantity",
                           asked=asked, unit=item.unit, item=item.code, promised=promised,
                           hub=source.code)
    out, left = [], wanted
    for lot, usable in candidates:
        take = min(usable, left)
        out.append((lot, take))
        left -= take
        if not left:
            break
    return out


# a transfer leaves, and is received ---------------------------------------------------
def is_transfer(uow: UnitOfWork, destination_id: uuid.UUID) -> bool:
    return uow.reference.site_by_id(destination_id).kind in STORES


def consign(uow: UnitOfWork, wb: Any, lines: list[Any], movement: uuid.UUID,
            now: dt.datetime, actor: str) -> str:
    """The consignment at the receiving hub that a transfer waybill becomes as it leaves;
    its lines are already in that hub's IN-TRANSIT (the dispatch put them there)."""
    source = uow.reference.site_by_id(wb.hub_id)
    target = uow.reference.site_by_id(wb.destination_id)
    cid, number = _consignment(uow, target, consignor=_operator(source, "hub"),
                          consignee=_operator(target, "to"), document=wb.number,
                          vehicle=wb.plate, driver=uow.screening.party(wb.driver_party_id).name,
                          seals=wb.seals, lines=[(x, x.quantity) for x in lines],
                          now=now, actor=actor, movement=movement,
                          note=f"dispatched from {source.code} on waybill {wb.number}")
    uow.outbound.update_waybill(wb.id, consignment_id=cid)
    return number


def _consignment(uow: UnitOfWork, hub: Site, *, consignor: uuid.UUID, consignee: uuid.UUID,
                 document: str, vehicle: str, driver: str, seals: str,
                 lines: list[tuple[Any, int]], now: dt.datetime, actor: str,
                 movement: uuid.UUID | None, note: str) -> tuple[uuid.UUID, str]:
    """A consignment on its way to ``hub`` from waybill lines, each with its quantity."""
    serial = uow.inbound.next_number(f"consignment:{hub.code}:{now.year}")
    number = f"{hub.code}-IN-{now.year}-{serial:05d}"
    cid = new_id()
    rows, links = [], []
    for n, (x, quantity) in enumerate(lines, start=1):
        item = uow.reference.item_by_id(x.item_id)
        lot = uow.reference.lot_by_id(x.lot_id)
        rows.append(ConsignmentLine(
            new_id(), cid, n, item.id, item.name_en, quantity, item.unit, lot.batch,
            lot.expiry, item.weight_kg * quantity, item.volume_m3 * quantity,
            donor_id=x.owner_id, sscc=x.sscc, transit_lot_id=lot.id, in_transit=quantity))
        links.append({"id": rows[-1].id, "waybill_line_id": x.id})
    uow.inbound.add_consignment(Consignment(
        cid, number, hub.id, consignor, consignee, None, None, State.IN_TRANSIT,
        now.date(), TransportDocument.WAYBILL, document, vehicle, driver, seals), rows, now)
    uow.inbound.update_lines(links)
    uow.inbound.add_event(cid, now, actor, "registered", to_state=State.IN_TRANSIT,
                          reason=note, movement_id=movement, document=document)
    return cid, number


def received(uow: UnitOfWork, consignment_id: uuid.UUID, state: State, now: dt.datetime,
             actor: str) -> None:
    """After a GRN: a transfer's consignment wholly received delivers its waybill; what
    was counted in counts as delivered on the release order lines, which close. (The
    consignment's lines were made from the waybill's, in its order: same line numbers.)"""
    if state is not State.RECEIVED:
        return
    wb = uow.outbound.waybill_of_consignment(consignment_id)
    if wb is None:
        return
    target = transition(wb.number, WaybillState(wb.state), WaybillState.DELIVERED)
    by_no = {x.line_no: x for x in uow.outbound.waybill_lines(wb.id)}
    for line in uow.inbound.lines(consignment_id):
        x = by_no[line.line_no]
        uow.outbound.add_to_release_line(x.release_order_line_id,
                                         delivered=min(line.received, x.quantity))
    uow.outbound.update_waybill(wb.id, state=target.value)
    c = uow.inbound.consignment_by_id(consignment_id)
    uow.outbound.add_event({"id": new_id(), "waybill_id": wb.id, "at": now,
                            "recorded_at": now, "actor": actor, "event": "arrived",
                            "place": uow.reference.site_by_id(c.hub_id).code,
                            "note": f"received on consignment {c.number}"})
    from aidhub.services.delivery import close_lines

    close_lines(uow, {x.release_order_line_id for x in by_no.values()})


# returns from a distribution point ----------------------------------------------------
@dataclass(frozen=True)
class ReturnLine:
    """Units of a delivered waybill line coming back."""

    line_no: int
    quantity: int


def register_return(ctx: Context, waybill: str, lines: list[ReturnLine], *, key: str,
                    reason: str, hub: str | None = None, vehicle: str = "",
                    driver: str = "") -> dict[str, Any]:
    """Goods delivered on ``waybill`` come back to ``hub`` (the hub that sent them unless
    another is named): a consignment on its way there, received with a GRN."""
    if not reason.strip():
        raise InvalidInput("say why the goods come back", field="reason")
    if not lines:
        raise InvalidInput("say which waybill lines come back, and how many",
                           field="lines")
    request = {"waybill": waybill.strip().upper(), "hub": hub, "reason": reason.strip(),
               "vehicle": vehicle.strip(), "driver": driver.strip(),
               "lines": [[x.line_no, str(x.quantity)] for x in lines]}

    def work(uow: UnitOfWork, now: dt.datetime):
        from aidhub.services.waybills import waybill as find

        wb = find(uow, request["waybill"], lock=True)
        if wb.consignment_id is not None:
            raise InvalidInput("waybill %(waybill)s went to a hub; send the goods back with a "
                               "transfer", field="waybill", waybill=wb.number)
        pod = uow.outbound.pod_of(wb.id)
        if pod is None:
            raise InvalidInput("waybill %(waybill)s has no proof of delivery yet; only "
                               "delivered goods can come back", field="waybill",
                               waybill=wb.number)
        target = _store(uow, hub, "hub") if hub else uow.reference.site_by_id(wb.hub_id)
        point = uow.reference.site_by_id(wb.destination_id)
        by_no = {x.line_no: x for x in uow.outbound.waybill_lines(wb.id)}
        good = {by_no[p.line_no].id: p.good for p in uow.outbound.pod_lines(pod.id)}
        back = uow.outbound.returned([x.id for x in by_no.values()])
        chosen, problems = [], []
        for n, line in enumerate(lines, start=1):
            x = by_no.get(line.line_no)
            if x is None:
                problems.append(Problem(None, None, "waybill %(waybill)s has no line "
                                        "%(waybill_line)s", line=n, values={
                                            "waybill": wb.number,
                                            "waybill_line": line.line_no}))
                continue
            try:
                quantity = parse_quantity(line.quantity)
            except InvalidInput as exc:
                problems.append(Problem.of(None, None, exc, line=n))
                continue
            left = good.get(x.id, 0) - back.get(x.id, 0)
            if quantity > left:
                figures = {"quantity": quantity, "good": good.get(x.id, 0),
                           "returned": back.get(x.id, 0)}
                problems.append(Problem(
                    None, None, "%(quantity)s cannot come back on waybill line "
                    "%(waybill_line)s: %(good)s were delivered good and %(returned)s already "
                    "returned", line=n, values={"waybill_line": x.line_no, **{
                        name: format(figure, ",") for name, figure in figures.items()}}))
                continue
            back[x.id] = back.get(x.id, 0) + quantity
            chosen.append((x, quantity))
        if problems:
            raise InvalidInput("the return was not registered: %(problems)s", field="lines",
                               problems=Several(problems))
        given = uow.reference.location(point.id, "DISTRIBUTED").id
        transit = uow.reference.location(target.id, "IN-TRANSIT").id
        postings = []
        for x, q in chosen:
            postings += [Posting(StockKey(given, x.item_id, x.lot_id, x.owner_id), -q),
                         Posting(StockKey(transit, x.item_id, x.lot_id, x.owner_id), q)]
        consignor = wb.consignee_id or _operator(point, "waybill")
        _, number = _consignment(
            uow, target, consignor=consignor, consignee=_operator(target, "hub"),
            document=wb.number, vehicle=request["vehicle"], driver=request["driver"],
            seals="", lines=chosen, now=now, actor=ctx.actor, movement=None,
            note=f"returned from {point.code}: {request['reason']}")
        movement = post_for_document(uow, MovementKind.RETURN, postings,
                                     document=("consignment", number), key=f"{key}:return",
                                     now=now, actor=ctx.actor,
                                     note=f"returned from {point.code} (waybill {wb.number})")
        return number, {"consignment": number, "hub": target.code, "from": point.code,
                        "lines": len(chosen), "movement": str(movement)}

    return run_command(ctx, key, "return.register", request, work)
