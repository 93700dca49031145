"""The allocation planner: how long a fair-share plan takes, how big its LPs are, and how
it compares with the greedy way of allocating people use today.

Prints JSON. See bench/README.md.

Instances are generated with a fixed seed (``generate``): hubs and points on a 600 km
square, each point reached by its 3 nearest hubs (cost per kg and lead days grow with
the distance), about 4 % of routes closed, one route in ten with a capacity of about a
third of the point's need, a third of the hubs with a dispatch capacity of about 60 % of
what they hold, 3 lots per hub and item (shelf-life items expire from 5 days to two
years out and must have 7 days left on arrival, so some lots fail the shelf-life test
on the longer routes), priorities 1/2/3 for about 25/40/35 % of needs, and total stock
60 % of total need.

* S: 3 hubs, 20 points, 5 items, 4 needs per point;
* M: 8 hubs, 200 points, 20 items, 8 needs per point;
* L: 15 hubs, 1,000 points, 30 items, 10 needs per point.

For each: the time to build the model and to solve it, the LP's size, the number of LP
solves, the optimiser against greedy per tier (``compare``), and the ratio of the whole
plan's time to one bare HiGHS solve of the stage-1 LP (maximise the smallest tier-1
fill rate, no freezing) built here, independently, with scipy sparse matrices.

    .venv/bin/python bench/allocation.py             # S, M and L
    .venv/bin/python bench/allocation.py --quick     # S and M only
    .venv/bin/python bench/allocation.py --sizes L --seed 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SIZES = {
    "S": {"hubs": 3, "points": 20, "items": 5, "needs": 4},
    "M": {"hubs": 8, "points": 200, "items": 20, "needs": 8},
    "L": {"hubs": 15, "points": 1000, "items": 30, "needs": 10},
}
PLAN_DATE = dt.date(2026, 11, 2)
WEIGHTS = (0.5, 1.0, 2.5, 5.0, 12.5, 25.0, 50.0)


def generate(size: str, seed: int = 1) -> dict:
    """A problem in the JSON form (see docs/formats.md)."""
    spec = SIZES[size]
    rng = np.random.default_rng(seed)
    n_hubs, n_points, n_items, per_point = (spec["hubs"], spec["points"], spec["items"],
                                            spec["needs"])
    items = [{"code": f"ITEM-{i:02d}", "unit_weight_kg": float(rng.choice(WEIGHTS)),
              "shelf_life": bool(i % 2 == 0)} for i in range(n_items)]
    hub_xy = rng.uniform(0, 600, size=(n_hubs, 2))
    point_xy = rng.uniform(0, 600, size=(n_points, 2))
    need_total = np.zeros(n_items)
    points = []
    point_kg = np.zeros(n_points)
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    for p in range(n_points):
        chosen = rng.choice(n_items, size=min(per_point, n_items), replace=False)
        needs = []
        for i in chosen:
            qty = int(rng.integers(10, 500))
            priority = int(rng.choice([1, 2, 3], p=[0.25, 0.40, 0.35]))
            need_total[i] += qty
            point_kg[p] += qty * items[i]["unit_weight_kg"]
            stamp = start + dt.timedelta(minutes=int(rng.integers(0, 30 * 24 * 60)))
            needs.append({"item": items[i]["code"], "quantity": qty, "priority": priority,
                          "submitted": stamp.isoformat(), "request": f"R-{p:04d}-{i:02d}"})
        points.append({"id": f"P{p + 1:04d}", "needs": needs})
    hubs = []
    hub_kg = np.zeros(n_hubs)
    for h in range(n_hubs):
        hubs.append({"id": f"H{h + 1:02d}", "dispatch_capacity_kg": None, "lots": []})
    for i in range(n_items):
        stock = 0.6 * need_total[i]
        share = rng.dirichlet(np.full(n_hubs, 2.0)) * stock
        for h in range(n_hubs):
            split = rng.dirichlet(np.ones(3)) * share[h]
            qty = np.floor(split).astype(int)
            for k in range(3):
                shelf = items[i]["shelf_life"]
                expiry = (PLAN_DATE + dt.timedelta(days=int(rng.integers(5, 730)))
                          if shelf else None)
                received = PLAN_DATE - dt.timedelta(days=int(rng.integers(1, 365)))
                hubs[h]["lots"].append({
                    "item": items[i]["code"], "lot": f"L{h + 1:02d}-{i:02d}-{k}",
                    "expiry": expiry.isoformat() if expiry else None,
                    "quantity": int(qty[k]), "received": received.isoformat()})
                hub_kg[h] += qty[k] * items[i]["unit_weight_kg"]
    for h in range(n_hubs):
        if rng.random() < 1 / 3:
            hubs[h]["dispatch_capacity_kg"] = round(float(hub_kg[h]) * 0.6, 1)
    routes = []
    for p in range(n_points):
        dist = np.hypot(*(hub_xy - point_xy[p]).T)
        for h in np.argsort(dist)[:3]:
            d = float(dist[h])
            routes.append({
                "hub": hubs[h]["id"], "point": points[p]["id"],
                "cost_per_kg": round(0.05 + 0.002 * d, 4),
                "lead_days": 1 + int(d // 60),
                "open": bool(rng.random() > 0.04),
                "capacity_kg": (round(float(point_kg[p]) * rng.uniform(0.2, 0.5), 1)
                                if rng.random() < 0.1 else None)})
    return {"plan_date": PLAN_DATE.isoformat(), "min_shelf_life_days": 7, "items": items,
            "hubs": hubs, "points": points, "routes": routes}


# ------------------------------------------------------------------ the bare baseline
def bare_stage_one(data: dict) -> dict:
    """One HiGHS solve of the stage-1 LP, built here with plain loops and a scipy sparse
    matrix, independently of aidhub.planning: a variable per (lot, route, need) that may
    carry goods and the level t; maximise t subject to every tier-1 need with at least
    one variable receiving ≥ t × its quantity (needs nothing can reach are left out, as
    the planner sets them to 0 before any LP), every need at most its quantity, lots,
    hub and route capacities. HiGHS defaults (presolve, its choice of simplex)."""
    import highspy
    import scipy.sparse as sp

    started = time.perf_counter()
    plan = dt.date.fromisoformat(data["plan_date"])
    shelf = data.get("min_shelf_life_days", 0)
    weight = {i["code"]: i["unit_weight_kg"] for i in data["items"]}
    lots_at: dict[tuple[str, str], list[tuple[int, dict]]] = {}
    lot_rows = []
    for h in data["hubs"]:
        for lot in h["lots"]:
            if lot["quantity"] > 0:
                lots_at.setdefault((h["id"], lot["item"]), []).append((len(lot_rows), lot))
                lot_rows.append(lot["quantity"])
    needs = [(p["id"], n) for p in data["points"] for n in p["needs"]]
    needs_at: dict[str, list[int]] = {}
    for k, (pid, _) in enumerate(needs):
        needs_at.setdefault(pid, []).append(k)
    hub_row = {h["id"]: i for i, h in enumerate(
        [h for h in data["hubs"] if h.get("dispatch_capacity_kg") is not None])}
    capped_routes = [r for r in data["routes"] if r.get("capacity_kg") is not None
                     and r.get("open", True)]
    route_row = {(r["hub"], r["point"]): i for i, r in enumerate(capped_routes)}
    n_lot, n_hub, n_route, n_need = len(lot_rows), len(hub_row), len(route_row), len(needs)
    rows, cols, vals = [], [], []
    col = 0
    has_var = [False] * n_need
    for r in data["routes"]:
        if not r.get("open", True):
            continue
        for k in needs_at.get(r["point"], []):
            n = needs[k][1]
            if n["quantity"] <= 0:
                continue
            for row, lot in lots_at.get((r["hub"], n["item"]), []):
                if lot["expiry"] is not None and (dt.date.fromisoformat(lot["expiry"]) - plan
                                                  ).days < r["lead_days"] + shelf:
                    continue
                w = weight[n["item"]]
                rows.append(row)
                cols.append(col)
                vals.append(1.0)
                if r["hub"] in hub_row:
                    rows.append(n_lot + hub_row[r["hub"]])
                    cols.append(col)
                    vals.append(w)
                if (r["hub"], r["point"]) in route_row:
                    rows.append(n_lot + n_hub + route_row[(r["hub"], r["point"])])
                    cols.append(col)
                    vals.append(w)
                rows.append(n_lot + n_hub + n_route + k)  # need cap
                cols.append(col)
                vals.append(1.0)
                if n["priority"] == 1:
                    rows.append(n_lot + n_hub + n_route + n_need + k)  # Σx − q t ≥ 0
                    cols.append(col)
                    vals.append(1.0)
                has_var[k] = True
                col += 1
    t = col
    tier1 = [k for k, (_, n) in enumerate(needs) if n["priority"] == 1 and has_var[k]]
    for k in tier1:
        rows.append(n_lot + n_hub + n_route + n_need + k)
        cols.append(t)
        vals.append(-float(needs[k][1]["quantity"]))
    n_rows = n_lot + n_hub + n_route + 2 * n_need
    a = sp.csc_matrix((vals, (rows, cols)), shape=(n_rows, t + 1))
    inf = highspy.kHighsInf
    row_lower = np.full(n_rows, -inf)
    row_upper = np.concatenate([
        np.array(lot_rows, dtype=float),
        [h["dispatch_capacity_kg"] for h in data["hubs"] if h["id"] in hub_row],
        [r["capacity_kg"] for r in capped_routes],
        [float(n["quantity"]) for _, n in needs], np.full(n_need, inf)])
    row_lower[[n_lot + n_hub + n_route + n_need + k for k in tier1]] = 0.0
    cost = np.zeros(t + 1)
    cost[t] = 1.0
    upper = np.full(t + 1, inf)
    upper[t] = 1.0
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = t + 1, n_rows
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, np.zeros(t + 1), upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = t + 1, n_rows
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    built = time.perf_counter()
    h.run()
    solved = time.perf_counter()
    return {"build_seconds": round(built - started, 4), "solve_seconds": round(solved - built, 4),
            "rows": n_rows, "cols": t + 1, "nonzeros": int(a.nnz),
            "simplex_iterations": int(h.getInfo().simplex_iteration_count),
            "level": round(h.getInfo().objective_function_value, 6),
            "status": h.modelStatusToString(h.getModelStatus())}


# ------------------------------------------------------------------------- running
def figures(plan) -> dict:
    s = plan.summary
    return {"tiers": {str(t): {"needs": s.tiers[t].needs,
                               "min_fill_rate": _r(s.tiers[t].min_fill_rate),
                               "mean_fill_rate": _r(s.tiers[t].mean_fill_rate),
                               "gini": _r(s.tiers[t].gini)} for t in (1, 2, 3)},
            "delivered_kg": round(s.delivered_kg, 1),
            "transport_cost": round(s.transport_cost, 2),
            "expiring_unused_30d": {"units": s.expiring_unused_units,
                                    "kg": round(s.expiring_unused_kg, 1)}}


def _r(value):
    return None if value is None else round(value, 4)


def run(size: str, seed: int, time_limit: float | None) -> dict:
    from aidhub.planning import greedy, parse_problem, solve

    data = generate(size, seed)
    text = json.dumps(data)
    started = time.perf_counter()
    problem = parse_problem(json.loads(text))
    parse_seconds = time.perf_counter() - started
    bare = bare_stage_one(data)
    started = time.perf_counter()
    plan = solve(problem, time_limit=time_limit)
    plan_seconds = time.perf_counter() - started
    started = time.perf_counter()
    baseline = greedy(problem)
    greedy_seconds = time.perf_counter() - started
    stats = plan.stats
    needs = sum(len(p["needs"]) for p in data["points"])
    return {
        "instance": {"size": size, "seed": seed, "hubs": len(data["hubs"]),
                     "points": len(data["points"]), "items": len(data["items"]),
                     "needs": needs, "lots": sum(len(h["lots"]) for h in data["hubs"]),
                     "routes": len(data["routes"]),
                     "closed_routes": sum(not r["open"] for r in data["routes"]),
                     "file_bytes": len(text)},
        "status": plan.status,
        "parse_seconds": round(parse_seconds, 3),
        "plan_seconds": round(plan_seconds, 3),
        "build_seconds": stats["build_seconds"],
        "solve_seconds": stats["solve_seconds"],
        "rounding_seconds": stats["rounding_seconds"],
        "lp": {"rows": stats["rows"], "cols": stats["cols"], "nonzeros": stats["nonzeros"],
               "solves": stats["lp_solves"], "simplex_iterations": stats["simplex_iterations"]},
        "stages": stats["stages"],
        "bare_stage_one": bare,
        "ratio_plan_to_bare_solve": round(plan_seconds / bare["solve_seconds"], 1),
        "greedy_seconds": round(greedy_seconds, 3),
        "compare": {"optimiser": figures(plan), "greedy": figures(baseline)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="S and M only")
    parser.add_argument("--sizes", default=None, help="e.g. L or S,M (default: S,M,L)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()
    sizes = (args.sizes.split(",") if args.sizes else ["S", "M"] if args.quick
             else ["S", "M", "L"])
    from aidhub.planning.solver import _quiet_banner

    _quiet_banner()  # HiGHS's banner would otherwise land in the JSON
    results = {"benchmark": "allocation", "python": platform.python_version(),
               "cpus": os.cpu_count(), "instances": [run(s, args.seed, args.time_limit)
                                                     for s in sizes]}
    text = json.dumps(results, indent=2)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"allocation-{stamp}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
