"""Protection of forms against cross-site request forgery (double-submit token).

A page with a form sets a random token in a strict same-site cookie and in a hidden field;
a POST is accepted only when both are present and equal. Another site can make a browser
send the cookie, but cannot read it to fill in the field.
"""

import secrets

from fastapi import Request, Response

from aidhub.domain.errors import AidhubError

COOKIE = "aidhub_csrf"
FIELD = "csrf_token"


class CsrfRefused(AidhubError):
    """The form did not come from an aidhub page."""


def token(request: Request) -> str:
    """The token for a form on this page: the browser's, or a new one."""
    return request.cookies.get(COOKIE) or secrets.token_urlsafe(32)


def remember(request: Request, response: Response, value: str) -> Response:
    """Set the token cookie on the response that carries the form."""
    response.set_cookie(COOKIE, value, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


def check(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(COOKIE)
    if not cookie or not submitted or not secrets.compare_digest(cookie, submitted):
        raise CsrfRefused("the form has expired or did not come from this site; open the "
                          "page again and resubmit")
