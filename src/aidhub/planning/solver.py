"""The HiGHS calls, and nothing else: one LP kept alive and changed between solves.

The fair-share policy solves a long sequence of LPs that differ by a few bounds or the
objective. Building each from scratch would throw away the simplex basis; changing the
one model in place lets HiGHS start every solve from the previous optimal basis (a warm
start). The changes the stages make keep that basis *primal* feasible (a need is frozen
at the level it already has; the cost and FEFO stages only change the objective), so the
warm solves run the primal simplex, which then needs only the pivots the change calls
for. (On the benchmark the dual simplex took twice as long over the same rounds.) Bounds
are relaxed to infinity rather than to a large number: the primal simplex is happy with
a free row, and a finite bound would move the row's value and lose feasibility.

Everything here takes and returns numpy arrays; the stage logic never sees highspy.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf
PRIMAL, CHOOSE = 4, 0  # HiGHS simplex_strategy values (4 primal; 0 HiGHS's choice)


#: HiGHS threads: the simplex is serial, so more buy nothing; never more than 2.
THREADS = 1


@functools.cache
def _quiet_banner() -> None:
    """Prepare HiGHS once per process. Its banner is printed on standard output when the
    first model of a process is created, before any option can be set; that would spoil
    ``--json`` output. So the first model is made with the process's standard output
    pointed at /dev/null (and C's buffers flushed there). It also fixes the thread pool,
    which HiGHS creates once per process at the first solve: later models must not ask
    for another size, so they leave the option alone (if other code in the process
    solved first, its pool is kept)."""
    try:
        sys.stdout.flush()
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        saved = null = None
    try:
        if saved is not None:
            os.dup2(null, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", THREADS)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = 1, 0
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.ones(1), np.zeros(1), np.ones(1)
        lp.a_matrix_.start_ = np.zeros(2, dtype=np.int32)
        h.passModel(lp)
        h.run()
        if saved is not None:
            ctypes.CDLL(None).fflush(None)
    except OSError:
        pass
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)


class TimeLimitReached(Exception):
    """The time allowed for planning ran out during a solve."""


class SolverFailed(RuntimeError):
    """HiGHS ended without an optimal solution for a reason other than the time limit
    (a bug in the model: every stage LP is feasible by construction)."""


@dataclass
class SolveStats:
    """What the solver did, for ``plan.stats``."""

    solves: int = 0
    iterations: int = 0
    seconds: float = 0.0
    by_stage: dict[str, dict] = field(default_factory=dict)

    def add(self, stage: str, seconds: float, iterations: int) -> None:
        self.solves += 1
        self.iterations += iterations
        self.seconds += seconds
        entry = self.by_stage.setdefault(stage, {"solves": 0, "iterations": 0,
                                                 "seconds": 0.0})
        entry["solves"] += 1
        entry["iterations"] += iterations
        entry["seconds"] += seconds


class Lp:
    """One HiGHS model, maximising or minimising. ``deadline`` is a
    ``time.perf_counter()`` value or None."""

    def __init__(self, matrix: sp.csc_matrix, col_lower: np.ndarray, col_upper: np.ndarray,
                 row_lower: np.ndarray, row_upper: np.ndarray, *,
                 deadline: float | None = None):
        _quiet_banner()
        self.highs = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("solver", "simplex")
        self.deadline = deadline
        self.stats = SolveStats()
        n_rows, n_cols = matrix.shape
        self.n_cols, self.n_rows = n_cols, n_rows
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_cols, n_rows
        lp.col_cost_ = np.zeros(n_cols)
        lp.col_lower_, lp.col_upper_ = _f(col_lower), _f(col_upper)
        lp.row_lower_, lp.row_upper_ = _f(row_lower), _f(row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, n_rows
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = _f(matrix.data)
        status = h.passModel(lp)
        if status != highspy.HighsStatus.kOk:
            raise SolverFailed(f"HiGHS refused the model ({status})")
        self.col_value = np.zeros(n_cols)
        self.row_value = np.zeros(n_rows)
        self.row_dual = np.zeros(n_rows)
        self.objective = 0.0

    # ------------------------------------------------------------------ changes
    def set_objective(self, cols: np.ndarray, costs: np.ndarray, *, maximise: bool) -> None:
        """Replace the objective: ``costs`` on ``cols``, zero elsewhere."""
        full = np.zeros(self.n_cols)
        full[np.asarray(cols, dtype=np.int64)] = costs
        h = self.highs
        h.changeColsCost(self.n_cols, np.arange(self.n_cols, dtype=np.int32), full)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise
                               else highspy.ObjSense.kMinimize)

    def set_col_bounds(self, cols, lower, upper) -> None:
        cols = np.asarray(cols, dtype=np.int32)
        if len(cols):
            self.highs.changeColsBounds(len(cols), cols, _broadcast(lower, len(cols)),
                                        _broadcast(upper, len(cols)))

    def set_row_bounds(self, rows, lower, upper) -> None:
        rows = np.asarray(rows, dtype=np.int32)
        if len(rows):
            self.highs.changeRowsBounds(len(rows), rows, _broadcast(lower, len(rows)),
                                        _broadcast(upper, len(rows)))

    def add_row(self, cols: np.ndarray, values: np.ndarray, lower: float,
                upper: float) -> int:
        """Add one row; returns its index."""
        cols = np.asarray(cols, dtype=np.int32)
        self.highs.addRows(1, np.array([lower], dtype=float), np.array([upper], dtype=float),
                           len(cols), np.array([0], dtype=np.int32), cols, _f(values))
        self.n_rows += 1
        self.row_value = np.append(self.row_value, 0.0)
        self.row_dual = np.append(self.row_dual, 0.0)
        return self.n_rows - 1

    # ------------------------------------------------------------------- solving
    def solve(self, stage: str, *, strategy: int = PRIMAL) -> float:
        """Solve from the current basis; returns the objective value. Raises
        :class:`TimeLimitReached` when the deadline passes first (the previous solution
        stays in ``col_value``)."""
        h = self.highs
        if self.deadline is not None:
            left = self.deadline - time.perf_counter()
            if left <= 0:
                raise TimeLimitReached
            # HiGHS measures its time limit on the model's clock, which runs on from one
            # solve to the next
            h.setOptionValue("time_limit", h.getRunTime() + max(left, 0.01))
        h.setOptionValue("simplex_strategy", strategy)
        started = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - started
        info = h.getInfo()
        self.stats.add(stage, seconds, int(info.simplex_iteration_count))
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise TimeLimitReached
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverFailed(f"HiGHS stopped at stage {stage}: "
                               f"{h.modelStatusToString(status)}")
        solution = h.getSolution()
        self.col_value = np.asarray(solution.col_value)
        self.row_value = np.asarray(solution.row_value)
        self.row_dual = np.asarray(solution.row_dual)
        self.objective = float(info.objective_function_value)
        return self.objective


def interior_point(matrix: sp.csc_matrix, col_lower: np.ndarray, col_upper: np.ndarray,
                   row_lower: np.ndarray, row_upper: np.ndarray, *,
                   deadline: float | None = None) -> np.ndarray:
    """A point in the relative interior of the feasible set: the interior-point method on
    a zero objective, stopped before crossover. Every variable that can be positive in
    some feasible point is clearly positive there, and those that cannot are near 0, so
    one solve says which variables are stuck at their lower bound."""
    lp = Lp(matrix, col_lower, col_upper, row_lower, row_upper, deadline=deadline)
    h = lp.highs
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    h.setOptionValue("presolve", "off")  # it would fix zero-cost columns at a bound
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeLimitReached
        h.setOptionValue("time_limit", max(left, 0.01))
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kTimeLimit:
        raise TimeLimitReached
    solution = h.getSolution()
    if not solution.value_valid:
        raise SolverFailed(f"HiGHS found no interior point: {h.modelStatusToString(status)}")
    return np.asarray(solution.col_value)


def _f(values) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _broadcast(value, n: int) -> np.ndarray:
    if np.isscalar(value):
        return np.full(n, float(value))
    return _f(value)
