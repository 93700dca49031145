"""The greedy baseline: allocating the way it is done by hand today.

Requests are served one after the other: by priority, then in the order they were
submitted (the file's order when no time is given). Each takes what it can from the
nearest hub first (fewest lead days, then cheapest per kg), oldest lot first (received
date, else the file's order), within the same rules as the optimiser: open routes only,
lots good for long enough on arrival, lot quantities, hub dispatch and route capacities.
The first requests can so take everything and leave later ones of the same priority
with nothing, which is what the fair-share policy is there to avoid; ``compare`` shows
the difference.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from aidhub.planning.metrics import Shipped
from aidhub.planning.model import index
from aidhub.planning.plan import Plan, assemble
from aidhub.planning.problem import Problem


def greedy(problem: Problem) -> Plan:
    started = time.perf_counter()
    ix = index(problem)
    n_items = ix.n_items
    lot_left = ix.lot_qty.copy()
    hub_left = ix.hub_cap.copy()
    route_left = ix.route_cap.copy()
    lots_at: dict[int, list[int]] = defaultdict(list)
    for lot in sorted(np.flatnonzero(ix.lot_qty > 0).tolist(), key=lambda k: ix.lot_fifo[k]):
        lots_at[int(ix.lot_hub[lot]) * n_items + int(ix.lot_item[lot])].append(lot)
    routes_to: dict[int, list[int]] = defaultdict(list)
    open_routes = np.flatnonzero(ix.route_open)
    for r in sorted(open_routes.tolist(),
                    key=lambda r: (ix.route_lead[r], ix.route_cost[r], r)):
        routes_to[int(ix.route_point[r])].append(r)
    order = np.lexsort((ix.need_fifo, ix.need_prio))
    out_route, out_need, out_lot, out_units = [], [], [], []
    weight = ix.item_weight
    for n in order.tolist():
        want = ix.need_qty[n]
        if want <= 0:
            continue
        i = int(ix.need_item[n])
        w = weight[i]
        for r in routes_to.get(int(ix.need_point[n]), ()):
            h = int(ix.route_hub[r])
            threshold = ix.route_lead[r] + ix.min_shelf
            for lot in lots_at.get(h * n_items + i, ()):
                if lot_left[lot] <= 0 or ix.lot_days[lot] < threshold:
                    continue
                room = min(hub_left[h], route_left[r])
                take = min(want, lot_left[lot], np.floor(room / w + 1e-9))
                if take <= 0:
                    break
                lot_left[lot] -= take
                hub_left[h] -= take * w
                route_left[r] -= take * w
                want -= take
                out_route.append(r)
                out_need.append(n)
                out_lot.append(lot)
                out_units.append(int(take))
                if want <= 0:
                    break
            if want <= 0:
                break
    shipped = Shipped(np.array(out_route, dtype=np.int64), np.array(out_need, dtype=np.int64),
                      np.array(out_lot, dtype=np.int64), np.array(out_units, dtype=np.int64))
    return assemble(problem, ix, shipped, policy="greedy", status="heuristic",
                    stats={"total_seconds": round(time.perf_counter() - started, 4)})
