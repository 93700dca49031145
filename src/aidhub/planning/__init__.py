"""Allocation planning: who gets what from which hub when there is not enough for all.

Pure Python and numpy/scipy/HiGHS: no database, no web, no CLI. A :class:`Problem` (read
from JSON with :func:`load_problem` or :func:`parse_problem`, or built by other code) is
planned with the fair-share policy by :func:`solve`, or the way it is done by hand today
by :func:`greedy`; :func:`compare` does both. Formats: docs/formats.md.
"""

from aidhub.planning.compare import Comparison, compare, comparison_to_json
from aidhub.planning.greedy import greedy
from aidhub.planning.plan import NeedResult, Plan, Shipment, plan_to_json
from aidhub.planning.planner import solve
from aidhub.planning.problem import (
    HubSpec,
    ItemSpec,
    LotSpec,
    NeedSpec,
    PointSpec,
    Problem,
    RouteSpec,
    problem_to_json,
)
from aidhub.planning.validate import load_problem, parse_problem

__all__ = [
    "Comparison",
    "HubSpec",
    "ItemSpec",
    "LotSpec",
    "NeedResult",
    "NeedSpec",
    "Plan",
    "PointSpec",
    "Problem",
    "RouteSpec",
    "Shipment",
    "compare",
    "comparison_to_json",
    "greedy",
    "load_problem",
    "parse_problem",
    "plan_to_json",
    "problem_to_json",
    "solve",
]
