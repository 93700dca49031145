"""Properties of plans of small random problems: feasible, close to the LP after rounding,
never less fair than greedy, and the same shares as a slow textbook planner."""

import contextlib
import datetime as dt

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from aidhub.planning import greedy, lexicographic, parse_problem, solve
from tests.unit.planning.builders import PLAN_DATE, day
from tests.unit.planning.reference import Reference

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw) -> dict:
    n_items = draw(st.integers(1, 2))
    n_hubs = draw(st.integers(1, 3))
    n_points = draw(st.integers(1, 4))
    items = [{"code": f"I{i}", "unit_weight_kg": draw(st.sampled_from([1.0, 2.5, 0.4])),
              "shelf_life": draw(st.booleans())} for i in range(n_items)]
    hubs = []
    for h in range(n_hubs):
        lots = []
        for i, it in enumerate(items):
            for k in range(draw(st.integers(0, 2))):
                expiry = day(draw(st.integers(-2, 40))) if it["shelf_life"] or draw(
                    st.booleans()) else None
                lots.append({"item": it["code"], "lot": f"L{h}{i}{k}",
                             "quantity": draw(st.integers(0, 60)), "expiry": expiry,
                             "received": day(-draw(st.integers(0, 90)))})
        capacity = draw(st.one_of(st.none(), st.integers(10, 150)))
        hubs.append({"id": f"H{h}", "dispatch_capacity_kg": capacity, "lots": lots})
    points = []
    for p in range(n_points):
        needs = []
        for it in items:
            for priority in draw(st.sets(st.integers(1, 3), max_size=2)):
                needs.append({"item": it["code"], "quantity": draw(st.integers(0, 60)),
                              "priority": priority,
                              "submitted": f"2026-10-{1 + draw(st.integers(0, 20)):02d}T08:00"})
        if not needs:
            needs.append({"item": items[0]["code"], "quantity": 1, "priority": 1})
        if not any(n["quantity"] > 0 for n in needs):
            needs[0]["quantity"] = draw(st.integers(1, 60))
        points.append({"id": f"P{p}", "needs": needs})
    routes = []
    for h in range(n_hubs):
        for p in range(n_points):
            if draw(st.integers(0, 9)) < 7:
                routes.append({"hub": f"H{h}", "point": f"P{p}",
                               "cost_per_kg": draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])),
                               "lead_days": draw(st.integers(0, 10)),
                               "open": draw(st.integers(0, 9)) < 8,
                               "capacity_kg": draw(st.one_of(st.none(), st.integers(5, 120)))})
    if routes and not any(r["open"] for r in routes):
        routes[0]["open"] = True
    if not routes:
        routes.append({"hub": "H0", "point": "P0", "cost_per_kg": 1.0, "lead_days": 1,
                       "open": True, "capacity_kg": None})
    return {"plan_date": PLAN_DATE.isoformat(),
            "min_shelf_life_days": draw(st.integers(0, 10)), "items": items, "hubs": hubs,
            "points": points, "routes": routes}


def check_feasible(data: dict, plan) -> None:
    weight = {i["code"]: i["unit_weight_kg"] for i in data["items"]}
    lots = {(h["id"], lot["item"], lot["lot"]): lot for h in data["hubs"] for lot in h["lots"]}
    routes = {(r["hub"], r["point"]): r for r in data["routes"]}
    caps = {h["id"]: h["dispatch_capacity_kg"] for h in data["hubs"]}
    lot_used, hub_kg, route_kg = {}, {}, {}
    for s in plan.shipments:
        assert s.quantity > 0 and isinstance(s.quantity, int)
        route = routes[(s.hub, s.point)]
        assert route["open"], s
        lot = lots[(s.hub, s.item, s.lot)]
        if lot["expiry"] is not None:
            left = (dt.date.fromisoformat(lot["expiry"]) - PLAN_DATE).days
            assert left >= route["lead_days"] + data["min_shelf_life_days"], s
        key = (s.hub, s.item, s.lot)
        lot_used[key] = lot_used.get(key, 0) + s.quantity
        hub_kg[s.hub] = hub_kg.get(s.hub, 0) + s.quantity * weight[s.item]
        route_kg[(s.hub, s.point)] = route_kg.get((s.hub, s.point), 0) + s.quantity * weight[
            s.item]
    for key, used in lot_used.items():
        assert used <= lots[key]["quantity"], key
    for h, kg in hub_kg.items():
        assert caps[h] is None or kg <= caps[h] + 1e-6, h
    for key, kg in route_kg.items():
        cap = routes[key]["capacity_kg"]
        assert cap is None or kg <= cap + 1e-6, key
    for n in plan.needs:
        assert 0 <= n.planned <= n.needed
    delivered = {}
    for s in plan.shipments:
        delivered[(s.point, s.item)] = delivered.get((s.point, s.item), 0) + s.quantity
    for (p, i), units in delivered.items():
        assert units == sum(n.planned for n in plan.needs if (n.point, n.item) == (p, i))


@contextlib.contextmanager
def patched(module, **values):
    old = {k: getattr(module, k) for k in values}
    for k, v in values.items():
        setattr(module, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(module, k, v)


def kg_limits(data: dict, point_id: str) -> int:
    """How many capacities in kg (of open routes to the point, and of their hubs) a need
    at this point can meet. Each can cost one unit when rounding: a hub that may send
    62 kg sends 24.8 units of a 2.5 kg item in the LP but only 24 whole ones."""
    capped_hubs = {h["id"] for h in data["hubs"] if h["dispatch_capacity_kg"] is not None}
    ways = [r for r in data["routes"] if r["point"] == point_id and r["open"]]
    return (sum(r["capacity_kg"] is not None for r in ways)
            + len({r["hub"] for r in ways} & capped_hubs))


@SETTINGS
@given(problems())
def test_rounded_plans_are_feasible_and_close_to_the_lp(data):
    plan = solve(parse_problem(data))
    check_feasible(data, plan)
    for n in plan.needs:
        if n.needed > 0:
            # within 1 point plus one unit of the LP, and one unit more per capacity in
            # kg the need meets (the LP share itself may not be reachable in whole units)
            allowed = 0.01 + (1 + kg_limits(data, n.point)) / n.needed + 1e-9
            assert abs(n.fill_rate - n.lp_fill_rate) <= allowed, n
    check_feasible(data, greedy(parse_problem(data)))


def test_a_capacity_in_kg_can_make_the_lp_share_unreachable_in_whole_units():
    """Why the bound above has an allowance: 62 kg and 17 kg of a 2.5 kg item are 31.6
    units in the LP but 30 whole units at most."""
    data = {"plan_date": "2026-11-02", "items": [{"code": "A", "unit_weight_kg": 2.5}],
            "hubs": [{"id": "H0", "dispatch_capacity_kg": 62,
                      "lots": [{"item": "A", "lot": "L0", "quantity": 25}]},
                     {"id": "H1", "dispatch_capacity_kg": 17,
                      "lots": [{"item": "A", "lot": "L1", "quantity": 7}]}],
            "points": [{"id": "P", "needs": [{"item": "A", "quantity": 32, "priority": 1}]}],
            "routes": [{"hub": "H0", "point": "P", "cost_per_kg": 1, "lead_days": 0},
                       {"hub": "H1", "point": "P", "cost_per_kg": 1, "lead_days": 0}]}
    (need,) = solve(parse_problem(data)).needs
    assert need.lp_fill_rate * 32 == pytest.approx(31.6)
    assert need.planned == 30


@SETTINGS
@given(problems())
def test_the_optimiser_is_never_less_fair_to_tier_one_than_greedy(data):
    problem = parse_problem(data)
    plan, first_come = solve(problem), greedy(problem)
    ours = sorted(n.lp_fill_rate for n in plan.needs if n.priority == 1 and n.needed > 0)
    theirs = sorted(n.fill_rate for n in first_come.needs if n.priority == 1 and n.needed > 0)
    if not ours:
        return
    tol = 1e-5  # the LP's fill rates carry HiGHS's feasibility tolerance (1e-7 of a need)
    assert ours[0] >= theirs[0] - tol
    # leximin: the sorted fill rates are lexicographically at least greedy's
    for a, b in zip(ours, theirs, strict=True):
        if abs(a - b) > tol:
            assert a > b, (ours, theirs)
            break
    # and after rounding the lowest tier-1 fill rate is still not below greedy's
    rounded = min(n.fill_rate for n in plan.needs if n.priority == 1 and n.needed > 0)
    assert rounded >= theirs[0] - 1e-9 or theirs[0] - rounded <= 0.01 + 1 / min(
        n.needed for n in plan.needs if n.priority == 1 and n.needed > 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.booleans())
def test_the_shares_are_those_of_textbook_progressive_filling(data, interior):
    # ``interior``: look for the needs stuck at 0 with an interior point in every tier
    # below the first, as the planner does on large problems with little stock left
    with patched(lexicographic, INTERIOR_MIN=1 if interior else 10**9,
                 SCARCE=np.inf if interior else 0.0):
        plan = solve(parse_problem(data))
    expected = Reference(data).leximin()
    got = [n.lp_fill_rate for n in plan.needs]
    for need, a, b in zip(plan.needs, got, expected, strict=True):
        if b is None:
            assert a is None
        else:
            assert np.isclose(a, b, atol=2e-5), (need, got, expected)
