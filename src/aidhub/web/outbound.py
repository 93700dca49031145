"""Pages for outbound: the convoy board (and starting a pick list from it), a pick list
with a form per line to confirm picks, a waybill with its timeline and the forms to
dispatch it, record where it is and record its proof of delivery, convoys (and forming
one from the vehicles ready to go), and the loss reports waiting for the hub manager's
review.

Forms are protected by the double-submit CSRF token; whoever is signed in is recorded
as the one who acted, and needs the permission each form names.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Permission as P
from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.domain.waybills import STALE_HOURS, PodLine, SealState, TrackingEvent
from aidhub.services import delivery, picking, reference, waybills
from aidhub.services.context import Context
from aidhub.web import forms
from aidhub.web.auth import Who, needs, seen, staff
from aidhub.web.i18n import translate


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)

    render = forms.renderer(templates)

    # the board and starting a pick list --------------------------------------------------
    def board_page(request: Request, hub: str | None, values: dict[str, Any] | None = None,
                   error: str | None = None, status: int = 200):
        rows = waybills.board(ctx, hub=hub or None)
        hubs = [s for s in reference.list_sites(ctx) if s.kind.value in ("hub", "warehouse")]
        return render(request, "board.html", {
            "rows": rows, "hub": hub or "", "hubs": hubs, "values": values or {},
            "error": error, "stale_hours": STALE_HOURS,
            "open_losses": len(delivery.loss_reports(ctx, "open")),
        }, status)

    @pages.get("/board", response_class=HTMLResponse, dependencies=[staff])
    def board(request: Request, hub: str | None = None, order: str | None = None):
        return board_page(request, hub, {"order": order or ""})

    @pages.get("/pick-lists/new", response_class=HTMLResponse, dependencies=[staff])
    def new_pick_list(request: Request, order: str | None = None):
        return board_page(request, None, {"order": order or ""})

    @pages.post("/pick-lists", response_class=HTMLResponse, dependencies=[needs(P.PICK)])
    async def generate(request: Request, who: Who):
        data = await forms.posted(request)
        try:
            order = forms.text(data, "order")
            if not order:
                raise InvalidInput(translate(request, "give the release order number "
                                             "(RO-...)"), field="order")
            result = picking.generate(
                who, order, key=forms.key(data),
                ship_date=forms.date(data, "ship_date"),
                min_shelf_life_days=forms.count(data, "min_shelf_life_days"))
        except AidhubError as exc:
            message = translate(request, "No pick list made. %(error)s", error=exc)
            return board_page(request, None, data, message, 400)
        return RedirectResponse(f"/pick-lists/{result['pick_list']}", status_code=303)

    # convoys ---------------------------------------------------------------------------
    def convoys_page(request: Request, hub: str | None, values: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None, status: int = 200):
        scope = seen(request)
        hubs = [s for s in reference.list_sites(ctx) if s.kind.value in ("hub", "warehouse")
                and (scope.everything or s.id in (scope.hub_ids or ()))]
        mine = {s.code for s in hubs}
        ready = [r for r in waybills.board(ctx, hub=hub or None)
                 if r.state == "issued" and not r.convoy and r.hub in mine]
        return render(request, "convoys.html", {
            "convoys": waybills.convoys(ctx, hub=hub or None, scope=scope),
            "ready": ready,
            "hub": hub or "", "hubs": hubs, "values": values or {}, "errors": errors or {},
        }, status)

    @pages.get("/convoys", response_class=HTMLResponse, dependencies=[staff])
    def list_convoys(request: Request, hub: str | None = None):
        return convoys_page(request, hub)

    @pages.post("/convoys", response_class=HTMLResponse, dependencies=[needs(P.DISPATCH)])
    async def form_convoy(request: Request, who: Who):
        form = await request.form()
        data = await forms.posted(request)
        chosen = [str(n) for n in form.getlist("waybills")]
        try:  # the hub is the one the chosen vehicles leave from, unless one is named
            result = waybills.form_convoy(
                who, forms.text(data, "hub") or None, chosen, key=forms.key(data),
                route=forms.text(data, "route"), checkpoints=forms.text(data, "checkpoints"),
                notification=forms.text(data, "notification"), scope=seen(request))
        except AidhubError as exc:
            return convoys_page(request, forms.text(data, "filter_hub") or None,
                                {**forms.kept(data), "waybills": chosen},
                                forms.errors(request, exc), 400)
        return RedirectResponse(f"/convoys#{result['convoy']}", status_code=303)

    # pick lists --------------------------------------------------------------------------
    def pick_list_page(request: Request, number: str, values: dict[str, Any] | None = None,
                       error: str | None = None, line: int | None = None,
                       status: int = 200):
        v = picking.view(ctx, number)
        return render(request, "pick_list.html", {
            "v": v, "lines": sorted(v.lines, key=lambda x: (x.location, x.line_no)),
            "values": values or {}, "error": error, "error_line": line,
        }, status)

    @pages.get("/pick-lists/{number}", response_class=HTMLResponse, dependencies=[staff])
    def show_pick_list(request: Request, number: str):
        return pick_list_page(request, number)

    @pages.post("/pick-lists/{number}/lines/{line_no}/pick", response_class=HTMLResponse,
                dependencies=[needs(P.PICK)])
    async def pick(request: Request, who: Who, number: str, line_no: int):
        data = await forms.posted(request)
        try:
            picking.confirm(who, number, line_no, key=forms.key(data),
                            quantity=forms.count(data, "quantity"),
                            sscc=forms.text(data, "sscc") or None,
                            location=forms.text(data, "location") or None,
                            batch=forms.text(data, "batch") or None,
                            reason=forms.text(data, "reason"))
        except AidhubError as exc:
            message = translate(request, "Line %(line)s not picked. %(error)s", line=line_no,
                                error=exc)
            return pick_list_page(request, number, data, message, line_no, 400)
        return RedirectResponse(f"/pick-lists/{number.strip().upper()}#line-{line_no}",
                                status_code=303)

    # waybills ----------------------------------------------------------------------------
    def waybill_page(request: Request, number: str, values: dict[str, Any] | None = None,
                     error: str | None = None, form: str | None = None, status: int = 200):
        v = waybills.view(ctx, number, seen(request))
        return render(request, "waybill.html", {
            "v": v, "values": values or {}, "error": error, "form": form,
            "events": [e.value for e in TrackingEvent],
            "seal_states": [s.value for s in SealState],
            "losses": [r for r in delivery.loss_reports(ctx) if r.waybill == v.number],
            "volume_m3": sum(ln.volume_m3 for ln in v.lines),
        }, status)

    def back(number: str, anchor: str = "") -> RedirectResponse:
        return RedirectResponse(f"/waybills/{number.strip().upper()}{anchor}",
                                status_code=303)

    @pages.get("/waybills/{number}", response_class=HTMLResponse)
    def show_waybill(request: Request, number: str):
        return waybill_page(request, number)

    @pages.post("/waybills/{number}/dispatch", response_class=HTMLResponse,
                dependencies=[needs(P.DISPATCH)])
    async def dispatch(request: Request, who: Who, number: str):
        data = await forms.posted(request)
        try:
            waybills.dispatch(who, number, key=forms.key(data))
        except AidhubError as exc:
            message = translate(request, "Not dispatched. %(error)s", error=exc)
            return waybill_page(request, number, data, message, "dispatch", 400)
        return back(number)

    @pages.post("/waybills/{number}/events", response_class=HTMLResponse,
                dependencies=[needs(P.DISPATCH)])
    async def track(request: Request, who: Who, number: str):
        data = await forms.posted(request)
        try:
            waybills.track(who, number, forms.text(data, "event"),
                           key=forms.key(data), place=forms.text(data, "place"),
                           at=forms.when(data, "at"), note=forms.text(data, "note"))
        except AidhubError as exc:
            message = translate(request, "Event not recorded. %(error)s", error=exc)
            return waybill_page(request, number, data, message, "event", 400)
        return back(number, "#timeline")

    @pages.post("/waybills/{number}/cancel", response_class=HTMLResponse,
                dependencies=[needs(P.DISPATCH)])
    async def cancel(request: Request, who: Who, number: str):
        data = await forms.posted(request)
        try:
            waybills.cancel(who, number, key=forms.key(data),
                            reason=forms.text(data, "reason"))
        except AidhubError as exc:
            message = translate(request, "Not cancelled. %(error)s", error=exc)
            return waybill_page(request, number, data, message, "cancel", 400)
        return back(number)

    @pages.post("/waybills/{number}/pod", response_class=HTMLResponse,
                dependencies=[needs(P.DELIVER)])
    async def pod(request: Request, who: Who, number: str):
        data = await forms.posted(request)
        try:
            shipped = waybills.view(who, number).lines
            lines = [PodLine(ln.line_no, forms.count(data, f"good_{ln.line_no}", blank=0),
                             forms.count(data, f"damaged_{ln.line_no}", blank=0),
                             forms.count(data, f"short_{ln.line_no}", blank=0),
                             forms.count(data, f"lost_{ln.line_no}", blank=0)) for ln in shipped]
            photo, photo_type = await forms.upload(data, "photo")
            delivery.confirm(who, number, lines, key=forms.key(data),
                             signer=forms.text(data, "signer"),
                             seal_state=forms.text(data, "seal_state"),
                             received_at=forms.when(data, "received_at"), photo=photo,
                             photo_type=photo_type)
        except AidhubError as exc:
            values = forms.kept(data)
            return waybill_page(request, number, values,
                                translate(request, "Proof of delivery not recorded. %(error)s",
                                          error=exc), "pod", 400)
        return back(number)

    # loss reports ------------------------------------------------------------------------
    def losses_page(request: Request, state: str, values: dict[str, Any] | None = None,
                    error: str | None = None, status: int = 200):
        return render(request, "loss_reports.html", {
            "reports": delivery.loss_reports(ctx, state or None), "state": state,
            "states": delivery.LOSS_STATES, "values": values or {}, "error": error,
        }, status)

    @pages.get("/loss-reports", response_class=HTMLResponse, dependencies=[staff])
    def list_losses(request: Request, state: str = "open"):
        return losses_page(request, state)

    @pages.post("/loss-reports/{number}/review", response_class=HTMLResponse,
                dependencies=[needs(P.REVIEW_LOSSES)])
    async def review(request: Request, who: Who, number: str):
        data = await forms.posted(request)
        try:
            delivery.review(who, number, key=forms.key(data),
                            decision=forms.text(data, "decision"))
        except AidhubError as exc:
            return losses_page(request, "open", {**data, "number": number.strip().upper()},
                               translate(request, "%(number)s not reviewed. %(error)s",
                                         number=number.strip().upper(), error=exc), 400)
        return RedirectResponse("/loss-reports?state=reviewed", status_code=303)

    return pages
