"""The greedy baseline does what people do by hand: priority, then first come, nearest
hub, oldest lot, within the same rules as the optimiser."""

from aidhub.planning import greedy, parse_problem
from tests.unit.planning.builders import hub, item, lot, need, point, problem, route


def shipments(plan):
    return [(s.hub, s.point, s.lot, s.quantity) for s in plan.shipments]


def test_priority_then_submission_then_file_order():
    data = problem([item("A")], [hub("H1", lot("A", "L1", 100))],
                   [point("P1", need("A", 60, 2, submitted="2026-10-01T08:00:00Z")),
                    point("P2", need("A", 60, 1, submitted="2026-10-03T08:00:00Z")),
                    point("P3", need("A", 60, 2, submitted="2026-10-02T08:00:00Z"))],
                   [route("H1", "P1"), route("H1", "P2"), route("H1", "P3")])
    plan = greedy(parse_problem(data))
    assert {n.point: n.planned for n in plan.needs} == {"P2": 60, "P1": 40, "P3": 0}
    assert plan.status == "heuristic" and plan.policy == "greedy"


def test_nearest_hub_first_then_oldest_lot():
    data = problem([item("A")],
                   [hub("FAR", lot("A", "F1", 100)),
                    hub("NEAR", lot("A", "NEW", 30, received=-1), lot("A", "OLD", 30,
                                                                       received=-30))],
                   [point("P1", need("A", 70))],
                   [route("FAR", "P1", lead=5, cost=0.1), route("NEAR", "P1", lead=1, cost=1)])
    plan = greedy(parse_problem(data))
    assert sorted(shipments(plan)) == [("FAR", "P1", "F1", 10), ("NEAR", "P1", "NEW", 30),
                                       ("NEAR", "P1", "OLD", 30)]


def test_the_same_rules_as_the_optimiser():
    data = problem([item("A", kg=2, shelf_life=True)],
                   [hub("H1", lot("A", "SOON", 50, expiry=3), lot("A", "OK", 50, expiry=90),
                        capacity=60),
                    hub("H2", lot("A", "L2", 50, expiry=90))],
                   [point("P1", need("A", 100))],
                   [route("H1", "P1", lead=2), route("H2", "P1", open=False)],
                   min_shelf_life_days=7)
    plan = greedy(parse_problem(data))
    assert shipments(plan) == [("H1", "P1", "OK", 30)]  # 60 kg at 2 kg a unit
    (n,) = plan.needs
    assert "route H2 → P1 closed" in n.reasons
    assert "hub H1 dispatch capacity 60 kg used" in n.reasons
    assert any(r.startswith("lot SOON at H1 too close to expiry") for r in n.reasons)
