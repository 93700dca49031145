"""The dashboard's figures, as the signed-in user may see them: the inbound pipeline by
stage, stock by category in expiry bands, the screening queue and open holds, plans
awaiting approval, vehicles on the road, and losses this month."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.release_orders import PlanState
from aidhub.domain.screening import HitState
from aidhub.domain.waybills import ON_THE_ROAD, STALE_HOURS
from aidhub.services import consignments, stock
from aidhub.services.context import Context, utcnow

BANDS = ("expired", "red", "yellow", "later", "none")  # worst first; see expiry_alert


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
    with ctx.uow() as uow:  # what is only counted is counted in SQL
        pipeline = list(consignments.count_by_stage(uow, scope).items())
        plans = uow.planning.count_plans(PlanState.DRAFT.value) if staff else None
        on_road, stale = (uow.outbound.road_counts(
            [s.value for s in ON_THE_ROAD], now - dt.timedelta(hours=STALE_HOURS))
            if staff else (0, 0))
        reports = uow.outbound.count_loss_reports("open") if staff else None
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
    month = now.date().replace(day=1)
    lost = stock.lost_kg_since(ctx, dt.datetime.combine(month, dt.time(), dt.UTC),
                               scope=scope)
    return Dashboard(now, pipeline, stock_rows, queue, holds, plans, on_road, stale, lost,
                     reports)
