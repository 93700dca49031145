"""Pages for allocation: plans (solving one, reviewing its fill rates and shipments,
approving or discarding it) and release orders (accepting, releasing or cancelling one;
the load proposal for its picked goods and issuing the waybills from it). Partners'
requests are in web/requests.py.

Forms are protected by the double-submit CSRF token; whoever is signed in is recorded
as the one who acted.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Permission as P
from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.domain.loads import Vehicle
from aidhub.domain.release_orders import RELEASE_TRANSITIONS, ReleaseState
from aidhub.domain.values import parse_decimal
from aidhub.services import planning, reference, release_orders, waybills
from aidhub.services.context import Context
from aidhub.services.waybills import LoadLine
from aidhub.web import forms
from aidhub.web.auth import Who, needs, staff
from aidhub.web.forms import translate
from aidhub.web.i18n import error_detail, error_text

VEHICLE_ROWS = 4  # vehicles a load proposal can be asked for at once
TIERS = (("1", "life-saving"), ("2", "important"), ("3", "other"))


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


def _vehicle(data: dict[str, Any], plate: str, kg: str, m3: str) -> Vehicle:
    return Vehicle(forms.text(data, plate).upper(),
                   parse_decimal(forms.text(data, kg) or "0", kg),
                   parse_decimal(forms.text(data, m3) or "0", m3))


def _vehicles(data: dict[str, Any]) -> list[Vehicle]:
    """The vehicles typed in the load proposal form (rows left blank are skipped)."""
    out, request = [], forms.request_of(data)
    for n in range(VEHICLE_ROWS):
        if not any(forms.text(data, f"{f}_{n}") for f in ("plate", "kg", "m3")):
            continue
        v = _vehicle(data, f"plate_{n}", f"kg_{n}", f"m3_{n}")
        if not v.plate:
            raise InvalidInput(translate(request, "give the vehicle's plate number"),
                               field=f"plate_{n}")
        if v.capacity_kg <= 0:
            raise InvalidInput(translate(request, "give what it carries in kg (above 0)"),
                               field=f"kg_{n}")
        if v.capacity_m3 <= 0:
            raise InvalidInput(translate(request, "give what it carries in m³ (above 0)"),
                               field=f"m3_{n}")
        out.append(v)
    if not out:
        raise InvalidInput(translate(request, "give at least one vehicle: plate, kg and m³"),
                           field="plate_0")
    return out


def _proposed(data: dict[str, Any], n: int) -> dict[str, Any]:
    """A proposed load as the waybills form sent it back (to show it again)."""
    return {"destination": forms.text(data, f"point_{n}"),
            "plate": forms.text(data, f"plate_{n}"), "kg": forms.text(data, f"load_kg_{n}"),
            "m3": forms.text(data, f"load_m3_{n}"), "capacity_kg": forms.text(data, f"kg_{n}"),
            "capacity_m3": forms.text(data, f"m3_{n}"),
            "encoded": forms.text(data, f"lines_{n}"),
            "lines": [{"pick_line": p, "item": i, "batch": b, "quantity": q}
                      for p, i, b, q in (part.split("|") for part in
                                         forms.text(data, f"shown_{n}").split(";") if part)]}


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)
    render = forms.renderer(templates)

    # plans -------------------------------------------------------------------------------
    def plans_page(request: Request, values: dict[str, Any], error: str | None = None,
                   status: int = 200):
        return render(request, "plans.html", {
            "plans": planning.list_plans(ctx), "values": values, "error": error,
            "default_shelf": planning.DEFAULT_MIN_SHELF_LIFE_DAYS,
        }, status)

    @pages.get("/plans", response_class=HTMLResponse, dependencies=[staff])
    def list_plans(request: Request):
        return plans_page(request, {})

    @pages.post("/plans", response_class=HTMLResponse, dependencies=[needs(P.PLAN)])
    async def solve(request: Request, who: Who):
        data = await forms.posted(request)
        try:
            result = planning.solve(
                who, key=forms.key(data), plan_date=forms.date(data, "plan_date"),
                min_shelf_life_days=forms.count(data, "min_shelf_life_days"))
        except AidhubError as exc:
            return plans_page(request, data, error_text(request, exc), status=400)
        return RedirectResponse(f"/plans/{result['plan']}", status_code=303)

    def plan_page(request: Request, number: str, values: dict[str, Any] | None = None,
                  error: str | None = None, status: int = 200):
        v = planning.view(ctx, number)
        return render(request, "plan.html", {
            "v": v, **plan_rows(v), "values": values or {}, "error": error,
        }, status)

    @pages.get("/plans/{number}", response_class=HTMLResponse, dependencies=[staff])
    def show_plan(request: Request, number: str):
        return plan_page(request, number)

    @pages.post("/plans/{number}/approve", response_class=HTMLResponse,
                dependencies=[needs(P.APPROVE_PLANS)])
    async def approve(request: Request, who: Who, number: str):
        data = await forms.posted(request)
        try:
            planning.approve(who, number,
                             key=forms.key(data))
        except AidhubError as exc:
            message = translate(request, "Not approved. %(error)s", error=exc)
            return plan_page(request, number, data, message, status=400)
        return RedirectResponse(f"/plans/{number.strip().upper()}", status_code=303)

    @pages.post("/plans/{number}/discard", response_class=HTMLResponse,
                dependencies=[needs(P.PLAN)])
    async def discard(request: Request, who: Who, number: str):
        data = await forms.posted(request)
        try:
            planning.discard(who, number,
                             key=forms.key(data),
                             reason=forms.text(data, "reason"))
        except AidhubError as exc:
            message = translate(request, "Not discarded. %(error)s", error=exc)
            return plan_page(request, number, data, message, status=400)
        return RedirectResponse(f"/plans/{number.strip().upper()}", status_code=303)

    # release orders ----------------------------------------------------------------------
    def order_page(request: Request, number: str, values: dict[str, Any] | None = None,
                   errors: dict[str, str] | None = None, form: str | None = None,
                   proposal: tuple[list, list] | None = None, status: int = 200):
        o = release_orders.view(ctx, number)
        loads, left_over = proposal or ([], [])
        return render(request, "release_order.html", {
            "o": o, "values": values or {}, "errors": errors or {}, "form": form,
            "next_states": [t.value for t in RELEASE_TRANSITIONS[ReleaseState(o.state)]],
            "loadable": ReleaseState(o.state) in waybills.LOADABLE,
            "vehicle_rows": VEHICLE_ROWS, "loads": loads, "left_over": left_over,
            "transporters": reference.list_organisations(ctx),
        }, status)

    @pages.get("/release-orders/{number}", response_class=HTMLResponse, dependencies=[staff])
    def show_order(request: Request, number: str):
        return order_page(request, number)

    @pages.post("/release-orders/{number}/state", response_class=HTMLResponse,
                dependencies=[needs(P.RELEASE)])
    async def order_state(request: Request, who: Who, number: str):
        data = await forms.posted(request)
        try:
            release_orders.change_state(who, number, forms.text(data, "state"),
                                        key=forms.key(data), reason=forms.text(data, "reason"))
        except AidhubError as exc:
            return order_page(request, number, forms.kept(data), forms.errors(request, exc),
                              "state", status=400)
        return RedirectResponse(f"/release-orders/{number.strip().upper()}", status_code=303)

    @pages.post("/release-orders/{number}/load-proposal", response_class=HTMLResponse,
                dependencies=[needs(P.DISPATCH)])
    async def load_proposal(request: Request, who: Who, number: str):
        """How the picked goods could go on the vehicles typed in; nothing is written."""
        data = await forms.posted(request)
        try:
            vehicles = {v.plate: v for v in _vehicles(data)}
            loads, left_over = waybills.propose(who, number, list(vehicles.values()))
        except AidhubError as exc:
            return order_page(request, number, forms.kept(data), forms.errors(request, exc),
                              "vehicles", status=400)
        rows = [{"destination": x.destination, "plate": x.plate, "kg": x.kg, "m3": x.m3,
                 "capacity_kg": vehicles[x.plate].capacity_kg,
                 "capacity_m3": vehicles[x.plate].capacity_m3, "lines": x.lines,
                 "encoded": ",".join(f"{ln['pick_line']}:{ln['quantity']}" for ln in x.lines)}
                for x in loads]
        return order_page(request, number, forms.kept(data), form="loads",
                          proposal=(rows, left_over))

    @pages.post("/release-orders/{number}/waybills", response_class=HTMLResponse,
                dependencies=[needs(P.DISPATCH)])
    async def issue_waybills(request: Request, who: Who, number: str):
        """One waybill per proposed load that has a driver and a transporter. Each load
        is issued under its own key, derived from the form's: sending the form again
        after a refusal issues only what is still missing."""
        data = await forms.posted(request)
        batch = forms.text(data, "batch_key") or forms.key(data)
        issued, n = [], 0
        try:
            for n in range(forms.count(data, "loads", blank=0) or 0):
                if not (forms.text(data, f"driver_{n}") or forms.text(data, f"transporter_{n}")):
                    continue  # this vehicle is not used now
                lines = [LoadLine(uuid.UUID(pick), int(qty)) for pick, qty in
                         (part.split(":") for part in
                          forms.text(data, f"lines_{n}").split(",") if part)]
                result = waybills.issue(
                    who, number, forms.text(data, f"point_{n}"), key=f"{batch}:{n}",
                    vehicle=_vehicle(data, f"plate_{n}", f"kg_{n}", f"m3_{n}"),
                    driver=forms.text(data, f"driver_{n}"),
                    transporter=forms.text(data, f"transporter_{n}"),
                    seals=forms.text(data, f"seals_{n}").split(","), lines=lines,
                    convoy=forms.text(data, "convoy") or None)
                issued.append(result["waybill"])
            if not issued:
                raise InvalidInput(translate(request, "give a driver and a transporter for "
                                             "at least one vehicle"), field="driver_0")
        except (AidhubError, ValueError) as exc:
            if not isinstance(exc, AidhubError):
                exc = InvalidInput(translate(request, "the proposal was changed; make a new "
                                             "one"), field="loads")
            fields = {k: f"{k}_{n}" for k in ("driver", "transporter", "seals", "plate",
                                             "capacity", "load", "parties", "point")}
            where = forms.field_of(exc, fields)
            message = translate(request, "Waybill not issued. %(error)s",
                                error=error_detail(request, exc) if where else exc)
            if issued:
                message += " " + translate(request, "Issued already: %(waybills)s.",
                                           waybills=", ".join(issued))
            loads = [_proposed(data, i) for i in range(forms.count(data, "loads", blank=0)
                                                       or 0)]
            return order_page(request, number, {**forms.kept(data), "batch_key": batch},
                              {where or "": message}, "loads", (loads, []), 400)
        return RedirectResponse(f"/waybills/{issued[0]}" if len(issued) == 1 else
                                f"/release-orders/{number.strip().upper()}#waybills",
                                status_code=303)

    return pages
