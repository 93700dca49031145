"""Sync in the browser: on a site node, the banner (online or not, last sync, what is
waiting) and a button to sync now; on the central server, the nodes and the conflicts
their offline work brought, for hub managers to resolve."""

import contextlib
import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from aidhub.domain.access import Permission as P
from aidhub.domain.errors import AidhubError, NotFound
from aidhub.services import sync_central, sync_node
from aidhub.services.context import Context, utcnow
from aidhub.web import forms
from aidhub.web.auth import Seen, Who, needs, staff
from aidhub.web.i18n import translate

STALE = dt.timedelta(minutes=15)  # no contact for this long: the banner says offline


def banner(ctx: Context):
    """The node banner's figures for every page (None on the central server)."""
    known: dict[str, bool] = {}

    def state(request: Request) -> dict[str, Any]:
        if known.get("node") is False:
            return {"node_state": None}
        try:
            s = sync_node.status(ctx)
        except AidhubError:
            return {"node_state": None}
        known["node"] = s["node"]
        if not s["node"]:
            return {"node_state": None}
        recent = s["last_contact"] and utcnow() - s["last_contact"] < STALE
        return {"node_state": {**s, "online": bool(recent) and not s["error"]}}

    return state


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(include_in_schema=False, dependencies=[needs(P.READ)])
    render = forms.renderer(templates)

    def nodes_page(request: Request, who, seen, errors=None, status: int = 200):
        return render(request, "nodes.html", {
            "nodes": sync_central.node_status(who, scope=seen),
            "conflicts": sync_central.list_conflicts(who, state="open", scope=seen),
            "resolved": sync_central.list_conflicts(who, state="resolved", scope=seen)[-20:],
            "errors": errors or {}}, status)

    @pages.get("/nodes", response_class=HTMLResponse, dependencies=[needs(P.SYNC)])
    def nodes(request: Request, who: Who, seen: Seen):
        return nodes_page(request, who, seen)

    @pages.post("/conflicts/{conflict_id}/resolve", response_class=HTMLResponse,
                dependencies=[needs(P.SYNC)])
    async def resolve(request: Request, who: Who, seen: Seen, conflict_id: str):
        data = await forms.posted(request)
        try:
            sync_central.resolve(who, conflict_id, reason=forms.text(data, "reason"),
                                 key=forms.key(data), adjust=data.get("adjust") == "yes",
                                 scope=seen)
        except NotFound:
            raise
        except AidhubError as exc:
            message = translate(request, "Not resolved. %(error)s", error=exc)
            return nodes_page(request, who, seen, {conflict_id: message}, 400)
        return RedirectResponse("/nodes", status_code=303)

    @pages.post("/node/sync", response_class=HTMLResponse, dependencies=[staff])
    async def sync_now(request: Request):
        await forms.posted(request)

        def run() -> None:
            with contextlib.suppress(AidhubError):  # the banner shows what went wrong
                sync_node.sync(ctx, sync_node.client_for(ctx))

        await run_in_threadpool(run)
        back = urlsplit(request.headers.get("referer") or "/").path or "/"
        return RedirectResponse(back if back.startswith("/") and not back.startswith("//")
                                else "/", status_code=303)

    return pages
