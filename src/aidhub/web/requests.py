"""Pages for partners' requests: the list, writing a new request (a distribution point,
the date it is needed by, its priority and lines of item and quantity), and a request's
page with its lines, its state, what was planned for it and the release orders and
waybills that serve it, with the forms to submit, approve, reject or cancel it.

Partners write requests for their own organisation and see only its requests; another
organisation's request answers 404, as if it did not exist.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import ORGANISATION_ROLES, Scope
from aidhub.domain.access import Permission as P
from aidhub.domain.errors import AidhubError, InvalidInput, NotFound
from aidhub.domain.requests import TRANSITIONS, RequestState
from aidhub.domain.sites import SiteKind
from aidhub.services import reference, release_orders, requests, waybills
from aidhub.services.context import Context
from aidhub.services.requests import LineInput
from aidhub.web import forms
from aidhub.web.auth import Seen, Who, needs, principal
from aidhub.web.forms import translate
from aidhub.web.i18n import error_detail

LINE_ROWS = 8
PRIORITIES = (("1", "life-saving"), ("2", "important"), ("3", "other"))
DECISIONS = (RequestState.SUBMITTED, RequestState.APPROVED, RequestState.REJECTED,
             RequestState.CANCELLED)


def allowed_organisations(ctx: Context, scope: Scope) -> list:
    """The organisations a user may request for: all for coordinators and admins, else
    their own."""
    orgs = reference.list_organisations(ctx)
    if scope.everything:
        return orgs
    return [o for o in orgs if o.id in (scope.organisation_ids or ())]


def _lines(data: dict[str, Any]) -> tuple[list[LineInput], dict[str, str]]:
    """The lines typed in the form (blank rows skipped), and the service's name of each
    line's fields mapped to the form's (``lines[2].quantity`` → ``qty_4``)."""
    lines, fields = [], {}
    default = forms.text(data, "priority")
    request = forms.request_of(data)
    for row in range(LINE_ROWS):
        item, qty = forms.text(data, f"item_{row}"), forms.text(data, f"qty_{row}")
        priority = forms.text(data, f"priority_{row}")
        if not (item or qty):
            continue
        if not item:
            raise InvalidInput(translate(request, "give the item's code"),
                               field=f"item_{row}")
        if not qty:
            raise InvalidInput(translate(request, "give the quantity"), field=f"qty_{row}")
        lines.append(LineInput(item=item.upper(), quantity=qty.replace(",", ""),
                               priority=priority or default or None))
        n = len(lines)
        fields.update({f"lines[{n}].item": f"item_{row}",
                       f"lines[{n}].quantity": f"qty_{row}",
                       f"lines[{n}].priority": f"priority_{row}" if priority else "priority",
                       f"lines[{n}].needed_by": "needed_by"})
    if not lines:
        raise InvalidInput(translate(request, "give at least one line: an item and a "
                                     "quantity"), field="item_0")
    return lines, fields


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)
    render = forms.renderer(templates)

    @pages.get("/requests", response_class=HTMLResponse)
    def list_requests(request: Request, scope: Seen, state: str | None = None):
        return templates.TemplateResponse(request, "requests.html", {
            "requests": requests.list_requests(ctx, state=state or None, scope=scope),
            "state": state or "", "states": [s.value for s in RequestState],
        })

    # a new request ------------------------------------------------------------------------
    def form_page(request: Request, scope: Scope, values: dict[str, Any],
                  errors: dict[str, str] | None = None, status: int = 200):
        orgs = allowed_organisations(ctx, scope)
        mine = {o.id for o in orgs}
        points = [s for s in reference.list_sites(ctx)
                  if s.kind is SiteKind.DISTRIBUTION_POINT
                  and (s.operator_id is None or s.operator_id in mine)]
        return render(request, "request_new.html", {
            "values": values, "errors": errors or {}, "orgs": orgs, "points": points,
            "items": reference.list_items(ctx), "rows": LINE_ROWS,
            "priorities": PRIORITIES,
        }, status)

    @pages.get("/requests/new", response_class=HTMLResponse,
               dependencies=[needs(P.REQUEST)])
    def new_request(request: Request, scope: Seen):
        return form_page(request, scope, {"priority": "2"})

    @pages.post("/requests", response_class=HTMLResponse, dependencies=[needs(P.REQUEST)])
    async def create(request: Request, who: Who, scope: Seen):
        data = await forms.posted(request)
        fields: dict[str, str] = {}
        try:
            org = forms.text(data, "organisation").upper()
            if not org:
                raise InvalidInput(translate(request, "choose the requesting organisation"),
                                   field="organisation")
            if org not in {o.code for o in allowed_organisations(ctx, scope)}:
                raise InvalidInput(translate(
                    request, "you request for your own organisation, not %(organisation)s",
                    organisation=org), field="organisation")
            if not forms.text(data, "point"):
                raise InvalidInput(translate(request, "choose the distribution point"),
                                   field="point")
            if forms.text(data, "priority") not in {k for k, _ in PRIORITIES}:
                raise InvalidInput(translate(request, "choose the priority: 1 life-saving, "
                                             "2 important, 3 other"), field="priority")
            needed_by = forms.date(data, "needed_by")
            lines, fields = _lines(data)
            result = requests.create(who, key=forms.key(data), organisation_code=org,
                                     point=forms.text(data, "point"), lines=lines,
                                     needed_by=needed_by, note=forms.text(data, "note"),
                                     submit=forms.text(data, "submit") == "1")
        except AidhubError as exc:
            return form_page(request, scope, forms.kept(data),
                             forms.errors(request, exc, fields), 400)
        return RedirectResponse(f"/requests/{result['request']}", status_code=303)

    # one request --------------------------------------------------------------------------
    def request_page(request: Request, number: str, scope: Scope,
                     values: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None, status: int = 200):
        v = requests.view(ctx, number, scope)
        who = principal(request)
        moves = [s for s in DECISIONS if s in TRANSITIONS[RequestState(v.state)]
                 and (who.can(P.APPROVE_REQUESTS)
                      or s not in (RequestState.APPROVED, RequestState.REJECTED))]
        if RequestState(v.state) is RequestState.PLANNED and who.can(P.APPROVE_REQUESTS) \
                and any(ln.planned < ln.quantity for ln in v.lines):
            moves.insert(0, RequestState.APPROVED)  # plan again what is left
        return render(request, "request.html", {
            "r": v, "moves": [m.value for m in moves if who.can(P.REQUEST)],
            "orders": _served(v, scope) if v.planned else [],
            "staff": not (who.roles() and who.roles() <= ORGANISATION_ROLES),
            "values": values or {}, "errors": errors or {},
        }, status)

    def _served(v: requests.RequestView, scope: Scope) -> list[dict[str, Any]]:
        """The release orders with lines for this request, and their waybills the user
        may see, with each waybill's state (delivered once its proof is recorded)."""
        out = []
        for o in release_orders.list_orders(ctx):
            lines = [ln for ln in o.lines if v.number in ln.requests.split(", ")]
            if not lines:
                continue
            bills = []
            for n in o.waybills:
                try:
                    bills.append(waybills.view(ctx, n, scope))
                except NotFound:
                    continue  # to a point of another organisation
            out.append({"o": o, "lines": lines, "waybills": bills})
        return out

    @pages.get("/requests/{number}", response_class=HTMLResponse)
    def show(request: Request, number: str, scope: Seen):
        return request_page(request, number, scope)

    @pages.post("/requests/{number}/state", response_class=HTMLResponse,
                dependencies=[needs(P.REQUEST)])
    async def change_state(request: Request, who: Who, scope: Seen, number: str):
        data = await forms.posted(request)
        v = requests.view(ctx, number, scope)  # another organisation's: 404
        target = forms.text(data, "state").lower()
        if target in ("approved", "rejected"):
            principal(request).require(P.APPROVE_REQUESTS, what="approve or reject requests")
        try:
            requests.change_state(who, v.number, target, key=forms.key(data),
                                  reason=forms.text(data, "reason"))
        except AidhubError as exc:
            message = translate(request, "Not changed. %(error)s", error=exc)
            return request_page(request, number, scope, forms.kept(data),
                                {"": message} if forms.field_of(exc) != "reason"
                                else {"reason": error_detail(request, exc)}, 400)
        return RedirectResponse(f"/requests/{v.number}", status_code=303)

    return pages
