"""Pages for outbound: the convoy board (and starting a pick list from it), a pick list
with a form per line to confirm picks, a waybill with its timeline and the forms to
dispatch it, record where it is and record its proof of delivery, and the loss reports
waiting for the hub manager's review.

Forms are protected by the double-submit CSRF token; whoever is signed in is recorded
as the one who acted, and needs the permission each form names.
"""

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Permission as P
from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.domain.waybills import PodLine, SealState, TrackingEvent
from aidhub.services import delivery, picking, reference, waybills
from aidhub.services.context import Context
from aidhub.web import csrf
from aidhub.web.auth import Who, needs, seen, staff
from aidhub.web.i18n import translate

STALE_HOURS = 24  # a vehicle without news for longer is highlighted on the board


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _key(data: dict[str, Any]) -> str:
    return _text(data, "key") or str(uuid.uuid4())


def _count(data: dict[str, Any], name: str, *, blank: int | None = None) -> int | None:
    text = _text(data, name)
    if not text:
        return blank
    try:
        return int(text.replace(",", ""))
    except ValueError:
        raise InvalidInput(f"'{text}' is not a whole number", field=name) from None


def _date(data: dict[str, Any], name: str) -> dt.date | None:
    text = _text(data, name)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is not a date (YYYY-MM-DD)", field=name) from None


def _when(data: dict[str, Any], name: str) -> dt.datetime | None:
    """A date and time typed in the form, read as UTC unless it names its zone."""
    text = _text(data, name)
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is not a date and time (YYYY-MM-DD HH:MM)",
                           field=name) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def _upload(data: dict[str, Any], name: str) -> tuple[bytes | None, str]:
    """The file sent in a form field (bytes and type), or (None, "") when none was."""
    sent = data.get(name)
    if sent is None or isinstance(sent, str) or not getattr(sent, "filename", ""):
        return None, ""
    content = await sent.read()
    return (content or None), (sent.content_type or "")


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)

    def render(request: Request, template: str, context: dict[str, Any], status: int = 200):
        token = csrf.token(request)
        response = templates.TemplateResponse(request, template, {
            **context, "csrf_token": token, "key": str(uuid.uuid4())}, status_code=status)
        return csrf.remember(request, response, token)

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
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            order = _text(data, "order")
            if not order:
                raise InvalidInput("give the release order number (RO-...)", field="order")
            result = picking.generate(
                who, order, key=_key(data),
                ship_date=_date(data, "ship_date"),
                min_shelf_life_days=_count(data, "min_shelf_life_days"))
        except AidhubError as exc:
            message = translate(request, "No pick list made. %(error)s", error=exc)
            return board_page(request, None, data, message, 400)
        return RedirectResponse(f"/pick-lists/{result['pick_list']}", status_code=303)

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
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            picking.confirm(who, number, line_no, key=_key(data),
                            quantity=_count(data, "quantity"),
                            sscc=_text(data, "sscc") or None,
                            location=_text(data, "location") or None,
                            batch=_text(data, "batch") or None,
                            reason=_text(data, "reason"))
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
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            waybills.dispatch(who, number, key=_key(data))
        except AidhubError as exc:
            message = translate(request, "Not dispatched. %(error)s", error=exc)
            return waybill_page(request, number, data, message, "dispatch", 400)
        return back(number)

    @pages.post("/waybills/{number}/events", response_class=HTMLResponse,
                dependencies=[needs(P.DISPATCH)])
    async def track(request: Request, who: Who, number: str):
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            waybills.track(who, number, _text(data, "event"),
                           key=_key(data), place=_text(data, "place"),
                           at=_when(data, "at"), note=_text(data, "note"))
        except AidhubError as exc:
            message = translate(request, "Event not recorded. %(error)s", error=exc)
            return waybill_page(request, number, data, message, "event", 400)
        return back(number, "#timeline")

    @pages.post("/waybills/{number}/cancel", response_class=HTMLResponse,
                dependencies=[needs(P.DISPATCH)])
    async def cancel(request: Request, who: Who, number: str):
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            waybills.cancel(who, number, key=_key(data),
                            reason=_text(data, "reason"))
        except AidhubError as exc:
            message = translate(request, "Not cancelled. %(error)s", error=exc)
            return waybill_page(request, number, data, message, "cancel", 400)
        return back(number)

    @pages.post("/waybills/{number}/pod", response_class=HTMLResponse,
                dependencies=[needs(P.DELIVER)])
    async def pod(request: Request, who: Who, number: str):
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            shipped = waybills.view(who, number).lines
            lines = [PodLine(ln.line_no, _count(data, f"good_{ln.line_no}", blank=0),
                             _count(data, f"damaged_{ln.line_no}", blank=0),
                             _count(data, f"short_{ln.line_no}", blank=0),
                             _count(data, f"lost_{ln.line_no}", blank=0)) for ln in shipped]
            photo, photo_type = await _upload(data, "photo")
            delivery.confirm(who, number, lines, key=_key(data),
                             signer=_text(data, "signer"),
                             seal_state=_text(data, "seal_state"),
                             received_at=_when(data, "received_at"), photo=photo,
                             photo_type=photo_type)
        except AidhubError as exc:
            values = {k: v for k, v in data.items() if isinstance(v, str)}
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
        data = dict(await request.form())
        csrf.check(request, data.get(csrf.FIELD))
        try:
            delivery.review(who, number, key=_key(data),
                            decision=_text(data, "decision"))
        except AidhubError as exc:
            return losses_page(request, "open", {**data, "number": number.strip().upper()},
                               translate(request, "%(number)s not reviewed. %(error)s",
                                         number=number.strip().upper(), error=exc), 400)
        return RedirectResponse("/loss-reports?state=reviewed", status_code=303)

    return pages
