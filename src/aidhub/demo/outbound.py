"""The demo's outbound work: the first plan's release orders accepted, picked, loaded on
trucks with waybills, dispatched and tracked; some delivered with their proof of delivery
(one short, which opens a loss report), the others still on the road for the board. Then
a transfer from Damascus to Homs on the road (a consignment in transit at Homs) and goods
coming back from a distribution point. Built through the same services a dispatcher
uses."""

import datetime as dt
import random
import uuid
from collections.abc import Callable
from decimal import Decimal

from aidhub.domain.loads import Vehicle
from aidhub.domain.waybills import PodLine
from aidhub.services import delivery, picking, release_orders, transfers, waybills
from aidhub.services.context import Context, utcnow
from aidhub.services.planning import lot_label, promisable

Progress = Callable[[str, int, int], None]
TRUCK_KG, TRUCK_M3 = Decimal(12000), Decimal(40)
DRIVERS = ("Khaled Haddad", "Omar Sabbagh", "Yusuf Darwish", "Mahmoud Qassem",
           "Ahmad Najjar", "Bilal Hamdan", "Sami Aziz", "Rami Khoury")
CHECKPOINTS = ("Bab al-Hawa road, km 12", "Saraqeb junction", "Hama northern checkpoint",
               "Homs ring road", "Azaz checkpoint")


def load(ctx: Context, rng: random.Random, tag: str, orders: list[str],
         report: Progress) -> dict[str, int]:
    dispatcher = ctx.as_actor("demo-dispatcher")
    counts = {"waybills": 0, "delivered": 0}
    delivered = []
    convoy = waybills.create_convoy(dispatcher, "SRM-HUB", key=f"{tag}:convoy",
                                    route="Sarmada – Atmeh – Harim",
                                    checkpoints="Bab al-Hawa road, km 12; Harim bridge",
                                    notification="HNS-2026-0412")["convoy"]
    for n, ro in enumerate(orders, start=1):
        release_orders.change_state(ctx.as_actor("demo-manager"), ro, "accepted",
                                    key=f"{tag}:{ro}:accept")
        proposals = _picked_and_proposed(ctx, rng, tag, ro, 12)
        for m, load_ in enumerate(proposals, start=1):
            key = f"{tag}:{ro}:wb:{m}"
            lines = [waybills.LoadLine(_uuid(x["pick_line"]), x["quantity"])
                     for x in load_.lines]
            wb = waybills.issue(
                dispatcher, ro, load_.destination, key=key,
                vehicle=Vehicle(load_.plate, TRUCK_KG, TRUCK_M3),
                driver=DRIVERS[counts["waybills"] % len(DRIVERS)],
                transporter="DHL", seals=[f"S-{rng.randint(100000, 999999)}"], lines=lines,
                convoy=convoy if ro.startswith("RO-SRM") else None)["waybill"]
            counts["waybills"] += 1
            waybills.dispatch(dispatcher, wb, key=f"{key}:go")
            waybills.track(dispatcher, wb, "at_checkpoint", key=f"{key}:cp",
                           place=rng.choice(CHECKPOINTS))
            if (n + m) % 3 == 0:
                continue  # still on the road
            waybills.track(dispatcher, wb, "arrived", key=f"{key}:arr")
            shipped = waybills.view(ctx, wb).lines
            pod = [PodLine(x.line_no, good=x.quantity) for x in shipped]
            if counts["delivered"] == 1:  # one delivery comes short
                first = shipped[0]
                short = max(1, first.quantity // 10)
                pod[0] = PodLine(first.line_no, good=first.quantity - short, short=short)
            delivery.confirm(ctx.as_actor("demo-receiver"), wb, pod, key=f"{key}:pod",
                             signer="Distribution point focal person",
                             seal_state="intact")
            counts["delivered"] += 1
            delivered.append(wb)
        report("outbound", n, len(orders))
    _transfer(ctx, rng, tag, "DAM-HUB", "HMS-HUB")
    if delivered:
        wb = delivered[-1]
        first = waybills.view(ctx, wb).lines[0]
        transfers.register_return(
            ctx.as_actor("demo-receiver"), wb,
            [transfers.ReturnLine(first.line_no, max(1, first.quantity // 10))],
            key=f"{tag}:return", reason="distribution point closed for two weeks",
            vehicle="SY-RET-01", driver=DRIVERS[0])
    return counts


def _transfer(ctx: Context, rng: random.Random, tag: str, source: str, target: str) -> None:
    """A transfer of the lot the source hub can best spare, picked and on the road (the
    one ordered before when the demo is loaded again after an interruption)."""
    done = [o.number for o in release_orders.list_orders(ctx, hub=source) if not o.plan]
    ro = done[0] if done else _order_transfer(ctx, tag, source, target)
    if ro is None:
        return
    release_orders.change_state(ctx.as_actor("demo-manager"), ro, "accepted",
                                key=f"{tag}:{ro}:accept")
    _send(ctx, rng, tag, ro, target)


def _order_transfer(ctx: Context, tag: str, source: str, target: str) -> str | None:
    with ctx.uow() as uow:
        hub = uow.reference.site(source)
        spare = []
        for (_, lot_id), owners in promisable(uow, {hub.id}).items():
            lot = uow.reference.lot_by_id(lot_id)
            usable = sum(max(q, 0) for q in owners.values())
            fresh = utcnow().date() + dt.timedelta(days=90)
            if usable >= 20 and (lot.expiry is None or lot.expiry > fresh):
                item = uow.reference.item_by_id(lot.item_id)
                spare.append((usable * item.weight_kg, item.code, lot_label(lot.batch),
                              usable))
    if not spare:
        return None
    _, item, lot, usable = max(spare)
    return transfers.order_transfer(
        ctx.as_actor("demo-manager"), source, target,
        [transfers.TransferLine(item, min(usable // 2, 400), lot)], key=f"{tag}:transfer",
        reason="Homs runs short before the winter distribution")["release_order"]


def _picked_and_proposed(ctx: Context, rng: random.Random, tag: str, ro: str,
                         trucks: int) -> list:
    """Pick the whole release order, and how its goods go on ``trucks`` new trucks."""
    pl = picking.generate(ctx.as_actor("demo-dispatcher"), ro,
                          key=f"{tag}:{ro}:pick")["pick_list"]
    for line in picking.view(ctx, pl).lines:
        picking.confirm(ctx.as_actor("demo-warehouse"), pl, line.line_no,
                        key=f"{tag}:{pl}:{line.line_no}")
    vehicles = [Vehicle(f"SY-{rng.randint(10, 99)}-{rng.randint(10000, 99999)}", TRUCK_KG,
                        TRUCK_M3) for _ in range(trucks)]
    return waybills.propose(ctx, ro, vehicles)[0]


def _send(ctx: Context, rng: random.Random, tag: str, ro: str, target: str) -> None:
    proposals = _picked_and_proposed(ctx, rng, tag, ro, 3)
    for m, load_ in enumerate(proposals, start=1):
        truck = Vehicle(load_.plate, TRUCK_KG, TRUCK_M3)
        wb = waybills.issue(ctx.as_actor("demo-dispatcher"), ro, target,
                            key=f"{tag}:{ro}:wb:{m}", vehicle=truck, driver=DRIVERS[m],
                            transporter="DHL",
                            lines=[waybills.LoadLine(_uuid(x["pick_line"]), x["quantity"])
                                   for x in load_.lines])["waybill"]
        waybills.dispatch(ctx.as_actor("demo-dispatcher"), wb, key=f"{tag}:{ro}:go:{m}")


def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)
