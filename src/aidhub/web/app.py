"""The web application: the hub's first page and a small JSON API."""

import datetime as dt
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aidhub import __version__
from aidhub.api import PREFIX, problems
from aidhub.api.inbound import router as inbound_api
from aidhub.api.outbound import router as outbound_api
from aidhub.api.planning import router as planning_api
from aidhub.api.reports import router as reports_api
from aidhub.api.screening import router as screening_api
from aidhub.api.stock import router as stock_api
from aidhub.api.sync import router as sync_api
from aidhub.api.transfers import router as transfers_api
from aidhub.domain.access import Forbidden
from aidhub.domain.access import Permission as P
from aidhub.domain.catalog import expiry_alert
from aidhub.domain.errors import AidhubError, InvalidInput, NotFound, StorageError
from aidhub.services import reference, stock
from aidhub.services.context import Context
from aidhub.web import auth, i18n, limits, ops
from aidhub.web.admin import router as admin_pages
from aidhub.web.csrf import CsrfRefused
from aidhub.web.dashboard import router as dashboard_pages
from aidhub.web.headers import SecurityHeaders
from aidhub.web.inbound import router as inbound_pages
from aidhub.web.outbound import router as outbound_pages
from aidhub.web.planning import router as planning_pages
from aidhub.web.preferences import router as preferences_pages
from aidhub.web.reads import OneConnection
from aidhub.web.reports import router as reports_pages
from aidhub.web.requests import router as requests_pages
from aidhub.web.screening import router as screening_pages
from aidhub.web.stock import router as stock_pages
from aidhub.web.sync import banner as node_banner
from aidhub.web.sync import router as sync_pages

HERE = Path(__file__).parent


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="aidhub", version=__version__,
                  description="Receive, screen, store and dispatch humanitarian aid. Sign "
                              "in with an API token: `Authorization: Bearer ahk_...`. "
                              "Commands take an `Idempotency-Key` header; errors are RFC "
                              "9457 problem details; lists take `limit` and `offset`.",
                  openapi_url=f"{PREFIX}/openapi.json", docs_url=None,
                  redoc_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.context_processors.append(node_banner(ctx))
    i18n.setup(templates)  # gettext, number filters, each request's language
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.ctx = ctx
    app.add_middleware(auth.SignIn, ctx=ctx)
    app.add_middleware(OneConnection, engine=ctx.engine)  # one connection a request
    app.add_middleware(limits.DatabaseUnavailable, templates=templates)  # 503, not 500
    app.add_middleware(limits.BodyLimit)  # 413 over AIDHUB_MAX_REQUEST_MB
    ops.install(app, ctx)  # /healthz, /readyz, /metrics; times requests
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, refusals included

    @app.exception_handler(AidhubError)
    async def _user_error(request: Request, exc: AidhubError):
        if request.url.path.startswith("/api/"):
            return problems.from_error(request, exc, 403 if isinstance(exc, CsrfRefused)
                                       else None)
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(
            exc, CsrfRefused | Forbidden) else 503 if isinstance(exc, StorageError) else 400
        message = i18n.error_text(request, exc)
        return templates.TemplateResponse(request, "error.html", {"message": message},
                                          status_code=status, headers={
                                              "Retry-After": str(limits.RETRY_AFTER_S)}
                                          if status == 503 else None)

    @app.exception_handler(DataError)  # a value the database cannot hold (NUL, 10^400)
    async def _unstorable(request: Request, exc: DataError):
        return await _user_error(request, InvalidInput(i18n.translate(
            request, "a value cannot be stored: %(reason)s", reason=limits.reason(exc))))

    @app.exception_handler(RequestValidationError)
    async def _malformed(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/api/"):
            return problems.from_validation(request, exc)
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return problems.problem(request, exc.status_code, "http", str(exc.detail),
                                    str(exc.detail))
        return await http_exception_handler(request, exc)

    app.include_router(auth.router(ctx, templates))
    app.include_router(inbound_api(ctx))
    app.include_router(screening_api(ctx))
    app.include_router(planning_api(ctx))
    app.include_router(outbound_api(ctx))
    app.include_router(transfers_api(ctx))
    app.include_router(sync_api(ctx))
    app.include_router(reports_api(ctx))
    app.include_router(stock_api(ctx))
    app.include_router(inbound_pages(ctx, templates))
    app.include_router(planning_pages(ctx, templates))
    app.include_router(requests_pages(ctx, templates))
    app.include_router(admin_pages(ctx, templates))
    app.include_router(outbound_pages(ctx, templates))
    app.include_router(preferences_pages(ctx, templates))
    app.include_router(dashboard_pages(ctx, templates))
    app.include_router(reports_pages(ctx, templates))
    app.include_router(stock_pages(ctx, templates))
    app.include_router(screening_pages(ctx, templates))
    app.include_router(sync_pages(ctx, templates))

    @app.get("/", response_class=HTMLResponse, dependencies=[auth.needs(P.READ)],
             include_in_schema=False)
    def home(request: Request, scope: auth.Seen, site: str | None = Query(None)):
        sites = [s for s in reference.list_sites(ctx)
                 if s.kind.value in ("hub", "warehouse")]
        if scope.hub_ids is not None:  # hub staff: their hubs first; others see owned stock
            sites = sorted(sites, key=lambda s: s.id not in scope.hub_ids)
        chosen = site or (sites[0].code if sites else None)
        rows = stock.on_hand(ctx, site=chosen, scope=scope) if chosen else []
        at_own_hub = scope.everything or any(
            s.code == chosen and s.id in (scope.hub_ids or ()) for s in sites)
        moves = (stock.recent_movements(ctx, limit=15, site=chosen)
                 if chosen and at_own_hub else [])
        today = dt.date.today()
        return templates.TemplateResponse(request, "home.html", {
            "sites": sites, "site": chosen, "rows": rows, "movements": moves,
            "alert": lambda day: getattr(expiry_alert(day, today), "value", ""),
            "total_kg": sum((r.weight_kg for r in rows), start=0),
            "total_m3": sum((r.volume_m3 for r in rows), start=0),
            "version": __version__,
        })

    @app.get(f"{PREFIX}/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
