"""Allocation plans from the database: build the problem, solve it, keep it, approve it.

The problem is built from what the hubs can really promise: unearmarked stock in their
bins and zones, less what open release orders have reserved, less lots on hold; from
approved requests (what they still lack); from the routes and the hubs' daily dispatch
capacity. The same solver plans a problem file (:mod:`aidhub.planning`).

Approving a plan makes one release order per hub and reserves each planned lot, split
over the lot's owners. The stock is checked again under lock at that moment: when it has
moved since the plan was solved, approval stops and says what changed.
"""

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aidhub import planning as solver
from aidhub.domain.catalog import NO_BATCH
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.ids import new_id
from aidhub.domain.release_orders import PlanState, ReleaseState, plan_transition
from aidhub.domain.requests import RequestState, transition
from aidhub.domain.screening import FourEyes
from aidhub.services.context import Context, utcnow
from aidhub.services.idempotency import check_key, replay, request_hash, run_command
from aidhub.services.requests import HUB_KINDS, site_figures
from aidhub.store.uow import UnitOfWork

NO_BATCH_LABEL = "(no batch)"
DEFAULT_MIN_SHELF_LIFE_DAYS = 30
Progress = Callable[[str, int, int], None]


@dataclass
class _Index:
    """How the problem's codes map back to database records."""

    hubs: dict[str, uuid.UUID] = field(default_factory=dict)
    points: dict[str, uuid.UUID] = field(default_factory=dict)
    items: dict[str, uuid.UUID] = field(default_factory=dict)
    lots: dict[tuple[str, str], uuid.UUID] = field(default_factory=dict)  # (item, label)


def lot_label(batch: str) -> str:
    return batch if batch != NO_BATCH else NO_BATCH_LABEL


def build_problem(uow: UnitOfWork, plan_date: dt.date, min_shelf_life_days: int
                  ) -> tuple[dict[str, Any], list[str], _Index]:
    """The problem JSON, notes on what was kept out of it and why, and the index."""
    index, notes = _Index(), []
    sites = {s.id: s for s in uow.reference.sites()}
    approved = uow.planning.request_rows(states=[RequestState.APPROVED.value])
    lines = uow.planning.request_lines([r.id for r in approved])
    req_by_id = {r.id: r for r in approved}
    needs: dict[tuple[uuid.UUID, uuid.UUID, int], dict[str, Any]] = {}
    for ln in lines:
        if ln.outstanding <= 0:
            continue
        r = req_by_id[ln.request_id]
        key = (r.point_id, ln.item_id, int(ln.priority))
        need = needs.setdefault(key, {"quantity": 0, "requests": [], "submitted": None})
        need["quantity"] += ln.outstanding
        if r.number not in need["requests"]:
            need["requests"].append(r.number)
        if r.submitted_at and (need["submitted"] is None or r.submitted_at < need["submitted"]):
            need["submitted"] = r.submitted_at
    item_ids = {k[1] for k in needs}
    items = {i: uow.reference.item_by_id(i) for i in item_ids}
    point_ids = {k[0] for k in needs}
    routes = [rt for rt in uow.planning.routes() if rt.point_id in point_ids
              and sites[rt.hub_id].kind in HUB_KINDS]
    hub_ids = sorted({rt.hub_id for rt in routes}, key=lambda h: sites[h].code)
    for p in sorted(point_ids - {rt.point_id for rt in routes}, key=lambda p: sites[p].code):
        notes.append(f"no route reaches {sites[p].code}: add one (aidhub routes set) to plan it")
    held = uow.planning.held_lots()
    usable, lot_item = _usable(uow, hub_ids)
    stock = {key: sum(owners.values()) for key, owners in usable.items()  # (hub, lot)
             if lot_item[key[1]] in item_ids}
    hubs_json = []
    for h in hub_ids:
        hub = sites[h]
        index.hubs[hub.code] = h
        lots_json = []
        for (site_id, lot_id), quantity in sorted(stock.items(), key=lambda kv: str(kv[0])):
            if site_id != h or quantity <= 0:
                continue
            lot = uow.reference.lot_by_id(lot_id)
            item = items[lot_item[lot_id]]
            label = lot_label(lot.batch)
            if lot_id in held:
                notes.append(f"lot {label} of {item.code} at {hub.code} is on hold "
                             f"({held[lot_id]}): {quantity:,} units kept out of the plan")
                continue
            if item.shelf_life and lot.expiry is None:
                notes.append(f"lot {label} of {item.code} at {hub.code} has no expiry date "
                             f"although the item has a shelf life: {quantity:,} units kept "
                             "out of the plan until its expiry is recorded")
                continue
            index.lots[(item.code, label)] = lot_id
            lots_json.append({"item": item.code, "lot": label, "quantity": quantity,
                              "expiry": lot.expiry.isoformat() if lot.expiry else None})
        capacity = site_figures(uow, hub).dispatch_capacity_kg
        hubs_json.append({"id": hub.code, "name": hub.name,
                          "dispatch_capacity_kg": float(capacity) if capacity is not None
                          else None, "lots": sorted(lots_json, key=lambda x: (x["item"],
                                                                              x["lot"]))})
    for row in uow.planning.earmarked(hub_ids):
        if row.item_id in item_ids:
            notes.append(f"{int(row.quantity):,} units of {items[row.item_id].code} at "
                         f"{sites[row.site_id].code} are earmarked '{row.earmark}' and kept "
                         "out of the plan")
    points_json = []
    for p in sorted(point_ids, key=lambda p: sites[p].code):
        point = sites[p]
        index.points[point.code] = p
        point_needs = []
        for (pid, item_id, priority), need in sorted(
                needs.items(), key=lambda kv: (items[kv[0][1]].code, kv[0][2])):
            if pid != p:
                continue
            point_needs.append({"item": items[item_id].code, "quantity": need["quantity"],
                                "priority": priority, "request": ", ".join(need["requests"]),
                                "submitted": need["submitted"].isoformat()
                                if need["submitted"] else None})
        points_json.append({"id": point.code, "name": point.name, "pcode": point.pcode,
                            "needs": point_needs})
    items_json = []
    for item in sorted(items.values(), key=lambda i: i.code):
        index.items[item.code] = item.id
        items_json.append({"code": item.code, "unit_weight_kg": float(item.weight_kg),
                           "unit_volume_m3": float(item.volume_m3),
                           "shelf_life": item.shelf_life, "name": item.name_en})
    routes_json = [{"hub": sites[rt.hub_id].code, "point": sites[rt.point_id].code,
                    "cost_per_kg": float(rt.cost_per_kg), "lead_days": rt.lead_days,
                    "open": rt.open, "capacity_kg": float(rt.capacity_kg)
                    if rt.capacity_kg is not None else None, "note": rt.note}
                   for rt in sorted(routes, key=lambda r: (sites[r.hub_id].code,
                                                           sites[r.point_id].code))]
    problem = {"plan_date": plan_date.isoformat(), "min_shelf_life_days": min_shelf_life_days,
               "items": items_json, "hubs": hubs_json, "points": points_json,
               "routes": routes_json}
    return problem, notes, index


def problem(ctx: Context, *, plan_date: dt.date | None = None,
            min_shelf_life_days: int | None = None) -> tuple[dict[str, Any], list[str]]:
    """The allocation problem the database holds now (for export and what-if runs)."""
    with ctx.uow() as uow:
        built, notes, _ = build_problem(uow, plan_date or utcnow().date(),
                                        _shelf(min_shelf_life_days))
    return built, notes


def _shelf(days: int | None) -> int:
    if days is None:
        return DEFAULT_MIN_SHELF_LIFE_DAYS
    if days < 0:
        raise InvalidInput("the minimum shelf life cannot be negative",
                           field="min_shelf_life_days")
    return days


def _nothing_to_plan(built: dict[str, Any]) -> None:
    if not built["points"]:
        raise InvalidInput("no approved request is waiting for stock: approve requests "
                           "first (aidhub requests approve)", field="requests")


def solve(ctx: Context, *, key: str, plan_date: dt.date | None = None,
          min_shelf_life_days: int | None = None, time_limit: float | None = None,
          progress: Progress | None = None) -> dict[str, Any]:
    """Solve the allocation problem the database holds now and keep the plan as a draft.
    The problem is read and solved outside any write transaction (solving can take a
    while); only the plan is written."""
    date = plan_date or utcnow().date()
    shelf = _shelf(min_shelf_life_days)
    with ctx.uow() as uow:
        built, notes, _ = build_problem(uow, date, shelf)
    text = json.dumps(built, ensure_ascii=False, sort_keys=True)
    # A retry returns the plan of the first call, even if stock moved in between; the
    # plan date is part of the request only when it was given.
    request = {"plan_date": plan_date and plan_date.isoformat(),
               "min_shelf_life_days": shelf, "time_limit": time_limit}
    with ctx.uow() as uow:
        done = replay(uow, check_key(key), "plan.solve", request_hash("plan.solve", request))
    if done is not None:
        return done
    _nothing_to_plan(built)
    plan = solver.solve(solver.parse_problem(built), time_limit=time_limit,
                        progress=progress)
    result = solver.plan_to_json(plan)
    result["notes"] = notes

    def work(uow: UnitOfWork, now: dt.datetime):
        number = f"PLAN-{now.year}-{uow.inbound.next_number(f'plan:{now.year}'):04d}"
        uow.planning.add_plan({
            "id": new_id(), "number": number, "state": PlanState.DRAFT.value,
            "plan_date": date, "status": str(result.get("status", "optimal")),
            "problem": text,
            "result": json.dumps(result, ensure_ascii=False), "created_at": now,
            "created_by": ctx.actor})
        return number, {"plan": number, "status": result.get("status"),
                        "summary": result["summary"], "shipments": len(result["shipments"])}

    return run_command(ctx, key, "plan.solve", request, work)


def compare(ctx: Context, *, plan_date: dt.date | None = None,
            min_shelf_life_days: int | None = None, time_limit: float | None = None,
            progress: Progress | None = None) -> Any:
    """The fair-share plan beside the greedy one for what the database holds now (nothing
    is written)."""
    with ctx.uow() as uow:
        built, _, _ = build_problem(uow, plan_date or utcnow().date(),
                                    _shelf(min_shelf_life_days))
    _nothing_to_plan(built)
    return solver.compare(solver.parse_problem(built), time_limit=time_limit,
                          progress=progress)


# reading plans -------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanView:
    number: str
    state: str
    status: str
    plan_date: dt.date
    created_at: dt.datetime
    created_by: str
    decided_at: dt.datetime | None
    decided_by: str | None
    reason: str
    problem: dict[str, Any]
    result: dict[str, Any]
    release_orders: list[str]


def view(ctx: Context, number: str) -> PlanView:
    with ctx.uow() as uow:
        row = _plan(uow, number)
        orders = [r.number for r in uow.planning.release_orders(plan_id=row.id)]
    return PlanView(row.number, row.state, row.status, row.plan_date, row.created_at,
                    row.created_by, row.decided_at, row.decided_by, row.reason,
                    json.loads(row.problem), json.loads(row.result), orders)


@dataclass(frozen=True)
class PlanSummary:
    number: str
    state: str
    status: str
    plan_date: dt.date
    created_at: dt.datetime
    created_by: str
    decided_at: dt.datetime | None
    decided_by: str | None


def list_plans(ctx: Context, limit: int = 50) -> list[PlanSummary]:
    """The newest plans first."""
    with ctx.uow() as uow:
        return [PlanSummary(r.number, r.state, r.status, r.plan_date, r.created_at,
                            r.created_by, r.decided_at, r.decided_by)
                for r in uow.planning.plans(limit)]


def _plan(uow: UnitOfWork, number: str, *, lock: bool = False) -> Any:
    row = uow.planning.plan(number.strip().upper(), lock=lock)
    if row is None:
        raise NotFound("no plan %(plan)s", plan=number)
    return row


# approving -----------------------------------------------------------------------------
def discard(ctx: Context, number: str, *, key: str, reason: str) -> dict[str, Any]:
    request = {"number": number.strip().upper(), "reason": reason.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        row = _plan(uow, request["number"], lock=True)
        target = plan_transition(row.number, PlanState(row.state), PlanState.DISCARDED,
                                 reason)
        uow.planning.update_plan(row.id, state=target.value, decided_at=now,
                                 decided_by=ctx.actor, reason=request["reason"])
        return row.number, {"plan": row.number, "state": target.value}

    return run_command(ctx, key, "plan.discard", request, work)


def approve(ctx: Context, number: str, *, key: str) -> dict[str, Any]:
    """Approve a draft plan: one release order per hub, its lots reserved, its requests
    planned. All or nothing."""
    request = {"number": number.strip().upper()}

    def work(uow: UnitOfWork, now: dt.datetime):
        row = _plan(uow, request["number"], lock=True)
        target = plan_transition(row.number, PlanState(row.state), PlanState.APPROVED)
        if row.created_by.strip().lower() == ctx.actor.strip().lower():
            raise FourEyes("%(user)s made plan %(plan)s and cannot approve it: the hub "
                           "manager or another planner must (four-eyes rule)",
                           user=ctx.actor, plan=row.number)
        result = json.loads(row.result)
        shipments = [s for s in result["shipments"] if s["quantity"] > 0]
        if not shipments:
            raise InvalidInput("plan %(plan)s ships nothing; discard it instead",
                               field="plan", plan=row.number)
        by_code = {s.code: s for s in uow.reference.sites()}
        hub_ids = {by_code[s["hub"]].id for s in shipments}
        owners = promisable(uow, hub_ids)
        request_lines = _open_request_lines(uow)
        parts = _by_priority(shipments, result.get("needs", []))
        orders, planned = [], defaultdict(int)
        for hub_code in sorted({s["hub"] for s in shipments}):
            hub = by_code[hub_code]
            number_ro = (f"RO-{hub.code}-{now.year}-"
                         f"{uow.inbound.next_number(f'release:{hub.code}:{now.year}'):05d}")
            order_id = new_id()
            lines, allocated, reserved = [], [], []
            mine = sorted((p for p in parts if p[0]["hub"] == hub_code),
                          key=lambda p: (p[0]["point"], p[1], p[0]["item"], p[0]["lot"]))
            for n, (s, priority, quantity) in enumerate(mine, start=1):
                item = uow.reference.item(s["item"])
                lot = _lot(uow, item, s["lot"])
                point = by_code[s["point"]]
                line_id = new_id()
                lines.append({"id": line_id, "release_order_id": order_id, "line_no": n,
                              "point_id": point.id, "item_id": item.id, "lot_id": lot.id,
                              "priority": priority, "quantity": quantity})
                reserved += reserve(owners, hub, item, lot, quantity, line_id,
                                     row.number, s["lot"])
                allocated += _allocate(request_lines, point.id, item.id, priority,
                                       quantity, line_id, planned, row.number)
            uow.planning.add_release_order(
                {"id": order_id, "number": number_ro, "plan_id": row.id, "hub_id": hub.id,
                 "state": ReleaseState.VERIFIED.value, "created_at": now,
                 "created_by": ctx.actor}, lines, allocated)
            uow.planning.add_reservations(reserved)
            orders.append(number_ro)
        uow.planning.add_planned({line: q for (line, _), q in planned.items()})
        _mark_planned(uow, planned)
        uow.planning.update_plan(row.id, state=target.value, decided_at=now,
                                 decided_by=ctx.actor)
        return row.number, {"plan": row.number, "state": target.value,
                            "release_orders": orders}

    return run_command(ctx, key, "plan.approve", request, work)


def _by_priority(shipments: list[dict[str, Any]], needs: list[dict[str, Any]]
                 ) -> list[tuple[dict[str, Any], int, int]]:
    """Each shipment as (shipment, priority, quantity) parts. A shipment names a point,
    an item and a lot; when the point needs the item at several priorities, the plan's
    per-need amounts say how much of what was shipped serves each (most urgent first)."""
    left: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    for need in sorted(needs, key=lambda n: int(n["priority"])):
        left[(need["point"], need["item"])].append([int(need["priority"]),
                                                    int(need["planned"])])
    out = []
    for s in sorted(shipments, key=lambda s: (s["point"], s["item"], s["hub"], s["lot"])):
        if "priority" in s:
            out.append((s, int(s["priority"]), int(s["quantity"])))
            continue
        quantity = int(s["quantity"])
        for entry in left.get((s["point"], s["item"]), []):
            take = min(entry[1], quantity)
            if take > 0:
                entry[1] -= take
                quantity -= take
                out.append((s, entry[0], take))
        if quantity:
            shipped = f"{s['quantity']:,}"
            raise InvalidInput("the plan ships %(quantity)s of %(item)s to %(point)s from "
                               "%(hub)s, more than its needs show as planned; the plan file "
                               "is inconsistent: solve a new plan", field="plan",
                               quantity=shipped, item=s["item"], point=s["point"],
                               hub=s["hub"])
    return out


def _lot(uow: UnitOfWork, item, label: str):
    lot = uow.reference.lot(item.id, NO_BATCH if label == NO_BATCH_LABEL else label)
    if lot is None:
        raise NotFound("lot %(lot)s of %(item)s no longer exists", lot=label, item=item.code)
    return lot


def _usable(uow: UnitOfWork, hub_ids, *, lock: bool = False
            ) -> tuple[dict[tuple[uuid.UUID, uuid.UUID], dict[uuid.UUID, int]],
                       dict[uuid.UUID, uuid.UUID]]:
    """What the hubs can promise: unearmarked stock in bins and zones per (hub, lot), per
    owner, net of open reservations (rows locked with ``lock``); and each lot's item."""
    out: dict[tuple[uuid.UUID, uuid.UUID], dict[uuid.UUID, int]] = defaultdict(
        lambda: defaultdict(int))
    lot_item: dict[uuid.UUID, uuid.UUID] = {}
    for row in uow.planning.on_hand(hub_ids, lock=lock):
        out[(row.site_id, row.lot_id)][row.owner_id] += row.quantity
        lot_item[row.lot_id] = row.item_id
    for (site_id, lot_id, owner_id), quantity in uow.planning.reserved(hub_ids).items():
        if (site_id, lot_id) in out:
            out[(site_id, lot_id)][owner_id] -= quantity
    return out, lot_item


def promisable(uow: UnitOfWork, hub_ids: set[uuid.UUID]
                 ) -> dict[tuple[uuid.UUID, uuid.UUID], dict[uuid.UUID, int]]:
    """What can be promised now, per (hub, lot) and owner, lots on hold left out."""
    held = uow.planning.held_lots()
    usable, _ = _usable(uow, hub_ids, lock=True)
    return {key: owners for key, owners in usable.items() if key[1] not in held}


def reserve(owners, hub, item, lot, quantity: int, line_id: uuid.UUID, plan: str,
             label: str) -> list[dict[str, Any]]:
    """Reservations for ``quantity`` of a lot at a hub, taken from its owners, the largest
    holding first; or an error saying the stock moved since the plan was made."""
    holding = owners.get((hub.id, lot.id), {})
    usable = sum(max(q, 0) for q in holding.values())
    if usable < quantity:
        shipped, can = f"{quantity:,}", f"{usable:,}"
        raise InvalidInput(
            "plan %(plan)s ships %(quantity)s of %(item)s lot %(lot)s from %(hub)s, but only "
            "%(usable)s can be promised now (stock moved, was reserved or put on hold since "
            "the plan was solved); solve a new plan", field="plan", plan=plan,
            quantity=shipped, item=item.code, lot=label, hub=hub.code, usable=can)
    out, left = [], quantity
    for owner_id, q in sorted(holding.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        take = min(q, left)
        if take <= 0:
            continue
        holding[owner_id] -= take
        left -= take
        out.append({"id": new_id(), "release_order_line_id": line_id, "site_id": hub.id,
                    "item_id": item.id, "lot_id": lot.id, "owner_id": owner_id,
                    "quantity": take})
        if not left:
            break
    return out


def _open_request_lines(uow: UnitOfWork) -> dict[tuple, list[list[Any]]]:
    """Approved request lines with what they still lack, per (point, item, priority),
    oldest request first: [line id, request id, outstanding]."""
    approved = uow.planning.request_rows(states=[RequestState.APPROVED.value])
    order = {r.id: (r.submitted_at or r.created_at, r.number) for r in approved}
    point_of = {r.id: r.point_id for r in approved}
    out: dict[tuple, list[list[Any]]] = defaultdict(list)
    for ln in sorted(uow.planning.request_lines(list(order)),
                     key=lambda ln: (order[ln.request_id], ln.line_no)):
        if ln.outstanding > 0:
            out[(point_of[ln.request_id], ln.item_id, int(ln.priority))].append(
                [ln.id, ln.request_id, ln.outstanding])
    return out


def _allocate(open_lines, point_id, item_id, priority: int, quantity: int,
              line_id: uuid.UUID, planned: dict, plan: str) -> list[dict[str, Any]]:
    """Give a shipment to the request lines it serves, oldest first."""
    out, left = [], quantity
    for entry in open_lines.get((point_id, item_id, priority), []):
        take = min(entry[2], left)
        if take <= 0:
            continue
        entry[2] -= take
        left -= take
        planned[(entry[0], entry[1])] += take
        out.append({"release_order_line_id": line_id, "request_line_id": entry[0],
                    "quantity": take})
        if not left:
            break
    if left:
        raise InvalidInput("plan %(plan)s sends more than the approved requests still need "
                           "(requests changed since the plan was solved); solve a new plan",
                           field="plan", plan=plan)
    return out


def _mark_planned(uow: UnitOfWork, planned: dict[tuple[uuid.UUID, uuid.UUID], int]) -> None:
    """Requests that got something from the plan are planned now."""
    for request_id in sorted({rid for _, rid in planned}):
        r = uow.planning.requests(ids=[request_id])[0]
        transition(r.number, r.state, RequestState.PLANNED)
        uow.planning.update_request(r.id, state=RequestState.PLANNED.value)

