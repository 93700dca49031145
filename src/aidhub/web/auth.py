"""Signing in, and who is acting on each request.

Every page and every API call needs a signed-in user, except the sign-in page, static
files and the health check. A browser carries a session cookie (HttpOnly, SameSite=Lax,
Secure over https); a script sends ``Authorization: Bearer ahk_...`` (an API token with
scopes). A page without a valid session redirects to the sign-in page and comes back; an
API call gets 401. Each endpoint names the permission it needs; a user without it gets
403 and the attempt changes nothing.
"""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as ASGIScope

from aidhub.api import problems
from aidhub.domain.access import EVERYTHING, Forbidden, Permission, Principal, Scope
from aidhub.services import accounts
from aidhub.services.accounts import NotSignedIn, SignInRefused
from aidhub.services.context import Context
from aidhub.web import csrf, i18n

COOKIE = "aidhub_session"
# the OpenAPI document describes the API and holds no data: scripts read it first
PUBLIC = ("/sign-in", "/static/", "/api/v1/health", "/api/v1/openapi.json", "/favicon.ico",
          "/preferences",  # a language can be chosen before signing in
          "/healthz", "/readyz", "/metrics",  # /metrics checks its own token (web/ops.py)
          "/api/v1/sync/")  # site nodes sign with their node token (api/sync.py)


class SignIn:
    """Attach the signed-in principal to the request, or refuse it (plain ASGI: Starlette's
    BaseHTTPMiddleware would add a task group and a body stream to every request)."""

    def __init__(self, app: ASGIApp, ctx: Context):
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        request.state.principal = None
        if path.startswith(PUBLIC):
            await self.app(scope, receive, send)
            return
        try:  # the database is asked in a worker thread: never block the event loop
            request.state.principal = await run_in_threadpool(_principal, self.ctx, request)
        except NotSignedIn as exc:
            if _is_api(path):
                refusal: Response = problems.problem(request, 401, "not-signed-in",
                                                     "Not signed in", str(exc))
            else:
                target = path + (f"?{request.url.query}" if request.url.query else "")
                refusal = RedirectResponse(f"/sign-in?next={quote(target, safe='')}",
                                           status_code=303)
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _principal(ctx: Context, request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return accounts.token(ctx, header[7:].strip())
    return accounts.session(ctx, request.cookies.get(COOKIE))


def signed_in(ctx: Context, request: Request) -> Principal | None:
    """Who is signed in on a public page's request, if anyone."""
    try:
        return _principal(ctx, request)
    except NotSignedIn:
        return None


def principal(request: Request) -> Principal:
    return request.state.principal


# The dependencies below that do not ask the database are coroutines: FastAPI runs plain
# functions in its thread pool, a hop per dependency per request for nothing.


async def acting(request: Request) -> Context:
    """The services context acting as the signed-in user (recorded in the audit log)."""
    return request.app.state.ctx.as_actor(request.state.principal.username)


Who = Annotated[Context, Depends(acting)]


def seen(request: Request) -> Scope:
    """What the signed-in user may see (hubs and organisations)."""
    return accounts.scope(request.app.state.ctx, request.state.principal)


async def _seen(request: Request) -> Scope:
    if request.state.principal.sees_everything:
        return EVERYTHING
    return await run_in_threadpool(seen, request)


Seen = Annotated[Scope, Depends(_seen)]


def needs(permission: Permission):
    """A dependency refusing users whose roles (or token scopes) lack ``permission``."""

    async def check(request: Request) -> None:
        request.state.principal.require(permission)

    return Depends(check)


async def _staff(request: Request) -> None:
    who = request.state.principal
    if not who.staff:
        raise Forbidden(i18n.translate(
            request, "%(username)s sees their own organisation's consignments, requests, "
            "stock and documents; this page is for hub staff", username=who.username))


staff = Depends(_staff)  # hub staff, coordinators and admins; not partners or donors


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def _form(request: Request, next_: str, error: str = "", username: str = "",
              status: int = 200) -> Response:
        token = csrf.token(request)
        response = templates.TemplateResponse(request, "sign_in.html", {
            "next": next_, "error": error, "username": username, "csrf_token": token},
            status_code=status)
        return csrf.remember(request, response, token)

    @pages.get("/sign-in", response_class=HTMLResponse)
    def sign_in_page(request: Request, next: str = "/"):
        return _form(request, _safe(next))

    @pages.post("/sign-in", response_class=HTMLResponse)
    async def sign_in(request: Request):
        data = await request.form()
        csrf.check(request, data.get(csrf.FIELD))
        username = str(data.get("username") or "")
        next_ = _safe(str(data.get("next") or "/"))
        address = request.client.host if request.client else ""
        try:
            secret, _ = accounts.sign_in(ctx, username, str(data.get("password") or ""),
                                         address=address)
        except SignInRefused as exc:
            return _form(request, next_, i18n.error_text(request, exc), username,
                         status=401)
        response = RedirectResponse(next_, status_code=303)
        response.set_cookie(COOKIE, secret, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https",
                            max_age=int(accounts.SESSION_MAX.total_seconds()))
        return response

    @pages.post("/sign-out")
    async def sign_out(request: Request):
        data = await request.form()
        csrf.check(request, data.get(csrf.FIELD))
        accounts.sign_out(ctx, request.cookies.get(COOKIE))
        response = RedirectResponse("/sign-in", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return pages


def _safe(target: str) -> str:
    """Only a path on this site: never an address elsewhere (an open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
