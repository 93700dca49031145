"""The dashboard page: the hub at a glance, as the signed-in user may see it (charts drawn
on the server as inline SVG: nothing is fetched from elsewhere)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import ORGANISATION_ROLES
from aidhub.domain.access import Permission as P
from aidhub.services import dashboard
from aidhub.services.context import Context
from aidhub.web.auth import Seen, needs, principal


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)

    @pages.get("/dashboard", response_class=HTMLResponse)
    def show(request: Request, scope: Seen):
        who = principal(request)
        d = dashboard.build(ctx, scope=scope, can_screen=who.can(P.SCREEN),
                            staff=not (who.roles() <= ORGANISATION_ROLES))
        widest = max((c.total for c in d.stock), default=0) or 1
        return templates.TemplateResponse(request, "dashboard.html", {
            "d": d, "bands": dashboard.BANDS, "widest": widest,
            "most": max((n for _, n in d.pipeline), default=0) or 1})

    return pages
