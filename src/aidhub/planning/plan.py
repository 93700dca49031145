"""A plan: the shipments, what each need gets and why, and the figures it is judged by.

The same :class:`Plan` comes out of the optimiser and of the greedy baseline, so the two
can be printed, saved and compared the same way. :func:`plan_to_json` is its JSON form
(``schemas/plan.json``, documented in docs/formats.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from aidhub.planning.explain import explain
from aidhub.planning.metrics import (
    Shipped,
    TierFigures,
    expiring_unused,
    fill_rates,
    tiers,
    transport_cost,
)
from aidhub.planning.model import TIERS, Index
from aidhub.planning.problem import Problem


@dataclass(frozen=True)
class Shipment:
    """Units of one lot sent from a hub to a point."""

    hub: str
    point: str
    item: str
    lot: str
    quantity: int
    kg: float
    cost: float
    expiry: dt.date | None


@dataclass(frozen=True)
class NeedResult:
    """One need and what the plan gives it. ``lp_fill_rate`` is the optimiser's exact
    (fractional) share before rounding to whole units; None for greedy plans."""

    point: str
    item: str
    priority: int
    needed: int
    planned: int
    fill_rate: float | None
    lp_fill_rate: float | None
    reasons: tuple[str, ...] = ()
    limits: tuple[str, ...] = ()
    request: str | None = None


@dataclass(frozen=True)
class Summary:
    tiers: dict[int, TierFigures]
    transport_cost: float
    delivered_units: int
    delivered_kg: float
    expiring_unused_units: int
    expiring_unused_kg: float

    def min_fill_rate(self, tier: int) -> float | None:
        return self.tiers[tier].min_fill_rate

    def mean_fill_rate(self, tier: int) -> float | None:
        return self.tiers[tier].mean_fill_rate


@dataclass(frozen=True)
class Plan:
    """``status`` is "optimal", "time_limit" (feasible, not final; ``message`` says what
    is missing) or "heuristic" (the greedy baseline)."""

    policy: str
    status: str
    message: str | None
    plan_date: dt.date
    shipments: tuple[Shipment, ...]
    needs: tuple[NeedResult, ...]
    summary: Summary
    stats: dict = field(default_factory=dict)


def assemble(problem: Problem, ix: Index, shipped: Shipped, *, policy: str, status: str,
             message: str | None = None, lp_delivered: np.ndarray | None = None,
             stats: dict | None = None) -> Plan:
    """The plan of integer shipments ``shipped``: shipment lines, needs, reasons, figures."""
    delivered = shipped.delivered(ix)
    fill = fill_rates(ix, delivered)
    lp_fill = None if lp_delivered is None else fill_rates(ix, lp_delivered)
    why = explain(problem, ix, shipped, fill, policy=policy)
    needs = []
    k = 0
    for point in problem.points:
        for need in point.needs:
            needs.append(NeedResult(
                point=point.id, item=need.item, priority=need.priority,
                needed=need.quantity, planned=round(float(delivered[k])),
                fill_rate=_rate(fill[k]),
                lp_fill_rate=None if lp_fill is None else _rate(lp_fill[k]),
                reasons=why[k][0], limits=why[k][1], request=need.request))
            k += 1
    expiring_units, expiring_kg = expiring_unused(ix, shipped)
    summary = Summary(
        tiers=tiers(ix, fill, delivered), transport_cost=transport_cost(ix, shipped),
        delivered_units=int(shipped.units.sum()), delivered_kg=float(shipped.kg(ix).sum()),
        expiring_unused_units=expiring_units, expiring_unused_kg=expiring_kg)
    return Plan(policy=policy, status=status, message=message, plan_date=problem.plan_date,
                shipments=_lines(problem, ix, shipped), needs=tuple(needs), summary=summary,
                stats=stats or {})


def _rate(value: float) -> float | None:
    return None if np.isnan(value) else min(max(float(value), 0.0), 1.0)


def _lines(problem: Problem, ix: Index, shipped: Shipped) -> tuple[Shipment, ...]:
    """One line per (hub, point, item, lot): needs of one item at one point (at several
    priorities) travel together."""
    if not len(shipped.units):
        return ()
    hub = ix.route_hub[shipped.route]
    point = ix.route_point[shipped.route]
    key = np.stack([hub, point, shipped.lot])
    uniq, inverse = np.unique(key, axis=1, return_inverse=True)
    inverse = inverse.ravel()
    units = np.bincount(inverse, weights=shipped.units)
    kg = np.bincount(inverse, weights=shipped.kg(ix))
    cost = np.bincount(inverse, weights=shipped.kg(ix) * ix.route_cost[shipped.route])
    order = np.lexsort((uniq[2], uniq[1], uniq[0]))
    expiry = [lot.expiry for h in problem.hubs for lot in h.lots]
    lines = []
    for j in order.tolist():
        h, p, lot = (int(v) for v in uniq[:, j])
        lines.append(Shipment(hub=ix.hub_ids[h], point=ix.point_ids[p],
                              item=ix.item_codes[int(ix.lot_item[lot])], lot=ix.lot_code[lot],
                              quantity=round(float(units[j])), kg=round(float(kg[j]), 3),
                              cost=round(float(cost[j]), 2), expiry=expiry[lot]))
    return tuple(lines)


# ----------------------------------------------------------------------- JSON form
def _tier_map(values: dict[int, float | None], digits: int = 6) -> dict[str, float | None]:
    return {str(t): None if values[t] is None else round(values[t], digits) for t in TIERS}


def plan_to_json(plan: Plan) -> dict:
    """The plan as JSON-ready data (``schemas/plan.json``)."""
    s = plan.summary
    return {
        "policy": plan.policy,
        "status": plan.status,
        "message": plan.message,
        "plan_date": plan.plan_date.isoformat(),
        "summary": {
            "min_fill_rate": _tier_map({t: f.min_fill_rate for t, f in s.tiers.items()}),
            "mean_fill_rate": _tier_map({t: f.mean_fill_rate for t, f in s.tiers.items()}),
            "gini": _tier_map({t: f.gini for t, f in s.tiers.items()}),
            "needs": {str(t): f.needs for t, f in s.tiers.items()},
            "needed_units": {str(t): f.needed for t, f in s.tiers.items()},
            "planned_units": {str(t): f.planned for t, f in s.tiers.items()},
            "transport_cost": round(s.transport_cost, 2),
            "delivered_units": s.delivered_units,
            "delivered_kg": round(s.delivered_kg, 3),
            "expiring_unused_30d": {"units": s.expiring_unused_units,
                                    "kg": round(s.expiring_unused_kg, 3)},
        },
        "shipments": [
            {"hub": x.hub, "point": x.point, "item": x.item, "lot": x.lot,
             "quantity": x.quantity, "kg": x.kg, "cost": x.cost,
             "expiry": x.expiry.isoformat() if x.expiry else None}
            for x in plan.shipments],
        "needs": [
            {"point": n.point, "item": n.item, "priority": n.priority,
             "request": n.request, "needed": n.needed, "planned": n.planned,
             "fill_rate": None if n.fill_rate is None else round(n.fill_rate, 6),
             "lp_fill_rate": None if n.lp_fill_rate is None else round(n.lp_fill_rate, 6),
             "reasons": list(n.reasons), "limits": list(n.limits)}
            for n in plan.needs],
        "stats": plan.stats,
    }
