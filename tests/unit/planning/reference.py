"""A slow, obviously-correct fair-share planner for tiny problems, to check the fast one.

It shares nothing with ``aidhub.planning`` but the JSON form: one variable per (lot,
route, need) with every rule written out, scipy's ``linprog``, and progressive filling
done the textbook way: raise the common level, then test every active need on its own
(can it rise above the level while the others stay at or above it?) and freeze those
that cannot.
"""

import datetime as dt

import numpy as np
from scipy.optimize import linprog


class Reference:
    def __init__(self, data: dict):
        plan = dt.date.fromisoformat(data["plan_date"])
        shelf = data.get("min_shelf_life_days", 0)
        weight = {i["code"]: i["unit_weight_kg"] for i in data["items"]}
        self.needs = [(p["id"], n["item"], n["priority"], n["quantity"])
                      for p in data["points"] for n in p["needs"]]
        variables = []  # (need index, route index, hub, lot qty key, kg)
        lots = [(h["id"], lot) for h in data["hubs"] for lot in h["lots"]]
        for k, (pid, code, _prio, qty) in enumerate(self.needs):
            if qty <= 0:
                continue
            for r, route in enumerate(data["routes"]):
                if route["point"] != pid or not route.get("open", True):
                    continue
                for j, (hid, lot) in enumerate(lots):
                    if hid != route["hub"] or lot["item"] != code or lot["quantity"] <= 0:
                        continue
                    if lot.get("expiry") is not None:
                        left = (dt.date.fromisoformat(lot["expiry"]) - plan).days
                        if left < route["lead_days"] + shelf:
                            continue
                    variables.append((k, r, hid, j, weight[code]))
        self.variables = variables
        n = len(variables)
        rows, rhs = [], []
        for j, (_, lot) in enumerate(lots):
            row = np.array([1.0 if v[3] == j else 0.0 for v in variables])
            rows.append(row)
            rhs.append(lot["quantity"])
        for h in data["hubs"]:
            if h.get("dispatch_capacity_kg") is not None:
                rows.append(np.array([v[4] if v[2] == h["id"] else 0.0 for v in variables]))
                rhs.append(h["dispatch_capacity_kg"])
        for r, route in enumerate(data["routes"]):
            if route.get("capacity_kg") is not None:
                rows.append(np.array([v[4] if v[1] == r else 0.0 for v in variables]))
                rhs.append(route["capacity_kg"])
        for k, need in enumerate(self.needs):
            rows.append(np.array([1.0 if v[0] == k else 0.0 for v in variables]))
            rhs.append(need[3])
        self.a = np.array(rows).reshape(len(rows), n)
        self.b = np.array(rhs, dtype=float)
        self.of_need = np.array([[1.0 if v[0] == k else 0.0 for v in variables]
                                 for k in range(len(self.needs))]).reshape(len(self.needs), n)

    def _max(self, objective, lower: dict[int, float], level_needs: list[int] | None = None,
             level: float | None = None):
        """Maximise ``objective`` (over x, and t last when level_needs is given)."""
        n = len(self.variables)
        with_t = level_needs is not None and level is None
        size = n + (1 if with_t else 0)
        a_ub = [np.r_[row, [0.0] * (size - n)] for row in self.a]
        b_ub = list(self.b)
        for k, v in lower.items():
            a_ub.append(np.r_[-self.of_need[k], [0.0] * (size - n)])
            b_ub.append(-(v * self.needs[k][3] - 1e-6))  # held, to a millionth of a unit
        for k in level_needs or []:
            q = self.needs[k][3]
            if with_t:
                a_ub.append(np.r_[-self.of_need[k], [q]])
                b_ub.append(0.0)
            else:
                a_ub.append(-self.of_need[k])
                b_ub.append(-(level * q - 1e-6))
        bounds = [(0, None)] * n + ([(0, 1)] if with_t else [])
        c = -np.r_[objective, [0.0] * (size - len(objective))] if not with_t else -np.r_[
            [0.0] * n, [1.0]]
        res = linprog(c, A_ub=np.array(a_ub).reshape(len(a_ub), size), b_ub=b_ub,
                      bounds=bounds, method="highs")
        assert res.status == 0, res.message
        return -res.fun, res.x

    def leximin(self) -> list[float]:
        """Fill rates (per need, file order) of the fair-share policy; None for q = 0."""
        held: dict[int, float] = {}
        usable = self.of_need.sum(axis=1) > 0
        for tier in (1, 2, 3):
            active = [k for k, need in enumerate(self.needs)
                      if need[2] == tier and need[3] > 0 and usable[k]]
            for k, need in enumerate(self.needs):
                if need[2] == tier and need[3] > 0 and not usable[k]:
                    held[k] = 0.0
            while active:
                level, _ = self._max(None, held, active)
                level = min(level, 1.0)
                blocked = []
                for k in active:
                    others = [j for j in active if j != k]
                    best, _ = self._max(self.of_need[k] / self.needs[k][3], held, others,
                                        level)
                    if best <= level + 1e-6:
                        blocked.append(k)
                if not blocked or level >= 1 - 1e-9:
                    blocked = list(active)
                for k in blocked:
                    held[k] = level
                active = [k for k in active if k not in blocked]
        return [None if need[3] <= 0 else held.get(k, 0.0) for k, need in enumerate(self.needs)]
