"""JSON API for needs and allocation: partners' requests, routes, the allocation problem,
plans and the release orders an approved plan becomes.

Every request that changes data needs an ``Idempotency-Key`` header: sending the same
request again with the same key returns the first answer and changes nothing. The
signed-in user (session or API token) is recorded as the one who acted.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from aidhub.api import PREFIX
from aidhub.api.paging import Page
from aidhub.domain.access import Forbidden
from aidhub.domain.access import Permission as P
from aidhub.domain.release_orders import ReleaseState
from aidhub.interop.jsonable import jsonable
from aidhub.services import planning, release_orders, requests
from aidhub.services.context import Context
from aidhub.services.requests import LineInput
from aidhub.web.auth import Seen, Who, needs, principal, seen, staff
from aidhub.web.requests import allowed_organisations

Key = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200,
                            description="Retrying with the same key changes nothing.")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class LineIn(BaseModel):
    """An item line (item, quantity, priority) or a figure line (figure and days; the
    point's people and households unless given)."""

    item: str | None = Field(None, description="Catalog item code. With a figure: the "
                             "item that provides it, if the figure has several.")
    quantity: int | None = Field(None, gt=0, description="Units of the item (item lines).")
    priority: int | None = Field(None, ge=1, le=3, description="1 life-saving, 2 "
                                 "important, 3 other. Figure lines default to the figure's.")
    needed_by: dt.date | None = Field(None, description="Date this line is needed by.")
    figure: str | None = Field(None, description="A planning figure code (e.g. water, "
                               "hygiene_kit): the quantity is computed from it.")
    days: int | None = Field(None, ge=0, description="Days the figure line covers.")
    persons: int | None = Field(None, ge=0, description="People to serve (figure lines); "
                                "default: the point's population.")
    households: int | None = Field(None, ge=0, description="Households to serve (figure "
                                   "lines); default: the point's.")


class RequestIn(BaseModel):
    organisation: str = Field(min_length=1, description="The requesting partner's code.")
    point: str = Field(min_length=1, description="The distribution point's site code.")
    lines: list[LineIn] = Field(min_length=1, description="What is needed.")
    needed_by: dt.date | None = Field(None, description="Date the goods are needed by.")
    note: str = Field("", description="Anything the planners should know.")
    submit: bool = Field(False, description="Submit at once instead of keeping a draft.")


class RequestStateIn(BaseModel):
    state: str = Field(description="submitted, approved, rejected or cancelled "
                       "(approved also sends a planned request back to be planned again).")
    reason: str = Field("", description="Why: required to reject or cancel.")


class RouteIn(BaseModel):
    hub: str = Field(min_length=1, description="The hub's or warehouse's site code.")
    point: str = Field(min_length=1, description="The distribution point's site code.")
    cost_per_kg: Decimal = Field(description="Transport cost per kg carried.")
    lead_days: int = Field(description="Days from loading to delivery.")
    open: bool = Field(True, description="False when the route is closed now.")
    capacity_kg: Decimal | None = Field(None, description="Most kg it can carry per plan "
                                        "(leave out for no limit).")
    note: str = Field("", description="Why it is closed, or anything to know.")


class SolveIn(BaseModel):
    plan_date: dt.date | None = Field(None, description="The day goods leave (default: "
                                      "today).")
    min_shelf_life_days: int | None = Field(None, ge=0, description="Days a lot must still "
                                            "be good on arrival (default 30).")
    time_limit: float | None = Field(None, gt=0, description="Seconds the solver may take; "
                                     "when they run out the best plan so far is kept.")


class DiscardIn(BaseModel):
    reason: str = Field(min_length=1, description="Why the plan is discarded.")


class OrderStateIn(BaseModel):
    state: str = Field(description="accepted, released or cancelled.")
    reason: str = Field("", description="Why: required to cancel.")


def _request(v: requests.RequestView) -> dict[str, Any]:
    return {**jsonable(v), "quantity": v.quantity, "planned": v.planned}


def _order(v: release_orders.ReleaseOrderView) -> dict[str, Any]:
    return {**jsonable(v), "weight_kg": str(v.weight_kg)}


PLAN_FIELDS = ("number", "state", "status", "plan_date", "created_at", "created_by",
               "decided_at", "decided_by")


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["planning"], dependencies=[needs(P.READ)])

    # requests ----------------------------------------------------------------------------
    @api.get("/requests")
    def list_requests(scope: Seen, page: Page, state: str | None = None,
                      organisation: str | None = None) -> list[dict[str, Any]]:
        """Requests, oldest first (a partner's own only)."""
        return page([_request(v) for v in requests.list_requests(
            ctx, state=state, organisation_code=organisation, scope=scope)])

    @api.get("/requests/{number}")
    def show_request(number: str, scope: Seen) -> dict[str, Any]:
        return _request(requests.view(ctx, number, scope))

    @api.post("/requests", status_code=201, dependencies=[needs(P.REQUEST)])
    def create_request(who: Who, scope: Seen, body: RequestIn, key: Key) -> dict[str, Any]:
        """Write a request (a draft unless ``submit``); partners for their own
        organisation only."""
        if body.organisation.strip().upper() not in {
                o.code for o in allowed_organisations(ctx, scope)}:
            raise Forbidden("%(actor)s requests for their own organisation, not "
                            "%(organisation)s", actor=who.actor,
                            organisation=body.organisation.strip().upper())
        lines = [LineInput(**ln.model_dump()) for ln in body.lines]
        return requests.create(who, key=key,
                               organisation_code=body.organisation, point=body.point,
                               lines=lines, needed_by=body.needed_by, note=body.note,
                               submit=body.submit)

    @api.post("/requests/{number}/state", dependencies=[needs(P.REQUEST)])
    def request_state(request: Request, who: Who, number: str, body: RequestStateIn,
                      key: Key) -> dict[str, Any]:
        """Submit, approve, reject or cancel a request. Whoever submitted it cannot approve
        or reject it (four-eyes); approving and rejecting need the coordinator's role."""
        requests.view(ctx, number, seen(request))  # another organisation's: 404
        if body.state.strip().lower() in ("approved", "rejected"):
            principal(request).require(P.APPROVE_REQUESTS, what="approve or reject requests")
        return requests.change_state(who, number, body.state, key=key,
                                     reason=body.reason)

    # routes ------------------------------------------------------------------------------
    @api.get("/routes", dependencies=[staff])
    def list_routes(page: Page, hub: str | None = None, point: str | None = None
                    ) -> list[dict[str, Any]]:
        return jsonable(page(requests.list_routes(ctx, hub=hub, point=point)))

    @api.put("/routes", dependencies=[needs(P.PLAN)])
    def set_route(who: Who, body: RouteIn, key: Key) -> dict[str, Any]:
        """Add or change the route from a hub to a distribution point."""
        return requests.set_route(who, body.hub, body.point, key=key,
                                  cost_per_kg=body.cost_per_kg, lead_days=body.lead_days,
                                  open=body.open, capacity_kg=body.capacity_kg,
                                  note=body.note)

    # the problem and plans ---------------------------------------------------------------
    @api.get("/planning/problem", dependencies=[staff])
    def problem(plan_date: dt.date | None = None,
                min_shelf_life_days: int | None = Query(None, ge=0)) -> dict[str, Any]:
        """The allocation problem the database holds now (``problem``, in the problem file
        format) and what was kept out of it and why (``notes``)."""
        built, notes = planning.problem(ctx, plan_date=plan_date,
                                        min_shelf_life_days=min_shelf_life_days)
        return {"problem": built, "notes": notes}

    @api.get("/plans", dependencies=[staff])
    def list_plans(limit: int = Query(50, ge=1, le=500)) -> list[dict[str, Any]]:
        """Plans, newest first."""
        return [jsonable({f: getattr(row, f, None) for f in PLAN_FIELDS})
                for row in planning.list_plans(ctx, limit)]

    @api.post("/plans", status_code=201, dependencies=[needs(P.PLAN)])
    def solve(who: Who, body: SolveIn, key: Key) -> dict[str, Any]:
        """Solve the allocation problem the database holds now and keep the plan as a
        draft."""
        return planning.solve(who, key=key, plan_date=body.plan_date,
                              min_shelf_life_days=body.min_shelf_life_days,
                              time_limit=body.time_limit)

    @api.get("/plans/{number}", dependencies=[staff])
    def show_plan(number: str, problem: bool = Query(
            True, description="Include the problem the plan was solved from.")
                  ) -> dict[str, Any]:
        out = jsonable(planning.view(ctx, number))
        if not problem:
            out.pop("problem", None)
        return out

    @api.post("/plans/{number}/approve", dependencies=[needs(P.APPROVE_PLANS)])
    def approve(who: Who, number: str, key: Key) -> dict[str, Any]:
        """Approve a draft plan: one release order per hub, its lots reserved."""
        return planning.approve(who, number, key=key)

    @api.post("/plans/{number}/discard", dependencies=[needs(P.PLAN)])
    def discard(who: Who, number: str, body: DiscardIn, key: Key) -> dict[str, Any]:
        return planning.discard(who, number, key=key, reason=body.reason)

    # release orders ----------------------------------------------------------------------
    @api.get("/release-orders", dependencies=[staff])
    def list_orders(page: Page, hub: str | None = None, state: ReleaseState | None = None,
                    plan: str | None = None) -> list[dict[str, Any]]:
        return page([_order(v) for v in release_orders.list_orders(
            ctx, hub=hub, state=state.value if state else None, plan=plan)])

    @api.get("/release-orders/{number}", dependencies=[staff])
    def show_order(number: str) -> dict[str, Any]:
        return _order(release_orders.view(ctx, number))

    @api.post("/release-orders/{number}/state", dependencies=[needs(P.RELEASE)])
    def order_state(who: Who, number: str, body: OrderStateIn, key: Key) -> dict[str, Any]:
        """Accept, release or cancel a release order (cancelling frees its stock)."""
        return release_orders.change_state(who, number, body.state,
                                           key=key, reason=body.reason)

    @api.get("/release-orders/{number}/pdf", response_class=Response,
             responses={200: {"content": {"application/pdf": {}}}}, dependencies=[staff])
    def order_pdf(number: str) -> Response:
        """The numbered release order as a PDF (English and Arabic)."""
        data = release_orders.pdf(ctx, number)
        name = number.strip().upper()
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})

    return api
