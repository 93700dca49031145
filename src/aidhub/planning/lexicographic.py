"""The fair-share policy: a lexicographic sequence of LPs on one model.

1. **Tier 1, max-min fairness by progressive filling.** Raise the common fill rate ``t``
   of the tier-1 needs not yet frozen as far as it goes. The needs that cannot rise above
   ``t`` without lowering another need at or below ``t`` are *blocked*: they are frozen at
   ``t`` (their fill rate may not fall below it again) and the others go on rising. The
   result is the leximin vector of fill rates, which is unique: a need nothing can reach
   stays at 0 without holding the others at 0, and stock that can raise someone's fill
   is always used.
2. The same for tier 2, then tier 3, with the fill rates of the tiers above held.
3. Minimise transport cost, all fill rates held.
4. Prefer short-dated lots (minimise units × days to expiry), cost held within 1e-7.

Finding the blocked needs cheaply is what makes this fast. After ``max t`` the dual
value of a need's fairness row ``f − t ≥ 0`` is its share of the bottleneck: a positive
dual proves the need blocked (raising it would lower ``t``), so those needs are frozen
with no further LP, and the next round re-solves from the same basis. When several
groups of needs are blocked at the same level, the duals may name only one group (a
degenerate optimum); the next round then finds ``t`` unchanged and its duals name the
next group, and so on. The duals always name at least one need (they sum to 1 over the
fairness rows), so every round freezes someone. A batched "can these rise?" test LP
settles a whole level at once, but on the benchmark instances it cost more than the
extra rounds it saved (the test's objective throws the basis away twice, and with
little stock left the capped candidates crowd each other out, so one test proves only a
few of them free): on the large instance of bench/allocation.py, 12.3 s with tests
against 8.4 s without, when this was measured.

Needs that can get nothing at all are the costly case for the duals: at level 0 the
optimum is very degenerate and each round names a small group at great cost. So before
its first LP a tier holds at 0, without any round, the needs of items the tiers above
have used up (what is left of an item is fixed once they are held), and, when what is
left covers less than half of what the tier needs, the needs found stuck at 0 by one
interior-point solve (a point in the relative interior of the feasible set is positive
exactly where something can be had).

Each tier is solved on the LP of the tiers up to it only (lower tiers' needs cannot
change a higher tier's shares): its first LP is solved from scratch with presolve and
the dual simplex, the rounds after it from the previous basis with the primal simplex
(freezing a need at the level it has keeps the basis feasible). The cost and FEFO stages
continue on the last model. When the time limit is reached, the best feasible solution
found so far is kept and the plan says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from aidhub.planning.model import TIERS, Model
from aidhub.planning.solver import (
    CHOOSE,
    PRIMAL,
    Lp,
    SolverFailed,
    SolveStats,
    TimeLimitReached,
    interior_point,
)

#: A frozen fill rate may fall this far below its level in later rounds and tiers (the LP
#: is only exact to about 1e-9); at the end of its tier it is held at what it reached.
HOLD = 1e-9
#: The FEFO stage keeps the transport cost within this factor of the optimum (plus 1e-6).
COST_HOLD = 1e-7
#: Fill rates closer than this to 0 or 1 are taken as 0 or 1 (a hundred-thousandth of a need).
FLOOR = 1e-5

#: Units of an item left below which it counts as used up.
EXHAUSTED = 1e-3
#: At the interior point, a fill rate below this means "cannot get anything" (the needs
#: that can are far above it: 1e-2 and more on the benchmark, the others below 1e-6).
STUCK = 1e-6
#: Look for stuck needs with an interior point only in tiers with at least this many
#: needs, and only when what is left would cover less than this share of what they need.
INTERIOR_MIN = 50
SCARCE = 0.5

Progress = Callable[[str, int, int], None]


@dataclass
class Outcome:
    """The LP result: the best feasible column vector and how it was reached."""

    col_value: np.ndarray
    status: str  # "optimal" or "time_limit"
    message: str | None
    stats: SolveStats
    rounds: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    transport_cost: float | None = None


class FairShare:
    """Runs the stages on ``model``; see the module docstring."""

    def __init__(self, model: Model, *, deadline: float | None = None,
                 progress: Progress | None = None):
        self.model = model
        self.deadline = deadline
        self.progress = progress or (lambda stage, done, total: None)
        self.col_lower = model.col_lower.copy()
        self.col_upper = model.col_upper.copy()
        self.row_lower = model.row_lower.copy()
        self.row_upper = model.row_upper.copy()
        self.best = np.zeros(model.n_cols)  # all zero is feasible: nobody gets anything
        self.stats = SolveStats()
        self.lp: Lp | None = None
        self.width = 0
        self.outcome = Outcome(self.best, "optimal", None, self.stats)

    # ------------------------------------------------------------------ running
    def run(self) -> Outcome:
        stage = "tier 1"
        try:
            for tier in TIERS:
                stage = f"tier {tier}"
                self._share(tier)
            stage = "cost"
            self._cost()
            stage = "fefo"
            self._fefo()
        except TimeLimitReached:
            self.outcome.status = "time_limit"
            self.outcome.message = (
                f"the time limit was reached while working on {_STAGE_WORDS[stage]}; "
                "this plan is feasible but not final: "
                + _NOT_FINAL[stage])
        self._collect()
        self.outcome.col_value = self.best
        return self.outcome

    def _collect(self) -> None:
        if self.lp is not None:
            _merge(self.stats, self.lp.stats)
            self.lp.stats = SolveStats()

    def _open(self, tier: int) -> Lp:
        """A fresh LP of the tiers up to ``tier`` with the bounds so far."""
        self._collect()
        m = self.model
        cols, rows = m.tier_cols[tier], m.tier_rows[tier]
        self.lp = Lp(m.block(tier), self.col_lower[:cols], self.col_upper[:cols],
                     self.row_lower[:rows], self.row_upper[:rows],
                     deadline=self.deadline)
        self.width = cols
        return self.lp

    def _solve(self, stage: str, strategy: int = PRIMAL) -> float:
        try:
            value = self.lp.solve(stage, strategy=strategy)
        except SolverFailed:
            # Holds that rounding errors have made slightly inconsistent: loosen every
            # held fill rate by a further 1e-5 and solve again from scratch.
            m = self.model
            held = m.f_col[self.col_lower[m.f_col] > 0]
            held = held[held < self.width]
            self.col_lower[held] = np.maximum(self.col_lower[held] * (1 - 1e-5) - 1e-7, 0)
            self.lp.set_col_bounds(held, self.col_lower[held], self.col_upper[held])
            self.lp.highs.clearSolver()
            value = self.lp.solve(stage + " (retry)", strategy=CHOOSE)
        self.best = np.zeros(self.model.n_cols)
        self.best[: self.width] = self.lp.col_value
        return value

    # ------------------------------------------------------------ fair share
    def _share(self, tier: int) -> None:
        m = self.model
        ix = m.ix
        active = np.flatnonzero((ix.need_prio == tier) & (ix.need_qty > 0) & m.usable())
        stage = f"tier {tier}"
        total = len(active)
        self.outcome.rounds[stage] = 0
        self.outcome.levels[stage] = 0
        if not total:
            return
        active = self._drop_exhausted(active)
        if tier > TIERS[0] and len(active) >= INTERIOR_MIN and self._scarce(active):
            active = self._drop_stuck(tier, active)
        self.progress(stage, total - len(active), total)
        if not len(active):
            return
        lp = self._open(tier)
        t_col = m.t_col
        self._fair_rows(active, 0.0)
        lp.set_objective(np.array([t_col]), np.array([1.0]), maximise=True)
        strategy = CHOOSE  # first solve of the tier: from scratch, presolved
        previous = -1.0
        while len(active):
            self.outcome.rounds[stage] += 1
            level = self._solve(stage, strategy)
            strategy = PRIMAL
            if level < FLOOR:
                level = 0.0
            if level >= 1 - FLOOR:
                self._freeze(active, 1.0)
                self.outcome.levels[stage] += 1
                break
            if level > previous + 1e-9:
                self.outcome.levels[stage] += 1
            shares = np.abs(lp.row_dual[m.fair_row[active]])
            blocked = shares > 1e-7
            if not blocked.any():
                blocked = shares >= shares.max()
            self._freeze(active[blocked], level)
            active = active[~blocked]
            previous = level
            self.progress(stage, total - len(active), total)
        self._settle(tier)

    def _settle(self, tier: int) -> None:
        """Hold the tier's fill rates at what they reached, not at their level less the
        tolerance: later stages would otherwise shave that tolerance off (the cost stage
        prefers to deliver less) and hand it to the next tier as crumbs."""
        m = self.model
        needs = np.flatnonzero((m.ix.need_prio == tier) & (m.ix.need_qty > 0) & m.usable())
        cols = m.f_col[needs]
        reached = self.lp.col_value[cols]
        self.col_lower[cols] = np.clip(reached - 1e-9, 0.0, self.col_upper[cols])
        self.lp.set_col_bounds(cols, self.col_lower[cols], self.col_upper[cols])

    def _left(self) -> np.ndarray:
        """Units of each item still free after the tiers above, in lots some pair may use
        (a lot too short-dated for every route is no one's). With the tiers above held it
        is fixed: their stock less what they receive, however it is routed."""
        m = self.model
        reach = np.zeros(len(m.group_hub), dtype=np.int64)
        np.maximum.at(reach, m.pair_group, m.pair_k)
        usable = m.lot_pos < reach[m.lot_group]
        return np.bincount(m.ix.lot_item[m.lot[usable]],
                           weights=(m.ix.lot_qty[m.lot] - m.w(self.best))[usable],
                           minlength=m.ix.n_items)

    def _drop_exhausted(self, active: np.ndarray) -> np.ndarray:
        """Hold at 0, with no LP, the needs of items the tiers above have used up: no
        need of this tier can get any of them."""
        m = self.model
        if not self.best.any():
            return active
        stuck = self._left()[m.ix.need_item[active]] < EXHAUSTED
        if not stuck.any():
            return active
        needs = active[stuck]
        self.col_upper[m.f_col[needs]] = 0.0
        self.col_upper[m.pair_col[np.isin(m.pair_need, needs)]] = 0.0
        return active[~stuck]

    def _scarce(self, active: np.ndarray) -> bool:
        """Whether so little is left for this tier that many of its needs are likely to
        get nothing: then finding them at once pays (the interior-point solve costs
        about as much as two cold simplex solves)."""
        m = self.model
        left = self._left()
        item = m.ix.need_item[active]
        wanted = np.bincount(item, weights=m.ix.need_qty[active], minlength=m.ix.n_items)
        return float(np.minimum(left, wanted).sum()) < SCARCE * float(wanted.sum())

    def _drop_stuck(self, tier: int, active: np.ndarray) -> np.ndarray:
        """Hold at 0 the needs that cannot get anything, found with one interior-point
        solve (see :func:`~aidhub.planning.solver.interior_point`).

        With the tiers above held, many needs of a lower tier may be unable to get
        anything; the simplex rounds would find them a group at a time (the duals of a
        degenerate optimum at level 0 name one group per round), at great cost. A point in
        the relative interior of "every need of this tier at 0 or more" is positive for
        exactly the needs that can get something. Needs clearly at 0 are held there; the
        rest, and any the interior point leaves in doubt, go on to the rounds."""
        m = self.model
        self._collect()  # keep the statistics in the order things happened
        cols, rows = m.tier_cols[tier], m.tier_rows[tier]
        row_lower = self.row_lower[:rows].copy()
        row_lower[m.fair_row[active]] = 0.0
        col_upper = self.col_upper[:cols].copy()
        col_upper[m.t_col] = 0.0
        started = time.perf_counter()
        point = interior_point(m.block(tier), self.col_lower[:cols], col_upper, row_lower,
                               self.row_upper[:rows], deadline=self.deadline)
        self.stats.add(f"tier {tier} interior", time.perf_counter() - started, 0)
        f = point[m.f_col[active]]
        stuck = f < STUCK
        if not stuck.any():
            return active
        needs = active[stuck]
        self.col_upper[m.f_col[needs]] = 0.0
        self.col_upper[m.pair_col[np.isin(m.pair_need, needs)]] = 0.0
        return active[~stuck]

    def _fair_rows(self, needs: np.ndarray, lower: float) -> None:
        rows = self.model.fair_row[needs]
        self.row_lower[rows] = lower
        self.lp.set_row_bounds(rows, lower, np.inf)

    def _freeze(self, needs: np.ndarray, level: float) -> None:
        """Hold these needs at ``level`` (within HOLD) from now on."""
        if not len(needs):
            return
        cols = self.model.f_col[needs]
        self.col_lower[cols] = max(0.0, level - HOLD)
        self.lp.set_col_bounds(cols, self.col_lower[cols], self.col_upper[cols])
        self._fair_rows(needs, -np.inf)

    # ------------------------------------------------------------ cost, FEFO
    def _cost(self) -> None:
        m = self.model
        if self.lp is None or self.width < m.n_cols:
            self._open(TIERS[-1])
            strategy = CHOOSE
        else:
            strategy = PRIMAL
        self.progress("cost", 0, 1)
        y_cols = m.pair_col
        self.lp.set_objective(y_cols, m.pair_cost, maximise=False)
        self.outcome.transport_cost = self._solve("cost", strategy)
        self.progress("cost", 1, 1)

    def _fefo(self) -> None:
        m = self.model
        cost = self.outcome.transport_cost or 0.0
        self.progress("expiry", 0, 1)
        self.lp.add_row(m.pair_col, m.pair_cost, -np.inf, cost * (1 + COST_HOLD) + 1e-6)
        self.lp.set_objective(np.arange(m.nw), m.lot_days, maximise=False)
        self._solve("fefo")
        self.progress("expiry", 1, 1)


_STAGE_WORDS = {"tier 1": "the tier-1 shares", "tier 2": "the tier-2 shares",
                "tier 3": "the tier-3 shares", "cost": "the transport cost",
                "fefo": "the choice of short-dated lots"}
_NOT_FINAL = {
    "tier 1": "tier-1 shares may not be as even as they can be, and tiers 2 and 3 got "
              "nothing",
    "tier 2": "tier-1 shares are final; tier-2 shares may not be as even as they can be, "
              "and tier 3 got nothing",
    "tier 3": "tier-1 and tier-2 shares are final; tier-3 shares may not be as even as "
              "they can be",
    "cost": "all shares are final; the transport cost may be higher than it needs to be",
    "fefo": "all shares and the transport cost are final; longer-dated lots may be sent "
            "where shorter-dated ones would do",
}


def _merge(into: SolveStats, other: SolveStats) -> None:
    into.solves += other.solves
    into.iterations += other.iterations
    into.seconds += other.seconds
    for stage, entry in other.by_stage.items():
        mine = into.by_stage.setdefault(stage, {"solves": 0, "iterations": 0,
                                                "seconds": 0.0})
        for key in ("solves", "iterations", "seconds"):
            mine[key] += entry[key]


def fair_share(model: Model, *, time_limit: float | None = None,
               progress: Progress | None = None) -> Outcome:
    """Run the fair-share stages on ``model``."""
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    return FairShare(model, deadline=deadline, progress=progress).run()
