"""What every page form does the same way: read the posted fields (checking the CSRF
token), turn typed text into numbers, dates and times with a message naming the field,
render a page that carries a form (a fresh CSRF token and idempotency key), and say which
field an error is about so that the page can show the message next to it.

Messages written here are in the language of the request that posted the form: the
fields read by :func:`posted` remember their request, and :func:`translate` takes it.
"""

import datetime as dt
import uuid
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.web import csrf, i18n

Values = dict[str, Any]


class Posted(dict):
    """A form's fields, with the request that sent them (for its language)."""

    def __init__(self, fields: Any = (), request: Request | None = None):
        super().__init__(fields)
        self.request = request


async def posted(request: Request) -> Values:
    """The form's fields, once the CSRF token is checked (CsrfRefused otherwise)."""
    data = Posted(await request.form(), request)
    csrf.check(request, data.get(csrf.FIELD))
    return data


def request_of(data: Values) -> Request | None:
    """The request that posted ``data`` (None for fields not read by :func:`posted`)."""
    return getattr(data, "request", None)


def translate(request: Request | None, message: str, **values: Any) -> str:
    """``message`` in the request's language, with its %(name)s placeholders filled in; in
    English when there is no request (code shared with the API and the CLI). Extracted
    like :func:`aidhub.web.i18n.translate` (keyword ``translate:2``)."""
    if request is None:
        return message % values if values else message
    return i18n.translate(request, message, **values)


def kept(data: Values) -> Values:
    """The typed values to show again in a form (files and the CSRF token left out)."""
    return {k: v for k, v in data.items() if isinstance(v, str) and k != csrf.FIELD}


def text(data: Values, name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def key(data: Values) -> str:
    """The form's idempotency key (a resubmitted form changes nothing twice)."""
    return text(data, "key") or str(uuid.uuid4())


def count(data: Values, name: str, *, blank: int | None = None) -> int | None:
    """A whole number typed in the form (thousands separators allowed), or ``blank``."""
    raw = text(data, name)
    if not raw:
        return blank
    try:
        return int(raw.replace(",", ""))
    except ValueError:
        raise InvalidInput(translate(request_of(data), "'%(value)s' is not a whole number",
                                     value=raw), field=name) from None


def date(data: Values, name: str) -> dt.date | None:
    raw = text(data, name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(translate(request_of(data), "'%(value)s' is not a date "
                                     "(YYYY-MM-DD)", value=raw), field=name) from None


def when(data: Values, name: str) -> dt.datetime | None:
    """A date and time typed in the form, read as UTC unless it names its zone."""
    raw = text(data, name)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(translate(request_of(data), "'%(value)s' is not a date and time "
                                     "(YYYY-MM-DD HH:MM)", value=raw), field=name) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def upload(data: Values, name: str) -> tuple[bytes | None, str]:
    """The file sent in a form field (bytes and type), or (None, "") when none was."""
    sent = data.get(name)
    if sent is None or isinstance(sent, str) or not getattr(sent, "filename", ""):
        return None, ""
    content = await sent.read()
    return (content or None), (sent.content_type or "")


def field_of(exc: AidhubError, fields: dict[str, str] | None = None) -> str | None:
    """The form field an error is about: the service's name for it, mapped to the form's
    through ``fields`` when they differ (e.g. ``lines[2].quantity`` → ``qty_1``)."""
    name = getattr(exc, "field", None)
    if not isinstance(exc, InvalidInput) or not name:
        return None
    return (fields or {}).get(name, name)


def errors(request: Request, exc: AidhubError, fields: dict[str, str] | None = None
           ) -> dict[str, str]:
    """``{field: message}`` for an error about one field (the message without the field's
    name, which the page shows by the field); ``{"": message}`` for any other; in the
    request's language."""
    name = field_of(exc, fields)
    if name is None:
        return {"": i18n.error_text(request, exc)}
    return {name: i18n.error_detail(request, exc)}


def renderer(templates: Jinja2Templates):
    """``render(request, template, context, status)`` for pages that carry forms: each
    gets the CSRF token (also set as the cookie) and a new idempotency key."""

    def render(request: Request, template: str, context: Values, status: int = 200):
        token = csrf.token(request)
        response = templates.TemplateResponse(request, template, {
            **context, "csrf_token": token, "key": str(uuid.uuid4())}, status_code=status)
        return csrf.remember(request, response, token)

    return render
