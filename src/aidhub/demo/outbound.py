"""The demo's outbound work: the first plan's release orders accepted, picked, loaded on
trucks with waybills, dispatched and tracked; some delivered with their proof of delivery
(one short, which opens a loss report), the others still on the road for the board.
Built through the same services a dispatcher uses."""

import random
import uuid
from collections.abc import Callable
from decimal import Decimal

from aidhub.domain.loads import Vehicle
from aidhub.domain.waybills import PodLine
from aidhub.services import delivery, picking, release_orders, waybills
from aidhub.services.context import Context

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
    convoy = waybills.create_convoy(dispatcher, "SRM-HUB", key=f"{tag}:convoy",
                                    route="Sarmada – Atmeh – Harim",
                                    checkpoints="Bab al-Hawa road, km 12; Harim bridge",
                                    notification="HNS-2026-0412")["convoy"]
    for n, ro in enumerate(orders, start=1):
        release_orders.change_state(ctx.as_actor("demo-manager"), ro, "accepted",
                                    key=f"{tag}:{ro}:accept")
        pl = picking.generate(dispatcher, ro, key=f"{tag}:{ro}:pick")["pick_list"]
        for line in picking.view(ctx, pl).lines:
            picking.confirm(ctx.as_actor("demo-warehouse"), pl, line.line_no,
                            key=f"{tag}:{pl}:{line.line_no}")
        trucks = [Vehicle(f"SY-{rng.randint(10, 99)}-{rng.randint(10000, 99999)}", TRUCK_KG,
                          TRUCK_M3) for _ in range(12)]
        proposals, _ = waybills.propose(ctx, ro, trucks)
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
        report("outbound", n, len(orders))
    return counts


def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)
