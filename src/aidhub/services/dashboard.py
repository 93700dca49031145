"""The dashboard's figures, as the signed-in user may see them: the inbound pipeline by
stage, stock by category in expiry bands, the screening queue and open holds, plans
awaiting approval, vehicles on the road, and losses this month."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.release_orders import PlanState
from aidhub.domain.screening import HitState
from aidhub.services import consignments, delivery, planning, stock, waybills
from aidhub.services.consignments import STAGES
from aidhub.services.context import Context, utcnow

BANDS = ("expired", "red", "yellow", "later", "none")  # worst first; see expiry_alert
STALE_HOURS = 24  # a vehicle without news for this long is highlighted on the board


@dataclass(frozen=True)
class CategoryStock:
    category: str  # a SUMA category value
    kg: dict[str, Decimal]  # by band

    @property
    def total(self) -> Decimal:
        return sum(self.kg.values(), Decimal(0))


@dataclass(frozen=True)
class Dashboard:
    as_at: dt.datetime
    pipeline: list[tuple[str, int]]  # stage, consignments
    stock: list[CategoryStock]
    screening_queue: int | None  # open and escalated hits; None: not for this user
    open_holds: int | None
    plans_awaiting: int | None  # draft plans; None for partners and donors
    on_the_road: int
    stale: int  # vehicles without news for a day or more
    lost_kg_this_month: Decimal
    open_loss_reports: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def stock_kg(self) -> Decimal:
        return sum((c.total for c in self.stock), Decimal(0))


def build(ctx: Context, *, scope: Scope = EVERYTHING, can_screen: bool = False,
          staff: bool = True, now: dt.datetime | None = None) -> Dashboard:
    now = now or utcnow()
    by_stage: dict[str, int] = defaultdict(int)
    for row in consignments.pipeline(ctx, scope=scope):
        by_stage[row.stage] += row.consignments
    pipeline = [(stage, by_stage.get(stage, 0)) for stage in STAGES]
    stock_rows = sorted((CategoryStock(category, {b: kg.get(b, Decimal(0)) for b in BANDS})
                         for category, kg in stock.weight_by_expiry(
                             ctx, today=now.date(), scope=scope).items()),
                        key=lambda c: -c.total)
    queue = holds = None
    if can_screen:
        from aidhub.services import screening

        queue = sum(1 for h in screening.list_hits(ctx, scope=scope)
                    if h.state in (HitState.OPEN.value, HitState.ESCALATED.value))
        holds = screening.count_active_holds(ctx, scope)
    plans = (sum(1 for p in planning.list_plans(ctx) if p.state == PlanState.DRAFT.value)
             if staff else None)
    board = waybills.board(ctx, now=now) if staff else []
    on_road = [b for b in board if b.state in ("dispatched", "arrived")]
    month = now.date().replace(day=1)
    lost = stock.lost_kg_since(ctx, dt.datetime.combine(month, dt.time(), dt.UTC),
                               scope=scope)
    reports = (sum(1 for r in delivery.loss_reports(ctx, "open")) if staff else None)
    return Dashboard(now, pipeline, stock_rows, queue, holds, plans, len(on_road),
                     sum(1 for b in on_road if b.hours >= STALE_HOURS), lost, reports)
