"""Why a need is not fully served, in sentences a planner can act on.

The reasons are read off the final plan and the problem, not guessed: for each need
below 100 % the routes to its point are checked (none, closed), the lots of its item at
the hubs those routes come from (none held, too close to expiry for the journey), the
capacities those routes and hubs have left (used up, to within one unit of the item),
and the stock left in the lots the need could use (all shipped). Each reason comes with
a short code in ``limits`` for programs:

``no_route``, ``no_stock``, ``route_closed``, ``expiry``, ``route_capacity``,
``hub_capacity``, ``stock``, ``rounding``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from aidhub.planning.metrics import Shipped
from aidhub.planning.model import Index
from aidhub.planning.problem import Problem

MAX_LOTS_NAMED = 3


def _kg(value: float) -> str:
    return f"{value:,.0f} kg" if abs(value - round(value)) < 0.05 else f"{value:,.1f} kg"


def explain(problem: Problem, ix: Index, shipped: Shipped, fill: np.ndarray, *,
            policy: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per need: (reasons, limit codes); empty for needs fully served or of 0."""
    n_needs = ix.n_needs
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())] * n_needs
    unmet = np.flatnonzero((ix.need_qty > 0) & ~(fill >= 1 - 1e-9))
    if not len(unmet):
        return out
    kg = shipped.kg(ix)
    lot_left = ix.lot_qty - np.bincount(shipped.lot, weights=shipped.units,
                                        minlength=len(ix.lot_qty))
    hub_left = ix.hub_cap - np.bincount(ix.route_hub[shipped.route], weights=kg,
                                        minlength=len(ix.hub_ids))
    route_left = ix.route_cap - np.bincount(shipped.route, weights=kg,
                                            minlength=len(ix.route_hub))
    n_items = ix.n_items
    lots_at: dict[int, list[int]] = defaultdict(list)  # (hub, item) key -> lots, in stock
    for lot in np.flatnonzero(ix.lot_qty > 0).tolist():
        lots_at[int(ix.lot_hub[lot]) * n_items + int(ix.lot_item[lot])].append(lot)
    held = np.zeros(n_items, dtype=bool)
    held[ix.lot_item[ix.lot_qty > 0]] = True
    routes_to: dict[int, list[int]] = defaultdict(list)
    for r, p in enumerate(ix.route_point.tolist()):
        routes_to[p].append(r)
    items, hubs, points = ix.item_codes, ix.hub_ids, ix.point_ids
    plan_date = problem.plan_date
    weight = ix.item_weight
    days = ix.lot_days

    for n in unmet.tolist():
        p, i = int(ix.need_point[n]), int(ix.need_item[n])
        item, point = items[i], points[p]
        reasons: list[str] = []
        codes: list[str] = []

        def say(code: str, text: str, reasons=reasons, codes=codes) -> None:
            reasons.append(text)
            if code not in codes:
                codes.append(code)

        if not held[i]:
            say("no_stock", f"no hub holds {item}")
            out[n] = (tuple(reasons), tuple(codes))
            continue
        routes = routes_to.get(p, [])
        if not routes:
            say("no_route", f"no route reaches {point}")
            out[n] = (tuple(reasons), tuple(codes))
            continue
        holding = [r for r in routes if lots_at.get(int(ix.route_hub[r]) * n_items + i)]
        if not holding:
            say("no_stock", f"no hub with a route to {point} holds {item}")
            out[n] = (tuple(reasons), tuple(codes))
            continue
        usable: list[tuple[int, list[int]]] = []
        expired: list[str] = []
        for r in holding:
            h = int(ix.route_hub[r])
            if not ix.route_open[r]:
                say("route_closed", f"route {hubs[h]} → {point} closed")
                continue
            threshold = ix.route_lead[r] + ix.min_shelf
            good = []
            for lot in lots_at[h * n_items + i]:
                if days[lot] >= threshold:
                    good.append(lot)
                else:
                    expiry = plan_date + dt.timedelta(days=int(days[lot]))
                    wanted = plan_date + dt.timedelta(days=int(threshold))
                    expired.append(f"lot {ix.lot_code[lot]} at {hubs[h]} too close to expiry "
                                   f"(expires {expiry.isoformat()}, needs {wanted.isoformat()})")
            if good:
                usable.append((r, good))
        for text in expired[:MAX_LOTS_NAMED]:
            say("expiry", text)
        if len(expired) > MAX_LOTS_NAMED:
            say("expiry", f"{len(expired) - MAX_LOTS_NAMED} more lot(s) of {item} too close "
                          "to expiry for the journey")
        if not usable:
            out[n] = (tuple(reasons), tuple(codes))
            continue
        w = weight[i]
        open_ways = []
        seen_hubs: set[int] = set()
        for r, good in usable:
            h = int(ix.route_hub[r])
            blocked = False
            if route_left[r] < w - 1e-9:
                say("route_capacity", f"route {hubs[h]} → {point} capacity "
                                      f"{_kg(ix.route_cap[r])} used")
                blocked = True
            if hub_left[h] < w - 1e-9:
                if h not in seen_hubs:
                    say("hub_capacity", f"hub {hubs[h]} dispatch capacity "
                                        f"{_kg(ix.hub_cap[h])} used")
                    seen_hubs.add(h)
                blocked = True
            if not blocked:
                open_ways.append((r, good))
        if open_ways and all(lot_left[good].sum() < 1 for _, good in open_ways):
            names = ", ".join(dict.fromkeys(hubs[int(ix.route_hub[r])] for r, _ in open_ways))
            if policy == "greedy":
                say("stock", f"stock of {item} reachable from {names} taken by earlier "
                             "requests")
            else:
                say("stock", f"tier-{int(ix.need_prio[n])} fair share limited by total stock "
                             f"of {item} reachable from {names}")
        if not reasons:
            say("rounding", "rounded down to whole units")
        out[n] = (tuple(reasons), tuple(codes))
    return out
