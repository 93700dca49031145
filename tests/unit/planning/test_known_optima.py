"""Cases whose right answer can be worked out by hand: the planner must find it."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from aidhub.planning import greedy, parse_problem, plan_to_json, solve
from tests.unit.planning.builders import day, hub, item, lot, need, point, problem, route


def plan_of(data):
    return solve(parse_problem(data))


def fills(plan):
    return {(n.point, n.item, n.priority): n.fill_rate for n in plan.needs}


def lp_fills(plan):
    return {(n.point, n.item, n.priority): n.lp_fill_rate for n in plan.needs}


def shipped(plan):
    out = {}
    for s in plan.shipments:
        out[(s.hub, s.point, s.lot)] = out.get((s.hub, s.point, s.lot), 0) + s.quantity
    return out


def within_rounding(plan):
    for n in plan.needs:
        assert abs(n.fill_rate - n.lp_fill_rate) <= 0.01 + 1 / n.needed + 1e-9, n


def test_supply_below_need_is_shared_in_proportion():
    # (a) 300 units for four identical points needing 100 each: 75 % each
    data = problem([item("A")], [hub("H1", lot("A", "L1", 300))],
                   [point(f"P{k}", need("A", 100)) for k in range(1, 5)],
                   [route("H1", f"P{k}") for k in range(1, 5)])
    plan = plan_of(data)
    assert all(v == pytest.approx(0.75, abs=1e-6) for v in lp_fills(plan).values())
    within_rounding(plan)
    assert sum(n.planned for n in plan.needs) == 300
    assert plan.summary.min_fill_rate(1) == pytest.approx(0.75, abs=0.011)


def test_a_point_no_route_reaches_does_not_drag_the_others_down():
    # (b) P4 has no route: it stays at 0, the other three share 150 (50 % each)
    data = problem([item("A")], [hub("H1", lot("A", "L1", 150))],
                   [point(f"P{k}", need("A", 100)) for k in range(1, 5)],
                   [route("H1", f"P{k}") for k in range(1, 4)])
    plan = plan_of(data)
    got = lp_fills(plan)
    assert got[("P4", "A", 1)] == 0
    assert [got[(f"P{k}", "A", 1)] for k in range(1, 4)] == pytest.approx([0.5] * 3, abs=1e-6)
    p4 = next(n for n in plan.needs if n.point == "P4")
    assert p4.reasons == ("no route reaches P4",) and p4.limits == ("no_route",)


def _brute_force_cost(costs, stock, needs):
    """Min cost of serving every need in full: a transport LP solved independently."""
    hubs, points = len(stock), len(needs)
    c = np.array([costs[h][p] for h, p in itertools.product(range(hubs), range(points))])
    a_ub = np.zeros((hubs, hubs * points))
    for h in range(hubs):
        a_ub[h, h * points:(h + 1) * points] = 1
    a_eq = np.zeros((points, hubs * points))
    for p in range(points):
        a_eq[p, p::points] = 1
    result = linprog(c, A_ub=a_ub, b_ub=stock, A_eq=a_eq, b_eq=needs)
    return result.fun


def test_when_supply_covers_every_need_the_cost_is_minimal():
    # (c) H1: 100 units, H2: 60; P1 needs 80, P2 needs 70; cost per kg below
    costs = [[1.0, 2.0], [3.0, 1.0]]
    data = problem([item("A", kg=2.5)],
                   [hub("H1", lot("A", "L1", 100)), hub("H2", lot("A", "L2", 60))],
                   [point("P1", need("A", 80)), point("P2", need("A", 70))],
                   [route(f"H{h + 1}", f"P{p + 1}", cost=costs[h][p])
                    for h in range(2) for p in range(2)])
    plan = plan_of(data)
    assert all(n.planned == n.needed and not n.reasons for n in plan.needs)
    # by hand: P2 takes H2's 60 and 10 from H1, P1 takes 80 from H1: (80 + 20 + 60) × 2.5
    assert plan.summary.transport_cost == pytest.approx(160 * 2.5)
    assert plan.summary.transport_cost == pytest.approx(
        2.5 * _brute_force_cost(costs, [100, 60], [80, 70]))
    assert shipped(plan) == {("H1", "P1", "L1"): 80, ("H1", "P2", "L1"): 10,
                             ("H2", "P2", "L2"): 60}


def test_a_closed_route_carries_nothing_and_is_named():
    # (d) H1 → P1 is closed; H2 has only 50 of the 100 P1 needs
    data = problem([item("A")],
                   [hub("H1", lot("A", "L1", 500)), hub("H2", lot("A", "L2", 50))],
                   [point("P1", need("A", 100))],
                   [route("H1", "P1", cost=0.1, open=False), route("H2", "P1")])
    plan = plan_of(data)
    (p1,) = plan.needs
    assert p1.planned == 50
    assert all(s.hub == "H2" for s in plan.shipments)
    assert "route H1 → P1 closed" in p1.reasons
    assert "tier-1 fair share limited by total stock of A reachable from H2" in p1.reasons
    assert set(p1.limits) == {"route_closed", "stock"}


def test_a_lot_too_close_to_expiry_is_left_and_explained():
    # (e) 5 lead days + 30 days of shelf life: L1 (10 days left) cannot go, L2 can
    data = problem([item("A", shelf_life=True)],
                   [hub("H1", lot("A", "L1", 100, expiry=10), lot("A", "L2", 40, expiry=100))],
                   [point("P1", need("A", 100))], [route("H1", "P1", lead=5)],
                   min_shelf_life_days=30)
    plan = plan_of(data)
    (p1,) = plan.needs
    assert p1.planned == 40 and shipped(plan) == {("H1", "P1", "L2"): 40}
    assert (f"lot L1 at H1 too close to expiry (expires {day(10)}, needs {day(35)})"
            in p1.reasons)
    assert "expiry" in p1.limits


def test_hub_capacity_is_shared_by_the_leximin_rule():
    # (f) H1 may send 150 kg; P1 can only be served from H1, P2 also from H2 (30 units).
    # Max-min: 100 t + (100 t - 30) <= 150, so t = 0.9 for both, H2's 30 going to P2.
    data = problem([item("A")],
                   [hub("H1", lot("A", "L1", 500), capacity=150), hub("H2", lot("A", "L2", 30))],
                   [point("P1", need("A", 100)), point("P2", need("A", 100))],
                   [route("H1", "P1"), route("H1", "P2"), route("H2", "P2")])
    plan = plan_of(data)
    assert lp_fills(plan) == pytest.approx({("P1", "A", 1): 0.9, ("P2", "A", 1): 0.9},
                                           abs=1e-6)
    assert shipped(plan)[("H2", "P2", "L2")] == 30
    p1 = next(n for n in plan.needs if n.point == "P1")
    assert p1.reasons == ("hub H1 dispatch capacity 150 kg used",)


def test_route_capacity_holds_one_point_while_another_fills_up():
    # (f) H1 → P1 carries 50 kg for two items of 1 kg: 25 % each; P2 then gets all it needs
    data = problem([item("A"), item("B")],
                   [hub("H1", lot("A", "LA", 200), lot("B", "LB", 200))],
                   [point("P1", need("A", 100), need("B", 100)), point("P2", need("A", 100))],
                   [route("H1", "P1", capacity=50), route("H1", "P2")])
    plan = plan_of(data)
    assert lp_fills(plan) == pytest.approx(
        {("P1", "A", 1): 0.25, ("P1", "B", 1): 0.25, ("P2", "A", 1): 1.0}, abs=1e-6)
    p1a = next(n for n in plan.needs if (n.point, n.item) == ("P1", "A"))
    assert p1a.reasons == ("route H1 → P1 capacity 50 kg used",)


def test_hub_capacity_in_kg_weighs_items_by_their_weight():
    # (f) 100 kg to share between 1 kg and 2 kg items needed 100 each: 100 t + 200 t = 100
    data = problem([item("A", kg=1), item("B", kg=2)],
                   [hub("H1", lot("A", "LA", 500), lot("B", "LB", 500), capacity=100)],
                   [point("P1", need("A", 100)), point("P2", need("B", 100))],
                   [route("H1", "P1"), route("H1", "P2")])
    plan = plan_of(data)
    assert list(lp_fills(plan).values()) == pytest.approx([1 / 3, 1 / 3], abs=1e-6)
    kg = sum(s.kg for s in plan.shipments)
    assert kg <= 100 + 1e-9


def test_tier_one_is_served_before_tier_two_gets_scarce_stock():
    # (g) 100 units: the two tier-1 needs of 60 get 50 each, tier 2 nothing
    data = problem([item("A")], [hub("H1", lot("A", "L1", 100))],
                   [point("P1", need("A", 60, 1), need("A", 100, 2)),
                    point("P2", need("A", 60, 1))],
                   [route("H1", "P1"), route("H1", "P2")])
    plan = plan_of(data)
    assert lp_fills(plan) == pytest.approx(
        {("P1", "A", 1): 50 / 60, ("P2", "A", 1): 50 / 60, ("P1", "A", 2): 0.0}, abs=1e-6)
    # with more stock, tier 1 is full and tier 2 gets the rest
    data["hubs"][0]["lots"][0]["quantity"] = 150
    plan = plan_of(data)
    assert fills(plan) == pytest.approx(
        {("P1", "A", 1): 1.0, ("P2", "A", 1): 1.0, ("P1", "A", 2): 0.3}, abs=1e-9)
    tier2 = next(n for n in plan.needs if n.priority == 2)
    assert tier2.reasons == ("tier-2 fair share limited by total stock of A reachable from H1",)


def test_short_dated_lots_go_first_at_equal_cost():
    # (h) the same hub: the lot expiring sooner is sent
    data = problem([item("A", shelf_life=True)],
                   [hub("H1", lot("A", "LONG", 100, expiry=200), lot("A", "SHORT", 100,
                                                                     expiry=50))],
                   [point("P1", need("A", 60))], [route("H1", "P1")])
    assert shipped(plan_of(data)) == {("H1", "P1", "SHORT"): 60}
    # two hubs at the same cost: the one with the shorter-dated lot serves
    data = problem([item("A", shelf_life=True)],
                   [hub("H1", lot("A", "LONG", 100, expiry=200)),
                    hub("H2", lot("A", "SHORT", 100, expiry=50))],
                   [point("P1", need("A", 60))], [route("H1", "P1"), route("H2", "P1")])
    assert shipped(plan_of(data)) == {("H2", "P1", "SHORT"): 60}
    # but never at a higher transport cost
    data["routes"][1]["cost_per_kg"] = 1.5
    assert shipped(plan_of(data)) == {("H1", "P1", "LONG"): 60}


def test_greedy_serves_first_come_first_served_and_the_optimiser_shares():
    data = problem([item("A")], [hub("H1", lot("A", "L1", 100))],
                   [point("P1", need("A", 100, submitted="2026-10-01T08:00:00Z")),
                    point("P2", need("A", 100, submitted="2026-10-01T07:00:00Z"))],
                   [route("H1", "P1"), route("H1", "P2")])
    problem_ = parse_problem(data)
    first = greedy(problem_)
    assert {n.point: n.planned for n in first.needs} == {"P1": 0, "P2": 100}
    p1 = next(n for n in first.needs if n.point == "P1")
    assert p1.reasons == ("stock of A reachable from H1 taken by earlier requests",)
    fair = solve(problem_)
    assert {n.point: n.planned for n in fair.needs} == {"P1": 50, "P2": 50}
    assert plan_to_json(first)["policy"] == "greedy"
    assert plan_to_json(fair)["summary"]["min_fill_rate"] == {"1": 0.5, "2": None, "3": None}


def test_nothing_anywhere_and_no_hub_with_the_item():
    data = problem([item("A"), item("B")], [hub("H1", lot("A", "L1", 10))],
                   [point("P1", need("A", 5), need("B", 5))], [route("H1", "P1")])
    plan = plan_of(data)
    b = next(n for n in plan.needs if n.item == "B")
    assert (b.planned, b.reasons, b.limits) == (0, ("no hub holds B",), ("no_stock",))
