"""Pages for the admin: people who sign in (their organisation, roles, hubs, whether they
are disabled or locked out), adding a person, granting and revoking roles, setting a new
password (which also lifts a lockout), unlocking an account locked out by failed sign-ins
(the password unchanged), disabling and enabling an account; API tokens
(issuing one, shown once, and revoking); organisations and hubs.

Only the admin role may open them. Every change goes through the account and reference
services, which record it in the audit chain with the admin who made it.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Permission as P
from aidhub.domain.access import Role
from aidhub.domain.errors import AidhubError, InvalidInput, NotFound
from aidhub.domain.organisations import OrganisationType
from aidhub.services import accounts, reference
from aidhub.services.context import Context, utcnow
from aidhub.web import forms
from aidhub.web.auth import Who, needs, principal
from aidhub.web.i18n import translate


def _user(request: Request, ctx: Context, username: str) -> accounts.UserView:
    name = username.strip().lower()
    found = next((u for u in accounts.list_users(ctx) if u.username == name), None)
    if found is None:
        raise NotFound(translate(request, "no user %(username)s", username=username))
    return found


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(prefix="/admin", dependencies=[needs(P.READ), needs(P.ADMIN)],
                      include_in_schema=False)
    render = forms.renderer(templates)

    def choices() -> dict[str, Any]:
        sites = reference.list_sites(ctx)
        return {"roles": [r.value for r in Role],
                "organisations": reference.list_organisations(ctx),
                "hubs": [s for s in sites if s.kind.value in ("hub", "warehouse")],
                "user_languages": accounts.LANGUAGES, "permissions": [p.value for p in P]}

    # people -------------------------------------------------------------------------------
    def users_page(request: Request, values: dict[str, Any] | None = None,
                   errors: dict[str, str] | None = None, status: int = 200):
        return render(request, "admin_users.html", {
            "users": accounts.list_users(ctx), "now": utcnow(), "values": values or {},
            "errors": errors or {}, **choices()}, status)

    @pages.get("/users", response_class=HTMLResponse)
    def list_users(request: Request):
        return users_page(request)

    @pages.post("/users", response_class=HTMLResponse)
    async def add_user(request: Request, who: Who):
        data = await forms.posted(request)
        values = {k: v for k, v in forms.kept(data).items()
                  if k not in ("password", "confirm")}  # a password is never sent back
        try:
            if forms.text(data, "password") != forms.text(data, "confirm"):
                raise InvalidInput(translate(request, "the two passwords differ; type the "
                                             "same one twice"), field="confirm")
            username = forms.text(data, "username")
            accounts.add_user(who, username, name=forms.text(data, "name"),
                              email=forms.text(data, "email"),
                              language=forms.text(data, "language") or "en",
                              password=forms.text(data, "password"), key=forms.key(data))
        except AidhubError as exc:
            return users_page(request, values, forms.errors(request, exc), 400)
        role = forms.text(data, "role")
        if role:
            try:
                accounts.grant(who, username, role, forms.text(data, "organisation"),
                               hub=forms.text(data, "hub") or None,
                               key=forms.key(data) + ":grant")
            except AidhubError as exc:  # the person is added: the role is tried again there
                message = translate(request, "%(username)s was added, but the role was "
                                    "not granted: %(error)s", username=username.lower(),
                                    error=exc)
                return user_page(request, username, values, {"": message}, "grant", 400)
        return RedirectResponse(f"/admin/users/{username.strip().lower()}", status_code=303)

    def user_page(request: Request, username: str, values: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None, form: str | None = None,
                  status: int = 200):
        u = _user(request, ctx, username)
        return render(request, "admin_user.html", {
            "u": u, "now": utcnow(), "tokens": accounts.tokens(ctx, u.username),
            "values": values or {}, "errors": errors or {}, "form": form,
            "myself": u.username == principal(request).username, **choices()}, status)

    @pages.get("/users/{username}", response_class=HTMLResponse)
    def show_user(request: Request, username: str):
        return user_page(request, username)

    def back(username: str, anchor: str = "") -> RedirectResponse:
        return RedirectResponse(f"/admin/users/{username.strip().lower()}{anchor}",
                                status_code=303)

    @pages.post("/users/{username}/grants", response_class=HTMLResponse)
    async def grant(request: Request, who: Who, username: str):
        data = await forms.posted(request)
        _user(request, ctx, username)
        try:
            accounts.grant(who, username, forms.text(data, "role"),
                           forms.text(data, "organisation"),
                           hub=forms.text(data, "hub") or None, key=forms.key(data))
        except AidhubError as exc:
            return user_page(request, username, forms.kept(data), forms.errors(request, exc),
                             "grant", 400)
        return back(username, "#grants")

    @pages.post("/users/{username}/grants/revoke", response_class=HTMLResponse)
    async def revoke(request: Request, who: Who, username: str):
        data = await forms.posted(request)
        u = _user(request, ctx, username)
        try:
            if u.username == principal(request).username and forms.text(data, "role") == \
                    Role.ADMIN.value:
                raise InvalidInput(translate(request, "you cannot take away your own admin "
                                             "role; another admin must"), field="role")
            accounts.revoke_grant(who, username, forms.text(data, "role"),
                                  forms.text(data, "organisation"),
                                  hub=forms.text(data, "hub") or None, key=forms.key(data))
        except AidhubError as exc:
            return user_page(request, username, {}, {"": translate(
                request, "Not revoked. %(error)s", error=exc)}, "revoke", 400)
        return back(username, "#grants")

    @pages.post("/users/{username}/password", response_class=HTMLResponse)
    async def password(request: Request, who: Who, username: str):
        data = await forms.posted(request)
        _user(request, ctx, username)
        try:
            if forms.text(data, "password") != forms.text(data, "confirm"):
                raise InvalidInput(translate(request, "the two passwords differ; type the "
                                             "same one twice"), field="confirm")
            accounts.set_password(who, username, forms.text(data, "password"),
                                  key=forms.key(data))
        except AidhubError as exc:
            return user_page(request, username, {}, forms.errors(request, exc), "password", 400)
        return back(username)

    @pages.post("/users/{username}/unlock", response_class=HTMLResponse)
    async def unlock(request: Request, who: Who, username: str):
        """Lift a lockout after failed sign-ins; the password stays as it is."""
        data = await forms.posted(request)
        u = _user(request, ctx, username)
        try:
            accounts.unlock(who, u.username, key=forms.key(data))
        except AidhubError as exc:
            return user_page(request, username, {}, {"": translate(
                request, "Not unlocked. %(error)s", error=exc)}, "unlock", 400)
        return back(username)

    @pages.post("/users/{username}/active", response_class=HTMLResponse)
    async def active(request: Request, who: Who, username: str):
        data = await forms.posted(request)
        u = _user(request, ctx, username)
        enable = forms.text(data, "active") == "1"
        try:
            if u.username == principal(request).username and not enable:
                raise InvalidInput(translate(request, "you cannot disable your own account; "
                                             "another admin must"), field="active")
            accounts.set_active(who, u.username, enable, key=forms.key(data))
        except AidhubError as exc:
            return user_page(request, username, {}, forms.errors(request, exc), "active", 400)
        return back(username)

    # API tokens ---------------------------------------------------------------------------
    def tokens_page(request: Request, values: dict[str, Any] | None = None,
                    errors: dict[str, str] | None = None, issued: dict | None = None,
                    status: int = 200):
        return render(request, "admin_tokens.html", {
            "tokens": accounts.tokens(ctx), "users": accounts.list_users(ctx),
            "now": utcnow(), "values": values or {}, "errors": errors or {},
            "issued": issued, **choices()}, status)

    @pages.get("/tokens", response_class=HTMLResponse)
    def list_tokens(request: Request):
        return tokens_page(request)

    @pages.post("/tokens", response_class=HTMLResponse)
    async def new_token(request: Request, who: Who):
        """A token is shown once, on the page this answers; only its hash is kept."""
        form = await request.form()
        data = await forms.posted(request)
        scopes = [str(s) for s in form.getlist("scopes")]
        values = {**forms.kept(data), "scopes": scopes}
        try:
            username = forms.text(data, "username")
            if not username:
                raise InvalidInput(translate(request, "choose whose token it is"),
                                   field="username")
            issued = accounts.new_token(who, username, forms.text(data, "name"),
                                        scopes=scopes, key=forms.key(data),
                                        days=forms.count(data, "days", blank=90) or None)
        except AidhubError as exc:
            return tokens_page(request, values, forms.errors(request, exc), status=400)
        return tokens_page(request, {}, issued={**issued, "user": username})

    @pages.post("/tokens/{token_id}/revoke", response_class=HTMLResponse)
    async def revoke_token(request: Request, who: Who, token_id: str):
        data = await forms.posted(request)
        try:
            accounts.revoke_token(who, token_id, key=forms.key(data))
        except NotFound:
            raise
        except AidhubError as exc:
            return tokens_page(request, {}, {"": translate(
                request, "Not revoked. %(error)s", error=exc)}, status=400)
        return RedirectResponse("/admin/tokens", status_code=303)

    # organisations and hubs ---------------------------------------------------------------
    def organisations_page(request: Request, values: dict[str, Any] | None = None,
                           errors: dict[str, str] | None = None, status: int = 200):
        orgs = reference.list_organisations(ctx)
        return render(request, "admin_organisations.html", {
            "organisations": orgs, "runner": {o.id: o.code for o in orgs},
            "sites": reference.list_sites(ctx),
            "types": [t.value for t in OrganisationType], "values": values or {},
            "errors": errors or {}}, status)

    @pages.get("/organisations", response_class=HTMLResponse)
    def list_organisations(request: Request):
        return organisations_page(request)

    @pages.post("/organisations", response_class=HTMLResponse)
    async def add_organisation(request: Request, who: Who):
        data = await forms.posted(request)
        try:
            reference.add_organisation(who, key=forms.key(data),
                                       code=forms.text(data, "code"),
                                       name=forms.text(data, "name"),
                                       type=forms.text(data, "type"),
                                       name_ar=forms.text(data, "name_ar") or None,
                                       country=forms.text(data, "country") or None)
        except AidhubError as exc:
            return organisations_page(request, forms.kept(data), forms.errors(request, exc), 400)
        return RedirectResponse("/admin/organisations", status_code=303)

    return pages
