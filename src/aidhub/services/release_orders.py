"""Release orders: what an approved plan asks each hub to send, and their life cycle.

Cancelling a release order frees its reservations and gives its quantities back to the
requests it served, which go back to approved so that the next plan can serve them.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aidhub.documents.release_order import (
    ReleaseLineDoc,
    ReleaseOrderDocument,
    render_release_order,
)
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.release_orders import ReleaseState, release_transition
from aidhub.domain.requests import RequestState
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.services.planning import lot_label
from aidhub.services.reference import site
from aidhub.store.uow import UnitOfWork


def order(uow: UnitOfWork, number: str, *, lock: bool = False) -> Any:
    """The release order with this number, or NotFound."""
    row = uow.planning.release_order(number.strip().upper(), lock=lock)
    if row is None:
        raise NotFound("no release order %(order)s", order=number)
    return row


def change_state(ctx: Context, number: str, target: str, *, key: str,
                 reason: str = "") -> dict[str, Any]:
    """Accept, release or cancel a release order."""
    try:
        wanted = ReleaseState(target.strip().lower())
    except ValueError:
        raise InvalidInput("'%(value)s' is not accepted, released or cancelled",
                           field="state", value=target) from None
    request = {"number": number.strip().upper(), "state": wanted.value,
               "reason": reason.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        row = order(uow, request["number"], lock=True)
        release_transition(row.number, ReleaseState(row.state), wanted, reason)
        freed = 0
        if wanted is ReleaseState.CANCELLED:
            freed = _give_back(uow, row.id)
        uow.planning.update_release_order(row.id, state=wanted.value, changed_at=now,
                                          changed_by=ctx.actor, reason=request["reason"])
        return row.number, {"release_order": row.number, "state": wanted.value,
                            "freed": freed}

    return run_command(ctx, key, f"release_order.{wanted.value}", request, work)


def _give_back(uow: UnitOfWork, order_id) -> int:
    """Free a cancelled order's reservations and take its quantities off the requests."""
    freed = sum(r.quantity for r in uow.planning.reservations_of(order_id))
    uow.planning.clear_reservations(order_id)
    back: dict[Any, int] = defaultdict(int)
    for a in uow.planning.allocations_of(order_id):
        back[a.request_line_id] -= a.quantity
    uow.planning.add_planned(dict(back))
    lines = uow.planning.lines_by_id(list(back))
    for request_id in sorted({ln.request_id for ln, _ in lines.values()}):
        r = uow.planning.requests(ids=[request_id])[0]
        if r.state is RequestState.PLANNED:
            uow.planning.update_request(r.id, state=RequestState.APPROVED.value)
    return freed


# reading -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReleaseOrderView:
    number: str
    state: str
    plan: str  # empty for a transfer to another hub
    hub: str
    hub_name: str
    created_at: dt.datetime
    created_by: str
    reason: str
    lines: list[ReleaseLineDoc] = field(default_factory=list)
    reserved: int = 0
    pick_lists: list[str] = field(default_factory=list)
    waybills: list[str] = field(default_factory=list)

    @property
    def weight_kg(self) -> Decimal:
        return sum((ln.weight_kg for ln in self.lines), Decimal(0))


def _view(uow: UnitOfWork, row: Any) -> ReleaseOrderView:
    hub = uow.reference.site_by_id(row.hub_id)
    plan = uow.planning.plan_by_id(row.plan_id) if row.plan_id else None
    requests_of: dict[Any, set[str]] = defaultdict(set)
    allocated = uow.planning.allocations_of(row.id)
    numbers = uow.planning.lines_by_id([a.request_line_id for a in allocated])
    for a in allocated:
        requests_of[a.release_order_line_id].add(numbers[a.request_line_id][1])
    lines = []
    for ln in uow.planning.release_order_lines(row.id):
        item = uow.reference.item_by_id(ln.item_id)
        lot = uow.reference.lot_by_id(ln.lot_id)
        point = uow.reference.site_by_id(ln.point_id)
        lines.append(ReleaseLineDoc(
            line_no=ln.line_no, point_code=point.code, point_name=point.name,
            pcode=point.pcode, item_code=item.code, name_en=item.name_en,
            name_ar=item.name_ar, unit=item.unit,
            batch=None if lot_label(lot.batch) != lot.batch else lot.batch,
            expiry=lot.expiry, priority=ln.priority, quantity=ln.quantity,
            weight_kg=item.weight_kg * ln.quantity, volume_m3=item.volume_m3 * ln.quantity,
            requests=", ".join(sorted(requests_of[ln.id]))))
    reserved = sum(r.quantity for r in uow.planning.reservations_of(row.id))
    pick_lists = [p.number for p in uow.outbound.pick_lists_of(row.id)]
    bills = sorted({x.number for x in uow.outbound.waybills_of_order(row.id)})
    return ReleaseOrderView(row.number, row.state, plan.number if plan else "",
                            hub.code, hub.name, row.created_at, row.created_by, row.reason,
                            lines, reserved, pick_lists, bills)


def view(ctx: Context, number: str) -> ReleaseOrderView:
    with ctx.uow() as uow:
        return _view(uow, order(uow, number))


def list_orders(ctx: Context, *, hub: str | None = None, state: str | None = None,
                plan: str | None = None) -> list[ReleaseOrderView]:
    with ctx.uow() as uow:
        hub_id = site(uow, hub).id if hub else None
        plan_id = None
        if plan:
            found = uow.planning.plan(plan.strip().upper())
            if found is None:
                raise NotFound("no plan %(plan)s", plan=plan)
            plan_id = found.id
        states = None
        if state:
            try:
                states = [ReleaseState(state.strip().lower()).value]
            except ValueError:
                raise InvalidInput("'%(value)s' is not a release order state; use one of "
                                   "%(states)s", field="state", value=state,
                                   states=", ".join(s.value for s in ReleaseState)) from None
        return [_view(uow, r) for r in uow.planning.release_orders(
            plan_id=plan_id, hub_id=hub_id, states=states)]


def pdf(ctx: Context, number: str) -> bytes:
    v = view(ctx, number)
    return render_release_order(ReleaseOrderDocument(
        number=v.number, state=v.state, plan_number=v.plan, issued_at=v.created_at,
        issued_by=v.created_by, hub_code=v.hub, hub_name=v.hub_name, reason=v.reason,
        lines=tuple(v.lines)))
