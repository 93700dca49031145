"""The optimiser and the greedy baseline side by side, tier by tier."""

from __future__ import annotations

from dataclasses import dataclass

from aidhub.planning.greedy import greedy
from aidhub.planning.lexicographic import Progress
from aidhub.planning.model import TIERS
from aidhub.planning.plan import Plan
from aidhub.planning.planner import solve
from aidhub.planning.problem import Problem


@dataclass(frozen=True)
class Comparison:
    optimiser: Plan
    greedy: Plan


def compare(problem: Problem, *, time_limit: float | None = None,
            progress: Progress | None = None) -> Comparison:
    return Comparison(solve(problem, time_limit=time_limit, progress=progress),
                      greedy(problem))


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _figures(plan: Plan) -> dict:
    s = plan.summary
    return {
        "tiers": {str(t): {"needs": s.tiers[t].needs,
                           "min_fill_rate": _r(s.tiers[t].min_fill_rate),
                           "mean_fill_rate": _r(s.tiers[t].mean_fill_rate),
                           "gini": _r(s.tiers[t].gini)} for t in TIERS},
        "delivered_units": s.delivered_units,
        "delivered_kg": round(s.delivered_kg, 1),
        "transport_cost": round(s.transport_cost, 2),
        "expiring_unused_30d": {"units": s.expiring_unused_units,
                                "kg": round(s.expiring_unused_kg, 1)},
    }


def comparison_to_json(comparison: Comparison) -> dict:
    return {"optimiser": {"policy": comparison.optimiser.policy,
                          "status": comparison.optimiser.status,
                          "message": comparison.optimiser.message,
                          **_figures(comparison.optimiser)},
            "greedy": {"policy": comparison.greedy.policy, **_figures(comparison.greedy)}}
