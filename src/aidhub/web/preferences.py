"""Choosing the pages' language (and, for Arabic, the digits) from the header's form.

A signed-in user's choice is kept with their account, so it follows them to any browser;
the choice is also kept in the ``aidhub_lang`` cookie, which is all there is to go on
before signing in.
"""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.errors import InvalidInput
from aidhub.services import accounts
from aidhub.services.context import Context
from aidhub.web import auth, csrf, i18n

YEAR = 365 * 24 * 3600


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter()

    @pages.post("/preferences")
    async def choose(request: Request):
        data = await request.form()
        csrf.check(request, data.get(csrf.FIELD))
        language = str(data.get("language") or "").strip() or None
        numerals = str(data.get("numerals") or "").strip() or None
        if language is not None and language not in i18n.LANGUAGES:
            raise InvalidInput(i18n.translate(request, "choose a language from %(languages)s",
                                              languages=", ".join(i18n.LANGUAGES)),
                               field="language")
        who = auth.signed_in(ctx, request)
        if who is not None:
            accounts.set_preferences(ctx.as_actor(who.username), who.username,
                                     key=str(uuid.uuid4()), language=language,
                                     numerals=numerals)
        response = RedirectResponse(auth._safe(str(data.get("next") or "/")),
                                    status_code=303)
        if language:
            response.set_cookie(i18n.COOKIE, language, max_age=YEAR, samesite="lax",
                                secure=request.url.scheme == "https")
        return response

    return pages
