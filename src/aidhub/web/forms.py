"""What every page form does the same way: read the posted fields (checking the CSRF
token), turn typed text into numbers, dates and times with a message naming the field,
render a page that carries a form (a fresh CSRF token and idempotency key), and say which
field an error is about so that the page can show the message next to it.
"""

import datetime as dt
import uuid
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.web import csrf

Values = dict[str, Any]


async def posted(request: Request) -> Values:
    """The form's fields, once the CSRF token is checked (CsrfRefused otherwise)."""
    data = dict(await request.form())
    csrf.check(request, data.get(csrf.FIELD))
    return data


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
        raise InvalidInput(f"'{raw}' is not a whole number", field=name) from None


def date(data: Values, name: str) -> dt.date | None:
    raw = text(data, name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"'{raw}' is not a date (YYYY-MM-DD)", field=name) from None


def when(data: Values, name: str) -> dt.datetime | None:
    """A date and time typed in the form, read as UTC unless it names its zone."""
    raw = text(data, name)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"'{raw}' is not a date and time (YYYY-MM-DD HH:MM)",
                           field=name) from None
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


def errors(exc: AidhubError, fields: dict[str, str] | None = None) -> dict[str, str]:
    """``{field: message}`` for an error about one field (the message without the field's
    name, which the page shows by the field); ``{"": message}`` for any other."""
    name = field_of(exc, fields)
    if name is None:
        return {"": str(exc)}
    return {name: exc.detail}


def renderer(templates: Jinja2Templates):
    """``render(request, template, context, status)`` for pages that carry forms: each
    gets the CSRF token (also set as the cookie) and a new idempotency key."""

    def render(request: Request, template: str, context: Values, status: int = 200):
        token = csrf.token(request)
        response = templates.TemplateResponse(request, template, {
            **context, "csrf_token": token, "key": str(uuid.uuid4())}, status_code=status)
        return csrf.remember(request, response, token)

    return render
