"""Pages for needs and allocation: partners' requests, plans (solving one, reviewing its
fill rates and shipments, approving or discarding it) and release orders.

Forms are protected by the double-submit CSRF token; whoever is signed in is recorded
as the one who solved, approved or discarded a plan.
"""

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Permission as P
from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.domain.requests import RequestState
from aidhub.services import planning, release_orders, requests
from aidhub.services.context import Context
from aidhub.web import csrf
from aidhub.web.auth import Seen, Who, needs, staff
from aidhub.web.i18n import translate

TIERS = (("1", "life-saving"), ("2", "important"), ("3", "other"))


def _int(raw: Any, field: str) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is not a whole number of days", field=field) from None


def _date(raw: Any, field: str) -> dt.date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is not a date (YYYY-MM-DD)", field=field) from None


def _rate(value: Any) -> float | None:
    try:
        return None if value is None else max(0.0, min(1.0, float(value)))
    except (TypeError, ValueError):
        return None


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def plan_rows(v: planning.PlanView) -> dict[str, Any]:
    """What the plan page shows, read defensively from the plan JSON."""
    result = v.result or {}
    points = {p.get("id"): p for p in (v.problem or {}).get("points", [])}
    expiry = {(h.get("id"), lot.get("item"), lot.get("lot")): lot.get("expiry")
              for h in (v.problem or {}).get("hubs", []) for lot in h.get("lots", [])}
    needs = []
    for n in result.get("needs", []):
        point = points.get(n.get("point"), {})
        needs.append({**n, "point_name": point.get("name") or "",
                      "pcode": point.get("pcode") or "",
                      "rate": _rate(n.get("fill_rate")),
                      "reasons": n.get("reasons") or []})
    shipments = [{**s, "expiry": expiry.get((s.get("hub"), s.get("item"), s.get("lot")))}
                 for s in result.get("shipments", []) if s.get("quantity")]
    shipments.sort(key=lambda s: (s.get("hub") or "", s.get("point") or "",
                                  s.get("item") or "", s.get("lot") or ""))
    summary = result.get("summary") or {}
    tiers = summary.get("min_fill_rate") or {}
    return {"needs": needs, "shipments": shipments,
            "tiers": [(k, label, _rate(tiers.get(k))) for k, label in TIERS
                      if k in tiers or any(str(n.get("priority")) == k for n in needs)],
            "mean": _rate(summary.get("mean_fill_rate")),
            "delivered_kg": _number(summary.get("delivered_kg")),
            "transport_cost": _number(summary.get("transport_cost")),
            "status": result.get("status") or v.status,
            "notes": result.get("notes") or []}


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)

    # requests ----------------------------------------------------------------------------
    @pages.get("/requests", response_class=HTMLResponse)
    def list_requests(request: Request, scope: Seen, state: str | None = None):
        return templates.TemplateResponse(request, "requests.html", {
            "requests": requests.list_requests(ctx, state=state or None, scope=scope),
            "state": state or "", "states": [s.value for s in RequestState],
        })

    # plans -------------------------------------------------------------------------------
    def plans_page(request: Request, values: dict[str, Any], error: str | None = None,
                   status: int = 200):
        token = csrf.token(request)
        response = templates.TemplateResponse(request, "plans.html", {
            "plans": planning.list_plans(ctx), "values": values, "error": error,
            "csrf_token": token, "key": str(uuid.uuid4()),
            "default_shelf": planning.DEFAULT_MIN_SHELF_LIFE_DAYS,
        }, status_code=status)
        return csrf.remember(request, response, token)

    @pages.get("/plans", response_class=HTMLResponse, dependencies=[staff])
    def list_plans(request: Request):
        return plans_page(request, {})

    @pages.post("/plans", response_class=HTMLResponse, dependencies=[needs(P.PLAN)])
    async def solve(request: Request, who: Who):
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            result = planning.solve(
                who, key=str(data.get("key") or "").strip()
                or str(uuid.uuid4()),
                plan_date=_date(data.get("plan_date"), "plan_date"),
                min_shelf_life_days=_int(data.get("min_shelf_life_days"),
                                         "min_shelf_life_days"))
        except AidhubError as exc:
            return plans_page(request, data, str(exc), status=400)
        return RedirectResponse(f"/plans/{result['plan']}", status_code=303)

    def plan_page(request: Request, number: str, values: dict[str, Any] | None = None,
                  error: str | None = None, status: int = 200):
        v = planning.view(ctx, number)
        token = csrf.token(request)
        response = templates.TemplateResponse(request, "plan.html", {
            "v": v, **plan_rows(v), "values": values or {}, "error": error,
            "csrf_token": token, "key": str(uuid.uuid4()),
        }, status_code=status)
        return csrf.remember(request, response, token)

    @pages.get("/plans/{number}", response_class=HTMLResponse, dependencies=[staff])
    def show_plan(request: Request, number: str):
        return plan_page(request, number)

    @pages.post("/plans/{number}/approve", response_class=HTMLResponse,
                dependencies=[needs(P.APPROVE_PLANS)])
    async def approve(request: Request, who: Who, number: str):
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            planning.approve(who, number,
                             key=str(data.get("key") or "").strip() or str(uuid.uuid4()))
        except AidhubError as exc:
            message = translate(request, "Not approved. %(error)s", error=exc)
            return plan_page(request, number, data, message, status=400)
        return RedirectResponse(f"/plans/{number.strip().upper()}", status_code=303)

    @pages.post("/plans/{number}/discard", response_class=HTMLResponse,
                dependencies=[needs(P.PLAN)])
    async def discard(request: Request, who: Who, number: str):
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            planning.discard(who, number,
                             key=str(data.get("key") or "").strip() or str(uuid.uuid4()),
                             reason=str(data.get("reason") or ""))
        except AidhubError as exc:
            message = translate(request, "Not discarded. %(error)s", error=exc)
            return plan_page(request, number, data, message, status=400)
        return RedirectResponse(f"/plans/{number.strip().upper()}", status_code=303)

    # release orders ----------------------------------------------------------------------
    @pages.get("/release-orders/{number}", response_class=HTMLResponse, dependencies=[staff])
    def show_order(request: Request, number: str):
        return templates.TemplateResponse(request, "release_order.html",
                                          {"o": release_orders.view(ctx, number)})

    return pages
