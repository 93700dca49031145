"""Requests from partners for their distribution points, and the figures behind them.

A request line is typed in (item, quantity, priority, date needed) or computed from the
response's planning figures for the point's population. Every change is a command with
an idempotency key; approval follows the four-eyes rule (the person who submitted a
request cannot approve it).
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aidhub.domain import needs
from aidhub.domain.access import EVERYTHING, Scope, sees_organisation_things
from aidhub.domain.errors import InvalidInput, NotFound, Term
from aidhub.domain.ids import new_id
from aidhub.domain.requests import (
    EDITABLE,
    Priority,
    Request,
    RequestLine,
    RequestState,
    parse_priority,
    transition,
)
from aidhub.domain.routes import Route, check_route
from aidhub.domain.screening import FourEyes
from aidhub.domain.sites import Site, SiteKind
from aidhub.domain.values import parse_code, parse_date, parse_decimal, parse_quantity
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.services.reference import item as find_item
from aidhub.services.reference import organisation, site
from aidhub.store.uow import UnitOfWork

FIGURES_SETTING = "planning_figures"
POINT_KINDS = (SiteKind.DISTRIBUTION_POINT,)
HUB_KINDS = (SiteKind.HUB, SiteKind.WAREHOUSE)


# planning figures ----------------------------------------------------------------------
def figures(uow: UnitOfWork) -> needs.Figures:
    """The response's planning figures: its own if loaded, else the Sphere 2018 ones."""
    raw = uow.inbound.setting(FIGURES_SETTING)
    return needs.from_json(json.loads(raw)) if raw else needs.SPHERE_2018


def current_figures(ctx: Context) -> needs.Figures:
    with ctx.uow() as uow:
        return figures(uow)


def load_figures(ctx: Context, data: bytes | str, *, key: str) -> dict[str, Any]:
    """Replace the response's planning figures with those in a JSON document."""
    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise InvalidInput("the file is not JSON (%(error)s)", field="figures",
                           error=exc) from None
    loaded = needs.from_json(parsed)
    request = needs.to_json(loaded)

    def work(uow: UnitOfWork, now: dt.datetime):
        known = {i.code for i in uow.reference.items()}
        for f in loaded.figures:
            for code in [c.item for c in f.contents] + [c.item for c in f.ration]:
                if code not in known:
                    raise NotFound("figure '%(figure)s' names item %(item)s, which is not in "
                                   "the catalog", figure=f.code, item=code)
        uow.inbound.set_setting(FIGURES_SETTING, json.dumps(request, ensure_ascii=False))
        return loaded.response, {"response": loaded.response,
                                 "figures": len(loaded.figures)}

    return run_command(ctx, key, "needs.figures", request, work)


# site figures and routes ---------------------------------------------------------------
def set_site_figures(ctx: Context, site_code: str, *, key: str, population: int | None = None,
                     households: int | None = None,
                     dispatch_capacity_kg: Decimal | str | None = None) -> dict[str, Any]:
    """Set the people and households a distribution point serves, or what a hub can send
    out per day (kg). Values not given keep what they were."""
    if population is not None and population < 0:
        raise InvalidInput("population cannot be negative", field="population")
    if households is not None and households < 0:
        raise InvalidInput("households cannot be negative", field="households")
    capacity = (None if dispatch_capacity_kg in (None, "") else
                parse_decimal(dispatch_capacity_kg, "dispatch_capacity_kg"))
    request = {"site": parse_code(site_code, "site"), "population": population,
               "households": households,
               "dispatch_capacity_kg": None if capacity is None else str(capacity)}

    def work(uow: UnitOfWork, now: dt.datetime):
        s = site(uow, request["site"])
        if capacity is not None and s.kind not in HUB_KINDS:
            raise InvalidInput("%(site)s is a %(kind)s; only hubs and warehouses have a "
                               "dispatch capacity", field="dispatch_capacity_kg",
                               site=s.code, kind=Term(s.kind))
        current = uow.planning.site_figures(s.id)
        values = {k: getattr(current, k, None) for k in
                  ("population", "households", "dispatch_capacity_kg")}
        if current is None:
            values["population"] = s.population
        for k in values:
            if request[k] is not None:
                values[k] = capacity if k == "dispatch_capacity_kg" else request[k]
        uow.planning.set_site_figures(s.id, values, ctx.actor, now)
        return s.code, {"site": s.code, **{k: (str(v) if isinstance(v, Decimal) else v)
                                            for k, v in values.items()}}

    return run_command(ctx, key, "site.figures", request, work)


@dataclass(frozen=True)
class SiteFigures:
    site: Site
    population: int | None
    households: int | None
    dispatch_capacity_kg: Decimal | None


def site_figures(uow: UnitOfWork, s: Site) -> SiteFigures:
    row = uow.planning.site_figures(s.id)
    if row is None:
        return SiteFigures(s, s.population, None, None)
    return SiteFigures(s, row.population if row.population is not None else s.population,
                       row.households, row.dispatch_capacity_kg)


def set_route(ctx: Context, hub: str, point: str, *, key: str, cost_per_kg: Decimal | str,
              lead_days: int, open: bool = True, capacity_kg: Decimal | str | None = None,
              note: str = "") -> dict[str, Any]:
    """Add or change the route from a hub to a distribution point."""
    cost = parse_decimal(cost_per_kg, "cost_per_kg")
    capacity = None if capacity_kg in (None, "") else parse_decimal(capacity_kg,
                                                                      "capacity_kg")
    check_route(cost, lead_days, capacity, open, note)
    request = {"hub": parse_code(hub, "hub"), "point": parse_code(point, "point"),
               "cost_per_kg": str(cost), "lead_days": lead_days, "open": open,
               "capacity_kg": None if capacity is None else str(capacity),
               "note": note.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        h, p = hub_site(uow, request["hub"]), point_site(uow, request["point"])
        uow.planning.set_route(Route(h.id, p.id, cost, lead_days, open, capacity,
                                     request["note"]), ctx.actor, now)
        return f"{h.code}->{p.code}", {"hub": h.code, "point": p.code,
                                       "open": open}

    return run_command(ctx, key, "route.set", request, work)


@dataclass(frozen=True)
class RouteView:
    hub: str
    point: str
    cost_per_kg: Decimal
    lead_days: int
    open: bool
    capacity_kg: Decimal | None
    note: str


def list_routes(ctx: Context, *, hub: str | None = None, point: str | None = None
                ) -> list[RouteView]:
    with ctx.uow() as uow:
        codes = {s.id: s.code for s in uow.reference.sites()}
        out = [RouteView(codes[r.hub_id], codes[r.point_id], r.cost_per_kg, r.lead_days,
                         r.open, r.capacity_kg, r.note) for r in uow.planning.routes()]
    if hub:
        out = [r for r in out if r.hub == hub.strip().upper()]
    if point:
        out = [r for r in out if r.point == point.strip().upper()]
    return sorted(out, key=lambda r: (r.hub, r.point))


def hub_site(uow: UnitOfWork, code: str) -> Site:
    s = site(uow, code)
    if s.kind not in HUB_KINDS:
        raise InvalidInput("%(site)s is a %(kind)s, not a hub or warehouse", field="hub",
                           site=s.code, kind=Term(s.kind))
    return s


def point_site(uow: UnitOfWork, code: str) -> Site:
    s = site(uow, code)
    if s.kind not in POINT_KINDS:
        raise InvalidInput("%(site)s is a %(kind)s, not a distribution point", field="point",
                           site=s.code, kind=Term(s.kind))
    return s


# requests ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineInput:
    """A line as a partner gives it: an item and a quantity, or a planning figure with
    the number of days to cover (people and households default to the point's)."""

    item: str | None = None
    quantity: int | str | None = None
    priority: int | str | None = None
    needed_by: dt.date | str | None = None
    figure: str | None = None
    days: int | None = None
    persons: int | None = None
    households: int | None = None


def _line_request(line: LineInput) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, dt.date) else v)
            for k, v in line.__dict__.items() if v not in (None, "")}


def _expand(uow: UnitOfWork, point: Site, lines: list[LineInput], first_no: int,
            request_id) -> list[dict[str, Any]]:
    """Request lines as rows, with figure-based lines computed."""
    rows: list[dict[str, Any]] = []
    point_figures = site_figures(uow, point)
    table = None
    for n, line in enumerate(lines, start=1):
        needed = parse_date(line.needed_by, f"lines[{n}].needed_by") if line.needed_by \
            else None
        if line.figure:
            table = table or figures(uow)
            figure = table.get(line.figure)
            priority = (parse_priority(line.priority, f"lines[{n}].priority")
                        if line.priority not in (None, "") else Priority(figure_priority(
                            figure)))
            computed = needs.compute(
                figure, persons=line.persons or point_figures.population,
                households=line.households or point_figures.households,
                days=line.days or 0, item=line.item)
            for c in computed:
                if c.quantity > 0:
                    rows.append(_row(request_id, first_no + len(rows),
                                     find_item(uow, c.item).id, c.quantity, priority,
                                     needed, c.basis))
            continue
        where = f"lines[{n}]"
        if not line.item:
            raise InvalidInput("give an item and a quantity, or a planning figure",
                               field=where + ".item")
        if line.priority in (None, ""):
            raise InvalidInput("give the priority: 1 life-saving, 2 important, 3 other",
                               field=where + ".priority")
        rows.append(_row(request_id, first_no + len(rows), find_item(uow, line.item).id,
                         parse_quantity(line.quantity, f"lines[{n}].quantity"),
                         parse_priority(line.priority, f"lines[{n}].priority"), needed, ""))
    return rows


def figure_priority(figure: needs.Figure) -> int:
    """Water and food keep people alive; the rest is important."""
    return 1 if figure.code in ("water", "food") else 2


def _row(request_id, line_no: int, item_id, quantity: int, priority: Priority,
         needed: dt.date | None, basis: str) -> dict[str, Any]:
    return {"id": new_id(), "request_id": request_id, "line_no": line_no, "item_id": item_id,
            "quantity": quantity, "priority": int(priority), "needed_by": needed,
            "basis": basis, "planned": 0}


def create(ctx: Context, *, key: str, organisation_code: str, point: str,
           lines: list[LineInput] = (), needed_by: dt.date | str | None = None,
           note: str = "", submit: bool = False) -> dict[str, Any]:
    """A new request (a draft, or submitted at once with ``submit``)."""
    needed = parse_date(needed_by, "needed_by") if needed_by else None
    request = {"organisation": parse_code(organisation_code, "organisation"),
               "point": parse_code(point, "point"), "needed_by": needed and str(needed),
               "note": note.strip(), "lines": [_line_request(x) for x in lines],
               "submit": submit}

    def work(uow: UnitOfWork, now: dt.datetime):
        org = organisation(uow, request["organisation"])
        p = point_site(uow, request["point"])
        if p.operator_id is not None and p.operator_id != org.id:
            runner = uow.reference.organisation_by_id(p.operator_id)
            if runner is None:
                raise InvalidInput("%(point)s is run by another organisation; only it can "
                                   "request for this point", field="point", point=p.code)
            raise InvalidInput("%(point)s is run by %(organisation)s; only it can request for "
                               "this point", field="point", point=p.code,
                               organisation=runner.code)
        number = (f"REQ-{org.code}-{now.year}-"
                  f"{uow.inbound.next_number(f'request:{org.code}:{now.year}'):04d}")
        rid = new_id()
        uow.planning.add_request({
            "id": rid, "number": number, "organisation_id": org.id, "point_id": p.id,
            "state": RequestState.DRAFT.value, "needed_by": needed, "note": request["note"],
            "created_at": now, "created_by": ctx.actor})
        rows = _expand(uow, p, list(lines), 1, rid)
        uow.planning.add_request_lines(rows)
        state = RequestState.DRAFT
        if submit:
            state = _submit(uow, number, rid, state, len(rows), ctx.actor, now)
        return number, {"request": number, "state": state.value, "lines": len(rows)}

    return run_command(ctx, key, "request.create", request, work)


def add_lines(ctx: Context, number: str, lines: list[LineInput], *, key: str
              ) -> dict[str, Any]:
    request = {"number": number.strip().upper(), "lines": [_line_request(x) for x in lines]}

    def work(uow: UnitOfWork, now: dt.datetime):
        r = _request(uow, request["number"], lock=True)
        _editable(r)
        existing = uow.planning.request_lines([r.id])
        first = max((ln.line_no for ln in existing), default=0) + 1
        rows = _expand(uow, uow.reference.site_by_id(r.point_id), list(lines), first, r.id)
        uow.planning.add_request_lines(rows)
        return r.number, {"request": r.number, "added": len(rows)}

    return run_command(ctx, key, "request.add_lines", request, work)


def remove_line(ctx: Context, number: str, line_no: int, *, key: str) -> dict[str, Any]:
    request = {"number": number.strip().upper(), "line": line_no}

    def work(uow: UnitOfWork, now: dt.datetime):
        r = _request(uow, request["number"], lock=True)
        _editable(r)
        if not uow.planning.delete_request_line(r.id, line_no):
            raise NotFound("request %(request)s has no line %(line)s", request=r.number,
                           line=line_no)
        return r.number, {"request": r.number, "removed": line_no}

    return run_command(ctx, key, "request.remove_line", request, work)


def _editable(r: Request) -> None:
    if r.state not in EDITABLE:
        raise InvalidInput("request %(request)s is %(state)s; only a draft can be changed",
                           field="number", request=r.number,
                           state=Term(r.state))


def _submit(uow: UnitOfWork, number: str, rid, state: RequestState, lines: int, actor: str,
            now: dt.datetime) -> RequestState:
    target = transition(number, state, RequestState.SUBMITTED)
    if lines == 0:
        raise InvalidInput("request %(request)s has no lines; add what is needed first",
                           field="lines", request=number)
    uow.planning.update_request(rid, state=target.value, submitted_at=now, submitted_by=actor)
    return target


def change_state(ctx: Context, number: str, target: str, *, key: str,
                 reason: str = "") -> dict[str, Any]:
    """Submit, approve, reject, cancel or reopen a request (reopen: a planned request goes
    back to approved so that what its plan left unserved is planned again)."""
    wanted = {"submitted": RequestState.SUBMITTED, "approved": RequestState.APPROVED,
              "rejected": RequestState.REJECTED, "cancelled": RequestState.CANCELLED,
              }.get(target.strip().lower())
    if wanted is None:
        raise InvalidInput("'%(value)s' is not submitted, approved, rejected or cancelled",
                           field="state", value=target)
    request = {"number": number.strip().upper(), "state": wanted.value,
               "reason": reason.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        r = _request(uow, request["number"], lock=True)
        lines = uow.planning.request_lines([r.id])
        if wanted is RequestState.SUBMITTED:
            _submit(uow, r.number, r.id, r.state, len(lines), ctx.actor, now)
        else:
            transition(r.number, r.state, wanted, reason)
            if wanted in (RequestState.APPROVED, RequestState.REJECTED) and \
                    r.state is RequestState.SUBMITTED:
                submitter = uow.planning.request_rows(ids=[r.id])[0].submitted_by or ""
                if submitter.strip().lower() == ctx.actor.strip().lower():
                    raise FourEyes("%(user)s submitted request %(request)s and cannot "
                                   "decide on it: another person must (four-eyes rule)",
                                   user=ctx.actor, request=r.number)
            if wanted is RequestState.APPROVED and r.state is RequestState.PLANNED and not \
                    any(ln.outstanding for ln in lines):
                raise InvalidInput("request %(request)s is wholly planned; nothing is left "
                                   "to plan again", field="state", request=r.number)
            uow.planning.update_request(r.id, state=wanted.value, reason=request["reason"],
                                        decided_at=now, decided_by=ctx.actor)
        return r.number, {"request": r.number, "state": wanted.value}

    return run_command(ctx, key, f"request.{wanted.value}", request, work)


def _request(uow: UnitOfWork, number: str, *, lock: bool = False) -> Request:
    r = uow.planning.request(number.strip().upper(), lock=lock)
    if r is None:
        raise NotFound("no request %(request)s", request=number)
    return r


# reading -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineView:
    line_no: int
    item: str
    item_name: str
    unit: str
    quantity: int
    priority: int
    needed_by: dt.date | None
    planned: int
    basis: str


@dataclass(frozen=True)
class RequestView:
    number: str
    organisation: str
    point: str
    point_name: str
    pcode: str | None
    state: str
    needed_by: dt.date | None
    note: str
    reason: str
    created_at: dt.datetime
    created_by: str
    submitted_at: dt.datetime | None
    lines: list[LineView] = field(default_factory=list)

    @property
    def quantity(self) -> int:
        return sum(ln.quantity for ln in self.lines)

    @property
    def planned(self) -> int:
        return sum(ln.planned for ln in self.lines)


def _view(uow: UnitOfWork, r: Request, lines: list[RequestLine]) -> RequestView:
    org = uow.reference.organisation_by_id(r.organisation_id)
    p = uow.reference.site_by_id(r.point_id)
    views = []
    for ln in lines:
        it = uow.reference.item_by_id(ln.item_id)
        views.append(LineView(ln.line_no, it.code, it.name_en, it.unit, ln.quantity,
                              int(ln.priority), ln.needed_by, ln.planned, ln.basis))
    return RequestView(r.number, org.code if org else "?", p.code, p.name, p.pcode,
                       r.state.value, r.needed_by, r.note, r.reason, r.created_at,
                       r.created_by, r.submitted_at, views)


def view(ctx: Context, number: str, scope: Scope = EVERYTHING) -> RequestView:
    """One request; another organisation's answers as if it did not exist (partners)."""
    with ctx.uow() as uow:
        r = _request(uow, number)
        if not sees_organisation_things(scope, {r.organisation_id}):
            raise NotFound("no request %(request)s", request=number)
        return _view(uow, r, uow.planning.request_lines([r.id]))


def list_requests(ctx: Context, *, state: str | None = None,
                  organisation_code: str | None = None,
                  scope: Scope = EVERYTHING) -> list[RequestView]:
    with ctx.uow() as uow:
        org_id = organisation(uow, organisation_code).id if organisation_code else None
        states = None
        if state:
            try:
                states = [RequestState(state.strip().lower()).value]
            except ValueError:
                raise InvalidInput("'%(value)s' is not a request state; use one of %(states)s",
                                   field="state", value=state,
                                   states=", ".join(s.value for s in RequestState)) from None
        found = [r for r in uow.planning.requests(states=states, organisation_id=org_id)
                 if sees_organisation_things(scope, {r.organisation_id})]
        lines: dict = {}
        for ln in uow.planning.request_lines([r.id for r in found]):
            lines.setdefault(ln.request_id, []).append(ln)
        return [_view(uow, r, lines.get(r.id, [])) for r in found]


def preview_need(ctx: Context, *, figure: str, days: int = 0, point: str | None = None,
                 persons: int | None = None, households: int | None = None,
                 item: str | None = None) -> list[needs.ComputedNeed]:
    """What a figure-based line would ask for, without writing anything."""
    with ctx.uow() as uow:
        known = site_figures(uow, point_site(uow, point)) if point else None
        return needs.compute(figures(uow).get(figure),
                             persons=persons or (known.population if known else None),
                             households=households or (known.households if known else None),
                             days=days, item=item)
