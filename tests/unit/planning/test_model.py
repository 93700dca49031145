"""The aggregated LP (one variable per route and need, lots grouped by expiry) allows
exactly what the lot-by-lot LP allows."""

import datetime as dt

import numpy as np
from hypothesis import given, settings
from scipy.optimize import linprog

from aidhub.planning import parse_problem
from aidhub.planning.model import build, lot_flows
from tests.unit.planning.test_properties import problems


def _max_delivery_by_lots(data: dict) -> float:
    """Most units that can be delivered, one variable per (lot, route, need)."""
    plan = dt.date.fromisoformat(data["plan_date"])
    shelf = data.get("min_shelf_life_days", 0)
    weight = {i["code"]: i["unit_weight_kg"] for i in data["items"]}
    lots = [(h, lot) for h in data["hubs"] for lot in h["lots"]]
    needs = [(p["id"], n) for p in data["points"] for n in p["needs"]]
    cols = []
    for k, (pid, n) in enumerate(needs):
        for r, route in enumerate(data["routes"]):
            if route["point"] != pid or not route["open"]:
                continue
            for j, (h, lot) in enumerate(lots):
                ok = h["id"] == route["hub"] and lot["item"] == n["item"]
                if ok and lot["expiry"] is not None:
                    ok = ((dt.date.fromisoformat(lot["expiry"]) - plan).days
                          >= route["lead_days"] + shelf)
                if ok:
                    cols.append((k, r, j, weight[n["item"]], h))
    if not cols:
        return 0.0
    rows, rhs = [], []
    for j, (_, lot) in enumerate(lots):
        rows.append([1.0 if c[2] == j else 0 for c in cols])
        rhs.append(lot["quantity"])
    for k, (_, n) in enumerate(needs):
        rows.append([1.0 if c[0] == k else 0 for c in cols])
        rhs.append(n["quantity"])
    for r, route in enumerate(data["routes"]):
        if route["capacity_kg"] is not None:
            rows.append([c[3] if c[1] == r else 0 for c in cols])
            rhs.append(route["capacity_kg"])
    for h in data["hubs"]:
        if h["dispatch_capacity_kg"] is not None:
            rows.append([c[3] if c[4] is h else 0 for c in cols])
            rhs.append(h["dispatch_capacity_kg"])
    res = linprog(-np.ones(len(cols)), A_ub=np.array(rows), b_ub=rhs, method="highs")
    return -res.fun


@settings(max_examples=60, deadline=None)
@given(problems())
def test_aggregated_and_lot_by_lot_models_deliver_the_same_most(data):
    m = build(parse_problem(data))
    a = m.matrix.toarray()
    c = np.zeros(m.n_cols)
    c[m.pair_col] = -1
    bounds = list(zip(m.col_lower, m.col_upper, strict=True))
    bounds[m.t_col] = (0, 0)
    finite_up, finite_lo = np.isfinite(m.row_upper), np.isfinite(m.row_lower)
    res = linprog(c, A_ub=np.r_[a[finite_up], -a[finite_lo]],
                  b_ub=np.r_[m.row_upper[finite_up], -m.row_lower[finite_lo]],
                  bounds=bounds, method="highs")
    assert res.status == 0
    assert np.isclose(-res.fun, _max_delivery_by_lots(data), atol=1e-6)
    # and the split lot by lot respects the lots and their expiry
    pair, lot_col, units = lot_flows(m, m.y(res.x), m.w(res.x))
    assert np.allclose(np.bincount(pair, weights=units, minlength=m.ny), m.y(res.x), atol=1e-6)
    assert (m.lot_pos[lot_col] < m.pair_k[pair]).all()
    used = np.bincount(lot_col, weights=units, minlength=m.nw)
    assert (used <= m.ix.lot_qty[m.lot] + 1e-6).all()
