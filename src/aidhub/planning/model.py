"""The allocation LP as numpy arrays and one scipy sparse matrix, built without a Python
call per coefficient.

A problem with a thousand points has around a hundred thousand (lot, need) pairs; a loop
that appended coefficients one by one would take longer than HiGHS takes to solve the
LP. So every index is computed with array operations: the (route, need) pairs by
repeating each open route over the needs of its point, the lots of each pair's hub and
item by a sorted search, then the matrix from coordinate arrays.

**Lots are aggregated.** Which lot a unit comes from matters for one thing only before
the last stage: whether the lot is still good when it arrives. On a given route the
usable lots of an item at a hub are those expiring on or after ``plan date + lead days +
min shelf life``: sorted longest-dated first, always a *prefix* of the list. So instead of
one variable per (lot, need), the LP has

* ``y[p]``: units sent on pair ``p`` = (route, need), allowed the first ``k[p]`` lots of
  its (hub, item) group, and
* ``w[l]``: units taken from lot ``l``,

with, per (hub, item) group, ``Σ w = Σ y`` and, for each position ``j``, "units taken
from the lots at positions ≥ j (the shorter-dated ones) ≤ units sent on pairs allowed
those lots" (``Σ_{pos ≥ j} w − Σ_{k > j} y ≤ 0``). For nested choices like these the
inequalities are exactly the condition for a lot-by-lot split to exist (Hall's theorem),
and :func:`lot_flows` finds one. The LP is three times narrower than the lot-by-need one
with the same optimum, and preferring short-dated lots is still exact: the FEFO cost is
``Σ days × w``.

Each need also has a fill-rate column ``f`` (its row: ``Σ y − quantity × f = 0``), so that
holding a need's share is a bound on ``f``, and a fairness row ``f − t ≥ lower`` that
says "at least the common level ``t``" while its tier is being shared (lower 0) and
nothing otherwise (lower −∞). Columns and rows are laid out tier by tier (see
:class:`Model`), so that the LP of the tiers up to ``τ`` is a leading block.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from aidhub.planning.problem import NO_EXPIRY_DAYS, Problem

INF = math.inf
_FAR = 1e7  # stands for "no expiry" in sorted searches (days)


@dataclass
class Index:
    """The problem as flat arrays (position = order in the file)."""

    item_codes: list[str]
    item_weight: np.ndarray  # kg per unit
    hub_ids: list[str]
    hub_cap: np.ndarray  # kg, inf for no limit
    lot_hub: np.ndarray
    lot_item: np.ndarray
    lot_code: list[str]
    lot_qty: np.ndarray
    lot_days: np.ndarray  # days from the plan date to expiry; inf without expiry
    lot_fifo: np.ndarray  # greedy's rank: received date, then file order
    point_ids: list[str]
    need_point: np.ndarray
    need_item: np.ndarray
    need_qty: np.ndarray
    need_prio: np.ndarray
    need_fifo: np.ndarray  # greedy's rank within a priority: submitted, then file order
    route_hub: np.ndarray
    route_point: np.ndarray
    route_cost: np.ndarray  # per kg
    route_lead: np.ndarray  # days
    route_open: np.ndarray
    route_cap: np.ndarray  # kg, inf for no limit
    min_shelf: int

    @property
    def n_needs(self) -> int:
        return len(self.need_qty)

    @property
    def n_items(self) -> int:
        return len(self.item_codes)

    def threshold(self, routes: np.ndarray) -> np.ndarray:
        """Days a lot must have left at the plan date to travel on these routes."""
        return self.route_lead[routes] + self.min_shelf


def _rank(keys: list) -> np.ndarray:
    order = sorted(range(len(keys)), key=lambda k: (keys[k], k))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return rank


def index(problem: Problem) -> Index:
    """Flatten the problem (the one Python loop over its records)."""
    item_codes = [i.code for i in problem.items]
    item_pos = {c: k for k, c in enumerate(item_codes)}
    hub_pos = {h.id: k for k, h in enumerate(problem.hubs)}
    point_pos = {p.id: k for k, p in enumerate(problem.points)}
    lots = [(h, lot) for h, hub in enumerate(problem.hubs) for lot in hub.lots]
    needs = [(p, need) for p, point in enumerate(problem.points) for need in point.needs]
    plan = problem.plan_date
    return Index(
        item_codes=item_codes,
        item_weight=np.array([i.unit_weight_kg for i in problem.items], dtype=float),
        hub_ids=[h.id for h in problem.hubs],
        hub_cap=np.array([INF if h.dispatch_capacity_kg is None else h.dispatch_capacity_kg
                          for h in problem.hubs], dtype=float),
        lot_hub=np.array([h for h, _ in lots], dtype=np.int64),
        lot_item=np.array([item_pos[lot.item] for _, lot in lots], dtype=np.int64),
        lot_code=[lot.lot for _, lot in lots],
        lot_qty=np.array([lot.quantity for _, lot in lots], dtype=float),
        lot_days=np.array([INF if lot.expiry is None else (lot.expiry - plan).days
                           for _, lot in lots], dtype=float),
        lot_fifo=_rank([lot.received.toordinal() if lot.received else 0 for _, lot in lots]),
        point_ids=[p.id for p in problem.points],
        need_point=np.array([p for p, _ in needs], dtype=np.int64),
        need_item=np.array([item_pos[n.item] for _, n in needs], dtype=np.int64),
        need_qty=np.array([n.quantity for _, n in needs], dtype=float),
        need_prio=np.array([n.priority for _, n in needs], dtype=np.int64),
        need_fifo=_rank([n.submitted.timestamp() if n.submitted else -INF
                         for _, n in needs]),
        route_hub=np.array([hub_pos[r.hub] for r in problem.routes], dtype=np.int64),
        route_point=np.array([point_pos[r.point] for r in problem.routes], dtype=np.int64),
        route_cost=np.array([r.cost_per_kg for r in problem.routes], dtype=float),
        route_lead=np.array([r.lead_days for r in problem.routes], dtype=float),
        route_open=np.array([r.open for r in problem.routes], dtype=bool),
        route_cap=np.array([INF if r.capacity_kg is None else r.capacity_kg
                            for r in problem.routes], dtype=float),
        min_shelf=problem.min_shelf_life_days,
    )


def expand(keys: np.ndarray, starts: np.ndarray, counts: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """For each position ``k`` of ``keys``, the members ``starts[key] ..
    starts[key] + counts[key] - 1``: returns (k repeated, member). The vectorised form of
    a nested loop."""
    c = counts[keys]
    owner = np.repeat(np.arange(len(keys)), c)
    first = np.repeat(np.cumsum(c) - c, c)
    member = np.repeat(starts[keys], c) + (np.arange(len(owner)) - first)
    return owner, member


def groups(labels: np.ndarray, n_labels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable sort of ``labels``: (order, start of each label, count of each label)."""
    order = np.argsort(labels, kind="stable")
    counts = np.bincount(labels, minlength=n_labels)
    starts = np.cumsum(counts) - counts
    return order, starts, counts


def route_need_pairs(ix: Index, routes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (route, need) with the need at the route's point, for the given routes."""
    order, start, count = groups(ix.need_point, len(ix.point_ids))
    owner, member = expand(ix.route_point[routes], start, count)
    return routes[owner], order[member]


TIERS = (1, 2, 3)


@dataclass
class Model:
    """The LP of one problem and what its columns and rows stand for.

    Columns: ``w`` (one per lot), ``t``, then tier by tier the tier's ``y`` (one per
    pair) and ``f`` (one per need, its fill rate). Rows: the group rows (balance and
    nesting), hub capacities, route capacities, then tier by tier the tier's need rows
    (``Σ y − q·f = 0``) and fairness rows (``f − t ≥ lower``; lower is −∞ except while
    the tier is shared). So the LP of the tiers up to ``τ`` is a leading block of the
    matrix (:meth:`block`): a tier's sharing never needs the needs of lower tiers.
    """

    ix: Index
    # y columns: (route, need) pairs with at least one usable lot, by tier
    pair_route: np.ndarray
    pair_need: np.ndarray
    pair_k: np.ndarray  # usable lots: the first k of the group, longest-dated first
    pair_group: np.ndarray
    pair_kg: np.ndarray  # kg per unit
    pair_cost: np.ndarray  # transport cost per unit
    pair_col: np.ndarray
    # w columns: lots in groups some pair uses, by group then longest-dated first
    lot: np.ndarray
    lot_group: np.ndarray
    lot_pos: np.ndarray
    lot_days: np.ndarray  # FEFO weight (NO_EXPIRY_DAYS without expiry)
    group_hub: np.ndarray
    f_col: np.ndarray  # per need
    fair_row: np.ndarray  # per need
    tier_cols: dict[int, int]  # columns of the block of tiers up to τ
    tier_rows: dict[int, int]
    matrix: sp.csc_matrix
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    build_seconds: float

    @property
    def ny(self) -> int:
        return len(self.pair_need)

    @property
    def nw(self) -> int:
        return len(self.lot)

    @property
    def t_col(self) -> int:
        return self.nw

    @property
    def n_cols(self) -> int:
        return self.matrix.shape[1]

    @property
    def n_rows(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_needs(self) -> int:
        return self.ix.n_needs

    def usable(self) -> np.ndarray:
        """Per need: whether any column can bring it something."""
        return np.bincount(self.pair_need, minlength=self.n_needs) > 0

    def block(self, tier: int) -> sp.csc_matrix:
        """The matrix of the LP of tiers up to ``tier``."""
        return self.matrix[: self.tier_rows[tier], : self.tier_cols[tier]]

    def y(self, col_value: np.ndarray) -> np.ndarray:
        """Units per pair from a column vector (missing columns count as 0)."""
        return _pick(col_value, self.pair_col)

    def w(self, col_value: np.ndarray) -> np.ndarray:
        return _pick(col_value, np.arange(self.nw))

    def delivered(self, col_value: np.ndarray) -> np.ndarray:
        """Units per need."""
        return np.bincount(self.pair_need, weights=self.y(col_value), minlength=self.n_needs)


def _pick(values: np.ndarray, cols: np.ndarray) -> np.ndarray:
    out = np.zeros(len(cols))
    inside = cols < len(values)
    out[inside] = values[cols[inside]]
    return out


def build(problem: Problem | Index) -> Model:
    started = time.perf_counter()
    ix = problem if isinstance(problem, Index) else index(problem)
    n_items, n_needs = ix.n_items, ix.n_needs
    n_groups = len(ix.hub_ids) * n_items

    # lots with stock, sorted by group then longest-dated first
    stocked = np.flatnonzero(ix.lot_qty > 0)
    lot_gkey = ix.lot_hub[stocked] * n_items + ix.lot_item[stocked]
    days = np.where(np.isfinite(ix.lot_days[stocked]), ix.lot_days[stocked], _FAR)
    order = np.lexsort((stocked, -days, lot_gkey))
    sorted_lots, sorted_gkey, sorted_days = stocked[order], lot_gkey[order], days[order]
    g_count = np.bincount(sorted_gkey, minlength=n_groups)
    g_start = np.cumsum(g_count) - g_count

    # (route, need) pairs on open routes, for needs with a quantity and stock at the hub
    pair_route, pair_need = route_need_pairs(ix, np.flatnonzero(ix.route_open))
    keep = ix.need_qty[pair_need] > 0
    pair_route, pair_need = pair_route[keep], pair_need[keep]
    pair_gkey = ix.route_hub[pair_route] * n_items + ix.need_item[pair_need]
    keep = g_count[pair_gkey] > 0
    pair_route, pair_need, pair_gkey = pair_route[keep], pair_need[keep], pair_gkey[keep]
    # usable lots = those with days >= threshold: a prefix of the group's sorted lots
    scale = 4 * _FAR
    flat = sorted_gkey * scale - sorted_days  # ascending within and across groups
    pair_k = (np.searchsorted(flat, pair_gkey * scale - ix.threshold(pair_route),
                              side="right") - g_start[pair_gkey])
    live = pair_k > 0  # else every lot is too short-dated for this route
    # y columns by tier, then need, then route (file order)
    order = np.lexsort((pair_route[live], pair_need[live], ix.need_prio[pair_need[live]]))
    pair_route, pair_need = pair_route[live][order], pair_need[live][order]
    pair_gkey, pair_k = pair_gkey[live][order], pair_k[live][order]

    # groups in use; their lots become w columns
    used_groups = np.unique(pair_gkey)
    group_of = np.full(n_groups, -1)
    group_of[used_groups] = np.arange(len(used_groups))
    pair_group = group_of[pair_gkey]
    lot_mask = group_of[sorted_gkey] >= 0
    lot = sorted_lots[lot_mask]
    lot_group = group_of[sorted_gkey[lot_mask]]
    lot_pos = (np.arange(len(sorted_lots)) - g_start[sorted_gkey])[lot_mask]
    lot_days = ix.lot_days[lot]
    lot_kg = ix.item_weight[ix.lot_item[lot]]
    used_count = g_count[used_groups]
    used_start = np.cumsum(used_count) - used_count  # first w column of each group
    ny, nw = len(pair_need), len(lot)
    kg = ix.item_weight[ix.need_item[pair_need]]

    # columns: w, t, then per tier y and f
    t_col = nw
    need_tier = ix.need_prio
    pairs_in = np.array([np.sum(ix.need_prio[pair_need] == tau) for tau in TIERS])
    needs_in = np.array([np.sum(need_tier == tau) for tau in TIERS])
    tier_width = pairs_in + needs_in
    tier_col0 = nw + 1 + np.cumsum(tier_width) - tier_width
    pair_tier = ix.need_prio[pair_need] - 1
    pair_first = np.searchsorted(ix.need_prio[pair_need], TIERS)  # pairs sorted by tier
    pair_col = tier_col0[pair_tier] + (np.arange(ny) - pair_first[pair_tier])
    need_rank = np.empty(n_needs, dtype=np.int64)
    for tau in TIERS:
        members = np.flatnonzero(need_tier == tau)
        need_rank[members] = np.arange(len(members))
    f_col = tier_col0[need_tier - 1] + pairs_in[need_tier - 1] + need_rank

    # group rows: balance (position 0), then nesting rows j = 1 .. K-1 that are needed
    # (some pair of the group stops before position j)
    min_k = np.full(len(used_groups), np.iinfo(np.int64).max)
    np.minimum.at(min_k, pair_group, pair_k)
    slot = used_start  # key of row (group, j) = used_start[group] + j
    wanted = np.zeros(nw, dtype=bool)
    wanted[slot] = True
    later = lot_pos >= 1
    wanted[(slot[lot_group] + lot_pos)[later]] = lot_pos[later] >= min_k[lot_group[later]]
    n_group_rows = int(wanted.sum())
    key_row = np.full(nw, -1)
    key_row[wanted] = np.arange(n_group_rows)
    # w in rows (group, j) for j = 0 .. pos; y in rows (group, j) for j = 0 .. k - 1
    w_owner, w_j = expand(np.arange(nw), np.zeros(nw, dtype=np.int64), lot_pos + 1)
    w_rows = key_row[slot[lot_group[w_owner]] + w_j]
    w_ok = w_rows >= 0
    y_owner, y_j = expand(np.arange(ny), np.zeros(ny, dtype=np.int64), pair_k)
    y_rows = key_row[slot[pair_group[y_owner]] + y_j]
    y_ok = y_rows >= 0

    hubs_capped = np.flatnonzero(np.isfinite(ix.hub_cap))
    hubs_capped = hubs_capped[np.isin(hubs_capped, ix.lot_hub[lot])]
    hub_row0 = n_group_rows
    hub_row_of = np.full(len(ix.hub_ids), -1)
    hub_row_of[hubs_capped] = hub_row0 + np.arange(len(hubs_capped))
    w_hub = hub_row_of[ix.lot_hub[lot]]
    routes_capped = np.unique(pair_route[np.isfinite(ix.route_cap[pair_route])])
    route_row0 = hub_row0 + len(hubs_capped)
    route_row_of = np.full(len(ix.route_hub), -1)
    route_row_of[routes_capped] = route_row0 + np.arange(len(routes_capped))
    y_route = route_row_of[pair_route]
    fixed_rows = route_row0 + len(routes_capped)
    # rows per tier: need rows then fairness rows
    tier_row0 = fixed_rows + 2 * (np.cumsum(needs_in) - needs_in)
    need_row = tier_row0[need_tier - 1] + need_rank
    fair_row = need_row + needs_in[need_tier - 1]
    n_rows = fixed_rows + 2 * n_needs

    rows = np.concatenate([
        y_rows[y_ok], y_route[y_route >= 0], need_row[pair_need],
        w_rows[w_ok], w_hub[w_hub >= 0],
        need_row, fair_row, fair_row])
    cols = np.concatenate([
        pair_col[y_owner[y_ok]], pair_col[y_route >= 0], pair_col,
        w_owner[w_ok], np.flatnonzero(w_hub >= 0),
        f_col, f_col, np.full(n_needs, t_col)])
    vals = np.concatenate([
        -np.ones(int(y_ok.sum())), kg[y_route >= 0], np.ones(ny),
        np.ones(int(w_ok.sum())), lot_kg[w_hub >= 0],
        -ix.need_qty, np.ones(n_needs), -np.ones(n_needs)])
    n_cols = nw + 1 + int(tier_width.sum())
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))
    matrix.sum_duplicates()
    matrix.sort_indices()

    row_lower = np.full(n_rows, -INF)
    row_upper = np.full(n_rows, INF)
    row_lower[key_row[slot]] = 0.0  # balance rows: Σ w − Σ y = 0
    row_upper[:n_group_rows] = 0.0
    row_upper[hub_row0:route_row0] = ix.hub_cap[hubs_capped]
    row_upper[route_row0:fixed_rows] = ix.route_cap[routes_capped]
    row_lower[need_row] = 0.0
    row_upper[need_row] = 0.0
    col_lower = np.zeros(n_cols)
    col_upper = np.full(n_cols, INF)
    col_upper[:nw] = ix.lot_qty[lot]
    col_upper[t_col] = 1.0
    col_upper[f_col] = np.where(ix.need_qty > 0, 1.0, 0.0)
    cum_width = np.cumsum(tier_width)
    return Model(
        ix=ix, pair_route=pair_route, pair_need=pair_need, pair_k=pair_k,
        pair_group=pair_group, pair_kg=kg, pair_cost=kg * ix.route_cost[pair_route],
        pair_col=pair_col, lot=lot, lot_group=lot_group, lot_pos=lot_pos,
        lot_days=np.where(np.isfinite(lot_days), lot_days, NO_EXPIRY_DAYS),
        group_hub=used_groups // n_items, f_col=f_col, fair_row=fair_row,
        tier_cols={tau: nw + 1 + int(cum_width[k]) for k, tau in enumerate(TIERS)},
        tier_rows={tau: int(fixed_rows + 2 * np.cumsum(needs_in)[k])
                   for k, tau in enumerate(TIERS)},
        matrix=matrix, col_lower=col_lower, col_upper=col_upper, row_lower=row_lower,
        row_upper=row_upper, build_seconds=time.perf_counter() - started)


def lot_flows(model: Model, y: np.ndarray, w: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split the aggregated solution lot by lot: returns (pair, lot column, units) for
    every piece, each lot only on pairs allowed to use it.

    Within a group, pairs are taken in order of how many lots they may use (most first)
    and lots shortest-dated first, and the two lists are laid end to end against each
    other (the "north-west corner" rule): the nesting rows of the LP guarantee that the
    shorter-dated lots fall on pairs allowed them."""
    y = np.maximum(y, 0.0)
    w = np.maximum(w, 0.0)
    n_groups = len(model.group_hub)
    p_order = np.lexsort((-model.pair_k, model.pair_group))
    l_order = np.lexsort((-model.lot_pos, model.lot_group))
    y_sum = np.bincount(model.pair_group, weights=y, minlength=n_groups)
    w_sum = np.bincount(model.lot_group, weights=w, minlength=n_groups)
    # scale lots so that each group's two totals agree exactly
    ratio = np.divide(y_sum, w_sum, out=np.zeros(n_groups), where=w_sum > 0)
    w_scaled = w * ratio[model.lot_group]
    offset = np.cumsum(y_sum) - y_sum
    y_end = offset[model.pair_group[p_order]] + _segment_cumsum(
        y[p_order], model.pair_group[p_order])
    w_end = offset[model.lot_group[l_order]] + _segment_cumsum(
        w_scaled[l_order], model.lot_group[l_order])
    cuts = np.unique(np.concatenate([[0.0], y_end, w_end]))
    length = np.diff(cuts)
    middle = cuts[:-1] + length / 2
    keep = length > 1e-9
    middle, length = middle[keep], length[keep]
    pi = np.minimum(np.searchsorted(y_end, middle), len(y_end) - 1)
    li = np.minimum(np.searchsorted(w_end, middle), len(w_end) - 1)
    pair, lot_col = p_order[pi], l_order[li]
    ok = ((model.pair_group[pair] == model.lot_group[lot_col])
          & (model.lot_pos[lot_col] < model.pair_k[pair]))
    pair, lot_col, length = pair[ok], lot_col[ok], length[ok]
    # one piece per (pair, lot)
    key = pair.astype(np.int64) * max(model.nw, 1) + lot_col
    uniq, inv = np.unique(key, return_inverse=True)
    units = np.bincount(inv, weights=length)
    return uniq // max(model.nw, 1), uniq % max(model.nw, 1), units


def _segment_cumsum(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each new label (labels sorted)."""
    total = np.cumsum(values)
    if not len(values):
        return total
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    before = np.repeat(total[starts] - values[starts], np.diff(np.r_[starts, len(values)]))
    return total - before
