"""Pages for the inbound work: consignments and the pipeline, typing a pre-advice, the
screening hits; a consignment's page, packing-list imports, GRNs and putaway are in
:mod:`aidhub.web.receiving`."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Permission as P
from aidhub.domain.errors import AidhubError
from aidhub.services import channels, consignments, reference
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import Context
from aidhub.web import forms, receiving
from aidhub.web.auth import Seen, Who, needs, staff
from aidhub.web.i18n import error_text

LINE_ROWS = 8


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)
    render = forms.renderer(templates)

    @pages.get("/consignments", response_class=HTMLResponse)
    def index(request: Request, scope: Seen, hub: str | None = None):
        return templates.TemplateResponse(request, "consignments.html", {
            "consignments": consignments.list_consignments(ctx, hub=hub, scope=scope),
            "pipeline": consignments.pipeline(ctx, hub=hub, scope=scope), "hub": hub,
        })

    def form(request: Request, values: dict[str, Any], error: str | None = None,
             status: int = 200):
        sites = reference.list_sites(ctx)
        return render(request, "preadvice.html", {
            "values": values, "error": error,
            "hubs": [s for s in sites if s.kind.value in ("hub", "warehouse")],
            "entries": [s for s in sites if s.kind.value == "point_of_entry"],
            "orgs": reference.list_organisations(ctx),
            "channels": channels.list_channels(ctx),
            "items": reference.list_items(ctx), "rows": LINE_ROWS,
        }, status)

    @pages.get("/consignments/new", response_class=HTMLResponse, dependencies=[staff])
    def new(request: Request):
        return form(request, {"key": str(uuid.uuid4())})

    @pages.post("/consignments/new", response_class=HTMLResponse,
                dependencies=[needs(P.CONSIGNMENTS)])
    async def create(request: Request, who: Who):
        data = await forms.posted(request)
        lines = []
        for n in range(LINE_ROWS):
            qty = (data.get(f"qty_{n}") or "").strip()
            item = (data.get(f"item_{n}") or "").strip()
            desc = (data.get(f"desc_{n}") or "").strip()
            if not (qty or item or desc):
                continue
            lines.append(AdviceLine(qty or "0", item=item or None, description=desc,
                                    unit=(data.get(f"unit_{n}") or "").strip() or None,
                                    batch=(data.get(f"batch_{n}") or "").strip() or None,
                                    expiry=(data.get(f"expiry_{n}") or "").strip() or None))
        advice = PreAdvice(
            hub=data.get("hub", ""), consignor=data.get("consignor", ""),
            consignee=data.get("consignee", ""), lines=lines,
            donor=data.get("donor") or None, channel=data.get("channel") or None,
            point_of_entry=data.get("point_of_entry") or None, eta=data.get("eta") or None,
            document_type=data.get("document_type") or None,
            document_number=data.get("document_number", ""),
            vehicle=data.get("vehicle", ""), driver=data.get("driver", ""),
            seals=data.get("seals", ""))
        try:
            result = consignments.register_preadvice(who, advice, key=data.get("key") or
                                                     str(uuid.uuid4()))
        except AidhubError as exc:
            return form(request, forms.kept(data), error_text(request, exc), status=400)
        return RedirectResponse(f"/consignments/{result['number']}", status_code=303)

    @pages.get("/hits", response_class=HTMLResponse, dependencies=[needs(P.SCREEN)])
    def hits(request: Request, scope: Seen, state: str | None = "open"):
        from aidhub.services import screening

        items = [screening.evidence(ctx, h.id)  # only the hits the caller's hubs see
                 for h in screening.list_hits(ctx, state=state or None, scope=scope)]
        return templates.TemplateResponse(request, "hits.html",
                                          {"items": items, "state": state})

    # the packing-list import, a consignment's page and forms, GRNs, putaway; included
    # last so that /consignments/new above is not taken for a consignment number
    pages.include_router(receiving.router(ctx, templates))
    return pages
