"""The figures a plan is judged by, computed the same way for every policy.

Per tier: the smallest and the mean fill rate, and the Gini index of the fill rates (0:
everyone got the same share; towards 1: a few got much more than the rest). Overall:
units and kilograms delivered, transport cost, and stock that expires within 30 days of
the plan date without being shipped (what the plan lets go to waste).

Fill rates are delivered ÷ needed per need; a need of 0 units has no fill rate and is
left out of every figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aidhub.planning.model import TIERS, Index

EXPIRY_HORIZON_DAYS = 30


@dataclass(frozen=True)
class Shipped:
    """A plan's shipments as arrays: units of lot ``lot`` to need ``need`` on ``route``
    (indices into the problem's :class:`~aidhub.planning.model.Index`)."""

    route: np.ndarray
    need: np.ndarray
    lot: np.ndarray
    units: np.ndarray

    def delivered(self, ix: Index) -> np.ndarray:
        return np.bincount(self.need, weights=self.units, minlength=ix.n_needs)

    def kg(self, ix: Index) -> np.ndarray:
        return self.units * ix.item_weight[ix.lot_item[self.lot]]


def fill_rates(ix: Index, delivered: np.ndarray) -> np.ndarray:
    """Per need: delivered ÷ needed (NaN for a need of 0)."""
    q = ix.need_qty
    out = np.full(len(q), np.nan)
    np.divide(delivered, q, out=out, where=q > 0)
    return out


def gini(values: np.ndarray) -> float:
    """The Gini index of non-negative values (0 when all are equal, or all 0)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), float(x.sum())
    if n == 0 or total <= 0:
        return 0.0
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)


@dataclass(frozen=True)
class TierFigures:
    needs: int
    needed: int
    planned: int
    min_fill_rate: float | None
    mean_fill_rate: float | None
    gini: float | None


def tiers(ix: Index, fill: np.ndarray, delivered: np.ndarray) -> dict[int, TierFigures]:
    out = {}
    for tier in TIERS:
        mask = (ix.need_prio == tier) & (ix.need_qty > 0)
        values = fill[mask]
        out[tier] = TierFigures(
            needs=int(mask.sum()), needed=int(ix.need_qty[mask].sum()),
            planned=round(float(delivered[mask].sum())),
            min_fill_rate=float(values.min()) if len(values) else None,
            mean_fill_rate=float(values.mean()) if len(values) else None,
            gini=gini(values) if len(values) else None)
    return out


def transport_cost(ix: Index, shipped: Shipped) -> float:
    return float(np.sum(shipped.kg(ix) * ix.route_cost[shipped.route]))


def expiring_unused(ix: Index, shipped: Shipped,
                    horizon: int = EXPIRY_HORIZON_DAYS) -> tuple[int, float]:
    """(units, kg) of stock expiring on or before plan date + ``horizon`` days that the
    plan does not ship."""
    sent = np.bincount(shipped.lot, weights=shipped.units, minlength=len(ix.lot_qty))
    soon = np.isfinite(ix.lot_days) & (ix.lot_days <= horizon)
    left = np.maximum(ix.lot_qty - sent, 0) * soon
    return round(float(left.sum())), float(np.sum(left * ix.item_weight[ix.lot_item]))
