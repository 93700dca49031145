"""The allocation problem as checked, immutable values.

A :class:`Problem` is what the planner is asked: which stock lies where (hubs and their
lots), who needs what (points and their needs, by priority), and how goods can travel
(routes). It is built by :func:`aidhub.planning.validate.parse_problem` from the JSON
form, and later from the database; once built it is known to be consistent (every route,
need and lot names something that exists), so the model builder never checks again.

Quantities are whole units of the item's inventory unit; weights are kilograms; dates
are calendar dates (a lot "expires on" its expiry date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Days counted for a lot without expiry when preferring short-dated lots (100 years).
NO_EXPIRY_DAYS = 36_500


@dataclass(frozen=True)
class ItemSpec:
    """An item: its code, the weight of one unit, and whether it has a shelf life (then
    every lot of it must carry an expiry date)."""

    code: str
    unit_weight_kg: float
    shelf_life: bool = False
    unit_volume_m3: float | None = None
    name: str | None = None


@dataclass(frozen=True)
class LotSpec:
    """A lot held at a hub: ``expiry`` None for items without shelf life; ``received``
    orders lots first-in-first-out in the greedy baseline (None: the file's order)."""

    item: str
    lot: str
    expiry: dt.date | None
    quantity: int
    received: dt.date | None = None


@dataclass(frozen=True)
class HubSpec:
    """A hub and what it holds. ``dispatch_capacity_kg`` None: no limit on what it can
    send out in this plan."""

    id: str
    dispatch_capacity_kg: float | None
    lots: tuple[LotSpec, ...] = ()
    name: str | None = None


@dataclass(frozen=True)
class NeedSpec:
    """What a point asks for: ``priority`` 1 life-saving, 2 important, 3 other.
    ``submitted`` and ``request`` order and trace the request (greedy serves in
    submission order, then file order)."""

    item: str
    quantity: int
    priority: int
    submitted: dt.datetime | None = None
    request: str | None = None


@dataclass(frozen=True)
class PointSpec:
    """A distribution point and its needs."""

    id: str
    needs: tuple[NeedSpec, ...] = ()
    name: str | None = None


@dataclass(frozen=True)
class RouteSpec:
    """A way from a hub to a point: cost per kilogram carried, days on the road,
    whether it is open now, and what it can carry in this plan (None: no limit)."""

    hub: str
    point: str
    cost_per_kg: float
    lead_days: int
    open: bool = True
    capacity_kg: float | None = None


@dataclass(frozen=True)
class Problem:
    """The whole question. ``min_shelf_life_days``: how long a lot must still be good
    when it arrives at the point."""

    plan_date: dt.date
    items: tuple[ItemSpec, ...]
    hubs: tuple[HubSpec, ...]
    points: tuple[PointSpec, ...]
    routes: tuple[RouteSpec, ...]
    min_shelf_life_days: int = 0


def problem_to_json(problem: Problem) -> dict:
    """The problem in its JSON form (``schemas/problem.json``); ``parse_problem`` of the
    result gives the same problem back."""

    def day(value: dt.date | None) -> str | None:
        return None if value is None else value.isoformat()

    def opt(**values) -> dict:
        return {k: v for k, v in values.items() if v is not None}

    return {
        "plan_date": problem.plan_date.isoformat(),
        "min_shelf_life_days": problem.min_shelf_life_days,
        "items": [{"code": i.code, "unit_weight_kg": i.unit_weight_kg,
                   "shelf_life": i.shelf_life,
                   **opt(unit_volume_m3=i.unit_volume_m3, name=i.name)}
                  for i in problem.items],
        "hubs": [{"id": h.id, "dispatch_capacity_kg": h.dispatch_capacity_kg,
                  **opt(name=h.name),
                  "lots": [{"item": lot.item, "lot": lot.lot, "expiry": day(lot.expiry),
                            "quantity": lot.quantity, **opt(received=day(lot.received))}
                           for lot in h.lots]}
                 for h in problem.hubs],
        "points": [{"id": p.id, **opt(name=p.name),
                    "needs": [{"item": n.item, "quantity": n.quantity,
                               "priority": n.priority,
                               **opt(submitted=None if n.submitted is None
                                     else n.submitted.isoformat(), request=n.request)}
                              for n in p.needs]}
                   for p in problem.points],
        "routes": [{"hub": r.hub, "point": r.point, "cost_per_kg": r.cost_per_kg,
                    "lead_days": r.lead_days, "open": r.open, "capacity_kg": r.capacity_kg}
                   for r in problem.routes],
    }
