"""The optimiser end to end: build the LP, run the fair-share stages, round to whole
units, and assemble the plan with its reasons and figures."""

from __future__ import annotations

import time

from aidhub.domain.errors import InvalidInput
from aidhub.planning.lexicographic import Progress, fair_share
from aidhub.planning.metrics import Shipped
from aidhub.planning.model import build
from aidhub.planning.plan import Plan, assemble
from aidhub.planning.problem import Problem
from aidhub.planning.rounding import round_plan


def solve(problem: Problem, *, time_limit: float | None = None,
          progress: Progress | None = None) -> Plan:
    """Plan ``problem`` with the fair-share policy. With ``time_limit`` (seconds), the
    plan is the best feasible one found by then (status "time_limit", and ``message``
    says what is not final). ``progress(stage, done, total)`` is called as it goes."""
    if time_limit is not None and not time_limit > 0:
        raise InvalidInput("must be more than 0 seconds, not %(seconds)s",
                           field="time_limit", seconds=time_limit)
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    model = build(problem)
    # the LP stages get the time left less a twentieth, kept for rounding and reasons
    left = None if time_limit is None else max(0.95 * time_limit - model.build_seconds, 0.0)
    outcome = fair_share(model, time_limit=left, progress=report)
    lp_seconds = time.perf_counter() - started - model.build_seconds
    report("rounding", 0, 1)
    rounding_started = time.perf_counter()
    pieces = round_plan(model, outcome.col_value)
    shipped = Shipped(route=model.pair_route[pieces.pair], need=model.pair_need[pieces.pair],
                      lot=model.lot[pieces.lot_col], units=pieces.units)
    rounding_seconds = time.perf_counter() - rounding_started
    report("rounding", 1, 1)
    s = outcome.stats
    stages = {}
    for stage, entry in s.by_stage.items():
        stages[stage] = {"solves": entry["solves"], "iterations": entry["iterations"],
                         "seconds": round(entry["seconds"], 4)}
        if stage in outcome.rounds:
            stages[stage]["rounds"] = outcome.rounds[stage]
            stages[stage]["levels"] = outcome.levels[stage]
    stats = {
        "lp_solves": s.solves, "simplex_iterations": s.iterations,
        "rows": model.n_rows, "cols": model.n_cols, "nonzeros": int(model.matrix.nnz),
        "build_seconds": round(model.build_seconds, 4),
        "solve_seconds": round(s.seconds, 4),
        "stage_seconds": round(lp_seconds, 4),
        "rounding_seconds": round(rounding_seconds, 4),
        "stages": stages,
    }
    plan = assemble(problem, model.ix, shipped, policy="fair-share", status=outcome.status,
                    message=outcome.message, lp_delivered=model.delivered(outcome.col_value),
                    stats=stats)
    stats["total_seconds"] = round(time.perf_counter() - started, 4)
    return plan
