"""Whole units: turning the LP's fractional shipments into a plan a warehouse can pick.

Floor, then repair. Every (pair, lot) piece is rounded down, which can only free stock
and capacity, so the floored plan is feasible. Then units are given back one at a time:
tier 1 first, and within a tier first to the need furthest below its LP share (as a
fraction of what it needs, so that a small need that lost one unit of three comes before
a large one that lost one of three hundred), each through the piece with the largest
fractional part that still has a unit of its lot left and room for one more unit's
kilograms on its route and at its hub, or failing that through any other lot the need
may use. A need is given a unit only while it is at least half a unit below its LP
share, so no need ends above its quantity.

The result stays within one percentage point plus one unit of the LP fill rate for every
need, with one exception no rounding can avoid: a capacity in kg may make the LP share
unreachable in whole units (a hub that may send 62 kg sends 24.8 units of a 2.5 kg item in
the LP, 24 in any real plan), so each such capacity a need meets may cost it one unit
more. ``tests/unit/planning/test_properties.py`` checks both on random problems.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from aidhub.planning.model import Model, lot_flows

_EPS = 1e-6


@dataclass
class Pieces:
    """Integer shipments: units of lot column ``lot_col`` on pair ``pair``."""

    pair: np.ndarray
    lot_col: np.ndarray
    units: np.ndarray  # int64


def round_plan(model: Model, col_value: np.ndarray) -> Pieces:
    pair, lot_col, units = lot_flows(model, model.y(col_value), model.w(col_value))
    lp_need = np.bincount(model.pair_need[pair], weights=units, minlength=model.n_needs)
    return _Rounder(model, pair, lot_col, units, lp_need).run()


class _Rounder:
    def __init__(self, model: Model, pair, lot_col, units, lp_need):
        self.m = m = model
        ix = m.ix
        self.pair = pair.astype(np.int64)
        self.lot_col = lot_col.astype(np.int64)
        whole = np.floor(units + _EPS).astype(np.int64)
        self.units = whole
        self.frac = units - whole
        self.lp_need = lp_need
        kg = m.pair_kg[self.pair]
        # what is left after flooring, per lot (units), hub and route (kg)
        self.lot_left = (ix.lot_qty[m.lot] - np.bincount(
            self.lot_col, weights=whole, minlength=m.nw)).round().astype(np.int64)
        hub = ix.route_hub[m.pair_route[self.pair]]
        self.hub_left = ix.hub_cap - np.bincount(hub, weights=whole * kg,
                                                 minlength=len(ix.hub_ids))
        route = m.pair_route[self.pair]
        self.route_left = ix.route_cap - np.bincount(route, weights=whole * kg,
                                                     minlength=len(ix.route_hub))
        self.delivered = np.bincount(m.pair_need[self.pair], weights=whole,
                                     minlength=m.n_needs)
        # pieces of each need, and pairs of each need
        self.piece_order = np.argsort(m.pair_need[self.pair], kind="stable")
        counts = np.bincount(m.pair_need[self.pair], minlength=m.n_needs)
        self.piece_start = np.cumsum(counts) - counts
        self.piece_count = counts
        self.pair_order = np.argsort(m.pair_need, kind="stable")
        counts = np.bincount(m.pair_need, minlength=m.n_needs)
        self.pair_start = np.cumsum(counts) - counts
        self.pair_count = counts
        self.group_start = np.searchsorted(m.lot_group, np.arange(len(m.group_hub)))
        self.extra: dict[tuple[int, int], int] = {}

    def run(self) -> Pieces:
        self._make_feasible()
        m = self.m
        q = m.ix.need_qty
        prio = m.ix.need_prio
        deficit = self.lp_need - self.delivered
        heap = [(int(prio[n]), -d / q[n], n) for n, d in enumerate(deficit.tolist())
                if d >= 0.5 and q[n] > 0]
        heapq.heapify(heap)
        while heap:
            tier, _, n = heapq.heappop(heap)
            if not self._give_one(n):
                continue
            d = self.lp_need[n] - self.delivered[n]
            if d >= 0.5:
                heapq.heappush(heap, (tier, -d / q[n], n))
        pair, lot_col, units = self.pair, self.lot_col, self.units
        if self.extra:
            keys = np.array(list(self.extra), dtype=np.int64).reshape(-1, 2)
            pair = np.concatenate([pair, keys[:, 0]])
            lot_col = np.concatenate([lot_col, keys[:, 1]])
            units = np.concatenate([units, np.array(list(self.extra.values()))])
        keep = units > 0
        return Pieces(pair[keep], lot_col[keep], units[keep])

    def _fits(self, p: int, lot: int) -> bool:
        m = self.m
        if self.lot_left[lot] < 1:
            return False
        kg = m.pair_kg[p]
        route = m.pair_route[p]
        hub = m.ix.route_hub[route]
        return (self.route_left[route] >= kg - 1e-9 and self.hub_left[hub] >= kg - 1e-9)

    def _take(self, p: int, lot: int) -> None:
        m = self.m
        kg = m.pair_kg[p]
        route = m.pair_route[p]
        self.lot_left[lot] -= 1
        self.route_left[route] -= kg
        self.hub_left[m.ix.route_hub[route]] -= kg
        self.delivered[m.pair_need[p]] += 1

    def _give_one(self, n: int) -> bool:
        """One more unit for need ``n``, if some lot, route and hub have room."""
        start, count = self.piece_start[n], self.piece_count[n]
        pieces = self.piece_order[start:start + count]
        for k in pieces[np.argsort(-self.frac[pieces], kind="stable")]:
            if self.frac[k] > 0 and self._fits(self.pair[k], self.lot_col[k]):
                self._take(self.pair[k], self.lot_col[k])
                self.units[k] += 1
                self.frac[k] = 0.0
                return True
        m = self.m
        start, count = self.pair_start[n], self.pair_count[n]
        for p in self.pair_order[start:start + count].tolist():
            first = self.group_start[m.pair_group[p]]
            for lot in range(first, first + int(m.pair_k[p])):
                if self._fits(p, lot):
                    self._take(p, lot)
                    key = (p, lot)
                    self.extra[key] = self.extra.get(key, 0) + 1
                    return True
        return False

    def _make_feasible(self) -> None:
        """Flooring with a tolerance may leave a resource a hair over (the LP itself is
        only feasible within 1e-7): take units back where that happened."""
        m = self.m
        if (self.lot_left >= 0).all() and (self.hub_left >= -1e-6).all() and (
                self.route_left >= -1e-6).all():
            return
        for k in np.argsort(-self.units, kind="stable"):
            p, lot = self.pair[k], self.lot_col[k]
            route = m.pair_route[p]
            hub = m.ix.route_hub[route]
            while self.units[k] > 0 and (self.lot_left[lot] < 0 or self.route_left[route] < -1e-6
                                         or self.hub_left[hub] < -1e-6):
                kg = m.pair_kg[p]
                self.units[k] -= 1
                self.lot_left[lot] += 1
                self.route_left[route] += kg
                self.hub_left[hub] += kg
                self.delivered[m.pair_need[p]] -= 1
